"""Pages of the groups app. Every account goes through accounts.access (404 for accounts the
operator may not act on) and every group is looked up within that account."""

import base64
import binascii

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.access import HtmxHttpRequest, get_account_for
from contacts.models import Friend

from . import actions, live, mentions, selectors
from .forms import (
    AddMembersForm,
    AutoJoinForm,
    CreateGroupForm,
    GroupFilterForm,
    MemberFilterForm,
    NoticeForm,
    RenameForm,
)
from .models import Group, GroupMember, GroupSettings


def _group_for(request, account_pk, group_pk):
    account = get_account_for(request, account_pk)
    group = get_object_or_404(Group, account=account, pk=group_pk)
    group.account = account
    return group


def _unchanged(request, stamp):
    """A poll whose stamp is still current: 204, nothing to swap."""
    return request.htmx and request.GET.get("stamp") == stamp


# --- list ---------------------------------------------------------------------------------------


def _list_context(request, account):
    filters = GroupFilterForm(request.GET or None)
    cleaned = filters.cleaned() if request.GET else {"q": "", "owner": False, "saved": False, "left": False}
    return {
        "account": account,
        "filters": filters,
        "f": cleaned,
        "groups": selectors.group_list(account, **cleaned),
        "refreshing": selectors.list_refreshing(account),
        "creations": selectors.pending_creations(account),
        "stamp": live.account_stamp(account.pk),
    }


@require_GET
@login_required
def group_list(request: HtmxHttpRequest, account_pk):
    """The account's groups: search, "I am owner", saved to contacts; polled while open."""
    account = get_account_for(request, account_pk)
    stamp = live.account_stamp(account.pk)
    if _unchanged(request, stamp):
        return HttpResponse(status=204)
    context = _list_context(request, account)
    if request.htmx and not request.htmx.boosted:
        return render(request, "groups/list.html#group-list", context)
    return render(request, "groups/list.html", context)


@require_POST
@login_required
def refresh_list(request: HtmxHttpRequest, account_pk):
    account = get_account_for(request, account_pk)
    actions.refresh_group_list(account=account, operator=request.user)
    if request.htmx:
        return render(request, "groups/list.html#group-list", _list_context(request, account))
    messages.info(request, _("Asking WeChat for the group list…"))
    return redirect("groups:groups", account_pk=account.pk)


def _picker_context(request, account, *, exclude=()):
    selected = [int(v) for v in request.POST.getlist("members") or request.GET.getlist("members") if v.isdigit()]
    q = (request.GET.get("fq") or request.POST.get("fq") or "").strip()[:100]
    chosen, others = selectors.friends_to_pick(account, q=q, selected=selected, exclude=exclude)
    return {"chosen": chosen, "others": others, "fq": q, "selected": set(selected)}


def _picked_friends(account, form):
    return list(Friend.objects.filter(account=account, removed_at__isnull=True, pk__in=form.cleaned_data["members"]))


@require_http_methods(["GET", "POST"])
@login_required
def create_group(request: HtmxHttpRequest, account_pk):
    """found: a new group from selected friends; it appears in the list when WeChat reports it (C15)."""
    account = get_account_for(request, account_pk)
    friends = Friend.objects.filter(account=account, removed_at__isnull=True)
    form = None
    if request.method == "POST":
        form = CreateGroupForm(request.POST, friends=friends.filter(pk__in=request.POST.getlist("members")[:500]))
        if form.is_valid():
            creation = actions.create_group(
                account=account,
                name=form.cleaned_data["name"].strip(),
                friends=_picked_friends(account, form),
                operator=request.user,
            )
            messages.info(
                request,
                _("Creating the group “%(name)s”… it appears in the list when WeChat confirms it.")
                % {"name": creation.name},
            )
            return redirect("groups:groups", account_pk=account.pk)
    context = {"account": account, "form": form, **_picker_context(request, account)}
    if request.htmx and request.method == "GET":
        return render(request, "groups/create.html#friend-options", context)
    return render(request, "groups/create.html", context, status=400 if form is not None else 200)


# --- one group ----------------------------------------------------------------------------------


def _detail_context(request, group):
    mq = MemberFilterForm(request.GET)
    q = mq.cleaned_data["mq"].strip() if mq.is_valid() else ""
    members = selectors.members(group, q=q)
    return {
        "account": group.account,
        "group": group,
        "members": members,
        "member_count": len(members)
        if not q
        else GroupMember.objects.filter(group=group, removed_at__isnull=True).count(),
        "mq": q,
        "is_owner": group.is_owned_by(group.account),
        "pending": selectors.pending_methods(group),
        "events": selectors.events(group),
        "stamp": live.group_stamp(group.pk),
        "add_mode": actions.add_mode(group),
        "rename_form": RenameForm(initial={"name": group.name}),
        "notice_form": NoticeForm(initial={"notice": group.notice}),
    }


