"""Pages of the accounts app. Every account is fetched through accounts.access (404 for others)."""

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch, Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRedirect

from . import actions, selectors
from .access import HtmxHttpRequest, accounts_for, get_account_for
from .forms import AccountFilterForm, AssignmentForm, StartLoginForm, operator_queryset
from .models import LoginSession, WeChatAccount

# Pages of the other apps for one account, linked from the account page once their route exists.
ACCOUNT_SECTIONS = (
    ("contacts:friends", gettext_lazy("Contacts")),
    ("chats:conversations", gettext_lazy("Chats")),
    ("groups:groups", gettext_lazy("Groups")),
    ("moments:moments", gettext_lazy("Moments")),
)


def _section_links(account):
    links = []
    for name, label in ACCOUNT_SECTIONS:
        try:
            url = reverse(name, args=[account.pk])
        except NoReverseMatch:
            url = None
        links.append({"label": label, "url": url})
    return links


def _require_admin(request):
    if not request.user.is_staff:
        raise Http404


# --- Accounts page -----------------------------------------------------------------------------


@require_GET
@login_required
def home(request: HtmxHttpRequest):
    """Every account the user may see, with status, counts, filters and search; polled for live status."""
    filters = AccountFilterForm(request.GET or None)
    status, query = filters.cleaned() if request.GET else ("all", "")
    context = {
        "accounts": selectors.account_list(request.user, status=status, query=query),
        "dropped": list(selectors.dropped_accounts(request.user)),
        "filters": filters,
        "status_filter": status,
        "query": query,
    }
    template = "accounts/home.html#account-list" if request.htmx else "accounts/home.html"
    return render(request, template, context)


# --- One account -------------------------------------------------------------------------------


def _status_context(request, account):
    return {
        "account": account,
        "pending": selectors.pending_calls(account),
    }


@require_GET
@login_required
def account_detail(request: HtmxHttpRequest, pk):
    account = get_account_for(request, pk)
    context = _status_context(request, account)
    if request.htmx:
        return render(request, "accounts/detail.html#account-status", context)
    context.update(
        {
            "events": selectors.recent_events(account),
            "sections": _section_links(account),
        }
    )
    return render(request, "accounts/detail.html", context)


@require_POST
@login_required
def account_check_status(request: HtmxHttpRequest, pk):
    account = get_account_for(request, pk)
    actions.check_status(account=account, operator=request.user)
    return _after_action(request, account, _("Checking the status with the provider…"))


@require_POST
@login_required
def account_refresh_profile(request: HtmxHttpRequest, pk):
    account = get_account_for(request, pk)
    actions.refresh_profile(account=account, operator=request.user)
    return _after_action(request, account, _("Asking the provider for the profile…"))


def _after_action(request, account, note):
    if request.htmx:
        return render(request, "accounts/detail.html#account-status", _status_context(request, account))
    messages.info(request, note)
    return redirect("accounts:detail", pk=account.pk)


@require_http_methods(["GET", "POST"])
@login_required
def account_logout(request: HtmxHttpRequest, pk):
    """GET: ask for confirmation. POST: log the WeChat account out (wacat/out)."""
    account = get_account_for(request, pk)
    if request.method == "POST":
        actions.request_logout(account=account, operator=request.user)
        messages.info(request, _("Logging %(account)s out…") % {"account": account})
        if request.htmx:
            return HttpResponseClientRedirect(reverse("accounts:detail", args=[account.pk]))
        return redirect("accounts:detail", pk=account.pk)
    return render(request, "accounts/logout_confirm.html", {"account": account})


# --- QR login ----------------------------------------------------------------------------------


@require_POST
@login_required
def login_start(request: HtmxHttpRequest):
    """A new QR login: "Add account" (no account) or "Log in again" (an account the user may act on)."""
    form = StartLoginForm(request.POST)
    if not form.is_valid():
        raise Http404
    account = None
    if form.cleaned_data["account"]:
        account = get_account_for(request, form.cleaned_data["account"])
    session = actions.start_login(operator=request.user, account=account)
    url = reverse("accounts:login", args=[session.token])
    if request.htmx:
        return HttpResponseClientRedirect(url)
    return redirect(url)


def _sessions_for(user):
    sessions = LoginSession.objects.select_related("account")
    if user.is_staff:
        return sessions
    return sessions.filter(Q(operator=user) | Q(account__in=accounts_for(user)))


@require_GET
@login_required
def login_session(request: HtmxHttpRequest, token):
    """The login as it happens: QR, scanned, online (polled every second while it is going on)."""
    session = get_object_or_404(_sessions_for(request.user), token=token)
    session.expire_if_stale()
    if request.htmx and session.is_waiting and request.GET.get("seen") == session.status:
        return HttpResponse(status=204)  # nothing new: htmx keeps the panel (no flicker of the QR)
    context = {"session": session, "account": session.account}
    template = "accounts/login.html#login-panel" if request.htmx else "accounts/login.html"
    return render(request, template, context)


# --- Operators (admins only) -------------------------------------------------------------------


@require_GET
@login_required
def operators(request: HtmxHttpRequest):
    _require_admin(request)
    users = operator_queryset().prefetch_related(
        Prefetch("wechat_accounts", queryset=WeChatAccount.objects.order_by("nickname", "account"))
    )
    all_accounts = list(WeChatAccount.objects.order_by("nickname", "account"))
    rows = [
        {
            "user": user,
            "assigned": {account.pk for account in user.wechat_accounts.all()},
        }
        for user in users
    ]
    return render(request, "accounts/operators.html", {"rows": rows, "all_accounts": all_accounts})


@require_POST
@login_required
def operator_assign(request: HtmxHttpRequest, user_pk):
    _require_admin(request)
    user = get_object_or_404(get_user_model(), pk=user_pk, is_active=True)
    form = AssignmentForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose accounts from the list."))
        return redirect("accounts:operators")
    actions.set_assignments(user=user, accounts=form.cleaned_data["accounts"])
    messages.success(request, _("Accounts of %(user)s saved.") % {"user": user.get_username()})
    return redirect("accounts:operators")
