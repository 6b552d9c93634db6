"""Message-callback throughput: the console's callback path against a bare one-row insert.

Starts the console under gunicorn (PostgreSQL from DATABASE_URL, Redis from REDIS_URL,
DEBUG off), prepares a WeChat account matching the messages' `my_account`, and for a
fixed time per target drives C1 message callbacks (form-json: `data=<json>`, a unique
msgid each) from a pool of client threads with keep-alive sessions:

  1. the real callback URL  /callbacks/<secret>/messagelog/
  2. a bare view that only stores the body as one row (/bench/bare/, BENCH_BARE_VIEW=1)

then prints deliveries/s, p50 and p99 latency for both, and their ratio.

    .venv/bin/python bench/callbacks.py [--duration 15] [--clients 8] [--workers 2]
    .venv/bin/python bench/callbacks.py --url http://127.0.0.1:8000   # a console already running,
        # started with BENCH_BARE_VIEW=1 and the same DATABASE_URL and CALLBACK_SECRET

Bounded: 127.0.0.1 only, a fixed duration and at most --max-requests per target.
"""

import argparse
import json
import os
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
MY_ACCOUNT = "bench_account"
MY_WXID = "wxid_bench_account"
DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/wxconsole_bench"
DEFAULT_REDIS = "redis://127.0.0.1:6379/7"
SECRET = "bench-callback-secret"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def ensure_database(url):
    """Create the PostgreSQL database named in url if it is missing."""
    import psycopg

    parsed = urllib.parse.urlparse(url)
    name = parsed.path.lstrip("/")
    admin = parsed._replace(path="/postgres").geturl().replace("postgres://", "postgresql://", 1)
    with psycopg.connect(admin, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')


def django_env(args):
    return {
        "DEBUG": "0",
        "SECRET_KEY": "bench-" + "x" * 50,
        "DATABASE_URL": args.database_url,
        "REDIS_URL": args.redis_url,
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "PROVIDER_BASE_URL": "http://127.0.0.1:9",
        "PROVIDER_PHONE": "13800000000",
        "PROVIDER_PASSWORD": "bench",
        "PUBLIC_BASE_URL": "http://127.0.0.1:9",
        "CALLBACK_SECRET": args.secret,
        "SECURE_SSL_REDIRECT": "0",
        "BENCH_BARE_VIEW": "1",
        "LOG_LEVEL": "WARNING",
    }


def prepare(args):
    """Migrate and make the account the messages are addressed to; returns nothing."""
    os.environ.update(django_env(args))
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"], cwd=ROOT, check=True, env=os.environ
    )
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from accounts.models import WeChatAccount

    WeChatAccount.objects.update_or_create(
        account=MY_ACCOUNT, defaults={"wxid": MY_WXID, "nickname": "压测账号", "status": WeChatAccount.Status.ONLINE}
    )
    if "bench" in urllib.parse.urlparse(args.database_url).path:
        # A database of its own: start from an empty inbox, so that workers drain only this run.
        from chats.models import Message
        from provider.models import CallbackDelivery

        CallbackDelivery.objects.all().delete()
        Message.objects.filter(account__account=MY_ACCOUNT).delete()


def start_gunicorn(args, port):
    cmd = [
        sys.executable,
        "-m",
        "gunicorn",
        "config.wsgi",
        "-w",
        str(args.workers),
        "-b",
        f"127.0.0.1:{port}",
        "--log-level",
        "warning",
        *args.gunicorn_args.split(),
    ]
    print(f"starting: {' '.join(cmd[2:])}", flush=True)
    proc = subprocess.Popen(cmd, cwd=ROOT, env={**os.environ, **django_env(args)})  # noqa: S603
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit("gunicorn exited early")
        try:
            requests.get(f"{base}/healthz", timeout=3)  # any answer: it is up
            return proc, base
        except requests.RequestException:
            time.sleep(0.2)
    proc.kill()
    raise SystemExit("gunicorn did not answer within 30s")


def start_worker(args):
    cmd = [
        sys.executable,
        "-m",
        "celery",
        "-A",
        "config",
        "worker",
        "-c",
        str(args.worker_concurrency),
        "--loglevel=warning",
        "--without-gossip",
        "--without-mingle",
        "--without-heartbeat",
    ]
    print(f"starting: {' '.join(cmd[2:])}", flush=True)
    return subprocess.Popen(cmd, cwd=ROOT, env={**os.environ, **django_env(args)})  # noqa: S603


def wait_stored(count_stored, expected, timeout):
    """Wait until count_stored() reaches expected or stops growing; return (stored, seconds waited)."""
    began = time.monotonic()
    last, last_change = -1, began
    while True:
        stored = count_stored()
        now = time.monotonic()
        if stored != last:
            last, last_change = stored, now
        if stored >= expected or now - began > timeout or now - last_change > 20:
            return stored, now - began
        time.sleep(0.25)


def message_body(run, n):
    event = {
        "my_account": MY_ACCOUNT,
        "my_name": "压测账号",
        "to_account": f"friend_{n % 50}",
        "to_name": f"好友{n % 50}",
        "content": f"压测消息 {n}",
        "content_type": 1,
        "file_name": "",
        "voice_len": 0,
        "type": 2,
        "msgid": f"bench-{run}-{n}",
    }
    return urllib.parse.urlencode({"data": json.dumps(event, ensure_ascii=False)})


