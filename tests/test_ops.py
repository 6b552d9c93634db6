"""Operator basics and operations endpoints: login, home page, language, admin, /healthz, /metrics."""

import re

import pytest
from django.apps import apps
from django.test import Client
from django.urls import reverse

from accounts.models import WeChatAccount
from provider.models import OutboxEntry
from tests.conftest import free_port

pytestmark = pytest.mark.django_db


@pytest.fixture
def other_account():
    return WeChatAccount.objects.create(
        account="xiaomai", wxid="wxid_other0001", nickname="小麦", status=WeChatAccount.Status.OFFLINE
    )


# --- /healthz ------------------------------------------------------------------


def test_healthz_is_200_when_database_broker_and_provider_answer(client, sim):
    response = client.get("/healthz")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["database"] == "ok"
    assert body["broker"] == "ok"
    assert body["provider"] == "ok"
    assert body["failing"] == []


def test_healthz_is_503_naming_the_provider_when_it_is_unreachable(client, settings):
    settings.PROVIDER_BASE_URL = f"http://127.0.0.1:{free_port()}"
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["failing"] == ["provider"]
    assert body["provider"] != "ok"
    assert body["database"] == "ok"


def test_healthz_is_503_naming_the_broker_when_it_is_unreachable(client, settings, sim):
    settings.CELERY_BROKER_URL = f"redis://127.0.0.1:{free_port()}/0"
    settings.CELERY_BROKER_TRANSPORT_OPTIONS = {}
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["failing"] == ["broker"]


def test_healthz_checks_the_folder_of_the_filesystem_broker(client, settings, sim, tmp_path):
    settings.CELERY_BROKER_URL = "filesystem://"
    folder = tmp_path / "out"
    settings.CELERY_BROKER_TRANSPORT_OPTIONS = {"data_folder_in": str(folder), "data_folder_out": str(folder)}
    missing = client.get("/healthz")
    assert missing.status_code == 503
    assert missing.json()["failing"] == ["broker"]
    folder.mkdir()
    assert client.get("/healthz").status_code == 200


def test_healthz_refuses_post(client):
    assert client.post("/healthz").status_code == 405


# --- /metrics ------------------------------------------------------------------

SAMPLE = re.compile(r"^(?P<name>[a-z_]+)(\{(?P<labels>[^}]*)\})? (?P<value>-?[0-9.e+]+)$")


def parse_metrics(text):
    """Prometheus text format -> {(name, frozenset(labels)): value}; fails on a malformed line."""
    samples = {}
    for line in text.splitlines():
        if not line or line.startswith("# HELP ") or line.startswith("# TYPE "):
            continue
        match = SAMPLE.match(line)
        assert match, f"malformed metrics line: {line!r}"
        labels = frozenset(re.findall(r'(\w+)="((?:[^"\\]|\\.)*)"', match["labels"] or ""))
        samples[(match["name"], labels)] = float(match["value"])
    return samples


def test_metrics_speaks_prometheus_text_with_outbox_counts_for_every_status(client, wechat_account):
    OutboxEntry.objects.create(account=wechat_account, method="send_message", status=OutboxEntry.Status.QUEUED)
    OutboxEntry.objects.create(account=wechat_account, method="send_message", status=OutboxEntry.Status.QUEUED)
    OutboxEntry.objects.create(account=wechat_account, method="send_message", status=OutboxEntry.Status.FAILED)
    from provider import metrics

    metrics.incr_callback(metrics.UNPARSED, "rejected")

    response = client.get("/metrics")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain; version=0.0.4")
    text = response.content.decode()
    for name, kind in [
        ("wxconsole_callbacks_total", "counter"),
        ("wxconsole_messages_total", "counter"),
        ("wxconsole_outbox", "gauge"),
    ]:
        assert f"# HELP {name} " in text
        assert f"# TYPE {name} {kind}\n" in text
    samples = parse_metrics(text)
    outbox = {dict(labels)["status"]: v for (name, labels), v in samples.items() if name == "wxconsole_outbox"}
    assert outbox == {"queued": 2, "sending": 0, "sent": 0, "failed": 1}
    directions = {dict(labels)["direction"] for (name, labels) in samples if name == "wxconsole_messages_total"}
    assert directions >= {"in", "out"}
    for name, labels in samples:
        if name == "wxconsole_callbacks_total":
            assert {key for key, _ in labels} == {"kind", "outcome"}
            assert dict(labels)["outcome"] in {"processed", "duplicate", "failed", "rejected", "ignored"}
    assert samples[("wxconsole_callbacks_total", frozenset({("kind", "unparsed"), ("outcome", "rejected")}))] >= 1


