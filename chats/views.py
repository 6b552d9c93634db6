"""The operator inbox. Every conversation, message and account goes through accounts.access:
an operator who may not act on the account gets 404, whatever the endpoint."""

import uuid
from pathlib import Path

from django.conf import settings
from django.contrib import messages as flash
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.access import HtmxHttpRequest, accounts_for, get_account_for
from accounts.models import WeChatAccount

from . import actions, live, media, selectors
from .content import safe_url
from .forms import AssignForm, InboxFilterForm, NoteForm, QuickReplyForm, SendForm, StateForm
from .models import Attachment, ContentType, Conversation, Message, QuickReply


def _conversation_for(request, pk):
    """The conversation if its account passes get_account_for; 404 otherwise."""
    conversation = get_object_or_404(Conversation.objects.select_related("account", "assignee"), pk=pk)
    get_account_for(request, conversation.account_id)
    return conversation


def _message_for(request, pk):
    message = get_object_or_404(Message.objects.select_related("conversation", "outbox", "attachment"), pk=pk)
    get_account_for(request, message.account_id)
    return message


def _scope(request, account_pk=None):
    """(account or None, filters dict) from the URL and the query string."""
    account = get_account_for(request, account_pk) if account_pk else None
    filters = InboxFilterForm(request.GET).cleaned()
    if account is None and request.GET.get("account"):
        try:
            account = get_account_for(request, int(request.GET["account"]))
        except ValueError:
            raise Http404 from None
    return account, filters


def _account_ids(request, account):
    if account is not None:
        return [account.pk]
    return list(accounts_for(request.user).values_list("pk", flat=True))


def _list(request, account, filters):
    return selectors.conversation_list(
        request.user,
        account=account,
        show=filters["show"],
        kind=filters["kind"],
        mine=filters["mine"],
        query=filters["q"],
    )


def _quick_replies(conversation):
    if conversation is None:
        return []
    name = conversation.title or conversation.peer
    return [
        {"title": reply.title, "body": reply.render(name=name, account=str(conversation.account))}
        for reply in QuickReply.objects.all()[:200]
    ]


def _details_context(conversation):
    operators = get_user_model().objects.filter(is_active=True)
    operators = operators.filter(wechat_accounts=conversation.account) | operators.filter(is_staff=True)
    return {
        "contact": selectors.contact_for(conversation),
        "notes": list(conversation.notes.select_related("author")),
        "assign_form": AssignForm(initial={"assignee": conversation.assignee_id}, operators=operators.distinct()),
        "note_form": NoteForm(),
    }


def _page(request, *, account, filters, conversation=None, send_form=None):
    account_ids = _account_ids(request, account)
    context = {
        "scope_account": account,
        "accounts": list(accounts_for(request.user)) if account is None else [account],
        "filter_form": InboxFilterForm(initial={**filters, "account": account.pk if account else None}),
        "filters": filters,
        "conversations": _list(request, account, filters),
        "conversation": conversation,
        "stamp": live.stamp(account_ids),
        "poll_ms": settings.CHAT_POLL_MS,
    }
    if conversation is not None:
        page, more = selectors.messages_page(conversation)
        context.update(
            {
                # Not "messages": base.html shows that name as Django's flash messages.
                "thread_messages": page,
                "more": more,
                "after": max((m.pk for m in page), default=0),
                "send_form": send_form or SendForm(initial={"client_key": uuid.uuid4().hex}),
                "quick_replies": _quick_replies(conversation),
                **_details_context(conversation),
            }
        )
    return context


@require_GET
@login_required
def inbox(request: HtmxHttpRequest, account_pk=None):
    """Conversations across all the operator's accounts (or one account), no conversation open."""
    account, filters = _scope(request, account_pk)
    context = _page(request, account=account, filters=filters)
    if request.htmx and not request.htmx.boosted:
        return render(request, "chats/inbox.html#conversation-list", context)
    return render(request, "chats/inbox.html", context)


