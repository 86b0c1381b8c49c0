"""The real reconcile routine and finalize, over the real OktaClient, against the real Okta sandbox.

Nothing of ours is patched: Okta is the sandbox on loopback (faults, lost responses and rate limits
are switched on through its hooks), Kubernetes is an in-memory SecretStore and an Event recorder
(see conftest). Successive passes feed each Outcome's status back, as a merge patch on `.status`.
"""

from __future__ import annotations

import base64
import copy
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pytest

from outsystems_okta import OPERATOR_NAME
from outsystems_okta.plan.conditions import Reason
from outsystems_okta.plan.handover import handover_message

if TYPE_CHECKING:
    from tests.integration.reconcile.conftest import Integration, World

# Same values as the conftest (kept here so this module needs no import of it at run time).
NAMESPACE = "outsystems"
NAME = "factory"
UID = "6a1e2b3c-0000-4000-8000-00000000f001"
NOW = "2030-01-01T00:00:00Z"
CREDENTIALS = "okta-api"
CONSOLES = "OutSystems Consoles"
TOOLS = "OutSystems Development Tools"
LIFETIME = "lifetime.acme.com"
HOSTS = ("dev.acme.com", "prod.acme.com")
SECRET = "factory-lifetime"
SECRET_KEYS = {
    "name",
    "metadataUri",
    "webClientId",
    "webClientSecret",
    "desktopClientId",
    "usernameClaim",
    "scopes",
}
MARKER = "outsystemsOktaOperator"
EXTERNAL_FIX_DELAY = 60.0
TRANSIENT_DELAY = 15.0


def consoles_redirects() -> list[str]:
    return [
        f"https://{h}/ServiceCenter/CentralizedLogin_AuthCodeFlow_TokenPart.aspx" for h in (LIFETIME, *HOSTS)
    ]


def consoles_logouts() -> list[str]:
    return [f"https://{h}/ServiceCenter/CentralizedLogout_CallbackEndpoint.aspx" for h in (LIFETIME, *HOSTS)]


def tools_redirects() -> list[str]:
    return [
        "servicestudio://auth",
        "integrationstudio://auth",
        "servicestudiox11://auth",
        "https://experiencebuilder.outsystems.com/Authentication/OIDC_Callback",
        "https://workflowbuilder.outsystems.com/Authentication/OIDC_Callback",
        "https://integrationbuilder.outsystems.com/Authentication/OIDC_Callback",
        "https://aimentorstudio.outsystems.com/Authentication/OIDC_Callback",
        *(f"https://{h}/OSIntegrationManager/OIDC_Callback" for h in HOSTS),
    ]


def spec_of(world: World, **overrides: Any) -> dict[str, Any]:
    spec: dict[str, Any] = {
        "okta": {
            "orgUrl": world.sb.url,
            "authorizationServerId": "default",
            "credentialsSecretRef": {"name": CREDENTIALS},
        },
        "lifetime": {"hostname": LIFETIME},
        "environments": [{"name": h.split(".")[0], "hostname": h} for h in HOSTS],
    }
    spec.update(copy.deepcopy(overrides))
    return spec


def client_id(app: dict[str, Any]) -> str:
    return str(app["credentials"]["oauthClient"]["client_id"])


def assert_ready(outcome: Any, integration: Integration) -> None:
    assert (outcome.ready, outcome.reason, outcome.retry_after) == (True, Reason.RECONCILED, None), (
        outcome.message
    )
    assert outcome.message == f"Okta apps and Secret {integration.secret_name!r} match the spec"
    condition = integration.ready()
    assert (condition["status"], condition["reason"], condition["message"]) == (
        "True",
        "Reconciled",
        outcome.message,
    )
    assert condition["observedGeneration"] == integration.generation
    assert integration.status["observedGeneration"] == integration.generation


def assert_not_ready(
    outcome: Any, integration: Integration, reason: Reason, retry_after: float | None
) -> None:
    assert (outcome.ready, outcome.reason, outcome.retry_after) == (False, reason, retry_after), (
        outcome.message
    )
    condition = integration.ready()
    assert (condition["status"], condition["reason"], condition["message"]) == (
        "False",
        reason.value,
        outcome.message,
    )


async def converged(world: World, **fields: Any) -> Integration:
    """An integration after a successful first pass, with the request log, Events and writes cleared."""
    integration = world.integration(**fields)
    outcome = await integration.reconcile()
    assert outcome.ready, outcome.message
    world.sb.clear_requests()
    integration.events.clear()
    world.secrets.writes.clear()
    world.secrets.deletes.clear()
    world.sleeper.calls.clear()
    return integration


async def assert_steady(world: World, integration: Integration) -> None:
    """One more pass changes nothing: no Okta write, no Secret write, no Event."""
    world.sb.clear_requests()
    integration.events.clear()
    writes_before = len(world.secrets.writes)
    outcome = await integration.reconcile()
    assert_ready(outcome, integration)
    assert [(r.method, r.path) for r in world.writes()] == []
    assert len(world.secrets.writes) == writes_before
    assert integration.events.items == []


# -- 1. first pass, then a steady pass ------------------------------------------------------------


