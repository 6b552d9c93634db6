"""Contacts in Chromium: sync with visible progress, search by a Chinese nickname, label the
friend, accept a friend request. The whole path is real: browser -> console -> outbox ->
Celery worker -> simulator -> callbacks -> console -> the page's HTMX polls."""

import re

import pytest
from django.db import transaction
from playwright.sync_api import expect

from contacts.models import Friend, FriendRequest, FriendSync
from tests.contacts.conftest import wait_until

pytestmark = pytest.mark.worker


@pytest.fixture
def browser_locale():
    return "en-US"  # the assertions read the English source strings


@pytest.fixture
def live_account(console, workers, sim, wechat_account):
    sim.control(
        "accounts",
        {"account": wechat_account.account, "wxid": wechat_account.wxid, "name": "大米", "friends": 0, "online": True},
    )
    sim.control("friends", {"my_account": wechat_account.account, "count": 1500})
    sim.control("friend_added", {"my_account": wechat_account.account, "account": "chen_xc", "name": "陈小春"})
    workers()
    return wechat_account


def login(page, base_url, username="bob", password="pw-bob-123"):
    page.goto(f"{base_url}/auth/login/")
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(password)
    page.locator("button[type=submit].btn-primary").click()
    page.wait_for_url(f"{base_url}/")


def test_sync_search_label_and_accept(page, console, live_account, sim, artifacts):
    account = live_account
    base = console.url
    # Avatars point at wx.qlogo.cn, which does not resolve here: fail them at once (they show
    # initials) rather than let pending DNS lookups hold up Chromium's requests to the console.
    page.route(re.compile(r"^https?://(?!localhost[:/]|127\.0\.0\.1[:/])"), lambda route: route.abort())
    login(page, base)
    page.goto(f"{base}/accounts/{account.pk}/friends/")
    # the C3 of the setup already put 陈小春 in the list
    expect(page.locator("#friend-rows")).to_contain_text("陈小春")

    page.locator("#contacts-status button[type=submit]").click()
    # Hold the sync row once the first page is in: the next page waits on its lock (as behind a
    # slow database), so the page shows the sync mid-way whatever the machine's speed.
    sync = wait_until(
        lambda: FriendSync.objects.filter(account=account, received__gte=100).first(), interval=0.005, timeout=20
    )
    with transaction.atomic():
        held = FriendSync.objects.select_for_update().get(pk=sync.pk)
        assert held.status == "running", "the sync finished before it could be held"
        count = page.locator("#contacts-status .sync-count")
        expect(count).to_contain_text(f"{held.received:,} of 1,501")
        expect(page.locator("#contacts-status progress")).to_be_visible()
        page.screenshot(path=str(artifacts / "contacts-sync-progress.png"), full_page=False)

    expect(page.locator("#contacts-status progress")).to_have_count(0, timeout=30_000)
    expect(page.locator("#contacts-status")).to_contain_text("1,501 friends")
    assert FriendSync.objects.get(account=account).status == "done"
    expect(page.locator("#friend-rows .result-count")).to_contain_text("1501", timeout=10_000)
    page.screenshot(path=str(artifacts / "contacts-synced.png"), full_page=False)

    # search by a Chinese nickname (HTMX, as one types)
    page.locator("#id_q").fill("陈小春")
    rows = page.locator("#friend-rows tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("chen_xc")
    assert "q=" in page.url  # the search is in the address bar (hx-push-url)

    # label them: select the row, choose a label, apply; the chip appears when C17 is in
    rows.first.locator("input[type=checkbox]").check()
    page.locator("#bulk-action").select_option("add_label")
    label_name = page.locator("#bulk-label option").nth(1).inner_text().strip()
    page.locator("#bulk-label").select_option(label=label_name)
    page.locator("#bulk-form button[type=submit]").click()
    expect(page.locator("#friend-rows tbody tr").first.locator(".chip")).to_contain_text(label_name, timeout=15_000)
    assert list(Friend.objects.get(account=account, username="chen_xc").labels.values_list("name", flat=True)) == [
        label_name
    ]
    page.screenshot(path=str(artifacts / "contacts-search-labelled.png"), full_page=False)

    # a friend request arrives: the badge counts it; accept it from the inbox
    sim.control(
        "friend_request",
        {
            "my_account": account.account,
            "account": "mao_mao",
            "nickname": "一只猫",
            "check_msg": "我是一只猫，通过群聊认识",
            "source": "通过群聊添加",
        },
    )
    expect(page.locator("#requests-badge")).to_have_attribute("data-count", "1", timeout=15_000)
    page.locator(".subnav a").nth(1).click()
    request_row = page.locator(".request[data-username=mao_mao]")
    expect(request_row).to_contain_text("我是一只猫，通过群聊认识")
    expect(request_row).to_contain_text("通过群聊添加")
    page.screenshot(path=str(artifacts / "contacts-request-inbox.png"), full_page=False)
    request_row.locator("form button[type=submit]").click()
    expect(page.locator(".request[data-username=mao_mao]")).to_have_count(0, timeout=15_000)
    expect(page.locator("#requests-badge")).to_have_attribute("data-count", "0", timeout=15_000)
    assert FriendRequest.objects.get(username="mao_mao").status == FriendRequest.Status.ACCEPTED
    assert Friend.objects.filter(account=account, username="mao_mao", removed_at=None).exists()
    page.screenshot(path=str(artifacts / "contacts-request-accepted.png"), full_page=False)
