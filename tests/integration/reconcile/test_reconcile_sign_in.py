"""AuthorizationServerReady: the real routine against the real sandbox, and real sign-ins to confirm it.

After the apps converge the routine checks the authorization server's access policies; each reason is
provoked here the way an Okta admin would (policies replaced, the server deactivated, a 403 on policy
reads), and a user of the assigned group then signs in with the sandbox's sign-in helper: it must fail
exactly when the condition says so. `accessPolicy: Manage` is exercised the same way: created, kept,
restored after an admin's edits, removed when switched back to Check or on deletion.
"""

from __future__ import annotations

import copy
from typing import TYPE_CHECKING, Any

import pytest

from outsystems_okta.plan.conditions import Reason
from outsystems_okta_sandbox.okta.signin import SignInResult, refresh, sign_in

if TYPE_CHECKING:
    from tests.integration.reconcile.conftest import Integration, World

NAMESPACE = "outsystems"
NAME = "factory"
UID = "6a1e2b3c-0000-4000-8000-00000000f001"
NOW = "2030-01-01T00:00:00Z"
CREDENTIALS = "okta-api"
LIFETIME = "lifetime.acme.com"
HOSTS = ("dev.acme.com", "prod.acme.com")
CONSOLES_CALLBACK = f"https://{HOSTS[0]}/ServiceCenter/CentralizedLogin_AuthCodeFlow_TokenPart.aspx"
TOOLS_CALLBACK = "servicestudio://auth"
MEMBER = "it.admin@acme.com"
OUTSIDER = "dev.only@acme.com"
POLICIES = "/api/v1/authorizationServers/default/policies"
EXTERNAL_FIX_DELAY = 60.0
FAIL = "Sign-in through authorization server 'default' would fail: "
POLICY_NAME = f"OutSystems {NAMESPACE}/{NAME}"
MARKER = f"[outsystems-okta-operator uid={UID}]"
FOUR = ["openid", "email", "profile", "offline_access"]
READ_ROLES = (
    "give the token's admin the Super Administrator or API Access Management Administrator role, or a "
    "custom admin role with okta.authzServers.read"
)
MANAGE_ROLES = (
    "give the token's admin the Super Administrator or API Access Management Administrator role, or a "
    "custom admin role with okta.authzServers.manage"
)


def spec_of(world: World, **overrides: Any) -> dict[str, Any]:
    spec: dict[str, Any] = {
        "okta": {
            "orgUrl": world.sb.url,
            "authorizationServerId": "default",
            "credentialsSecretRef": {"name": CREDENTIALS},
        },
        "lifetime": {"hostname": LIFETIME},
        "environments": [{"name": h.split(".")[0], "hostname": h} for h in HOSTS],
        "access": {"groups": ["OutSystems IT"]},
    }
    spec.update(copy.deepcopy(overrides))
    return spec


def managed(world: World, **overrides: Any) -> dict[str, Any]:
    spec = spec_of(world, **overrides)
    spec["okta"]["accessPolicy"] = "Manage"
    return spec


def condition(it: Integration, type_: str = "AuthorizationServerReady") -> dict[str, Any]:
    return next(c for c in it.status["conditions"] if c["type"] == type_)


def policy_calls(world: World) -> list[tuple[str, str]]:
    return [(r.method, r.path) for r in world.requests() if r.path.startswith(POLICIES)]


def rule(name: str = "Rule", **conditions: Any) -> dict[str, Any]:
    body = {
        "people": {"groups": {"include": ["EVERYONE"]}},
        "grantTypes": {"include": ["authorization_code"]},
        "scopes": {"include": ["*"]},
    }
    body.update(conditions)
    return {"type": "RESOURCE_ACCESS", "name": name, "conditions": body}


def policy(
    name: str, *rules: dict[str, Any], clients: list[str] | None = None, **fields: Any
) -> dict[str, Any]:
    return {
        "type": "OAUTH_AUTHORIZATION_POLICY",
        "name": name,
        "description": f"{name} (set by a test)",
        "conditions": {"clients": {"include": clients or ["ALL_CLIENTS"]}},
        "rules": list(rules),
        **fields,
    }


def sandbox_policies(world: World) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = world.sb.dump_state()["policies"]["default"]
    return found


async def converged(world: World, spec: dict[str, Any] | None = None) -> Integration:
    world.sb.add_user(MEMBER, groups=["OutSystems IT"])
    world.sb.add_user(OUTSIDER, groups=["OutSystems Developers"])
    it = world.integration(spec=spec or spec_of(world))
    outcome = await it.reconcile()
    assert outcome.ready, outcome.message
    world.sb.clear_requests()
    it.events.clear()
    return it


