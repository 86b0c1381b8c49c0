"""`make demo`: the whole job on embedded defaults, then a clean stop.

Starts the Okta sandbox and the Kubernetes emulator, installs `crds/`, applies the example resource,
runs the real operator process, waits for Ready and prints what LifeTime's provider form needs.
"""

from __future__ import annotations

import copy
import tempfile
import time
from pathlib import Path
from typing import Any

import outsystems_okta
from outsystems_okta.api.constants import KIND
from outsystems_okta.plan.outputs import decode_data
from outsystems_okta.yamlio import load_all
from outsystems_okta_sandbox.stack import Stack

EXAMPLE = Path(outsystems_okta.__file__).resolve().parent / "examples" / "integration.yaml"
# A checkout's crds/ when run from one; elsewhere the CRD generated from the installed models.
REPO_CRDS = Path(__file__).resolve().parents[2] / "crds"

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


def _load_example(path: Path, org_url: str) -> dict[str, Any]:
    for document in load_all(path):
        if document.get("kind") == KIND:
            resource = copy.deepcopy(document)
            resource["spec"]["okta"]["orgUrl"] = org_url
            resource.setdefault("metadata", {}).setdefault("namespace", "default")
            return resource
    raise SystemExit(f"no {KIND} in {path}")


def run_demo(*, show_secret: bool = False, example: Path | None = None) -> int:
    started = time.monotonic()
    with (
        tempfile.TemporaryDirectory(prefix="outsystems-okta-demo-") as tmp,
        Stack(Path(tmp), groups=["OutSystems IT"]) as stack,
    ):
        _say(f"1. Okta sandbox at {stack.okta_url}; Kubernetes emulator at {stack.kube_url}")
        stack.install_crds(REPO_CRDS)
        _say("2. Installed the CRD from crds/")
        resource = _load_example(example or EXAMPLE, stack.okta_url)
        namespace, name = resource["metadata"]["namespace"], resource["metadata"]["name"]
        stack.ensure_namespace(namespace)
        credentials = resource["spec"]["okta"]["credentialsSecretRef"]["name"]
        stack.create_credentials(namespace, credentials)
        _say(f"3. Created namespace {namespace!r} and the Okta API token Secret {credentials!r}")
        stack.start_operator()
        _say(f"4. Started the operator (logs: {stack.operator_log.name})")
        stack.apply(resource)
        _say(
            f"5. Applied {KIND} {namespace}/{name} with {len(resource['spec']['environments'])} environments"
        )
        try:
            obj = stack.wait_ready(namespace, name, timeout=60)
        except TimeoutError as exc:
            _say(f"The resource did not become Ready: {exc}")
            _say(stack.operator_log.read_text(errors="replace")[-4000:])
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
    return 0