async def test_first_pass_creates_both_apps_and_the_secret_and_the_next_pass_changes_nothing(
    world: World,
) -> None:
    it = world.integration()

    outcome = await it.reconcile()

    assert_ready(outcome, it)
    assert outcome.message == "Okta apps and Secret 'factory-lifetime' match the spec"
    apps = world.apps()
    assert sorted(a["label"] for a in apps) == [CONSOLES, TOOLS]
    consoles, tools = world.app(it.app_id("consoles")), world.app(it.app_id("developmentTools"))
    assert consoles is not None and tools is not None
    assert consoles["label"] == CONSOLES and tools["label"] == TOOLS
    assert consoles["status"] == tools["status"] == "ACTIVE"
    c_oauth, t_oauth = consoles["settings"]["oauthClient"], tools["settings"]["oauthClient"]
    assert c_oauth["application_type"] == "web" and t_oauth["application_type"] == "native"
    assert c_oauth["redirect_uris"] == consoles_redirects()
    assert c_oauth["post_logout_redirect_uris"] == consoles_logouts()
    assert t_oauth["redirect_uris"] == tools_redirects()
    assert consoles["credentials"]["oauthClient"]["token_endpoint_auth_method"] == "client_secret_basic"
    assert tools["credentials"]["oauthClient"]["token_endpoint_auth_method"] == "none"
    assert tools["credentials"]["oauthClient"]["pkce_required"] is True
    for app, role in ((consoles, "consoles"), (tools, "developmentTools")):
        assert app["profile"][MARKER] == {
            "managedBy": OPERATOR_NAME,
            "namespace": NAMESPACE,
            "name": NAME,
            "uid": UID,
            "role": role,
        }

    # Okta: exactly the two creates (activated in the same call), nothing else written.
    assert [(r.method, r.path, r.query.get("activate")) for r in world.writes()] == [
        ("POST", "/api/v1/apps", "true"),
        ("POST", "/api/v1/apps", "true"),
    ]

    # The Secret: the 7 LifeTime values, owned by the resource.
    values = it.secret()
    assert values is not None and set(values) == SECRET_KEYS
    [web_secret] = world.active_secrets(consoles["id"])
    assert values == {
        "name": "Okta",
        "metadataUri": f"{world.sb.url}/oauth2/default/.well-known/openid-configuration",
        "webClientId": client_id(consoles),
        "webClientSecret": web_secret,
        "desktopClientId": client_id(tools),
        "usernameClaim": "preferred_username",
        "scopes": "openid email profile offline_access",
    }
    stored = world.secrets.get(NAMESPACE, SECRET)
    assert stored is not None
    [owner] = stored["metadata"]["ownerReferences"]
    assert (owner["uid"], owner["name"], owner["controller"]) == (UID, NAME, True)
    assert stored["metadata"]["labels"]["app.kubernetes.io/managed-by"] == OPERATOR_NAME
    assert len(world.secrets.writes) == 1

    # Status: everything the next pass needs, and the Ready condition.
    assert it.status["consoles"] == {
        "appId": consoles["id"],
        "clientId": client_id(consoles),
        "assignedGroupIds": [],
    }
    assert it.status["developmentTools"] == {
        "appId": tools["id"],
        "clientId": client_id(tools),
        "assignedGroupIds": [],
    }
    assert it.status["metadataUri"] == values["metadataUri"]
    assert it.status["secretName"] == SECRET
    assert it.status["environments"] == 2
    assert it.ready()["lastTransitionTime"] == NOW

    assert it.events.items == [
        ("Normal", "OktaAppCreated", f"Created Okta app {CONSOLES!r} ({consoles['id']})"),
        ("Normal", "OktaAppCreated", f"Created Okta app {TOOLS!r} ({tools['id']})"),
        ("Normal", "SecretWritten", "Wrote LifeTime provider values to Secret 'factory-lifetime'"),
        ("Normal", "LifeTimeHandover", handover(first=True)),
        ("Normal", "Reconciled", outcome.message),
    ]

    # Second pass with the status fed back: zero Okta writes, zero Secret writes, no Event.
    status_before = copy.deepcopy(it.status)
    world.sb.clear_requests()
    it.events.clear()
    second = await it.reconcile()
    assert_ready(second, it)
    assert world.writes() == []
    assert all(r.method == "GET" for r in world.requests())
    assert len(world.requests()) <= 8, [r.path for r in world.requests()]
    assert len(world.secrets.writes) == 1
    assert it.events.items == []
    assert it.status == status_before
    assert len(world.apps()) == 2


async def test_what_a_first_convergence_and_a_drift_pass_cost_in_okta_calls(world: World) -> None:
    # The README's figures (one group): every call is one against Okta's rate limits.
    it_group = world.group_id("OutSystems IT")
    it = world.integration(spec=spec_of(world, access={"groups": ["OutSystems IT"]}))

    assert_ready(await it.reconcile(), it)

    cid, tid = it.app_id("consoles"), it.app_id("developmentTools")
    assert [(r.method, r.path) for r in world.requests()] == [
        ("GET", "/api/v1/authorizationServers/default"),
        # One scan of the org's apps: our marker (a create's answer may have been lost), for both apps.
        ("GET", "/api/v1/apps"),
        ("GET", "/api/v1/groups"),
        ("POST", "/api/v1/apps"),
        ("POST", "/api/v1/apps"),
        # A new app has no assignments: they are not listed. Its secret came with the create.
        ("PUT", f"/api/v1/apps/{cid}/groups/{it_group}"),
        ("PUT", f"/api/v1/apps/{tid}/groups/{it_group}"),
        # Last: can the assigned group sign in? (the larger /api/v1 bucket)
        *world.access_policy_reads(),
    ]
    assert (len(world.requests()), len(world.writes())) == (9, 4)  # 7 + the access-policy check (2)

    world.sb.clear_requests()
    assert_ready(await it.reconcile(), it)
    assert [(r.method, r.path) for r in world.requests()] == [
        ("GET", "/api/v1/authorizationServers/default"),
        # Both apps from one scan of the org's apps, no read per app.
        ("GET", "/api/v1/apps"),
        ("GET", "/api/v1/groups"),
        # Assignments per group (both apps from one listing), not per app.
        ("GET", f"/api/v1/groups/{it_group}/apps"),
        ("GET", f"/api/v1/apps/{cid}/credentials/secrets"),
        *world.access_policy_reads(),
    ]
    assert len(world.requests()) == 7


# -- 2. drift repair -------------------------------------------------------------------------------


async def test_drift_on_the_consoles_app_is_repaired_by_one_put_that_keeps_the_admins_own_fields(
    world: World,
) -> None:
    it = await converged(world)
    cid = it.app_id("consoles")
    secret_before = it.secret()

    # An admin edits the app in Okta: drops the prod redirect URI, adds settings the operator does not own.
    app = await world.admin.get_app(cid)
    app["settings"]["oauthClient"]["redirect_uris"].remove(consoles_redirects()[2])
    app["settings"]["oauthClient"]["initiate_login_uri"] = "https://lifetime.acme.com/start"
    app["settings"]["notes"] = {"admin": "Owned by the platform team", "enduser": ""}
    await world.admin.put_app(cid, app)
    world.sb.clear_requests()

    outcome = await it.reconcile()

    assert_ready(outcome, it)
    writes = world.writes()
    assert [(r.method, r.path) for r in writes] == [("PUT", f"/api/v1/apps/{cid}")]
    body = writes[0].request_body
    assert "client_secret" not in body["credentials"]["oauthClient"]
    assert not any(value in str(body) for value in world.secret_values)
    assert body["settings"]["oauthClient"]["redirect_uris"] == consoles_redirects()

    repaired = world.app(cid)
    assert repaired is not None
    assert repaired["settings"]["oauthClient"]["redirect_uris"] == consoles_redirects()
    assert repaired["settings"]["oauthClient"]["initiate_login_uri"] == "https://lifetime.acme.com/start"
    assert repaired["settings"]["notes"]["admin"] == "Owned by the platform team"
    assert repaired["profile"][MARKER]["uid"] == UID
    # The PUT set no secret: the one LifeTime holds is still the active one.
    assert secret_before is not None
    assert world.active_secrets(cid) == [secret_before["webClientSecret"]]
    assert it.secret() == secret_before
    assert world.secrets.writes == []

    assert it.events.items == [
        (
            "Normal",
            "OktaAppUpdated",
            f"Updated Okta app {CONSOLES!r} ({cid}): settings.oauthClient.redirect_uris",
        ),
        (
            "Normal",
            "DriftCorrected",
            "Restored what was changed in Okta (the spec did not change): "
            "consoles/settings.oauthClient.redirect_uris",
        ),
    ]
    assert outcome.corrected == (("consoles", "settings.oauthClient.redirect_uris"),)
    await assert_steady(world, it)


# -- 3. app deleted out of band: never silently replaced (LifeTime holds its client ID) ---------------


def handover(*changed: str, first: bool = False) -> str:
    """The LifeTimeHandover Event: the first values (`first`), or the Secret keys that changed."""
    assert first != bool(changed)
    return handover_message(resource="factory", namespace=NAMESPACE, secret_name=SECRET, changed=changed)


def lifetime_update(secret: str = SECRET) -> str:
    return (
        "As LifeTime cannot edit an active provider, give it the new values by adding a new OpenID Connect "
        "provider (LifeTime > User Management > Authentication Settings) with the values in Secret "
        f"{secret!r}, activating it and removing the old one"
    )


