"""OAuth 2.0 for the Management API, end to end: the operator process signs in to the sandbox as an API
service app (private_key_jwt + DPoP) from a credentials Secret with clientId/privateKey and no API
token, and a key Okta does not know, or one that is not a key, gives Ready=False with a clear reason."""

from __future__ import annotations

from typing import Any

import kubernetes
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from joserfc.jwk import ECKey

from outsystems_okta_sandbox.stack import Stack
from tests.e2e.conftest import NAME, NAMESPACE, Okta, resource

pytestmark = pytest.mark.e2e

CLIENT_ID = "0oaOPERATORSVC"
# What the operator asks for with the default spec (accessPolicy: Check, no signInPolicyId).
SCOPES = ["okta.apps.read", "okta.apps.manage", "okta.groups.read", "okta.authorizationServers.read"]


def pem_of(key: ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey) -> str:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()


def put_service_app_secret(stack: Stack, data: dict[str, str]) -> None:
    core = kubernetes.client.CoreV1Api(stack.api)
    body = {
        "apiVersion": "v1",
        "kind": "Secret",
        "metadata": {"name": "okta-api", "namespace": NAMESPACE},
        "stringData": data,
    }
    try:
        core.create_namespaced_secret(NAMESPACE, body)
    except kubernetes.client.exceptions.ApiException as exc:
        if exc.status != 409:
            raise
        core.replace_namespaced_secret("okta-api", NAMESPACE, body)


def ready(obj: dict[str, Any] | None) -> dict[str, Any]:
    conditions = ((obj or {}).get("status") or {}).get("conditions") or []
    return next((c for c in conditions if c["type"] == "Ready"), {})


def register(okta: Okta, pem: str, scopes: list[str] = SCOPES) -> None:
    jwk = ECKey.import_key(pem).as_dict(private=False) | {"kid": "operator-1"}
    okta.hook("service-apps", {"clientId": CLIENT_ID, "jwk": jwk, "scopes": scopes})


def key_lines(pem: str) -> list[str]:
    return [line for line in pem.splitlines() if line and not line.startswith("-----")]


def test_the_operator_converges_as_a_service_app(stack: Stack, okta: Okta) -> None:
    pem = pem_of(ec.generate_private_key(ec.SECP256R1()))
    register(okta, pem)
    put_service_app_secret(stack, {"clientId": CLIENT_ID, "privateKey": pem, "keyId": "operator-1"})
    stack.start_operator()
    stack.apply(resource(stack.okta_url))

    obj = stack.wait_ready(NAMESPACE, NAME)

    assert ready(obj)["reason"] == "Reconciled"
    assert len(okta.apps()) == 2
    statuses = {r["status"] for r in okta.requests()}
    assert statuses <= {200, 201, 204}, statuses  # no API token in the Secret: every call went as DPoP
    log = stack.operator_log.read_text(errors="replace")
    assert not any(line in log for line in key_lines(pem))


def test_a_wrong_key_gives_ready_false_with_a_clear_reason(stack: Stack, okta: Okta) -> None:
    registered = pem_of(ec.generate_private_key(ec.SECP256R1()))
    register(okta, registered)
    put_service_app_secret(
        stack, {"clientId": CLIENT_ID, "privateKey": "-----BEGIN PRIVATE KEY-----\nnope\n"}
    )
    stack.start_operator()
    stack.apply(resource(stack.okta_url))

    obj = stack.wait_for(NAMESPACE, NAME, lambda o: ready(o).get("reason") == "OktaAuthFailed")
    assert "privateKey is not an unencrypted PEM private key" in ready(obj)["message"]
    assert okta.requests() == []  # refused before any Okta call

    stranger = pem_of(ec.generate_private_key(ec.SECP256R1()))
    put_service_app_secret(stack, {"clientId": CLIENT_ID, "privateKey": stranger})
    obj = stack.wait_for(
        NAMESPACE, NAME, lambda o: "invalid_client" in (ready(o).get("message") or ""), timeout=30.0
    )
    condition = ready(obj)
    assert (condition["status"], condition["reason"]) == ("False", "OktaAuthFailed")
    assert f"the token endpoint refused service app {CLIENT_ID!r}" in condition["message"]
    assert "signature is invalid" in condition["message"]
    assert okta.apps() == [] and okta.requests() == []
    log = stack.operator_log.read_text(errors="replace")
    assert not any(line in log for line in key_lines(stranger))


def test_an_observe_only_integration_needs_only_read_scopes(stack: Stack, okta: Okta) -> None:
    # A service app granted the read scopes alone: enough to observe, since an Observe pass asks for no
    # more (asking for okta.apps.manage would make the token endpoint refuse it with invalid_scope).
    pem = pem_of(ec.generate_private_key(ec.SECP256R1()))
    register(okta, pem, [scope for scope in SCOPES if scope.endswith(".read")])
    put_service_app_secret(stack, {"clientId": CLIENT_ID, "privateKey": pem, "keyId": "operator-1"})
    stack.start_operator()
    stack.apply(resource(stack.okta_url, managementPolicy="Observe"))

    obj = stack.wait_for(NAMESPACE, NAME, lambda o: bool(ready(o).get("reason")))

    # No apps in the org yet: what the observation found, not a refused token.
    assert (ready(obj)["status"], ready(obj)["reason"]) == ("False", "ObservedAppNotFound")
    assert okta.requests(), "the observation read Okta"
    assert {r["method"] for r in okta.requests()} == {"GET"}
    assert {r["status"] for r in okta.requests()} <= {200}
