"""`make run`: from a fresh clone to a running console with the simulator, a worker and a demo operator.

Prepares the database, creates the demo operator and two demo WeChat accounts, then starts
the simulator (8001), a Celery worker with embedded beat, and the web server (8000);
registers the callback URLs with the simulator once the web server answers, and prints
the URL and the demo login. Ctrl-C stops everything.

Environment: WEB_PORT (8000), SIM_PORT (8001), DEMO_PASSWORD (random when unset).
"""

import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
WEB_PORT = int(os.environ.get("WEB_PORT", "8000"))
SIM_PORT = int(os.environ.get("SIM_PORT", "8001"))

DEMO_USERNAME = "demo"
DEMO_ACCOUNTS = [
    {"account": "damibtc", "wxid": "wxid_7mx5bzt1qz12", "name": "大米", "friends": 12, "groups": 3},
    {"account": "xiaomai_shop", "wxid": "wxid_3k9qpe0c1a22", "name": "小麦客服", "friends": 8, "groups": 2},
]


def say(text):
    print(f"[run] {text}", flush=True)


def port_is_free(port):
    """Nothing listens on 127.0.0.1:port (a connect test: closed sockets in TIME_WAIT do not count)."""
    with socket.socket() as s:
        s.settimeout(1)
        return s.connect_ex(("127.0.0.1", port)) != 0


def wait_http(url, timeout=60.0, proc=None):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise SystemExit(f"[run] {url}: the process exited with status {proc.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2):  # noqa: S310 - loopback only
                return
        except urllib.error.HTTPError:
            return  # any HTTP answer means it is up
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"[run] {url} did not answer within {timeout:.0f}s")


