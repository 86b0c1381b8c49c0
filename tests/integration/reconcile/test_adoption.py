"""spec.adopt: the real reconcile routine and finalize take over apps an admin made in the Okta sandbox.

An adoption never creates an app or a client secret, checks both apps before touching either, brings
only the owned fields to the desired state, keeps the admin's client IDs, secret, label and extra
fields, and on `deletionPolicy: Orphan` gives the apps back minus our marker.
"""

from __future__ import annotations

import copy
from typing import TYPE_CHECKING, Any

import pytest
from tests.integration.reconcile.test_reconcile_routine import (
    CONSOLES,
    EXTERNAL_FIX_DELAY,
    MARKER,
    NAME,
    NAMESPACE,
    SECRET,
    TOOLS,
    UID,
    assert_not_ready,
    assert_ready,
    assert_steady,
    consoles_logouts,
    consoles_redirects,
    converged,
    lifetime_update,
    spec_of,
    tools_redirects,
)

from outsystems_okta import OPERATOR_NAME
from outsystems_okta.plan.conditions import Reason

if TYPE_CHECKING:
    from tests.integration.reconcile.conftest import Integration, World

WEB_LABEL = "Acme LifeTime SSO"
NATIVE_LABEL = "Acme Service Studio"
NATIVE_CLIENT_ID = "acme-service-studio"


def web_app(**overrides: Any) -> dict[str, Any]:
    """An OIDC Web app as an admin makes it by hand: the LifeTime URI only, one grant, own extras."""
    body: dict[str, Any] = {
        "name": "oidc_client",
        "label": WEB_LABEL,
        "signOnMode": "OPENID_CONNECT",
        "credentials": {"oauthClient": {"token_endpoint_auth_method": "client_secret_basic"}},
        "settings": {
            "oauthClient": {
                "application_type": "web",
                "grant_types": ["authorization_code"],
                "response_types": ["code"],
                "redirect_uris": [consoles_redirects()[0]],
                "initiate_login_uri": "https://lifetime.acme.com/ServiceCenter",
            },
            "notes": {"admin": "Made by hand for LifeTime; ask the platform team", "enduser": ""},
        },
        "profile": {"team": "platform"},
    }
    body.update(overrides)
    return body


def native_app(*, client_id: str | None = NATIVE_CLIENT_ID, **overrides: Any) -> dict[str, Any]:
    """An OIDC Native app as an admin makes it, with a client ID of the admin's choosing."""
    oauth: dict[str, Any] = {"token_endpoint_auth_method": "none", "pkce_required": True}
    if client_id is not None:
        oauth["client_id"] = client_id
    body: dict[str, Any] = {
        "name": "oidc_client",
        "label": NATIVE_LABEL,
        "signOnMode": "OPENID_CONNECT",
        "credentials": {"oauthClient": oauth},
        "settings": {
            "oauthClient": {
                "application_type": "native",
                "grant_types": ["authorization_code", "refresh_token"],
                "response_types": ["code"],
                "redirect_uris": ["servicestudio://auth"],
            }
        },
    }
    body.update(overrides)
    return body


async def hand_made(world: World) -> tuple[dict[str, Any], dict[str, Any]]:
    """The two apps an admin made through Okta's API, as Okta then returns them."""
    web = await world.admin.create_app(web_app())
    native = await world.admin.create_app(native_app())
    apps = await world.admin.get_app(web["id"]), await world.admin.get_app(native["id"])
    world.sb.clear_requests()
    return apps


def adopting(world: World, web_id: str | None, native_id: str | None, **spec: Any) -> Integration:
    adopt = {
        key: value
        for key, value in (("consolesAppId", web_id), ("developmentToolsAppId", native_id))
        if value is not None
    }
    return world.integration(spec=spec_of(world, adopt=adopt, **spec))


def calls(world: World) -> list[tuple[str, str]]:
    return [(r.method, r.path) for r in world.requests()]


