"""Pages of the moments app. Every account goes through accounts.access (404 for the others)."""

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.access import HtmxHttpRequest, accounts_for, get_account_for

from . import actions, selectors
from .forms import CommentForm, ComposeForm, RefreshForm
from .models import Moment, MomentInteraction, MomentMedia, MomentPost

# --- Posts (compose, preview, schedule) --------------------------------------------------------


def _post_for(request, pk, *, act=False):
    """A post the user may see (one of its accounts is theirs); with act=True, all of its accounts must be."""
    post = get_object_or_404(selectors.posts_for(request.user), pk=pk)
    if act and post.accounts.exclude(pk__in=accounts_for(request.user)).exists():
        raise Http404
    return post


@require_GET
@login_required
def posts(request: HtmxHttpRequest):
    """Scheduled posts first, then the recent ones, with how many accounts posted each."""
    context = {
        "scheduled": selectors.post_rows(request.user, scheduled=True),
        "recent": selectors.post_rows(request.user, scheduled=False),
    }
    return render(request, "moments/posts.html", context)


@require_http_methods(["GET", "POST"])
@login_required
def compose(request: HtmxHttpRequest):
    """Write a moment for one or many accounts; saving shows the preview, which posts or schedules it."""
    if request.method == "POST":
        form = ComposeForm(request.POST, request.FILES, user=request.user)
        if form.is_valid():
            post = actions.save_post(operator=request.user, data=form.cleaned_data)
            return redirect("moments:post", pk=post.pk)
    else:
        initial = {}
        if request.GET.get("account", "").isdigit():
            initial["accounts"] = [get_account_for(request, int(request.GET["account"]))]
        form = ComposeForm(user=request.user, initial=initial)
    return render(request, "moments/compose.html", {"form": form, "post": None})


@require_http_methods(["GET", "POST"])
@login_required
def edit(request: HtmxHttpRequest, pk):
    post = _post_for(request, pk, act=True)
    if not post.is_editable:
        messages.error(request, _("This moment is being posted already; it can no longer be changed."))
        return redirect("moments:post", pk=post.pk)
    if request.method == "POST":
        form = ComposeForm(request.POST, request.FILES, user=request.user, post=post)
        if form.is_valid():
            actions.save_post(operator=request.user, data=form.cleaned_data, post=post)
            if post.state == MomentPost.State.SCHEDULED:
                messages.success(request, _("Scheduled moment saved."))
            return redirect("moments:post", pk=post.pk)
    else:
        initial = {
            "accounts": list(post.accounts.all()),
            "kind": post.kind,
            "text": post.text,
            "image_urls": "\n".join(post.image_urls),
            "video_url": post.video_url,
            "thumb_url": post.thumb_url,
            "link_url": post.link_url,
            "link_title": post.link_title,
            "scheduled_at": post.scheduled_at,
        }
        form = ComposeForm(user=request.user, post=post, initial=initial)
    return render(request, "moments/compose.html", {"form": form, "post": post})


def _post_context(request, post):
    rows = list(
        post.moments.filter(account__in=accounts_for(request.user)).select_related("account").order_by("due_at", "pk")
    )
    text, media_type, media_urls = post.release()
    soon = timezone.now() + timedelta(minutes=2)
    return {
        "post": post,
        "rows": rows,
        "accounts": list(post.accounts.filter(pk__in=accounts_for(request.user)).order_by("nickname", "account")),
        "preview": {"text": text, "media_type": media_type, "media_urls": media_urls},
        "pending": any(
            row.status in (Moment.Status.QUEUED, Moment.Status.SENT)
            or (row.status == Moment.Status.SCHEDULED and row.due_at and row.due_at < soon)
            for row in rows
        ),
        "waiting": any(row.status == Moment.Status.SCHEDULED for row in rows),
    }


@require_GET
@login_required
def post_detail(request: HtmxHttpRequest, pk):
    """The preview of a draft, or how posting went on each account (polled while any is pending)."""
    post = _post_for(request, pk)
    if request.htmx:
        return render(request, "moments/post.html#post-status", _post_context(request, post))
    return render(request, "moments/post.html", _post_context(request, post))


@require_POST
@login_required
def confirm(request: HtmxHttpRequest, pk):
    post = _post_for(request, pk, act=True)
    post = actions.confirm_post(post=post, operator=request.user)
    if post.state == MomentPost.State.SCHEDULED:
        messages.success(request, _("Moment scheduled."))
    return redirect("moments:post", pk=post.pk)


@require_POST
@login_required
def cancel(request: HtmxHttpRequest, pk):
    post = _post_for(request, pk, act=True)
    was_draft = post.state == MomentPost.State.DRAFT
    count = actions.cancel_post(post=post)
    if was_draft:
        messages.info(request, _("Draft discarded."))
        return redirect("moments:posts")
    messages.info(request, _("Cancelled for %(count)s account(s).") % {"count": count})
    return redirect("moments:post", pk=post.pk)


