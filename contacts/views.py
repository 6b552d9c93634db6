"""Contacts screens: friends, friend requests, labels, invitations, lookups.

Every view finds the account with get_account_for (404 for an account the operator may not
act on) and looks friends, labels and requests up inside that account only.
"""

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import trigger_client_event

from accounts.access import HtmxHttpRequest, get_account_for
from contacts import actions, selectors
from contacts.forms import (
    AcceptRequestsForm,
    BulkFriendsForm,
    FriendFilterForm,
    FriendLabelsForm,
    InviteForm,
    LabelCreateForm,
    LabelRenameForm,
    LookupForm,
    ReconcileForm,
)
from contacts.models import ContactLookup, Friend, FriendInvite, FriendRequest, Label
from provider import outbox
from provider.models import OutboxEntry

PER_PAGE = 50


def _chat_url(account, friend):
    """The chat screen for this friend, once the chats app has one."""
    try:
        return reverse("chats:thread", args=[account.pk, friend.pk])
    except NoReverseMatch:
        return None


CALL_TITLES = {
    "sync_friend_list": _lazy("Friend list sync"),
    "get_labels": _lazy("Label list"),
    "add_labels": _lazy("Create labels"),
    "update_labels": _lazy("Set labels"),
    "delete_labels": _lazy("Delete labels"),
    "add_friends": _lazy("Friend request"),
    "delete_friend": _lazy("Delete friend"),
    "check_zombie": _lazy("Zombie check"),
    "lookup_account": _lazy("Look up"),
    "friend_requests": _lazy("Request list"),
    "accept_friend": _lazy("Accept request"),
}
TARGET_PARAMS = ("to_account", "account", "accounts", "names")


def _call_target(entry):
    for name in TARGET_PARAMS:
        value = entry.params.get(name)
        if value:
            return ", ".join(map(str, value)) if isinstance(value, list) else str(value)
    return ""


def _status_context(account):
    sync = selectors.latest_sync(account)
    activity = [
        {"entry": entry, "title": CALL_TITLES.get(entry.method, entry.method), "target": _call_target(entry)}
        for entry in selectors.contacts_activity(account)
    ]
    pending_calls = selectors.has_pending_calls(account)
    recent = timezone.now() - timedelta(seconds=30)
    renames = list(selectors.active_renames(account))
    if sync is not None and sync.is_running and not sync.is_stale():
        interval = 1
    elif pending_calls or renames or any(item["entry"].updated_at > recent for item in activity):
        interval = 2  # results of calls just made arrive by callback soon
    else:
        interval = 10
    return {
        "account": account,
        "sync": sync,
        "activity": activity,
        "pending_calls": pending_calls,
        "renames": renames,
        "interval": interval,
        "fingerprint": selectors.fingerprint(account),
        "pending_requests": selectors.pending_requests_count(account),
    }


def _back(request, account, name="contacts:friends"):
    target = request.POST.get("next", "")
    prefix = reverse("contacts:friends", args=[account.pk]).rsplit("/friends/", 1)[0] + "/"
    if target.startswith(prefix) and "//" not in target:
        return redirect(target)
    return redirect(name, account.pk)


# --- friends ------------------------------------------------------------------------------------


@require_GET
@login_required
def friends(request: HtmxHttpRequest, account_pk):
    account = get_account_for(request, account_pk)
    form = FriendFilterForm(request.GET or None, account=account)
    filters = form.cleaned_data if form.is_valid() else {}
    friend_list = selectors.friends_for(
        account,
        q=filters.get("q", ""),
        label=filters.get("label"),
        sex=filters.get("sex"),
        show=filters.get("show") or "present",
        sort=filters.get("sort") or "nickname",
    )
    page = Paginator(friend_list, PER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        **_status_context(account),
        "form": form,
        "page": page,
        "query": query.urlencode(),
        "labels": list(account.labels.all()),
        "bulk_actions": BulkFriendsForm.ACTIONS,
    }
    if request.htmx and request.htmx.target == "friend-rows":
        return render(request, "contacts/friends.html#rows", context)
    return render(request, "contacts/friends.html", context)


@require_GET
@login_required
def friends_status(request: HtmxHttpRequest, account_pk):
    """Polled by open contacts pages: sync progress, badge, recent calls; a change refreshes the lists."""
    account = get_account_for(request, account_pk)
    context = _status_context(account)
    response = render(request, "contacts/_status.html", context)
    if request.GET.get("v") and request.GET["v"] != context["fingerprint"]:
        trigger_client_event(response, "contacts-changed")
    return response


