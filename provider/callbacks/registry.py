"""Which app handles which event kind. The list of supported kinds is derived from this dict."""

from functools import cache

from django.utils.module_loading import import_string

HANDLERS = {
    "message": "chats.events.handle_message",
    "group_message": "chats.events.handle_message",
    "account_status": "accounts.events.handle_account_status",
    "scan_confirmed": "accounts.events.handle_scan_confirmed",
    "qr_code": "accounts.events.handle_qr_code",
    "friend_added": "contacts.events.handle_friend_added",
    "friend_request": "contacts.events.handle_friend_request",
    "friend_deleted": "contacts.events.handle_friend_deleted",
    "contact_info": "contacts.events.handle_contact_info",
    "label_list": "contacts.events.handle_label_list",
    "label_result": "contacts.events.handle_label_result",
    "labels_deleted": "contacts.events.handle_labels_deleted",
    "zombie_result": "contacts.events.handle_zombie_result",
    "friend_page": "contacts.events.handle_friend_page",
    "friend_notice": "contacts.events.handle_friend_notice",
    "group_member_joined": "groups.events.handle_member_joined",
    "group_members": "groups.events.handle_group_members",
    "group_qrcode": "groups.events.handle_group_qrcode",
    "group_created": "groups.events.handle_group_created",
    "moments": "moments.events.handle_moments",
    "moment_posted": "moments.events.handle_moment_posted",
}

# An unknown kind has no handler on purpose: the delivery is stored (status "ignored") and
# answered 200 like any other. Answering an error would make a retrying sender resend the
# same body forever, and the raw body is what we need to add the kind later (then replay it
# with `replay_callbacks --status ignored`).
SUPPORTED_KINDS = frozenset(HANDLERS)


@cache
def get_handler(kind):
    """The handler callable for a kind, or None for a kind nobody handles."""
    path = HANDLERS.get(kind)
    return import_string(path) if path else None
