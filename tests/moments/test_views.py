"""Moments pages and actions without a worker: access, methods, HTMX, forms, scheduling and claims.

alice is an admin, bob an operator of his accounts, charlie an outsider.
"""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from moments import actions
from moments.models import Moment, MomentFetch, MomentInteraction, MomentPost
from provider.models import OutboxEntry
from tests.moments.conftest import HX, login, mp4, png

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def no_broker(monkeypatch):
    """Outbox entries and ETA dispatches are recorded; nothing is handed to a broker here."""
    from provider import outbox

    monkeypatch.setattr(outbox, "schedule", lambda entry_id, countdown=None: True)
    monkeypatch.setattr(actions, "_wake_at", lambda times: None)


def compose(client, accounts, **data):
    fields = {"accounts": [a.pk for a in accounts], "kind": "text", "text": "新品上架", **data}
    return client.post(reverse("moments:compose"), fields)


def draft(operator, accounts, **fields):
    post = MomentPost.objects.create(created_by=operator, kind=fields.pop("kind", "text"), text="你好", **fields)
    post.accounts.set(accounts)
    return post


def seen(account, status_id="13000000000000000001", author="zhangsan"):
    return Moment.objects.create(account=account, status_id=status_id, author=author, author_name="张三", text="早安")


# --- Compose and preview --------------------------------------------------------------------------


def test_compose_page_offers_only_the_operators_accounts(operator, wechat_account, foreign_account):
    response = login(operator).get(reverse("moments:compose"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "大米" in html and "别人的号" not in html


def test_compose_saves_a_draft_and_shows_the_preview_without_posting(operator, wechat_account, second_account):
    client = login(operator)
    response = compose(client, [wechat_account, second_account], kind="images", images=[png("a.png"), png("b.png")])
    post = MomentPost.objects.get()
    assert response.status_code == 302 and response.url == reverse("moments:post", args=[post.pk])
    assert post.state == MomentPost.State.DRAFT and post.media.count() == 2
    page = client.get(response.url).content.decode()
    assert "新品上架" in page and post.media.first().get_absolute_url() in page and 'id="post-confirm"' in page
    assert not OutboxEntry.objects.exists() and not Moment.objects.exists()


def test_compose_refuses_an_account_of_somebody_else(operator, wechat_account, foreign_account):
    response = compose(login(operator), [wechat_account, foreign_account])
    assert response.status_code == 200 and "accounts" in response.context["form"].errors
    assert not MomentPost.objects.exists()


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"kind": "images"}, "images"),
        ({"kind": "images", "image_urls": "\n".join(f"https://img.test/{i}.jpg" for i in range(10))}, "images"),
        ({"kind": "images", "image_urls": "not a url"}, "image_urls"),
        ({"kind": "video", "video_url": "https://v.test/a.mp4"}, "thumbnail"),
        ({"kind": "video", "thumb_url": "https://v.test/a.jpg"}, "video"),
        ({"kind": "link"}, "link_url"),
        ({"text": ""}, "text"),
        ({"scheduled_at": "2020-01-01T10:00"}, "scheduled_at"),
    ],
)
def test_compose_explains_what_is_missing_or_wrong(operator, wechat_account, data, field):
    response = compose(login(operator), [wechat_account], **data)
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert "errorlist" in response.content.decode()


def test_uploads_must_really_be_images_and_videos(operator, wechat_account, settings):
    client = login(operator)
    not_an_image = SimpleUploadedFile("x.png", b"<html>not an image</html>", content_type="image/png")
    response = compose(client, [wechat_account], kind="images", images=[not_an_image])
    assert "images" in response.context["form"].errors
    settings.MOMENTS_IMAGE_MAX_BYTES = 10
    response = compose(client, [wechat_account], kind="images", images=[png()])
    assert "images" in response.context["form"].errors
    response = compose(client, [wechat_account], kind="video", video=png("v.mp4"), thumbnail=png())
    assert "video" in response.context["form"].errors
    assert not MomentPost.objects.exists()


def test_ten_uploaded_images_are_too_many(operator, wechat_account):
    response = compose(login(operator), [wechat_account], kind="images", images=[png(f"{i}.png") for i in range(10)])
    assert "images" in response.context["form"].errors
    assert not MomentPost.objects.exists()