def assert_nothing_created(world: World) -> None:
    assert world.calls("POST", "/api/v1/apps") == []
    assert [r for r in world.writes() if r.path.endswith("/credentials/secrets")] == []


def without_volatile(app: dict[str, Any] | None) -> dict[str, Any]:
    assert app is not None
    return {**app, "lastUpdated": None}


# -- adopting both apps ---------------------------------------------------------------------------------


async def test_adopting_both_apps_changes_only_owned_fields_and_creates_nothing(world: World) -> None:
    web, native = await hand_made(world)
    web_id, native_id = web["id"], native["id"]
    [admin_secret] = world.active_secrets(web_id)
    it_group = world.group_id("OutSystems IT")
    it = adopting(world, web_id, native_id, access={"groups": ["OutSystems IT"]})

    outcome = await it.reconcile()

    assert_ready(outcome, it)
    # Exactly these Okta calls: every read and check first, then the writes; no create of any kind.
    assert calls(world) == [
        ("GET", "/api/v1/authorizationServers/default"),
        # Both adopted apps found by id in one scan of the org's apps.
        ("GET", "/api/v1/apps"),
        ("GET", f"/api/v1/apps/{web_id}/credentials/secrets"),
        ("GET", "/api/v1/groups"),
        ("PUT", f"/api/v1/apps/{web_id}"),
        ("PUT", f"/api/v1/apps/{native_id}"),
        # The group's apps, listed once for both.
        ("GET", f"/api/v1/groups/{it_group}/apps"),
        ("PUT", f"/api/v1/apps/{web_id}/groups/{it_group}"),
        ("PUT", f"/api/v1/apps/{native_id}/groups/{it_group}"),
        *world.access_policy_reads(),
    ]
    assert_nothing_created(world)
    assert {a["id"] for a in world.apps()} == {web_id, native_id}
    for request in world.writes():
        oauth = ((request.request_body or {}).get("credentials") or {}).get("oauthClient") or {}
        assert "client_secret" not in oauth

    # Owned fields as the page prescribes; the admin's label, extras, client IDs and secret stay.
    consoles, tools = world.app(web_id), world.app(native_id)
    assert consoles is not None and tools is not None
    c_oauth, t_oauth = consoles["settings"]["oauthClient"], tools["settings"]["oauthClient"]
    assert c_oauth["redirect_uris"] == consoles_redirects()
    assert c_oauth["post_logout_redirect_uris"] == consoles_logouts()
    assert sorted(c_oauth["grant_types"]) == ["authorization_code", "refresh_token"]
    assert c_oauth["initiate_login_uri"] == "https://lifetime.acme.com/ServiceCenter"
    assert consoles["settings"]["notes"]["admin"] == "Made by hand for LifeTime; ask the platform team"
    assert t_oauth["redirect_uris"] == tools_redirects()
    assert (consoles["label"], tools["label"]) == (WEB_LABEL, NATIVE_LABEL)
    assert consoles["credentials"]["oauthClient"]["client_id"] == web_id
    assert tools["credentials"]["oauthClient"]["client_id"] == NATIVE_CLIENT_ID
    assert world.active_secrets(web_id) == [admin_secret]
    assert consoles["profile"]["team"] == "platform"
    for app, role in ((consoles, "consoles"), (tools, "developmentTools")):
        assert app["profile"][MARKER] == {
            "managedBy": OPERATOR_NAME,
            "namespace": NAMESPACE,
            "name": NAME,
            "uid": UID,
            "role": role,
        }

    # The Secret: the admin's client IDs and the client secret the app already had.
    values = it.secret()
    assert values is not None
    assert (values["webClientId"], values["desktopClientId"]) == (web_id, NATIVE_CLIENT_ID)
    assert values["webClientSecret"] == admin_secret
    assert it.status["consoles"] == {
        "appId": web_id,
        "clientId": web_id,
        "assignedGroupIds": [it_group],
        "adopted": True,
    }
    assert it.status["developmentTools"]["adopted"] is True
    assert it.status["developmentTools"]["clientId"] == NATIVE_CLIENT_ID

    # Events name each field changed.
    assert it.events.of("OktaAppAdopted") == [
        (
            "Normal",
            "OktaAppAdopted",
            # The admin's app had no refresh_token grant, so Okta kept no refresh_token settings.
            f"Adopted Okta app {WEB_LABEL!r} ({web_id}): changed settings.oauthClient.grant_types, "
            "settings.oauthClient.redirect_uris, settings.oauthClient.post_logout_redirect_uris, "
            "settings.oauthClient.refresh_token, "
            f"profile.{MARKER}",
        ),
        (
            "Normal",
            "OktaAppAdopted",
            f"Adopted Okta app {NATIVE_LABEL!r} ({native_id}): changed settings.oauthClient.redirect_uris, "
            f"settings.oauthClient.post_logout_redirect_uris, profile.{MARKER}",
        ),
    ]
    assert it.events.reasons() == [
        "OktaAppAdopted",
        "OktaAppAdopted",
        "OktaGroupAssigned",
        "OktaGroupAssigned",
        "SecretWritten",
        "LifeTimeHandover",
        "Reconciled",
    ]
    await assert_steady(world, it)


