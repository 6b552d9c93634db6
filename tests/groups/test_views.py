"""Group views without a worker: access rules, methods, HTMX and full-page forms, escaping, polling."""

import pytest
from django.urls import reverse

from accounts.signals import account_logged_in
from groups.models import GroupEvent, GroupMember
from provider.models import OutboxEntry

from .conftest import HX

pytestmark = pytest.mark.django_db


@pytest.fixture
def member(group):
    return GroupMember.objects.create(group=group, username="wxid_m1", nickname="<script>x</script>", listed=True)


def urls(account, group, member):
    a, g = account.pk, group.pk
    return {
        "get": [
            reverse("groups:groups", args=[a]),
            reverse("groups:create", args=[a]),
            reverse("groups:group", args=[a, g]),
            reverse("groups:leave", args=[a, g]),
            reverse("groups:add_members", args=[a, g]),
            reverse("groups:remove_member", args=[a, g, member.pk]),
            reverse("groups:auto_join", args=[a]),
            reverse("groups:mentions", args=[a, group.number]),
        ],
        "post": {
            reverse("groups:refresh_list", args=[a]): {},
            reverse("groups:create", args=[a]): {"name": "x"},
            reverse("groups:refresh", args=[a, g]): {},
            reverse("groups:rename", args=[a, g]): {"name": "x"},
            reverse("groups:notice", args=[a, g]): {"notice": "x"},
            reverse("groups:leave", args=[a, g]): {},
            reverse("groups:add_members", args=[a, g]): {},
            reverse("groups:remove_member", args=[a, g, member.pk]): {},
            reverse("groups:qrcode", args=[a, g]): {},
            reverse("groups:auto_join", args=[a]): {"enabled": "1"},
        },
    }


def test_outsider_gets_404_everywhere_and_nothing_is_sent(outsider_client, wechat_account, group, member):
    group.qr_code_url = "https://example.com/qr.png"
    group.save()
    all_urls = urls(wechat_account, group, member)
    for url in [*all_urls["get"], reverse("groups:qrcode_image", args=[wechat_account.pk, group.pk])]:
        assert outsider_client.get(url).status_code == 404, url
        assert outsider_client.get(url, **HX).status_code == 404, url
    for url, data in all_urls["post"].items():
        assert outsider_client.post(url, data).status_code == 404, url
    assert not OutboxEntry.objects.exists()
    group.refresh_from_db()
    assert group.name == "周末爬山群" and group.left_at is None


def test_anonymous_is_sent_to_login(client, wechat_account, group, member):
    response = client.get(reverse("groups:groups", args=[wechat_account.pk]))
    assert response.status_code == 302 and "login" in response.url


def test_wrong_methods(operator_client, wechat_account, group, member):
    all_urls = urls(wechat_account, group, member)
    get_only = [
        reverse("groups:groups", args=[wechat_account.pk]),
        reverse("groups:group", args=[wechat_account.pk, group.pk]),
    ]
    for url in get_only:
        assert operator_client.post(url).status_code == 405
    for url in all_urls["post"]:
        if url not in all_urls["get"]:
            assert operator_client.get(url).status_code == 405, url
    assert not OutboxEntry.objects.exists()


def test_list_full_page_htmx_filters_and_escaping(
    operator_client, wechat_account, group, django_assert_max_num_queries
):
    group.name = "<b>坏</b>"
    group.save()
    from groups.models import Group

    Group.objects.create(account=wechat_account, number="1@chatroom", name="别人的群", owner="wxid_other", saved=True)
    url = reverse("groups:groups", args=[wechat_account.pk])
    with django_assert_max_num_queries(12):
        page = operator_client.get(url)
    body = page.content.decode()
    assert "&lt;b&gt;坏&lt;/b&gt;" in body and "<b>坏</b>" not in body and "<html" in body
    partial = operator_client.get(url, {"owner": "on"}, **HX).content.decode()
    assert "<html" not in partial and "&lt;b&gt;坏" in partial and "别人的群" not in partial
    assert "别人的群" in operator_client.get(url, {"saved": "on"}, **HX).content.decode()
    assert "别人的群" in operator_client.get(url, {"q": "别人"}, **HX).content.decode()
    stamp = page.context["stamp"]
    assert operator_client.get(url, {"stamp": stamp}, **HX).status_code == 204