@require_GET
@login_required
def thread(request: HtmxHttpRequest, pk):
    """One conversation open in the inbox; opening it reads it."""
    conversation = _conversation_for(request, pk)
    actions.mark_read(conversation=conversation)
    account, filters = _scope(request)
    context = _page(request, account=account, filters=filters, conversation=conversation)
    if request.htmx:
        # The list comes along (out of band): this conversation is now current and read, and the
        # stamp the page polls with already includes that change, so no poll would redraw it.
        return render(request, "chats/workspace.html", {**context, "with_list": True})
    return render(request, "chats/inbox.html", context)


@require_GET
@login_required
def friend_thread(request: HtmxHttpRequest, account_pk, friend_pk):
    """The chat with a friend from the contacts pages (contacts links here by friend id)."""
    from contacts.models import Friend

    account = get_account_for(request, account_pk)
    friend = get_object_or_404(Friend, account=account, pk=friend_pk)
    conversation = actions.open_conversation(account=account, peer=friend.username)
    return redirect("chats:thread", pk=conversation.pk)


@require_GET
@login_required
def open_chat(request: HtmxHttpRequest, account_pk, peer):
    """The chat with a friend or group by its WeChat id, created empty when there is none yet."""
    account = get_account_for(request, account_pk)
    conversation = actions.open_conversation(account=account, peer=peer[:128])
    return redirect("chats:thread", pk=conversation.pk)


@require_GET
@login_required
def history(request: HtmxHttpRequest, pk):
    """Older messages (infinite scroll upwards), before the message `before`."""
    conversation = _conversation_for(request, pk)
    before = None
    if request.GET.get("before", "").isdigit():
        before = Message.objects.filter(conversation=conversation, pk=int(request.GET["before"])).first()
    page, more = selectors.messages_page(conversation, before=before)
    return render(request, "chats/history.html", {"conversation": conversation, "thread_messages": page, "more": more})


def _int(value, default=0):
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


def _updates_context(request, *, conversation, after, pending, data):
    new = selectors.messages_after(conversation, after) if conversation is not None else []
    updated = []
    if conversation is not None and pending:
        shown = set(pending) - {m.pk for m in new}
        updated = [m for m in selectors.messages_by_pk(conversation, list(shown)[:100])]
    return {
        "conversation": conversation,
        "new_messages": new,
        "updated_messages": updated,
        "after": max([after, *(m.pk for m in new)]),
    }


@require_GET
@login_required
def poll(request: HtmxHttpRequest):
    """204 when nothing changed since `stamp`; else the list, new messages and changed statuses (OOB)."""
    account, filters = _scope(request)
    account_ids = _account_ids(request, account)
    current = live.stamp(account_ids)
    if request.GET.get("stamp") == current:
        return HttpResponse(status=204)
    conversation = None
    if request.GET.get("conversation", "").isdigit():
        conversation = _conversation_for(request, int(request.GET["conversation"]))
    pending = [_int(v) for v in request.GET.getlist("pending") if v.isdigit()]
    context = _updates_context(
        request, conversation=conversation, after=_int(request.GET.get("after")), pending=pending, data=request.GET
    )
    if conversation is not None and any(not m.is_outgoing for m in context["new_messages"]):
        actions.mark_read(conversation=conversation)  # the operator is looking at it
    context.update(
        {
            "scope_account": account,
            "filters": filters,
            "conversations": _list(request, account, filters),
            "stamp": current,
            "poll_ms": settings.CHAT_POLL_MS,
            "with_list": True,
        }
    )
    return render(request, "chats/poll.html", context)