@require_POST
@login_required
def friends_sync(request: HtmxHttpRequest, account_pk):
    account = get_account_for(request, account_pk)
    sync = actions.start_friend_sync(account=account, operator=request.user)
    if request.htmx:
        return render(request, "contacts/_status.html", _status_context(account))
    if sync.received:
        messages.info(request, _("A friend list sync is already running."))
    else:
        messages.success(request, _("Friend list sync started."))
    return redirect("contacts:friends", account.pk)


@require_POST
@login_required
def friends_bulk(request: HtmxHttpRequest, account_pk):
    """Label, unlabel, zombie-check or delete the selected friends (delete asks to confirm first)."""
    account = get_account_for(request, account_pk)
    form = BulkFriendsForm(request.POST, account=account)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return _back(request, account)
    selected = list(form.cleaned_data["friends"])
    action = form.cleaned_data["action"]
    label = form.cleaned_data["label"]
    if action == "delete" and not form.cleaned_data["confirmed"]:
        return render(
            request,
            "contacts/confirm_delete.html",
            {"account": account, "friends": selected, "next": request.POST.get("next", "")},
        )
    if action == "delete":
        for friend in selected:
            actions.delete_friend(account=account, friend=friend, operator=request.user)
        messages.success(
            request,
            ngettext(
                "Deleting %(count)d friend; the list updates when the provider confirms.",
                "Deleting %(count)d friends; the list updates when the provider confirms.",
                len(selected),
            )
            % {"count": len(selected)},
        )
    elif action == "zombie":
        actions.check_zombies(account=account, friends=selected, operator=request.user)
        messages.success(
            request,
            ngettext("Checking %(count)d friend for zombies.", "Checking %(count)d friends for zombies.", len(selected))
            % {"count": len(selected)},
        )
    else:
        add, remove = ([label], []) if action == "add_label" else ([], [label])
        entries, skipped = actions.assign_labels(
            account=account, friends=selected, add=add, remove=remove, operator=request.user
        )
        if entries:
            messages.success(request, _("Labels sent to the provider; the list updates when it confirms."))
        elif not skipped:
            messages.info(request, _("Nothing to change."))
        if skipped:
            messages.warning(
                request,
                _("The provider cannot remove the last label of a friend; not changed: %(names)s")
                % {"names": ", ".join(str(f) for f in skipped[:10])},
            )
    return _back(request, account)


@require_GET
@login_required
def friend_detail(request: HtmxHttpRequest, account_pk, friend_pk):
    account = get_account_for(request, account_pk)
    friend = get_object_or_404(Friend.objects.prefetch_related("labels"), account=account, pk=friend_pk)
    label_form = FriendLabelsForm(account=account, initial={"labels": list(friend.labels.all())})
    return render(
        request,
        "contacts/friend_detail.html",
        {
            "account": account,
            "friend": friend,
            "label_form": label_form,
            "chat_url": _chat_url(account, friend),
            "pending_requests": selectors.pending_requests_count(account),
        },
    )


@require_POST
@login_required
def friend_labels(request: HtmxHttpRequest, account_pk, friend_pk):
    account = get_account_for(request, account_pk)
    friend = get_object_or_404(Friend, account=account, pk=friend_pk)
    form = FriendLabelsForm(request.POST, account=account)
    if form.is_valid():
        wanted = set(form.cleaned_data["labels"])
        if wanted == set(friend.labels.all()):
            messages.info(request, _("Nothing to change."))
        else:
            _entries, skipped = actions.set_labels(account=account, changes={friend: wanted}, operator=request.user)
            if skipped:
                messages.warning(request, _("The provider cannot remove the last label of a friend."))
            else:
                messages.success(request, _("Labels sent to the provider; they show here when it confirms."))
    return redirect("contacts:friend", account.pk, friend.pk)


@require_POST
@login_required
def friend_zombie(request: HtmxHttpRequest, account_pk, friend_pk):
    account = get_account_for(request, account_pk)
    friend = get_object_or_404(Friend, account=account, pk=friend_pk)
    actions.check_zombies(account=account, friends=[friend], operator=request.user)
    messages.success(request, _("Zombie check sent."))
    return redirect("contacts:friend", account.pk, friend.pk)


