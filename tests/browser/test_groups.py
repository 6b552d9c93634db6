"""Groups in Chromium: create a group from two friends, rename it, @-mention a member in its chat,
and see a member join live. A real Celery worker sends the provider calls to the simulator."""

import pytest

from contacts.models import Friend
from groups.models import Group, GroupCreation
from tests.helpers import log_in, wait_until

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.worker]


def test_create_rename_mention_and_a_member_joins_live(
    page, console, sim, workers, operator, wechat_account, artifacts, settings
):
    sim.control(
        "accounts",
        {"account": wechat_account.account, "wxid": wechat_account.wxid, "name": "大米", "friends": 6, "groups": 1},
    )
    workers(PUBLIC_BASE_URL=console.url, CALLBACK_SECRET=settings.CALLBACK_SECRET)
    people = sim.control(f"accounts/{wechat_account.account}")["account"]["friends"][:3]
    friends = [
        Friend.objects.create(
            account=wechat_account, username=f["account"], wxid=f["account_alias"], nickname=f["name"]
        )
        for f in people
    ]
    base = console.url
    log_in(page, base, "bob", "pw-bob-123")

    # Create a group from two friends.
    page.goto(f"{base}/accounts/{wechat_account.pk}/groups/")
    page.locator("#create-group").click()
    page.locator("#group-name").fill("周末爬山群")
    page.locator("#friend-q").fill(friends[1].nickname)
    page.get_by_label(friends[1].nickname).wait_for()
    page.get_by_label(friends[1].nickname).check()
    page.locator("#friend-q").fill(friends[0].nickname)
    page.get_by_label(friends[0].nickname).check()
    assert page.locator("#friend-options input:checked").count() == 2  # the first pick survived the search
    page.screenshot(path=str(artifacts / "groups-create.png"), full_page=True)
    page.locator("#create-submit").click()
    page.wait_for_url(f"{base}/accounts/{wechat_account.pk}/groups/")
    creation = wait_until(lambda: GroupCreation.objects.filter(status="created").first())
    group = Group.objects.get(pk=creation.group_id)
    row = page.locator(f"#group-{group.pk}")
    row.wait_for(timeout=10_000)  # appeared without a reload
    row.locator("td.num", has_text="3").wait_for(timeout=10_000)
    page.screenshot(path=str(artifacts / "groups-list.png"), full_page=True)

    # Rename it.
    row.get_by_role("link", name="周末爬山群").click()
    page.locator("#rename-name").fill("周末爬山群 2.0")
    page.locator("#rename-submit").click()
    page.locator("#group-name", has_text="周末爬山群 2.0").wait_for(timeout=10_000)
    page.locator("h1#group-title", has_text="周末爬山群 2.0").wait_for()
    page.locator("#group-events .event-renamed").wait_for()

    # A member joins: the list and the event log update live.
    page.evaluate("window.__noReload = 'still here'")
    sim.control(
        "group_join",
        {"my_account": wechat_account.account, "g_number": group.number, "account": "hiker_07", "name": "山友小王"},
    )
    page.locator("#member-table", has_text="山友小王").wait_for(timeout=5_000)
    page.locator("#group-events .event-joined", has_text="山友小王").wait_for()
    assert page.evaluate("window.__noReload") == "still here"
    page.screenshot(path=str(artifacts / "groups-detail.png"), full_page=True)

    # @-mention a member in the group chat.
    page.locator("#open-chat").click()
    box = page.locator("#composer-text")
    box.wait_for()
    box.click()
    box.press_sequentially("@")
    page.locator("#mention-filter").wait_for()
    page.locator("#mention-picker .mention-item").first.wait_for()
    name = friends[0].nickname
    page.locator("#mention-filter").press_sequentially(name[:2])
    page.screenshot(path=str(artifacts / "groups-mention.png"), full_page=True)
    page.locator("#mention-filter").press("Enter")
    assert box.input_value() == f"@{name} "
    assert page.locator("#composer-at-users").input_value() == friends[0].wxid
    box.press_sequentially("明早七点集合")
    box.press("Enter")
    page.locator('#messages .msg-out:has-text("明早七点集合") [data-status="sent"]').wait_for(timeout=10_000)
    (call,) = sim.calls("/foreign/group/groupAt")
    assert call["form"] == {
        "account": group.number,
        "my_account": wechat_account.account,
        "atUser": friends[0].wxid,
        "content": f"@{name} 明早七点集合",
    }
    page.screenshot(path=str(artifacts / "groups-chat.png"), full_page=True)
