"""Helpers for the chats tests: logged-in clients, callbacks through the real view, messages."""

import itertools
import json
from urllib.parse import urlencode

import pytest
from django.test import Client

from chats.models import Conversation, Message

SECRET = "chats-test-secret"
_ids = itertools.count(1)


@pytest.fixture
def callbacks(settings):
    """post(payload_data, group=False): one C1/C2 delivery through the callback view, processed inline."""
    settings.CALLBACK_SECRET = SECRET
    settings.CALLBACK_PROCESS_INLINE = True

    client = Client()

    def post(data, *, channel=None, encoding="form-json"):
        channel = channel or ("crowdlog" if "g_number" in data else "messagelog")
        payload = {"data": data}
        if encoding == "json":
            body, content_type = json.dumps(payload, ensure_ascii=False).encode(), "application/json"
        else:
            body = urlencode({"data": json.dumps(data, ensure_ascii=False)}).encode()
            content_type = "application/x-www-form-urlencoded"
        response = client.post(f"/callbacks/{SECRET}/{channel}/", data=body, content_type=content_type)
        assert response.status_code == 200
        from provider.models import CallbackDelivery

        return CallbackDelivery.objects.order_by("-pk").first()

    return post


def c1(
    content, *, content_type=1, frm="wxid_friend01", name="顾客甲", msgid=None, type_=2, my_account="damibtc", **extra
):
    """A C1 payload (single chat) as the simulator sends it."""
    return {
        "my_account": my_account,
        "my_name": "大米",
        "to_account": frm,
        "to_name": name,
        "content": content,
        "content_type": content_type,
        "file_name": extra.pop("file_name", ""),
        "voice_len": extra.pop("voice_len", 0),
        "type": type_,
        "msgid": msgid if msgid is not None else f"m-{next(_ids)}",
        **extra,
    }


def c2(content, *, group="237576396656@chatroom", frm="wxid_member01", name="李四", msgid=None, **extra):
    data = c1(content, frm=frm, name=name, msgid=msgid, **extra)
    data.update({"g_number": group, "g_name": "周末爬山群", "to_account_alias": frm, "msg_source": ""})
    return data


def login(user, password=None):
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def operator_client(operator):
    return login(operator, "pw-bob-123")


@pytest.fixture
def outsider_client(outsider):
    return login(outsider, "pw-charlie-123")


@pytest.fixture
def admin_client(admin_user):
    return login(admin_user, "pw-alice-123")


@pytest.fixture
def conversation(wechat_account):
    return Conversation.objects.create(account=wechat_account, peer="wxid_friend01", title="顾客甲")


def add_messages(conversation, n, *, start=0, direction=Message.Direction.IN):
    from datetime import timedelta

    from django.utils import timezone

    base = timezone.now() - timedelta(days=1)
    return Message.objects.bulk_create(
        [
            Message(
                account_id=conversation.account_id,
                conversation=conversation,
                msgid=f"bulk-{conversation.pk}-{i}",
                direction=direction,
                content=f"消息 {i}",
                sent_at=base + timedelta(seconds=i),
            )
            for i in range(start, start + n)
        ]
    )


@pytest.fixture(autouse=True)
def _english(english):
    """The assertions read the English source strings (the default language is Simplified Chinese)."""
