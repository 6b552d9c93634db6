"""Real Celery worker processes for integration tests, on the test database and the simulator."""

import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parent.parent
CELERY = str(Path(sys.executable).parent / "celery")

# Worker settings for the tests: short backoff and lease, a send rate that does not get in the way.
WORKER_ENV = {
    "OUTBOX_BACKOFF_BASE": "1.5",
    "OUTBOX_BACKOFF_MAX": "2",
    "OUTBOX_MAX_ATTEMPTS": "6",
    "OUTBOX_LEASE_SECONDS": "5",
    "PROVIDER_READ_TIMEOUT": "4",
    "SEND_RATE_PER_MINUTE": "6000",
    "SEND_RATE_BURST": "100",
    "LOG_LEVEL": "INFO",
}


def worker_database_url():
    """A URL to the test database for another process, or None when it cannot open it (in-memory SQLite)."""
    s = connection.settings_dict
    if "sqlite" in s["ENGINE"]:
        name = str(s["NAME"])
        return None if "memory" in name else f"sqlite:///{name}"
    auth = s["USER"] or ""
    if s["PASSWORD"]:
        auth += f":{s['PASSWORD']}"
    return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


class Worker:
    def __init__(self, proc, log):
        self.proc = proc
        self.log = log

    def output(self):
        return self.log.read_text(errors="replace")

    def kill(self):
        os.kill(self.proc.pid, signal.SIGKILL)
        self.proc.wait(timeout=10)

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGQUIT)  # cold shutdown: do not wait for ETA tasks
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def start_worker(env, log, name):
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            [
                CELERY,
                "-A",
                "config",
                "worker",
                "--pool=solo",
                "-l",
                "INFO",
                "-n",
                f"{name}-{uuid.uuid4().hex[:6]}@%h",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
            ],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    worker = Worker(proc, log)
    deadline = time.monotonic() + 30
    while "ready." not in worker.output():
        if proc.poll() is not None or time.monotonic() > deadline:
            worker.stop()
            pytest.fail(f"celery worker did not start:\n{worker.output()[-3000:]}")
        time.sleep(0.1)
    return worker