async def test_the_spec_may_name_the_label_of_an_adopted_app(world: World) -> None:
    web, native = await hand_made(world)
    it = adopting(world, web["id"], native["id"], appLabels={"consoles": CONSOLES})

    assert_ready(await it.reconcile(), it)

    assert world.app(web["id"])["label"] == CONSOLES  # type: ignore[index]
    assert world.app(native["id"])["label"] == NATIVE_LABEL  # type: ignore[index]
    assert "label" in it.events.of("OktaAppAdopted")[0][2]


async def test_an_admins_group_assignment_is_never_ours_to_remove(world: World) -> None:
    web, native = await hand_made(world)
    it_group, dev_group = world.group_id("OutSystems IT"), world.group_id("OutSystems Developers")
    await world.admin.assign_group(web["id"], it_group)
    await world.admin.assign_group(web["id"], dev_group)
    it = adopting(world, web["id"], native["id"], access={"groups": ["OutSystems IT"]})

    assert_ready(await it.reconcile(), it)
    assert it.status["consoles"]["assignedGroupIds"] == []  # it was assigned already: the admin's
    assert it.status["developmentTools"]["assignedGroupIds"] == [it_group]

    it.change_spec(access={"groups": []})
    world.sb.clear_requests()
    assert_ready(await it.reconcile(), it)

    assert world.assigned(web["id"]) == {it_group, dev_group}
    assert world.assigned(native["id"]) == set()
    assert [(r.method, r.path) for r in world.writes()] == [
        ("DELETE", f"/api/v1/apps/{native['id']}/groups/{it_group}")
    ]


async def test_adopting_only_the_consoles_app_creates_the_development_tools_app(world: World) -> None:
    web, _ = await hand_made(world)
    [admin_secret] = world.active_secrets(web["id"])
    it = adopting(world, web["id"], None)

    assert_ready(await it.reconcile(), it)

    assert [(r.method, r.path) for r in world.writes()] == [
        ("PUT", f"/api/v1/apps/{web['id']}"),
        ("POST", "/api/v1/apps"),
    ]
    tools = world.app(it.app_id("developmentTools"))
    assert tools is not None and tools["label"] == TOOLS
    assert "adopted" not in it.status["developmentTools"]
    values = it.secret()
    assert values is not None
    assert (values["webClientId"], values["webClientSecret"]) == (web["id"], admin_secret)
    await assert_steady(world, it)


async def test_a_web_app_using_client_secret_post_keeps_it_and_its_secret(world: World) -> None:
    body = web_app()
    body["credentials"]["oauthClient"]["token_endpoint_auth_method"] = "client_secret_post"
    web = await world.admin.create_app(body)
    [admin_secret] = world.active_secrets(web["id"])
    it = adopting(world, web["id"], None)

    assert_ready(await it.reconcile(), it)

    app = world.app(web["id"])
    assert app is not None
    assert app["credentials"]["oauthClient"]["token_endpoint_auth_method"] == "client_secret_post"
    assert world.active_secrets(web["id"]) == [admin_secret]
    assert "token_endpoint_auth_method" not in it.events.of("OktaAppAdopted")[0][2]
    await assert_steady(world, it)


