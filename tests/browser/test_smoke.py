"""The console in a real browser: log in, see the accounts, switch language."""

import pytest

from accounts.models import WeChatAccount

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def accounts(operator):
    mine = WeChatAccount.objects.create(
        account="damibtc",
        wxid="wxid_7mx5bzt1qz12",
        nickname="大米",
        status=WeChatAccount.Status.ONLINE,
    )
    mine.operators.add(operator)
    dropped = WeChatAccount.objects.create(
        account="xiaomai",
        wxid="wxid_xm0002",
        nickname="小麦 <b>不是粗体</b>",
        status=WeChatAccount.Status.OFFLINE,
        offline_unexpectedly=True,
    )
    dropped.operators.add(operator)
    WeChatAccount.objects.create(account="notmine", wxid="wxid_nm0003", nickname="别人的号")
    return mine, dropped


def log_in(page, live_server, username, password):
    page.goto(f"{live_server.url}/")
    assert "/auth/login/" in page.url
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(f"{live_server.url}/")


def test_operator_logs_in_sees_accounts_and_switches_to_english(page, live_server, accounts, artifacts):
    page.goto(f"{live_server.url}/auth/login/")
    page.screenshot(path=str(artifacts / "login-zh.png"), full_page=True)

    log_in(page, live_server, "bob", "pw-bob-123")

    assert page.locator("h1").inner_text() == "微信账号"
    cards = page.locator(".account-list > li")
    assert cards.count() == 2
    assert page.get_by_text("wxid_7mx5bzt1qz12").is_visible()
    assert page.get_by_text("别人的号").count() == 0
    # Untrusted nicknames are text, not markup.
    assert page.get_by_text("小麦 <b>不是粗体</b>").is_visible()
    assert page.locator(".account-list b").count() == 0
    assert page.locator(".badge-alert").count() == 1
    page.screenshot(path=str(artifacts / "home-zh.png"), full_page=True)

    page.get_by_role("button", name="English").click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "WeChat accounts"
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.get_by_text("Went offline unexpectedly").is_visible()
    page.screenshot(path=str(artifacts / "home-en.png"), full_page=True)

    page.set_viewport_size({"width": 390, "height": 844})
    page.screenshot(path=str(artifacts / "home-en-mobile.png"), full_page=True)


def test_keyboard_user_logs_in_and_skips_to_content(page, live_server, operator, artifacts):
    page.goto(f"{live_server.url}/auth/login/")
    # The username field has autofocus: type, Tab to the password, Enter submits.
    page.keyboard.type("bob")
    page.keyboard.press("Tab")
    page.keyboard.type("pw-bob-123")
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live_server.url}/")
    assert page.locator(".empty").is_visible()

    page.keyboard.press("Tab")
    skip = page.locator(".skip-link")
    assert skip.evaluate("el => el === document.activeElement")
    assert skip.bounding_box()["y"] >= 0  # revealed when focused
    page.screenshot(path=str(artifacts / "skip-link-focused.png"))
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
    page.screenshot(path=str(artifacts / "home-empty-zh.png"), full_page=True)


def test_admin_sees_every_account_and_the_register_button(page, live_server, admin_user, accounts, artifacts):
    log_in(page, live_server, "alice", "pw-alice-123")
    assert page.locator(".account-list > li").count() == 3
    assert page.get_by_role("button", name="向服务商注册回调地址").is_visible()
    page.screenshot(path=str(artifacts / "home-admin-zh.png"), full_page=True)