async def sign_ins(world: World, it: Integration, user: str = MEMBER) -> tuple[SignInResult, SignInResult]:
    """The user signs in to both apps the way LifeTime (with the secret) and Service Studio (PKCE) do."""
    values = it.secret()
    assert values is not None
    consoles = await sign_in(
        world.sb.url,
        "default",
        values["webClientId"],
        CONSOLES_CALLBACK,
        user,
        client_secret=values["webClientSecret"],
        pkce=False,
    )
    tools = await sign_in(world.sb.url, "default", values["desktopClientId"], TOOLS_CALLBACK, user)
    return consoles, tools


# -- the check with Okta's seeded default policy ------------------------------------------------------


async def test_the_default_policy_lets_the_group_in_and_costs_two_reads_per_pass(world: World) -> None:
    world.sb.add_user(MEMBER, groups=["OutSystems IT"])
    it = world.integration(spec=spec_of(world))
    it_id = world.group_id("OutSystems IT")

    outcome = await it.reconcile()

    assert outcome.ready and outcome.reason is Reason.RECONCILED
    [default] = sandbox_policies(world)
    ready = condition(it)
    assert (ready["status"], ready["reason"], ready["observedGeneration"]) == ("True", "SignInAllowed", 1)
    assert ready["message"] == (
        'Authorization server \'default\': rule "Default Policy Rule" of policy "Default Policy" lets '
        f'"OutSystems IT" ({it_id}) sign in to both apps (authorization_code; scopes openid email profile '
        "offline_access)"
    )
    assert [c["type"] for c in it.status["conditions"]] == ["Ready", "AuthorizationServerReady"]
    # The check is read-only: one list of policies, one list of the rules of the one that applies.
    assert policy_calls(world) == [("GET", POLICIES), ("GET", f"{POLICIES}/{default['id']}/rules")]
    assert all(r.bucket == "/api/v1" for r in world.requests() if r.path.startswith(POLICIES))

    consoles, tools = await sign_ins(world, it)
    assert consoles.ok and tools.ok, (consoles.describe(), tools.describe())
    assert consoles.refresh_token and tools.refresh_token
    values = it.secret()
    assert values is not None
    again = await refresh(
        world.sb.url,
        "default",
        values["webClientId"],
        consoles.refresh_token,
        client_secret=values["webClientSecret"],
    )
    assert again.ok, again.describe()

    # A steady pass: the same two reads, no write, the condition unchanged (no status churn).
    world.sb.clear_requests()
    before = copy.deepcopy(it.status)
    steady = await it.reconcile()
    assert steady.ready and world.writes() == []
    assert policy_calls(world) == [("GET", POLICIES), ("GET", f"{POLICIES}/{default['id']}/rules")]
    assert it.status == before
    print(
        f"\nsteady pass: {len(world.requests())} Okta reads, {len(policy_calls(world))} of them for the check"
    )


async def test_rules_of_policies_that_cannot_matter_are_not_read(world: World) -> None:
    it = await converged(world)
    values = it.secret()
    assert values is not None
    world.sb.replace_policies(
        "default",
        [
            # Another app's policy comes first: never read. Then ours matches: the last one is not read.
            policy("Other apps", rule(), clients=[values["webClientId"]], status="INACTIVE"),
            policy("Web and native", rule()),
            policy("Never needed", rule()),
        ],
    )
    first, second, third = sandbox_policies(world)

    outcome = await it.reconcile()

    assert outcome.ready, outcome.message
    assert policy_calls(world) == [("GET", POLICIES), ("GET", f"{POLICIES}/{second['id']}/rules")]
    assert first["id"] != second["id"] != third["id"]


# -- each reason: the condition says so, Ready follows, and a real sign-in fails the same way ----------


def _inactive(world: World, it: Integration) -> None:
    world.sb.set_auth_server_status("default", "INACTIVE")


def _no_policy(world: World, it: Integration) -> None:
    world.sb.replace_policies("default", [])


def _consoles_only(world: World, it: Integration) -> None:
    world.sb.replace_policies(
        "default", [policy("Consoles only", rule(), clients=[it.status["consoles"]["clientId"]])]
    )


def _inactive_policy(world: World, it: Integration) -> None:
    world.sb.replace_policies("default", [policy("Switched off", rule(), status="INACTIVE")])