async def test_an_app_deleted_out_of_band_stops_the_pass_with_okta_app_deleted_and_writes_nothing(
    world: World,
) -> None:
    it = await converged(world)
    old_cid, tid = it.app_id("consoles"), it.app_id("developmentTools")
    before = it.secret()
    status_before = copy.deepcopy(it.status)
    await world.admin.delete_app(old_cid)
    world.sb.clear_requests()

    outcome = await it.reconcile()

    assert_not_ready(outcome, it, Reason.OKTA_APP_DELETED, None)
    assert outcome.message == (
        f"Okta app {old_cid} ({CONSOLES!r}) is gone from Okta; LifeTime's provider still holds it as "
        "Client ID for Web tools, so signing in fails until LifeTime is given a new app's client ID. "
        "The operator did not create a replacement (spec.missingAppPolicy: Stop): set "
        "spec.missingAppPolicy: Recreate to create one, or spec.adopt.consolesAppId to adopt another app. "
        + lifetime_update()
    )
    # Nothing written anywhere: not in Okta, not the Secret; status still names the app LifeTime holds.
    assert world.writes() == []
    assert world.secrets.writes == []
    assert it.secret() == before
    assert it.status["consoles"] == status_before["consoles"]
    assert it.status["developmentTools"] == status_before["developmentTools"]
    assert [a["id"] for a in world.apps()] == [tid]
    # Gone was only concluded after a second look, and no marker search or create followed.
    assert world.sleeper.calls == [0]
    assert len(world.calls("GET", f"/api/v1/apps/{old_cid}")) == 2
    # The one scan of the org's apps (which no longer lists it); no marker search by label.
    [scan] = world.calls("GET", "/api/v1/apps")
    assert "q" not in scan.query
    assert it.events.items == [("Warning", "OktaAppDeleted", outcome.message)]

    # The next pass (the drift timer) says nothing new.
    again = await it.reconcile()
    assert_not_ready(again, it, Reason.OKTA_APP_DELETED, None)
    assert it.events.reasons("Warning") == ["OktaAppDeleted"]
    assert world.writes() == []


async def test_both_apps_deleted_are_reported_together(world: World) -> None:
    it = await converged(world)
    cid, tid = it.app_id("consoles"), it.app_id("developmentTools")
    await world.admin.delete_app(cid)
    await world.admin.delete_app(tid)
    world.sb.clear_requests()

    outcome = await it.reconcile()

    assert_not_ready(outcome, it, Reason.OKTA_APP_DELETED, None)
    assert f"Okta app {cid} ({CONSOLES!r}) is gone" in outcome.message
    assert f"Okta app {tid} ({TOOLS!r}) is gone" in outcome.message
    assert "Client ID for Desktop tools" in outcome.message
    assert world.writes() == [] and world.apps() == []


async def test_with_missing_app_policy_recreate_a_deleted_app_is_recreated_and_lifetime_is_told(
    world: World,
) -> None:
    it = await converged(world)
    old_cid, tid = it.app_id("consoles"), it.app_id("developmentTools")
    before = it.secret()
    assert before is not None
    await world.admin.delete_app(old_cid)
    stopped = await it.reconcile()
    assert stopped.reason is Reason.OKTA_APP_DELETED
    world.sb.clear_requests()
    it.events.clear()
    it.change_spec(missingAppPolicy="Recreate")

    outcome = await it.reconcile()

    assert_ready(outcome, it)
    new_cid = it.app_id("consoles")
    assert new_cid != old_cid
    assert world.app(old_cid) is None
    assert sorted(a["label"] for a in world.apps()) == [CONSOLES, TOOLS]
    new_app = world.app(new_cid)
    assert new_app is not None and new_app["status"] == "ACTIVE"
    assert new_app["settings"]["oauthClient"]["redirect_uris"] == consoles_redirects()

    # One create; the marker search before it is the lost-create safety net.
    assert [(r.method, r.path) for r in world.writes()] == [("POST", "/api/v1/apps")]
    assert len(world.calls("GET", "/api/v1/apps")) == 1
    # The other app is untouched: not a single write to it.
    assert not [r for r in world.writes() if r.path.startswith(f"/api/v1/apps/{tid}")]
    assert it.app_id("developmentTools") == tid

    after = it.secret()
    assert after is not None
    assert after["webClientId"] == client_id(new_app) != before["webClientId"]
    assert after["webClientSecret"] == world.active_secrets(new_cid)[0] != before["webClientSecret"]
    assert after["desktopClientId"] == before["desktopClientId"]
    assert len(world.secrets.writes) == 1

    assert it.events.items == [
        (
            "Warning",
            "OktaAppMissing",
            f"Okta app {old_cid} ({CONSOLES!r}) is gone; creating a new one "
            "(spec.missingAppPolicy: Recreate)",
        ),
        ("Normal", "OktaAppCreated", f"Created Okta app {CONSOLES!r} ({new_cid})"),
        ("Normal", "SecretWritten", "Wrote LifeTime provider values to Secret 'factory-lifetime'"),
        ("Normal", "LifeTimeHandover", handover("webClientId", "webClientSecret")),
        (
            "Warning",
            "LifeTimeUpdateRequired",
            f"LifeTime must be updated: Secret 'factory-lifetime' holds a new webClientId {old_cid} -> "
            f"{new_cid}, webClientSecret. " + lifetime_update(),
        ),
        ("Normal", "Reconciled", outcome.message),
    ]
    await assert_steady(world, it)


async def test_a_first_convergence_is_not_mistaken_for_a_deleted_app(world: World) -> None:
    # No app recorded in status: nothing was ever created, so nothing can be "gone".
    it = world.integration()
    outcome = await it.reconcile()
    assert_ready(outcome, it)
    assert it.events.of("OktaAppDeleted") == [] and it.events.of("LifeTimeUpdateRequired") == []


# -- 4. app deactivated out of band -----------------------------------------------------------------


async def test_an_app_deactivated_out_of_band_is_reactivated_not_recreated(world: World) -> None:
    it = await converged(world)
    cid, tid = it.app_id("consoles"), it.app_id("developmentTools")
    await world.admin.deactivate_app(tid)
    world.sb.clear_requests()

    outcome = await it.reconcile()

    assert_ready(outcome, it)
    assert [(r.method, r.path) for r in world.writes()] == [
        ("POST", f"/api/v1/apps/{tid}/lifecycle/activate")
    ]
    assert {a["id"]: a["status"] for a in world.apps()} == {cid: "ACTIVE", tid: "ACTIVE"}
    assert (it.app_id("consoles"), it.app_id("developmentTools")) == (cid, tid)
    assert world.secrets.writes == []
    assert it.events.items == [
        (
            "Warning",
            "OktaAppReactivated",
            f"Okta app {TOOLS!r} ({tid}) was inactive (deactivated in Okta); reactivated it, its client ID "
            "is unchanged",
        ),
        (
            "Normal",
            "DriftCorrected",
            "Restored what was changed in Okta (the spec did not change): developmentTools/status",
        ),
    ]
    await assert_steady(world, it)


# -- 5. client secret rotated in Okta ----------------------------------------------------------------


