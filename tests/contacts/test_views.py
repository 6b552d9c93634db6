"""Contacts screens through the test client: access, methods, HTMX and full-page forms, the
outbox entries each action writes, and the callbacks that complete them (posted to the view)."""

import pytest
from django.urls import reverse

from accounts.signals import account_logged_in
from contacts import actions
from contacts.models import ContactLookup, Friend, FriendInvite, FriendRequest, FriendSync, Label, LabelRename
from contacts.results import friend_request_result, invite_result
from provider.models import OutboxEntry

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def url(name, account, *args):
    return reverse(f"contacts:{name}", args=[account.pk, *args])


def entries(method=None):
    rows = OutboxEntry.objects.order_by("pk")
    return list(rows.filter(method=method) if method else rows)


# --- access ---------------------------------------------------------------------------------------

GET_VIEWS = ["friends", "status", "requests", "requests_badge", "labels", "invites", "lookup"]
POST_VIEWS = [
    ("sync", {}),
    ("bulk", {"action": "zombie"}),
    ("requests_accept", {}),
    ("requests_reconcile", {"status": "0"}),
    ("labels_create", {"names": "新标签"}),
    ("labels_refresh", {}),
    ("invites_create", {"targets": "someone", "greeting": "你好"}),
    ("lookup_create", {"query": "someone"}),
]


@pytest.mark.parametrize("name", GET_VIEWS)
def test_an_outsider_gets_404_on_every_page(outsider_client, wechat_account, name):
    assert outsider_client.get(url(name, wechat_account)).status_code == 404


@pytest.mark.parametrize(("name", "data"), POST_VIEWS)
def test_an_outsider_gets_404_on_every_action_and_nothing_is_sent(outsider_client, wechat_account, friends, name, data):
    data = {**data, "friends": [f.pk for f in friends.values()]}
    assert outsider_client.post(url(name, wechat_account), data).status_code == 404
    assert OutboxEntry.objects.count() == 0
    assert FriendSync.objects.count() == 0 and FriendInvite.objects.count() == 0 and ContactLookup.objects.count() == 0


def test_an_outsider_cannot_reach_friends_labels_or_entries_by_id(outsider_client, wechat_account, friends, labels):
    friend = friends["zhangsan"]
    label = labels["客户"]
    assert outsider_client.get(url("friend", wechat_account, friend.pk)).status_code == 404
    assert outsider_client.post(url("friend_zombie", wechat_account, friend.pk)).status_code == 404
    assert (
        outsider_client.post(url("friend_labels", wechat_account, friend.pk), {"labels": [label.pk]}).status_code == 404
    )
    assert outsider_client.post(url("label_rename", wechat_account, label.pk), {"name": "x"}).status_code == 404
    assert outsider_client.post(url("label_delete", wechat_account, label.pk), {"confirmed": "1"}).status_code == 404
    assert OutboxEntry.objects.count() == 0
    assert Label.objects.filter(pk=label.pk, name="客户").exists()


def test_friends_and_labels_of_another_account_are_404_for_an_operator(operator_client, wechat_account, friends):
    from accounts.models import WeChatAccount

    other = WeChatAccount.objects.create(account="other", wxid="wxid_other")
    stranger = Friend.objects.create(account=other, username="x")
    # The operator's own account, someone else's friend id: not found.
    assert operator_client.get(url("friend", wechat_account, stranger.pk)).status_code == 404
    assert operator_client.get(url("friends", other)).status_code == 404
    response = operator_client.post(url("bulk", wechat_account), {"friends": [stranger.pk], "action": "zombie"})
    assert response.status_code == 302
    assert OutboxEntry.objects.count() == 0


@pytest.mark.parametrize("name", GET_VIEWS)
def test_pages_refuse_post(operator_client, wechat_account, name):
    assert operator_client.post(url(name, wechat_account)).status_code == 405


@pytest.mark.parametrize(("name", "data"), POST_VIEWS)
def test_actions_refuse_get(operator_client, wechat_account, name, data):
    assert operator_client.get(url(name, wechat_account)).status_code == 405
    assert OutboxEntry.objects.count() == 0