def _no_code_grant(world: World, it: Integration) -> None:
    world.sb.replace_policies(
        "default",
        [policy("Machines", rule("Client credentials", grantTypes={"include": ["client_credentials"]}))],
    )


def _no_offline_access(world: World, it: Integration) -> None:
    narrow = rule("No refresh", scopes={"include": ["openid", "email", "profile"]})
    world.sb.replace_policies("default", [policy("Narrow", narrow)])


def _other_group(world: World, it: Integration) -> None:
    developers = world.group_id("OutSystems Developers")
    world.sb.replace_policies(
        "default",
        [policy("Developers", rule("Developers only", people={"groups": {"include": [developers]}}))],
    )


def _group_excluded(world: World, it: Integration) -> None:
    it_id = world.group_id("OutSystems IT")
    people = {"groups": {"include": ["EVERYONE"], "exclude": [it_id]}}
    world.sb.replace_policies("default", [policy("Not IT", rule("All but IT", people=people))])


REASONS = {
    "server-inactive": (
        _inactive,
        Reason.AUTHORIZATION_SERVER_INACTIVE,
        "Authorization server 'default' is INACTIVE: nobody can sign in (activate it in Okta under "
        "Security > API > Authorization Servers)",
    ),
    "no-policy": (
        _no_policy,
        Reason.NO_POLICY_FOR_CLIENTS,
        FAIL + "both apps: no ACTIVE access policy applies",
    ),
    "policy-for-one-app": (
        _consoles_only,
        Reason.NO_POLICY_FOR_CLIENTS,
        FAIL + "OutSystems Development Tools ({tools}): no ACTIVE access policy applies",
    ),
    "policy-inactive": (
        _inactive_policy,
        Reason.NO_POLICY_FOR_CLIENTS,
        FAIL + 'both apps: no ACTIVE access policy applies (policy "Switched off" would, but is INACTIVE)',
    ),
    "grant-not-allowed": (
        _no_code_grant,
        Reason.GRANT_NOT_ALLOWED,
        FAIL
        + 'both apps: rule "Client credentials" of policy "Machines" does not allow the authorization_code '
        "grant",
    ),
    "scope-not-allowed": (
        _no_offline_access,
        Reason.SCOPE_NOT_ALLOWED,
        FAIL
        + 'both apps: rule "No refresh" of policy "Narrow" does not allow scope offline_access (LifeTime '
        "asks for openid email profile offline_access)",
    ),
    "group-not-allowed": (
        _other_group,
        Reason.GROUP_NOT_ALLOWED,
        FAIL + 'both apps: rule "Developers only" of policy "Developers" does not include group '
        '"OutSystems IT" ({it_id})',
    ),
    "group-excluded": (
        _group_excluded,
        Reason.GROUP_NOT_ALLOWED,
        FAIL + 'both apps: rule "All but IT" of policy "Not IT" excludes group "OutSystems IT" ({it_id})',
    ),
}


@pytest.mark.parametrize("case", list(REASONS))
async def test_each_reason_is_reported_and_sign_in_fails_the_same_way(world: World, case: str) -> None:
    break_it, reason, expected = REASONS[case]
    it = await converged(world)
    break_it(world, it)
    message = expected.format(
        tools=it.status["developmentTools"]["clientId"], it_id=world.group_id("OutSystems IT")
    )

    outcome = await it.reconcile()

    assert (outcome.ready, outcome.reason, outcome.retry_after) == (False, reason, EXTERNAL_FIX_DELAY)
    assert outcome.message == message
    ready, authz = condition(it, "Ready"), condition(it)
    assert (ready["status"], ready["reason"], ready["message"]) == ("False", reason.value, message)
    assert (authz["status"], authz["reason"], authz["message"]) == ("False", reason.value, message)
    assert it.events.items == [("Warning", reason.value, message)]
    # The apps and the Secret are kept right all the same.
    assert world.writes() == [] and it.secret() is not None

    consoles, tools = await sign_ins(world, it)
    if case == "policy-for-one-app":
        assert consoles.ok, consoles.describe()
    else:
        assert not consoles.ok
    assert not tools.ok
    for result in (consoles, tools):
        if not result.ok and reason is not Reason.AUTHORIZATION_SERVER_INACTIVE:
            assert (result.step, result.error) == ("authorize", "access_denied"), result.describe()
            assert result.error_description == (
                "Policy evaluation failed for this request, please check the policy configurations."
            )

    # Retried while nothing changes: no second Warning, no status churn.
    retry = await it.reconcile()
    assert retry.reason is reason and it.events.reasons("Warning") == [reason.value]

    # The admin puts Okta's default policy back (or reactivates the server): Ready again.
    world.sb.set_auth_server_status("default", "ACTIVE")
    world.sb.state.get_auth_server("default").policies.seed_default()
    it.events.clear()
    fixed = await it.reconcile()
    assert fixed.ready and condition(it)["reason"] == "SignInAllowed"
    assert condition(it)["lastTransitionTime"] == NOW
    assert it.events.reasons() == ["Reconciled"]
    consoles, tools = await sign_ins(world, it)
    assert consoles.ok and tools.ok


