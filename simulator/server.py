"""HTTP front of the simulator: request parsing, the token rule, faults, and routing.

`/foreign/...` paths go to `endpoints`, `/_sim/...` paths to `control`. The server never
lets an exception escape to the client as a broken connection: provider paths answer
`{"code": 0, "msg": ...}`, control paths `{"ok": false, "error": ...}`.
"""

import email.parser
import email.policy
import json
import secrets
import sys
import threading
import time
import traceback
import urllib.parse
from dataclasses import asdict, dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from . import control, demo, endpoints, events, faults, names
from .callbacks import Dispatcher
from .state import CHANNELS, State

JSON_BODY_MSG = "参数格式错误: 请使用 Form Data 提交, 不是 JSON"


@dataclass
class Config:
    phone: str = "13800000000"
    password: str = "simulator"
    delivery_mode: str = "form-json"
    token_ttl: float = 0.0  # seconds; 0 = tokens never expire
    callback_delay: float = 0.0
    demo: bool = False
    demo_interval: float = 4.0
    qr_ttl: float = 0.0  # seconds before a QR expires by itself; 0 = only via /_sim/expire_qr
    echo_sends: bool = False  # echo API sends back as C1/C2 type 1 (E-60); off by default
    public_url: str = ""
    verbose: bool = False

    def public(self):
        """The config as /_sim/config shows it (no password)."""
        data = asdict(self)
        del data["password"]
        return data


class Simulator:
    """The whole fake provider: config, state (under one lock), callback worker, demo thread."""

    channels = CHANNELS

    def __init__(self, config):
        self.config = config
        self.lock = threading.RLock()
        self.state = State()
        self.dispatcher = Dispatcher(self)
        self.demo = demo.DemoThread(self)

    def reset(self):
        with self.lock:
            self.state = State()
            self.dispatcher.forget_pending()

    def issue_token(self):
        token = secrets.token_hex(16)
        self.state.tokens[token] = time.time()
        return token

    def token_valid(self, token):
        issued = self.state.tokens.get(token or "")
        if issued is None:
            return False
        ttl = float(self.config.token_ttl or 0)
        return not ttl or time.time() - issued < ttl

    def record_call(self, path, token, content_type, form):
        entry = {
            "path": path,
            "headers": {"token": token, "content-type": content_type},
            "form": form,
            "at": time.time(),
        }
        self.state.log(self.state.calls, entry)

    def record_delivery(self, **entry):
        entry = {"id": next(self.state.delivery_ids), **entry, "at": time.time()}
        self.state.log(self.state.deliveries, entry)

    def emitter(self, duplicate=False, malformed=False):
        return events.Emitter(self, duplicate, malformed)


def parse_form(content_type, body):
    """Form fields from an urlencoded or multipart body (last value wins, like PHP).

    Returns (form, error). A JSON body is an error: the seed insists on Form Data (l.26).
    """
    ctype = (content_type or "").split(";")[0].strip().lower()
    if ctype == "application/json" or (not ctype and body.lstrip()[:1] in (b"{", b"[")):
        return {}, JSON_BODY_MSG
    if ctype == "multipart/form-data":
        message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
            b"Content-Type: " + content_type.encode("latin-1") + b"\r\n\r\n" + body
        )
        form = {}
        for part in message.iter_parts():
            name = part.get_param("name", header="content-disposition")
            if name is None:
                continue
            payload = part.get_payload(decode=True) or b""
            form[name] = payload.decode(part.get_content_charset() or "utf-8", errors="replace")
        return form, None
    text = body.decode("utf-8", errors="replace")
    return dict(urllib.parse.parse_qsl(text, keep_blank_values=True)), None


class Handler(BaseHTTPRequestHandler):
    def version_string(self):
        """Like the provider's PHP stack behind a web server: no Python version in headers."""
        return "nginx"

    @property
    def sim(self):
        return self.server.sim

    def log_message(self, format, *args):  # noqa: A002 - BaseHTTPRequestHandler's signature
        if self.sim.config.verbose:
            sys.stderr.write("simulator: " + (format % args) + "\n")

    def do_GET(self):
        self.dispatch()

    def do_POST(self):
        self.dispatch()

    def do_DELETE(self):
        self.dispatch()

    def read_body(self):
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            length = 0
        return self.rfile.read(length) if length > 0 else b""

    def dispatch(self):
        parts = urllib.parse.urlsplit(self.path)
        body = self.read_body()
        is_control = parts.path.startswith("/_sim/")
        try:
            if is_control:
                status, content_type, payload, headers = control.handle(
                    self.sim, self.command, parts.path, parts.query, body, self.headers
                )
                self.respond(status, content_type, payload, headers)
            else:
                self.provider(parts.path, body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (e.g. a timeout fault); nothing left to answer
        except Exception:
            traceback.print_exc(file=sys.stderr)
            try:
                if is_control:
                    self.send_json(500, {"ok": False, "error": "internal simulator error"})
                else:
                    self.send_json(200, {"code": 0, "msg": "系统错误"})
            except OSError:
                pass

    def provider(self, path, body):
        content_type = self.headers.get("Content-Type", "")
        token = self.headers.get("token")
        form, form_error = parse_form(content_type, body)
        route = endpoints.lookup(path)
        with self.sim.lock:
            self.sim.record_call(path, token, content_type, form)
            if route is None:
                self.send_json(404, {"code": 0, "msg": f"接口不存在: {path}"})
                return
            if self.command != "POST":
                self.send_json(405, {"code": 0, "msg": "请使用 POST"})
                return
            fault = faults.take(self.sim.state.faults, path)
        kind = fault.kind if fault else None
        if kind == "http500":
            self.respond(500, "text/html; charset=utf-8", b"<h1>500 Internal Server Error</h1>")
            return
        if kind == "timeout":
            time.sleep(fault.delay)
        if kind == "code0":
            self.send_json(200, {"code": 0, "msg": fault.msg or "系统繁忙，请稍后再试"})
            return
        with self.sim.lock:
            if kind == "expire_token":
                self.sim.state.tokens.pop(token or "", None)
            if route.path != endpoints.LOGIN_PATH and not self.sim.token_valid(token):
                answer = {"code": 0, "msg": "token无效"}
            elif form_error:
                answer = {"code": 0, "msg": form_error}
            else:
                emit = self.sim.emitter(kind == "duplicate_callback", kind == "malformed_callback")
                answer = endpoints.handle(self.sim, path, form, emit)
        self.send_json(200, answer)

    def send_json(self, status, payload):
        self.respond(status, "application/json; charset=utf-8", json.dumps(payload, ensure_ascii=False).encode())

    def respond(self, status, content_type, body, headers=None):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)


class Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address, sim):
        super().__init__(address, Handler)
        self.sim = sim

    def handle_error(self, request, client_address):
        """Quiet unless verbose: clients hanging up are normal under timeout faults."""
        if self.sim.config.verbose:
            super().handle_error(request, client_address)


def serve(config, host, port):
    sim = Simulator(config)
    server = Server((host, port), sim)
    bound_host, bound_port = server.server_address[:2]
    if not config.public_url:
        config.public_url = f"http://{bound_host}:{bound_port}"
    names.AVATAR_BASE = config.public_url.rstrip("/")
    print(f"simulator listening on http://{bound_host}:{bound_port}", flush=True)
    sim.demo.start()
    try:
        server.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
