"""The whole QR login in Chromium: Add account, QR, scan and confirm on the simulator, online
without a reload, then log out with confirmation. A real Celery worker sends the provider calls."""

import pytest

from accounts.models import LoginSession, WeChatAccount

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.worker]


def log_in(page, base_url, username, password):
    page.goto(f"{base_url}/auth/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(f"{base_url}/")
    # English from here on, so the assertions do not depend on translations still to come.
    page.get_by_role("button", name="English").click()
    page.wait_for_load_state()


def test_operator_logs_a_new_account_in_with_a_qr_code_and_logs_it_out(
    page, browser, console, sim, workers, operator, artifacts
):
    workers()
    base = console.url
    log_in(page, base, "bob", "pw-bob-123")

    page.get_by_role("button", name="Add account").click()
    page.wait_for_url(f"{base}/accounts/login/*/")
    # Set after the last navigation: it survives only if nothing reloads the page.
    page.evaluate("window.__noReload = 'still here'")

    qr = page.locator("#login-qr")
    qr.wait_for(state="visible")
    page.wait_for_function("document.getElementById('login-qr').complete")
    assert qr.evaluate("img => img.naturalWidth") > 0
    assert page.get_by_text("Waiting for scan").is_visible()
    page.screenshot(path=str(artifacts / "login-1-qr.png"), full_page=True)

    session = LoginSession.objects.get()
    assert session.task_id

    # The "phone": the simulator's own QR page, in a second tab.
    phone = page.context.new_page()
    phone.goto(f"{sim.base_url}/_sim/qr/{session.task_id}")
    phone.get_by_role("button", name="Scan").click()
    phone.get_by_role("button", name="Confirm").click()
    phone.screenshot(path=str(artifacts / "login-2-phone.png"), full_page=True)
    phone.close()

    page.locator('#login-panel[data-status="online"]').wait_for(timeout=5_000)
    assert page.evaluate("window.__noReload") == "still here"
    assert page.locator("#login-panel .badge-online").is_visible()
    page.screenshot(path=str(artifacts / "login-3-online.png"), full_page=True)

    account = WeChatAccount.objects.get()
    assert account.status == WeChatAccount.Status.ONLINE and account.wxid
    assert list(account.operators.all()) == [operator]

    page.get_by_role("link", name="Open the account").click()
    page.wait_for_url(f"{base}/accounts/{account.pk}/")
    page.get_by_role("link", name="Log out of WeChat").click()
    page.wait_for_url(f"{base}/accounts/{account.pk}/logout/")
    page.screenshot(path=str(artifacts / "login-4-confirm-logout.png"), full_page=True)
    page.get_by_role("button", name="Log out of WeChat").click()
    page.wait_for_url(f"{base}/accounts/{account.pk}/")
    page.locator('#account-status [data-status="offline"]').wait_for(timeout=8_000)
    page.screenshot(path=str(artifacts / "login-5-offline.png"), full_page=True)
    account.refresh_from_db()
    assert account.status == WeChatAccount.Status.OFFLINE and not account.offline_unexpectedly

    page.goto(f"{base}/")
    assert page.locator(".account-list .badge-offline").is_visible()
    assert page.locator(".alert-banner").count() == 0
    page.screenshot(path=str(artifacts / "login-6-accounts.png"), full_page=True)


def test_an_unexpected_disconnect_shows_up_live_on_the_accounts_page(page, console, sim, admin_user, artifacts):
    account = WeChatAccount.objects.create(
        account="drop01", wxid="wxid_drop01", nickname="掉线号", status=WeChatAccount.Status.ONLINE
    )
    sim.control("accounts", {"account": "drop01", "wxid": "wxid_drop01", "name": "掉线号", "online": True})
    log_in(page, console.url, "alice", "pw-alice-123")
    page.evaluate("window.__noReload = 'still here'")
    sim.control("disconnect", {"my_account": "drop01"})
    page.locator(".alert-banner").wait_for(timeout=8_000)  # the list polls every 5 s
    assert page.evaluate("window.__noReload") == "still here"
    assert page.locator(".badge-alert").is_visible()
    page.screenshot(path=str(artifacts / "accounts-dropped.png"), full_page=True)
    account.refresh_from_db()
    assert account.offline_unexpectedly