async def test_a_user_outside_the_assigned_groups_is_refused_while_the_check_passes(world: World) -> None:
    it = await converged(world)
    assert condition(it)["status"] == "True"
    consoles, tools = await sign_ins(world, it, OUTSIDER)
    for result in (consoles, tools):
        assert (result.error, result.error_description) == (
            "access_denied",
            "User is not assigned to the client application.",
        )


async def test_a_missing_group_is_ready_s_reason_and_the_check_covers_the_groups_found(world: World) -> None:
    it = await converged(world)
    it.change_spec(access={"groups": ["OutSystems IT", "OutSystems Auditors"]})

    outcome = await it.reconcile()

    assert outcome.reason is Reason.OKTA_GROUP_NOT_FOUND
    authz = condition(it)
    assert authz["status"] == "True" and '"OutSystems IT"' in authz["message"]
    assert authz["observedGeneration"] == 2


# -- the token may not read policies ------------------------------------------------------------------


async def test_unreadable_policies_are_unknown_with_one_warning_and_ready_stays_true(world: World) -> None:
    it = await converged(world)
    # Two passes' worth of 403s (a 403 is not retried): the third pass may read them again.
    world.sb.inject_fault(403, 2, path_prefix=POLICIES, error_code="E0000006")

    outcome = await it.reconcile()

    assert outcome.ready and outcome.reason is Reason.RECONCILED
    authz = condition(it)
    message = (
        "Cannot check who may sign in: the Okta API token may not read the access policies of authorization "
        f"server 'default' (Okta 403 E0000006); {READ_ROLES}"
    )
    assert (authz["status"], authz["reason"], authz["message"]) == ("Unknown", "PoliciesNotReadable", message)
    assert condition(it, "Ready")["status"] == "True"
    assert it.events.items == [("Warning", "PoliciesNotReadable", message)]
    assert policy_calls(world) == [("GET", POLICIES)]

    again = await it.reconcile()
    assert again.ready and it.events.items == [("Warning", "PoliciesNotReadable", message)]

    readable = await it.reconcile()
    assert readable.ready and condition(it)["status"] == "True"
    assert condition(it)["lastTransitionTime"] == NOW


# -- accessPolicy: Manage -----------------------------------------------------------------------------


def _ours(world: World) -> dict[str, Any]:
    [found] = [p for p in sandbox_policies(world) if p["description"].endswith(MARKER)]
    return found


async def test_manage_creates_a_policy_for_our_two_clients_first_in_line(world: World) -> None:
    world.sb.add_user(MEMBER, groups=["OutSystems IT"])
    it = world.integration(spec=managed(world))
    it_id = world.group_id("OutSystems IT")

    outcome = await it.reconcile()

    assert outcome.ready, outcome.message
    ours = _ours(world)
    consoles, tools = it.status["consoles"]["clientId"], it.status["developmentTools"]["clientId"]
    assert (ours["name"], ours["status"], ours["priority"]) == (POLICY_NAME, "ACTIVE", 1)
    assert sorted(ours["conditions"]["clients"]["include"]) == sorted([consoles, tools])
    [our_rule] = ours["rules"]
    assert our_rule["name"] == "OutSystems sign-in" and our_rule["status"] == "ACTIVE"
    assert our_rule["conditions"] == {
        "people": {"users": {"include": [], "exclude": []}, "groups": {"include": [it_id], "exclude": []}},
        "grantTypes": {"include": ["authorization_code"]},
        "scopes": {"include": FOUR},
    }
    # Okta's default lifetimes: refresh tokens keep working (0 = unlimited lifetime, 7-day idle window).
    assert our_rule["actions"]["token"]["refreshTokenLifetimeMinutes"] == 0
    [default] = [p for p in sandbox_policies(world) if p["name"] == "Default Policy"]
    assert default["priority"] == 2  # moved down, untouched otherwise
    assert it.status["accessPolicy"] == {"policyId": ours["id"], "ruleId": our_rule["id"]}
    assert condition(it)["message"].startswith(
        f'Authorization server \'default\': rule "OutSystems sign-in" of policy "{POLICY_NAME}" lets'
    )
    writes = [(r.method, r.path) for r in world.writes() if r.path.startswith(POLICIES)]
    assert writes == [("POST", POLICIES), ("POST", f"{POLICIES}/{ours['id']}/rules")]
    assert it.events.of("OktaAccessPolicyCreated") == [
        (
            "Normal",
            "OktaAccessPolicyCreated",
            f"Created access policy {POLICY_NAME!r} ({ours['id']}) in authorization server 'default' "
            "for both apps",
        )
    ]

    # Steady: a policies list and our rules list, no write.
    world.sb.clear_requests()
    it.events.clear()
    steady = await it.reconcile()
    assert steady.ready and world.writes() == [] and it.events.items == []
    assert policy_calls(world) == [("GET", POLICIES), ("GET", f"{POLICIES}/{ours['id']}/rules")]