async def test_of_two_active_client_secrets_the_newest_goes_to_the_secret(world: World) -> None:
    web, native = await hand_made(world)
    response = await world.admin.http.post(f"/api/v1/apps/{web['id']}/credentials/secrets", json={})
    assert response.status_code == 201
    old, new = world.sb.state.apps[web["id"]].secrets
    # Okta stamps milliseconds; make the order unmistakable for the test.
    old.created, new.created = "2030-01-01T00:00:00.000Z", "2030-06-01T00:00:00.000Z"
    world.sb.clear_requests()
    it = adopting(world, web["id"], native["id"])

    assert_ready(await it.reconcile(), it)

    values = it.secret()
    assert values is not None and values["webClientSecret"] == new.value
    assert [s.status for s in world.sb.state.apps[web["id"]].secrets] == ["ACTIVE", "ACTIVE"]
    assert_nothing_created(world)


async def test_an_inactive_app_is_adopted_and_reactivated_with_a_warning(world: World) -> None:
    web, native = await hand_made(world)
    await world.admin.deactivate_app(native["id"])
    it = adopting(world, web["id"], native["id"])

    assert_ready(await it.reconcile(), it)

    assert world.app(native["id"])["status"] == "ACTIVE"  # type: ignore[index]
    assert it.events.of("OktaAppReactivated") == [
        (
            "Warning",
            "OktaAppReactivated",
            f"Okta app {NATIVE_LABEL!r} ({native['id']}) was inactive (deactivated in Okta); reactivated it, "
            "its client ID is unchanged",
        )
    ]


async def test_readopting_after_a_lost_status_write_changes_nothing(world: World) -> None:
    web, native = await hand_made(world)
    it = adopting(world, web["id"], native["id"])
    assert_ready(await it.reconcile(), it)
    before = it.secret()
    it.status = {}  # the status patch of that pass never landed
    world.sb.clear_requests()
    it.events.clear()

    assert_ready(await it.reconcile(), it)

    assert world.writes() == []
    assert it.secret() == before
    assert it.status["consoles"]["adopted"] is True
    assert it.events.reasons() == ["Reconciled"]


# -- refusals: checked before anything is written -----------------------------------------------------


REFUSALS: dict[str, tuple[str, str]] = {
    # case: (which app is refused, the start of the reason after "spec.adopt.<role>AppId names <id>")
    "consoles-names-a-native-app": (
        "consoles",
        f"({NATIVE_LABEL!r}), which is a native app; the OutSystems Consoles app must be an OIDC Web app "
        "(application_type web)",
    ),
    "tools-names-a-web-app": (
        "developmentTools",
        f"({WEB_LABEL!r}), which is a web app; the OutSystems Development Tools app must be an OIDC Native "
        "app (application_type native)",
    ),
    "another-resources-app": (
        "consoles",
        f"({WEB_LABEL!r}), which is managed by another OutSystemsOktaIntegration (team-b/factory, uid "
        "uid-bbbb); if that resource is gone, remove profile.outsystemsOktaOperator from the app first",
    ),
    "no-such-app": (
        "consoles",
        ", but Okta has no such app; check the id (the app's page in the Okta admin console, after "
        "/instance/ in the address)",
    ),
    "client-secret-jwt": (
        "consoles",
        f"({WEB_LABEL!r}), which authenticates with client_secret_jwt; LifeTime needs a client secret sent "
        "as client_secret_basic or client_secret_post, and changing the method would make Okta issue a new "
        "secret: choose Client secret in the app's Client Credentials first",
    ),
    "no-active-client-secret": (
        "consoles",
        f"({WEB_LABEL!r}), which has no active client secret; LifeTime needs one and adopting never creates "
        "one: generate one in the app's Client Credentials in Okta",
    ),
}