@require_POST
@login_required
def outbox_retry(request: HtmxHttpRequest, account_pk, entry_pk):
    """Send a failed contacts call again."""
    account = get_account_for(request, account_pk)
    entry = get_object_or_404(
        OutboxEntry, account=account, pk=entry_pk, subject__startswith="contacts.", status=OutboxEntry.Status.FAILED
    )
    invite = FriendInvite.objects.filter(account=account, outbox=entry).first()
    if invite is not None:
        actions.retry_invite(invite=invite, operator=request.user)
    else:
        outbox.retry(entry, operator=request.user)
    if request.htmx:
        return render(request, "contacts/_status.html", _status_context(account))
    messages.success(request, _("Sent again."))
    return _back(request, account)


# --- friend requests ----------------------------------------------------------------------------

REQUEST_TABS = {
    "pending": FriendRequest.Status.PENDING,
    "accepted": FriendRequest.Status.ACCEPTED,
    "expired": FriendRequest.Status.EXPIRED,
    "all": None,
}


@require_GET
@login_required
def requests_inbox(request: HtmxHttpRequest, account_pk):
    account = get_account_for(request, account_pk)
    tab = request.GET.get("status", "pending")
    tab = tab if tab in REQUEST_TABS else "pending"
    rows = FriendRequest.objects.filter(account=account).select_related("accept_entry")
    if REQUEST_TABS[tab] is not None:
        rows = rows.filter(status=REQUEST_TABS[tab])
    page = Paginator(rows.order_by("-requested_at", "-pk"), PER_PAGE).get_page(request.GET.get("page"))
    context = {
        **_status_context(account),
        "tab": tab,
        "tabs": [
            ("pending", _("Pending")),
            ("accepted", _("Accepted")),
            ("expired", _("Expired")),
            ("all", _("All")),
        ],
        "page": page,
        "reconcile_form": ReconcileForm(),
    }
    if request.htmx and request.htmx.target == "request-list":
        return render(request, "contacts/requests.html#list", context)
    return render(request, "contacts/requests.html", context)


@require_GET
@login_required
def requests_badge(request: HtmxHttpRequest, account_pk):
    account = get_account_for(request, account_pk)
    return render(
        request,
        "contacts/_badge.html",
        {"account": account, "pending_requests": selectors.pending_requests_count(account)},
    )


@require_POST
@login_required
def requests_accept(request: HtmxHttpRequest, account_pk):
    account = get_account_for(request, account_pk)
    form = AcceptRequestsForm(request.POST, account=account)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect("contacts:requests", account.pk)
    accepted = actions.accept_requests(account=account, requests=form.cleaned_data["requests"], operator=request.user)
    messages.success(
        request,
        ngettext("Accepting %(count)d request.", "Accepting %(count)d requests.", len(accepted))
        % {"count": len(accepted)},
    )
    return redirect("contacts:requests", account.pk)


@require_POST
@login_required
def requests_reconcile(request: HtmxHttpRequest, account_pk):
    account = get_account_for(request, account_pk)
    form = ReconcileForm(request.POST)
    status = form.cleaned_data["status"] if form.is_valid() else -1
    actions.reconcile_requests(account=account, status=status, operator=request.user)
    messages.success(request, _("Asked the provider for its list of requests."))
    return redirect("contacts:requests", account.pk)


# --- labels -------------------------------------------------------------------------------------


@require_GET
@login_required
def labels(request: HtmxHttpRequest, account_pk):
    account = get_account_for(request, account_pk)
    context = {
        **_status_context(account),
        "labels": selectors.labels_with_counts(account),
        "create_form": LabelCreateForm(),
    }
    if request.htmx and request.htmx.target == "label-list":
        return render(request, "contacts/labels.html#list", context)
    return render(request, "contacts/labels.html", context)


@require_POST
@login_required
def labels_create(request: HtmxHttpRequest, account_pk):
    account = get_account_for(request, account_pk)
    form = LabelCreateForm(request.POST)
    if form.is_valid():
        actions.create_labels(account=account, names=form.cleaned_data["names"], operator=request.user)
        messages.success(request, _("Creating labels: %(names)s") % {"names": ", ".join(form.cleaned_data["names"])})
    else:
        for error in form.errors.get("names", []):
            messages.error(request, error)
    return redirect("contacts:labels", account.pk)


@require_POST
@login_required
def labels_refresh(request: HtmxHttpRequest, account_pk):
    account = get_account_for(request, account_pk)
    actions.refresh_labels(account=account, operator=request.user)
    messages.success(request, _("Asked the provider for the label list."))
    return redirect("contacts:labels", account.pk)


