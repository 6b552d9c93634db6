"""Who may act on which WeChat account: every view goes through these (404 for anything else)."""

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django_htmx.middleware import HtmxDetails

from .models import WeChatAccount


class HtmxHttpRequest(HttpRequest):
    """The request type of our views: django-htmx's middleware adds `htmx`."""

    htmx: HtmxDetails


def accounts_for(user):
    """The accounts this user may see and act on: all for admins, the assigned ones otherwise."""
    return WeChatAccount.objects.visible_to(user)


def get_account_for(request, pk, *, queryset=None):
    """The account `pk` if the requesting operator may act on it; Http404 otherwise (never 403,
    so an outsider cannot even learn that the account exists)."""
    queryset = accounts_for(request.user) if queryset is None else queryset & accounts_for(request.user)
    return get_object_or_404(queryset, pk=pk)
