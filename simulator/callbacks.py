"""Asynchronous callback delivery, in the three encodings of provider-api.md §1.6.

The provider answers a call first and POSTs results later, so deliveries go through a queue
served by one worker thread: callbacks arrive after the synchronous answer, in the order
they were produced (C10 before C4, C12 pages in order), optionally after `callback_delay`.
Every attempt is recorded for `GET /_sim/deliveries`. There is no retry and no signature,
as the convention says.
"""

import json
import queue
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass

MODES = ("form-json", "form-php", "json")
FORM = "application/x-www-form-urlencoded"
#: A body no receiver can decode: it looks like JSON but is truncated and is not even UTF-8.
MALFORMED_BODY = b'{"data": [{"my_account": "\xff\xfe'
DELIVERY_TIMEOUT = 10


def _scalar(value):
    """Form text for a scalar, as PHP would print it."""
    if value is None or value is False:
        return ""
    if value is True:
        return "1"
    return str(value)


def _php_pairs(prefix, value):
    """Flatten nested data into PHP bracket notation: data[0][type]=1 (like http_build_query)."""
    if isinstance(value, dict):
        items = value.items()
    elif isinstance(value, list | tuple):
        items = enumerate(value)
    else:
        return [(prefix, _scalar(value))]
    pairs = []
    for key, inner in items:
        pairs.extend(_php_pairs(f"{prefix}[{key}]", inner))
    return pairs


def encode(payload, mode):
    """Return (body bytes, content type) for a callback payload in the given delivery mode."""
    if mode == "json":
        return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode(), "application/json"
    if mode == "form-php":
        pairs = []
        for key, value in payload.items():
            pairs.extend(_php_pairs(key, value))
        return urllib.parse.urlencode(pairs).encode(), FORM
    fields = [
        (
            key,
            json.dumps(value, ensure_ascii=False, separators=(",", ":"))
            if isinstance(value, dict | list)
            else _scalar(value),
        )
        for key, value in payload.items()
    ]
    return urllib.parse.urlencode(fields).encode(), FORM


@dataclass
class Delivery:
    url: str
    kind: str
    payload: object
    channel: str
    malformed: bool
    due: float
    generation: int


class Dispatcher:
    """Queue + worker thread that POSTs callbacks and records them in the simulator state."""

    def __init__(self, sim):
        self.sim = sim
        self.queue = queue.Queue()
        self.generation = 0
        self.thread = threading.Thread(target=self._run, name="sim-callbacks", daemon=True)
        self.thread.start()

    def submit(self, url, kind, payload, channel="callback_url", duplicate=False, malformed=False):
        """Queue one callback (twice with `duplicate`). Call with or without the lock held."""
        due = time.monotonic() + float(self.sim.config.callback_delay or 0)
        for _ in range(2 if duplicate else 1):
            self.queue.put(Delivery(url, kind, payload, channel, malformed, due, self.generation))

    def forget_pending(self):
        """Called by reset: queued callbacks of the old world are dropped, not delivered."""
        self.generation += 1

    def _run(self):
        while True:
            item = self.queue.get()
            if item.generation != self.generation:
                continue
            wait = item.due - time.monotonic()
            if wait > 0:
                time.sleep(wait)
            if item.generation != self.generation:
                continue
            try:
                self._deliver(item)
            except Exception as exc:  # the worker must survive anything
                print(f"simulator: callback worker error: {exc!r}", file=sys.stderr)

    def _deliver(self, item):
        mode = self.sim.config.delivery_mode
        if item.malformed:
            body, content_type = MALFORMED_BODY, "application/json" if mode == "json" else FORM
        else:
            body, content_type = encode(item.payload, mode)
        status = post(item.url, body, content_type)
        if self.sim.config.verbose:
            print(f"simulator: {item.kind} -> {item.url} [{status}]", file=sys.stderr)
        with self.sim.lock:
            if item.generation == self.generation:
                self.sim.record_delivery(
                    url=item.url,
                    kind=item.kind,
                    channel=item.channel,
                    body=body.decode("utf-8", errors="replace"),
                    content_type=content_type,
                    status=status,
                    payload=None if item.malformed else item.payload,
                    mode="malformed" if item.malformed else mode,
                )


def post(url, body, content_type):
    """POST a body; return the HTTP status, or 'error: ...' when there is no HTTP answer."""
    request = urllib.request.Request(url, data=body, method="POST", headers={"Content-Type": content_type})
    try:
        with urllib.request.urlopen(request, timeout=DELIVERY_TIMEOUT) as response:  # noqa: S310
            response.read()
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code
    except Exception as exc:
        return f"error: {exc}"
