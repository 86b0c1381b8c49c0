"""`make demo`: the whole job on embedded defaults, then a clean stop.

Starts the Okta sandbox and the Kubernetes emulator, installs `crds/`, applies the example resource,
runs the real operator process, waits for Ready, prints what LifeTime's provider form needs, and ends
with a "Sign-in check": a demo user of the assigned group signs in through every environment's
Service Center callback and through Service Studio's (exit 1 if one fails).
Everything but the operator's log goes when it stops; the log stays (`DEMO_LOG` by default) so a
run can be read afterwards.
"""

from __future__ import annotations

import asyncio
import tempfile
import time
from pathlib import Path
from typing import Any

from outsystems_okta.api.constants import KIND
from outsystems_okta.kubectl.render import render_lifetime
from outsystems_okta.plan.outputs import decode_data
from outsystems_okta_sandbox.example import EXAMPLE, REPO_CRDS, load_example
from outsystems_okta_sandbox.okta import SeedUser
from outsystems_okta_sandbox.paths import DEMO_LOG, shown
from outsystems_okta_sandbox.sign_in_check import check_sign_ins
from outsystems_okta_sandbox.stack import Stack

# A member of the group the example assigns, so the sign-in check has someone to sign in.
DEMO_GROUP = "OutSystems IT"
DEMO_USER = "it.admin@acme.com"


def _say(text: str) -> None:
    print(text, flush=True)


def run_demo(*, show_secret: bool = False, example: Path | None = None, operator_log: Path = DEMO_LOG) -> int:
    started = time.monotonic()
    log = shown(operator_log)
    with (
        tempfile.TemporaryDirectory(prefix="outsystems-okta-demo-") as tmp,
        Stack(
            Path(tmp),
            groups=[DEMO_GROUP],
            users=[SeedUser(DEMO_USER, groups=[DEMO_GROUP], first_name="Ida", last_name="Admin")],
            operator_log=operator_log.absolute(),
        ) as stack,
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
        # What `kubectl osokta lifetime` prints: LifeTime's form in its order (plan/handover.py).
        form = render_lifetime(
            values,
            secret_name=status["secretName"],
            namespace=namespace,
            resource=name,
            show_secret=show_secret,
        )
        _say("\n" + "".join(f"   {line}" if line.strip() else line for line in form.splitlines(True)))
        signed_in = _sign_in_check(stack, resource, status, values)
        _say("\n8. Stopping the operator and the emulators")
    _say(f"   The operator's log stays at {log}")
    return 0 if signed_in else 1


def _sign_in_check(
    stack: Stack, resource: dict[str, Any], status: dict[str, Any], values: dict[str, str]
) -> bool:
    spec = resource["spec"]
    authz: dict[str, Any] = next(
        (c for c in status["conditions"] if c["type"] == "AuthorizationServerReady"), {}
    )
    _say(
        f"\n7. Sign-in check ({DEMO_USER}, a member of {DEMO_GROUP!r}; the Consoles app through each "
        "environment's Service Center callback, the Development Tools app through servicestudio://auth):"
    )
    _say(f"   Access policies: {authz.get('reason', 'not checked')}: {authz.get('message', '')}")
    lines = asyncio.run(
        check_sign_ins(
            stack.okta_url,
            spec["okta"].get("authorizationServerId", "default"),
            spec["lifetime"]["hostname"],
            [(env["name"], env["hostname"]) for env in spec["environments"]],
            values,
            DEMO_USER,
        )
    )
    width = max(len(line.where) for line in lines)
    for line in lines:
        _say(line.render(width))
    return all(line.ok for line in lines)
