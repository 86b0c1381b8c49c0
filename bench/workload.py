"""What the benchmarks apply: N integrations in one namespace, and hand-made apps to adopt."""

from __future__ import annotations

import socket
from pathlib import Path
from typing import Any

import httpx

from outsystems_okta_sandbox.stack import Stack

NAMESPACE = "bench"
REPO = Path(__file__).resolve().parents[1]
GROUP = "okta.outsystems.dev"
PLURAL = "outsystemsoktaintegrations"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


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