def test_metrics_counts_processed_message_callbacks(client, console, sim, wechat_account):
    """A message delivered by the simulator shows up in the callback and message counters."""
    before = parse_metrics(client.get("/metrics").content.decode())
    sim.control("accounts", {"account": wechat_account.account, "wxid": wechat_account.wxid, "friends": 1})
    sim.control("message", {"my_account": wechat_account.account, "from": "friend_one", "content": "你好"})

    def counted():
        after = parse_metrics(client.get("/metrics").content.decode())
        key = ("wxconsole_messages_total", frozenset({("direction", "in")}))
        return after.get(key, 0) > before.get(key, 0) and after

    after = sim.wait_for(counted)
    processed = [
        v
        for (name, labels), v in after.items()
        if name == "wxconsole_callbacks_total" and ("outcome", "processed") in labels
    ]
    assert sum(processed) >= 1


def test_metrics_is_refused_to_other_addresses_without_the_token(client, settings):
    settings.METRICS_TOKEN = "metrics-secret"
    response = client.get("/metrics", REMOTE_ADDR="203.0.113.7")
    assert response.status_code == 403


def test_metrics_is_served_to_other_addresses_with_the_bearer_token(client, settings):
    settings.METRICS_TOKEN = "metrics-secret"
    response = client.get("/metrics", REMOTE_ADDR="203.0.113.7", HTTP_AUTHORIZATION="Bearer metrics-secret")
    assert response.status_code == 200
    assert "wxconsole_outbox" in response.content.decode()


def test_metrics_rejects_a_wrong_token(client, settings):
    settings.METRICS_TOKEN = "metrics-secret"
    response = client.get("/metrics", REMOTE_ADDR="203.0.113.7", HTTP_AUTHORIZATION="Bearer metrics-secreT")
    assert response.status_code == 403


def test_metrics_without_a_configured_token_is_loopback_only(client, settings):
    settings.METRICS_TOKEN = ""
    response = client.get("/metrics", REMOTE_ADDR="203.0.113.7", HTTP_AUTHORIZATION="Bearer ")
    assert response.status_code == 403
    assert client.get("/metrics", REMOTE_ADDR="::1").status_code == 200


# --- Login and the home page ------------------------------------------------------


def test_home_requires_login(client):
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_home_refuses_post(client, operator):
    client.force_login(operator)
    assert client.post("/").status_code == 405


def test_login_page_logs_an_operator_in(client, operator):
    page = client.get(reverse("login"))
    assert page.status_code == 200
    assert b'name="csrfmiddlewaretoken"' in page.content
    response = client.post(reverse("login"), {"username": "bob", "password": "pw-bob-123"})
    assert response.status_code == 302
    assert response["Location"] == reverse("home")


def test_login_locks_out_after_repeated_failures_with_a_translated_page(client, operator, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("login"), {"username": "bob", "password": "wrong"})
    response = client.post(reverse("login"), {"username": "bob", "password": "pw-bob-123"})
    assert response.status_code == 429
    assert "登录失败次数过多" in response.content.decode()


def test_operator_sees_only_his_accounts(client, operator, wechat_account, other_account):
    client.force_login(operator)
    response = client.get("/")
    assert list(response.context["accounts"]) == [wechat_account]
    html = response.content.decode()
    assert "wxid_7mx5bzt1qz12" in html
    assert "wxid_other0001" not in html


def test_operator_without_accounts_sees_the_empty_state(client, outsider, wechat_account, other_account):
    client.force_login(outsider)
    response = client.get("/")
    assert list(response.context["accounts"]) == []
    assert "wxid_7mx5bzt1qz12" not in response.content.decode()
    assert 'class="card empty"' in response.content.decode()


def test_admin_sees_every_account(client, admin_user, wechat_account, other_account):
    client.force_login(admin_user)
    response = client.get("/")
    assert set(response.context["accounts"]) == {wechat_account, other_account}


def test_home_flags_an_account_that_went_offline_unexpectedly(client, admin_user, other_account):
    other_account.offline_unexpectedly = True
    other_account.save(update_fields=["offline_unexpectedly"])
    client.force_login(admin_user)
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    html = client.get("/").content.decode()
    assert "Went offline unexpectedly" in html
    assert "badge-offline" in html


def test_home_escapes_untrusted_nicknames(client, operator, wechat_account):
    wechat_account.nickname = '<script>alert("x")</script>'
    wechat_account.save(update_fields=["nickname"])
    client.force_login(operator)
    html = client.get("/").content.decode()
    assert '<script>alert("x")' not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html


def test_home_query_count_does_not_grow_with_accounts(client, admin_user, django_assert_max_num_queries):
    for i in range(20):
        WeChatAccount.objects.create(account=f"acct{i}", wxid=f"wxid_{i}", nickname=f"账号{i}")
    client.force_login(admin_user)
    with django_assert_max_num_queries(6):
        response = client.get("/")
    assert len(response.context["accounts"]) == 20


def test_layout_carries_csrf_for_htmx_and_vendored_htmx(client, operator):
    client.force_login(operator)
    html = client.get("/").content.decode()
    assert 'hx-headers=\'{"X-CSRFToken": "' in html
    assert '"allowEval":false' in html
    assert "/static/vendor/htmx.min.js" in html
    assert "cdn" not in html.lower()
    assert 'href="#main"' in html


