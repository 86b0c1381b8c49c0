"""Issue 7, end to end: the operator process against both emulators.

1. Adoption: two apps an admin made through Okta's API become the factory's apps without a single
   create; the Secret holds the admin's client IDs and the client secret the app already had; deleting
   with deletionPolicy Orphan gives them back minus our marker. `plan --live` reads the resource as
   `kubectl get -o yaml` prints it and changes nothing.
2. Never lock LifeTime out: an app deleted in Okta gives OktaAppDeleted until missingAppPolicy says
   Recreate; an app deactivated in Okta is reactivated with the same client ID.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
import yaml

from outsystems_okta_sandbox.stack import Stack
from tests.e2e.conftest import NAME, NAMESPACE, Okta, resource, secret_values
from tests.e2e.test_events import events, wait_for_events

pytestmark = pytest.mark.e2e

SECRET = f"{NAME}-lifetime"
MARKER = "outsystemsOktaOperator"
LOGIN = "/ServiceCenter/CentralizedLogin_AuthCodeFlow_TokenPart.aspx"


def okta_api(stack: Stack, okta: Okta, method: str, path: str, body: Any = None) -> Any:
    """A call an Okta admin makes by hand (SSWS token), not through the operator."""
    response = okta.http.request(
        method, path, json=body, headers={"Authorization": f"SSWS {stack.okta_token}"}
    )
    assert response.status_code < 300, response.text
    return response.json() if response.content else None


def hand_made_apps(stack: Stack, okta: Okta) -> tuple[dict[str, Any], dict[str, Any]]:
    web = okta_api(
        stack,
        okta,
        "POST",
        "/api/v1/apps",
        {
            "name": "oidc_client",
            "label": "Acme LifeTime SSO",
            "signOnMode": "OPENID_CONNECT",
            "credentials": {"oauthClient": {"token_endpoint_auth_method": "client_secret_basic"}},
            "settings": {
                "oauthClient": {
                    "application_type": "web",
                    "grant_types": ["authorization_code"],
                    "response_types": ["code"],
                    "redirect_uris": [f"https://lifetime.acme.com{LOGIN}"],
                }
            },
            "profile": {"team": "platform"},
        },
    )
    native = okta_api(
        stack,
        okta,
        "POST",
        "/api/v1/apps",
        {
            "name": "oidc_client",
            "label": "Acme Service Studio",
            "signOnMode": "OPENID_CONNECT",
            "credentials": {
                "oauthClient": {
                    "client_id": "acme-service-studio",
                    "token_endpoint_auth_method": "none",
                    "pkce_required": True,
                }
            },
            "settings": {
                "oauthClient": {
                    "application_type": "native",
                    "grant_types": ["authorization_code", "refresh_token"],
                    "response_types": ["code"],
                    "redirect_uris": ["servicestudio://auth"],
                }
            },
        },
    )
    return web, native


def active_secrets(stack: Stack, okta: Okta, app_id: str) -> list[str]:
    listed = okta_api(stack, okta, "GET", f"/api/v1/apps/{app_id}/credentials/secrets")
    return [s["client_secret"] for s in listed if s["status"] == "ACTIVE"]


def ready_condition(obj: dict[str, Any] | None) -> dict[str, Any]:
    conditions = ((obj or {}).get("status") or {}).get("conditions") or []
    return next((c for c in conditions if c["type"] == "Ready"), {})


def test_adopting_two_hand_made_apps_and_orphaning_them(stack: Stack, okta: Okta, tmp_path: Path) -> None:
    web, native = hand_made_apps(stack, okta)
    [admin_secret] = active_secrets(stack, okta, web["id"])
    okta.clear_requests()
    stack.create_credentials(NAMESPACE)
    stack.start_operator()
    stack.apply(
        resource(
            stack.okta_url,
            adopt={"consolesAppId": web["id"], "developmentToolsAppId": native["id"]},
            access={"groups": ["OutSystems IT"]},
        )
    )
    obj = stack.wait_ready(NAMESPACE, NAME)

    # Not one create: no app, no client secret.
    writes = okta.writes()
    assert [w for w in writes if w["method"] == "POST" and w["path"] == "/api/v1/apps"] == []
    assert [w for w in writes if w["path"].endswith("/credentials/secrets")] == []
    assert {a["id"] for a in okta.apps()} == {web["id"], native["id"]}

    values = secret_values(stack.read_secret(NAMESPACE, SECRET))
    assert values["webClientId"] == web["id"]
    assert values["desktopClientId"] == "acme-service-studio"
    assert values["webClientSecret"] == admin_secret
    assert active_secrets(stack, okta, web["id"]) == [admin_secret]
    status = obj["status"]
    assert status["consoles"]["adopted"] is True and status["developmentTools"]["adopted"] is True

    adopted = okta.app(web["id"])
    assert adopted["label"] == "Acme LifeTime SSO"
    assert adopted["settings"]["oauthClient"]["redirect_uris"] == [
        f"https://{h}.acme.com{LOGIN}" for h in ("lifetime", "env0", "env1")
    ]
    assert adopted["profile"]["team"] == "platform" and adopted["profile"][MARKER]["role"] == "consoles"
    found = wait_for_events(stack, "OktaAppAdopted")
    messages = sorted(e["message"] for e in found if e["reason"] == "OktaAppAdopted")
    assert messages[0].startswith(f"Adopted Okta app 'Acme LifeTime SSO' ({web['id']}): changed ")
    assert "settings.oauthClient.redirect_uris" in messages[0] and "grant_types" in messages[0]

    # plan --live on the resource as `kubectl get -o yaml` prints it: nothing to do, GET only.
    path = tmp_path / "factory.yaml"
    path.write_text(yaml.safe_dump(stack.get(NAMESPACE, NAME)))
    okta.clear_requests()
    plan = subprocess.run(
        [
            *(sys.executable, "-m", "outsystems_okta.cli", "plan", "-f", str(path)),
            *("--live", "--allow-insecure-loopback", "--detailed-exitcode"),
        ],
        env={**os.environ, "OKTA_API_TOKEN": stack.okta_token},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert plan.returncode == 0, plan.stdout + plan.stderr
    assert f"  Acme LifeTime SSO ({web['id']}): no changes" in plan.stdout
    assert {r["method"] for r in okta.requests()} == {"GET"}
    assert stack.okta_token not in plan.stdout + plan.stderr and admin_secret not in plan.stdout

    # Orphan (the default): the apps stay as adopted, minus our marker; the secret is untouched.
    before = {app_id: okta.app(app_id) for app_id in (web["id"], native["id"])}
    stack.delete(NAMESPACE, NAME)
    stack.wait_for(NAMESPACE, NAME, lambda o: o is None)
    for app_id, old in before.items():
        new = okta.app(app_id)
        assert MARKER not in new["profile"]
        assert {k: v for k, v in new["profile"].items()} == {
            k: v for k, v in old["profile"].items() if k != MARKER
        }
        assert new["settings"] == old["settings"] and new["credentials"] == old["credentials"]
        assert new["label"] == old["label"] and new["status"] == "ACTIVE"
    assert active_secrets(stack, okta, web["id"]) == [admin_secret]


def test_an_adoption_refused_is_reported_and_touches_nothing(stack: Stack, okta: Okta) -> None:
    web, native = hand_made_apps(stack, okta)
    apps_before = okta.apps()
    okta.clear_requests()
    stack.create_credentials(NAMESPACE)
    stack.start_operator()
    stack.apply(
        resource(stack.okta_url, adopt={"consolesAppId": native["id"], "developmentToolsAppId": web["id"]})
    )
    obj = stack.wait_for(NAMESPACE, NAME, lambda o: ready_condition(o).get("reason") == "AdoptionRefused")
    message = ready_condition(obj)["message"]
    assert (
        f"spec.adopt.consolesAppId names {native['id']} ('Acme Service Studio'), which is a native app"
        in message
    )
    assert okta.writes() == []
    assert [{k: v for k, v in a.items() if k != "lastUpdated"} for a in okta.apps()] == [
        {k: v for k, v in a.items() if k != "lastUpdated"} for a in apps_before
    ]
    warnings = [e for e in wait_for_events(stack, "AdoptionRefused") if e["reason"] == "AdoptionRefused"]
    assert warnings and warnings[0]["type"] == "Warning" and warnings[0]["message"] == message
    assert stack.read_secret(NAMESPACE, SECRET) is None


def test_an_app_deleted_in_okta_stops_until_recreate_is_allowed(stack: Stack, okta: Okta) -> None:
    stack.drift_interval = 1.0
    stack.create_credentials(NAMESPACE)
    stack.start_operator()
    stack.apply(resource(stack.okta_url))
    obj = stack.wait_ready(NAMESPACE, NAME)
    old = obj["status"]["consoles"]["appId"]
    before = secret_values(stack.read_secret(NAMESPACE, SECRET))
    okta_api(stack, okta, "POST", f"/api/v1/apps/{old}/lifecycle/deactivate")
    okta_api(stack, okta, "DELETE", f"/api/v1/apps/{old}")

    obj = stack.wait_for(NAMESPACE, NAME, lambda o: ready_condition(o).get("reason") == "OktaAppDeleted")
    condition = ready_condition(obj)
    assert condition["status"] == "False"
    assert condition["message"].startswith(
        f"Okta app {old} ('OutSystems Consoles') is gone from Okta; LifeTime's provider still holds it as "
        "Client ID for Web tools"
    )
    assert (
        "adding a new OpenID Connect provider (LifeTime > User Management > Authentication Settings)"
        in (condition["message"])
    )
    warning = [e for e in wait_for_events(stack, "OktaAppDeleted") if e["reason"] == "OktaAppDeleted"]
    assert warning and warning[0]["type"] == "Warning" and warning[0]["message"] == condition["message"]
    # A few timer passes later: still nothing recreated, the Secret still what LifeTime has.
    time.sleep(2.5)
    assert len(okta.apps()) == 1
    assert secret_values(stack.read_secret(NAMESPACE, SECRET)) == before
    assert stack.get(NAMESPACE, NAME)["status"]["consoles"]["appId"] == old  # type: ignore[index]

    stack.patch_spec(NAMESPACE, NAME, {"missingAppPolicy": "Recreate"})
    obj = stack.wait_ready(NAMESPACE, NAME)
    new = obj["status"]["consoles"]["appId"]
    assert new != old and len(okta.apps()) == 2
    after = secret_values(stack.read_secret(NAMESPACE, SECRET))
    assert after["webClientId"] == new and after["webClientSecret"] != before["webClientSecret"]
    assert after["desktopClientId"] == before["desktopClientId"]
    found = wait_for_events(stack, "LifeTimeUpdateRequired")
    [update] = [e for e in found if e["reason"] == "LifeTimeUpdateRequired"]
    assert update["type"] == "Warning"
    assert update["message"].startswith(
        f"LifeTime must be updated: Secret '{SECRET}' holds a new webClientId {old} -> {new}, "
        "webClientSecret."
    )
    assert after["webClientSecret"] not in update["message"]


def test_an_app_deactivated_in_okta_is_reactivated_with_its_client_id(stack: Stack, okta: Okta) -> None:
    stack.drift_interval = 1.0
    stack.create_credentials(NAMESPACE)
    stack.start_operator()
    stack.apply(resource(stack.okta_url))
    obj = stack.wait_ready(NAMESPACE, NAME)
    tools = obj["status"]["developmentTools"]
    okta_api(stack, okta, "POST", f"/api/v1/apps/{tools['appId']}/lifecycle/deactivate")
    assert okta.app(tools["appId"])["status"] == "INACTIVE"

    deadline = time.monotonic() + 15
    while okta.app(tools["appId"])["status"] != "ACTIVE":
        assert time.monotonic() < deadline, "the drift timer never reactivated the app"
        time.sleep(0.1)
    obj = stack.wait_ready(NAMESPACE, NAME)
    assert obj["status"]["developmentTools"] == tools
    assert len(okta.apps()) == 2
    found = wait_for_events(stack, "OktaAppReactivated")
    [event] = [e for e in found if e["reason"] == "OktaAppReactivated"]
    assert event["type"] == "Warning"
    assert event["message"] == (
        f"Okta app 'OutSystems Development Tools' ({tools['appId']}) was inactive (deactivated in Okta); "
        "reactivated it, its client ID is unchanged"
    )
    # Reactivated, not replaced: one create per app ever, and the Secret's client ID unchanged.
    assert sum(1 for e in events(stack) if e["reason"] == "OktaAppCreated") == 2
    assert secret_values(stack.read_secret(NAMESPACE, SECRET))["desktopClientId"] == tools["clientId"]