def test_anonymous_is_sent_to_login(client, wechat_account):
    response = client.get(url("friends", wechat_account))
    assert response.status_code == 302 and "/auth/login/" in response["Location"]


# --- friends list -----------------------------------------------------------------------------------


def names(response):
    return [f.username for f in response.context["page"].object_list]


def test_friends_page_shows_profiles_labels_and_flags_escaped(operator_client, wechat_account, friends):
    friends["lisi"].do_not_disturb = True
    friends["lisi"].is_zombie = True
    friends["lisi"].nickname = "<b>李四</b>"
    friends["lisi"].save()
    response = operator_client.get(url("friends", wechat_account))
    html = response.content.decode()
    assert response.status_code == 200
    assert "&lt;b&gt;李四&lt;/b&gt;" in html and "<b>李四</b>" not in html
    assert "张三" in html and "老张" in html and "wxid_zs" in html and "广东 深圳" in html
    assert 'class="chip">VIP<' in html
    assert "🔕" in html and 'class="visually-hidden">' in html
    assert 'data-select-all="friends"' in html
    assert set(names(response)) == set(friends)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"q": "张"}, {"zhangsan"}),
        ({"q": "老张"}, {"zhangsan"}),
        ({"q": "wxid_ls"}, {"lisi"}),
        ({"q": "WANGWU"}, {"wangwu"}),
        ({"q": "深圳"}, {"zhangsan"}),
        ({"q": "vip"}, {"lisi"}),
        ({"q": "客户"}, {"zhangsan", "lisi"}),
        ({"sex": "2"}, {"lisi", "alice_w"}),
        ({"q": "客户", "sex": "1"}, {"zhangsan"}),
    ],
)
def test_search_covers_every_field_including_chinese_and_labels(
    operator_client, wechat_account, friends, query, expected
):
    assert set(names(operator_client.get(url("friends", wechat_account), query))) == expected


def test_filter_by_label_zombies_removed_and_sort(operator_client, wechat_account, friends, labels):
    response = operator_client.get(url("friends", wechat_account), {"label": labels["同事"].pk})
    assert names(response) == ["alice_w"]
    Friend.objects.filter(pk=friends["wangwu"].pk).update(is_zombie=True)
    assert names(operator_client.get(url("friends", wechat_account), {"show": "zombies"})) == ["wangwu"]
    actions_friend = friends["alice_w"]
    Friend.objects.filter(pk=actions_friend.pk).update(removed_at="2026-01-01T00:00:00Z")
    assert names(operator_client.get(url("friends", wechat_account), {"show": "removed"})) == ["alice_w"]
    assert "alice_w" not in names(operator_client.get(url("friends", wechat_account)))
    by_remark = names(operator_client.get(url("friends", wechat_account), {"sort": "remark", "show": "all"}))
    assert by_remark[-2:] == ["wangwu", "zhangsan"]  # 同学, 老张 after the empty remarks
    recent = names(operator_client.get(url("friends", wechat_account), {"sort": "recent", "show": "all"}))
    assert recent[0] == "alice_w"


def test_friends_page_paginates_by_50_in_a_fixed_number_of_queries(
    operator_client, wechat_account, labels, django_assert_num_queries
):
    for i in range(120):
        friend = Friend.objects.create(account=wechat_account, username=f"f{i:03}", nickname=f"好友{i:03}")
        friend.labels.set([labels["客户"], labels["VIP"]] if i % 2 else [])
    # session, user, account, sync, activity, pending calls, renames, 3 fingerprint aggregates,
    # pending requests, label choices, count, page, labels prefetch, bulk label options
    with django_assert_num_queries(16):
        response = operator_client.get(url("friends", wechat_account), {"page": 2})
    assert len(response.context["page"].object_list) == 50
    assert response.context["page"].paginator.num_pages == 3
    with django_assert_num_queries(16):
        operator_client.get(url("friends", wechat_account), {"page": 3, "q": "好友"})


def test_htmx_filter_renders_only_the_rows(operator_client, wechat_account, friends):
    response = operator_client.get(url("friends", wechat_account), {"q": "李"}, HTTP_HX_TARGET="friend-rows", **HTMX)
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="friend-rows"')
    assert "<html" not in html and "李四" in html and "张三" not in html