async def test_a_client_secret_rotated_in_okta_replaces_the_one_in_the_secret_once(world: World) -> None:
    it = await converged(world)
    cid = it.app_id("consoles")
    before = it.secret()
    assert before is not None
    new_value = await world.admin.rotate_secret(cid)
    assert new_value != before["webClientSecret"]
    world.sb.clear_requests()

    outcome = await it.reconcile()

    assert_ready(outcome, it)
    after = it.secret()
    assert after == {**before, "webClientSecret": new_value}
    assert len(world.secrets.writes) == 1
    assert world.writes() == []
    assert it.events.items == [
        ("Normal", "SecretWritten", "Wrote LifeTime provider values to Secret 'factory-lifetime'"),
        ("Normal", "LifeTimeHandover", handover("webClientSecret")),
        (
            "Warning",
            "LifeTimeUpdateRequired",
            "LifeTime must be updated: Secret 'factory-lifetime' holds a new webClientSecret. "
            + lifetime_update(),
        ),
    ]
    await assert_steady(world, it)
    assert len(world.secrets.writes) == 1


async def test_a_second_active_secret_added_in_okta_does_not_churn_the_secret(world: World) -> None:
    it = await converged(world)
    cid = it.app_id("consoles")
    before = it.secret()
    response = await world.admin.http.post(f"/api/v1/apps/{cid}/credentials/secrets", json={})
    assert response.status_code == 201
    world.harvest()

    await assert_steady(world, it)
    assert it.secret() == before


# -- 6. Secret deleted -------------------------------------------------------------------------------


async def test_a_deleted_secret_is_rebuilt_with_the_client_secret_recovered_from_okta(world: World) -> None:
    it = await converged(world)
    cid = it.app_id("consoles")
    before = it.secret()
    del world.secrets.objects[(NAMESPACE, SECRET)]

    outcome = await it.reconcile()

    assert_ready(outcome, it)
    assert it.secret() == before
    assert world.writes() == []  # no app created, nothing written to Okta
    assert len(world.calls("GET", f"/api/v1/apps/{cid}/credentials/secrets")) == 1
    assert len(world.secrets.writes) == 1
    assert it.events.items == [
        ("Normal", "SecretWritten", "Wrote LifeTime provider values to Secret 'factory-lifetime'")
    ]
    await assert_steady(world, it)


# -- 7. secretName -----------------------------------------------------------------------------------


async def test_a_new_secret_name_writes_the_new_secret_and_deletes_the_old_one(world: World) -> None:
    it = await converged(world)
    before = it.secret()
    it.change_spec(secretName="lifetime-oidc")

    outcome = await it.reconcile()

    assert_ready(outcome, it)
    assert outcome.message == "Okta apps and Secret 'lifetime-oidc' match the spec"
    assert world.secrets.values(NAMESPACE, "lifetime-oidc") == before
    assert world.secrets.get(NAMESPACE, SECRET) is None
    assert world.secrets.deletes == [(NAMESPACE, SECRET)]
    assert [w["metadata"]["name"] for w in world.secrets.writes] == ["lifetime-oidc"]
    assert it.status["secretName"] == "lifetime-oidc"
    assert world.writes() == []
    assert it.events.items == [
        ("Normal", "SecretWritten", "Wrote LifeTime provider values to Secret 'lifetime-oidc'"),
        ("Normal", "SecretDeleted", "Deleted Secret 'factory-lifetime' (secretName changed)"),
    ]
    await assert_steady(world, it)


async def test_a_secret_name_taken_by_a_foreign_secret_is_a_conflict_and_the_foreign_secret_is_untouched(
    world: World,
) -> None:
    it = await converged(world)
    world.secrets.put(
        {
            "apiVersion": "v1",
            "kind": "Secret",
            "metadata": {
                "name": "taken",
                "namespace": NAMESPACE,
                "labels": {"team": "other"},
                "ownerReferences": [{"apiVersion": "v1", "kind": "ConfigMap", "name": "x", "uid": "someone"}],
            },
            "data": {"password": base64.b64encode(b"not ours").decode()},
        }
    )
    foreign = copy.deepcopy(world.secrets.get(NAMESPACE, "taken"))
    it.change_spec(secretName="taken")

    outcome = await it.reconcile()

    assert_not_ready(outcome, it, Reason.SECRET_CONFLICT, EXTERNAL_FIX_DELAY)
    assert "'taken'" in outcome.message
    assert world.secrets.get(NAMESPACE, "taken") == foreign
    assert world.secrets.writes == [] and world.secrets.deletes == []
    assert world.secrets.get(NAMESPACE, SECRET) is not None  # the old one stays while in conflict
    assert it.status["secretName"] == SECRET
    assert it.events.items == [("Warning", "SecretConflict", outcome.message)]

    # Same conflict again: no second Warning.
    again = await it.reconcile()
    # The same failure again: the next attempt backs off (plan/backoff.py).
    assert_not_ready(again, it, Reason.SECRET_CONFLICT, 2 * EXTERNAL_FIX_DELAY)
    assert it.status["failedAttempts"] == 2
    assert it.events.reasons("Warning") == ["SecretConflict"]

    # The owner of "taken" removes it: the move completes.
    await world.secrets.delete(NAMESPACE, "taken")
    world.secrets.deletes.clear()
    it.events.clear()
    done = await it.reconcile()
    assert_ready(done, it)
    assert world.secrets.get(NAMESPACE, SECRET) is None
    assert world.secrets.values(NAMESPACE, "taken") is not None
    assert it.events.reasons() == ["SecretWritten", "SecretDeleted", "Reconciled"]


# -- 8. app labels -----------------------------------------------------------------------------------


async def test_label_overrides_rename_the_apps_in_place(world: World) -> None:
    it = await converged(world)
    cid, tid = it.app_id("consoles"), it.app_id("developmentTools")
    before = it.secret()
    it.change_spec(appLabels={"consoles": "Acme Consoles", "developmentTools": "Acme Dev Tools"})

    outcome = await it.reconcile()

    assert_ready(outcome, it)
    assert sorted((r.method, r.path) for r in world.writes()) == sorted(
        [("PUT", f"/api/v1/apps/{cid}"), ("PUT", f"/api/v1/apps/{tid}")]
    )
    assert {a["id"]: a["label"] for a in world.apps()} == {cid: "Acme Consoles", tid: "Acme Dev Tools"}
    assert (it.app_id("consoles"), it.app_id("developmentTools")) == (cid, tid)
    assert it.secret() == before
    assert world.secrets.writes == []
    assert it.events.items == [
        ("Normal", "OktaAppUpdated", f"Updated Okta app 'Acme Consoles' ({cid}): label"),
        ("Normal", "OktaAppUpdated", f"Updated Okta app 'Acme Dev Tools' ({tid}): label"),
    ]
    await assert_steady(world, it)


# -- 9. access ---------------------------------------------------------------------------------------


