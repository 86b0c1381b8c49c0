"""`outsystems-okta-sandbox`: the emulators and the demo, for `make demo`, `make sandbox` and CI."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import sys
from collections.abc import Sequence
from pathlib import Path

from outsystems_okta import __version__


def _cmd_okta(args: argparse.Namespace) -> int:
    from outsystems_okta_sandbox.okta import serve_forever

    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(
            serve_forever(
                args.host,
                args.port,
                args.token,
                groups=args.group,
                rate_limit_per_minute=args.rate_limit,
            )
        )
    return 0


def _cmd_demo(args: argparse.Namespace) -> int:
    from outsystems_okta_sandbox.demo import run_demo

    return run_demo(show_secret=args.show_secret, example=Path(args.file) if args.file else None)


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(
        prog="outsystems-okta-sandbox",
        description="Emulators of Okta and the Kubernetes API, and the operator running against them.",
    )
    top.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = top.add_subparsers(dest="command", required=True)

    okta = sub.add_parser("okta", help="run the Okta emulator over HTTP")
    okta.add_argument("--host", default="127.0.0.1")
    okta.add_argument("--port", type=int, default=8443)
    okta.add_argument("--token", default="sandbox-token", help="the SSWS token the sandbox accepts")
    okta.add_argument("--group", action="append", default=[], help="an Okta group to seed (repeatable)")
    okta.add_argument("--rate-limit", type=int, default=None, metavar="PER_MINUTE")
    okta.set_defaults(func=_cmd_okta)

    demo = sub.add_parser("demo", help="the whole flow against both emulators, then stop (`make demo`)")
    demo.add_argument("--show-secret", action="store_true", help="print the client secret unmasked")
    demo.add_argument("-f", "--file", help="an OutSystemsOktaIntegration to apply instead of the example")
    demo.set_defaults(func=_cmd_demo)
    return top


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    return int(args.func(args))


if __name__ == "__main__":
    sys.exit(main())
