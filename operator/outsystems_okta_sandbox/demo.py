"""`make demo`: the whole job on embedded defaults, then a clean stop.

Starts the Okta sandbox and the Kubernetes emulator, installs `crds/`, applies the example resource,
runs the real operator process, waits for Ready and prints what LifeTime's provider form needs.
Everything but the operator's log goes when it stops; the log stays (`DEMO_LOG` by default) so a
run can be read afterwards.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

from outsystems_okta.api.constants import KIND
from outsystems_okta.plan.outputs import decode_data
from outsystems_okta_sandbox.example import EXAMPLE, REPO_CRDS, load_example
from outsystems_okta_sandbox.paths import DEMO_LOG, shown
from outsystems_okta_sandbox.stack import Stack

FORM = (
    ("Name", "name"),
    ("OpenID Connect metadata document", "metadataUri"),
    ("Client Id for Web tools", "webClientId"),
    ("Client Secret", "webClientSecret"),
    ("Client Id for Desktop tools", "desktopClientId"),
    ("Username claim", "usernameClaim"),
    ("Scopes", "scopes"),
)


def _say(text: str) -> None:
    print(text, flush=True)


def _mask(value: str) -> str:
    return f"{'*' * 12} ({len(value)} characters)"


def run_demo(*, show_secret: bool = False, example: Path | None = None, operator_log: Path = DEMO_LOG) -> int:
    started = time.monotonic()
    log = shown(operator_log)
    with (
        tempfile.TemporaryDirectory(prefix="outsystems-okta-demo-") as tmp,
        Stack(Path(tmp), groups=["OutSystems IT"], operator_log=operator_log.absolute()) as stack,
    ):
        _say(f"1. Okta sandbox at {stack.okta_url}; Kubernetes emulator at {stack.kube_url}")
        stack.install_crds(REPO_CRDS)
        _say("2. Installed the CRD from crds/")
        resource = load_example(example or EXAMPLE, org_url=stack.okta_url)
        namespace, name = resource["metadata"]["namespace"], resource["metadata"]["name"]
        stack.ensure_namespace(namespace)
        credentials = resource["spec"]["okta"]["credentialsSecretRef"]["name"]
        stack.create_credentials(namespace, credentials)
        _say(f"3. Created namespace {namespace!r} and the Okta API token Secret {credentials!r}")
        stack.start_operator()
        _say(f"4. Started the operator (its log: {log})")
        stack.apply(resource)
        _say(
            f"5. Applied {KIND} {namespace}/{name} with {len(resource['spec']['environments'])} environments"
        )
        try:
            obj = stack.wait_ready(namespace, name, timeout=60)
        except TimeoutError as exc:
            _say(f"The resource did not become Ready: {exc}")
            _say(stack.operator_log.read_text(errors="replace")[-4000:])
            _say(f"The operator's whole log: {log}")
            return 1
        status = obj["status"]
        _say(f"6. Ready after {time.monotonic() - started:.1f}s: {status['conditions'][0]['message']}")
        _say(
            f"   Okta apps: consoles {status['consoles']['appId']}, "
            f"tools {status['developmentTools']['appId']}"
        )
        values = decode_data(stack.read_secret(namespace, status["secretName"]))
        _say(
            "\nLifeTime > Authentication Settings > OpenID Connect provider "
            f"(Secret {status['secretName']!r}):"
        )
        for label, key in FORM:
            value = values.get(key, "")
            if key == "webClientSecret" and not show_secret:
                value = _mask(value) + "   (--show-secret to reveal)"
            _say(f"   {label:<34} {value}")
        _say("\n7. Stopping the operator and the emulators")
    _say(f"   The operator's log stays at {log}")
    return 0