def _send(form, *, conversation, operator):
    data = form.cleaned_data
    kind = data["kind"]
    key = data.get("client_key") or ""
    if kind == "text":
        if conversation.is_group and data.get("at_users"):
            from groups.mentions import resolve

            mentions = resolve(
                account=conversation.account,
                group_number=conversation.peer,
                text=data["text"],
                wxids=data["at_users"].split(","),
            )
            if mentions:
                return actions.send_group_at(
                    conversation=conversation, text=data["text"], mentions=mentions, operator=operator, client_key=key
                )
        return actions.send_text(conversation=conversation, text=data["text"], operator=operator, client_key=key)
    if kind == "card":
        return actions.send_card(
            conversation=conversation, card_name=data["card_name"].strip(), operator=operator, client_key=key
        )
    if kind == "link":
        return actions.send_link(
            conversation=conversation,
            url=data["url"],
            title=data["title"],
            describe=data["describe"],
            thumb=data["thumb"],
            operator=operator,
            client_key=key,
        )
    if kind == "app":
        return actions.send_app(
            conversation=conversation,
            app_name=data["app_name"],
            title=data["title"],
            thumb_key=data["thumb_key"],
            page_path=data["page_path"],
            describe=data["describe"],
            thumb_url=data["thumb"],
            operator=operator,
            client_key=key,
        )
    if key:
        existing = Message.objects.filter(client_key=key).first()
        if existing is not None:  # a double submit of an upload: do not store the file twice
            return existing
    upload = data["upload"]
    content_type = media.kind_for(upload.name, data.get("send_as") or "")
    attachment, content_type, seconds = media.store_upload(
        account=conversation.account, upload=upload, kind=content_type, operator=operator
    )
    return actions.send_media(
        conversation=conversation,
        attachment=attachment,
        content_type=content_type,
        operator=operator,
        client_key=key,
        voice_len=seconds,
    )


@require_POST
@login_required
def send(request: HtmxHttpRequest, pk):
    """Send from the composer. HTMX: a fresh composer plus the new messages; else back to the thread."""
    conversation = _conversation_for(request, pk)
    form = SendForm(request.POST, request.FILES)
    message = None
    if form.is_valid():
        try:
            message = _send(form, conversation=conversation, operator=request.user)
        except ValidationError as exc:
            form.add_error("upload", exc)
    if not request.htmx:
        if message is not None:
            return redirect("chats:thread", pk=conversation.pk)
        account, filters = _scope(request)
        context = _page(request, account=account, filters=filters, conversation=conversation, send_form=form)
        return render(request, "chats/inbox.html", context, status=400)
    if message is None:
        return render(
            request,
            "chats/composer.html",
            {"conversation": conversation, "send_form": form, "quick_replies": _quick_replies(conversation)},
        )
    context = _updates_context(
        request, conversation=conversation, after=_int(request.POST.get("after")), pending=[], data=request.POST
    )
    context.update(
        {
            "send_form": SendForm(initial={"client_key": uuid.uuid4().hex}),
            "quick_replies": _quick_replies(conversation),
            "stamp": request.POST.get("stamp", ""),
            "poll_ms": settings.CHAT_POLL_MS,
            "scope_account": None,
            "with_list": False,
            "filters": {},
        }
    )
    return render(request, "chats/sent.html", context)


@require_POST
@login_required
def retry(request: HtmxHttpRequest, pk):
    """Send a failed message again."""
    message = _message_for(request, pk)
    message = actions.retry_message(message=message, operator=request.user)
    if request.htmx:
        message = _message_for(request, pk)
        return render(request, "chats/_message.html", {"m": message, "conversation": message.conversation})
    return redirect("chats:thread", pk=message.conversation_id)


def _details_response(request, conversation):
    if request.htmx:
        context = {"conversation": conversation, **_details_context(conversation)}
        return render(request, "chats/workspace.html#details", context)
    return redirect("chats:thread", pk=conversation.pk)


@require_POST
@login_required
def assign(request: HtmxHttpRequest, pk):
    conversation = _conversation_for(request, pk)
    operators = get_user_model().objects.filter(is_active=True)
    form = AssignForm(request.POST, operators=operators)
    if form.is_valid():
        assignee = form.cleaned_data["assignee"]
        if assignee is not None and not accounts_for(assignee).filter(pk=conversation.account_id).exists():
            raise Http404
        actions.assign(conversation=conversation, assignee=assignee)
    return _details_response(request, conversation)


@require_POST
@login_required
def set_state(request: HtmxHttpRequest, pk):
    conversation = _conversation_for(request, pk)
    form = StateForm(request.POST)
    if form.is_valid():
        actions.set_state(conversation=conversation, state=form.cleaned_data["state"])
    return _details_response(request, conversation)