def test_refresh_list_is_one_pair_of_calls_and_login_refreshes(
    operator_client, wechat_account, django_capture_on_commit_callbacks
):
    url = reverse("groups:refresh_list", args=[wechat_account.pk])
    assert operator_client.post(url).status_code == 302
    assert operator_client.post(url, **HX).status_code == 200
    account_logged_in.send(sender=None, account=wechat_account)  # one is waiting: not asked twice
    entries = OutboxEntry.objects.filter(method="group_list")
    assert [e.params["saved_only"] for e in entries.order_by("pk")] == [False, True]
    entries.update(status="sent")
    account_logged_in.send(sender=None, account=wechat_account)
    login = OutboxEntry.objects.filter(method="group_list", status="queued")
    assert [(e.params["saved_only"], e.operator_id) for e in login] == [(False, None)]


def test_detail_shows_members_friend_flag_and_remove_only_for_owner(operator_client, wechat_account, group, member):
    from contacts.models import Friend

    Friend.objects.create(account=wechat_account, username="custom_m1", wxid="wxid_m1", nickname="m1")
    url = reverse("groups:group", args=[wechat_account.pk, group.pk])
    body = operator_client.get(url).content.decode()
    assert "&lt;script&gt;x&lt;/script&gt;" in body and "<script>x</script>" not in body
    assert 'badge-online">Friend<' in body
    remove = reverse("groups:remove_member", args=[wechat_account.pk, group.pk, member.pk])
    assert remove in body
    assert "<html" not in operator_client.get(url, {"mq": "wxid_m1"}, **HX).content.decode()

    group.owner = "wxid_someone_else"
    group.save()
    body = operator_client.get(url).content.decode()
    assert remove not in body and "Only the group owner can remove members" in body
    response = operator_client.post(remove, follow=True)
    assert "this account is not the owner" in response.content.decode()
    assert not OutboxEntry.objects.exists()


def test_actions_validate_and_answer_htmx_or_redirect(operator_client, wechat_account, group):
    rename = reverse("groups:rename", args=[wechat_account.pk, group.pk])
    assert operator_client.post(rename, {"name": "  "}, **HX).status_code == 400
    response = operator_client.post(rename, {"name": "<新名字>"}, **HX)
    assert response.status_code == 200 and "&lt;新名字&gt;" in response.content.decode()
    assert operator_client.post(rename, {"name": "新名字"}).status_code == 302
    entries = OutboxEntry.objects.filter(method="rename_group")
    assert entries.count() == 2 and entries.first().params == {
        "my_account": "damibtc",
        "group": group.number,
        "name": "<新名字>",
    }
    create = reverse("groups:create", args=[wechat_account.pk])
    response = operator_client.post(create, {"name": "群"})
    assert response.status_code == 400 and "at least two friends" in response.content.decode()
    assert not OutboxEntry.objects.filter(method="create_group").exists()


def test_failed_call_shows_the_provider_answer(operator_client, wechat_account, group):
    GroupEvent.objects.create(group=group, kind="failed", action="rename_group", detail="<i>群不存在</i>")
    body = operator_client.get(reverse("groups:group", args=[wechat_account.pk, group.pk])).content.decode()
    assert "Renaming:" in body and "&lt;i&gt;群不存在&lt;/i&gt;" in body


def test_qr_code_data_url_is_served_as_a_png_download(operator_client, wechat_account, group):
    import base64

    png = b"\x89PNG\r\n\x1a\nrest"
    group.qr_code_url = "data:image/png;base64," + base64.b64encode(png).decode()
    group.save()
    url = reverse("groups:qrcode_image", args=[wechat_account.pk, group.pk])
    response = operator_client.get(url, {"download": "1"})
    assert response.status_code == 200 and response.content == png and response["Content-Type"] == "image/png"
    assert response["Content-Disposition"].startswith("attachment;")
    assert "Content-Disposition" not in operator_client.get(url)
    group.qr_code_url = "javascript:alert(1)"
    group.save()
    assert operator_client.get(url).status_code == 404


def test_mention_options_escape_and_offer_all_only_to_the_owner(operator_client, wechat_account, group, member):
    url = reverse("groups:mentions", args=[wechat_account.pk, group.number])
    body = operator_client.get(url).content.decode()
    assert "&lt;script&gt;" in body and "notify@all" in body
    group.owner = "wxid_other"
    group.save()
    assert "notify@all" not in operator_client.get(url).content.decode()


def test_mentions_resolve_in_text_order_and_drop_strangers(wechat_account, group, member):
    from groups.mentions import resolve

    GroupMember.objects.create(group=group, username="wxid_m2", nickname="小明", display_name="明明")
    text = "@明明 @<script>x</script> 你好"
    found = resolve(
        account=wechat_account, group_number=group.number, text=text, wxids=["wxid_m1", "wxid_m2", "wxid_x"]
    )
    assert found == [("wxid_m2", "明明"), ("wxid_m1", "<script>x</script>")]
    assert resolve(account=wechat_account, group_number=group.number, text="你好", wxids=["wxid_m1"]) == []