async def _arrange_refusal(world: World, case: str) -> tuple[str, str]:
    """Make the apps for a refusal case; return the (consoles, developmentTools) ids to adopt."""
    web, native = await hand_made(world)
    if case == "consoles-names-a-native-app":
        other = await world.admin.create_app(native_app(client_id=None, label="Other native app"))
        return native["id"], other["id"]
    if case == "tools-names-a-web-app":
        other = await world.admin.create_app(web_app())
        return web["id"], other["id"]
    if case == "another-resources-app":
        app = await world.admin.get_app(web["id"])
        app["profile"][MARKER] = {
            "managedBy": OPERATOR_NAME,
            "namespace": "team-b",
            "name": "factory",
            "uid": "uid-bbbb",
            "role": "consoles",
        }
        await world.admin.put_app(web["id"], app)
        return web["id"], native["id"]
    if case == "no-such-app":
        return "0oaNoSuchApp0000000A", native["id"]
    if case == "client-secret-jwt":
        body = web_app()
        body["credentials"]["oauthClient"]["token_endpoint_auth_method"] = "client_secret_jwt"
        body["credentials"]["oauthClient"]["client_secret"] = "j" * 40
        jwt = await world.admin.create_app(body)
        return jwt["id"], native["id"]
    if case == "no-active-client-secret":
        for secret in world.sb.state.apps[web["id"]].secrets:
            secret.status = "INACTIVE"
        return web["id"], native["id"]
    raise AssertionError(case)


@pytest.mark.parametrize("case", list(REFUSALS))
async def test_an_adoption_that_cannot_be_done_is_refused_before_any_write(world: World, case: str) -> None:
    consoles_id, tools_id = await _arrange_refusal(world, case)
    apps_before = {a["id"]: without_volatile(a) for a in world.apps()}
    world.sb.clear_requests()
    it = adopting(world, consoles_id, tools_id)

    outcome = await it.reconcile()

    role, why = REFUSALS[case]
    named = consoles_id if role == "consoles" else tools_id
    assert_not_ready(outcome, it, Reason.ADOPTION_REFUSED, EXTERNAL_FIX_DELAY)
    assert outcome.message == f"spec.adopt.{role}AppId names {named} {why}".replace(f"{named} ,", f"{named},")
    assert it.events.items == [("Warning", "AdoptionRefused", outcome.message)]
    # Not a single Okta write: neither app touched, nothing created (not even the other app).
    assert world.writes() == []
    assert {a["id"]: without_volatile(a) for a in world.apps()} == apps_before
    assert it.secret() is None
    assert "consoles" not in it.status and "developmentTools" not in it.status

    # Retried (the admin may fix it in Okta) without a second Warning.
    await it.reconcile()
    assert it.events.reasons("Warning") == ["AdoptionRefused"]
    assert world.writes() == []


async def test_a_missing_adoption_target_is_looked_at_twice_and_never_created(world: World) -> None:
    _, native = await hand_made(world)
    it = adopting(world, "0oaNoSuchApp0000000A", native["id"])

    outcome = await it.reconcile()

    assert outcome.reason is Reason.ADOPTION_REFUSED
    assert [r.status for r in world.calls("GET", "/api/v1/apps/0oaNoSuchApp0000000A")] == [404, 404]
    assert world.sleeper.calls == [0]
    # One scan of the org's apps (where the named app is not), no marker search: the spec named the app.
    [scan] = world.calls("GET", "/api/v1/apps")
    assert "q" not in scan.query
    assert_nothing_created(world)


async def test_both_refusals_are_reported_at_once(world: World) -> None:
    web, native = await hand_made(world)
    it = adopting(world, native["id"], web["id"])

    outcome = await it.reconcile()

    assert outcome.reason is Reason.ADOPTION_REFUSED
    assert outcome.message.count("spec.adopt.") == 2
    assert outcome.message.index("consolesAppId") < outcome.message.index("developmentToolsAppId")
    assert world.writes() == []