async def test_groups_are_assigned_and_a_group_leaving_the_spec_is_unassigned(world: World) -> None:
    it_id, dev_id = world.group_id("OutSystems IT"), world.group_id("OutSystems Developers")
    it = world.integration(spec=spec_of(world, access={"groups": ["OutSystems IT", "OutSystems Developers"]}))

    outcome = await it.reconcile()

    assert_ready(outcome, it)
    cid, tid = it.app_id("consoles"), it.app_id("developmentTools")
    assert world.assigned(cid) == world.assigned(tid) == {it_id, dev_id}
    assert it.status["consoles"]["assignedGroupIds"] == [it_id, dev_id]
    assert it.status["developmentTools"]["assignedGroupIds"] == [it_id, dev_id]
    assert it.events.of("OktaGroupAssigned") == [
        ("Normal", "OktaGroupAssigned", f'Assigned group "OutSystems IT" ({it_id}) to Okta app {CONSOLES!r}'),
        (
            "Normal",
            "OktaGroupAssigned",
            f'Assigned group "OutSystems Developers" ({dev_id}) to Okta app {CONSOLES!r}',
        ),
        ("Normal", "OktaGroupAssigned", f'Assigned group "OutSystems IT" ({it_id}) to Okta app {TOOLS!r}'),
        (
            "Normal",
            "OktaGroupAssigned",
            f'Assigned group "OutSystems Developers" ({dev_id}) to Okta app {TOOLS!r}',
        ),
    ]

    world.sb.clear_requests()
    it.events.clear()
    it.change_spec(access={"groups": ["OutSystems IT"]})
    outcome = await it.reconcile()

    assert_ready(outcome, it)
    assert sorted((r.method, r.path) for r in world.writes()) == sorted(
        [("DELETE", f"/api/v1/apps/{cid}/groups/{dev_id}"), ("DELETE", f"/api/v1/apps/{tid}/groups/{dev_id}")]
    )
    assert world.assigned(cid) == world.assigned(tid) == {it_id}
    assert it.status["consoles"]["assignedGroupIds"] == [it_id]
    # The group left the spec, yet the Events still name it: Okta's listing embeds it (expand=group).
    developers = f'"OutSystems Developers" ({dev_id})'
    assert it.events.items == [
        ("Normal", "OktaGroupUnassigned", f"Unassigned group {developers} from Okta app {CONSOLES!r}"),
        ("Normal", "OktaGroupUnassigned", f"Unassigned group {developers} from Okta app {TOOLS!r}"),
    ]
    await assert_steady(world, it)


async def test_a_group_an_admin_assigned_first_stays_when_it_leaves_the_spec(world: World) -> None:
    it_id, admins_id = world.group_id("OutSystems IT"), world.group_id("OutSystems Admins")
    it = await converged(world, spec=spec_of(world, access={"groups": ["OutSystems IT"]}))
    cid, tid = it.app_id("consoles"), it.app_id("developmentTools")
    # An admin assigns "OutSystems Admins" to the Consoles app by hand, before anyone lists it.
    await world.admin.assign_group(cid, admins_id)
    world.sb.clear_requests()

    it.change_spec(access={"groups": ["OutSystems IT", "OutSystems Admins"]})
    outcome = await it.reconcile()

    assert_ready(outcome, it)
    assert [(r.method, r.path) for r in world.writes()] == [("PUT", f"/api/v1/apps/{tid}/groups/{admins_id}")]
    assert it.status["consoles"]["assignedGroupIds"] == [it_id]  # Admins on Consoles is the admin's
    assert it.status["developmentTools"]["assignedGroupIds"] == [it_id, admins_id]

    world.sb.clear_requests()
    it.change_spec(access={"groups": ["OutSystems IT"]})
    outcome = await it.reconcile()

    assert_ready(outcome, it)
    # Only the assignment the operator made goes; the admin's stays.
    assert [(r.method, r.path) for r in world.writes()] == [
        ("DELETE", f"/api/v1/apps/{tid}/groups/{admins_id}")
    ]
    assert world.assigned(cid) == {it_id, admins_id}
    assert world.assigned(tid) == {it_id}


async def test_an_unknown_group_is_reported_while_everything_else_converges(world: World) -> None:
    it_id = world.group_id("OutSystems IT")
    it = world.integration(spec=spec_of(world, access={"groups": ["OutSystems IT", "OutSystems Auditors"]}))

    outcome = await it.reconcile()

    assert_not_ready(outcome, it, Reason.OKTA_GROUP_NOT_FOUND, EXTERNAL_FIX_DELAY)
    assert outcome.message == 'Okta has no group named "OutSystems Auditors"; the other groups are assigned'
    cid, tid = it.app_id("consoles"), it.app_id("developmentTools")
    assert world.assigned(cid) == world.assigned(tid) == {it_id}
    values = it.secret()
    assert values is not None and set(values) == SECRET_KEYS
    assert values["webClientId"] == it.status["consoles"]["clientId"]
    assert it.status["secretName"] == SECRET and it.status["environments"] == 2
    assert it.events.reasons() == [
        "OktaAppCreated",
        "OktaAppCreated",
        "OktaGroupAssigned",
        "OktaGroupAssigned",
        "SecretWritten",
        "LifeTimeHandover",
        "OktaGroupNotFound",
    ]
    assert it.events.of("OktaGroupNotFound") == [("Warning", "OktaGroupNotFound", outcome.message)]

    # Retry while the group is still missing: no write, no second Warning.
    world.sb.clear_requests()
    again = await it.reconcile()
    # The same failure again: the next attempt backs off (plan/backoff.py).
    assert_not_ready(again, it, Reason.OKTA_GROUP_NOT_FOUND, 2 * EXTERNAL_FIX_DELAY)
    assert it.status["failedAttempts"] == 2
    assert world.writes() == []
    assert it.events.reasons("Warning") == ["OktaGroupNotFound"]

    # The group appears in Okta: it is assigned and the resource becomes Ready.
    auditors = world.sb.add_group("OutSystems Auditors")
    it.events.clear()
    done = await it.reconcile()
    assert_ready(done, it)
    assert world.assigned(cid) == world.assigned(tid) == {it_id, auditors["id"]}
    assert it.events.reasons() == ["OktaGroupAssigned", "OktaGroupAssigned", "Reconciled"]


async def test_everyone_assigns_the_built_in_group_to_both_apps(world: World) -> None:
    everyone = world.group_id("Everyone")
    it = world.integration(spec=spec_of(world, access={"everyone": True}))

    outcome = await it.reconcile()

    assert_ready(outcome, it)
    assert (
        world.assigned(it.app_id("consoles")) == world.assigned(it.app_id("developmentTools")) == {everyone}
    )
    assert it.status["consoles"]["assignedGroupIds"] == [everyone]

    world.sb.clear_requests()
    it.change_spec(access={"everyone": False})
    assert_ready(await it.reconcile(), it)
    assert world.assigned(it.app_id("consoles")) == world.assigned(it.app_id("developmentTools")) == set()
    assert len([r for r in world.writes() if r.method == "DELETE"]) == 2


async def test_an_assignment_made_in_a_pass_that_then_fails_is_still_owned_by_the_operator(
    world: World,
) -> None:
    it_id, dev_id = world.group_id("OutSystems IT"), world.group_id("OutSystems Developers")
    it = await converged(world)
    cid = it.app_id("consoles")
    # Assigning the second group to Consoles keeps failing (503 on every attempt); the first one succeeds.
    world.sb.inject_fault(503, 3, method="PUT", path_prefix=f"/api/v1/apps/{cid}/groups/{dev_id}")
    it.change_spec(access={"groups": ["OutSystems IT", "OutSystems Developers"]})

    failed = await it.reconcile()
    assert_not_ready(failed, it, Reason.OKTA_UNAVAILABLE, TRANSIENT_DELAY)
    assert world.assigned(cid) == {it_id}  # made by the operator in the failed pass

    assert_ready(await it.reconcile(), it)  # the fault is spent: converges
    assert world.assigned(cid) == {it_id, dev_id}

    it.change_spec(access={"groups": []})
    assert_ready(await it.reconcile(), it)
    # Both assignments were the operator's: both must go.
    assert world.assigned(cid) == set()


