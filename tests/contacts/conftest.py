"""Helpers for the contacts tests: logged-in clients, friends and labels, callbacks posted to the view."""

import json
from urllib.parse import urlencode

import pytest

from contacts.models import Friend, Label
from tests.helpers import wait_until  # noqa: F401 - re-exported for the contacts tests

SECRET = "contacts-test-secret"


@pytest.fixture
def callbacks(settings):
    """post(channel, payload, **query): a provider callback through the real view, processed inline."""
    settings.CALLBACK_SECRET = SECRET
    settings.CALLBACK_PROCESS_INLINE = True
    settings.PUBLIC_BASE_URL = "http://console.test"

    from django.test import Client

    client = Client()

    def post(channel, payload, encoding="form-json", **query):
        path = f"/callbacks/{SECRET}/{channel}/"
        if query:
            path += "?" + urlencode(query)
        if encoding == "json":
            body, content_type = json.dumps(payload, ensure_ascii=False).encode(), "application/json"
        else:
            fields = [
                (key, json.dumps(value, ensure_ascii=False) if isinstance(value, dict | list) else str(value))
                for key, value in payload.items()
            ]
            body, content_type = urlencode(fields).encode(), "application/x-www-form-urlencoded"
        response = client.post(path, data=body, content_type=content_type)
        assert response.status_code == 200
        from provider.models import CallbackDelivery

        return CallbackDelivery.objects.order_by("-pk").first()

    return post


@pytest.fixture
def operator_client(client, operator):
    client.force_login(operator)
    return client


@pytest.fixture
def outsider_client(client, outsider):
    client.force_login(outsider)
    return client


@pytest.fixture
def labels(wechat_account):
    return {
        name: Label.objects.create(account=wechat_account, label_id=i, name=name)
        for i, name in ((11, "客户"), (12, "同事"), (13, "VIP"))
    }


@pytest.fixture
def friends(wechat_account, labels):
    rows = [
        ("zhangsan", "wxid_zs", "张三", "老张", 1, "广东 深圳", ["客户"]),
        ("lisi", "wxid_ls", "李四", "", 2, "北京", ["客户", "VIP"]),
        ("wangwu", "wxid_ww", "王五", "同学", 1, "上海", []),
        ("alice_w", "wxid_al", "Alice", "", 2, "Shanghai", ["同事"]),
    ]
    out = {}
    for username, wxid, nickname, remark, sex, area, names in rows:
        friend = Friend.objects.create(
            account=wechat_account, username=username, wxid=wxid, nickname=nickname, remark=remark, sex=sex, area=area
        )
        friend.labels.set([labels[name] for name in names])
        out[username] = friend
    return out


@pytest.fixture(autouse=True)
def _english(english):
    """The assertions read the English source strings (the default language is Simplified Chinese)."""