async def test_manage_lets_the_group_in_even_when_the_default_policy_would_not(world: World) -> None:
    it = await converged(world)
    _no_offline_access(world, it)
    assert not (await it.reconcile()).ready

    it.change_spec(okta={**it.spec["okta"], "accessPolicy": "Manage"})
    outcome = await it.reconcile()

    assert outcome.ready, outcome.message
    consoles, tools = await sign_ins(world, it)
    assert consoles.ok and tools.ok, (consoles.describe(), tools.describe())
    assert consoles.refresh_token and tools.refresh_token
    outsider = await sign_ins(world, it, OUTSIDER)
    assert not outsider[0].ok and not outsider[1].ok


async def test_manage_restores_an_admins_edits_and_keeps_their_token_lifetimes(world: World) -> None:
    world.sb.add_user(MEMBER, groups=["OutSystems IT"])
    it = world.integration(spec=managed(world))
    assert (await it.reconcile()).ready
    ours = _ours(world)
    [our_rule] = ours["rules"]
    base = f"{POLICIES}/{ours['id']}"
    # The admin widens the rule, tunes its lifetimes, switches it off, renames the policy and adds a client.
    edited = copy.deepcopy(our_rule)
    edited["conditions"]["grantTypes"]["include"] = ["authorization_code", "implicit"]
    edited["conditions"]["people"]["groups"]["include"] = ["EVERYONE"]
    edited["actions"]["token"]["accessTokenLifetimeMinutes"] = 15
    for key in ("id", "created", "lastUpdated", "_links"):
        edited.pop(key)
    http = world.admin.http
    assert (await http.put(f"{base}/rules/{our_rule['id']}", json=edited)).status_code == 200
    assert (await http.post(f"{base}/rules/{our_rule['id']}/lifecycle/deactivate")).status_code == 204
    policy_body = {
        k: v for k, v in ours.items() if k not in ("id", "created", "lastUpdated", "_links", "rules")
    }
    policy_body["name"] = "Renamed by an admin"
    assert (await http.put(base, json=policy_body)).status_code == 200
    assert (await http.post(f"{base}/lifecycle/deactivate")).status_code == 204
    world.sb.clear_requests()
    it.events.clear()

    outcome = await it.reconcile()

    assert outcome.ready, outcome.message
    restored = _ours(world)
    [restored_rule] = restored["rules"]
    assert (restored["name"], restored["status"]) == (POLICY_NAME, "ACTIVE")
    assert restored_rule["status"] == "ACTIVE"
    assert restored_rule["conditions"]["grantTypes"]["include"] == ["authorization_code"]
    assert restored_rule["conditions"]["people"]["groups"]["include"] == [world.group_id("OutSystems IT")]
    assert restored_rule["actions"]["token"]["accessTokenLifetimeMinutes"] == 15
    assert [(r.method, r.path) for r in world.writes()] == [
        ("PUT", base),
        ("POST", f"{base}/lifecycle/activate"),
        ("PUT", f"{base}/rules/{our_rule['id']}"),
        ("POST", f"{base}/rules/{our_rule['id']}/lifecycle/activate"),
    ]
    assert it.events.reasons() == [
        "OktaAccessPolicyUpdated",
        "OktaAccessPolicyActivated",
        "OktaAccessPolicyRuleUpdated",
        "OktaAccessPolicyRuleActivated",
        "DriftCorrected",
    ]
    assert it.events.of("OktaAccessPolicyRuleUpdated")[0][2].endswith(": grant types, people")