def test_status_poll_tells_the_page_to_refresh_when_something_changed(operator_client, wechat_account, friends):
    first = operator_client.get(url("status", wechat_account), **HTMX)
    version = first.context["fingerprint"]
    same = operator_client.get(url("status", wechat_account), {"v": version}, **HTMX)
    assert "HX-Trigger" not in same
    Friend.objects.create(account=wechat_account, username="newcomer")
    changed = operator_client.get(url("status", wechat_account), {"v": version}, **HTMX)
    assert "contacts-changed" in changed["HX-Trigger"]


def test_sync_shows_progress_and_polls_each_second_while_running(operator_client, wechat_account):
    sync = FriendSync.objects.create(account=wechat_account, request_id="r1", total=4213, received=300)
    html = operator_client.get(url("status", wechat_account), **HTMX).content.decode()
    assert "300 of 4,213" in html or "300 of 4213" in html
    assert 'hx-trigger="every 1s"' in html
    sync.status = FriendSync.Status.DONE
    sync.save()
    html = operator_client.get(url("status", wechat_account), **HTMX).content.decode()
    assert 'hx-trigger="every 10s"' in html


# --- friend list sync ----------------------------------------------------------------------------


def test_sync_asks_for_labels_then_the_list_and_a_second_click_reuses_it(operator_client, wechat_account, operator):
    response = operator_client.post(url("sync", wechat_account))
    assert response.status_code == 302
    sync = FriendSync.objects.get()
    assert [e.method for e in entries()] == ["get_labels", "sync_friend_list"]
    entry = entries("sync_friend_list")[0]
    assert entry.params["my_account"] == "damibtc"
    assert f"req={sync.request_id}" in entry.params["callback_url"]
    assert "/friends/" in entry.params["callback_url"] and entry.operator == operator
    htmx = operator_client.post(url("sync", wechat_account), **HTMX)
    assert htmx.status_code == 200 and 'id="contacts-status"' in htmx.content.decode()
    assert FriendSync.objects.count() == 1 and len(entries()) == 2


def test_a_stale_sync_does_not_block_a_new_one(wechat_account):
    old = actions.start_friend_sync(account=wechat_account)
    FriendSync.objects.filter(pk=old.pk).update(updated_at="2020-01-01T00:00:00Z")
    new = actions.start_friend_sync(account=wechat_account)
    assert new.pk != old.pk
    old.refresh_from_db()
    assert old.status == FriendSync.Status.FAILED


def test_login_signal_starts_a_sync(wechat_account):
    account_logged_in.send(sender=None, account=wechat_account)
    account_logged_in.send(sender=None, account=wechat_account)
    assert FriendSync.objects.filter(account=wechat_account, status="running").count() == 1
    assert len(entries("sync_friend_list")) == 1


def test_a_refused_sync_is_marked_failed_with_the_provider_message(wechat_account):
    from contacts.results import friend_sync_result

    sync = actions.start_friend_sync(account=wechat_account)
    entry = sync.outbox
    entry.status, entry.last_error = OutboxEntry.Status.FAILED, "微信不在线: damibtc"
    friend_sync_result(entry)
    sync.refresh_from_db()
    assert sync.status == "failed" and "微信不在线" in sync.error


def _page(number, total, usernames, tags=None):
    return {
        "my_account": "damibtc",
        "currentPage": str(number),
        "total": total,
        "info": [
            {
                "account": name,
                "account_alias": f"wxid_{name}",
                "name": f"好友{name}",
                "sex": 1,
                "area": "",
                "form_name": "",
                "disturb": 2,
                "v1": "",
                "tag": (tags or {}).get(name, ""),
            }
            for name in usernames
        ],
    }


def test_pages_out_of_order_and_twice_finish_once_and_removed_friends_are_marked(callbacks, wechat_account):
    gone = Friend.objects.create(account=wechat_account, username="gone_friend")
    sync = actions.start_friend_sync(account=wechat_account)
    pages = {n: [f"p{n}_{i:03}" for i in range(100 if n < 5 else 37)] for n in range(1, 6)}
    statuses = []
    for n in (3, 5, 1, 3, 2):
        statuses.append(callbacks("friends", _page(n, 437, pages[n]), req=sync.request_id).status)
        sync.refresh_from_db()
        assert sync.status == "running"
    assert statuses[3] == "duplicate"
    assert sync.received == 337
    callbacks("friends", _page(4, 437, pages[4]), req=sync.request_id, encoding="json")
    sync.refresh_from_db()
    assert (sync.status, sync.received, sync.total) == ("done", 437, 437)
    assert Friend.objects.present().count() == 437
    gone.refresh_from_db()
    assert gone.removed_at is not None
    assert Friend.objects.filter(pk=gone.pk).exists()  # never deleted: its chats stay