# --- CSRF -----------------------------------------------------------------------------


def test_forms_are_csrf_protected(operator, admin_user):
    strict = Client(enforce_csrf_checks=True)
    assert strict.post(reverse("login"), {"username": "bob", "password": "pw-bob-123"}).status_code == 403
    strict.force_login(admin_user)
    assert strict.post(reverse("register_callbacks")).status_code == 403
    assert strict.post(reverse("set_language"), {"language": "en"}).status_code == 403
    assert strict.post(reverse("logout")).status_code == 403


# --- Language -------------------------------------------------------------------------


def test_default_language_is_simplified_chinese(client, operator):
    client.force_login(operator)
    html = client.get("/").content.decode()
    assert '<html lang="zh-hans">' in html
    assert "微信账号" in html


def test_language_switch_renders_english(client, operator):
    client.force_login(operator)
    response = client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert response.status_code == 302
    html = client.get("/").content.decode()
    assert '<html lang="en">' in html
    assert "WeChat accounts" in html
    assert "微信账号" not in html


def test_login_page_renders_in_both_languages(client):
    assert "登录" in client.get(reverse("login")).content.decode()
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert "Log in" in client.get(reverse("login")).content.decode()


# --- Registering callback URLs ------------------------------------------------------


def test_register_button_is_for_admins_only(client, operator, admin_user):
    client.force_login(operator)
    assert reverse("register_callbacks") not in client.get("/").content.decode()
    assert client.post(reverse("register_callbacks")).status_code == 403
    client.force_login(admin_user)
    assert reverse("register_callbacks") in client.get("/").content.decode()


def test_register_button_refuses_get(client, admin_user):
    client.force_login(admin_user)
    assert client.get(reverse("register_callbacks")).status_code == 405


def test_register_button_sets_the_callback_urls_at_the_provider(client, admin_user, sim, settings):
    settings.PUBLIC_BASE_URL = "http://127.0.0.1:9"
    client.force_login(admin_user)
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    response = client.post(reverse("register_callbacks"), follow=True)
    assert "Callback URLs registered with the provider." in response.content.decode()
    assert sim.calls("/foreign/user/setUrl")


def test_register_button_shows_the_providers_error(client, admin_user, sim):
    sim.fault("/foreign/user/setUrl", "code0", msg="回调地址不合法")
    client.force_login(admin_user)
    response = client.post(reverse("register_callbacks"), follow=True)
    assert "回调地址不合法" in response.content.decode()


# --- Admin ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "model",
    [
        m
        for m in apps.get_models()
        if m._meta.app_label in {"provider", "accounts", "contacts", "chats", "groups", "moments"}
    ],
    ids=lambda m: m._meta.label,
)
def test_admin_lists_and_searches_every_model(client, admin_user, wechat_account, model):
    client.force_login(admin_user)
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
    assert client.get(url).status_code == 200
    assert client.get(url, {"q": "大米"}).status_code == 200


def test_admin_shows_a_callback_body_as_escaped_text(client, admin_user):
    from provider.models import CallbackDelivery

    delivery = CallbackDelivery.objects.create(
        channel="messagelog", body=b'data={"content":"<img src=x onerror=alert(1)>"}'
    )
    client.force_login(admin_user)
    html = client.get(reverse("admin:provider_callbackdelivery_change", args=[delivery.pk])).content.decode()
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    assert "<img src=x" not in html


def test_admin_replays_selected_deliveries(client, admin_user, wechat_account):
    import json

    from provider.models import CallbackDelivery

    event = {
        "my_account": "damibtc",
        "to_account": "friend_a",
        "to_name": "阿福",
        "content": "你好",
        "content_type": 1,
        "type": 2,
        "msgid": "replay-1",
    }
    delivery = CallbackDelivery.objects.create(
        channel="messagelog",
        content_type="application/json",
        body=json.dumps({"data": event}).encode(),
        status=CallbackDelivery.Status.FAILED,
    )
    client.force_login(admin_user)
    response = client.post(
        reverse("admin:provider_callbackdelivery_changelist"),
        {"action": "replay", "_selected_action": [delivery.pk]},
    )
    assert response.status_code == 302
    delivery.refresh_from_db()
    assert delivery.status == CallbackDelivery.Status.PROCESSED


def test_admin_retries_only_failed_outbox_entries(client, admin_user, wechat_account):
    failed = OutboxEntry.objects.create(account=wechat_account, method="send_message", status=OutboxEntry.Status.FAILED)
    sent = OutboxEntry.objects.create(account=wechat_account, method="send_message", status=OutboxEntry.Status.SENT)
    client.force_login(admin_user)
    response = client.post(
        reverse("admin:provider_outboxentry_changelist"),
        {"action": "retry_failed", "_selected_action": [failed.pk, sent.pk]},
    )
    assert response.status_code == 302
    failed.refresh_from_db()
    sent.refresh_from_db()
    assert failed.status == OutboxEntry.Status.QUEUED
    assert sent.status == OutboxEntry.Status.SENT