def test_release_parameters_per_kind(operator, wechat_account, settings):
    settings.PUBLIC_BASE_URL = "http://console.test"
    client = login(operator)
    compose(client, [wechat_account], kind="video", video=mp4(), thumbnail=png("t.png"))
    video = MomentPost.objects.get()
    text, media_type, urls = video.release()
    assert media_type == 3 and urls[0].startswith("http://console.test/media/moments/") and urls[0].endswith("clip.mp4")
    assert urls[1].endswith("t.png")
    link = draft(operator, [wechat_account], kind="link", link_url="https://shop.test/p/1", link_title="新品")
    assert link.release() == ("你好\n新品\nhttps://shop.test/p/1", 2, [])
    link.thumb_url = "https://shop.test/t.jpg"
    assert link.release() == ("你好\n新品\nhttps://shop.test/p/1", 1, ["https://shop.test/t.jpg"])


def test_uploaded_media_is_served_without_login_only_at_its_exact_address(operator, wechat_account, client):
    compose(login(operator), [wechat_account], kind="images", images=[png("a.png")])
    media = MomentPost.objects.get().media.get()
    response = client.get(media.get_absolute_url())
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    assert b"".join(response.streaming_content).startswith(b"\x89PNG")
    assert client.get(reverse("moments:media", args=[media.token, "other.png"])).status_code == 404
    assert client.post(media.get_absolute_url()).status_code == 405


# --- Confirm, schedule, dispatch -----------------------------------------------------------------------


def test_confirm_posts_now_to_every_account_each_with_its_own_outbox_entry(
    operator, wechat_account, second_account, django_capture_on_commit_callbacks
):
    post = draft(operator, [wechat_account, second_account])
    with django_capture_on_commit_callbacks(execute=True):
        response = login(operator).post(reverse("moments:confirm", args=[post.pk]))
    assert response.status_code == 302
    rows = list(post.moments.order_by("account__pk"))
    assert [row.status for row in rows] == ["queued", "queued"]
    entries = OutboxEntry.objects.filter(method="post_moment").order_by("pk")
    assert [e.idempotency_key for e in entries] == [f"moment-post:{row.pk}" for row in rows]
    assert entries[0].params["callback_url"].endswith(f"/moment-posted/?moment={rows[0].pk}&my_account=damibtc")
    assert entries[0].params["media_type"] == 2 and entries[0].subject == f"moments.Moment:{rows[0].pk}"
    post.refresh_from_db()
    assert post.state == MomentPost.State.POSTING
    # Confirming twice is one action.
    login(operator).post(reverse("moments:confirm", args=[post.pk]))
    assert OutboxEntry.objects.count() == 2


def test_many_accounts_are_spread_out(
    operator, wechat_account, second_account, settings, django_capture_on_commit_callbacks
):
    settings.MOMENTS_SPREAD_SECONDS = 30
    post = draft(operator, [wechat_account, second_account])
    with django_capture_on_commit_callbacks(execute=True):
        actions.confirm_post(post=post, operator=operator)
    first, second = post.moments.order_by("due_at")
    assert (second.due_at - first.due_at) == timedelta(seconds=30)
    assert (first.status, second.status) == ("queued", "scheduled")
    assert OutboxEntry.objects.count() == 1
    assert actions.dispatch_due(now=timezone.now() + timedelta(seconds=31)) == 1
    assert OutboxEntry.objects.count() == 2


def test_a_scheduled_post_is_claimed_once_however_often_dispatch_runs(operator, wechat_account):
    post = draft(operator, [wechat_account], scheduled_at=timezone.now() + timedelta(hours=1))
    actions.confirm_post(post=post, operator=operator)
    post.refresh_from_db()
    assert post.state == MomentPost.State.SCHEDULED
    assert actions.dispatch_due() == 0 and not OutboxEntry.objects.exists()
    later = timezone.now() + timedelta(hours=1, seconds=1)
    assert actions.dispatch_due(now=later) == 1
    assert actions.dispatch_due(now=later) == 0
    assert OutboxEntry.objects.filter(method="post_moment").count() == 1
    post.refresh_from_db()
    assert post.state == MomentPost.State.POSTING


