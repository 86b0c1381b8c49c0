"""The operator process, end to end, against both emulators over real HTTP."""

from __future__ import annotations

import time
from typing import Any

import kubernetes
import pytest

from outsystems_okta_sandbox.stack import Stack
from tests.e2e.conftest import NAME, NAMESPACE, Okta, resource, secret_values

pytestmark = pytest.mark.e2e

SECRET = f"{NAME}-lifetime"
LOGIN = "/ServiceCenter/CentralizedLogin_AuthCodeFlow_TokenPart.aspx"
IM = "/OSIntegrationManager/OIDC_Callback"
# Every pass starts by reading the authorization server (its access policies are read at the end).
SERVER = "/api/v1/authorizationServers/default"


def converge(stack: Stack, **spec: Any) -> dict[str, Any]:
    stack.create_credentials(NAMESPACE)
    stack.start_operator()
    stack.apply(resource(stack.okta_url, **spec))
    return stack.wait_ready(NAMESPACE, NAME)


def ready_condition(obj: dict[str, Any] | None) -> dict[str, Any]:
    conditions = ((obj or {}).get("status") or {}).get("conditions") or []
    return next((c for c in conditions if c["type"] == "Ready"), {})


def oauth(app: dict[str, Any]) -> dict[str, Any]:
    settings: dict[str, Any] = app["settings"]["oauthClient"]
    return settings


def test_apply_creates_both_apps_and_a_complete_secret(stack: Stack, okta: Okta) -> None:
    obj = converge(stack)
    status = obj["status"]
    apps = okta.apps()
    assert len(apps) == 2
    consoles, tools = okta.app(status["consoles"]["appId"]), okta.app(status["developmentTools"]["appId"])
    assert consoles["label"] == "OutSystems Consoles" and oauth(consoles)["application_type"] == "web"
    assert tools["label"] == "OutSystems Development Tools" and oauth(tools)["application_type"] == "native"
    assert oauth(consoles)["redirect_uris"] == [
        f"https://{h}.acme.com{LOGIN}" for h in ("lifetime", "env0", "env1")
    ]
    assert oauth(tools)["redirect_uris"][-2:] == [f"https://env{i}.acme.com{IM}" for i in range(2)]

    values = secret_values(stack.read_secret(NAMESPACE, SECRET))
    assert set(values) == {
        "name",
        "metadataUri",
        "webClientId",
        "webClientSecret",
        "desktopClientId",
        "usernameClaim",
        "scopes",
    }
    assert values["name"] == "Okta"
    assert values["metadataUri"] == f"{stack.okta_url}/oauth2/default/.well-known/openid-configuration"
    assert values["webClientId"] == consoles["credentials"]["oauthClient"]["client_id"]
    assert values["desktopClientId"] == tools["credentials"]["oauthClient"]["client_id"]
    active = [
        s["client_secret"]
        for s in okta.http.get(
            f"/api/v1/apps/{consoles['id']}/credentials/secrets",
            headers={"Authorization": f"SSWS {stack.okta_token}"},
        ).json()
        if s["status"] == "ACTIVE"
    ]
    assert values["webClientSecret"] in active
    assert values["usernameClaim"] == "preferred_username"
    assert values["scopes"] == "openid email profile offline_access"
    assert status["metadataUri"] == values["metadataUri"]
    assert status["secretName"] == SECRET and status["environments"] == 2
    assert ready_condition(obj)["reason"] == "Reconciled"

    calls = okta.requests()
    writes = okta.writes()
    print(f"\nfirst-time convergence: {len(calls)} Okta calls, {len(writes)} writes")
    assert sum(1 for w in writes if w["method"] == "POST" and w["path"] == "/api/v1/apps") == 2


def _wait_generation(stack: Stack, generation: int) -> dict[str, Any]:
    obj = stack.wait_ready(NAMESPACE, NAME)
    assert obj["metadata"]["generation"] == generation
    return obj


def test_adding_and_removing_an_environment_updates_both_apps_in_place(stack: Stack, okta: Okta) -> None:
    first = converge(stack)
    ids = {role: first["status"][role]["clientId"] for role in ("consoles", "developmentTools")}
    secret_before = secret_values(stack.read_secret(NAMESPACE, SECRET))

    spec = dict(first["spec"])
    spec["environments"] = [*spec["environments"], {"name": "prod", "hostname": "prod.acme.com"}]
    stack.patch_spec(NAMESPACE, NAME, {"environments": spec["environments"]})
    grown = _wait_generation(stack, 2)
    consoles = okta.app(grown["status"]["consoles"]["appId"])
    tools = okta.app(grown["status"]["developmentTools"]["appId"])
    assert f"https://prod.acme.com{LOGIN}" in oauth(consoles)["redirect_uris"]
    assert oauth(tools)["redirect_uris"][-1] == f"https://prod.acme.com{IM}"
    assert {role: grown["status"][role]["clientId"] for role in ids} == ids
    assert len(okta.apps()) == 2
    assert grown["status"]["environments"] == 3

    stack.patch_spec(NAMESPACE, NAME, {"environments": [{"name": "prod", "hostname": "prod.acme.com"}]})
    shrunk = _wait_generation(stack, 3)
    consoles = okta.app(shrunk["status"]["consoles"]["appId"])
    tools = okta.app(shrunk["status"]["developmentTools"]["appId"])
    assert oauth(consoles)["redirect_uris"] == [
        f"https://lifetime.acme.com{LOGIN}",
        f"https://prod.acme.com{LOGIN}",
    ]
    assert not any("env0" in uri or "env1" in uri for uri in oauth(tools)["redirect_uris"])
    assert {role: shrunk["status"][role]["clientId"] for role in ids} == ids
    assert secret_values(stack.read_secret(NAMESPACE, SECRET)) == secret_before


