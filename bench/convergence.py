"""Benchmark: N integrations converging, then one steady drift pass, against both emulators.

    .venv/bin/python bench/convergence.py --integrations 50
    .venv/bin/python bench/convergence.py --integrations 50 --adopt   # each adopts two hand-made apps

Prints JSON: seconds until all are Ready, Okta calls (total, writes, per integration) for the first
convergence and for one steady drift pass, and the operator process's resident memory.
Not part of `make test`: figures depend on the machine; run it before and after a change.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

from outsystems_okta_sandbox.stack import Stack

NAMESPACE = "bench"
REPO = Path(__file__).resolve().parents[1]


def rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def hand_made_apps(stack: Stack, index: int) -> dict[str, str]:
    """Two apps an admin made for integration `index`, through Okta's API; the ids for spec.adopt."""
    headers = {"Authorization": f"SSWS {stack.okta_token}"}
    ids = {}
    for field, app_type, auth in (
        ("consolesAppId", "web", {"token_endpoint_auth_method": "client_secret_basic"}),
        ("developmentToolsAppId", "native", {"token_endpoint_auth_method": "none", "pkce_required": True}),
    ):
        body = {
            "name": "oidc_client",
            "label": f"Hand-made {app_type} {index}",
            "signOnMode": "OPENID_CONNECT",
            "credentials": {"oauthClient": auth},
            "settings": {
                "oauthClient": {
                    "application_type": app_type,
                    "grant_types": ["authorization_code"],
                    "response_types": ["code"],
                    "redirect_uris": [f"https://lifetime-{index}.acme.com/cb"],
                }
            },
        }
        response = httpx.post(f"{stack.okta_url}/api/v1/apps", json=body, headers=headers, timeout=10)
        response.raise_for_status()
        ids[field] = str(response.json()["id"])
    return ids


def spec(
    org_url: str, index: int, adopt: dict[str, str] | None = None, environments: int = 4
) -> dict[str, Any]:
    resource: dict[str, Any] = {
        "apiVersion": "okta.outsystems.dev/v1alpha1",
        "kind": "OutSystemsOktaIntegration",
        "metadata": {"name": f"factory-{index}", "namespace": NAMESPACE},
        "spec": {
            "okta": {"orgUrl": org_url, "credentialsSecretRef": {"name": "okta-api"}},
            "lifetime": {"hostname": f"lifetime-{index}.acme.com"},
            "environments": [
                {"name": f"env{e}", "hostname": f"env{e}-{index}.acme.com"} for e in range(environments)
            ],
            "access": {"groups": ["OutSystems IT"]},
            "appLabels": {"consoles": f"Consoles {index}", "developmentTools": f"Tools {index}"},
        },
    }
    if adopt is not None:
        resource["spec"]["adopt"] = adopt
        del resource["spec"]["appLabels"]  # adopted apps keep their labels
    return resource


def okta_calls(stack: Stack) -> tuple[int, int]:
    calls = stack.okta.requests
    return len(calls), sum(1 for c in calls if c.is_write)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--integrations", type=int, default=20)
    parser.add_argument("--drift-interval", type=float, default=20.0)
    parser.add_argument("--adopt", action="store_true", help="each integration adopts two hand-made apps")
    parser.add_argument(
        "--rate-limit",
        type=int,
        default=1_000_000,
        help="calls per minute of every Okta bucket (default: so many that the operator's pacing never "
        "waits, so the figures are the operator's own; bench/budget.py measures pacing)",
    )
    args = parser.parse_args()
    n = args.integrations

    with (
        tempfile.TemporaryDirectory() as tmp,
        Stack(Path(tmp), groups=["OutSystems IT"], drift_interval=args.drift_interval) as stack,
    ):
        stack.okta.set_rate_limit(args.rate_limit)
        stack.install_crds(REPO / "crds")
        stack.ensure_namespace(NAMESPACE)
        stack.create_credentials(NAMESPACE)
        process = stack.start_operator()
        time.sleep(1.0)
        idle_rss = rss_mib(process.pid)

        adopt = [hand_made_apps(stack, index) if args.adopt else None for index in range(n)]
        stack.okta.clear_requests()
        started = time.monotonic()
        for index in range(n):
            stack.apply(spec(stack.okta_url, index, adopt[index]))
        for index in range(n):
            stack.wait_ready(NAMESPACE, f"factory-{index}", timeout=300)
        converged = time.monotonic() - started
        first_calls, first_writes = okta_calls(stack)
        converged_rss = rss_mib(process.pid)

        # One full drift pass for every integration: each timer fires within one interval (jittered).
        stack.okta.clear_requests()
        time.sleep(args.drift_interval * 1.1)
        drift_calls, drift_writes = okta_calls(stack)
        # Every pass starts by reading the authorization server (its access policies come at the end).
        passes = sum(1 for c in stack.okta.requests if c.path == "/api/v1/authorizationServers/default")

        print(
            json.dumps(
                {
                    "integrations": n,
                    "adopting": args.adopt,
                    "seconds_until_all_ready": round(converged, 2),
                    "first_convergence": {
                        "okta_calls": first_calls,
                        "okta_writes": first_writes,
                        "okta_calls_per_integration": round(first_calls / n, 2),
                    },
                    "drift": {
                        "passes": passes,
                        "okta_calls_per_pass": round(drift_calls / passes, 2) if passes else None,
                        "okta_writes": drift_writes,
                    },
                    "operator_rss_mib": {
                        "idle": round(idle_rss, 1),
                        "after_convergence": round(converged_rss, 1),
                    },
                },
                indent=2,
            )
        )


if __name__ == "__main__":
    main()
