"""The shipped RBAC is exactly what the operator uses: derived from a real lifecycle, not guessed.

The real operator process, started as the Deployment starts it (in the overlay's peering), runs a full
lifecycle against the emulators (create with groups, spec update
with a drifted output Secret, secretName change, missing credentials, deletion with the Delete policy).
The Kubernetes emulator records every request; the test's own client sends the User-Agent `e2e-test`,
so everything else after the operator started is the operator (Kopf as `kopf/...`, the official client
as `OpenAPI-Generator/...`). Those (apiGroup, resource, verb) triples must equal what the overlay grants:
nothing missing (the operator would be forbidden) and nothing extra (least privilege).
"""

from __future__ import annotations

import base64
import shutil
import subprocess
import time
from collections.abc import Callable, Iterable
from typing import Any

import kubernetes
import pytest
import yaml

from outsystems_okta_sandbox.kubernetes import RecordedKubeRequest, rbac_rules
from outsystems_okta_sandbox.stack import Stack
from tests.e2e.conftest import NAME, NAMESPACE, REPO, Okta, resource, secret_values

pytestmark = pytest.mark.e2e

TEST_AGENT = "e2e-test"
OPERATOR_AGENTS = ("kopf/", "OpenAPI-Generator/")
SERVICE_ACCOUNT = {"kind": "ServiceAccount", "name": "outsystems-okta-operator"}
# Discovery and version endpoints: granted to every authenticated user by system:discovery.
DISCOVERY_PREFIXES = ("/api", "/apis", "/version", "/openapi")

Triple = tuple[str, str, str]  # (apiGroup, resource[/subresource], verb)


def ready_reason(obj: dict[str, Any] | None) -> str | None:
    conditions = ((obj or {}).get("status") or {}).get("conditions") or []
    return next((c.get("reason") for c in conditions if c["type"] == "Ready"), None)


# --- the lifecycle -------------------------------------------------------------------------------------


def run_lifecycle(stack: Stack, okta: Okta, start: Callable[[], object]) -> list[RecordedKubeRequest]:
    """Drive every code path that touches Kubernetes; return the operator's requests."""
    stack.api.user_agent = TEST_AGENT
    core = kubernetes.client.CoreV1Api(stack.api)
    stack.create_credentials(NAMESPACE)
    first = len(stack.kube.requests)
    start()

    # 1. Create, with group assignments and the Delete policy: apps, assignments, the output Secret.
    stack.apply(resource(stack.okta_url, access={"groups": ["OutSystems IT"]}, deletionPolicy="Delete"))
    obj = stack.wait_ready(NAMESPACE, NAME)
    secret = obj["status"]["secretName"]

    # 2. Someone edits the output Secret, then the spec changes: the operator must replace the Secret.
    scopes = base64.b64encode(b"tampered").decode()
    core.patch_namespaced_secret(secret, NAMESPACE, {"data": {"scopes": scopes}})
    stack.patch_spec(NAMESPACE, NAME, {"environments": [{"name": "prod", "hostname": "prod.acme.com"}]})
    assert stack.wait_ready(NAMESPACE, NAME)["metadata"]["generation"] == 2
    assert secret_values(stack.read_secret(NAMESPACE, secret))["scopes"] != "tampered"

    # 3. A new secretName: the new Secret is written, the old one deleted.
    stack.patch_spec(NAMESPACE, NAME, {"secretName": "factory-oidc"})
    stack.wait_for(NAMESPACE, NAME, lambda o: (o or {}).get("status", {}).get("secretName") == "factory-oidc")
    assert stack.read_secret(NAMESPACE, "factory-oidc") is not None
    assert stack.read_secret(NAMESPACE, secret) is None, "the old output Secret must be deleted"

    # 4. Missing credentials: reported, and the resource can still be deleted (Orphan policy).
    orphan = resource(
        stack.okta_url, okta={"orgUrl": stack.okta_url, "credentialsSecretRef": {"name": "nope"}}
    )
    orphan["metadata"]["name"] = "no-credentials"
    stack.apply(orphan)
    stack.wait_for(NAMESPACE, "no-credentials", lambda o: ready_reason(o) == "CredentialsNotFound")
    stack.delete(NAMESPACE, "no-credentials")
    stack.wait_for(NAMESPACE, "no-credentials", lambda o: o is None)

    # 5. Delete with the Delete policy: both Okta apps go, then the finalizer is released.
    stack.delete(NAMESPACE, NAME)
    stack.wait_for(NAMESPACE, NAME, lambda o: o is None)
    assert okta.apps() == []

    # 6. The namespace is deleted after its credentials: the operator must let the resource go (it
    #    asks whether the namespace is terminating) instead of keeping the namespace Terminating.
    stack.apply(resource(stack.okta_url, deletionPolicy="Delete"))
    stack.wait_ready(NAMESPACE, NAME)
    core.delete_namespaced_secret("okta-api", NAMESPACE)
    core.delete_namespace(NAMESPACE)
    deadline = time.monotonic() + 30
    while stack.kube.get("namespaces", NAMESPACE) is not None:
        assert time.monotonic() < deadline, "the namespace stayed Terminating"
        time.sleep(0.1)
    assert len(okta.apps()) == 2, "without credentials the apps could only be left in Okta"

    stack.stop_operator()
    requests = [r for r in stack.kube.requests[first:] if r.user_agent != TEST_AGENT]
    unknown = {r.user_agent for r in requests if not r.user_agent.startswith(OPERATOR_AGENTS)}
    assert not unknown, f"requests from an unexpected client: {unknown}"
    assert_every_secret_path_ran(requests)
    assert "Traceback" not in stack.operator_log.read_text(errors="replace")
    return requests