@require_POST
@login_required
def add_note(request: HtmxHttpRequest, pk):
    conversation = _conversation_for(request, pk)
    form = NoteForm(request.POST)
    if form.is_valid():
        actions.add_note(conversation=conversation, author=request.user, body=form.cleaned_data["body"])
    return _details_response(request, conversation)


@require_GET
@login_required
def search(request: HtmxHttpRequest):
    """Messages containing the words, in one conversation or across one account (or all the operator's)."""
    query = request.GET.get("q", "").strip()[:100]
    conversation = None
    accounts = accounts_for(request.user)
    if request.GET.get("conversation", "").isdigit():
        conversation = _conversation_for(request, int(request.GET["conversation"]))
    elif request.GET.get("account", "").isdigit():
        accounts = WeChatAccount.objects.filter(pk=get_account_for(request, int(request.GET["account"])).pk)
    results = selectors.search_messages(accounts=accounts, query=query, conversation=conversation) if query else []
    context = {"query": query, "results": results, "conversation": conversation}
    template = "chats/search.html#results" if request.htmx else "chats/search.html"
    return render(request, template, context)


@require_GET
@login_required
def source(request: HtmxHttpRequest, pk):
    """The stored content of a message exactly as it arrived, escaped: for staff checking what could not be read."""
    if not request.user.is_staff:
        raise Http404
    message = _message_for(request, pk)
    return render(request, "chats/source.html", {"message": message})


@require_GET
@login_required
def audio(request: HtmxHttpRequest, pk):
    """A SILK voice message decoded to WAV for the browser's player (404 when it cannot be)."""
    message = _message_for(request, pk)
    if message.content_type != ContentType.VOICE:
        raise Http404
    cached = Path(settings.MEDIA_ROOT) / "chats" / "voice" / f"{message.pk}.wav"
    if not cached.exists():
        data = _voice_bytes(message)
        wav = media.silk_to_wav(data) if data else None
        if wav is None:
            raise Http404
        cached.parent.mkdir(parents=True, exist_ok=True)
        cached.write_bytes(wav)
    return FileResponse(cached.open("rb"), content_type="audio/wav")


VOICE_FETCH_MAX = 5 * 1024 * 1024


def _voice_bytes(message):
    if message.attachment_id:
        with message.attachment.file.open("rb") as handle:
            return handle.read(VOICE_FETCH_MAX)
    url = safe_url(message.content)
    if not url:
        return None
    import requests

    try:
        with requests.get(url, timeout=(3, 10), stream=True) as answer:
            if answer.status_code != 200:
                return None
            data = answer.raw.read(VOICE_FETCH_MAX + 1, decode_content=True)
    except (requests.RequestException, OSError):
        return None
    return data if len(data) <= VOICE_FETCH_MAX else None


@require_GET
def media_file(request, token, name):
    """An uploaded file at its unguessable address: no login, because the provider downloads it."""
    attachment = get_object_or_404(Attachment, token=token)
    if name != attachment.name:
        raise Http404
    inline = attachment.mime_type in media.INLINE_TYPES
    response = FileResponse(
        attachment.file.open("rb"),
        content_type=attachment.mime_type if inline else "application/octet-stream",
        as_attachment=not inline,
        filename=attachment.name,
    )
    response["Content-Security-Policy"] = "sandbox; default-src 'none'"
    response["Cache-Control"] = "private, max-age=86400"
    return response


# --- Quick replies (admins) ---------------------------------------------------------------------


def _require_staff(request):
    if not request.user.is_staff:
        raise Http404


@require_http_methods(["GET", "POST"])
@login_required
def quick_replies(request: HtmxHttpRequest):
    _require_staff(request)
    form = QuickReplyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        form.save()
        flash.success(request, _("Quick reply saved."))
        return redirect("chats:quick_replies")
    return render(request, "chats/quick_replies.html", {"form": form, "replies": QuickReply.objects.all()})


@require_POST
@login_required
def quick_reply_delete(request: HtmxHttpRequest, pk):
    _require_staff(request)
    get_object_or_404(QuickReply, pk=pk).delete()
    flash.success(request, _("Quick reply deleted."))
    return redirect("chats:quick_replies")


def inbox_url(account=None):
    return reverse("chats:conversations", args=[account.pk]) if account else reverse("chats:inbox")