async def test_a_listed_group_that_cannot_be_resolved_keeps_its_assignment(world: World) -> None:
    it_id = world.group_id("OutSystems IT")
    it = await converged(world, spec=spec_of(world, access={"groups": ["OutSystems IT"]}))
    cid = it.app_id("consoles")
    # The sandbox has no group-rename API: rename it in the emulated org directly (an admin's action).
    world.sb.state.groups[it_id].profile["name"] = "OutSystems IT (EMEA)"

    outcome = await it.reconcile()

    assert_not_ready(outcome, it, Reason.OKTA_GROUP_NOT_FOUND, EXTERNAL_FIX_DELAY)
    assert world.assigned(cid) == {it_id}
    # The message says what was kept and under which name it is in Okta now: the rename shows.
    assert outcome.message == (
        'Okta has no group named "OutSystems IT"; the other groups are assigned; '
        f'"OutSystems IT (EMEA)" ({it_id}) stays assigned until every listed group is found'
    )


# -- 10. failures map to reasons ---------------------------------------------------------------------

BAD_TOKEN = "00okta-revoked-TOKEN-9e8d7c6b5a403f2e"


@dataclass
class Failure:
    reason: Reason
    retry_after: float | None
    # Prepare the world once before the first pass (create the integration and break something).
    arrange: Callable[[World], Integration]
    # No Okta request at all may be made (the failure is known before talking to Okta).
    offline: bool = False
    # Okta writes that may be made (none unless said otherwise).
    writes: list[tuple[str, str]] = field(default_factory=list)


def _missing_credentials(world: World) -> Integration:
    return world.integration(with_token=False)


def _credentials_without_key(world: World) -> Integration:
    world.secrets.put_token(NAMESPACE, "00okta-unrelated-value-1234567890", key="token")
    world.secret_values.add("00okta-unrelated-value-1234567890")
    return world.integration()


def _bad_token(world: World) -> Integration:
    world.secrets.put_token(NAMESPACE, BAD_TOKEN)
    world.secret_values.add(BAD_TOKEN)
    return world.integration()


def _unknown_auth_server(world: World) -> Integration:
    spec = spec_of(world)
    spec["okta"]["authorizationServerId"] = "aus0nosuchserver"
    return world.integration(spec=spec)


def _okta_down(world: World) -> Integration:
    world.sb.inject_fault(503, 10_000)
    return world.integration()


def _rate_limited(world: World) -> Integration:
    # No call allowed in a 10-minute window: the reset is far beyond the client's max_rate_limit_wait.
    world.sb.set_rate_limit(0, window_seconds=600)
    return world.integration()


def _create_rejected(world: World) -> Integration:
    world.sb.inject_fault(400, 2, method="POST", path_prefix="/api/v1/apps")
    return world.integration()


def _duplicate_hostnames(world: World) -> Integration:
    envs = [{"name": "dev", "hostname": "dev.acme.com"}, {"name": "qa", "hostname": "dev.acme.com"}]
    return world.integration(spec=spec_of(world, environments=envs))


def _insecure(world: World) -> Integration:
    it = world.integration()
    it.options = world.insecure_options()
    return it


FAILURES = {
    "credentials-missing": Failure(
        Reason.CREDENTIALS_NOT_FOUND, EXTERNAL_FIX_DELAY, _missing_credentials, True
    ),
    "credentials-key-missing": Failure(
        Reason.CREDENTIALS_NOT_FOUND, EXTERNAL_FIX_DELAY, _credentials_without_key, True
    ),
    "bad-token": Failure(Reason.OKTA_AUTH_FAILED, EXTERNAL_FIX_DELAY, _bad_token),
    "unknown-authorization-server": Failure(
        Reason.OKTA_AUTH_SERVER_NOT_FOUND, EXTERNAL_FIX_DELAY, _unknown_auth_server
    ),
    "okta-503": Failure(Reason.OKTA_UNAVAILABLE, TRANSIENT_DELAY, _okta_down),
    "okta-429": Failure(Reason.OKTA_RATE_LIMITED, 600.0, _rate_limited),
    "create-400": Failure(Reason.OKTA_REJECTED, None, _create_rejected),
    "invalid-spec": Failure(Reason.INVALID_SPEC, None, _duplicate_hostnames, True),
    "insecure-org-url": Failure(Reason.INSECURE_ORG_URL, None, _insecure, True),
}


@pytest.mark.parametrize("case", [pytest.param(key, id=key) for key in FAILURES])
async def test_a_failure_maps_to_its_reason_with_one_warning(world: World, case: str) -> None:
    failure = FAILURES[case]
    it = failure.arrange(world)

    outcome = await it.reconcile()

    if failure.reason is Reason.OKTA_RATE_LIMITED:
        assert (outcome.ready, outcome.reason) == (False, failure.reason)
        assert outcome.retry_after is not None and 597.0 <= outcome.retry_after <= 603.0
        assert len(world.requests()) == 1  # not retried in-process
        assert world.client_sleeper.calls == []  # and not waited out either
    else:
        assert_not_ready(outcome, it, failure.reason, failure.retry_after)
    assert it.ready()["reason"] == failure.reason.value
    assert it.status["observedGeneration"] == 1
    assert it.events.items == [("Warning", failure.reason.value, outcome.message)]
    if failure.offline:
        assert world.requests() == []
        assert world.connections == []
    assert [(r.method, r.path) for r in world.writes() if not r.injected] == failure.writes
    assert world.apps() == []
    assert it.secret() is None
    world.assert_no_leaks()


@pytest.mark.parametrize("case", list(FAILURES))
async def test_an_identical_failing_retry_posts_no_second_warning(world: World, case: str) -> None:
    failure = FAILURES[case]
    it = failure.arrange(world)
    first = await it.reconcile()
    assert first.reason is failure.reason

    second = await it.reconcile()

    assert second.reason is failure.reason
    assert it.events.reasons("Warning") == [failure.reason.value]
    assert it.ready()["lastTransitionTime"] == NOW
    world.assert_no_leaks()


@pytest.mark.parametrize("stored", ["SSWS {token}", "{token} trailing", "to ken{token}", "{token}\x00"])
async def test_a_malformed_token_is_a_reported_failure_not_an_exception(world: World, stored: str) -> None:
    world.secrets.put_token(NAMESPACE, stored.format(token=BAD_TOKEN))
    world.secret_values.add(BAD_TOKEN)
    it = world.integration()

    outcome = await it.reconcile()

    assert not outcome.ready
    assert outcome.reason in (Reason.CREDENTIALS_NOT_FOUND, Reason.OKTA_AUTH_FAILED)
    assert it.events.reasons("Warning") == [outcome.reason.value]


