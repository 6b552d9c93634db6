from django import template
from django.utils.html import escape, urlize
from django.utils.safestring import mark_safe

from chats.content import display as display_of
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
def safe_url(value):
    return safe_url_of(value)


@register.filter
def is_silk_name(value):
    name = (value or "").lower().split("?")[0]
    return name.endswith((".silk", ".slk"))