def test_a_scheduled_post_can_be_edited_and_cancelled_before_it_fires(operator, wechat_account, second_account):
    when = timezone.now() + timedelta(hours=2)
    post = draft(operator, [wechat_account], scheduled_at=when)
    actions.confirm_post(post=post, operator=operator)
    client = login(operator)
    local = timezone.localtime(when + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")
    response = client.post(
        reverse("moments:edit", args=[post.pk]),
        {"accounts": [wechat_account.pk, second_account.pk], "kind": "text", "text": "改过了", "scheduled_at": local},
    )
    assert response.status_code == 302
    post.refresh_from_db()
    assert post.text == "改过了" and post.moments.filter(status="scheduled").count() == 2
    assert timezone.localtime(post.scheduled_at).strftime("%Y-%m-%dT%H:%M") == local
    listing = client.get(reverse("moments:posts")).content.decode()
    assert "改过了" in listing
    client.post(reverse("moments:cancel", args=[post.pk]))
    post.refresh_from_db()
    assert post.state == MomentPost.State.CANCELLED
    assert actions.dispatch_due(now=timezone.now() + timedelta(days=1)) == 0
    assert not OutboxEntry.objects.exists()
    assert client.get(reverse("moments:edit", args=[post.pk])).status_code == 302  # no longer editable


def test_the_release_answer_sets_the_status(operator, wechat_account, django_capture_on_commit_callbacks):
    post = draft(operator, [wechat_account])
    with django_capture_on_commit_callbacks(execute=True):
        actions.confirm_post(post=post, operator=operator)
    row = post.moments.get()
    entry = row.outbox
    entry.status = OutboxEntry.Status.SENT
    actions.record_release_result(entry)
    row.refresh_from_db()
    assert row.status == "sent"
    entry.status, entry.last_error = OutboxEntry.Status.FAILED, "微信不在线: damibtc"
    Moment.objects.filter(pk=row.pk).update(status="queued")
    actions.record_release_result(entry)
    row.refresh_from_db()
    assert (row.status, row.error) == ("failed", "微信不在线: damibtc")


# --- Access, methods, HTMX -----------------------------------------------------------------------------


def test_every_moments_page_needs_a_login(client, wechat_account):
    for url in (
        reverse("moments:posts"),
        reverse("moments:compose"),
        reverse("moments:moments", args=[wechat_account.pk]),
        reverse("moments:album", args=[wechat_account.pk, "zhangsan"]),
    ):
        response = client.get(url)
        assert response.status_code == 302 and "/auth/login/" in response.url


def test_outsiders_get_404_and_nothing_changes(outsider, operator, wechat_account):
    post = draft(operator, [wechat_account])
    moment = seen(wechat_account)
    client = login(outsider)
    gets = [
        reverse("moments:moments", args=[wechat_account.pk]),
        reverse("moments:album", args=[wechat_account.pk, "zhangsan"]),
        reverse("moments:post", args=[post.pk]),
        reverse("moments:edit", args=[post.pk]),
        reverse("moments:compose") + f"?account={wechat_account.pk}",
    ]
    for url in gets:
        assert client.get(url).status_code == 404, url
    posts = [
        reverse("moments:confirm", args=[post.pk]),
        reverse("moments:cancel", args=[post.pk]),
        reverse("moments:refresh", args=[wechat_account.pk]),
        reverse("moments:like", args=[moment.pk]),
        reverse("moments:comment", args=[moment.pk]),
        reverse("moments:refresh_post", args=[moment.pk]),
        reverse("moments:retry", args=[moment.pk]),
    ]
    for url in posts:
        assert client.post(url, {"content": "hi"}).status_code == 404, url
        assert client.post(url, {"content": "hi"}, **HX).status_code == 404, url
    post.refresh_from_db()
    assert post.state == "draft" and not OutboxEntry.objects.exists()
    assert not MomentInteraction.objects.exists() and not MomentFetch.objects.exists()
    assert "你好" not in client.get(reverse("moments:posts")).content.decode()


def test_a_post_with_an_account_the_operator_lost_cannot_be_confirmed(operator, wechat_account, foreign_account):
    post = draft(operator, [wechat_account, foreign_account])
    client = login(operator)
    assert client.get(reverse("moments:post", args=[post.pk])).status_code == 200
    assert client.post(reverse("moments:confirm", args=[post.pk])).status_code == 404
    assert not OutboxEntry.objects.exists()


def test_wrong_methods_are_refused(operator, wechat_account):
    post = draft(operator, [wechat_account])
    moment = seen(wechat_account)
    client = login(operator)
    for url in (
        reverse("moments:confirm", args=[post.pk]),
        reverse("moments:cancel", args=[post.pk]),
        reverse("moments:refresh", args=[wechat_account.pk]),
        reverse("moments:like", args=[moment.pk]),
        reverse("moments:comment", args=[moment.pk]),
        reverse("moments:retry", args=[moment.pk]),
    ):
        assert client.get(url).status_code == 405, url
    for url in (
        reverse("moments:posts"),
        reverse("moments:post", args=[post.pk]),
        reverse("moments:moments", args=[wechat_account.pk]),
    ):
        assert client.post(url).status_code == 405, url
    assert client.put(reverse("moments:compose")).status_code == 405


def test_timeline_reads_from_the_database_and_refresh_asks_the_provider(
    operator, wechat_account, django_assert_max_num_queries
):
    for i in range(5):
        seen(wechat_account, status_id=str(i), author="zhangsan" if i % 2 else "lisi")
    client = login(operator)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("moments:moments", args=[wechat_account.pk]))
    html = response.content.decode()
    assert html.count('class="moment card"') == 5
    assert reverse("moments:album", args=[wechat_account.pk, "zhangsan"]) in html
    response = client.post(reverse("moments:refresh", args=[wechat_account.pk]), **HX)
    assert response.status_code == 200 and 'id="feed"' in response.content.decode()
    assert "<html" not in response.content.decode() and 'hx-trigger="every 2s"' in response.content.decode()
    entry = OutboxEntry.objects.get(method="get_moments")
    fetch = MomentFetch.objects.get()
    assert entry.params["load"] == 1 and entry.params["extend"] == str(fetch.req)
    assert f"req={fetch.req}" in entry.params["callback_url"]
    # Full-page form: a redirect back to the timeline.
    response = client.post(reverse("moments:refresh", args=[wechat_account.pk]), {"to_account": "zhangsan"})
    assert response.url == reverse("moments:album", args=[wechat_account.pk, "zhangsan"])
    assert OutboxEntry.objects.filter(method="get_moments").last().params["to_account"] == "zhangsan"
    album = client.get(reverse("moments:album", args=[wechat_account.pk, "zhangsan"]), **HX).content.decode()
    assert album.count('class="moment card"') == 2


