"""`python -m simulator [--host H] [--port N] ...`: run the fake provider (docs/simulator-control.md)."""

import argparse
import os

from .callbacks import MODES
from .server import Config, serve


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m simulator", description="Fake personal-WeChat provider")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8001, help="0 picks a free port")
    parser.add_argument("--phone", default=os.environ.get("SIM_PHONE", "13800000000"))
    parser.add_argument("--password", default=os.environ.get("SIM_PASSWORD", "simulator"))
    parser.add_argument(
        "--delivery-mode", choices=MODES, default=os.environ.get("SIM_DELIVERY_MODE", "form-json") or "form-json"
    )
    parser.add_argument("--token-ttl", type=float, default=0.0, help="token lifetime in seconds (0: never expire)")
    parser.add_argument("--callback-delay", type=float, default=0.0, help="seconds before each callback is sent")
    parser.add_argument("--qr-ttl", type=float, default=0.0, help="seconds before a QR expires (0: never)")
    parser.add_argument("--demo", action="store_true", help="trickle realistic inbound chat to online accounts")
    parser.add_argument("--demo-interval", type=float, default=4.0)
    parser.add_argument("--public-url", default="", help="base URL used in QR links (default http://HOST:PORT)")
    parser.add_argument("--verbose", action="store_true", help="log every request and delivery to stderr")
    args = parser.parse_args(argv)
    config = Config(
        phone=args.phone,
        password=args.password,
        delivery_mode=args.delivery_mode,
        token_ttl=args.token_ttl,
        callback_delay=args.callback_delay,
        demo=args.demo,
        demo_interval=args.demo_interval,
        qr_ttl=args.qr_ttl,
        public_url=args.public_url.rstrip("/"),
        verbose=args.verbose,
    )
    serve(config, args.host, args.port)


if __name__ == "__main__":
    main()
