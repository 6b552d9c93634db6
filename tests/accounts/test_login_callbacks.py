"""QR login, logout and status against the simulator over real HTTP.

The outbox is drained in this process (no worker: `drain_outbox`); the callbacks reach the
console (live_server) and are processed in the request. tests/accounts/test_workers.py does
the same through a real Celery worker.
"""

import pytest
from django.urls import reverse

from accounts.models import AccountEvent, LoginSession, WeChatAccount
from accounts.tasks import check_account_statuses
from provider import outbox
from provider.models import OutboxEntry

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture(autouse=True)
def local_schedule(monkeypatch):
    """Record what would go to the broker; the test drains the outbox itself."""
    scheduled = []
    monkeypatch.setattr(outbox, "schedule", lambda entry_id, countdown=None: scheduled.append(entry_id))
    return scheduled


def drain_outbox():
    for entry_id in OutboxEntry.objects.filter(status=OutboxEntry.Status.QUEUED).values_list("pk", flat=True):
        outbox.drain(entry_id)


def wait_for_session(sim, session, *statuses):
    def reached():
        session.refresh_from_db()
        return session.status in statuses

    sim.wait_for(reached)
    return session


def start_login(client, sim, relogin=None):
    """Press "Add account" (or "Log in again"), send scanNew, wait for the QR code."""
    data = {"account": relogin.pk} if relogin else {}
    client.post(reverse("accounts:login_start"), data)
    session = LoginSession.objects.latest("created_at")
    drain_outbox()
    session.refresh_from_db()
    assert session.task_id, OutboxEntry.objects.get(subject=outbox.subject_for(session)).last_error
    return wait_for_session(sim, session, LoginSession.Status.QR_READY)


def full_login(client, sim, relogin=None, **confirm):
    session = start_login(client, sim, relogin)
    sim.control("scan", {"task_id": session.task_id})
    sim.control("confirm", {"task_id": session.task_id, **confirm})
    return wait_for_session(sim, session, LoginSession.Status.ONLINE)


@pytest.mark.django_db(transaction=True)
def test_qr_login_follows_the_callbacks_from_qr_to_online(client, console, sim, operator):
    client.force_login(operator)
    session = start_login(client, sim)
    assert session.qr_url.endswith(f"/_sim/qr/{session.task_id}.png")
    panel = client.get(reverse("accounts:login", args=[session.token]), **HTMX).content.decode()
    assert f'src="{session.qr_url}"' in panel and 'hx-trigger="every 1s"' in panel

    sim.control("scan", {"task_id": session.task_id})
    sim.control("confirm", {"task_id": session.task_id, "account": "newacct", "wxid": "wxid_new0001", "name": "新号"})
    wait_for_session(sim, session, LoginSession.Status.ONLINE)

    account = session.account
    assert (account.account, account.wxid, account.nickname) == ("newacct", "wxid_new0001", "新号")
    assert account.status == WeChatAccount.Status.ONLINE
    assert account.first_login_at and account.last_login_at and account.last_seen_at
    assert list(account.operators.all()) == [operator]  # whoever brought it in may use it
    assert AccountEvent.objects.filter(account=account, kind=AccountEvent.Kind.LOGIN).count() == 1
    panel = client.get(reverse("accounts:login", args=[session.token]), **HTMX).content.decode()
    assert "hx-trigger" not in panel and 'data-status="online"' in panel

    # The login asks for the profile (account_logged_in -> wxInfo through the outbox).
    entry = OutboxEntry.objects.get(method="wx_info")
    assert entry.account == account and entry.params == {"my_account": "newacct"}
    drain_outbox()
    account.refresh_from_db()
    assert account.nickname == "新号" and account.status == WeChatAccount.Status.ONLINE


@pytest.mark.django_db(transaction=True)
def test_logging_in_again_updates_the_same_account_and_names_it_to_the_provider(client, console, sim, admin_user):
    client.force_login(admin_user)
    first = full_login(client, sim, account="again01", wxid="wxid_again01", name="老号")
    second = full_login(client, sim, relogin=first.account)
    assert WeChatAccount.objects.count() == 1
    assert second.account == first.account
    scans = sim.calls("/foreign/message/scanNew")
    assert "account" not in scans[0]["form"] and scans[1]["form"]["account"] == "again01"
    assert sim.control("state")["counters"]["scan_without_account_warnings"] == 0
    assert AccountEvent.objects.filter(kind=AccountEvent.Kind.LOGIN).count() == 2


@pytest.mark.django_db(transaction=True)
def test_a_refused_scannew_shows_the_providers_reason_in_plain_words(client, console, sim, operator):
    # (A msg with 登录 in it would read as a token problem to the client and be retried once.)
    sim.fault("/foreign/message/scanNew", "code0", msg="设备已满，请稍后再试")
    client.force_login(operator)
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    client.post(reverse("accounts:login_start"))
    session = LoginSession.objects.get()
    drain_outbox()
    session.refresh_from_db()
    entry = OutboxEntry.objects.get()
    assert session.status == LoginSession.Status.FAILED, (entry.status, entry.response, entry.last_error)
    html = client.get(reverse("accounts:login", args=[session.token])).content.decode()
    assert "The provider refused: 设备已满，请稍后再试" in html
    assert "New QR code" in html


