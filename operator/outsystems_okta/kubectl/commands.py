"""`kubectl osokta` (the `kubectl-osokta` entry point) and the same subcommands of `outsystems-okta`.

status, lifetime: read the resource, its Events and the output Secret. reconcile, pause, resume,
rotate, confirm-rotation: set the day-2 annotation, then wait until the operator has handled it (a
progress line on stderr) and print the outcome. Exit codes: 0 done, 1 not found, failed or timed out,
2 usage. The Kubernetes client is imported only when a command runs, so `outsystems-okta crd` and
`--help` stay fast.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, NoReturn

from outsystems_okta.api.constants import (
    ANNOTATION_CONFIRM_ROTATION,
    ANNOTATION_PAUSED,
    ANNOTATION_RECONCILE_REQUESTED_AT,
    ANNOTATION_ROTATE_CLIENT_SECRET,
    MAX_REQUEST_LENGTH,
)
from outsystems_okta.kubectl import render, waits
from outsystems_okta.kubectl.errors import PluginError, Transient
from outsystems_okta.plan.outputs import decode_data

if TYPE_CHECKING:
    from outsystems_okta.kubectl.cluster import Cluster

DEFAULT_TIMEOUT = 60.0
POLL_INTERVAL = 0.5


def _cluster(args: argparse.Namespace) -> Cluster:
    from outsystems_okta.kubectl.cluster import Cluster

    return Cluster(kubeconfig=args.kubeconfig, context=args.context, namespace=args.namespace)


def _request_value(args: argparse.Namespace) -> str:
    """The annotation's value: the one given, else now (unique enough: microseconds)."""
    value: str | None = args.value
    return value if value else datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


# ---- read-only commands ---------------------------------------------------------------------------


def _cmd_status(args: argparse.Namespace) -> int:
    cluster = _cluster(args)
    resource = cluster.integration(args.name)
    uid = (resource.get("metadata") or {}).get("uid")
    sys.stdout.write(render.render_status(resource, cluster.events(args.name, uid)))
    return 0


def _cmd_lifetime(args: argparse.Namespace) -> int:
    cluster = _cluster(args)
    resource = cluster.integration(args.name)
    secret_name = (resource.get("status") or {}).get("secretName")
    if not secret_name:
        raise PluginError(
            f"{args.name}: the operator has not written the LifeTime Secret yet (no status.secretName); "
            f"see `kubectl osokta status {args.name} -n {cluster.namespace}`"
        )
    values = decode_data(cluster.secret(str(secret_name)))
    where = {"secret_name": str(secret_name), "namespace": cluster.namespace, "show_secret": args.show_secret}
    if args.output == "json":
        sys.stdout.write(json.dumps(render.lifetime_data(values, **where), indent=2) + "\n")
    else:
        sys.stdout.write(render.render_lifetime(values, resource=args.name, **where))
    return 0


# ---- commands that set an annotation and wait -------------------------------------------------------


def _wait(
    cluster: Cluster,
    args: argparse.Namespace,
    handled: Callable[[Mapping[str, Any]], waits.Verdict],
) -> int:
    """Poll until `handled` says done, or `--timeout`. On a terminal the progress line is rewritten in
    place with the seconds waited; in a pipe or a CI log it is a new line only when it says something new.
    Each read gets the time left as its timeout; one the API server does not answer, or answers 429 or
    5xx (a restart, an overloaded server, a flaky proxy), is tried again until the deadline.
    """
    tty = sys.stderr.isatty()
    start = time.monotonic()
    shown = said = ""
    while True:
        unreachable = False
        try:
            left = args.timeout - (time.monotonic() - start)
            verdict = handled(cluster.integration(args.name, within=left))
        except Transient as exc:
            verdict = waits.Verdict(False, False, str(exc))
            unreachable = True
        elapsed = time.monotonic() - start
        if verdict.done or elapsed >= args.timeout:
            if tty and shown:
                sys.stderr.write("\n")
            if not verdict.done:
                why = verdict.message if unreachable else f"{verdict.message} (is the operator running?)"
                sys.stderr.write(f"error: timed out after {args.timeout:g}s: {why}\n")
                return 1
            if not verdict.ok:
                sys.stderr.write(f"error: {verdict.message}\n")
                return 1
            sys.stdout.write(f"{args.name}: {verdict.message}\n")
            return 0
        if tty:
            line = f"{args.name}: {verdict.message} ({elapsed:.0f}s)"
            sys.stderr.write("\r" + line.ljust(len(shown)))
            shown = line
        elif verdict.message != said:
            sys.stderr.write(f"{args.name}: {verdict.message}\n")
            said = verdict.message
        sys.stderr.flush()
        time.sleep(POLL_INTERVAL)


def _cmd_reconcile(args: argparse.Namespace) -> int:
    cluster = _cluster(args)
    value = _request_value(args)
    cluster.annotate(args.name, {ANNOTATION_RECONCILE_REQUESTED_AT: value})
    return _wait(cluster, args, lambda r: waits.reconcile_handled(r, value))


def _cmd_pause(args: argparse.Namespace) -> int:
    cluster = _cluster(args)
    cluster.annotate(args.name, {ANNOTATION_PAUSED: "true"})
    return _wait(cluster, args, lambda r: waits.pause_handled(r, paused=True))


def _cmd_resume(args: argparse.Namespace) -> int:
    cluster = _cluster(args)
    cluster.annotate(args.name, {ANNOTATION_PAUSED: None})
    return _wait(cluster, args, lambda r: waits.pause_handled(r, paused=False))


