"""Moments in Chromium: a moment with two images posted to two accounts, both succeed live; a friend's post liked."""

import pytest

from tests.browser.test_inbox import log_in
from tests.moments.conftest import png_bytes

pytestmark = pytest.mark.worker


def test_post_two_images_to_two_accounts_and_like_a_friends_post(
    page, console, workers, sim, operator, wechat_account, artifacts, settings, tmp_path
):
    from accounts.models import WeChatAccount
    from moments.models import Moment, MomentInteraction

    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.MOMENTS_SPREAD_SECONDS = 0
    second = WeChatAccount.objects.create(account="xiaomai", wxid="wxid_xm0002", nickname="小麦", status="online")
    second.operators.add(operator)
    for account in (wechat_account, second):
        sim.control(
            "accounts", {"account": account.account, "wxid": account.wxid, "name": account.nickname, "friends": 5}
        )
    workers(PUBLIC_BASE_URL=console.url)
    base = console.url
    log_in(page, base, "bob", "pw-bob-123")

    page.goto(f"{base}/moments/")
    page.locator("#compose").click()
    page.get_by_label("大米").check()
    page.get_by_label("小麦").check()
    page.locator("input[name=kind][value=images]").check()
    page.locator("textarea[name=text]").fill("秋季新品上架，欢迎咨询！")
    page.locator("input[name=images]").set_input_files(
        [
            {"name": "green.png", "mimeType": "image/png", "buffer": png_bytes((7, 193, 96), 96)},
            {"name": "orange.png", "mimeType": "image/png", "buffer": png_bytes((240, 140, 20), 96)},
        ]
    )
    page.screenshot(path=str(artifacts / "moments-1-compose.png"), full_page=True)
    page.locator("#compose-preview").click()

    preview = page.locator(".moment-preview")
    preview.get_by_text("秋季新品上架").wait_for()
    assert preview.locator(".moment-images img").count() == 2
    page.wait_for_function("[...document.querySelectorAll('.moment-images img')].every(i => i.naturalWidth > 0)")
    page.screenshot(path=str(artifacts / "moments-2-preview.png"), full_page=True)
    page.locator("#post-confirm").click()

    # Both accounts turn "posted" without a reload (the status section polls).
    page.locator('.post-status[data-status="posted"]').nth(1).wait_for(timeout=20_000)
    assert page.locator('.post-status[data-status="posted"]').count() == 2
    page.screenshot(path=str(artifacts / "moments-3-posted.png"), full_page=True)
    assert Moment.objects.filter(status="posted").count() == 2

    # A friend's post on the first account's timeline, liked from the page.
    page.goto(f"{base}/accounts/{wechat_account.pk}/moments/")
    page.locator("#feed-refresh").click()
    friend_post = page.locator(".moment.card").filter(has=page.locator(".moment-author a")).first
    friend_post.wait_for(timeout=15_000)
    friend_post.locator('[data-action="like"]').click()
    friend_post = page.locator(".moment.card").filter(has=page.locator('.interaction-like[data-status="sent"]'))
    friend_post.wait_for(timeout=15_000)
    page.screenshot(path=str(artifacts / "moments-4-liked.png"), full_page=True)
    like = MomentInteraction.objects.get(kind="like")
    (call,) = sim.calls("/foreign/FriendCircle/point")
    assert call["form"]["circle_id"] == like.moment.status_id and call["form"]["point_type"] == "1"
