from django import template
from django.utils.html import escape, urlize
from django.utils.safestring import mark_safe

from chats.content import display as display_of
from chats.content import line, summary_line
from chats.content import safe_url as safe_url_of

register = template.Library()


@register.filter
def linkify(text):
    """Escaped text with http(s) links made clickable (escape first: no HTML from content ever renders)."""
    html = urlize(escape(text or ""), autoescape=False)
    # urlize's links open in the same tab; chat links should not replace the inbox.
    return mark_safe(html.replace("<a href=", '<a target="_blank" rel="noopener noreferrer nofollow" href='))  # noqa: S308 - built from escaped text


@register.filter
def display(message):
    return display_of(message)


@register.filter
def summary(message):
    """The one-line form of a message ("[文件] 报价单.pdf"), for search results and lists."""
    return line(message)


@register.filter
def preview(conversation):
    """The inbox list's last-message line: "李四: [图片]", in the reader's language."""
    shown = summary_line(conversation.last_message_kind, conversation.last_message_preview)
    if conversation.last_message_sender:
        return f"{conversation.last_message_sender}: {shown}"
    return shown


@register.simple_tag
def quoted_target(message, msgid):
    """The pk of the quoted message when this console stored it (same account), else ""."""
    if not msgid or not message.account_id:
        return ""
    from chats.models import Message

    pk = Message.objects.filter(account_id=message.account_id, msgid=msgid).values_list("pk", flat=True).first()
    return pk or ""


@register.filter
def safe_url(value):
    return safe_url_of(value)


@register.filter
def is_silk_name(value):
    name = (value or "").lower().split("?")[0]
    return name.endswith((".silk", ".slk"))