@require_GET
@login_required
def group_detail(request: HtmxHttpRequest, account_pk, group_pk):
    """Details, members, event log and actions; the live part is polled every 2 s (204 when unchanged)."""
    group = _group_for(request, account_pk, group_pk)
    if _unchanged(request, live.group_stamp(group.pk)):
        return HttpResponse(status=204)
    context = _detail_context(request, group)
    if request.htmx and not request.htmx.boosted:
        context["oob"] = True  # the page title sits outside the live part
        return render(request, "groups/detail.html#group-live", context)
    return render(request, "groups/detail.html", context)


def _done(request, group, note, *, level=messages.INFO, status=200):
    """After an action: HTMX gets the note (the live part updates by itself); a form post is redirected."""
    if request.htmx:
        return render(request, "groups/_note.html", {"note": note, "level": level}, status=status)
    messages.add_message(request, level, note)
    return redirect("groups:group", account_pk=group.account_id, group_pk=group.pk)


@require_POST
@login_required
def refresh_group(request: HtmxHttpRequest, account_pk, group_pk):
    group = _group_for(request, account_pk, group_pk)
    actions.refresh_group(group=group, operator=request.user)
    return _done(request, group, _("Asking WeChat for the details, the owner and the members…"))


@require_POST
@login_required
def rename_group(request: HtmxHttpRequest, account_pk, group_pk):
    group = _group_for(request, account_pk, group_pk)
    form = RenameForm(request.POST)
    if not form.is_valid():
        return _done(request, group, _("Give the group a name."), level=messages.ERROR, status=400)
    name = form.cleaned_data["name"].strip()
    actions.rename_group(group=group, name=name, operator=request.user)
    return _done(request, group, _("Renaming to “%(name)s”…") % {"name": name})


@require_POST
@login_required
def set_notice(request: HtmxHttpRequest, account_pk, group_pk):
    group = _group_for(request, account_pk, group_pk)
    form = NoticeForm(request.POST)
    if not form.is_valid():
        return _done(request, group, _("Write the announcement first."), level=messages.ERROR, status=400)
    actions.set_notice(group=group, notice=form.cleaned_data["notice"], operator=request.user)
    return _done(request, group, _("Setting the announcement…"))


@require_http_methods(["GET", "POST"])
@login_required
def leave_group(request: HtmxHttpRequest, account_pk, group_pk):
    """GET: ask for confirmation. POST: outGroup."""
    group = _group_for(request, account_pk, group_pk)
    if request.method == "POST":
        actions.leave_group(group=group, operator=request.user)
        messages.info(request, _("Leaving “%(name)s”…") % {"name": group})
        return redirect("groups:group", account_pk=group.account_id, group_pk=group.pk)
    return render(request, "groups/confirm.html", {"account": group.account, "group": group, "what": "leave"})


@require_http_methods(["GET", "POST"])
@login_required
def add_members(request: HtmxHttpRequest, account_pk, group_pk):
    """addMember for groups of 40 or fewer, invateMember above (E-46), chosen here with the reason shown."""
    group = _group_for(request, account_pk, group_pk)
    current = list(GroupMember.objects.filter(group=group, removed_at__isnull=True).values_list("username", flat=True))
    form = None
    if request.method == "POST":
        friends = Friend.objects.filter(account=group.account, removed_at__isnull=True)
        form = AddMembersForm(request.POST, friends=friends.filter(pk__in=request.POST.getlist("members")[:500]))
        if form.is_valid():
            mode, count = actions.add_members(
                group=group, friends=_picked_friends(group.account, form), operator=request.user
            )
            messages.info(request, _mode_reason(mode, count, done=True))
            return redirect("groups:group", account_pk=group.account_id, group_pk=group.pk)
    mode, count = actions.add_mode(group)
    context = {
        "account": group.account,
        "group": group,
        "form": form,
        "reason": _mode_reason(mode, count),
        "mode": mode,
        **_picker_context(request, group.account, exclude=current),
    }
    if request.htmx and request.method == "GET":
        return render(request, "groups/add_members.html#friend-options", context)
    return render(request, "groups/add_members.html", context, status=400 if form is not None else 200)