# -- spec.adopt changed after the fact ----------------------------------------------------------------


async def test_naming_another_app_while_the_managed_one_exists_is_refused(world: World) -> None:
    web, native = await hand_made(world)
    it = adopting(world, web["id"], native["id"])
    assert_ready(await it.reconcile(), it)
    other = await world.admin.create_app(web_app(label="Another web app"))
    before = it.secret()
    world.sb.clear_requests()
    it.change_spec(adopt={"consolesAppId": other["id"], "developmentToolsAppId": native["id"]})

    outcome = await it.reconcile()

    assert_not_ready(outcome, it, Reason.ADOPTION_REFUSED, EXTERNAL_FIX_DELAY)
    assert outcome.message == (
        f"spec.adopt.consolesAppId names {other['id']}, but this resource already manages Okta app "
        f"{web['id']} ({WEB_LABEL!r}), whose client ID LifeTime uses; switching apps would lock LifeTime "
        f"out. Set it back to {web['id']} or remove it; to move to {other['id']}, delete this resource with "
        "deletionPolicy: Orphan and create it again adopting that app"
    )
    assert world.writes() == []
    assert it.secret() == before
    assert it.status["consoles"]["appId"] == web["id"]
    assert MARKER not in world.app(other["id"])["profile"]  # type: ignore[index]

    # Removing spec.adopt keeps the adopted apps managed, label and all.
    it.change_spec(adopt=None)
    assert_ready(await it.reconcile(), it)
    assert it.app_id("consoles") == web["id"] and it.status["consoles"]["adopted"] is True
    assert world.app(web["id"])["label"] == WEB_LABEL  # type: ignore[index]


async def test_adopting_into_a_resource_that_created_its_apps_is_refused(world: World) -> None:
    it = await converged(world)
    web = await world.admin.create_app(web_app())
    world.sb.clear_requests()
    it.change_spec(adopt={"consolesAppId": web["id"]})

    outcome = await it.reconcile()

    assert outcome.reason is Reason.ADOPTION_REFUSED
    assert f"already manages Okta app {it.app_id('consoles')} ({CONSOLES!r})" in outcome.message
    assert world.writes() == []


async def test_an_adopted_app_deleted_in_okta_is_never_replaced_while_the_spec_names_it(world: World) -> None:
    web, native = await hand_made(world)
    it = adopting(world, web["id"], native["id"], missingAppPolicy="Recreate")
    assert_ready(await it.reconcile(), it)
    await world.admin.delete_app(web["id"])
    world.sb.clear_requests()

    outcome = await it.reconcile()

    assert_not_ready(outcome, it, Reason.OKTA_APP_DELETED, None)
    assert outcome.message == (
        f"Okta app {web['id']} (the OutSystems Consoles app) is gone from Okta; LifeTime's provider still "
        "holds it as Client ID for Web tools, so signing in fails until LifeTime is given a new app's client "
        "ID. The operator "
        "does not replace an app spec.adopt.consolesAppId names: name another app there, or remove it to let "
        "spec.missingAppPolicy: Recreate create one. " + lifetime_update()
    )
    assert world.writes() == []


async def test_adopting_a_replacement_for_a_deleted_app_updates_the_secret_and_tells_lifetime(
    world: World,
) -> None:
    web, native = await hand_made(world)
    it = adopting(world, web["id"], native["id"])
    assert_ready(await it.reconcile(), it)
    await world.admin.delete_app(web["id"])
    assert (await it.reconcile()).reason is Reason.OKTA_APP_DELETED
    replacement = await world.admin.create_app(web_app(label="LifeTime SSO 2"))
    [new_secret] = world.active_secrets(replacement["id"])
    world.sb.clear_requests()
    it.events.clear()
    it.change_spec(adopt={"consolesAppId": replacement["id"], "developmentToolsAppId": native["id"]})

    outcome = await it.reconcile()

    assert_ready(outcome, it)
    assert_nothing_created(world)
    values = it.secret()
    assert values is not None
    assert (values["webClientId"], values["webClientSecret"]) == (replacement["id"], new_secret)
    assert it.events.of("LifeTimeUpdateRequired") == [
        (
            "Warning",
            "LifeTimeUpdateRequired",
            f"LifeTime must be updated: Secret {SECRET!r} holds a new webClientId {web['id']} -> "
            f"{replacement['id']}, webClientSecret. " + lifetime_update(),
        )
    ]
    await assert_steady(world, it)