def test_unknown_label_ids_in_a_page_become_placeholders_named_by_the_label_list(callbacks, wechat_account):
    sync = actions.start_friend_sync(account=wechat_account)
    callbacks("friends", _page(1, 2, ["a", "b"], tags={"a": "77,78", "b": "78"}), req=sync.request_id)
    assert set(Friend.objects.get(username="a").labels.values_list("label_id", flat=True)) == {77, 78}
    callbacks(
        "callbackSend",
        {
            "code": 1,
            "msg": "获取成功",
            "my_account": "damibtc",
            "info": [{"lable_id": 77, "lable_name": "朋友"}, {"lable_id": 78, "lable_name": "家人"}],
        },
    )
    assert sorted(Friend.objects.get(username="a").labels.values_list("name", flat=True)) == ["家人", "朋友"]


# --- friend actions ---------------------------------------------------------------------------------


def test_delete_asks_to_confirm_then_sends_and_c7_marks_the_friend_removed(
    operator_client, callbacks, wechat_account, friends
):
    friend = friends["zhangsan"]
    data = {"friends": [friend.pk], "action": "delete"}
    confirm = operator_client.post(url("bulk", wechat_account), data)
    assert confirm.status_code == 200 and "张三" in confirm.content.decode()
    assert OutboxEntry.objects.count() == 0
    done = operator_client.post(url("bulk", wechat_account), {**data, "confirmed": "1"})
    assert done.status_code == 302
    (entry,) = entries("delete_friend")
    assert entry.params["to_account"] == "zhangsan" and entry.subject == f"contacts.Friend:{friend.pk}"
    callbacks(
        "delfriendlog", {"code": 0, "msg": "删除成功", "data": [{"to_account": "zhangsan", "form_account": "damibtc"}]}
    )
    friend.refresh_from_db()
    assert friend.removed_at is not None
    assert "zhangsan" not in names(operator_client.get(url("friends", wechat_account)))


def test_c3_new_friend_appears_in_the_list(operator_client, callbacks, wechat_account):
    callbacks(
        "addfriendlog",
        {
            "data": {
                "uid": 1,
                "my_account": "damibtc",
                "to_account": "newbie",
                "data": {"name": "新朋友", "sex": 2, "area": "", "thumb": "", "type": 2, "time": 1565861411, "v1": ""},
            }
        },
    )
    assert "newbie" in names(operator_client.get(url("friends", wechat_account), {"q": "新朋友"}))


def test_zombie_check_is_one_call_per_friend_and_results_are_filterable(
    operator_client, callbacks, wechat_account, friends
):
    selected = [friends["zhangsan"], friends["lisi"]]
    operator_client.post(url("bulk", wechat_account), {"friends": [f.pk for f in selected], "action": "zombie"})
    calls = entries("check_zombie")
    assert [e.params["account"] for e in calls] == ["zhangsan", "lisi"]
    for entry, flag in zip(calls, (1, 0), strict=True):
        query = dict(part.split("=") for part in entry.params["callback_url"].split("?")[1].split("&"))
        callbacks("zombie", {"code": 1, "msg": "检测完成", "account": query["account"], "is_zombie": flag}, **query)
    assert names(operator_client.get(url("friends", wechat_account), {"show": "zombies"})) == ["zhangsan"]
    assert Friend.objects.get(username="lisi").is_zombie is False
    response = operator_client.post(url("friend_zombie", wechat_account, friends["wangwu"].pk))
    assert response.status_code == 302 and len(entries("check_zombie")) == 3