def sim_control(path, payload):
    req = urllib.request.Request(
        f"http://127.0.0.1:{SIM_PORT}/_sim/{path}",
        data=json.dumps(payload).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(req, timeout=10) as resp:  # noqa: S310 - loopback only
        return json.loads(resp.read().decode())


def manage(*args):
    subprocess.run([PY, "manage.py", *args], cwd=ROOT, check=True)


def prepare_database():
    say("migrating the database")
    manage("migrate", "--noinput", "-v", "0")
    manage("createcachetable")
    if shutil.which("msgfmt"):
        subprocess.run(
            [PY, "manage.py", "compilemessages", "--ignore=.venv", "-v", "0"],
            cwd=ROOT,
            check=False,
        )


def seed_demo():
    """The demo operator (staff, so the admin is open to explore) and the demo accounts, idempotently."""
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    sys.path.insert(0, str(ROOT))
    django.setup()
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from accounts.models import WeChatAccount

    password = os.environ.get("DEMO_PASSWORD") or secrets.token_urlsafe(9)
    user, _ = get_user_model().objects.get_or_create(username=DEMO_USERNAME)
    user.is_staff = True
    user.is_superuser = True
    user.set_password(password)
    user.save()
    for spec in DEMO_ACCOUNTS:
        account, _ = WeChatAccount.objects.update_or_create(
            account=spec["account"],
            defaults={
                "wxid": spec["wxid"],
                "nickname": spec["name"],
                "status": WeChatAccount.Status.ONLINE,
                "last_seen_at": timezone.now(),
            },
        )
        account.operators.add(user)
    return password


def warm_demo():
    """Ask the simulator for the demo accounts' friends and groups, as a login would, so the
    pages have something to show (the accounts were seeded online, without a QR login)."""
    from accounts.models import WeChatAccount
    from contacts.actions import start_friend_sync
    from groups.actions import refresh_group_list

    for spec in DEMO_ACCOUNTS:
        account = WeChatAccount.objects.get(account=spec["account"])
        start_friend_sync(account=account)
        refresh_group_list(account=account)


class Processes:
    def __init__(self):
        self.procs = []

    def start(self, name, args, env=None, whole_group=True):
        """Start a process in its own process group.

        whole_group: stop it by signalling its whole group (runserver's autoreloader child);
        otherwise only the leader is signalled and stops its children itself (Celery's warm shutdown).
        """
        say(f"starting {name}: {' '.join(args)}")
        proc = subprocess.Popen(  # noqa: S603
            args,
            cwd=ROOT,
            env={**os.environ, **(env or {})},
            start_new_session=True,
        )
        self.procs.append((name, proc, whole_group))
        return proc

    def stop(self):
        for name, proc, whole_group in reversed(self.procs):
            if proc.poll() is None:
                say(f"stopping {name}")
                try:
                    if whole_group:
                        os.killpg(proc.pid, signal.SIGTERM)
                    else:
                        proc.terminate()
                except ProcessLookupError:
                    pass
        deadline = time.monotonic() + 15
        for _name, proc, _whole_group in self.procs:
            try:
                proc.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                pass
            try:
                os.killpg(proc.pid, signal.SIGKILL)  # whatever is left of the group
            except (ProcessLookupError, PermissionError):
                pass

    def watch(self):
        while True:
            for name, proc, _whole_group in self.procs:
                if proc.poll() is not None:
                    say(f"{name} exited with status {proc.returncode}; stopping the rest")
                    return proc.returncode or 1
            time.sleep(0.5)


def _interrupt(signum, frame):
    raise KeyboardInterrupt


def main():
    os.chdir(ROOT)
    for port in (WEB_PORT, SIM_PORT):
        if not port_is_free(port):
            raise SystemExit(f"[run] port {port} is in use: stop what runs there, or set WEB_PORT / SIM_PORT")
    web = f"http://127.0.0.1:{WEB_PORT}"
    sim = f"http://127.0.0.1:{SIM_PORT}"
    child_env = {
        "PROVIDER_BASE_URL": os.environ.get("PROVIDER_BASE_URL", sim),
        "PUBLIC_BASE_URL": os.environ.get("PUBLIC_BASE_URL", web),
        "PYTHONUNBUFFERED": "1",
    }
    os.environ.update(child_env)

    prepare_database()
    password = seed_demo()

    procs = Processes()
    signal.signal(signal.SIGTERM, _interrupt)
    signal.signal(signal.SIGINT, _interrupt)  # even when started with SIGINT ignored (e.g. from a script)
    status = 0
    try:
        simulator = procs.start(
            "simulator", [PY, "-m", "simulator", "--host", "127.0.0.1", "--port", str(SIM_PORT), "--demo"]
        )
        wait_http(f"{sim}/_sim/health", proc=simulator)
        for spec in DEMO_ACCOUNTS:
            sim_control("accounts", {**spec, "online": True})
        (ROOT / "var").mkdir(exist_ok=True)
        procs.start(
            "worker",
            [
                PY,
                "-m",
                "celery",
                "-A",
                "config",
                "worker",
                "-B",
                "-c",
                "2",
                "--loglevel=info",
                "-s",
                str(ROOT / "var" / "celerybeat-schedule"),
            ],
            whole_group=False,
        )
        server = procs.start("web", [PY, "manage.py", "runserver", f"127.0.0.1:{WEB_PORT}"])
        wait_http(f"{web}/auth/login/", proc=server)
        say("registering the callback URLs with the simulator")
        if subprocess.run([PY, "manage.py", "provider_register"], cwd=ROOT, check=False).returncode:
            say("registering the callback URLs failed; use the button on the home page to retry")
        else:
            say("syncing the demo accounts' friends and groups")
            warm_demo()
        print(
            "\n"
            "  wxconsole is running\n"
            f"    console:    {web}/\n"
            f"    admin:      {web}/admin/\n"
            f"    simulator:  {sim}/_sim/state\n"
            f"    login:      {DEMO_USERNAME} / {password}\n"
            "  Ctrl-C stops everything.\n",
            flush=True,
        )
        status = procs.watch()
    except KeyboardInterrupt:
        print()
    finally:
        procs.stop()
    return status


if __name__ == "__main__":
    sys.exit(main())
