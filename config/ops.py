"""Operations endpoints: /healthz, /metrics, and the admin's "register callback URLs" button.

They live here, outside the apps, because they look across all of them.
"""

import hmac
import ipaddress
import logging
from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

logger = logging.getLogger("wxconsole.ops")

PROVIDER_TIMEOUT = 2.0
BROKER_TIMEOUT = 2.0


# --- /healthz ----------------------------------------------------------------


def _short(exc):
    text = f"{type(exc).__name__}: {exc}"
    return text[:300]


def check_database():
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def check_broker():
    """Connect to the Celery broker once, with a short timeout; the filesystem broker checks its folder."""
    url = settings.CELERY_BROKER_URL
    options = getattr(settings, "CELERY_BROKER_TRANSPORT_OPTIONS", {}) or {}
    if url.startswith("filesystem://"):
        for key in ("data_folder_in", "data_folder_out"):
            folder = Path(options.get(key) or ".")
            if not folder.is_dir():
                raise OSError(f"broker folder {folder} is missing")
            probe = folder / ".healthz"
            probe.write_bytes(b"")
            probe.unlink()
        return
    from kombu import Connection

    conn = Connection(
        url,
        connect_timeout=BROKER_TIMEOUT,
        transport_options={**options, "socket_timeout": BROKER_TIMEOUT, "socket_connect_timeout": BROKER_TIMEOUT},
    )
    try:
        conn.ensure_connection(max_retries=1, interval_start=0, interval_step=0.2, interval_max=0.2)
    finally:
        conn.release()


def check_provider():
    """Any HTTP answer from PROVIDER_BASE_URL counts: we only ask whether it is reachable."""
    import requests

    requests.get(settings.PROVIDER_BASE_URL, timeout=PROVIDER_TIMEOUT, allow_redirects=False)


CHECKS = {
    "database": check_database,
    "broker": check_broker,
    "provider": check_provider,
}


@never_cache
@require_GET
def healthz(request):
    """200 with every part "ok", or 503 naming the parts that failed and why."""
    result = {}
    for name, check in CHECKS.items():
        try:
            check()
        except Exception as exc:  # any failure of a part is reported, never raised
            logger.warning("healthz: %s failed: %s", name, _short(exc))
            result[name] = _short(exc)
        else:
            result[name] = "ok"
    failing = [name for name, value in result.items() if value != "ok"]
    status = 503 if failing else 200
    response = JsonResponse({**result, "status": "ok" if not failing else "failing", "failing": failing})
    response.status_code = status
    return response


# --- /metrics ----------------------------------------------------------------

DIRECTIONS = ("in", "out")


def _metrics_allowed(request):
    addr = request.META.get("REMOTE_ADDR", "")
    try:
        if ipaddress.ip_address(addr).is_loopback:
            return True
    except ValueError:
        pass
    token = getattr(settings, "METRICS_TOKEN", "")
    header = request.META.get("HTTP_AUTHORIZATION", "")
    scheme, _sep, given = header.partition(" ")
    if token and scheme.lower() == "bearer" and given:
        return hmac.compare_digest(given.strip().encode(), token.encode())
    return False


def _label(value):
    return str(value).replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def _counters():
    """Callback counters as {(kind, outcome): n} and message counters as {direction: n}, from provider.metrics."""
    from provider import metrics

    snap = metrics.snapshot() or {}
    callbacks = {}
    for key, value in (snap.get("callbacks") or {}).items():
        if isinstance(value, dict):  # {kind: {outcome: n}}
            for outcome, n in value.items():
                callbacks[(key, outcome)] = n
        else:  # {(kind, outcome): n}
            callbacks[tuple(key)] = value
    return callbacks, dict(snap.get("messages") or {})


def _outbox_counts():
    from django.db.models import Count

    from provider.models import OutboxEntry

    counts = {status: 0 for status in OutboxEntry.Status.values}
    for row in OutboxEntry.objects.order_by().values("status").annotate(n=Count("pk")):
        counts[row["status"]] = row["n"]
    return counts


def render_metrics():
    callbacks, messages_ = _counters()
    lines = [
        "# HELP wxconsole_callbacks_total Provider callback events by kind and outcome.",
        "# TYPE wxconsole_callbacks_total counter",
    ]
    for (kind, outcome), value in sorted(callbacks.items()):
        lines.append(f'wxconsole_callbacks_total{{kind="{_label(kind)}",outcome="{_label(outcome)}"}} {int(value)}')
    lines += [
        "# HELP wxconsole_messages_total Chat messages by direction (in: received, out: sent).",
        "# TYPE wxconsole_messages_total counter",
    ]
    for direction in sorted(set(DIRECTIONS) | set(messages_)):
        lines.append(f'wxconsole_messages_total{{direction="{_label(direction)}"}} {int(messages_.get(direction, 0))}')
    lines += [
        "# HELP wxconsole_outbox Outbox entries by status.",
        "# TYPE wxconsole_outbox gauge",
    ]
    for status, value in _outbox_counts().items():
        lines.append(f'wxconsole_outbox{{status="{_label(status)}"}} {value}')
    return "\n".join(lines) + "\n"


@never_cache
@require_GET
def metrics(request):
    """Prometheus text format; loopback clients, or others with `Authorization: Bearer <METRICS_TOKEN>`."""
    if not _metrics_allowed(request):
        return HttpResponse("forbidden\n", status=403, content_type="text/plain; charset=utf-8")
    return HttpResponse(render_metrics(), content_type="text/plain; version=0.0.4; charset=utf-8")


# --- Register callback URLs (admin button on the home page) ------------------


@require_POST
@login_required
def register_callbacks(request):
    """Tell the provider where to send callbacks (setUrl); staff only."""
    if not request.user.is_staff:
        raise PermissionDenied
    from provider.callbacks.registration import register_callback_urls

    try:
        register_callback_urls()
    except Exception as exc:  # the provider's message is what the admin needs to see
        logger.warning("register_callback_urls failed: %s", _short(exc))
        error = getattr(exc, "msg", None) or str(exc)
        messages.error(request, _("The provider refused to register the callback URLs: %(error)s") % {"error": error})
    else:
        messages.success(request, _("Callback URLs registered with the provider."))
    return redirect("home")