def test_access_groups_are_assigned_and_only_ours_removed(stack: Stack, okta: Okta) -> None:
    obj = converge(stack, access={"everyone": True, "groups": ["OutSystems IT"]})
    app_ids = [obj["status"][role]["appId"] for role in ("consoles", "developmentTools")]
    it, devs, everyone = (okta.group_id(n) for n in ("OutSystems IT", "OutSystems Developers", "Everyone"))
    for app_id in app_ids:
        assert okta.assigned_group_ids(app_id) == {it, everyone}
    # An admin assigns another group by hand: the operator must leave it alone.
    for app_id in app_ids:
        okta.http.put(
            f"/api/v1/apps/{app_id}/groups/{devs}",
            json={},
            headers={"Authorization": f"SSWS {stack.okta_token}"},
        ).raise_for_status()

    stack.patch_spec(NAMESPACE, NAME, {"access": {"everyone": False, "groups": []}})
    _wait_generation(stack, 2)
    for app_id in app_ids:
        assert okta.assigned_group_ids(app_id) == {devs}


def test_unknown_group_is_reported_and_everything_else_converges(stack: Stack, okta: Okta) -> None:
    stack.create_credentials(NAMESPACE)
    stack.start_operator()
    stack.apply(resource(stack.okta_url, access={"groups": ["No Such Group"]}))
    obj = stack.wait_for(NAMESPACE, NAME, lambda o: ready_condition(o).get("reason") == "OktaGroupNotFound")
    condition = ready_condition(obj)
    assert condition["status"] == "False" and "No Such Group" in condition["message"]
    assert len(okta.apps()) == 2
    assert stack.read_secret(NAMESPACE, SECRET) is not None


def test_missing_credentials_secret_is_reported_without_touching_okta(stack: Stack, okta: Okta) -> None:
    stack.start_operator()
    stack.apply(resource(stack.okta_url))
    obj = stack.wait_for(NAMESPACE, NAME, lambda o: bool(ready_condition(o)))
    condition = ready_condition(obj)
    assert (condition["status"], condition["reason"]) == ("False", "CredentialsNotFound")
    assert "okta-api" in condition["message"]
    assert okta.requests() == []
    assert stack.read_secret(NAMESPACE, SECRET) is None


def test_spec_only_the_operator_can_reject_is_reported_as_invalid(stack: Stack, okta: Okta) -> None:
    # Duplicate hostnames are refused by a CEL rule of the CRD. A CRD from before that rule (or one
    # edited by hand) lets them through, and then the operator must catch them itself.
    stack.create_credentials(NAMESPACE)
    envs = [{"name": "a", "hostname": "same.acme.com"}, {"name": "b", "hostname": "same.acme.com"}]
    invalid = resource(stack.okta_url)
    invalid["spec"]["environments"] = envs
    with pytest.raises(kubernetes.client.ApiException, match="environment hostnames must be unique"):
        stack.apply(invalid)
    schema = "/spec/versions/0/schema/openAPIV3Schema/properties/spec"
    rule = f"{schema}/properties/environments/x-kubernetes-validations"
    kubernetes.client.ApiextensionsV1Api(stack.api).patch_custom_resource_definition(
        "outsystemsoktaintegrations.okta.outsystems.dev", [{"op": "remove", "path": rule}]
    )
    stack.start_operator()
    stack.apply(invalid)
    obj = stack.wait_for(NAMESPACE, NAME, lambda o: bool(ready_condition(o)))
    condition = ready_condition(obj)
    assert (condition["status"], condition["reason"]) == ("False", "InvalidSpec")
    assert "spec.environments[1].hostname" in condition["message"]
    assert okta.requests() == []


def test_steady_state_timer_pass_makes_no_okta_writes(stack: Stack, okta: Okta) -> None:
    stack.drift_interval = 1.0
    converge(stack)
    time.sleep(0.5)
    okta.clear_requests()
    kube_before = len(stack.kube.requests)
    # Wait for at least one complete timer pass (it starts with the authorization server read).
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        calls = okta.requests()
        if sum(1 for c in calls if c["path"] == SERVER) >= 2:
            break
        time.sleep(0.1)
    else:
        pytest.fail("no timer pass happened")
    assert okta.writes() == []
    kube_writes = [
        f"{r.verb} {r.path}"
        for r in stack.kube.requests[kube_before:]
        if r.verb in ("create", "update", "patch", "delete")
    ]
    assert kube_writes == [], "a steady pass must not write the resource, its status or the Secret"
    passes = sum(1 for c in calls if c["path"] == SERVER)
    print(f"\nsteady-state timer pass: {len(calls) / passes:.1f} Okta calls per pass, 0 writes")