async def test_finalize_with_a_malformed_token_stays_pending_not_an_exception(world: World) -> None:
    world.secrets.put_token(NAMESPACE, f"SSWS {BAD_TOKEN}")
    world.secret_values.add(BAD_TOKEN)
    it = world.integration(spec=spec_of(world, deletionPolicy="Delete"))

    result = await it.finalize()

    assert result is not None and not result.ready
    assert result.reason in (Reason.CREDENTIALS_NOT_FOUND, Reason.OKTA_AUTH_FAILED)


async def test_a_binary_value_added_to_the_output_secret_is_repaired(world: World) -> None:
    it = await converged(world)
    stored = world.secrets.get(NAMESPACE, SECRET)
    assert stored is not None
    stored["data"]["extra"] = base64.b64encode(b"\xff\x00\xfe").decode()

    outcome = await it.reconcile()

    assert_ready(outcome, it)
    values = it.secret()
    assert values is not None and set(values) == SECRET_KEYS


# -- 11. lost create response ------------------------------------------------------------------------


async def test_a_create_whose_response_is_lost_is_adopted_by_its_marker(world: World) -> None:
    it = world.integration()
    world.sb.lose_responses(1, method="POST", path_prefix="/api/v1/apps")

    outcome = await it.reconcile()

    assert_ready(outcome, it)
    assert sorted(a["label"] for a in world.apps()) == [CONSOLES, TOOLS]  # no duplicate
    creates = world.calls("POST", "/api/v1/apps")
    assert len(creates) == 2 and creates[0].lost and not creates[1].lost
    adopted = creates[0].response_body["id"]
    assert it.app_id("consoles") == adopted
    values = it.secret()
    assert values is not None
    assert values["webClientSecret"] == world.active_secrets(adopted)[0]
    assert len(world.calls("GET", f"/api/v1/apps/{adopted}/credentials/secrets")) == 1
    assert it.events.reasons() == [
        "OktaAppCreated",
        "OktaAppCreated",
        "SecretWritten",
        "LifeTimeHandover",
        "Reconciled",
    ]
    await assert_steady(world, it)


async def test_a_create_that_failed_with_a_5xx_is_looked_for_and_not_duplicated(world: World) -> None:
    it = world.integration()
    world.sb.inject_fault(503, 1, method="POST", path_prefix="/api/v1/apps")

    failed = await it.reconcile()

    assert_not_ready(failed, it, Reason.OKTA_UNAVAILABLE, TRANSIENT_DELAY)
    assert len(world.calls("POST", "/api/v1/apps")) == 1  # a create is never blindly retried
    assert world.apps() == []

    assert_ready(await it.reconcile(), it)
    assert sorted(a["label"] for a in world.apps()) == [CONSOLES, TOOLS]


# -- 12. 404 right after create ----------------------------------------------------------------------


async def test_a_recorded_app_is_read_from_the_scan_not_by_id(world: World) -> None:
    # Okta can answer 404 to a GET of an app created a moment ago. A pass reads its recorded apps from
    # the one scan of the org's apps; a GET by id (twice, with a recheck: see the deletion test above)
    # is only for an app the scan lacks.
    it = await converged(world)
    cid, tid = it.app_id("consoles"), it.app_id("developmentTools")
    world.sb.clear_requests()

    assert_ready(await it.reconcile(), it)

    assert world.calls("GET", f"/api/v1/apps/{cid}") == world.calls("GET", f"/api/v1/apps/{tid}") == []
    assert len(world.calls("GET", "/api/v1/apps")) == 1
    assert world.sleeper.calls == []
    assert world.writes() == []
    assert len(world.apps()) == 2 and it.app_id("consoles") == cid
    assert it.events.items == []


# -- 13. finalize ------------------------------------------------------------------------------------


async def test_finalize_orphan_leaves_the_apps_as_they_are_minus_our_marker(world: World) -> None:
    it = await converged(world)
    cid, tid = it.app_id("consoles"), it.app_id("developmentTools")
    before = {app_id: world.app(app_id) for app_id in (cid, tid)}
    secrets_before = world.active_secrets(cid)

    result = await it.finalize()

    assert result is None
    assert [(r.method, r.path) for r in world.writes()] == [
        ("PUT", f"/api/v1/apps/{cid}"),
        ("PUT", f"/api/v1/apps/{tid}"),
    ]
    for app_id, old in before.items():
        new = world.app(app_id)
        assert new is not None and old is not None
        assert MARKER in old["profile"] and MARKER not in new["profile"]
        # Everything else as it was (only Okta's own lastUpdated moves).
        assert {**new, "profile": None, "lastUpdated": None} == {**old, "profile": None, "lastUpdated": None}
    assert world.active_secrets(cid) == secrets_before
    assert not any(
        "client_secret" in (r.request_body or {}).get("credentials", {}).get("oauthClient", {})
        for r in world.writes()
    )
    assert it.events.items == [
        (
            "Normal",
            "OktaAppReleased",
            f"Removed this resource's ownership marker from Okta app {CONSOLES!r} ({cid}); "
            "nothing else changed",
        ),
        (
            "Normal",
            "OktaAppReleased",
            f"Removed this resource's ownership marker from Okta app {TOOLS!r} ({tid}); nothing else changed",
        ),
        ("Normal", "OktaAppsOrphaned", f"Left Okta apps {cid}, {tid} in place (deletionPolicy Orphan)"),
    ]


async def test_finalize_orphan_never_blocks_the_deletion_when_okta_cannot_be_reached(world: World) -> None:
    it = await converged(world)
    cid, tid = it.app_id("consoles"), it.app_id("developmentTools")
    del world.secrets.objects[(NAMESPACE, CREDENTIALS)]

    result = await it.finalize()

    assert result is None
    assert world.requests() == []
    assert it.events.items == [
        (
            "Warning",
            "OktaMarkerLeft",
            f"Left Okta apps {cid}, {tid} in place (deletionPolicy Orphan) without removing this resource's "
            "ownership marker (no usable Okta credentials in Secret 'okta-api'); remove "
            "profile.outsystemsOktaOperator from them before another resource adopts them",
        )
    ]


async def test_finalize_orphan_of_an_app_already_gone_releases_the_other(world: World) -> None:
    it = await converged(world)
    cid, tid = it.app_id("consoles"), it.app_id("developmentTools")
    await world.admin.delete_app(cid)
    world.sb.clear_requests()

    assert await it.finalize() is None

    assert [(r.method, r.path) for r in world.writes()] == [("PUT", f"/api/v1/apps/{tid}")]
    assert it.events.reasons() == ["OktaAppReleased", "OktaAppsOrphaned"]
    assert it.events.of("OktaAppsOrphaned")[0][2] == f"Left Okta apps {tid} in place (deletionPolicy Orphan)"


async def test_finalize_delete_deactivates_and_deletes_both_apps(world: World) -> None:
    it = await converged(world, spec=spec_of(world, deletionPolicy="Delete"))
    cid, tid = it.app_id("consoles"), it.app_id("developmentTools")

    result = await it.finalize()

    assert result is None
    assert world.apps() == []
    assert [(r.method, r.path) for r in world.writes()] == [
        ("POST", f"/api/v1/apps/{cid}/lifecycle/deactivate"),
        ("DELETE", f"/api/v1/apps/{cid}"),
        ("POST", f"/api/v1/apps/{tid}/lifecycle/deactivate"),
        ("DELETE", f"/api/v1/apps/{tid}"),
    ]
    assert it.events.items == [
        ("Normal", "OktaAppDeleted", f"Deactivated and deleted Okta app {cid}"),
        ("Normal", "OktaAppDeleted", f"Deactivated and deleted Okta app {tid}"),
    ]