def _mode_reason(mode, count, *, done=False):
    if mode == "invite":
        if done:
            return _(
                "This group has %(count)s members: WeChat only allows invitations above 40, "
                "so an invitation link was sent."
            ) % {"count": count}
        return _(
            "This group has %(count)s members: WeChat only allows invitations above 40, "
            "so each friend gets an invitation link and joins after accepting it."
        ) % {"count": count}
    if done:
        return _("This group has %(count)s members (40 or fewer): the friends are added directly.") % {"count": count}
    return _("This group has %(count)s members (40 or fewer): the friends are added directly.") % {"count": count}


@require_http_methods(["GET", "POST"])
@login_required
def remove_member(request: HtmxHttpRequest, account_pk, group_pk, member_pk):
    """delMember, offered only when the account owns the group; the provider's answer shows in the log."""
    group = _group_for(request, account_pk, group_pk)
    member = get_object_or_404(GroupMember, group=group, pk=member_pk, removed_at__isnull=True)
    if not group.is_owned_by(group.account):
        note = _("Only the group owner can remove members, and this account is not the owner of “%(name)s”.") % {
            "name": group
        }
        messages.error(request, note)
        return redirect("groups:group", account_pk=group.account_id, group_pk=group.pk)
    if request.method == "POST":
        actions.remove_member(group=group, member=member, operator=request.user)
        messages.info(request, _("Removing %(member)s…") % {"member": member})
        return redirect("groups:group", account_pk=group.account_id, group_pk=group.pk)
    context = {"account": group.account, "group": group, "member": member, "what": "remove"}
    return render(request, "groups/confirm.html", context)


@require_POST
@login_required
def request_qrcode(request: HtmxHttpRequest, account_pk, group_pk):
    group = _group_for(request, account_pk, group_pk)
    actions.request_qrcode(group=group, operator=request.user)
    return _done(request, group, _("Asking WeChat for the group QR code…"))


@require_GET
@login_required
def qrcode_image(request: HtmxHttpRequest, account_pk, group_pk):
    """The group QR: image data is served as PNG (?download=1 as an attachment); a URL is redirected to."""
    group = _group_for(request, account_pk, group_pk)
    value = group.qr_code_url.strip()
    if not value:
        raise Http404
    if value.startswith("data:"):
        header, _sep, data = value.partition(",")
        try:
            body = base64.b64decode(data, validate=False) if ";base64" in header else data.encode()
        except (binascii.Error, ValueError):
            raise Http404 from None
        content_type = header[5:].split(";", 1)[0] or "image/png"
        if not content_type.startswith("image/"):
            content_type = "application/octet-stream"
        response = HttpResponse(body, content_type=content_type)
        response["X-Content-Type-Options"] = "nosniff"
        if request.GET.get("download"):
            response["Content-Disposition"] = f'attachment; filename="group-{group.pk}-qrcode.png"'
        return response
    if value.startswith(("http://", "https://")):
        return redirect(value)
    raise Http404  # anything else (javascript:, relative paths) is never followed


# --- settings -----------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@login_required
def auto_join(request: HtmxHttpRequest, account_pk):
    """groupSet for the account (E-1). GET: the setting's fragment (polled while a change is pending)."""
    account = get_account_for(request, account_pk)
    if request.method == "POST":
        form = AutoJoinForm(request.POST)
        if not form.is_valid():
            raise Http404
        actions.set_auto_join(account=account, enabled=form.cleaned_data["enabled"], operator=request.user)
        if not request.htmx:
            messages.info(request, _("Saving the auto-join setting…"))
            target = form.cleaned_data.get("next") or ""
            if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
                target = reverse("accounts:detail", args=[account.pk])
            return redirect(target)
    row = GroupSettings.objects.filter(account=account).first()
    return render(request, "groups/_auto_join.html", {"account": account, "row": row or False})


# --- @-mentions ---------------------------------------------------------------------------------


@require_GET
@login_required
def mention_options(request: HtmxHttpRequest, account_pk, number):
    """The members one can @-mention in this group's chat (the composer's picker loads it on the first "@")."""
    account = get_account_for(request, account_pk)
    group = get_object_or_404(Group, account=account, number=number)
    group.account = account
    context = {
        "members": [m for _w, _n, m in mentions.candidates(group)],
        "at_all": group.is_owned_by(account),
        "at_all_wxid": mentions.AT_ALL_WXID,
        "at_all_name": mentions.AT_ALL_NAME,
        "at_all_label": mentions.AT_ALL_LABEL,
    }
    return render(request, "groups/_mention_options.html", context)
