"""The outbox: recorded before sent, retried, ordered and rate limited, against the simulator over HTTP.

Tests marked `worker` start real Celery worker processes (`celery -A config worker
--pool=solo`) on the test database; the rest call provider.outbox in this process.
"""

import os
import sqlite3
import subprocess
import sys
import textwrap
import threading
import time
import uuid
from datetime import datetime
from pathlib import Path

import pytest
from django.db import connection, connections, transaction

from provider import outbox, ratelimit
from provider.models import OutboxEntry
from tests.conftest import ROOT, free_port
from tests.workers import WORKER_ENV, start_worker, worker_database_url

CELERY = str(Path(sys.executable).parent / "celery")
SEND_PATH = "/foreign/message/send"
Status = OutboxEntry.Status

# --- Helpers -------------------------------------------------------------------------


def call_times(calls):
    """Seconds (float) of each recorded simulator call."""
    out = []
    for call in calls:
        at = call["at"]
        if isinstance(at, (int, float)):
            out.append(float(at))
        else:
            out.append(datetime.fromisoformat(str(at).replace("Z", "+00:00")).timestamp())
    return out


def wait_for_status(entry, *statuses, timeout=20.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        entry.refresh_from_db()
        if entry.status in statuses:
            return entry
        time.sleep(0.05)
    pytest.fail(f"entry {entry.pk} is {entry.status} (attempts {entry.attempts}, {entry.last_error!r}), not {statuses}")


def send(account, content, **kwargs):
    return outbox.enqueue(
        method="send_message",
        params={"my_account": account.my_account, "to_account": "wxid_friend0001", "content": content},
        account=account,
        **kwargs,
    )


@pytest.fixture
def sim_account(sim, wechat_account):
    sim.control(
        "accounts",
        {"account": wechat_account.account, "wxid": wechat_account.wxid, "name": "大米", "friends": 3, "online": True},
    )
    return wechat_account


@pytest.fixture
def local_schedule(monkeypatch):
    """In-process tests: record what would go to the broker instead of sending it."""
    scheduled = []
    monkeypatch.setattr(outbox, "schedule", lambda entry_id, countdown=None: scheduled.append((entry_id, countdown)))
    return scheduled


@pytest.fixture
def fresh_buckets(sim_account):
    ratelimit.reset(outbox.rate_key(sim_account.pk))
    yield
    ratelimit.reset(outbox.rate_key(sim_account.pk))


# --- Writes ------------------------------------------------------------------------


@pytest.mark.django_db
def test_enqueue_refuses_a_method_the_client_does_not_have(wechat_account):
    with pytest.raises(ValueError, match="not a ProviderClient method"):
        outbox.enqueue(method="launch_rockets", params={}, account=wechat_account)
    with pytest.raises(ValueError, match="JSON"):
        outbox.enqueue(method="send_message", params={"content": object()}, account=wechat_account)
    assert not OutboxEntry.objects.exists()


@pytest.mark.django_db
def test_enqueue_records_everything_and_schedules_after_commit(
    wechat_account, operator, local_schedule, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        entry = send(wechat_account, "你好", operator=operator, subject="chats.Message:12")
        assert local_schedule == []  # nothing leaves before the commit
    assert len(callbacks) == 1
    assert local_schedule == [(entry.pk, None)]
    entry.refresh_from_db()
    assert (entry.status, entry.attempts, entry.operator, entry.subject) == (
        Status.QUEUED,
        0,
        operator,
        "chats.Message:12",
    )
    assert entry.params["content"] == "你好"


@pytest.mark.django_db
def test_a_double_submit_with_one_idempotency_key_is_one_entry(
    wechat_account, local_schedule, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        first = send(wechat_account, "once", idempotency_key="op-42")
    with django_capture_on_commit_callbacks(execute=True):
        second = send(wechat_account, "once", idempotency_key="op-42")
    assert first.pk == second.pk
    assert OutboxEntry.objects.count() == 1
    assert local_schedule == [(first.pk, None)]


def test_a_broker_error_in_enqueue_is_logged_and_the_row_stays(transactional_db, wechat_account, monkeypatch, caplog):
    from provider import tasks

    def broker_down(*args, **kwargs):
        from kombu.exceptions import OperationalError

        raise OperationalError("Error 111 connecting to 127.0.0.1:1. Connection refused.")

    monkeypatch.setattr(tasks.send_outbox, "apply_async", broker_down)
    entry = send(wechat_account, "kept")
    assert "the sweep will send it" in caplog.text
    entry.refresh_from_db()
    assert entry.status == Status.QUEUED


def test_backoff_is_full_jitter_under_an_exponential_cap(settings):
    settings.OUTBOX_BACKOFF_BASE = 2.0
    settings.OUTBOX_BACKOFF_MAX = 10.0
    for attempts, ceiling in [(1, 2.0), (2, 4.0), (3, 8.0), (4, 10.0), (9, 10.0)]:
        delays = [outbox.backoff_delay(attempts) for _ in range(300)]
        assert all(0 <= d <= ceiling for d in delays)
        assert max(delays) > ceiling * 0.8  # spread over the whole range, not a fixed step


# --- Sending in this process (ordering, duplicates, handlers) ----------------------


@pytest.mark.django_db
def test_result_handlers_run_in_the_transaction_that_marks_the_entry_sent(sim_account, local_schedule, monkeypatch):
    seen = []

    def handler(entry):
        seen.append((entry.pk, entry.status, connection.in_atomic_block))

    monkeypatch.setattr(outbox, "_result_handlers", {})
    outbox.register_result_handler("tests.Probe", handler)
    outbox.register_result_handler("tests.Probe", handler)  # once is enough
    entry = send(sim_account, "hello", subject="tests.Probe:7")
    other = send(sim_account, "no handler", subject="tests.Other:1")
    outbox.drain(entry.pk)
    assert seen == [(entry.pk, Status.SENT, True)]
    other.refresh_from_db()
    assert other.status == Status.SENT


@pytest.mark.django_db
def test_a_broken_result_handler_cannot_undo_the_sent_status(sim_account, local_schedule, monkeypatch):
    def handler(entry):
        raise RuntimeError("bug in an app")

    monkeypatch.setattr(outbox, "_result_handlers", {})
    outbox.register_result_handler("tests.Probe", handler)
    entry = send(sim_account, "hello", subject="tests.Probe:1")
    outbox.drain(entry.pk)
    entry.refresh_from_db()
    assert entry.status == Status.SENT
    assert entry.sent_at is not None


@pytest.mark.django_db
def test_a_later_entry_waits_behind_an_earlier_one_in_backoff(sim, sim_account, local_schedule, settings):
    settings.OUTBOX_BACKOFF_BASE = 1.5
    first = send(sim_account, "first")
    second = send(sim_account, "second")
    sim.fault(SEND_PATH, "http500", count=1)
    outbox.drain(second.pk)  # a task for the later entry starts from the account's head
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, first.attempts, second.status, second.attempts) == (Status.QUEUED, 1, Status.QUEUED, 0)
    assert first.last_error == "provider error (HTTP 500)"
    assert local_schedule[-1][0] == first.pk and local_schedule[-1][1] is not None  # a wake-up for the backoff
    OutboxEntry.objects.filter(pk=first.pk).update(next_attempt_at=first.created_at)  # the backoff has passed
    outbox.drain(first.pk)
    contents = [call["form"]["content"] for call in sim.calls(SEND_PATH)]
    assert contents == ["first", "first", "second"]
    assert set(OutboxEntry.objects.values_list("status", flat=True)) == {Status.SENT}


@pytest.mark.django_db
def test_a_duplicate_delivery_of_a_sent_or_leased_entry_calls_nothing(sim, sim_account, local_schedule):
    entry = send(sim_account, "once")
    outbox.drain(entry.pk)
    outbox.drain(entry.pk)
    assert len(sim.calls(SEND_PATH)) == 1
    leased = send(sim_account, "held by another worker")
    assert outbox._claim(leased.pk) is not None
    outbox.drain(leased.pk)
    assert len(sim.calls(SEND_PATH)) == 1
    leased.refresh_from_db()
    assert leased.status == Status.SENDING


@pytest.mark.django_db
def test_a_rate_limited_head_stays_queued_until_its_token(sim, sim_account, local_schedule, settings, fresh_buckets):
    settings.SEND_RATE_PER_MINUTE = 60
    settings.SEND_RATE_BURST = 2
    entries = [send(sim_account, f"m{i}") for i in range(3)]
    outbox.drain(entries[0].pk)
    for entry in entries:
        entry.refresh_from_db()
    assert [e.status for e in entries] == [Status.SENT, Status.SENT, Status.QUEUED]
    assert entries[2].attempts == 0
    wait = (entries[2].next_attempt_at - entries[2].updated_at).total_seconds()
    assert 0.5 < wait <= 1.01
    assert local_schedule[-1][0] == entries[2].pk and 0.5 < local_schedule[-1][1] <= 1.01


# --- Rate limit unit tests, both backends ------------------------------------------


def _burst_then_wait(key):
    ratelimit.reset(key)
    got = [ratelimit.acquire(key, rate_per_minute=60, burst=3) for _ in range(4)]
    assert got[:3] == [0, 0, 0]
    assert 0.9 < got[3] <= 1.0
    time.sleep(got[3] + 0.02)
    assert ratelimit.acquire(key, rate_per_minute=60, burst=3) == 0
    assert ratelimit.acquire(key, rate_per_minute=60, burst=3) > 0.9
    assert ratelimit.acquire(key, rate_per_minute=0, burst=3) == 0  # no limit configured


def _shared_between_threads(key):
    """8 threads for 1.5 s at 10 tokens/s, burst 5: never more than burst + rate * elapsed."""
    ratelimit.reset(key)
    granted = []
    start = time.monotonic()

    def hammer():
        try:
            while time.monotonic() - start < 1.5:
                if ratelimit.acquire(key, rate_per_minute=600, burst=5) == 0:
                    granted.append(time.monotonic() - start)
                time.sleep(0.005)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=hammer) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    granted.sort()
    for i, at in enumerate(granted, start=1):
        assert i <= 5 + 10 * at + 1, (i, at)
    assert len(granted) >= 5 + 10 * 1.5 * 0.7


@pytest.mark.django_db
def test_database_bucket_gives_a_burst_then_asks_to_wait(settings):
    settings.REDIS_URL = ""
    _burst_then_wait("test:db:burst")


def test_redis_bucket_gives_a_burst_then_asks_to_wait(settings):
    if not settings.REDIS_URL:
        pytest.skip("REDIS_URL is not set")
    _burst_then_wait(f"test:redis:{uuid.uuid4().hex}")


def test_database_bucket_is_shared_by_concurrent_workers(transactional_db, settings):
    if connection.vendor == "sqlite":
        pytest.skip("in-memory SQLite is not shared between threads the way a file is")
    settings.REDIS_URL = ""
    _shared_between_threads("test:db:shared")


def test_redis_bucket_is_shared_by_concurrent_workers(settings):
    if not settings.REDIS_URL:
        pytest.skip("REDIS_URL is not set")
    _shared_between_threads(f"test:redis:{uuid.uuid4().hex}")


# --- Real workers -------------------------------------------------------------------


@pytest.mark.worker
def test_an_entry_is_sent_and_marked_sent_with_the_provider_answer(workers, sim, sim_account, operator):
    workers()
    entry = send(sim_account, "你好，世界", operator=operator)
    wait_for_status(entry, Status.SENT, Status.FAILED)
    assert entry.status == Status.SENT
    assert entry.attempts == 1
    assert entry.response and str(entry.response.get("code")) == "1"
    assert entry.sent_at is not None and entry.lease_until is None
    calls = sim.calls(SEND_PATH)
    assert [c["form"]["content"] for c in calls] == ["你好，世界"]
    assert calls[0]["form"].get("my_account") == sim_account.my_account


@pytest.mark.worker
def test_http_500_twice_then_success_is_retried_with_backoff(workers, sim, sim_account):
    sim.fault(SEND_PATH, "http500", count=2)
    workers()
    entry = send(sim_account, "retry me")
    seen = []
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        entry.refresh_from_db()
        if entry.status == Status.QUEUED and entry.attempts and (entry.attempts, entry.next_attempt_at) not in seen:
            seen.append((entry.attempts, entry.next_attempt_at))
        if entry.status in (Status.SENT, Status.FAILED):
            break
        time.sleep(0.01)
    assert entry.status == Status.SENT
    assert entry.attempts == 3
    assert entry.last_error == "provider error (HTTP 500)"  # kept from the last failed attempt
    times = call_times(sim.calls(SEND_PATH))
    assert len(times) == 3
    # Two waits, each within the full-jitter ceiling: 1.5**1 and 1.5**2 (plus scheduling slack).
    assert times[1] - times[0] <= 1.5 + 1.0
    assert times[2] - times[1] <= 2.0 + 1.0
    # Every observed retry was scheduled later than the one before.
    assert [a for a, _ in seen] == sorted(a for a, _ in seen)
    next_times = [n for _, n in seen]
    assert next_times == sorted(next_times)
    assert len(seen) >= 1


@pytest.mark.worker
def test_a_timeout_is_retried(workers, sim, sim_account):
    sim.fault(SEND_PATH, "timeout", count=1, delay=2)
    workers(PROVIDER_READ_TIMEOUT=0.7)
    entry = send(sim_account, "slow")
    wait_for_status(entry, Status.SENT, Status.FAILED, timeout=25)
    assert entry.status == Status.SENT
    assert entry.attempts >= 2
    assert "timed out" in entry.last_error


@pytest.mark.worker
def test_code0_fails_after_one_call_with_the_provider_message_and_retry_by_hand_sends_it(
    workers, sim, sim_account, operator, admin_user
):
    sim.fault(SEND_PATH, "code0", count=1, msg="对方不是你的好友")
    workers()
    entry = send(sim_account, "are we friends", operator=operator)
    wait_for_status(entry, Status.FAILED, Status.SENT)
    assert entry.status == Status.FAILED
    assert entry.last_error == "对方不是你的好友"
    assert entry.response and entry.response.get("msg") == "对方不是你的好友"
    time.sleep(0.5)
    assert len(sim.calls(SEND_PATH)) == 1  # never retried automatically
    assert entry.attempts == 1

    outbox.retry(entry, operator=admin_user)
    wait_for_status(entry, Status.SENT, Status.FAILED)
    assert entry.status == Status.SENT
    assert entry.operator == admin_user
    assert len(sim.calls(SEND_PATH)) == 2
    with pytest.raises(ValueError, match="sent already"):
        outbox.retry(entry)


@pytest.mark.worker
def test_a_worker_killed_mid_send_is_finished_by_another_worker(workers, sim, sim_account):
    lease = {"OUTBOX_LEASE_SECONDS": 2, "PROVIDER_READ_TIMEOUT": 10}
    sim.fault(SEND_PATH, "timeout", count=1, delay=4)
    first = workers(**lease)
    entry = send(sim_account, "survive a kill")
    sim.wait_for(lambda: sim.calls(SEND_PATH), timeout=15)  # the worker is inside the HTTP call
    entry.refresh_from_db()
    assert entry.status == Status.SENDING
    first.kill()

    workers(**lease)
    time.sleep(2.2)  # the dead worker's lease runs out
    assert outbox.sweep() == 1
    wait_for_status(entry, Status.SENT, Status.FAILED, timeout=20)
    assert entry.status == Status.SENT
    assert entry.attempts == 2
    # The at-least-once window: the provider saw the killed attempt too.
    assert [c["form"]["content"] for c in sim.calls(SEND_PATH)] == ["survive a kill"] * 2


@pytest.mark.worker
def test_an_entry_written_while_the_broker_was_down_is_sent_after_the_sweep(workers, sim, sim_account, settings):
    workers()
    closed_port = free_port()
    script = textwrap.dedent(f"""
        from accounts.models import WeChatAccount
        from provider import outbox
        account = WeChatAccount.objects.get(pk={sim_account.pk})
        entry = outbox.enqueue(method="send_message", account=account,
                               params={{"my_account": account.my_account, "to_account": "wxid_x", "content": "late"}})
        print("ENTRY", entry.pk)
    """)
    env = {
        **os.environ,
        "DATABASE_URL": worker_database_url(),
        "CELERY_BROKER_URL": f"redis://127.0.0.1:{closed_port}/0",
    }
    done = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", script],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert "the sweep will send it" in done.stderr
    entry = OutboxEntry.objects.get(pk=int(done.stdout.split("ENTRY")[1].split()[0]))
    time.sleep(1.0)
    entry.refresh_from_db()
    assert entry.status == Status.QUEUED and sim.calls(SEND_PATH) == []

    settings.OUTBOX_SWEEP_AFTER_SECONDS = 0
    assert outbox.sweep() == 1
    wait_for_status(entry, Status.SENT, Status.FAILED)
    assert entry.status == Status.SENT
    assert len(sim.calls(SEND_PATH)) == 1


@pytest.mark.worker
def test_one_idempotency_key_is_one_entry_and_one_provider_call(workers, sim, sim_account):
    workers()
    first = send(sim_account, "double click", idempotency_key="form-7f3a")
    second = send(sim_account, "double click", idempotency_key="form-7f3a")
    assert first.pk == second.pk
    wait_for_status(first, Status.SENT, Status.FAILED)
    third = send(sim_account, "double click", idempotency_key="form-7f3a")
    assert third.pk == first.pk
    time.sleep(0.5)
    assert OutboxEntry.objects.count() == 1
    assert len(sim.calls(SEND_PATH)) == 1


@pytest.mark.worker
def test_the_rate_limit_holds_across_two_workers_and_keeps_creation_order(workers, sim, sim_account, fresh_buckets):
    rate = {"SEND_RATE_PER_MINUTE": 60, "SEND_RATE_BURST": 3}
    one, two = workers(**rate), workers(**rate)
    with transaction.atomic():
        entries = [send(sim_account, f"m{i:02d}") for i in range(12)]
    for entry in entries:
        wait_for_status(entry, Status.SENT, Status.FAILED, timeout=30)
    assert {e.status for e in entries} == {Status.SENT}

    calls = sim.calls(SEND_PATH)
    assert [c["form"]["content"] for c in calls] == [f"m{i:02d}" for i in range(12)]
    times = call_times(calls)
    for i, at in enumerate(times, start=1):
        assert i <= 3 + (at - times[0]) * 1.0 + 0.25, f"call {i} at +{at - times[0]:.2f}s exceeds the rate"
    assert times[-1] - times[0] >= 12 - 3 - 1  # it really waited
    sent_order = sorted(entries, key=lambda e: (e.sent_at, e.pk))
    assert [e.pk for e in sent_order] == [e.pk for e in entries]
    assert all("send_outbox" in w.output() for w in (one, two)), "both workers took part"


@pytest.mark.worker
def test_embedded_default_sqlite_and_filesystem_broker_send_with_a_real_worker(db, sim, tmp_path):
    """No DATABASE_URL service, no Redis: a SQLite file and the file-system broker, as `make run` has."""
    db = tmp_path / "embedded.sqlite3"
    env = {name: value for name, value in os.environ.items() if name not in ("DATABASE_URL", "REDIS_URL")}
    env.update(WORKER_ENV)
    env.update(
        {
            "DATABASE_URL": f"sqlite:///{db}",
            "CELERY_BROKER_DIR": str(tmp_path / "broker"),
            "PROVIDER_BASE_URL": sim.base_url,
        }
    )
    for command in (["migrate", "--noinput", "-v0"], ["createcachetable"]):
        done = subprocess.run(
            [sys.executable, "manage.py", *command], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
        )
        assert done.returncode == 0, done.stderr
    sim.control("accounts", {"account": "embedded1", "wxid": "wxid_embedded1", "friends": 1, "online": True})
    worker = start_worker(env, tmp_path / "embedded-worker.log", "embedded")
    try:
        script = textwrap.dedent("""
            from accounts.models import WeChatAccount
            from provider import outbox
            account = WeChatAccount.objects.create(account="embedded1", wxid="wxid_embedded1", status="online")
            entry = outbox.enqueue(method="send_message", account=account,
                                   params={"my_account": "embedded1", "to_account": "wxid_x", "content": "嵌入"})
            print("ENTRY", entry.pk)
        """)
        done = subprocess.run(
            [sys.executable, "manage.py", "shell", "-c", script],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert done.returncode == 0, done.stderr
        entry_id = int(done.stdout.split("ENTRY")[1].split()[0])
        deadline = time.monotonic() + 30
        status = None
        while time.monotonic() < deadline:
            with sqlite3.connect(db, timeout=5) as conn:
                status, attempts = conn.execute(
                    "SELECT status, attempts FROM provider_outboxentry WHERE id = ?", (entry_id,)
                ).fetchone()
            if status in ("sent", "failed"):
                break
            time.sleep(0.1)
        assert status == "sent", worker.output()[-3000:]
        assert [c["form"]["content"] for c in sim.calls(SEND_PATH)] == ["嵌入"]
    finally:
        worker.stop()
