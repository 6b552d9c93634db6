"""Shared fixtures: the simulator over real HTTP, personas, a console reachable by callbacks."""

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.workers import WORKER_ENV, start_worker, worker_database_url

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "tests" / "artifacts"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Simulator:
    """Handle on a running simulator process: its base URL and its /_sim control API."""

    phone = "13800000000"
    password = "simulator"

    def __init__(self, base_url):
        self.base_url = base_url

    def control(self, path, payload=None, method=None):
        data = None if payload is None else json.dumps(payload).encode()
        method = method or ("GET" if payload is None else "POST")
        req = urllib.request.Request(
            f"{self.base_url}/_sim/{path.lstrip('/')}",
            data=data,
            method=method,
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(req, timeout=10) as resp:  # noqa: S310 - loopback only
            return json.loads(resp.read().decode())

    def reset(self):
        return self.control("reset", {})

    def calls(self, path=None):
        suffix = f"calls?path={path}" if path else "calls"
        return self.control(suffix)["calls"]

    def deliveries(self):
        return self.control("deliveries")["deliveries"]

    def fault(self, path, kind, count=1, **extra):
        return self.control("faults", {"path": path, "kind": kind, "count": count, **extra})

    def wait_for(self, predicate, timeout=10.0, interval=0.05):
        """Poll predicate() until it is truthy; return its value or fail the test."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            value = predicate()
            if value:
                return value
            time.sleep(interval)
        pytest.fail(f"condition not met within {timeout}s")


def start_simulator(extra_args=(), env=None):
    port = free_port()
    proc = subprocess.Popen(  # noqa: S603
        [sys.executable, "-m", "simulator", "--host", "127.0.0.1", "--port", str(port), *extra_args],
        cwd=ROOT,
        env={**os.environ, **(env or {})},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    sim = Simulator(f"http://127.0.0.1:{port}")
    deadline = time.monotonic() + 20
    while True:
        try:
            sim.control("health")
            break
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                raise RuntimeError("the simulator did not start") from None
            time.sleep(0.1)
    return proc, sim


@pytest.fixture(scope="session")
def simulator_process():
    proc, sim = start_simulator()
    yield sim
    proc.terminate()
    try:
        proc.wait(timeout=5)
    except subprocess.TimeoutExpired:
        proc.kill()


@pytest.fixture
def sim(simulator_process, settings):
    """A freshly reset simulator, with the console's settings pointing at it."""
    simulator_process.reset()
    settings.PROVIDER_BASE_URL = simulator_process.base_url
    settings.PROVIDER_PHONE = simulator_process.phone
    settings.PROVIDER_PASSWORD = simulator_process.password
    from django.core.cache import cache

    cache.clear()
    yield simulator_process
    simulator_process.control("faults", method="DELETE")


@pytest.fixture
def console(live_server, settings, sim):
    """The console served over HTTP (live_server) with the simulator's callbacks pointed at it."""
    settings.PUBLIC_BASE_URL = live_server.url
    settings.CALLBACK_PROCESS_INLINE = True  # no worker here: process callbacks in the request
    from provider.callbacks.registration import register_callback_urls

    register_callback_urls()
    return live_server


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    """Personas are created in almost every test: hash their passwords cheaply (tests only)."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def admin_user(django_user_model):
    return django_user_model.objects.create_user("alice", password="pw-alice-123", is_staff=True, is_superuser=True)


@pytest.fixture
def operator(django_user_model):
    return django_user_model.objects.create_user("bob", password="pw-bob-123")


@pytest.fixture
def outsider(django_user_model):
    return django_user_model.objects.create_user("charlie", password="pw-charlie-123")


@pytest.fixture
def wechat_account(operator):
    from accounts.models import WeChatAccount

    account = WeChatAccount.objects.create(
        account="damibtc", wxid="wxid_7mx5bzt1qz12", nickname="大米", status=WeChatAccount.Status.ONLINE
    )
    account.operators.add(operator)
    return account


@pytest.fixture
def artifacts():
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """The embedded default caches in the database: give the test database its cache table."""
    from django.core.management import call_command

    with django_db_blocker.unblock():
        call_command("createcachetable", verbosity=0)


@pytest.fixture
def workers(transactional_db, sim, tmp_path, settings):
    """start(**env) starts a Celery worker on the test database, pointed at the simulator."""
    database_url = worker_database_url()
    if database_url is None:
        pytest.skip("worker tests need a database another process can open: set DATABASE_URL")
    if settings.REDIS_URL:
        from config.celery import app

        app.control.purge()  # messages left by earlier tests (ETA tasks, restored unacked ones)
    started = []

    def start(**overrides):
        env = {**os.environ, **WORKER_ENV, "DATABASE_URL": database_url, "PROVIDER_BASE_URL": sim.base_url}
        env.update({name: str(value) for name, value in overrides.items()})
        worker = start_worker(env, tmp_path / f"worker{len(started) + 1}.log", f"w{len(started) + 1}")
        started.append(worker)
        return worker

    yield start
    for worker in started:
        worker.stop()


@pytest.fixture
def english(settings):
    """Render in English: tests that read the English source strings use it (the default is zh-hans)."""
    settings.LANGUAGE_CODE = "en"