def test_friend_detail_shows_the_profile_and_a_chat_button(operator_client, wechat_account, friends):
    html = operator_client.get(url("friend", wechat_account, friends["lisi"].pk)).content.decode()
    assert "李四" in html and "wxid_ls" in html and "北京" in html
    assert "Chat" in html or "聊天" in html


# --- labels ----------------------------------------------------------------------------------------


def test_adding_a_label_to_many_friends_is_one_call_per_resulting_set(operator_client, wechat_account, friends, labels):
    selected = [friends[n] for n in ("zhangsan", "lisi", "wangwu", "alice_w")]
    operator_client.post(
        url("bulk", wechat_account),
        {"friends": [f.pk for f in selected], "action": "add_label", "label": labels["VIP"].pk},
    )
    sets = sorted((tuple(e.params["label_ids"]), tuple(e.params["accounts"])) for e in entries("update_labels"))
    # lisi already has VIP: nothing to send for her
    assert sets == [((11, 13), ("zhangsan",)), ((12, 13), ("alice_w",)), ((13,), ("wangwu",))]


def test_removing_the_last_label_is_refused_with_a_message(operator_client, wechat_account, friends, labels):
    selected = [friends["zhangsan"], friends["lisi"]]
    response = operator_client.post(
        url("bulk", wechat_account),
        {"friends": [f.pk for f in selected], "action": "remove_label", "label": labels["客户"].pk},
        follow=True,
    )
    (entry,) = entries("update_labels")
    assert entry.params["accounts"] == ["lisi"] and entry.params["label_ids"] == [13]
    assert "张三" in response.content.decode()  # named in the warning


def test_c17_assignment_result_sets_the_friends_labels(operator_client, callbacks, wechat_account, friends, labels):
    operator_client.post(
        url("friend_labels", wechat_account, friends["wangwu"].pk), {"labels": [labels["同事"].pk, labels["VIP"].pk]}
    )
    (entry,) = entries("update_labels")
    rows = [{"lable_id": i, "account": "wangwu", "lable_name": n} for i, n in ((12, "同事"), (13, "VIP"))]
    query = dict(part.split("=") for part in entry.params["callback_url"].split("?")[1].split("&"))
    callbacks("labels", {"code": 1, "info": rows, "msg": "修改成功"}, **query)
    assert sorted(friends["wangwu"].labels.values_list("name", flat=True)) == ["VIP", "同事"]


def test_create_several_labels_then_c17_shows_them(operator_client, callbacks, wechat_account):
    operator_client.post(url("labels_create", wechat_account), {"names": "朋友，家人\n客户"})
    (entry,) = entries("add_labels")
    assert entry.params["names"] == ["朋友", "家人", "客户"]
    rows = [{"lable_id": 50 + i, "account": "damibtc", "lable_name": n} for i, n in enumerate(entry.params["names"])]
    callbacks("labels", {"code": 1, "info": rows, "msg": "创建成功"}, my_account="damibtc")
    html = operator_client.get(url("labels", wechat_account)).content.decode()
    assert all(n in html for n in ("朋友", "家人", "客户"))


def test_rename_creates_moves_and_deletes_through_the_callbacks(
    operator_client, callbacks, wechat_account, friends, labels
):
    old = labels["客户"]
    operator_client.post(url("label_rename", wechat_account, old.pk), {"name": "大客户"})
    rename = LabelRename.objects.get()
    (create,) = entries("add_labels")
    assert create.params["names"] == ["大客户"] and f"req={rename.request_id}" in create.params["callback_url"]
    callbacks(
        "labels",
        {"code": 1, "info": [{"lable_id": 99, "account": "damibtc", "lable_name": "大客户"}], "msg": "创建成功"},
        req=rename.request_id,
        my_account="damibtc",
    )
    rename.refresh_from_db()
    assert rename.status == "moving" and rename.new_provider_id == 99
    moves = sorted((tuple(e.params["label_ids"]), tuple(e.params["accounts"])) for e in entries("update_labels"))
    assert moves == [((13, 99), ("lisi",)), ((99,), ("zhangsan",))]
    (delete,) = entries("delete_labels")
    assert delete.params["label_ids"] == [11]
    assert [e.method for e in entries()][-1] == "delete_labels"  # after the moves, in the account's FIFO
    for entry in entries("update_labels"):
        rows = [
            {"lable_id": i, "account": a, "lable_name": ""}
            for a in entry.params["accounts"]
            for i in entry.params["label_ids"]
        ]
        query = dict(part.split("=") for part in entry.params["callback_url"].split("?")[1].split("&"))
        callbacks("labels", {"code": 1, "info": rows, "msg": "修改成功"}, **query)
    query = dict(part.split("=") for part in delete.params["callback_url"].split("?")[1].split("&"))
    callbacks("labels-deleted", {"code": 1, "msg": "删除成功", "lable_id": "11"}, **query)
    rename.refresh_from_db()
    assert rename.status == "done"
    assert not Label.objects.filter(pk=old.pk).exists()
    assert sorted(Label.objects.get(label_id=99).friends.values_list("username", flat=True)) == ["lisi", "zhangsan"]
    assert sorted(Friend.objects.get(username="lisi").labels.values_list("name", flat=True)) == ["VIP", "大客户"]


