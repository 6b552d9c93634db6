"""Accounts pages and actions: who may see and do what (alice admin, bob operator, charlie outsider)."""

import uuid
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.events import logout_was_requested
from accounts.models import LoginSession, WeChatAccount
from chats.models import Conversation
from contacts.models import Friend
from groups.models import Group
from provider.models import OutboxEntry

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture(autouse=True)
def no_broker(monkeypatch):
    """Outbox entries are recorded; nothing is handed to a broker in these tests."""
    from provider import outbox

    monkeypatch.setattr(outbox, "schedule", lambda entry_id, countdown=None: True)


@pytest.fixture
def dropped_account(operator):
    account = WeChatAccount.objects.create(
        account="xiaomai",
        wxid="wxid_xm0002",
        nickname="小麦",
        status=WeChatAccount.Status.OFFLINE,
        offline_unexpectedly=True,
        first_login_at=timezone.now() - timedelta(days=3),
        last_seen_at=timezone.now() - timedelta(hours=2),
    )
    account.operators.add(operator)
    return account


@pytest.fixture
def foreign_account():
    return WeChatAccount.objects.create(account="notmine", wxid="wxid_nm0003", nickname="别人的号")


def login(client, user):
    client.force_login(user)
    return client


# --- Accounts page -----------------------------------------------------------------------------


def test_accounts_page_lists_counts_of_friends_groups_and_unread_chats(client, operator, wechat_account):
    Friend.objects.create(account=wechat_account, username="f1")
    Friend.objects.create(account=wechat_account, username="f2")
    Friend.objects.create(account=wechat_account, username="gone", removed_at=timezone.now())
    Group.objects.create(account=wechat_account, number="1@chatroom")
    Group.objects.create(account=wechat_account, number="2@chatroom", left_at=timezone.now())
    Conversation.objects.create(account=wechat_account, peer="f1", unread_count=3)
    Conversation.objects.create(account=wechat_account, peer="f2", unread_count=4)
    login(client, operator)
    response = client.get("/")
    (account,) = response.context["accounts"]
    assert (account.friend_count, account.group_count, account.unread_count) == (2, 1, 7)
    assert reverse("accounts:detail", args=[wechat_account.pk]) in response.content.decode()


def test_accounts_page_runs_a_fixed_number_of_queries(client, admin_user, django_assert_num_queries):
    for i in range(15):
        account = WeChatAccount.objects.create(account=f"acct{i}", wxid=f"wxid_{i}", nickname=f"账号{i}")
        Friend.objects.create(account=account, username=f"friend{i}")
        Conversation.objects.create(account=account, peer=f"friend{i}", unread_count=i)
    login(client, admin_user)
    # session, user, the accounts with their counts, the dropped ones
    with django_assert_num_queries(4):
        response = client.get("/")
    assert len(response.context["accounts"]) == 15


def test_accounts_page_filters_online_and_offline(client, operator, wechat_account, dropped_account):
    login(client, operator)
    assert list(client.get("/?status=online").context["accounts"]) == [wechat_account]
    assert list(client.get("/?status=offline").context["accounts"]) == [dropped_account]
    assert len(client.get("/?status=all").context["accounts"]) == 2
    assert len(client.get("/?status=nonsense").context["accounts"]) == 2


@pytest.mark.parametrize("query", ["大米", "damib", "WXID_7MX"])
def test_accounts_page_searches_nickname_account_and_wxid(client, operator, wechat_account, dropped_account, query):
    login(client, operator)
    assert list(client.get("/", {"q": query}).context["accounts"]) == [wechat_account]


def test_a_search_without_match_says_so_and_is_not_the_empty_state(client, operator, wechat_account):
    login(client, operator)
    html = client.get("/", {"q": "没有这个"}).content.decode()
    assert "empty-filter" in html and 'class="card empty"' not in html


def test_htmx_polling_gets_only_the_list(client, operator, wechat_account):
    login(client, operator)
    html = client.get("/?status=online", **HTMX).content.decode()
    assert html.lstrip().startswith('<div id="account-list"')
    assert "<html" not in html
    assert 'hx-trigger="every 5s"' in html
    assert "wxid_7mx5bzt1qz12" in html


