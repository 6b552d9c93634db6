"""Friend-list sync ingest: 5,000 friends in 50 C12 pages through the real intake path.

Builds 50 realistic syncFriendList pages (100 friends each, Chinese nicknames, remarks, areas,
some labels, form-json encoded as the simulator sends them), then for each page does what the
callback view and the worker do: store the raw delivery (`store_delivery`) and process it
(`process_delivery`: decode, classify, contacts.events.handle_friend_page). Prints the total
time, friends/s, per-page p50/p99 and the queries per page, for a first sync and for a re-sync
of the same 5,000 friends (every row already there: the upsert path).

    .venv/bin/python bench/friend_sync.py [--friends 5000] [--runs 2]

PostgreSQL from DATABASE_URL (default postgres://postgres@127.0.0.1:5432/wxconsole_bench_friends,
created if missing and migrated). Local only; nothing leaves 127.0.0.1.
"""

import argparse
import json
import os
import random
import statistics
import sys
import time
import urllib.parse
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/wxconsole_bench_friends"
MY_ACCOUNT = "bench_friends"
PAGE_SIZE = 100

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉萍红娥玲芬燕彬鹏辉健俊帆"
AREAS = ["广东 深圳", "广东 广州", "北京", "上海", "浙江 杭州", "福建 福州", "四川 成都", "江苏 南京", "重庆", ""]
LABELS = {1: "客户", 2: "同事", 3: "家人", 4: "VIP", 5: "供应商"}


def ensure_database(url):
    import psycopg

    parsed = urllib.parse.urlparse(url)
    name = parsed.path.lstrip("/")
    admin = parsed._replace(path="/postgres").geturl().replace("postgres://", "postgresql://", 1)
    with psycopg.connect(admin, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


def build_pages(count, seed=7):
    """Form-json C12 bodies: my_account, currentPage, total and info (a JSON string)."""
    rng = random.Random(seed)
    friends = []
    for i in range(count):
        name = rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))
        tags = sorted(rng.sample(list(LABELS), rng.choice((0, 0, 1, 1, 2))))
        friends.append(
            {
                "account": f"friend_{i:05d}",
                "account_alias": f"wxid_{uuid.UUID(int=rng.getrandbits(128)).hex[:14]}",
                "name": name,
                "sex": rng.choice((0, 1, 2)),
                "area": rng.choice(AREAS),
                "thumb": f"http://wx.qlogo.cn/mmhead/ver_1/{uuid.UUID(int=rng.getrandbits(128)).hex}/132",
                "description": rng.choice(("", "慢慢来，比较快", "一切都是最好的安排")),
                "form_name": rng.choice(("", "", f"老{name[0]}")),
                "disturb": rng.choice((1, 2, 2, 2)),
                "v1": f"v1_{uuid.UUID(int=rng.getrandbits(128)).hex}@stranger",
                "tag": ",".join(map(str, tags)),
            }
        )
    pages = []
    for start in range(0, count, PAGE_SIZE):
        payload = {
            "my_account": MY_ACCOUNT,
            "currentPage": str(start // PAGE_SIZE + 1),
            "info": json.dumps(friends[start : start + PAGE_SIZE], ensure_ascii=False, separators=(",", ":")),
            "total": str(count),
        }
        pages.append(urllib.parse.urlencode(payload).encode())
    return pages


def percentile(values, q):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def run(account, pages, label):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from contacts.models import Friend, FriendSync
    from provider.callbacks.intake import process_delivery, store_delivery

    sync = FriendSync.objects.create(account=account, request_id=uuid.uuid4().hex)
    query = urllib.parse.urlencode({"req": sync.request_id, "my_account": MY_ACCOUNT})
    timings, queries = [], []
    started = time.perf_counter()
    for body in pages:
        t0 = time.perf_counter()
        with CaptureQueriesContext(connection) as captured:
            delivery = store_delivery(
                channel="friends", body=body, content_type="application/x-www-form-urlencoded", query=query
            )
            status = process_delivery(delivery)
        timings.append((time.perf_counter() - t0) * 1000)
        queries.append(len(captured))
        if status != "processed":
            sys.exit(f"page not processed: {status} {delivery.error}")
    total = time.perf_counter() - started
    sync.refresh_from_db()
    friends = Friend.objects.present().filter(account=account).count()
    print(f"{label}:")
    print(f"  pages {len(pages)}, friends stored {friends}, sync {sync.status} ({sync.received}/{sync.total})")
    print(f"  total {total:.2f} s, {sync.received / total:,.0f} friends/s")
    p50, p99 = percentile(timings, 0.5), percentile(timings, 0.99)
    print(f"  per page: p50 {p50:.1f} ms, p99 {p99:.1f} ms, max {max(timings):.1f} ms")
    print(
        f"  queries per page: min {min(queries)}, median {statistics.median(queries):g}, max {max(queries)}"
        " (store + process, with labels)"
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--friends", type=int, default=5000)
    parser.add_argument("--runs", type=int, default=2)
    args = parser.parse_args()

    os.environ.setdefault("DATABASE_URL", DEFAULT_DB)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    if not os.environ["DATABASE_URL"].startswith("postgres"):
        sys.exit("bench/friend_sync.py measures PostgreSQL: set DATABASE_URL=postgres://...")
    ensure_database(os.environ["DATABASE_URL"])
    sys.path.insert(0, str(ROOT))

    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    settings.DEBUG = False
    call_command("migrate", verbosity=0)
    call_command("createcachetable", verbosity=0)  # metrics counters, when REDIS_URL is not set

    from accounts.models import WeChatAccount
    from contacts.models import Label

    WeChatAccount.objects.filter(account=MY_ACCOUNT).delete()  # a clean slate each time
    account = WeChatAccount.objects.create(account=MY_ACCOUNT, wxid="wxid_bench_friends", nickname="基准")
    Label.objects.bulk_create([Label(account=account, label_id=i, name=n) for i, n in LABELS.items()])

    pages = build_pages(args.friends)
    size = sum(map(len, pages)) / len(pages)
    print(
        f"friend sync ingest: {args.friends:,} friends in {len(pages)} pages (form-json, ~{size / 1024:.0f} KiB each)"
    )
    print(f"database: {settings.DATABASES['default']['NAME']} on {settings.DATABASES['default']['HOST']}")
    print(f"cache (metrics counters): {'Redis' if settings.REDIS_URL else 'database table (adds queries)'}")
    for number in range(args.runs):
        run(account, pages, "first sync (inserts)" if number == 0 else f"re-sync #{number} (same friends: upserts)")


if __name__ == "__main__":
    main()