def test_delete_label_asks_to_confirm_and_the_result_removes_it(operator_client, callbacks, wechat_account, labels):
    label = labels["同事"]
    confirm = operator_client.post(url("label_delete", wechat_account, label.pk))
    assert confirm.status_code == 200 and OutboxEntry.objects.count() == 0
    operator_client.post(url("label_delete", wechat_account, label.pk), {"confirmed": "1"})
    (entry,) = entries("delete_labels")
    query = dict(part.split("=") for part in entry.params["callback_url"].split("?")[1].split("&"))
    callbacks("labels-deleted", {"code": 1, "msg": "删除成功", "lable_id": "12"}, **query)
    assert not Label.objects.filter(pk=label.pk).exists()


def test_refresh_labels_asks_for_the_list(operator_client, wechat_account):
    operator_client.post(url("labels_refresh", wechat_account))
    assert [e.params for e in entries("get_labels")] == [{"my_account": "damibtc", "tags": ""}]


# --- invitations, lookups ------------------------------------------------------------------------------


def test_invites_are_one_entry_per_target_and_show_each_result(operator_client, callbacks, wechat_account):
    response = operator_client.post(
        url("invites_create", wechat_account),
        {"targets": "alice, 13800138000\nbob alice", "greeting": "你好，我是小王"},
    )
    assert response.status_code == 302
    invites = list(FriendInvite.objects.order_by("pk"))
    assert [i.target for i in invites] == ["alice", "13800138000", "bob"]
    calls = entries("add_friends")
    assert [c.params["accounts"] for c in calls] == [["alice"], ["13800138000"], ["bob"]]
    assert calls[0].params["extend"] == f"invite:{invites[0].pk}"
    calls[0].status = OutboxEntry.Status.SENT
    invite_result(calls[0])
    calls[1].status, calls[1].last_error = OutboxEntry.Status.FAILED, "微信号不存在"
    calls[1].save()
    invite_result(calls[1])
    callbacks(
        "callbackSend",
        {"code": 1, "msg": "好友申请已发送", "extend": calls[0].params["extend"], "my_account": "damibtc"},
    )
    html = operator_client.get(url("invites", wechat_account)).content.decode()
    assert "微信号不存在" in html and "好友申请已发送" in html
    assert reverse("contacts:retry", args=[wechat_account.pk, calls[1].pk]) in html
    operator_client.post(reverse("contacts:retry", args=[wechat_account.pk, calls[1].pk]))
    calls[1].refresh_from_db()
    assert calls[1].status == "queued"
    assert FriendInvite.objects.get(target="13800138000").status == "queued"


def test_invite_form_errors_are_shown(operator_client, wechat_account):
    response = operator_client.post(url("invites_create", wechat_account), {"targets": " , ", "greeting": "hi"})
    assert response.status_code == 400 and OutboxEntry.objects.count() == 0