@require_POST
@login_required
def retry(request: HtmxHttpRequest, pk):
    """Post a failed moment of one account again."""
    moment = get_object_or_404(Moment.objects.filter(account__in=accounts_for(request.user), post__isnull=False), pk=pk)
    actions.retry_moment(moment=moment, operator=request.user)
    if request.htmx:
        post = _post_for(request, moment.post_id)
        return render(request, "moments/post.html#post-status", _post_context(request, post))
    return redirect("moments:post", pk=moment.post_id)


# --- Uploaded media (the provider downloads it: no login, unguessable address) ------------------


@require_GET
def media_file(request, token, name):
    media = get_object_or_404(MomentMedia, token=token)
    if name != media.name:
        raise Http404
    response = FileResponse(media.file.open("rb"), content_type=media.mime_type)
    response["Content-Security-Policy"] = "sandbox; default-src 'none'"
    response["Cache-Control"] = "private, max-age=86400"
    return response


# --- Timeline and albums ------------------------------------------------------------------------


def _feed(request, account, friend=""):
    moments = selectors.feed(account, friend=friend)
    return {
        "account": account,
        "friend": friend,
        "moments": moments,
        "fetch": selectors.fetch_state(account, to_account=friend),
        "pending": selectors.feed_pending(account, moments),
    }


@require_GET
@login_required
def timeline(request: HtmxHttpRequest, account_pk):
    """The account's Moments timeline as stored; "Refresh" and "Load more" ask the provider (getList)."""
    account = get_account_for(request, account_pk)
    context = _feed(request, account)
    if request.htmx:
        return render(request, "moments/timeline.html#feed", context)
    return render(request, "moments/timeline.html", context)


@require_GET
@login_required
def album(request: HtmxHttpRequest, account_pk, friend):
    """One friend's posts (getList with to_account), seen from this account."""
    account = get_account_for(request, account_pk)
    context = _feed(request, account, friend=friend)
    if request.htmx:
        return render(request, "moments/timeline.html#feed", context)
    return render(request, "moments/timeline.html", context)


@require_POST
@login_required
def refresh(request: HtmxHttpRequest, account_pk):
    """Ask for the first page again, or (more=1) the next one, of the timeline or of an album."""
    account = get_account_for(request, account_pk)
    form = RefreshForm(request.POST)
    form.is_valid()
    friend = form.cleaned_data.get("to_account") or ""
    load = actions.next_page(account=account, to_account=friend) if form.cleaned_data.get("more") else 1
    actions.fetch_moments(account=account, operator=request.user, load=load, to_account=friend)
    return _after_feed_action(request, account, friend)


def _after_feed_action(request, account, friend):
    if request.htmx:
        return render(request, "moments/timeline.html#feed", _feed(request, account, friend=friend))
    if friend:
        return redirect("moments:album", account_pk=account.pk, friend=friend)
    return redirect("moments:moments", account_pk=account.pk)


def _moment_for(request, pk):
    queryset = Moment.objects.select_related("account").filter(account__in=accounts_for(request.user))
    return get_object_or_404(queryset.exclude(status_id=None), pk=pk)


@require_GET
@login_required
def moment(request: HtmxHttpRequest, pk):
    """One post's card (polled while a like or comment of it is on its way)."""
    return _render_moment(request, _moment_for(request, pk), request.GET.get("friend", ""))


@require_POST
@login_required
def like(request: HtmxHttpRequest, pk):
    moment = _moment_for(request, pk)
    actions.interact(moment=moment, kind=MomentInteraction.Kind.LIKE, operator=request.user)
    return _after_moment_action(request, moment)


@require_POST
@login_required
def comment(request: HtmxHttpRequest, pk):
    moment = _moment_for(request, pk)
    form = CommentForm(request.POST)
    if form.is_valid():
        actions.interact(
            moment=moment,
            kind=MomentInteraction.Kind.COMMENT,
            content=form.cleaned_data["content"],
            operator=request.user,
        )
    elif not request.htmx:
        messages.error(request, _("Write a comment first."))
    return _after_moment_action(request, moment)


@require_POST
@login_required
def refresh_post(request: HtmxHttpRequest, pk):
    """Ask for this one post again (getList with statusId): new likes and comments."""
    moment = _moment_for(request, pk)
    actions.fetch_moments(account=moment.account, operator=request.user, status_id=moment.status_id)
    return _after_moment_action(request, moment)


def _render_moment(request, moment, friend):
    moment = (
        Moment.objects.select_related("account")
        .prefetch_related(Prefetch("interactions", queryset=MomentInteraction.objects.order_by("created_at", "pk")))
        .get(pk=moment.pk)
    )
    refreshing = selectors.post_refreshing(moment)
    context = {"moment": moment, "account": moment.account, "friend": friend, "refreshing": refreshing}
    return render(request, "moments/_moment.html", context)


def _after_moment_action(request, moment):
    friend = request.POST.get("friend", "")
    if request.htmx:
        return _render_moment(request, moment, friend)
    return _after_feed_action(request, moment.account, friend)
