"""End to end: every `kubectl osokta` command against the emulators and the real operator process.

The plugin runs as a user runs it: a process of its own (`kubectl-osokta`, and `kubectl osokta` through
the pinned kubectl, which finds it on PATH), with only KUBECONFIG set. The stack's kubeconfig context
has the namespace `outsystems`, so no command passes `-n`: the plugin takes the context's namespace as
kubectl does. One stack and one operator serve the whole file (the tests run in order: the last one
stops the operator).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from outsystems_okta.plan.handover import handover_message
from outsystems_okta_sandbox.stack import Stack
from tests.e2e.conftest import (
    NAME,
    NAMESPACE,
    REPO,
    Okta,
    _collect_events,
    assert_no_secret_leaks,
    resource,
    secret_values,
)

BIN = Path(sys.executable).parent
PLUGIN = BIN / "kubectl-osokta"
KUBECTL = BIN / "kubectl" if (BIN / "kubectl").exists() else Path(shutil.which("kubectl") or "kubectl")
SECRET = f"{NAME}-lifetime"

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(not PLUGIN.exists(), reason="kubectl-osokta is not installed (make installs it)"),
]


class Plugin:
    def __init__(self, stack: Stack, okta: Okta) -> None:
        self.stack = stack
        self.okta = okta
        self.env = {
            **os.environ,
            "KUBECONFIG": str(stack.kubeconfig),
            "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
        }
        self.env.pop("KUBERNETES_SERVICE_HOST", None)
        self.outputs: list[str] = []
        # Every client secret the Secret held, and the one a test printed on purpose (--show-secret).
        self.seen_secrets: set[str] = set()
        self.shown_secret = ""

    def run(self, *args: str, timeout: float = 90) -> subprocess.CompletedProcess[str]:
        done = subprocess.run(
            [str(PLUGIN), *args], env=self.env, capture_output=True, text=True, timeout=timeout, check=False
        )
        self.outputs.append(done.stdout + done.stderr)
        return done

    def kubectl(self, *args: str) -> subprocess.CompletedProcess[str]:
        done = subprocess.run(
            # kubectl takes no flag of its own before a plugin's name.
            [str(KUBECTL), "osokta", *args],
            env=self.env,
            capture_output=True,
            text=True,
            timeout=90,
            check=False,
        )
        self.outputs.append(done.stdout + done.stderr)
        return done

    def status(self) -> dict[str, Any]:
        return dict((self.stack.get(NAMESPACE, NAME) or {}).get("status") or {})

    def values(self) -> dict[str, str]:
        values = secret_values(self.stack.read_secret(NAMESPACE, SECRET))
        self.seen_secrets.update(v for k, v in values.items() if k.endswith("Secret"))
        return values

    def events(self, reason: str) -> list[str]:
        prefix = f"Normal {reason}: "
        return [e.removeprefix(prefix) for e in _collect_events(self.stack) if e.startswith(prefix)]


@pytest.fixture(scope="module")
def plugin(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Plugin]:
    workdir = tmp_path_factory.mktemp("plugin")
    with Stack(workdir, groups=["OutSystems IT"], namespace=NAMESPACE, drift_interval=600) as stack:
        stack.install_crds(REPO / "crds")
        stack.ensure_namespace(NAMESPACE)
        stack.create_credentials(NAMESPACE)
        stack.apply(resource(stack.okta_url, access={"everyone": False, "groups": ["OutSystems IT"]}))
        stack.start_operator()
        stack.wait_ready(NAMESPACE, NAME)
        okta = Okta(stack.okta_url)
        running = Plugin(stack, okta)
        try:
            yield running
            stack.stop_operators()
            assert_no_secret_leaks(stack, okta)
            # Nothing the plugin printed without --show-secret holds a client secret or the token.
            running.values()
            secrets = {stack.okta_token, *running.seen_secrets} - {running.shown_secret}
            for output in running.outputs:
                assert not any(secret in output for secret in secrets)
        finally:
            okta.close()


def test_kubectl_finds_the_plugin_and_status_describes_the_integration(plugin: Plugin) -> None:
    status = plugin.status()
    done = plugin.kubectl("status", NAME)
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert f"Name: {NAME}\nNamespace: {NAMESPACE}\n" in out
    assert "  Ready: True, Reason: Reconciled, Generation: 1\n" in out
    assert "Authorization server check: the assigned groups can sign in (SignInAllowed)\n" in out
    for role, title in (
        ("consoles", "OutSystems Consoles"),
        ("developmentTools", "OutSystems Development Tools"),
    ):
        app = status[role]
        assert (
            f"    App ID: {app['appId']}\n    Client ID: {app['clientId']}\n"
            f"    Label: {title}\n    Adopted: no\n"
            "    Assigned groups: OutSystems IT (1 assigned by the operator)\n"
        ) in out
    assert (
        "Environments:\n  LifeTime: lifetime.acme.com\n  env0: env0.acme.com\n  env1: env1.acme.com\n" in out
    )
    assert f"Secret: {SECRET}\n" in out and "Paused: no\n" in out and "Drift: none\n" in out
    assert "Normal  LifeTimeHandover: LifeTime's provider values are in Secret" in out


def test_the_first_write_posts_the_handover_once(plugin: Plugin) -> None:
    assert plugin.events("LifeTimeHandover") == [
        handover_message(resource=NAME, namespace=NAMESPACE, secret_name=SECRET)
    ]


def test_lifetime_prints_the_form_in_order_masked_unless_asked_and_as_json(plugin: Plugin) -> None:
    values = plugin.values()
    done = plugin.run("lifetime", NAME)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0] == "LifeTime > User Management > Authentication Settings > Add OpenId Connect Provider"
    assert lines[3].startswith(" 1. Name                          Okta")
    assert lines[4].startswith(f" 2. Well-known Configuration URL  {values['metadataUri']}")
    assert lines[6] == f" 4. Client ID for Desktop tools   {values['desktopClientId']}"
    assert lines[7] == f" 5. Client ID for Web tools       {values['webClientId']}"
    assert "10. Client Secret                 ********   (--show-secret prints it)" in lines
    assert values["webClientSecret"] not in done.stdout

    shown = plugin.run("lifetime", NAME, "--show-secret", "-o", "json")
    assert shown.returncode == 0, shown.stderr
    plugin.shown_secret = values["webClientSecret"]
    data = json.loads(shown.stdout)
    assert {s["secretKey"]: s["value"] for s in data["steps"] if "secretKey" in s} == values
    masked = json.loads(plugin.run("lifetime", NAME, "-o", "json").stdout)
    assert next(s for s in masked["steps"] if s.get("secretKey") == "webClientSecret")["value"] is None


def test_reconcile_waits_for_the_pass_and_prints_its_outcome(plugin: Plugin) -> None:
    done = plugin.run("reconcile", NAME, "--value", "e2e-1", "--timeout", "30")
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(f"{NAME}: reconciled: Ready=True (Reconciled): ")
    assert plugin.status()["lastHandledReconcileAt"] == "e2e-1"


def test_pause_and_resume_wait_for_the_paused_condition(plugin: Plugin) -> None:
    done = plugin.run("pause", NAME, "--timeout", "30")
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(f"{NAME}: Paused=True (Paused): ")
    assert "Paused: yes\n" in plugin.run("status", NAME).stdout

    done = plugin.kubectl("resume", NAME, "--timeout", "30")
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(f"{NAME}: Paused=False (Resumed): ")
    # Resuming what is not paused has nothing to wait for.
    again = plugin.run("resume", NAME, "--timeout", "5")
    assert again.returncode == 0 and again.stdout.startswith(f"{NAME}: Paused=False (Resumed): ")


def test_rotate_then_confirm_with_the_handover_in_between(plugin: Plugin) -> None:
    old = plugin.values()["webClientSecret"]
    done = plugin.run("rotate", NAME, "--value", "2026-12", "--timeout", "30")
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(f"{NAME}: rotation '2026-12': AwaitingConfirmation: ")
    assert done.stdout.endswith(
        f"Next: `kubectl osokta lifetime {NAME} -n {NAMESPACE}` for LifeTime's new provider, then "
        f"`kubectl osokta confirm-rotation {NAME} -n {NAMESPACE}`\n"
    )
    assert plugin.values()["webClientSecret"] != old
    # The new secret is a value LifeTime holds: the handover names its field, in the form's order.
    first = handover_message(resource=NAME, namespace=NAMESPACE, secret_name=SECRET)
    rotated = handover_message(
        resource=NAME, namespace=NAMESPACE, secret_name=SECRET, changed=("webClientSecret",)
    )
    assert sorted(plugin.events("LifeTimeHandover")) == sorted([first, rotated])
    lifetime = plugin.run("lifetime", NAME)
    assert "A client secret rotation awaits confirmation" in lifetime.stdout
    second = plugin.run("rotate", NAME, "--value", "2027-01")
    assert (second.returncode, second.stderr) == (
        1,
        f"error: {NAME}: rotation '2026-12' awaits confirmation; finish it first "
        f"(`kubectl osokta confirm-rotation {NAME} -n {NAMESPACE}`)\n",
    )

    done = plugin.run("confirm-rotation", NAME, "--timeout", "30")
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(f"{NAME}: rotation '2026-12': Completed: ")
    assert "previousWebClientSecret" not in plugin.values()
    # The confirmation changes nothing LifeTime holds: no third handover.
    assert sorted(plugin.events("LifeTimeHandover")) == sorted([first, rotated])

    nothing = plugin.run("confirm-rotation", NAME)
    assert (nothing.returncode, nothing.stderr) == (
        1,
        f"error: {NAME}: no client secret rotation awaits confirmation\n",
    )


def test_errors_are_one_line_with_exit_codes_and_a_wait_times_out(plugin: Plugin) -> None:
    missing = plugin.run("status", "nope")
    assert (missing.returncode, missing.stdout, missing.stderr) == (
        1,
        "",
        f"error: OutSystemsOktaIntegration {NAMESPACE}/nope not found\n",
    )
    other = plugin.kubectl("lifetime", NAME, "-n", "elsewhere")
    assert (other.returncode, other.stderr) == (
        1,
        f"error: OutSystemsOktaIntegration elsewhere/{NAME} not found\n",
    )
    usage = plugin.kubectl("bogus")
    assert usage.returncode == 2 and usage.stderr.startswith("kubectl osokta: error: argument command")
    assert len(usage.stderr.splitlines()) == 1

    plugin.stack.stop_operator()
    start = time.monotonic()
    late = plugin.run("reconcile", NAME, "--value", "e2e-2", "--timeout", "1.5")
    assert late.returncode == 1
    assert late.stderr.splitlines()[-1] == (
        "error: timed out after 1.5s: waiting for a pass to end (is the operator running?)"
    )
    assert time.monotonic() - start < 30
    assert (
        plugin.stack.get(NAMESPACE, NAME)["metadata"]["annotations"][  # type: ignore[index]
            "okta.outsystems.dev/reconcile-requested-at"
        ]
        == "e2e-2"
    )
