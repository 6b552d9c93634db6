"""Moments end to end: view -> outbox -> real Celery worker -> simulator -> callbacks -> the page.
PostgreSQL and Redis only (the worker fixture skips otherwise)."""

import time
import urllib.request
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from moments import actions
from moments.models import Moment, MomentFetch, MomentInteraction, MomentPost
from tests.helpers import wait_until
from tests.moments.conftest import HX, login, mp4, png

pytestmark = pytest.mark.worker


@pytest.fixture
def live(console, workers, sim, wechat_account):
    sim.control("accounts", {"account": wechat_account.account, "wxid": wechat_account.wxid, "friends": 30})
    workers(PUBLIC_BASE_URL=console.url)
    return wechat_account


def post_and_confirm(client, accounts, **data):
    fields = {"accounts": [a.pk for a in accounts], "kind": "text", "text": "新品上架", **data}
    response = client.post(reverse("moments:compose"), fields)
    assert response.status_code == 302, response.context["form"].errors
    post = MomentPost.objects.order_by("-pk").first()
    assert client.post(reverse("moments:confirm", args=[post.pk])).status_code == 302
    return post


def settled(post, count=1):
    rows = list(post.moments.all())
    return len(rows) == count and all(row.status in ("posted", "failed") for row in rows) and rows


def releases(sim):
    return [call["form"] for call in sim.calls("/foreign/FriendCircle/release")]


def test_a_text_moment_is_released_with_an_empty_media_url_and_the_callback_marks_it_posted(live, sim, operator):
    post = post_and_confirm(login(operator), [live])
    (row,) = wait_until(lambda: settled(post), message="posted")
    (form,) = releases(sim)
    assert (form["media_type"], form["media_url"], form["text"]) == ("2", "", "新品上架")
    assert row.status == "posted" and row.status_id.startswith("14")
    assert f"moment={row.pk}" in form["callback_url"]


def test_an_image_moment_joins_uploads_and_addresses_with_the_separator(live, sim, operator):
    post = post_and_confirm(
        login(operator),
        [live],
        kind="images",
        images=[png("a.png"), png("b.png", rgb=(200, 30, 30))],
        image_urls="https://img.example/c.jpg",
    )
    wait_until(lambda: settled(post), message="posted")
    (form,) = releases(sim)
    urls = form["media_url"].split("{#}")
    assert form["media_type"] == "1" and len(urls) == 3 and urls[2] == "https://img.example/c.jpg"
    # The provider can download the uploads from their public addresses.
    with urllib.request.urlopen(urls[0], timeout=5) as response:  # noqa: S310 - live_server on 127.0.0.1
        assert response.read().startswith(b"\x89PNG")


def test_a_video_moment_sends_the_video_and_its_thumbnail(live, sim, operator):
    post = post_and_confirm(login(operator), [live], kind="video", video=mp4(), thumbnail=png("cover.png"))
    wait_until(lambda: settled(post), message="posted")
    (form,) = releases(sim)
    video, thumb = form["media_url"].split("{#}")
    assert form["media_type"] == "3" and video.endswith("/clip.mp4") and thumb.endswith("/cover.png")


def test_a_link_moment_is_text_with_the_title_and_address(live, sim, operator):
    post = post_and_confirm(
        login(operator), [live], kind="link", link_url="https://shop.example/p/1", link_title="秋季新品"
    )
    wait_until(lambda: settled(post), message="posted")
    (form,) = releases(sim)
    assert form["media_type"] == "2" and form["text"] == "新品上架\n秋季新品\nhttps://shop.example/p/1"


def test_a_refused_moment_shows_the_reason_and_a_retry_posts_it(live, sim, operator):
    sim.fault("/foreign/FriendCircle/release", "code0", msg="发布太频繁")
    client = login(operator)
    post = post_and_confirm(client, [live])
    (row,) = wait_until(lambda: settled(post), message="failed")
    assert (row.status, row.error) == ("failed", "发布太频繁")
    page = client.get(reverse("moments:post", args=[post.pk])).content.decode()
    assert "发布太频繁" in page and 'data-action="retry"' in page
    response = client.post(reverse("moments:retry", args=[row.pk]), **HX)
    assert response.status_code == 200 and 'id="post-status"' in response.content.decode()
    wait_until(lambda: Moment.objects.get(pk=row.pk).status == "posted", message="posted after retry")
    assert len(releases(sim)) == 2


def test_a_moment_for_two_accounts_is_posted_by_each(live, sim, operator, second_account):
    sim.control("accounts", {"account": second_account.account, "wxid": second_account.wxid, "friends": 2})
    post = post_and_confirm(login(operator), [live, second_account])
    rows = wait_until(lambda: settled(post, 2), message="both posted")
    assert {row.status for row in rows} == {"posted"}
    assert sorted(form["my_account"] for form in releases(sim)) == ["damibtc", "xiaomai"]