def assert_every_secret_path_ran(requests: list[RecordedKubeRequest]) -> None:
    """Guards the comparison against a lifecycle that silently stops exercising a verb (the "excess"
    check would then flag a real need as unused): each Secret verb has its own trigger above."""
    secrets = {(r.verb, r.status) for r in requests if r.resource == "secrets"}
    expected = {
        ("get", 200),
        ("get", 404),
        ("create", 201),
        ("create", 409),
        ("update", 200),
        ("delete", 200),
    }
    assert expected <= secrets, f"not exercised: {sorted(expected - secrets)}"
    assert any(r.rbac_resource == "outsystemsoktaintegrations/status" for r in requests)


# --- what the overlays grant ---------------------------------------------------------------------------


def overlay_objects(overlay: str) -> list[dict[str, Any]]:
    """The rendered overlay; without kubectl, the overlay's own files (RBAC is not in the base)."""
    directory = REPO / "deploy" / "overlays" / overlay
    kubectl = shutil.which("kubectl")
    if kubectl is not None:
        text = subprocess.run(
            [kubectl, "kustomize", str(directory)], check=True, capture_output=True, text=True, timeout=60
        ).stdout
        return [d for d in yaml.safe_load_all(text) if d]
    kustomization = yaml.safe_load((directory / "kustomization.yaml").read_text())
    files = [directory / r for r in kustomization["resources"] if (directory / r).is_file()]
    return [d for path in files for d in yaml.safe_load_all(path.read_text()) if d]


def bound_roles(objects: Iterable[dict[str, Any]], binding_kind: str, role_kind: str) -> list[dict[str, Any]]:
    """Roles of `role_kind` bound to the operator's ServiceAccount by bindings of `binding_kind`."""
    objects = list(objects)
    names = {
        (b["metadata"].get("namespace"), b["roleRef"]["name"])
        for b in objects
        if b["kind"] == binding_kind
        and b["roleRef"]["kind"] == role_kind
        and any(SERVICE_ACCOUNT.items() <= s.items() for s in b["subjects"])
    }
    return [
        o
        for o in objects
        if o["kind"] == role_kind
        and ((o["metadata"].get("namespace") if role_kind == "Role" else None), o["metadata"]["name"])
        in {(ns if role_kind == "Role" else None, name) for ns, name in names}
    ]