@require_POST
@login_required
def label_rename(request: HtmxHttpRequest, account_pk, label_pk):
    account = get_account_for(request, account_pk)
    label = get_object_or_404(Label, account=account, pk=label_pk)
    form = LabelRenameForm(request.POST)
    if form.is_valid() and form.cleaned_data["name"] != label.name:
        actions.rename_label(account=account, label=label, new_name=form.cleaned_data["name"], operator=request.user)
        messages.success(
            request,
            _("Renaming “%(old)s” to “%(new)s”: a new label is created, its friends move, the old one is deleted.")
            % {"old": label.name, "new": form.cleaned_data["name"]},
        )
    elif not form.is_valid():
        for error in form.errors.get("name", []):
            messages.error(request, error)
    return redirect("contacts:labels", account.pk)


@require_POST
@login_required
def label_delete(request: HtmxHttpRequest, account_pk, label_pk):
    account = get_account_for(request, account_pk)
    label = get_object_or_404(Label, account=account, pk=label_pk)
    if request.POST.get("confirmed") != "1":
        return render(
            request,
            "contacts/confirm_label_delete.html",
            {"account": account, "label": label, "friend_count": label.friends.filter(removed_at__isnull=True).count()},
        )
    actions.delete_labels(account=account, labels=[label], operator=request.user)
    messages.success(request, _("Deleting label “%(name)s”.") % {"name": label.name})
    return redirect("contacts:labels", account.pk)


# --- invitations and lookups --------------------------------------------------------------------


@require_GET
@login_required
def invites(request: HtmxHttpRequest, account_pk):
    account = get_account_for(request, account_pk)
    initial = {"targets": request.GET.get("to", "")[:128]}
    context = {
        **_status_context(account),
        "form": InviteForm(initial=initial),
        "invites": FriendInvite.objects.filter(account=account).select_related("outbox")[:100],
    }
    if request.htmx and request.htmx.target == "invite-list":
        return render(request, "contacts/invites.html#list", context)
    return render(request, "contacts/invites.html", context)


@require_POST
@login_required
def invites_create(request: HtmxHttpRequest, account_pk):
    account = get_account_for(request, account_pk)
    form = InviteForm(request.POST)
    if not form.is_valid():
        context = {
            **_status_context(account),
            "form": form,
            "invites": FriendInvite.objects.filter(account=account).select_related("outbox")[:100],
        }
        return render(request, "contacts/invites.html", context, status=400)
    created = actions.invite_friends(
        account=account,
        targets=form.cleaned_data["targets"],
        greeting=form.cleaned_data["greeting"],
        operator=request.user,
    )
    messages.success(
        request,
        ngettext(
            "%(count)d friend request queued; they are sent at the account's pace.",
            "%(count)d friend requests queued; they are sent at the account's pace.",
            len(created),
        )
        % {"count": len(created)},
    )
    return redirect("contacts:invites", account.pk)


@require_GET
@login_required
def lookup(request: HtmxHttpRequest, account_pk):
    account = get_account_for(request, account_pk)
    recent = ContactLookup.objects.filter(account=account)[:10]
    return render(
        request,
        "contacts/lookup.html",
        {**_status_context(account), "form": LookupForm(), "recent": recent},
    )


@require_POST
@login_required
def lookup_create(request: HtmxHttpRequest, account_pk):
    account = get_account_for(request, account_pk)
    form = LookupForm(request.POST)
    if not form.is_valid():
        recent = ContactLookup.objects.filter(account=account)[:10]
        context = {**_status_context(account), "form": form, "recent": recent}
        return render(request, "contacts/lookup.html", context, status=400)
    item = actions.lookup_account(account=account, query=form.cleaned_data["query"].strip(), operator=request.user)
    return redirect("contacts:lookup_result", account.pk, item.pk)


@require_GET
@login_required
def lookup_result(request: HtmxHttpRequest, account_pk, lookup_pk):
    account = get_account_for(request, account_pk)
    item = get_object_or_404(ContactLookup.objects.select_related("outbox"), account=account, pk=lookup_pk)
    context = {**_status_context(account), "item": item, "form": LookupForm(initial={"query": item.query})}
    if request.htmx and request.htmx.target == "lookup-result":
        return render(request, "contacts/lookup_result.html#result", context)
    return render(request, "contacts/lookup_result.html", context)