def test_an_unexpectedly_offline_account_gets_a_banner_with_log_in_again(client, operator, dropped_account):
    login(client, operator)
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    html = client.get("/").content.decode()
    assert "1 account dropped offline without a logout" in html
    assert "Log in again" in html
    assert f'name="account" value="{dropped_account.pk}"' in html


def test_operator_does_not_see_a_foreign_dropped_account(client, outsider, dropped_account):
    login(client, outsider)
    html = client.get("/").content.decode()
    assert "xiaomai" not in html and "dropped offline" not in html


def test_accounts_list_route_is_the_same_page(client, operator, wechat_account):
    login(client, operator)
    assert list(client.get(reverse("accounts:list")).context["accounts"]) == [wechat_account]


# --- Account page ------------------------------------------------------------------------------


def test_account_page_shows_profile_actions_and_events(client, operator, wechat_account):
    wechat_account.events.create(kind="login", detail="task 40001")
    OutboxEntry.objects.create(
        account=wechat_account, method="send_message", status=OutboxEntry.Status.FAILED, last_error="微信不在线"
    )
    login(client, operator)
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    html = client.get(reverse("accounts:detail", args=[wechat_account.pk])).content.decode()
    for text in ("wxid_7mx5bzt1qz12", "Check status", "Refresh profile", "Log out of WeChat", "Logged in"):
        assert text in html
    assert "Provider call failed: send_message" in html and "微信不在线" in html
    assert "Contacts" in html  # the section links, disabled until their route exists


def test_account_page_htmx_gets_only_the_status(client, operator, wechat_account):
    login(client, operator)
    html = client.get(reverse("accounts:detail", args=[wechat_account.pk]), **HTMX).content.decode()
    assert html.lstrip().startswith('<section id="account-status"')
    assert "<html" not in html


@pytest.mark.parametrize("name", ["accounts:detail", "accounts:logout"])
def test_outsider_gets_404_on_the_account_pages(client, outsider, wechat_account, name):
    login(client, outsider)
    assert client.get(reverse(name, args=[wechat_account.pk])).status_code == 404
    assert client.get(reverse(name, args=[wechat_account.pk]), **HTMX).status_code == 404


def test_account_page_refuses_post(client, operator, wechat_account):
    login(client, operator)
    assert client.post(reverse("accounts:detail", args=[wechat_account.pk])).status_code == 405


def test_account_pages_need_login(client, wechat_account):
    response = client.get(reverse("accounts:detail", args=[wechat_account.pk]))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


# --- Actions -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "method"), [("accounts:check_status", "wx_status"), ("accounts:refresh_profile", "wx_info")]
)
def test_check_status_and_refresh_profile_go_through_the_outbox(client, operator, wechat_account, name, method):
    login(client, operator)
    url = reverse(name, args=[wechat_account.pk])
    response = client.post(url)
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:detail", args=[wechat_account.pk])
    entry = OutboxEntry.objects.get()
    assert (entry.method, entry.params, entry.account, entry.operator) == (
        method,
        {"my_account": "damibtc"},
        wechat_account,
        operator,
    )
    assert entry.subject == f"accounts.WeChatAccount:{wechat_account.pk}"
    htmx = client.post(url, **HTMX)
    assert htmx.status_code == 200
    assert htmx.content.decode().lstrip().startswith('<section id="account-status"')
    assert "…" in htmx.content.decode()  # "Checking status…" / "Refreshing profile…"


@pytest.mark.parametrize("name", ["accounts:check_status", "accounts:refresh_profile", "accounts:logout"])
def test_outsider_cannot_act_on_an_account_and_nothing_is_sent(client, outsider, wechat_account, name):
    login(client, outsider)
    url = reverse(name, args=[wechat_account.pk])
    assert client.post(url).status_code == 404
    assert client.post(url, **HTMX).status_code == 404
    assert not OutboxEntry.objects.exists()
    assert not logout_was_requested(wechat_account)


@pytest.mark.parametrize("name", ["accounts:check_status", "accounts:refresh_profile"])
def test_actions_refuse_get(client, operator, wechat_account, name):
    login(client, operator)
    assert client.get(reverse(name, args=[wechat_account.pk])).status_code == 405
    assert not OutboxEntry.objects.exists()