def granted(roles: Iterable[dict[str, Any]]) -> set[Triple]:
    triples: set[Triple] = set()
    for role in roles:
        for rule in role.get("rules") or []:
            assert not rule.get("resourceNames") and not rule.get("nonResourceURLs"), rule
            for group in rule["apiGroups"]:
                for res in rule["resources"]:
                    for verb in rule["verbs"]:
                        triples.add((group, res, verb))
    return triples


def used(requests: Iterable[RecordedKubeRequest]) -> set[Triple]:
    return {
        (r.group or "", r.rbac_resource, r.verb)
        for r in requests
        if r.is_resource_request and r.rbac_resource is not None
    }


def assert_exact(
    granted_: set[Triple], used_: set[Triple], what: str, requests: list[RecordedKubeRequest]
) -> None:
    missing, excess = sorted(used_ - granted_), sorted(granted_ - used_)
    assert not missing and not excess, (
        f"{what}: RBAC differs from what the operator calls.\n"
        f"  missing (used, not granted): {missing}\n"
        f"  excess (granted, never used): {excess}\n"
        f"  minimal rules from the recording: {rbac_rules(requests)}"
    )


def assert_only_discovery_otherwise(requests: list[RecordedKubeRequest]) -> None:
    other = [r for r in requests if not r.is_resource_request]
    for request in other:
        assert request.method == "GET" and request.path.startswith(DISCOVERY_PREFIXES), request.path


# --- the tests -----------------------------------------------------------------------------------------


def deployed_peering(overlay: str) -> str:
    """The name of the overlay's one peering object (tests/integration/deploy checks that the
    Deployment's --peering names it)."""
    objects = overlay_objects(overlay)
    (name,) = [o["metadata"]["name"] for o in objects if o["kind"] in ("ClusterKopfPeering", "KopfPeering")]
    return str(name)


def test_cluster_wide_rbac_is_exactly_what_the_operator_uses(stack: Stack, okta: Okta) -> None:
    peering = deployed_peering("cluster-wide")
    stack.create_peering(peering)
    requests = run_lifecycle(stack, okta, lambda: stack.start_operator(peering=peering))
    assert_only_discovery_otherwise(requests)
    objects = overlay_objects("cluster-wide")
    assert not bound_roles(objects, "RoleBinding", "Role"), "cluster-wide mode uses one ClusterRole"
    roles = bound_roles(objects, "ClusterRoleBinding", "ClusterRole")
    assert [r["metadata"]["name"] for r in roles] == ["outsystems-okta-operator"]
    assert_exact(granted(roles), used(requests), "cluster-wide ClusterRole", requests)


def test_single_namespace_rbac_is_exactly_what_the_operator_uses(stack: Stack, okta: Okta) -> None:
    peering = deployed_peering("single-namespace")
    stack.create_peering(peering, NAMESPACE)
    requests = run_lifecycle(
        stack, okta, lambda: stack.start_operator(namespaces=[NAMESPACE], peering=peering)
    )
    assert_only_discovery_otherwise(requests)
    resource_requests = [r for r in requests if r.is_resource_request]
    outside = {r.namespace for r in resource_requests if r.namespace not in (None, NAMESPACE)}
    assert not outside, f"requests outside the watched namespace: {outside}"
    namespaced = [r for r in resource_requests if r.namespace == NAMESPACE]
    cluster_scoped = [r for r in resource_requests if r.namespace is None]

    objects = overlay_objects("single-namespace")
    roles = bound_roles(objects, "RoleBinding", "Role")
    assert [(r["metadata"]["namespace"], r["metadata"]["name"]) for r in roles] == [
        (NAMESPACE, "outsystems-okta-operator")
    ]
    cluster_roles = bound_roles(objects, "ClusterRoleBinding", "ClusterRole")
    assert_exact(granted(roles), used(namespaced), "Role in the watched namespace", namespaced)
    assert_exact(
        granted(cluster_roles), used(cluster_scoped), "ClusterRole (cluster-scoped reads)", cluster_scoped
    )
    for group, res, verb in granted(cluster_roles):
        assert res != "secrets", "no cluster-wide Secret access in single-namespace mode"
        assert verb in ("get", "list", "watch"), f"cluster-wide write: {verb} {group}/{res}"
