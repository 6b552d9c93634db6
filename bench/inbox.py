"""Inbox read cost against history size: the conversation list and opening a conversation,
with 1,000 and with 100,000 messages in one account. Nothing should scan the whole history,
so both sizes should cost the same number of queries and about the same time.

    .venv/bin/python bench/inbox.py [--sizes 1000 100000] [--conversations 200] [--repeat 20] [--content real]

`--content real` fills the messages with the real WeChat payloads of tests/fixtures/real_payloads/
in turn (XML parsed for every message shown), instead of short texts.

PostgreSQL from DATABASE_URL (default: a `wxconsole_bench_inbox` database, created if missing;
its chats data is replaced on each run). Rendering goes through the Django test client as a
logged-in operator; queries are counted with CaptureQueriesContext.
"""

import argparse
import os
import statistics
import sys
import time
import urllib.parse
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/wxconsole_bench_inbox"


def ensure_database(url):
    import psycopg

    parsed = urllib.parse.urlparse(url)
    name = parsed.path.lstrip("/")
    admin = parsed._replace(path="/postgres").geturl().replace("postgres://", "postgresql://", 1)
    with psycopg.connect(admin, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


def setup_django(database_url):
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    os.environ.pop("REDIS_URL", None)  # the database cache: nothing else to run
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("createcachetable", verbosity=0)


def real_contents():
    import json
    from pathlib import Path

    folder = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "real_payloads"
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))["payloads"]
    return [((folder / p["file"]).read_text(encoding="utf-8"), p["content_type"]) for p in manifest]


def populate(total, conversations, content="text"):
    """One account with `total` messages spread over `conversations` conversations (bulk inserts)."""
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from accounts.models import WeChatAccount
    from chats.models import Conversation, Message

    WeChatAccount.objects.filter(account="bench_inbox").delete()
    account = WeChatAccount.objects.create(account="bench_inbox", nickname="基准", status="online")
    user, _ = get_user_model().objects.get_or_create(username="bench_operator")
    account.operators.add(user)
    now = timezone.now()
    convs = Conversation.objects.bulk_create(
        [
            Conversation(account=account, peer=f"wxid_{i:05d}", title=f"客户 {i}", unread_count=i % 3)
            for i in range(conversations)
        ]
    )
    batch = []
    start = now - timedelta(seconds=total)
    reals = real_contents() if content == "real" else []
    for n in range(total):
        conv = convs[n % conversations]
        text, content_type = reals[n % len(reals)] if reals else (f"第 {n} 条消息，您好 hello {n}", 1)
        batch.append(
            Message(
                account=account,
                conversation=conv,
                msgid=f"b{n}",
                direction="in" if n % 3 else "out",
                status="received" if n % 3 else "sent",
                content=text,
                content_type=content_type,
                sent_at=start + timedelta(seconds=n),
            )
        )
        if len(batch) == 5000:
            Message.objects.bulk_create(batch)
            batch = []
    Message.objects.bulk_create(batch)
    for conv in convs:
        last = conv.messages.order_by("-sent_at").first()
        Conversation.objects.filter(pk=conv.pk).update(
            last_message_at=last.sent_at, last_message_preview=last.content[:80] if last.content_type == 1 else ""
        )
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE chats_message; ANALYZE chats_conversation")
    return account, user, convs


def measure(client, url, repeat):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(url)  # warm up
    times = []
    queries = 0
    for _ in range(repeat):
        with CaptureQueriesContext(connection) as ctx:
            started = time.perf_counter()
            response = client.get(url)
            times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, response.status_code
        queries = len(ctx.captured_queries)
    return statistics.median(times), max(times), queries


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 100_000])
    parser.add_argument("--conversations", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--content", choices=["text", "real"], default="text")
    args = parser.parse_args()
    database_url = os.environ.get("DATABASE_URL", DEFAULT_DB)
    if "postgres" not in database_url:
        sys.exit("bench/inbox.py needs PostgreSQL (DATABASE_URL)")
    ensure_database(database_url)
    setup_django(database_url)
    from django.test import Client
    from django.urls import reverse

    rows = []
    for size in args.sizes:
        started = time.perf_counter()
        account, user, convs = populate(size, args.conversations, args.content)
        built = time.perf_counter() - started
        client = Client()
        client.force_login(user)
        # The busiest conversation: the one with the newest message (size / conversations messages).
        target = convs[(size - 1) % args.conversations]
        middle = target.messages.order_by("sent_at").values_list("pk", flat=True)[size // args.conversations // 2]
        for label, url in (
            ("conversation list (all accounts)", reverse("chats:inbox")),
            ("conversation list (one account)", reverse("chats:conversations", args=[account.pk])),
            (f"open a conversation ({size // args.conversations:,} msgs)", reverse("chats:thread", args=[target.pk])),
            (
                "older page (infinite scroll)",
                reverse("chats:history", args=[target.pk]) + f"?before={middle}",
            ),
        ):
            median, worst, queries = measure(client, url, args.repeat)
            rows.append((f"{size:,}", label, median, worst, queries))
        print(f"  ({size:,} messages inserted in {built:.1f}s)", file=sys.stderr)

    print(f"\ncontent: {args.content}")
    print(f"{'messages':>9}  {'view':<40} {'median ms':>9} {'max ms':>8} {'queries':>7}")
    for size, label, median, worst, queries in rows:
        print(f"{size:>9}  {label:<40} {median:>9.1f} {worst:>8.1f} {queries:>7}")


if __name__ == "__main__":
    main()