def test_logout_asks_for_confirmation_first(client, operator, wechat_account):
    login(client, operator)
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    page = client.get(reverse("accounts:logout", args=[wechat_account.pk]))
    assert page.status_code == 200
    assert "Log 大米 out of WeChat?" in page.content.decode()
    assert not OutboxEntry.objects.exists()


def test_confirmed_logout_is_sent_through_the_outbox_and_expected(client, operator, wechat_account):
    login(client, operator)
    response = client.post(reverse("accounts:logout", args=[wechat_account.pk]))
    assert response.status_code == 302
    entry = OutboxEntry.objects.get()
    assert (entry.method, entry.params, entry.account) == ("logout", {"my_account": "damibtc"}, wechat_account)
    assert logout_was_requested(wechat_account)


def test_confirmed_logout_over_htmx_redirects_the_page(client, operator, wechat_account):
    login(client, operator)
    response = client.post(reverse("accounts:logout", args=[wechat_account.pk]), **HTMX)
    assert response.headers["HX-Redirect"] == reverse("accounts:detail", args=[wechat_account.pk])


def test_logout_refuses_put(client, operator, wechat_account):
    login(client, operator)
    assert client.put(reverse("accounts:logout", args=[wechat_account.pk])).status_code == 405


def test_action_forms_need_the_csrf_token(operator, wechat_account):
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(operator)
    for name in ("accounts:check_status", "accounts:refresh_profile", "accounts:logout"):
        assert strict.post(reverse(name, args=[wechat_account.pk])).status_code == 403
    assert strict.post(reverse("accounts:login_start")).status_code == 403
    assert not OutboxEntry.objects.exists()


# --- QR login ----------------------------------------------------------------------------------


def test_add_account_asks_for_a_qr_code_without_an_account(client, operator, settings):
    settings.PUBLIC_BASE_URL = "https://console.example"
    login(client, operator)
    response = client.post(reverse("accounts:login_start"))
    session = LoginSession.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:login", args=[session.token])
    assert (session.operator, session.account, session.status) == (operator, None, LoginSession.Status.REQUESTED)
    entry = OutboxEntry.objects.get()
    assert entry.method == "scan_new" and entry.account is None
    assert "account" not in entry.params
    assert entry.params["callback_url"].startswith("https://console.example/callbacks/")
    assert entry.params["callback_url"].endswith(f"/scan/?req={session.token}")
    assert entry.params["extend"] == str(session.token)
    assert entry.subject == f"accounts.LoginSession:{session.pk}"


def test_logging_a_known_account_in_again_always_names_it(client, operator, wechat_account):
    """E-26: leaving `account` out for an account that logged in before risks a ban."""
    wechat_account.first_login_at = timezone.now()
    wechat_account.save()
    login(client, operator)
    client.post(reverse("accounts:login_start"), {"account": wechat_account.pk})
    session = LoginSession.objects.get()
    assert session.account == wechat_account
    assert OutboxEntry.objects.get().params["account"] == "damibtc"


def test_add_account_over_htmx_redirects_the_page(client, operator):
    login(client, operator)
    response = client.post(reverse("accounts:login_start"), **HTMX)
    assert response.headers["HX-Redirect"] == reverse("accounts:login", args=[LoginSession.objects.get().token])


def test_outsider_cannot_log_in_someone_elses_account(client, outsider, wechat_account):
    login(client, outsider)
    assert client.post(reverse("accounts:login_start"), {"account": wechat_account.pk}).status_code == 404
    assert client.post(reverse("accounts:login_start"), {"account": "x"}).status_code == 404
    assert not LoginSession.objects.exists() and not OutboxEntry.objects.exists()


def test_login_start_refuses_get(client, operator):
    login(client, operator)
    assert client.get(reverse("accounts:login_start")).status_code == 405


def make_session(operator, **fields):
    return LoginSession.objects.create(token=uuid.uuid4(), operator=operator, **fields)


def test_login_page_shows_the_qr_and_polls_every_second(client, operator):
    session = make_session(operator, status=LoginSession.Status.QR_READY, qr_url="http://127.0.0.1:1/qr.png?a=1&b=2")
    login(client, operator)
    html = client.get(reverse("accounts:login", args=[session.token])).content.decode()
    assert 'src="http://127.0.0.1:1/qr.png?a=1&amp;b=2"' in html
    assert 'hx-trigger="every 1s"' in html