async def test_manage_follows_the_spec_groups_and_everyone(world: World) -> None:
    it = world.integration(spec=managed(world))
    assert (await it.reconcile()).ready
    it.change_spec(access={"groups": ["OutSystems IT", "OutSystems Developers"]})
    assert (await it.reconcile()).ready
    [our_rule] = _ours(world)["rules"]
    ids = [world.group_id("OutSystems IT"), world.group_id("OutSystems Developers")]
    assert our_rule["conditions"]["people"]["groups"]["include"] == ids
    it.change_spec(access={"everyone": True})
    assert (await it.reconcile()).ready
    [our_rule] = _ours(world)["rules"]
    assert our_rule["conditions"]["people"]["groups"]["include"] == ["EVERYONE"]


async def test_manage_finds_its_policy_by_marker_when_status_was_lost(world: World) -> None:
    it = world.integration(spec=managed(world))
    assert (await it.reconcile()).ready
    del it.status["accessPolicy"]
    world.sb.clear_requests()

    assert (await it.reconcile()).ready

    assert world.writes() == []
    assert len([p for p in sandbox_policies(world) if p["description"].endswith(MARKER)]) == 1
    assert it.status["accessPolicy"]["policyId"] == _ours(world)["id"]


async def test_switching_back_to_check_removes_our_policy_and_only_ours(world: World) -> None:
    it = world.integration(spec=managed(world))
    assert (await it.reconcile()).ready
    ours = _ours(world)
    world.sb.clear_requests()
    it.events.clear()

    it.change_spec(okta={**it.spec["okta"], "accessPolicy": "Check"})
    outcome = await it.reconcile()

    assert outcome.ready, outcome.message  # Okta's default policy still lets everyone in
    assert [(r.method, r.path) for r in world.writes()] == [("DELETE", f"{POLICIES}/{ours['id']}")]
    assert [p["name"] for p in sandbox_policies(world)] == ["Default Policy"]
    assert it.status["accessPolicy"] is None
    assert it.events.of("OktaAccessPolicyDeleted") == [
        (
            "Normal",
            "OktaAccessPolicyDeleted",
            f"Deleted access policy {POLICY_NAME!r} ({ours['id']}): spec.okta.accessPolicy is Check",
        )
    ]
    world.sb.clear_requests()
    assert (await it.reconcile()).ready and world.writes() == []


async def test_deletion_policy_delete_removes_our_policy_and_orphan_keeps_it(world: World) -> None:
    kept = world.integration(spec=managed(world))
    assert (await kept.reconcile()).ready
    assert await kept.finalize() is None
    assert _ours(world)["status"] == "ACTIVE"  # Orphan: the orphaned apps keep their way in

    gone = world.integration(
        spec=managed(world, deletionPolicy="Delete"), name="other", uid="6a1e2b3c-0000-4000-8000-00000000f00d"
    )
    assert (await gone.reconcile()).ready
    [theirs] = [p for p in sandbox_policies(world) if p["description"].endswith("f00d]")]
    world.sb.clear_requests()
    assert await gone.finalize() is None
    deletes = [(r.method, r.path) for r in world.writes() if r.method == "DELETE"]
    assert deletes[0] == ("DELETE", f"{POLICIES}/{theirs['id']}")  # before the apps it names
    assert [p["id"] for p in sandbox_policies(world) if p["description"].endswith("f00d]")] == []
    assert _ours(world)["status"] == "ACTIVE"  # the other resource's policy is not ours to delete


async def test_manage_without_the_role_to_read_or_write_policies_is_okta_forbidden(world: World) -> None:
    it = world.integration(spec=managed(world))
    world.sb.inject_fault(403, 1, method="POST", path_prefix=POLICIES, error_code="E0000006")

    outcome = await it.reconcile()

    assert (outcome.ready, outcome.reason) == (False, Reason.OKTA_FORBIDDEN)
    assert outcome.message.startswith(
        "Cannot keep the access policy of authorization server 'default' (Okta 403"
    )
    assert outcome.message.endswith(MANAGE_ROLES)
    assert it.events.reasons("Warning") == ["OktaForbidden"]

    world.sb.inject_fault(403, 1, method="GET", path_prefix=POLICIES, error_code="E0000006")
    unreadable = await it.reconcile()
    assert (unreadable.ready, unreadable.reason) == (False, Reason.OKTA_FORBIDDEN)
    assert condition(it)["status"] == "Unknown" and unreadable.message.endswith(MANAGE_ROLES)
