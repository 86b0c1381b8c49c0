"""Orgs as they are, end to end: the operator process against both emulators hides the apps, sets and
restores refresh-token behaviour and the app sign-in policy, registers extra URIs, and names the
missing API Access Management add-on."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import pytest

from outsystems_okta_sandbox.stack import Stack
from tests.e2e.conftest import NAME, NAMESPACE, Okta, resource

pytestmark = pytest.mark.e2e

LT_LOGOUT = "https://lifetime.acme.com/LifeTimeSDK/CentralizedLogoutPage.aspx"
LOOPBACK = "http://127.0.0.1:7890/callback"


def ready_condition(obj: dict[str, Any] | None) -> dict[str, Any]:
    conditions = ((obj or {}).get("status") or {}).get("conditions") or []
    return next((c for c in conditions if c["type"] == "Ready"), {})


def admin(stack: Stack, okta: Okta, method: str, path: str, body: Any = None) -> Any:
    """An Okta admin acting out of band, over the sandbox's real API."""
    response = okta.http.request(
        method, path, json=body, headers={"Authorization": f"SSWS {stack.okta_token}"}
    )
    assert response.status_code < 300, response.text
    return response.json() if response.content else None


def eventually(check: Callable[[], bool], what: str, timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, f"{what} did not happen within {timeout}s"
        time.sleep(0.1)


def start(stack: Stack, *, drift: float | None = None, **spec: Any) -> dict[str, Any]:
    if drift is not None:
        stack.drift_interval = drift
    stack.create_credentials(NAMESPACE)
    stack.start_operator()
    stack.apply(resource(stack.okta_url, **spec))
    return stack.wait_ready(NAMESPACE, NAME)


def test_apps_are_hidden_by_default_and_shown_with_show_on_dashboard(stack: Stack, okta: Okta) -> None:
    obj = start(stack)
    ids = [obj["status"]["consoles"]["appId"], obj["status"]["developmentTools"]["appId"]]
    assert [okta.app(i)["visibility"]["hide"] for i in ids] == [{"iOS": True, "web": True}] * 2

    stack.patch_spec(NAMESPACE, NAME, {"showOnDashboard": True})
    stack.wait_ready(NAMESPACE, NAME)
    assert [okta.app(i)["visibility"]["hide"] for i in ids] == [{"iOS": False, "web": False}] * 2


def test_refresh_tokens_are_applied_and_restored_after_drift(stack: Stack, okta: Okta) -> None:
    rotate = {"rotation": "Rotate", "leewaySeconds": 15}
    obj = start(stack, drift=1.0, refreshTokens={"developmentTools": rotate})
    cid, tid = obj["status"]["consoles"]["appId"], obj["status"]["developmentTools"]["appId"]
    refresh = lambda app_id: okta.app(app_id)["settings"]["oauthClient"]["refresh_token"]  # noqa: E731
    assert refresh(cid) == {"rotation_type": "STATIC", "leeway": 30}
    assert refresh(tid) == {"rotation_type": "ROTATE", "leeway": 15}

    app = admin(stack, okta, "GET", f"/api/v1/apps/{tid}")
    app["settings"]["oauthClient"]["refresh_token"] = {"rotation_type": "STATIC", "leeway": 30}
    admin(stack, okta, "PUT", f"/api/v1/apps/{tid}", app)
    eventually(lambda: refresh(tid) == {"rotation_type": "ROTATE", "leeway": 15}, "the drift repair")


def test_the_sign_in_policy_is_assigned_and_restored_after_drift(stack: Stack, okta: Okta) -> None:
    response = okta.http.post("/__sandbox/sign-in-policies", json={"name": "OutSystems IT sign-in"})
    response.raise_for_status()
    policy = response.json()["id"]
    okta_spec = {"orgUrl": stack.okta_url, "credentialsSecretRef": {"name": "okta-api"}}
    obj = start(stack, drift=1.0, okta={**okta_spec, "signInPolicyId": policy})
    tid = obj["status"]["developmentTools"]["appId"]
    uses = lambda app_id: okta.app(app_id)["_links"]["accessPolicy"]["href"].rsplit("/", 1)[-1]  # noqa: E731
    assert uses(obj["status"]["consoles"]["appId"]) == uses(tid) == policy

    default = next(
        p["id"] for p in okta.state()["orgPolicies"] if p["type"] == "ACCESS_POLICY" and p["system"]
    )
    assert default != policy and default.startswith("rst")
    admin(stack, okta, "PUT", f"/api/v1/apps/{tid}/policies/{default}")
    eventually(lambda: uses(tid) == policy, "the sign-in policy repair")


def test_extra_uris_are_registered_after_the_generated_ones(stack: Stack, okta: Okta) -> None:
    obj = start(
        stack,
        extraRedirectUris={"developmentTools": [LOOPBACK]},
        extraPostLogoutRedirectUris={"consoles": [LT_LOGOUT]},
    )
    consoles = okta.app(obj["status"]["consoles"]["appId"])["settings"]["oauthClient"]
    tools = okta.app(obj["status"]["developmentTools"]["appId"])["settings"]["oauthClient"]
    assert consoles["post_logout_redirect_uris"][-1] == LT_LOGOUT
    assert len(consoles["post_logout_redirect_uris"]) == 4  # LifeTime and two environments, then the extra
    assert tools["redirect_uris"][0] == "servicestudio://auth" and tools["redirect_uris"][-1] == LOOPBACK


def test_an_org_without_api_access_management_gets_its_own_reason(stack: Stack, okta: Okta) -> None:
    okta.hook("features", {"apiAccessManagement": False})
    stack.create_credentials(NAMESPACE)
    stack.start_operator()
    stack.apply(resource(stack.okta_url))

    obj = stack.wait_for(
        NAMESPACE, NAME, lambda o: ready_condition(o).get("reason") == "OktaFeatureNotEnabled"
    )

    condition = ready_condition(obj)
    assert condition["status"] == "False"
    assert condition["message"].startswith(
        "Okta 401 E0000015: You do not have permission to access the feature"
    )
    assert "lacks API Access Management, the paid Okta add-on" in condition["message"]
    assert okta.apps() == [] and okta.writes() == []
