"""Orgs as they are: the real reconcile routine against the Okta sandbox for dashboard visibility,
refresh-token behaviour, the app sign-in policy, extra URIs, an org without API Access Management and
a token whose admin may not read the authorization server."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tests.integration.reconcile.test_reconcile_routine import (
    CONSOLES,
    EXTERNAL_FIX_DELAY,
    TOOLS,
    assert_not_ready,
    assert_ready,
    assert_steady,
    consoles_logouts,
    consoles_redirects,
    converged,
    spec_of,
    tools_redirects,
)

from outsystems_okta.plan.conditions import Reason

if TYPE_CHECKING:
    from tests.integration.reconcile.conftest import World

LT_LOGOUT = "https://lifetime.acme.com/LifeTimeSDK/CentralizedLogoutPage.aspx"
HIDDEN = {"iOS": True, "web": True}
SHOWN = {"iOS": False, "web": False}


def with_policy(world: World, policy_id: str, **overrides: Any) -> dict[str, Any]:
    spec = spec_of(world, **overrides)
    spec["okta"]["signInPolicyId"] = policy_id
    return spec


def policy_of(world: World, app_id: str) -> str | None:
    return world.sb.state.apps[app_id].access_policy_id


# -- dashboard visibility ---------------------------------------------------------------------------


async def test_apps_are_created_hidden_and_shown_only_when_the_spec_says_so(world: World) -> None:
    it = await converged(world)
    for role in ("consoles", "developmentTools"):
        app = world.app(it.app_id(role))
        assert app is not None and app["visibility"]["hide"] == HIDDEN
    # The create bodies said so themselves (not left to Okta's default).
    it2 = world.integration(name="other", uid="6a1e2b3c-0000-4000-8000-00000000f002")
    await it2.reconcile()
    creates = [r for r in world.writes() if (r.method, r.path) == ("POST", "/api/v1/apps")]
    assert [r.request_body["visibility"] for r in creates] == [{"hide": HIDDEN}, {"hide": HIDDEN}]

    world.sb.clear_requests()
    it.change_spec(showOnDashboard=True)
    assert_ready(await it.reconcile(), it)
    cid, tid = it.app_id("consoles"), it.app_id("developmentTools")
    assert [(r.method, r.path) for r in world.writes()] == [
        ("PUT", f"/api/v1/apps/{cid}"),
        ("PUT", f"/api/v1/apps/{tid}"),
    ]
    for app_id in (cid, tid):
        app = world.app(app_id)
        assert app is not None and app["visibility"]["hide"] == SHOWN
        # The rest of `visibility` is Okta's, kept as it was.
        assert app["visibility"]["appLinks"] == {"oidc_client_link": True}
    assert it.events.reasons() == ["OktaAppUpdated", "OktaAppUpdated"]
    assert all(message.endswith(": visibility.hide") for _, _, message in it.events.items)
    await assert_steady(world, it)


async def test_an_app_unhidden_in_okta_is_hidden_again_keeping_the_admins_auto_launch(world: World) -> None:
    it = await converged(world)
    cid = it.app_id("consoles")
    app = await world.admin.get_app(cid)
    app["visibility"]["hide"] = {"iOS": False, "web": False}
    app["visibility"]["autoLaunch"] = True
    await world.admin.put_app(cid, app)
    world.sb.clear_requests()

    assert_ready(await it.reconcile(), it)

    assert [(r.method, r.path) for r in world.writes()] == [("PUT", f"/api/v1/apps/{cid}")]
    repaired = world.app(cid)
    assert repaired is not None
    assert repaired["visibility"]["hide"] == HIDDEN
    assert repaired["visibility"]["autoLaunch"] is True
    await assert_steady(world, it)


# -- refresh tokens ------------------------------------------------------------------------------------


async def test_refresh_token_behaviour_is_set_per_app_and_restored_after_drift(world: World) -> None:
    it = await converged(world)
    cid, tid = it.app_id("consoles"), it.app_id("developmentTools")
    for app_id in (cid, tid):  # the admin console's defaults for Web and Native apps
        app = world.app(app_id)
        assert app is not None
        assert app["settings"]["oauthClient"]["refresh_token"] == {"rotation_type": "STATIC", "leeway": 30}

    it.change_spec(refreshTokens={"developmentTools": {"rotation": "Rotate", "leewaySeconds": 10}})
    assert_ready(await it.reconcile(), it)
    assert [(r.method, r.path) for r in world.writes()] == [("PUT", f"/api/v1/apps/{tid}")]
    tools = world.app(tid)
    assert tools is not None
    assert tools["settings"]["oauthClient"]["refresh_token"] == {"rotation_type": "ROTATE", "leeway": 10}
    assert it.events.items[-1][2].endswith(": settings.oauthClient.refresh_token")

    # An admin switches the Native app back to a persistent token: the next pass restores the spec's.
    app = await world.admin.get_app(tid)
    app["settings"]["oauthClient"]["refresh_token"] = {"rotation_type": "STATIC", "leeway": 30}
    await world.admin.put_app(tid, app)
    world.sb.clear_requests()
    assert_ready(await it.reconcile(), it)
    restored = world.app(tid)
    assert restored is not None
    assert restored["settings"]["oauthClient"]["refresh_token"] == {"rotation_type": "ROTATE", "leeway": 10}
    assert [(r.method, r.path) for r in world.writes()] == [("PUT", f"/api/v1/apps/{tid}")]
    await assert_steady(world, it)


# -- extra URIs ---------------------------------------------------------------------------------------


async def test_extra_uris_follow_the_generated_ones_and_leave_with_the_spec(world: World) -> None:
    extra_tool = "http://127.0.0.1:7890/callback"
    spec = spec_of(
        world,
        extraRedirectUris={"developmentTools": [extra_tool, tools_redirects()[0]]},
        extraPostLogoutRedirectUris={"consoles": [LT_LOGOUT]},
    )
    it = await converged(world, spec=spec)
    consoles = world.app(it.app_id("consoles"))
    tools = world.app(it.app_id("developmentTools"))
    assert consoles is not None and tools is not None
    assert consoles["settings"]["oauthClient"]["post_logout_redirect_uris"] == [
        *consoles_logouts(),
        LT_LOGOUT,
    ]
    assert consoles["settings"]["oauthClient"]["redirect_uris"] == consoles_redirects()
    # A generated URI listed again is kept once, in its generated place.
    assert tools["settings"]["oauthClient"]["redirect_uris"] == [*tools_redirects(), extra_tool]

    it.change_spec(extraPostLogoutRedirectUris=None)
    assert_ready(await it.reconcile(), it)
    consoles = world.app(it.app_id("consoles"))
    assert consoles is not None
    assert consoles["settings"]["oauthClient"]["post_logout_redirect_uris"] == consoles_logouts()
    await assert_steady(world, it)


async def test_an_invalid_extra_uri_stops_the_pass_before_any_okta_call(world: World) -> None:
    spec = spec_of(world, extraRedirectUris={"consoles": ["https://*.acme.com/ServiceCenter/x.aspx"]})
    it = world.integration(spec=spec)

    outcome = await it.reconcile()

    assert_not_ready(outcome, it, Reason.INVALID_SPEC, None)
    assert "spec.extraRedirectUris.consoles[0]" in outcome.message
    assert "no wildcard (*)" in outcome.message
    assert world.requests() == []


# -- app sign-in policy -------------------------------------------------------------------------------


async def test_the_sign_in_policy_is_assigned_to_both_apps_and_restored_after_drift(world: World) -> None:
    policy = world.sb.add_sign_in_policy("OutSystems IT sign-in")
    it = world.integration(spec=with_policy(world, policy["id"]))

    assert_ready(await it.reconcile(), it)

    cid, tid = it.app_id("consoles"), it.app_id("developmentTools")
    assert policy_of(world, cid) == policy_of(world, tid) == policy["id"]
    assert [(r.method, r.path) for r in world.requests()] == [
        ("GET", "/api/v1/authorizationServers/default"),
        ("GET", "/api/v1/apps"),  # one scan of the org's apps, for both
        ("GET", f"/api/v1/policies/{policy['id']}"),  # before the first write
        ("POST", "/api/v1/apps"),
        ("POST", "/api/v1/apps"),
        ("PUT", f"/api/v1/apps/{cid}/policies/{policy['id']}"),
        ("PUT", f"/api/v1/apps/{tid}/policies/{policy['id']}"),
        *world.access_policy_reads(),
    ]
    default = world.sb.state.policies.default_access_policy
    assert it.events.of("OktaSignInPolicyAssigned") == [
        (
            "Normal",
            "OktaSignInPolicyAssigned",
            f"Okta app {CONSOLES!r} ({cid}) now uses app sign-in policy 'OutSystems IT sign-in' "
            f"({policy['id']}), instead of {default}",
        ),
        (
            "Normal",
            "OktaSignInPolicyAssigned",
            f"Okta app {TOOLS!r} ({tid}) now uses app sign-in policy 'OutSystems IT sign-in' "
            f"({policy['id']}), instead of {default}",
        ),
    ]

    # Steady: the policy is read from the apps' own JSON, at no extra call.
    world.sb.clear_requests()
    assert_ready(await it.reconcile(), it)
    # As without a policy: the server, the apps' scan, secrets, the access-policy check (2); no group
    # is listed, so no assignment is read.
    assert len(world.requests()) == 5
    assert not [r for r in world.requests() if r.path.startswith("/api/v1/policies")]

    # An admin moves the Native app to the default policy: one read, one PUT, nothing else.
    await world.admin.http.put(f"/api/v1/apps/{tid}/policies/{default}")
    assert policy_of(world, tid) == default
    world.sb.clear_requests()
    it.events.clear()
    assert_ready(await it.reconcile(), it)
    assert policy_of(world, tid) == policy["id"]
    assert [(r.method, r.path) for r in world.writes()] == [
        ("PUT", f"/api/v1/apps/{tid}/policies/{policy['id']}")
    ]
    assert [r.path for r in world.requests()].count(f"/api/v1/policies/{policy['id']}") == 1
    assert it.events.reasons() == ["OktaSignInPolicyAssigned", "DriftCorrected"]
    assert it.status["lastDriftCorrection"]["fields"] == ["developmentTools/signInPolicy"]
    await assert_steady(world, it)


async def test_without_sign_in_policy_in_the_spec_an_admins_choice_is_kept(world: World) -> None:
    other = world.sb.add_sign_in_policy("Chosen by the admin")
    it = await converged(world)
    tid = it.app_id("developmentTools")
    await world.admin.http.put(f"/api/v1/apps/{tid}/policies/{other['id']}")

    await assert_steady(world, it)

    assert policy_of(world, tid) == other["id"]


async def test_an_unknown_sign_in_policy_stops_the_pass_before_any_write(world: World) -> None:
    it = world.integration(spec=with_policy(world, "rst0nosuchpolicy0g7"))

    outcome = await it.reconcile()

    assert_not_ready(outcome, it, Reason.OKTA_SIGN_IN_POLICY_NOT_FOUND, EXTERNAL_FIX_DELAY)
    assert outcome.message.startswith("spec.okta.signInPolicyId names rst0nosuchpolicy0g7, but Okta has no")
    assert world.writes() == []
    assert world.apps() == []
    assert it.events.items == [("Warning", "OktaSignInPolicyNotFound", outcome.message)]


async def test_a_policy_that_is_no_app_sign_in_policy_is_refused(world: World) -> None:
    session = next(p for p in world.sb.state.policies.policies.values() if p.type == "OKTA_SIGN_ON")
    it = world.integration(spec=with_policy(world, "rst0placeholder"))
    # The CRD pins `rst`; a hand-edited spec or an old CRD could still name another kind of policy.
    it.spec["okta"]["signInPolicyId"] = "rst0placeholder"
    world.sb.state.policies.policies["rst0placeholder"] = session

    outcome = await it.reconcile()

    assert_not_ready(outcome, it, Reason.OKTA_SIGN_IN_POLICY_NOT_FOUND, EXTERNAL_FIX_DELAY)
    assert "a OKTA_SIGN_ON policy, not an app sign-in policy (ACCESS_POLICY)" in outcome.message
    assert world.writes() == []


async def test_a_classic_engine_org_is_told_sign_in_policies_need_identity_engine(world: World) -> None:
    it = await converged(world)
    world.sb.set_features(identity_engine=False)
    # An app made in the Classic org carries no accessPolicy link.
    for app in world.sb.state.apps.values():
        app.access_policy_id = None
    it.change_spec(okta={**it.spec["okta"], "signInPolicyId": "rst1a2b3c4d5e6f7g8h9"})
    world.sb.clear_requests()

    outcome = await it.reconcile()

    assert_not_ready(outcome, it, Reason.OKTA_FEATURE_NOT_ENABLED, None)
    assert "app sign-in policies exist only in Okta Identity Engine orgs" in outcome.message
    assert world.writes() == []
    assert all(not r.path.startswith("/api/v1/policies") for r in world.requests())


# -- the org's plan and the token's roles -------------------------------------------------------------


async def test_an_org_without_api_access_management_gets_its_own_reason_naming_the_add_on(
    world: World,
) -> None:
    world.sb.set_features(api_access_management=False)
    it = world.integration()

    outcome = await it.reconcile()

    assert_not_ready(outcome, it, Reason.OKTA_FEATURE_NOT_ENABLED, EXTERNAL_FIX_DELAY)
    assert outcome.message.startswith(
        "Okta 401 E0000015: You do not have permission to access the feature you are requesting (errorId "
    )
    assert (
        "lacks API Access Management, the paid Okta add-on that custom authorization servers"
        in outcome.message
    )
    assert it.ready()["reason"] == "OktaFeatureNotEnabled"
    assert [(r.method, r.path, r.status) for r in world.requests()] == [
        ("GET", "/api/v1/authorizationServers/default", 401)
    ]
    assert world.apps() == []
    # A retry of the same failure is not a new problem (Okta's errorId changes every time).
    await it.reconcile()
    assert it.events.reasons("Warning") == ["OktaFeatureNotEnabled"]


async def test_a_bad_token_is_still_okta_auth_failed_not_a_missing_feature(world: World) -> None:
    world.sb.set_features(api_access_management=False)
    world.secrets.put_token("outsystems", "00bad-token-0000000000000000000")
    world.secret_values.add("00bad-token-0000000000000000000")
    it = world.integration()

    outcome = await it.reconcile()

    assert outcome.reason is Reason.OKTA_AUTH_FAILED
    assert "E0000011" in outcome.message and "API Access Management" not in outcome.message


async def test_a_403_on_the_authorization_server_names_the_roles_that_can_read_it(world: World) -> None:
    world.sb.inject_fault(403, 2, path_prefix="/api/v1/authorizationServers/default")
    it = world.integration()

    outcome = await it.reconcile()

    assert_not_ready(outcome, it, Reason.OKTA_FORBIDDEN, EXTERNAL_FIX_DELAY)
    assert outcome.message.startswith(
        "Okta 403 E0000006: You do not have permission to perform the requested"
    )
    assert (
        "The API token's admin may not read authorization servers (Okta scope "
        "okta.authorizationServers.read): give that admin the Super Administrator or the API Access "
        "Management Administrator role"
    ) in outcome.message
    assert world.apps() == []


async def test_a_403_elsewhere_keeps_okta_s_words_only(world: World) -> None:
    world.sb.inject_fault(403, 2, method="POST", path_prefix="/api/v1/apps")
    it = world.integration()

    outcome = await it.reconcile()

    assert outcome.reason is Reason.OKTA_FORBIDDEN
    assert "Administrator" not in outcome.message
