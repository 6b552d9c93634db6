"""Helpers for the groups tests: a live console + worker + simulator world, logged-in clients."""

import pytest
from django.test import Client

from groups.models import Group
from tests.helpers import wait_until  # noqa: F401 - re-exported for the groups tests

HX = {"HTTP_HX_REQUEST": "true"}


def login(user):
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def operator_client(operator):
    return login(operator)


@pytest.fixture
def outsider_client(outsider):
    return login(outsider)


@pytest.fixture
def group(wechat_account):
    return Group.objects.create(
        account=wechat_account, number="237576396656@chatroom", name="周末爬山群", owner="damibtc"
    )


@pytest.fixture
def live(console, workers, sim, wechat_account, settings):
    """The simulator knows the account (8 friends, 3 groups); a worker sends the outbox.

    The worker builds callback URLs too (a group list asks for the members of new groups), so it
    gets the console's public URL and callback secret."""
    sim.control(
        "accounts",
        {"account": wechat_account.account, "wxid": wechat_account.wxid, "name": "大米", "friends": 8, "groups": 3},
    )
    workers(PUBLIC_BASE_URL=console.url, CALLBACK_SECRET=settings.CALLBACK_SECRET)
    return wechat_account


def sim_world(sim, account):
    return sim.control(f"accounts/{account.account}")["account"]


@pytest.fixture(autouse=True)
def english(settings):
    """The assertions read the English source strings (the default language is Simplified Chinese)."""
    settings.LANGUAGE_CODE = "en"