def test_login_panel_answers_204_while_nothing_changed(client, operator):
    session = make_session(operator, status=LoginSession.Status.QR_READY, qr_url="http://x/qr.png")
    login(client, operator)
    url = reverse("accounts:login", args=[session.token])
    assert client.get(url, {"seen": "qr_ready"}, **HTMX).status_code == 204
    session.status = LoginSession.Status.SCANNED
    session.save()
    html = client.get(url, {"seen": "qr_ready"}, **HTMX).content.decode()
    assert html.lstrip().startswith('<section id="login-panel"')
    assert 'data-status="scanned"' in html


def test_login_panel_stops_polling_once_online(client, operator, wechat_account):
    session = make_session(operator, status=LoginSession.Status.ONLINE, account=wechat_account)
    login(client, operator)
    html = client.get(reverse("accounts:login", args=[session.token]), **HTMX).content.decode()
    assert "hx-trigger" not in html
    assert reverse("accounts:detail", args=[wechat_account.pk]) in html


def test_an_unscanned_qr_expires_with_a_new_qr_button(client, operator, settings):
    settings.LOGIN_QR_TTL = 60
    session = make_session(
        operator,
        status=LoginSession.Status.QR_READY,
        qr_url="http://x/qr.png",
        created_at=timezone.now() - timedelta(seconds=61),
    )
    login(client, operator)
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    html = client.get(reverse("accounts:login", args=[session.token]), {"seen": "qr_ready"}, **HTMX).content.decode()
    session.refresh_from_db()
    assert session.status == LoginSession.Status.EXPIRED
    assert "This QR code expired" in html and "New QR code" in html
    assert "hx-trigger" not in html and "qr.png" not in html


def test_a_failed_login_shows_the_reason(client, operator):
    session = make_session(operator, status=LoginSession.Status.FAILED, error="The provider refused: 账号被封")
    login(client, operator)
    html = client.get(reverse("accounts:login", args=[session.token])).content.decode()
    assert "The provider refused: 账号被封" in html
    assert 'id="new-qr"' in html


def test_another_operators_login_session_is_404(client, operator, outsider, admin_user):
    session = make_session(operator, status=LoginSession.Status.QR_READY)
    url = reverse("accounts:login", args=[session.token])
    login(client, outsider)
    assert client.get(url).status_code == 404
    assert client.get(url, **HTMX).status_code == 404
    login(client, admin_user)
    assert client.get(url).status_code == 200


def test_a_login_session_of_an_assigned_account_is_visible_to_its_operator(client, operator, wechat_account):
    session = make_session(None, account=wechat_account)
    login(client, operator)
    assert client.get(reverse("accounts:login", args=[session.token])).status_code == 200


# --- Operators ---------------------------------------------------------------------------------


def test_operators_page_is_for_admins_only(client, operator, wechat_account):
    login(client, operator)
    assert client.get(reverse("accounts:operators")).status_code == 404
    assert client.post(reverse("accounts:operator_assign", args=[operator.pk]), {"accounts": []}).status_code == 404
    assert list(wechat_account.operators.all()) == [operator]


def test_admin_assigns_and_unassigns_accounts(client, admin_user, operator, outsider, wechat_account):
    login(client, admin_user)
    page = client.get(reverse("accounts:operators")).content.decode()
    assert "charlie" in page and "bob" in page
    response = client.post(reverse("accounts:operator_assign", args=[outsider.pk]), {"accounts": [wechat_account.pk]})
    assert response.status_code == 302
    assert set(wechat_account.operators.all()) == {operator, outsider}
    client.post(reverse("accounts:operator_assign", args=[operator.pk]), {})
    assert set(wechat_account.operators.all()) == {outsider}


def test_assignment_refuses_get(client, admin_user, operator):
    login(client, admin_user)
    assert client.get(reverse("accounts:operator_assign", args=[operator.pk])).status_code == 405


def test_assigned_operator_can_then_open_the_account(client, admin_user, outsider, wechat_account):
    url = reverse("accounts:detail", args=[wechat_account.pk])
    login(client, outsider)
    assert client.get(url).status_code == 404
    wechat_account.operators.add(outsider)
    assert client.get(url).status_code == 200