@pytest.mark.django_db(transaction=True)
def test_logout_from_the_console_is_expected_and_marks_the_account_offline(client, console, sim, operator):
    client.force_login(operator)
    account = full_login(client, sim, account="bye01", name="再见").account
    drain_outbox()  # the profile
    client.post(reverse("accounts:logout", args=[account.pk]))
    drain_outbox()
    account.refresh_from_db()
    assert account.status == WeChatAccount.Status.OFFLINE  # E-57: the sync answer is enough
    assert not account.offline_unexpectedly
    # The simulator's C4 "2" follows; it changes nothing more.
    sim.wait_for(lambda: [d for d in sim.deliveries() if d["kind"] == "C4" and "'type': '2'" in str(d["payload"])])
    assert AccountEvent.objects.filter(account=account, kind=AccountEvent.Kind.LOGOUT).count() == 1
    assert not AccountEvent.objects.filter(kind=AccountEvent.Kind.OFFLINE).exists()


@pytest.mark.django_db(transaction=True)
def test_an_unexpected_disconnect_is_flagged_on_the_accounts_page(client, console, sim, operator):
    client.force_login(operator)
    account = full_login(client, sim, account="drop01", name="掉线号").account
    sim.control("disconnect", {"my_account": "drop01"})

    def flagged():
        account.refresh_from_db()
        return account.offline_unexpectedly

    sim.wait_for(flagged)
    assert account.status == WeChatAccount.Status.OFFLINE
    assert AccountEvent.objects.filter(account=account, kind=AccountEvent.Kind.OFFLINE).exists()
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    html = client.get("/").content.decode()
    assert "1 account dropped offline without a logout" in html and "Went offline unexpectedly" in html
    # Log in again from the banner: a scanNew naming the account.
    session = start_login(client, sim, account)
    assert sim.calls("/foreign/message/scanNew")[-1]["form"]["account"] == "drop01"
    assert session.account == account


# --- Status checks without callbacks -----------------------------------------------------------


@pytest.fixture
def sim_account(sim, wechat_account):
    sim.control("accounts", {"account": "damibtc", "wxid": "wxid_7mx5bzt1qz12", "name": "大米", "online": True})
    return wechat_account


@pytest.mark.django_db
def test_periodic_check_flags_an_account_that_dropped_silently(sim, sim_account, wechat_account):
    quiet = WeChatAccount.objects.create(account="quiet01", status=WeChatAccount.Status.ONLINE)
    sim.control("accounts", {"account": "quiet01", "online": False})
    assert check_account_statuses() == 2
    quiet.refresh_from_db()
    wechat_account.refresh_from_db()
    assert quiet.status == WeChatAccount.Status.OFFLINE and quiet.offline_unexpectedly
    assert AccountEvent.objects.filter(account=quiet, kind=AccountEvent.Kind.OFFLINE).count() == 1
    assert wechat_account.status == WeChatAccount.Status.ONLINE and wechat_account.last_seen_at
    # wxStatus is a read by the worker, not an operator action: no outbox rows.
    assert not OutboxEntry.objects.exists()
    # A second run does not flag it twice.
    check_account_statuses()
    assert AccountEvent.objects.filter(account=quiet, kind=AccountEvent.Kind.OFFLINE).count() == 1


@pytest.mark.django_db
def test_periodic_check_skips_accounts_never_logged_in_and_survives_provider_errors(sim, sim_account):
    WeChatAccount.objects.create(account="brandnew")  # status NEW
    sim.fault("/foreign/message/wxStatus", "http500", count=10)
    assert check_account_statuses() == 0
    sim_account.refresh_from_db()
    assert sim_account.status == WeChatAccount.Status.ONLINE


@pytest.mark.django_db
def test_check_status_on_demand_shows_an_offline_account(client, sim, sim_account, operator):
    sim.control("accounts", {"account": "damibtc", "online": False})
    client.force_login(operator)
    client.post(reverse("accounts:check_status", args=[sim_account.pk]), **HTMX)
    drain_outbox()
    sim_account.refresh_from_db()
    assert sim_account.status == WeChatAccount.Status.OFFLINE and sim_account.offline_unexpectedly
    html = client.get(reverse("accounts:detail", args=[sim_account.pk]), **HTMX).content.decode()
    assert 'data-status="offline"' in html


@pytest.mark.django_db
def test_refresh_profile_stores_what_wxinfo_says(client, sim, sim_account, operator):
    sim.control("accounts", {"account": "damibtc", "name": "新名字"})
    client.force_login(operator)
    client.post(reverse("accounts:refresh_profile", args=[sim_account.pk]))
    drain_outbox()
    sim_account.refresh_from_db()
    assert sim_account.nickname == "新名字"
    assert OutboxEntry.objects.get().status == OutboxEntry.Status.SENT


@pytest.mark.django_db
def test_a_failed_logout_is_not_expected_any_more(client, sim, sim_account, operator):
    from accounts.events import logout_was_requested

    sim.fault("/foreign/wacat/out", "code0", msg="操作失败")
    client.force_login(operator)
    client.post(reverse("accounts:logout", args=[sim_account.pk]))
    drain_outbox()
    sim_account.refresh_from_db()
    assert sim_account.status == WeChatAccount.Status.ONLINE
    assert not logout_was_requested(sim_account)
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    html = client.get(reverse("accounts:detail", args=[sim_account.pk])).content.decode()
    assert "Provider call failed: logout" in html and "操作失败" in html
