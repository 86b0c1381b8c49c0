"""`make sandbox`: both emulators and the real operator in the foreground, to try things by hand.

`outsystems-okta-sandbox up` prepares what a first `kubectl apply` needs (the CRDs, the example's
namespace, its Okta API token Secret, the Okta groups it assigns), writes what a second shell needs
into its directory, says it is ready, and runs until Ctrl-C, SIGTERM or SIGHUP. Then it stops the
operator, the emulators and their thread and exits 0. All state is in memory: each run starts empty
and rewrites the directory's files (the operator's log included).
"""

from __future__ import annotations

import shlex
import signal
import time
from collections.abc import Callable
from pathlib import Path
from types import FrameType
from typing import Any

from outsystems_okta.yamlio import dump
from outsystems_okta_sandbox.example import EXAMPLE, REPO_CRDS, load_example
from outsystems_okta_sandbox.paths import SANDBOX_DIR, shown
from outsystems_okta_sandbox.stack import Stack

GROUPS = ("OutSystems IT", "OutSystems Developers")
# Short enough to watch the operator repair, within a minute, an app you changed in the Okta sandbox.
DRIFT_INTERVAL = 60.0
# SIGHUP too: the operator runs in a session of its own, so closing the terminal would not reach it.
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
OPERATOR_START_TIMEOUT = 30.0
POLL = 0.2

Handler = Callable[[int, FrameType | None], Any] | int | None


class StopSignals:
    """Turns the stop signals into a flag that the main thread polls.

    The handler only records the signal: it takes no lock (an Event's could already be held by the
    interrupted main thread) and raises nothing, so a second Ctrl-C cannot cut the cleanup short.
    """

    def __init__(self) -> None:
        self.received: int | None = None
        self._previous: dict[int, Handler] = {}

    def _record(self, signum: int, frame: FrameType | None) -> None:
        if self.received is None:
            self.received = signum

    def wait(self, seconds: float) -> bool:
        """Sleep up to `seconds`; whether a stop was asked for."""
        if self.received is None:
            time.sleep(seconds)
        return self.received is not None

    def __enter__(self) -> StopSignals:
        for sig in STOP_SIGNALS:
            self._previous[sig] = signal.signal(sig, self._record)
        return self

    def __exit__(self, *exc: object) -> None:
        for sig, previous in self._previous.items():
            signal.signal(sig, signal.SIG_DFL if previous is None else previous)


def env_file(kubeconfig: Path, okta_url: str, okta_token: str) -> str:
    """Shell `export` lines for a second terminal (`source .sandbox/env`)."""
    return "".join(
        f"export {name}={shlex.quote(value)}\n"
        for name, value in (
            ("KUBECONFIG", str(kubeconfig.absolute())),  # absolute: the shell may cd elsewhere
            ("OKTA_ORG_URL", okta_url),
            ("OKTA_API_TOKEN", okta_token),  # the sandbox's own throwaway token
        )
    )


def integration_file(resource: dict[str, Any]) -> str:
    return (
        f"# {EXAMPLE.relative_to(EXAMPLE.parents[2])} (the packaged example) with spec.okta.orgUrl\n"
        "# set to this run's Okta sandbox.\n"
        "# Written by `make sandbox` on every start: edit it and apply it again as you like.\n"
        + dump(resource)
    )


def _write(path: Path, text: str, mode: int = 0o644) -> None:
    path.write_text(text)
    path.chmod(mode)


def _say(text: str = "") -> None:
    print(text, flush=True)


def _tail(path: Path, lines: int = 20) -> str:
    return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])


def run_session(
    directory: Path = SANDBOX_DIR,
    *,
    okta_port: int = 0,
    kube_port: int = 0,
    drift_interval: float = DRIFT_INTERVAL,
) -> int:
    directory = directory.absolute()
    directory.mkdir(parents=True, exist_ok=True)
    example = load_example()
    namespace = example["metadata"]["namespace"]
    credentials = example["spec"]["okta"]["credentialsSecretRef"]["name"]
    with StopSignals() as stop:
        stack = Stack(
            directory,
            groups=GROUPS,
            drift_interval=drift_interval,
            namespace=namespace,  # so a plain `kubectl get osokta` lists the example
            okta_port=okta_port,
            kube_port=kube_port,
        )
        try:
            stack.start()
        except OSError as exc:  # a port already taken
            stack.close()
            _say(f"Could not start the emulators: {exc}")
            return 1
        try:
            return _serve(stack, stop, namespace, credentials)
        finally:
            _say("Stopping the operator and both emulators...")
            stack.close()
            _say(f"Stopped. The operator's log stays at {shown(stack.operator_log)}.")


def _serve(stack: Stack, stop: StopSignals, namespace: str, credentials: str) -> int:
    directory = stack.workdir
    stack.install_crds(REPO_CRDS)
    stack.ensure_namespace(namespace)
    stack.create_credentials(namespace, credentials)
    _say(f"Okta sandbox     {stack.okta_url}   groups: {', '.join(GROUPS)}")
    _say(
        f"Kubernetes API   {stack.kube_url}   CRDs installed, namespace {namespace!r}, Secret {credentials!r}"
    )

    env, integration = directory / "env", directory / "integration.yaml"
    _write(env, env_file(stack.kubeconfig, stack.okta_url, stack.okta_token), 0o600)
    _write(integration, integration_file(load_example(org_url=stack.okta_url)))

    operator = stack.start_operator()
    deadline = time.monotonic() + OPERATOR_START_TIMEOUT
    while not stack.operator_watching():
        if stop.wait(POLL):
            return 0
        if operator.poll() is not None:
            return _operator_died(stack, operator.returncode)
        if time.monotonic() > deadline:
            _say(f"The operator did not start watching within {OPERATOR_START_TIMEOUT:.0f}s.")
            _say(_tail(stack.operator_log))
            return 1
    _say(f"Operator         pid {operator.pid}, all namespaces, log: {shown(stack.operator_log)}")
    _say(f"Wrote            {', '.join(shown(p) for p in (stack.kubeconfig, env, integration))}")
    _say()
    _say("Ready. In another terminal:")
    _say()
    _say(f"  source {shlex.quote(shown(env))}")
    _say(f"  kubectl apply -f {shlex.quote(shown(integration))}")
    _say("  kubectl get osokta -w")
    _say()
    _say("Ctrl-C here stops the operator and both emulators.")

    while not stop.wait(POLL):
        if operator.poll() is not None:
            return _operator_died(stack, operator.returncode)
    _say()
    return 0


def _operator_died(stack: Stack, code: int) -> int:
    _say(f"The operator exited with code {code}; the end of {shown(stack.operator_log)}:")
    _say(_tail(stack.operator_log))
    return 1