def drive(url, args, run):
    """POST for args.duration seconds from args.clients threads; return (latencies, errors, elapsed)."""
    counter = iter(range(10**12))
    lock = threading.Lock()
    latencies, errors = [], []
    stop_at = time.monotonic() + args.duration
    headers = {"Content-Type": "application/x-www-form-urlencoded"}

    def client():
        session = requests.Session()
        mine = []
        while time.monotonic() < stop_at:
            with lock:
                n = next(counter)
            if n >= args.max_requests:
                break
            body = message_body(run, n)
            started = time.perf_counter()
            try:
                resp = session.post(url, data=body.encode(), headers=headers, timeout=10)
                ok = resp.status_code == 200
            except requests.RequestException as exc:
                ok = False
                resp = exc
            took = time.perf_counter() - started
            if ok:
                mine.append(took)
            else:
                errors.append(str(getattr(resp, "status_code", resp))[:80])
        with lock:
            latencies.extend(mine)

    began = time.monotonic()
    with ThreadPoolExecutor(args.clients) as pool:
        for _ in range(args.clients):
            pool.submit(client)
    return latencies, errors, time.monotonic() - began


def percentile(values, p):
    if not values:
        return float("nan")
    values = sorted(values)
    index = min(len(values) - 1, max(0, round(p / 100 * len(values) + 0.5) - 1))
    return values[index]


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--duration", type=float, default=15.0, help="seconds per target (default 15)")
    parser.add_argument("--clients", type=int, default=8, help="concurrent client threads (default 8)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes (default 2)")
    parser.add_argument("--gunicorn-args", default="", help='extra gunicorn arguments, e.g. "-k gthread --threads 4"')
    parser.add_argument("--worker-concurrency", type=int, default=2, help="Celery worker processes (default 2)")
    parser.add_argument("--no-worker", action="store_true", help="do not start a Celery worker")
    parser.add_argument("--max-requests", type=int, default=200_000, help="cap per target")
    parser.add_argument("--url", default="", help="a running console (BENCH_BARE_VIEW=1) instead of starting one")
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL") or DEFAULT_DB)
    parser.add_argument("--redis-url", default=os.environ.get("REDIS_URL") or DEFAULT_REDIS)
    parser.add_argument("--secret", default=os.environ.get("CALLBACK_SECRET") or SECRET)
    args = parser.parse_args()

    if not args.database_url.startswith(("postgres://", "postgresql://")):
        raise SystemExit("bench/callbacks.py measures PostgreSQL: set DATABASE_URL=postgres://...")
    if args.url and urllib.parse.urlparse(args.url).hostname not in {"127.0.0.1", "localhost", "::1"}:
        raise SystemExit("--url must be on 127.0.0.1")
    ensure_database(args.database_url)
    prepare(args)

    from chats.models import Message
    from provider.models import CallbackDelivery

    proc = worker = None
    if args.url:
        base = args.url.rstrip("/")
    else:
        proc, base = start_gunicorn(args, free_port())
    if not args.no_worker:
        worker = start_worker(args)
    run = uuid.uuid4().hex[:8]
    # The bare view first: the console's deliveries may keep the workers busy after its phase.
    targets = [
        ("bare one-row insert", f"{base}/bench/bare/"),
        ("console callback", f"{base}/callbacks/{args.secret}/messagelog/"),
    ]
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    results = {}
    drained = None

    def count_stored():
        return Message.objects.filter(account__account=MY_ACCOUNT, msgid__startswith=f"bench-{run}c-").count()

    try:
        for name, url in targets:
            # Warm up: connections, worker imports, the account lookup.
            for i in range(20):
                requests.post(url, data=message_body(f"warm{run}{name[0]}", i), timeout=10, headers=headers)
            print(f"driving {name}: {args.clients} clients for {args.duration:.0f}s ...", flush=True)
            latencies, errors, elapsed = drive(url, args, f"{run}{name[0]}")
            results[name] = (latencies, errors, elapsed)
            if name == "console callback":
                # Deliveries may be processed after the answer (by the workers): wait for them.
                drained = wait_stored(count_stored, len(latencies), timeout=120)
    finally:
        for p in (proc, worker):
            if p is not None:
                p.terminate()
        for p in (proc, worker):
            if p is not None:
                try:
                    p.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    p.kill()

    workers = f"{args.workers} gunicorn workers" if proc is not None else base
    print()
    print(f"PostgreSQL, {workers}, {args.clients} client threads, {args.duration:.0f}s per target")
    print(f"{'target':<22}{'delivered':>10}{'per second':>12}{'p50 ms':>9}{'p99 ms':>9}{'errors':>8}")
    rates = {}
    for name, (latencies, errors, elapsed) in results.items():
        rate = len(latencies) / elapsed if elapsed else 0.0
        rates[name] = rate
        print(
            f"{name:<22}{len(latencies):>10}{rate:>12.1f}"
            f"{percentile(latencies, 50) * 1000:>9.1f}{percentile(latencies, 99) * 1000:>9.1f}{len(errors):>8}"
        )
    bare = rates.get("bare one-row insert") or 0
    if bare:
        print(f"ratio console / bare: {rates['console callback'] / bare:.2f}")
    if drained is not None:
        stored, waited = drained
        delivered = len(results["console callback"][0])
        elapsed = results["console callback"][2]
        print(
            f"messages stored from the console's {delivered} deliveries: {stored}"
            f" ({waited:.1f}s after the load stopped; end to end {stored / (elapsed + waited):.1f}/s)"
        )
    errors = [e for _l, errs, _e in results.values() for e in errs]
    if errors:
        print(f"first errors: {errors[:5]}")
    # Keep the bench database small between runs.
    CallbackDelivery.objects.filter(channel="bench-bare").delete()
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
