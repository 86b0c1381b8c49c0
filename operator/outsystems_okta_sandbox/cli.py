"""`outsystems-okta-sandbox`: the emulators and the demo, for `make demo`, `make sandbox` and CI."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import sys
from collections.abc import Sequence
from pathlib import Path

from outsystems_okta import __version__
from outsystems_okta_sandbox.paths import DEMO_LOG, SANDBOX_DIR


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

    return run_demo(
        show_secret=args.show_secret,
        example=Path(args.file) if args.file else None,
        operator_log=Path(args.operator_log),
    )


def _cmd_up(args: argparse.Namespace) -> int:
    from outsystems_okta_sandbox.session import DRIFT_INTERVAL, run_session

    return run_session(
        Path(args.dir),
        okta_port=args.okta_port,
        kube_port=args.kube_port,
        drift_interval=DRIFT_INTERVAL if args.drift_interval is None else args.drift_interval,
    )


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
    demo.add_argument(
        "--operator-log",
        default=str(DEMO_LOG),
        metavar="PATH",
        help="where the operator's log is kept after the demo (default: %(default)s)",
    )
    demo.set_defaults(func=_cmd_demo)

    # Any free port by default: the files in --dir are rewritten with the ports of each run, and a
    # fixed port could be taken (by another run, or `okta`'s 8443); pin them to keep URLs stable.
    up = sub.add_parser(
        "up",
        help="both emulators and the operator in the foreground until Ctrl-C (`make sandbox`)",
    )
    up.add_argument(
        "--dir",
        default=str(SANDBOX_DIR),
        help="where kubeconfig, env, integration.yaml and operator.log go (default: %(default)s)",
    )
    up.add_argument("--okta-port", type=int, default=0, help="the Okta sandbox's port (0: any free port)")
    up.add_argument("--kube-port", type=int, default=0, help="the Kubernetes API's port (0: any free port)")
    up.add_argument(
        "--drift-interval",
        type=float,
        metavar="SECONDS",
        help="how often the operator re-checks Okta (default: 60, so a change made by hand is repaired "
        "within a minute)",
    )
    up.set_defaults(func=_cmd_up)
    return top


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    return int(args.func(args))


if __name__ == "__main__":
    sys.exit(main())