def test_like_once_and_comment_through_the_outbox(operator, wechat_account):
    moment = seen(wechat_account)
    client = login(operator)
    response = client.post(reverse("moments:like", args=[moment.pk]), **HX)
    assert response.status_code == 200 and f'id="moment-{moment.pk}"' in response.content.decode()
    client.post(reverse("moments:like", args=[moment.pk]), **HX)
    response = client.post(reverse("moments:comment", args=[moment.pk]), {"content": "真不错"})
    assert response.status_code == 302
    entries = list(OutboxEntry.objects.filter(method="moment_action").order_by("pk"))
    assert [(e.params["point_type"], e.params["content"]) for e in entries] == [(1, ""), (2, "真不错")]
    assert entries[0].params["circle_id"] == moment.status_id
    page = client.get(reverse("moments:moments", args=[wechat_account.pk])).content.decode()
    assert "真不错" in page
    empty = client.post(reverse("moments:comment", args=[moment.pk]), {"content": ""}, **HX)
    assert empty.status_code == 200 and OutboxEntry.objects.filter(method="moment_action").count() == 2


def test_the_account_page_links_to_the_timeline(operator, wechat_account):
    html = login(operator).get(reverse("accounts:detail", args=[wechat_account.pk])).content.decode()
    assert reverse("moments:moments", args=[wechat_account.pk]) in html