def test_delete_with_orphan_policy_leaves_the_apps(stack: Stack, okta: Okta) -> None:
    converge(stack)
    stack.delete(NAMESPACE, NAME)
    stack.wait_for(NAMESPACE, NAME, lambda o: o is None)
    apps = okta.apps()
    assert len(apps) == 2 and all(a["status"] == "ACTIVE" for a in apps)
    deadline = time.monotonic() + 10
    while stack.read_secret(NAMESPACE, SECRET) is not None and time.monotonic() < deadline:
        time.sleep(0.1)
    assert stack.read_secret(NAMESPACE, SECRET) is None, "the Secret must go with the resource"


def test_delete_with_delete_policy_removes_the_apps(stack: Stack, okta: Okta) -> None:
    converge(stack, deletionPolicy="Delete")
    stack.delete(NAMESPACE, NAME)
    stack.wait_for(NAMESPACE, NAME, lambda o: o is None)
    assert okta.apps() == []


def test_crash_between_create_and_status_makes_no_duplicate(stack: Stack, okta: Okta) -> None:
    # Slow Okta down so the operator is surely between "apps created" and "status written" when killed:
    # after the creates, the group assignments (0.5 s each) keep the pass going.
    okta.hook("latency", {"seconds": 0.5})
    stack.create_credentials(NAMESPACE)
    stack.start_operator()
    stack.apply(resource(stack.okta_url, access={"groups": ["OutSystems IT"]}))
    deadline = time.monotonic() + 20
    while len(okta.apps()) < 2:
        assert time.monotonic() < deadline, "the operator never created both apps"
        time.sleep(0.02)
    stack.stop_operator(kill=True)
    crashed = stack.get(NAMESPACE, NAME) or {}
    assert "consoles" not in (crashed.get("status") or {}), "the kill came too late to test anything"
    created = {a["id"] for a in okta.apps()}

    okta.hook("latency", {"seconds": 0})
    stack.start_operator()
    obj = stack.wait_ready(NAMESPACE, NAME)
    assert {a["id"] for a in okta.apps()} == created
    assert {obj["status"][r]["appId"] for r in ("consoles", "developmentTools")} == created
    values = secret_values(stack.read_secret(NAMESPACE, SECRET))
    assert values["webClientSecret"], "the client secret must be recovered through the secrets API"


def test_lost_create_response_is_adopted_not_duplicated(stack: Stack, okta: Okta) -> None:
    okta.hook("lose-responses", {"count": 1, "method": "POST", "path_prefix": "/api/v1/apps"})
    obj = converge(stack)
    assert len(okta.apps()) == 2
    assert secret_values(stack.read_secret(NAMESPACE, SECRET))["webClientSecret"]
    assert obj["status"]["consoles"]["appId"] in {a["id"] for a in okta.apps()}


def test_a_kubernetes_api_failure_shows_on_the_resource_and_is_retried(stack: Stack, okta: Okta) -> None:
    # The API server refuses the output Secret a few times: not an expected Okta failure, so the
    # handler's safety net must still report it on the resource (and not leak the Secret's body).
    stack.create_credentials(NAMESPACE)
    stack.kube.emulator[f"post /api/v1/namespaces/{NAMESPACE}/secrets"][:3] << 500
    stack.start_operator()
    stack.apply(resource(stack.okta_url))
    obj = stack.wait_for(NAMESPACE, NAME, lambda o: ready_condition(o).get("reason") == "ReconcileError")
    condition = ready_condition(obj)
    assert condition["status"] == "False"
    assert "KubernetesApiError" in condition["message"] and "500" in condition["message"]
    assert obj["status"]["consoles"]["appId"], "what was done before the failure is kept in status"


def test_a_blocked_deletion_says_why_on_the_resource(stack: Stack, okta: Okta) -> None:
    converge(stack, deletionPolicy="Delete")
    kubernetes_core(stack).delete_namespaced_secret("okta-api", NAMESPACE)
    stack.delete(NAMESPACE, NAME)

    def blocked(obj: dict[str, Any] | None) -> bool:
        return bool(obj) and ready_condition(obj).get("reason") == "CredentialsNotFound"

    obj = stack.wait_for(NAMESPACE, NAME, blocked)
    assert obj is not None and obj["metadata"].get("deletionTimestamp")
    assert "deletionPolicy: Orphan" in ready_condition(obj)["message"]
    assert len(okta.apps()) == 2, "nothing can be deleted in Okta without credentials"


def kubernetes_core(stack: Stack) -> Any:
    return kubernetes.client.CoreV1Api(stack.api)