async def test_finalize_delete_without_ids_in_status_finds_our_apps_by_marker_only(world: World) -> None:
    # Someone else's app with the same label must survive.
    foreign = await world.admin.create_app(
        {
            "name": "oidc_client",
            "label": CONSOLES,
            "signOnMode": "OPENID_CONNECT",
            "credentials": {"oauthClient": {"token_endpoint_auth_method": "client_secret_basic"}},
            "settings": {
                "oauthClient": {
                    "application_type": "web",
                    "grant_types": ["authorization_code"],
                    "response_types": ["code"],
                    "redirect_uris": ["https://other.example.com/cb"],
                }
            },
        }
    )
    it = await converged(world, spec=spec_of(world, deletionPolicy="Delete"))
    assert len(world.apps()) == 3
    it.status = {}  # the operator crashed before writing status

    result = await it.finalize()

    assert result is None
    assert [a["id"] for a in world.apps()] == [foreign["id"]]
    assert [r.method for r in world.writes()] == ["POST", "DELETE", "POST", "DELETE"]
    assert it.events.reasons() == ["OktaAppDeleted", "OktaAppDeleted"]


async def test_finalize_delete_retries_while_okta_still_sees_the_app_active(world: World) -> None:
    it = await converged(world, spec=spec_of(world, deletionPolicy="Delete"))
    cid = it.app_id("consoles")
    world.sb.inject_fault(
        403,
        1,
        method="DELETE",
        path_prefix=f"/api/v1/apps/{cid}",
        error_code="E0000056",
        error_summary="Delete application forbidden.",
    )

    result = await it.finalize()

    assert result is None
    assert world.apps() == []
    assert [r.status for r in world.calls("DELETE", f"/api/v1/apps/{cid}")] == [403, 204]
    assert world.sleeper.calls == [0]
    assert it.events.reasons() == ["OktaAppDeleted", "OktaAppDeleted"]


async def test_finalize_delete_gives_up_with_okta_forbidden_when_the_app_stays_active(world: World) -> None:
    it = await converged(world, spec=spec_of(world, deletionPolicy="Delete"))
    cid = it.app_id("consoles")
    world.sb.inject_fault(403, 3, method="DELETE", path_prefix=f"/api/v1/apps/{cid}", error_code="E0000056")

    result = await it.finalize()

    assert result is not None
    assert (result.ready, result.reason, result.retry_after) == (
        False,
        Reason.OKTA_FORBIDDEN,
        EXTERNAL_FIX_DELAY,
    )
    assert len(world.calls("DELETE", f"/api/v1/apps/{cid}")) == 3
    assert it.events.items == [("Warning", "OktaForbidden", result.message)]
    assert len(world.apps()) == 2


async def test_finalize_delete_without_credentials_stays_pending(world: World) -> None:
    it = await converged(world, spec=spec_of(world, deletionPolicy="Delete"))
    del world.secrets.objects[(NAMESPACE, CREDENTIALS)]

    result = await it.finalize()

    assert result is not None
    assert (result.ready, result.reason, result.retry_after) == (
        False,
        Reason.CREDENTIALS_NOT_FOUND,
        EXTERNAL_FIX_DELAY,
    )
    assert "deletionPolicy: Orphan" in result.message
    assert it.events.items == [("Warning", "CredentialsNotFound", result.message)]
    assert world.requests() == [] and world.connections == [world.sb.url]  # only the converging pass
    assert len(world.apps()) == 2


async def test_finalize_delete_with_an_invalid_spec_stays_pending(world: World) -> None:
    envs = [{"name": "dev", "hostname": LIFETIME}]
    it = world.integration(spec=spec_of(world, deletionPolicy="Delete", environments=envs))
    it.status = {"consoles": {"appId": "0oanotouch"}}

    result = await it.finalize()

    assert result is not None
    assert (result.ready, result.reason, result.retry_after) == (
        False,
        Reason.INVALID_SPEC,
        EXTERNAL_FIX_DELAY,
    )
    assert result.message.startswith("Cannot delete the Okta apps, the spec is invalid: spec.environments[0]")
    assert it.events.items == [("Warning", "InvalidSpec", result.message)]
    assert world.requests() == []


async def test_finalize_delete_finds_a_recreated_app_whose_id_never_reached_status(world: World) -> None:
    it = await converged(world, spec=spec_of(world, deletionPolicy="Delete", missingAppPolicy="Recreate"))
    await world.admin.delete_app(it.app_id("consoles"))
    stale = copy.deepcopy(it.status)
    assert_ready(await it.reconcile(), it)  # recreates the Consoles app...
    it.status = stale  # ...but that pass's status patch never landed

    result = await it.finalize()

    assert result is None
    assert world.apps() == []


# -- 14. several resources in one org -------------------------------------------------------------


async def test_several_resources_with_the_same_labels_each_keep_their_own_pair(world: World) -> None:
    a = world.integration(namespace="team-a", uid="uid-aaaa", spec=spec_of(world, deletionPolicy="Delete"))
    b = world.integration(namespace="team-b", uid="uid-bbbb", spec=spec_of(world, deletionPolicy="Delete"))

    assert_ready(await a.reconcile(), a)
    assert_ready(await b.reconcile(), b)

    apps = world.apps()
    assert len(apps) == 4
    assert sorted(a_["label"] for a_ in apps) == [CONSOLES, CONSOLES, TOOLS, TOOLS]
    ids_a = {a.app_id("consoles"), a.app_id("developmentTools")}
    ids_b = {b.app_id("consoles"), b.app_id("developmentTools")}
    assert not ids_a & ids_b
    by_id = {app["id"]: app for app in apps}
    for integration, ids in ((a, ids_a), (b, ids_b)):
        assert {by_id[i]["profile"][MARKER]["uid"] for i in ids} == {integration.uid}
        values = integration.secret()
        assert values is not None
        assert values["webClientId"] == client_id(by_id[integration.app_id("consoles")])
        assert values["desktopClientId"] == client_id(by_id[integration.app_id("developmentTools")])
    secret_a, secret_b = a.secret(), b.secret()
    assert secret_a is not None and secret_b is not None
    assert secret_a["webClientSecret"] != secret_b["webClientSecret"]

    # B loses its status (crash before the status write): it adopts its own pair, never A's.
    b_status = copy.deepcopy(b.status)
    b.status = {}
    world.sb.clear_requests()
    assert_ready(await b.reconcile(), b)
    assert world.writes() == []
    assert {b.app_id("consoles"), b.app_id("developmentTools")} == ids_b
    assert b.secret() == secret_b
    assert b.status["consoles"] == b_status["consoles"]

    await assert_steady(world, a)

    # A goes with deletionPolicy Delete and no ids in status: only A's pair is deleted.
    a.status = {}
    assert await a.finalize() is None
    assert {app["id"] for app in world.apps()} == ids_b
    await assert_steady(world, b)