def test_lookup_shows_the_c8_result_with_a_request_button(operator_client, callbacks, wechat_account):
    response = operator_client.post(url("lookup_create", wechat_account), {"query": "damibtc2"})
    lookup = ContactLookup.objects.get()
    assert response["Location"] == url("lookup_result", wechat_account, lookup.pk)
    (entry,) = entries("lookup_account")
    assert entry.params == {"my_account": "damibtc", "account": "damibtc2", "extend": lookup.extend}
    waiting = operator_client.get(response["Location"], HTTP_HX_TARGET="lookup-result", **HTMX).content.decode()
    assert 'hx-trigger="every 1s"' in waiting
    callbacks(
        "callbackSend",
        {
            "account": "damibtc2",
            "account_alias": "wxid_x2",
            "area": "福建福州",
            "extend": lookup.extend,
            "header_url": "http://wx.qlogo.cn/x/132",
            "myAccount": "damibtc",
            "nickName": "Gu🦑",
            "sex": 2,
            "type": 2,
        },
    )
    html = operator_client.get(response["Location"]).content.decode()
    assert "Gu🦑" in html and "福建福州" in html and "every 1s" not in html
    assert url("invites", wechat_account) + "?to=damibtc2" in html


# --- friend requests ------------------------------------------------------------------------------------


def _c6(account="cat01", nickname="一只猫"):
    return {
        "account": account,
        "my_account": "damibtc",
        "account_alias": f"wxid_{account}",
        "encodeUserName": "v1_abc@stranger",
        "nickname": nickname,
        "sex": "0",
        "headHDImgUrl": "",
        "check_msg": "我是一只猫",
        "source": "通过群聊添加",
        "sourceNickname": "介绍人",
        "sourceAccount": "ref01",
        "sourceGroupNumber": "2215@chatroom",
    }


def test_incoming_request_lands_in_the_inbox_with_its_details_and_badge(operator_client, callbacks, wechat_account):
    callbacks("newfriendlog", _c6())
    html = operator_client.get(url("requests", wechat_account)).content.decode()
    for text in ("一只猫", "我是一只猫", "通过群聊添加", "介绍人", "2215@chatroom"):
        assert text in html
    badge = operator_client.get(url("requests_badge", wechat_account), **HTMX)
    assert 'data-count="1"' in badge.content.decode()


def test_accept_moves_the_request_out_of_pending_and_c3_adds_the_friend(operator_client, callbacks, wechat_account):
    callbacks("newfriendlog", _c6("cat01"))
    callbacks("newfriendlog", _c6("dog02", "一只狗"))
    pending = list(FriendRequest.objects.order_by("username"))
    operator_client.post(url("requests_accept", wechat_account), {"requests": [r.pk for r in pending]})
    operator_client.post(url("requests_accept", wechat_account), {"requests": [pending[0].pk]})  # double click
    calls = entries("accept_friend")
    assert sorted(c.params["account"] for c in calls) == ["cat01", "dog02"]
    cat = next(c for c in calls if c.params["account"] == "cat01")
    cat.status = OutboxEntry.Status.SENT
    friend_request_result(cat)
    callbacks(
        "addfriendlog",
        {
            "data": {
                "uid": 9,
                "my_account": "damibtc",
                "to_account": "dog02",
                "data": {"name": "一只狗", "type": 2, "time": 1},
            }
        },
    )
    assert set(FriendRequest.objects.values_list("username", "status")) == {("cat01", 1), ("dog02", 1)}
    assert "一只猫" not in operator_client.get(url("requests", wechat_account)).content.decode()
    assert Friend.objects.filter(username="dog02", removed_at=None).exists()


def test_reconcile_takes_the_providers_list(operator_client, wechat_account):
    FriendRequest.objects.create(account=wechat_account, username="cat01", nickname="一只猫")
    operator_client.post(url("requests_reconcile", wechat_account), {"status": "-1"})
    (entry,) = entries("friend_requests")
    assert entry.params == {"my_account": "damibtc", "status": -1}
    entry.status = OutboxEntry.Status.SENT
    entry.response = [
        {
            "id": 5,
            "my_account": "damibtc",
            "account": "cat01",
            "nickname": "一只猫",
            "status": 2,
            "start_time": 1700000000,
        },
        {"id": 6, "my_account": "damibtc", "account": "fox03", "nickname": "狐狸", "status": 0, "check_msg": "hi"},
    ]
    friend_request_result(entry)
    assert dict(FriendRequest.objects.values_list("username", "status")) == {"cat01": 2, "fox03": 0}
    assert FriendRequest.objects.get(username="fox03").greeting == "hi"