def test_the_timeline_loads_page_by_page_and_one_post_by_its_status_id(live, sim, operator):
    client = login(operator)
    url = reverse("moments:refresh", args=[live.pk])
    client.post(url, **HX)
    wait_until(lambda: Moment.objects.filter(account=live).count() == 10, message="page 1")
    client.post(url, {"more": "1"}, **HX)
    wait_until(lambda: Moment.objects.filter(account=live).count() == 20, message="page 2")
    client.post(url, {"more": "1"}, **HX)
    wait_until(lambda: MomentFetch.objects.filter(load=3, received_at__isnull=False).exists(), message="page 3")
    client.post(url, {"more": "1"}, **HX)
    wait_until(lambda: MomentFetch.objects.filter(load=4, received_at__isnull=False).exists(), message="page 4")
    assert [c["form"]["load"] for c in sim.calls("/foreign/FriendCircle/getList")] == ["1", "2", "3", "4"]
    total = len(sim.control(f"accounts/{live.account}")["account"]["moments"])
    assert Moment.objects.filter(account=live).count() == total
    page = client.get(reverse("moments:moments", args=[live.pk])).content.decode()
    assert "No older posts." in page or "没有更早" in page
    # Loading page 1 again duplicates nothing.
    client.post(url, **HX)
    wait_until(lambda: MomentFetch.objects.filter(received_at__isnull=True).count() == 0, message="refresh")
    assert Moment.objects.filter(account=live).count() == total
    moment = Moment.objects.filter(account=live).first()
    client.post(reverse("moments:refresh_post", args=[moment.pk]), **HX)
    call = wait_until(lambda: sim.calls("/foreign/FriendCircle/getList")[5:], message="getList by statusId")
    assert call[0]["form"]["statusId"] == moment.status_id


def test_a_friends_album_asks_with_to_account(live, sim, operator):
    friend = sim.control(f"accounts/{live.account}")["account"]["moments"][0]["userString"]
    client = login(operator)
    client.post(reverse("moments:refresh", args=[live.pk]), {"to_account": friend}, **HX)
    wait_until(lambda: MomentFetch.objects.filter(received_at__isnull=False).exists(), message="album")
    assert sim.calls("/foreign/FriendCircle/getList")[-1]["form"]["to_account"] == friend
    stored = Moment.objects.filter(account=live)
    assert stored.exists() and set(stored.values_list("author", flat=True)) == {friend}
    page = client.get(reverse("moments:album", args=[live.pk, friend])).content.decode()
    assert page.count('class="moment card"') == stored.count()


def test_like_and_comment_reach_the_provider_and_show_on_the_post(live, sim, operator):
    client = login(operator)
    client.post(reverse("moments:refresh", args=[live.pk]), **HX)
    moment = wait_until(lambda: Moment.objects.filter(account=live).first(), message="timeline")
    client.post(reverse("moments:like", args=[moment.pk]), **HX)
    client.post(reverse("moments:comment", args=[moment.pk]), {"content": "太棒了"}, **HX)
    wait_until(
        lambda: set(MomentInteraction.objects.values_list("status", flat=True)) == {"sent"}, message="point sent"
    )
    calls = [c["form"] for c in sim.calls("/foreign/FriendCircle/point")]
    assert [(c["point_type"], c["content"], c["circle_id"]) for c in calls] == [
        ("1", "", moment.status_id),
        ("2", "太棒了", moment.status_id),
    ]
    # Refreshing the post brings the provider's view of it: our like and comment on it.
    client.post(reverse("moments:refresh_post", args=[moment.pk]), **HX)
    wait_until(lambda: Moment.objects.get(pk=moment.pk).provider_comments(), message="post refreshed")
    html = client.get(reverse("moments:moments", args=[live.pk])).content.decode()
    assert "太棒了" in html and "♥" in html


def test_a_scheduled_moment_fires_once_after_a_worker_restart(console, workers, sim, wechat_account, operator):
    sim.control("accounts", {"account": wechat_account.account, "wxid": wechat_account.wxid, "friends": 2})
    first = workers(PUBLIC_BASE_URL=console.url)  # the worker builds the callback address when it claims
    client = login(operator)
    response = client.post(
        reverse("moments:compose"),
        {"accounts": [wechat_account.pk], "kind": "text", "text": "定时发布", "scheduled_at": ""},
    )
    post = MomentPost.objects.get()
    post.scheduled_at = timezone.now() + timedelta(seconds=3)
    post.save(update_fields=["scheduled_at"])
    assert response.status_code == 302
    client.post(reverse("moments:confirm", args=[post.pk]))
    post.refresh_from_db()
    assert post.state == "scheduled" and not releases(sim)
    first.stop()  # the worker holding the ETA task goes away before the time comes
    time.sleep(3.5)
    second = workers(PUBLIC_BASE_URL=console.url)
    from moments.tasks import dispatch_due_moments

    dispatch_due_moments.delay()  # celery beat's periodic claim, on the new worker
    wait_until(lambda: settled(post), message="posted after restart")
    dispatch_due_moments.delay()
    actions.dispatch_due()  # and once more in this process: nothing is due any more
    time.sleep(1.5)
    assert [form["text"] for form in releases(sim)] == ["定时发布"]
    assert "moments.tasks.dispatch_due_moments" in second.output()