def _cmd_rotate(args: argparse.Namespace) -> int:
    cluster = _cluster(args)
    value = _request_value(args)
    pending = waits.pending_rotation(cluster.integration(args.name))
    if pending is not None and pending != value:
        # The operator would hold the new request until this one completes: waiting for it would only
        # time out, and the annotation would start a second rotation right after the confirmation.
        raise PluginError(
            f"{args.name}: rotation {pending!r} awaits confirmation; finish it first "
            f"(`kubectl osokta confirm-rotation {args.name} -n {cluster.namespace}`)"
        )
    cluster.annotate(args.name, {ANNOTATION_ROTATE_CLIENT_SECRET: value})
    code = _wait(cluster, args, lambda r: waits.rotation_handled(r, value))
    if code == 0 and waits.pending_rotation(cluster.integration(args.name)) == value:
        sys.stdout.write(
            f"Next: `kubectl osokta lifetime {args.name} -n {cluster.namespace}` for LifeTime's new "
            f"provider, then `kubectl osokta confirm-rotation {args.name} -n {cluster.namespace}`\n"
        )
    return code


def _cmd_confirm(args: argparse.Namespace) -> int:
    cluster = _cluster(args)
    value: str | None = args.value or waits.pending_rotation(cluster.integration(args.name))
    if value is None:
        raise PluginError(f"{args.name}: no client secret rotation awaits confirmation")
    cluster.annotate(args.name, {ANNOTATION_CONFIRM_ROTATION: value})
    return _wait(cluster, args, lambda r: waits.confirmation_handled(r, value))


def _guarded(command: Callable[[argparse.Namespace], int]) -> Callable[[argparse.Namespace], int]:
    """The command with its errors as one line on stderr, never a traceback."""

    def run(args: argparse.Namespace) -> int:
        try:
            return command(args)
        except PluginError as exc:
            sys.stderr.write(f"error: {exc}\n")
            return exc.code
        except KeyboardInterrupt:
            sys.stderr.write("\nerror: interrupted\n")
            return 1

    return run


# ---- the parser ---------------------------------------------------------------------------------------


class _Parser(argparse.ArgumentParser):
    """Usage errors in one line (exit 2), as the rest of the plugin's errors."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message} (see --help)\n")


def _request_length(text: str) -> str:
    if not text or len(text) > MAX_REQUEST_LENGTH:
        raise argparse.ArgumentTypeError(f"must be 1 to {MAX_REQUEST_LENGTH} characters")
    return text


def _positive(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds") from None
    if not math.isfinite(value):  # nan would never compare as elapsed, inf would wait forever
        raise argparse.ArgumentTypeError(f"{text!r} is not a finite number of seconds")
    if value <= 0:
        raise argparse.ArgumentTypeError("must be more than 0 seconds")
    return value


def _common() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("name", help="the OutSystemsOktaIntegration's name")
    common.add_argument("-n", "--namespace", help="its namespace (default: the kubeconfig context's)")
    common.add_argument("--context", help="the kubeconfig context (default: the current one)")
    common.add_argument("--kubeconfig", help="the kubeconfig file (default: $KUBECONFIG or ~/.kube/config)")
    return common


def _waiting(parser: argparse.ArgumentParser, *, value: str | None = None) -> None:
    parser.add_argument(
        "--timeout",
        type=_positive,
        default=DEFAULT_TIMEOUT,
        help=f"seconds to wait for the operator (default {DEFAULT_TIMEOUT:g})",
    )
    if value is not None:
        parser.add_argument("--value", type=_request_length, help=value)


def add_commands(sub: Any) -> None:
    """The plugin's subcommands, on `kubectl-osokta`'s parser or `outsystems-okta`'s."""
    kwargs: dict[str, Any] = {"parents": [_common()]}
    status = sub.add_parser(
        "status", help="conditions, apps, rotation, drift, pause and the last Events", **kwargs
    )
    status.set_defaults(func=_guarded(_cmd_status))

    lifetime = sub.add_parser(
        "lifetime", help="the values for LifeTime's provider form, in its order", **kwargs
    )
    lifetime.add_argument("--show-secret", action="store_true", help="print the client secret (masked)")
    lifetime.add_argument("-o", "--output", choices=("text", "json"), default="text", help="output format")
    lifetime.set_defaults(func=_guarded(_cmd_lifetime))

    reconcile = sub.add_parser("reconcile", help="run a pass now and wait for it to end", **kwargs)
    _waiting(reconcile, value="the reconcile-requested-at value (default: now)")
    reconcile.set_defaults(func=_guarded(_cmd_reconcile))

    pause = sub.add_parser("pause", help="stop every Okta and Secret write, and wait for it", **kwargs)
    _waiting(pause)
    pause.set_defaults(func=_guarded(_cmd_pause))

    resume = sub.add_parser("resume", help="remove the pause, and wait for it", **kwargs)
    _waiting(resume)
    resume.set_defaults(func=_guarded(_cmd_resume))

    rotate = sub.add_parser(
        "rotate", help="start a client secret rotation and wait for the new secret", **kwargs
    )
    _waiting(rotate, value="the rotation's name (default: now)")
    rotate.set_defaults(func=_guarded(_cmd_rotate))

    confirm = sub.add_parser(
        "confirm-rotation", help="LifeTime uses the new secret: delete the old one, and wait", **kwargs
    )
    _waiting(confirm, value="the rotation to confirm (default: the one awaiting confirmation)")
    confirm.set_defaults(func=_guarded(_cmd_confirm))


COMMANDS = ("status", "lifetime", "reconcile", "pause", "resume", "rotate", "confirm-rotation")


def parser() -> argparse.ArgumentParser:
    top = _Parser(
        prog="kubectl osokta",
        description="Look at and steer OutSystemsOktaIntegrations (the outsystems-okta operator).",
    )
    add_commands(top.add_subparsers(dest="command", required=True, parser_class=_Parser))
    return top


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    return int(args.func(args))
