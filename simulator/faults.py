"""Fault injection: make the next N matching provider calls misbehave (see docs/simulator-control.md)."""

from dataclasses import asdict, dataclass

KINDS = ("http500", "timeout", "code0", "expire_token", "duplicate_callback", "malformed_callback")
DEFAULT_TIMEOUT_DELAY = 30.0


@dataclass
class Fault:
    path: str
    kind: str
    count: int = 1
    msg: str = ""
    delay: float = DEFAULT_TIMEOUT_DELAY

    def matches(self, path):
        return self.count > 0 and (self.path == "*" or self.path.lower() == path.lower())

    def as_dict(self):
        return asdict(self)


def parse(body):
    """Build a Fault from a control request body, or raise ValueError with a readable reason."""
    path = body.get("path")
    kind = body.get("kind")
    if not isinstance(path, str) or not (path == "*" or path.startswith("/foreign/")):
        raise ValueError('"path" must be "*" or a /foreign/... path')
    if kind not in KINDS:
        raise ValueError(f'"kind" must be one of {", ".join(KINDS)}')
    try:
        count = int(body.get("count", 1))
        delay = float(body.get("delay", DEFAULT_TIMEOUT_DELAY))
    except (TypeError, ValueError):
        raise ValueError('"count" and "delay" must be numbers') from None
    if count < 1:
        raise ValueError('"count" must be at least 1')
    return Fault(path=path, kind=kind, count=count, msg=str(body.get("msg") or ""), delay=max(delay, 0.0))


def take(faults, path):
    """Consume one use of the first fault matching `path`; return it (or None)."""
    for fault in faults:
        if fault.matches(path):
            fault.count -= 1
            if fault.count <= 0:
                faults.remove(fault)
            return fault
    return None