# -- deletion ----------------------------------------------------------------------------------------


async def test_orphaning_an_adopted_integration_gives_the_apps_back_minus_our_marker(world: World) -> None:
    web, native = await hand_made(world)
    it = adopting(world, web["id"], native["id"])
    assert_ready(await it.reconcile(), it)
    adopted = {app_id: copy.deepcopy(world.app(app_id)) for app_id in (web["id"], native["id"])}
    secret_before = world.active_secrets(web["id"])
    world.sb.clear_requests()
    it.events.clear()

    assert await it.finalize() is None

    assert [(r.method, r.path) for r in world.writes()] == [
        ("PUT", f"/api/v1/apps/{web['id']}"),
        ("PUT", f"/api/v1/apps/{native['id']}"),
    ]
    for app_id, before in adopted.items():
        after = world.app(app_id)
        assert after is not None and before is not None
        expected_profile = {k: v for k, v in before["profile"].items() if k != MARKER}
        assert after["profile"] == expected_profile
        assert {**after, "profile": None, "lastUpdated": None} == {
            **before,
            "profile": None,
            "lastUpdated": None,
        }
    assert world.app(web["id"])["profile"] == {"team": "platform"}  # type: ignore[index]
    assert world.active_secrets(web["id"]) == secret_before
    assert it.events.reasons() == ["OktaAppReleased", "OktaAppReleased", "OktaAppsOrphaned"]

    # Given back, the apps may be adopted again (by a new resource, with a new uid).
    again = world.integration(
        name="factory-2",
        uid="6a1e2b3c-0000-4000-8000-00000000f002",
        spec=spec_of(world, adopt={"consolesAppId": web["id"], "developmentToolsAppId": native["id"]}),
    )
    assert_ready(await again.reconcile(), again)


async def test_delete_policy_never_deletes_an_app_whose_adoption_was_refused(world: World) -> None:
    web, native = await hand_made(world)
    it = adopting(world, native["id"], None, deletionPolicy="Delete")
    assert (await it.reconcile()).reason is Reason.ADOPTION_REFUSED
    world.sb.clear_requests()

    assert await it.finalize() is None

    assert world.writes() == []
    assert {a["id"] for a in world.apps()} == {web["id"], native["id"]}


async def test_delete_policy_deletes_adopted_apps_even_when_status_was_lost(world: World) -> None:
    web, native = await hand_made(world)
    bystander = await world.admin.create_app(web_app(label=WEB_LABEL))
    it = adopting(world, web["id"], native["id"], deletionPolicy="Delete")
    assert_ready(await it.reconcile(), it)
    it.status = {}  # adopted, but the status patch never landed: the marker still tells

    assert await it.finalize() is None

    assert {a["id"] for a in world.apps()} == {bystander["id"]}


async def test_orphaning_after_a_refused_adoption_leaves_the_admins_apps_alone(world: World) -> None:
    web, native = await hand_made(world)
    it = adopting(world, native["id"], web["id"])
    assert (await it.reconcile()).reason is Reason.ADOPTION_REFUSED
    before = {a["id"]: a for a in world.apps()}
    world.sb.clear_requests()
    it.events.clear()

    assert await it.finalize() is None

    assert world.writes() == []
    assert {a["id"]: a for a in world.apps()} == before
    assert it.events.items == [], "nothing of this resource's was left in Okta"
