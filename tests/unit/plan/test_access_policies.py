"""Can the assigned groups sign in? The pure evaluation of access policies, case by case.

Each case is a small world (policies with their rules, two clients, the assigned groups) and the
verdict Okta would give a member of each group signing in to each app with authorization_code and
`openid email profile offline_access`. The sandbox's own evaluator (what a real sign-in there does) is
asked the same question for every case, so the check and the sign-in can never drift apart.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import pytest

from outsystems_okta.plan.access_policies import (
    AUTHORIZATION_SERVER_READY,
    SIGN_IN_SCOPES,
    Audience,
    Client,
    PolicyView,
    RuleView,
    SignInReason,
    evaluate,
    first_match,
    policies_to_read,
    settled,
    unreadable,
)
from outsystems_okta.plan.conditions import TERMINAL, Reason
from outsystems_okta_sandbox.okta.evaluation import evaluate as sandbox_evaluate
from outsystems_okta_sandbox.okta.policies import PolicyRecord, RuleRecord

CONSOLES = Client("OutSystems Consoles", "0oaWEB")
TOOLS = Client("OutSystems Development Tools", "0oaNATIVE")
CLIENTS = (CONSOLES, TOOLS)
IT = Audience("00gIT", "OutSystems IT")
DEVS = Audience("00gDEV", "OutSystems Developers")
EVERYONE_GROUP = Audience("00gALL", "Everyone")
OTHER = "00gOTHER"
FOUR = ("openid", "email", "profile", "offline_access")


def rule(
    name: str = "R",
    *,
    status: str = "ACTIVE",
    priority: int = 1,
    grants: tuple[str, ...] = ("authorization_code",),
    scopes: tuple[str, ...] = ("*",),
    groups: tuple[str, ...] = ("EVERYONE",),
    exclude: tuple[str, ...] = (),
    users: tuple[str, ...] = (),
) -> RuleView:
    return RuleView(
        id=f"0pr{name}",
        name=name,
        status=status,
        priority=priority,
        grant_types=grants,
        scopes=scopes,
        groups_include=groups,
        groups_exclude=exclude,
        users_include=users,
    )


def policy(
    name: str = "P",
    *rules: RuleView,
    status: str = "ACTIVE",
    priority: int = 1,
    clients: tuple[str, ...] = ("ALL_CLIENTS",),
) -> PolicyView:
    return PolicyView(
        id=f"00p{name}", name=name, status=status, priority=priority, clients=clients, rules=tuple(rules)
    )


@dataclass(frozen=True)
class Case:
    policies: tuple[PolicyView, ...]
    reason: SignInReason
    # Fragments the message must hold (names what to fix).
    says: tuple[str, ...] = ()
    audience: tuple[Audience, ...] = (IT,)
    server_status: str = "ACTIVE"
    # Per (client, group): whether the sandbox signs a member in (default: all when allowed, none when not).
    signs_in: dict[tuple[str, str], bool] = field(default_factory=dict)


ALLOWED = SignInReason.ALLOWED
CASES: dict[str, Case] = {
    # -- allowed ---------------------------------------------------------------------------------
    "okta-default-policy": Case(
        (
            policy(
                "Default Policy",
                rule(
                    "Default Policy Rule",
                    grants=("implicit", "client_credentials", "authorization_code", "password"),
                ),
            ),
        ),
        ALLOWED,
        (
            'rule "Default Policy Rule" of policy "Default Policy" lets "OutSystems IT" (00gIT) sign in to '
            "both apps",
        ),
    ),
    "exact-scopes-and-the-group": Case((policy("P", rule(scopes=FOUR, groups=("00gIT",))),), ALLOWED),
    "extra-scopes-and-grants-are-fine": Case(
        (
            policy(
                "P", rule(grants=("authorization_code", "refresh_token", "implicit"), scopes=(*FOUR, "phone"))
            ),
        ),
        ALLOWED,
    ),
    "both-client-ids-named": Case(
        (policy("P", rule(), clients=("0oaWEB", "0oaNATIVE", "0oaELSE")),), ALLOWED
    ),
    "one-policy-per-client": Case(
        (
            policy("Web", rule("W"), clients=("0oaWEB",)),
            policy("Native", rule("N"), clients=("0oaNATIVE",), priority=2),
        ),
        ALLOWED,
        (
            'rule "W" of policy "Web" lets "OutSystems IT" (00gIT) sign in to OutSystems Consoles (0oaWEB)',
            'rule "N" of policy "Native" lets "OutSystems IT" (00gIT) sign in to OutSystems Development '
            "Tools (0oaNATIVE)",
        ),
    ),
    "each-group-by-its-own-rule": Case(
        (policy("P", rule("ForIT", groups=("00gIT",)), rule("ForDevs", priority=2, groups=("00gDEV",))),),
        ALLOWED,
        ('rule "ForIT"', 'rule "ForDevs"'),
        audience=(IT, DEVS),
    ),
    # A higher rule that lacks a scope does not match: Okta goes on to the next rule, which lets them in.
    "a-higher-rule-without-offline-access-is-passed-over": Case(
        (policy("P", rule("Narrow", scopes=("openid", "email", "profile")), rule("Wide", priority=2)),),
        ALLOWED,
        ('rule "Wide"',),
    ),
    # A first policy with no matching rule hands over to the next policy (Okta's "and/or Access Policy").
    "a-higher-policy-without-a-match-hands-over": Case(
        (policy("First", rule("Other", groups=(OTHER,))), policy("Second", rule("Good"), priority=2)),
        ALLOWED,
        ('rule "Good" of policy "Second"',),
    ),
    "inactive-rule-skipped-for-an-active-one": Case(
        (policy("P", rule("Off", status="INACTIVE"), rule("On", priority=2)),), ALLOWED, ('rule "On"',)
    ),
    "inactive-policy-skipped-for-an-active-one": Case(
        (policy("Off", rule("A"), status="INACTIVE"), policy("On", rule("B"), priority=2)),
        ALLOWED,
        ('policy "On"',),
    ),
    "an-excluded-other-group-does-not-block": Case((policy("P", rule(exclude=(OTHER,))),), ALLOWED),
    "everyone-by-the-literal": Case((policy("P", rule()),), ALLOWED, audience=(EVERYONE_GROUP,)),
    "everyone-by-its-group-id": Case(
        (policy("P", rule(groups=("00gALL",))),), ALLOWED, audience=(EVERYONE_GROUP,)
    ),
    "no-assigned-group-any-rule-with-people": Case(
        (policy("P", rule(groups=(OTHER,))),), ALLOWED, audience=()
    ),
    "no-assigned-group-a-rule-naming-users": Case(
        (policy("P", rule(groups=(), users=("00uJANE",))),), ALLOWED, audience=()
    ),
    # -- the server ------------------------------------------------------------------------------
    "server-inactive": Case(
        (policy("P", rule()),),
        SignInReason.AUTHORIZATION_SERVER_INACTIVE,
        ("Authorization server 'default' is INACTIVE", "Security > API > Authorization Servers"),
        server_status="INACTIVE",
    ),
    # -- policies --------------------------------------------------------------------------------
    "no-policy-at-all": Case(
        (), SignInReason.NO_POLICY_FOR_CLIENTS, ("both apps: no ACTIVE access policy applies",)
    ),
    "policy-for-other-clients": Case(
        (policy("P", rule(), clients=("0oaELSE",)),), SignInReason.NO_POLICY_FOR_CLIENTS, ("both apps",)
    ),
    "policy-for-one-client-only": Case(
        (policy("P", rule(), clients=("0oaWEB",)),),
        SignInReason.NO_POLICY_FOR_CLIENTS,
        ("OutSystems Development Tools (0oaNATIVE): no ACTIVE access policy applies",),
        signs_in={("0oaWEB", "00gIT"): True},
    ),
    "only-an-inactive-policy": Case(
        (policy("Default Policy", rule(), status="INACTIVE"),),
        SignInReason.NO_POLICY_FOR_CLIENTS,
        ('(policy "Default Policy" would, but is INACTIVE)',),
    ),
    "two-inactive-policies": Case(
        (policy("A", rule(), status="INACTIVE"), policy("B", rule(), status="INACTIVE", priority=2)),
        SignInReason.NO_POLICY_FOR_CLIENTS,
        ('(policies "A", "B" would, but are INACTIVE)',),
    ),
    # -- grants ----------------------------------------------------------------------------------
    "no-authorization-code": Case(
        (policy("P", rule(grants=("client_credentials", "implicit"))),),
        SignInReason.GRANT_NOT_ALLOWED,
        ('rule "R" of policy "P" does not allow the authorization_code grant',),
    ),
    # refresh_token alone is not a sign-in grant: the rule must allow authorization_code.
    "refresh-token-only": Case(
        (policy("P", rule(grants=("refresh_token",))),), SignInReason.GRANT_NOT_ALLOWED
    ),
    "no-active-rule": Case(
        (policy("P", rule(status="INACTIVE")),),
        SignInReason.GRANT_NOT_ALLOWED,
        ('policy "P" has no ACTIVE rule',),
    ),
    "no-rule": Case((policy("P"),), SignInReason.GRANT_NOT_ALLOWED, ('policy "P" has no ACTIVE rule',)),
    # -- scopes ----------------------------------------------------------------------------------
    "no-offline-access": Case(
        (policy("P", rule(scopes=("openid", "email", "profile"))),),
        SignInReason.SCOPE_NOT_ALLOWED,
        ("does not allow scope offline_access (LifeTime asks for openid email profile offline_access)",),
    ),
    "openid-only": Case(
        (policy("P", rule(scopes=("openid",))),),
        SignInReason.SCOPE_NOT_ALLOWED,
        ("does not allow scopes email profile offline_access",),
    ),
    # The closest rule names the fix: one lacks the grant, the other only a scope.
    "closest-rule-is-named": Case(
        (policy("P", rule("NoGrant", grants=("implicit",)), rule("NoScope", priority=2, scopes=FOUR[:3])),),
        SignInReason.SCOPE_NOT_ALLOWED,
        ('rule "NoScope"',),
    ),
    # -- people ----------------------------------------------------------------------------------
    "rule-for-another-group": Case(
        (policy("P", rule(groups=(OTHER,))),),
        SignInReason.GROUP_NOT_ALLOWED,
        ('rule "R" of policy "P" does not include group "OutSystems IT" (00gIT)',),
    ),
    "one-of-two-groups-missing": Case(
        (policy("P", rule(groups=("00gIT",))),),
        SignInReason.GROUP_NOT_ALLOWED,
        ('does not include group "OutSystems Developers" (00gDEV)',),
        audience=(IT, DEVS),
        signs_in={("0oaWEB", "00gIT"): True, ("0oaNATIVE", "00gIT"): True},
    ),
    "group-excluded": Case(
        (policy("P", rule(exclude=("00gIT",))),),
        SignInReason.GROUP_NOT_ALLOWED,
        ('excludes group "OutSystems IT"',),
    ),
    "everyone-excluded": Case(
        (policy("P", rule(exclude=("EVERYONE",))),), SignInReason.GROUP_NOT_ALLOWED, ("excludes",)
    ),
    "users-do-not-cover-a-group": Case(
        (policy("P", rule(groups=(), users=("00uJANE",))),),
        SignInReason.GROUP_NOT_ALLOWED,
        ("does not include group",),
    ),
    # Everyone assigned: a rule for one group lets only part of the org in.
    "everyone-assigned-but-rule-for-a-group": Case(
        (policy("P", rule(groups=("00gIT",))),),
        SignInReason.GROUP_NOT_ALLOWED,
        ('does not include group "Everyone" (00gALL)',),
        audience=(EVERYONE_GROUP,),
    ),
    "no-assigned-group-rule-includes-nobody": Case(
        (policy("P", rule(groups=())),), SignInReason.GROUP_NOT_ALLOWED, ("includes nobody",), audience=()
    ),
    # -- several problems: the most fundamental is the reason, each app's is in the message ------
    "policy-missing-for-one-scope-missing-for-the-other": Case(
        (policy("P", rule(scopes=FOUR[:3]), clients=("0oaWEB",)),),
        SignInReason.NO_POLICY_FOR_CLIENTS,
        (
            "OutSystems Consoles (0oaWEB): rule",
            "OutSystems Development Tools (0oaNATIVE): no ACTIVE access policy",
        ),
    ),
    "scope-for-one-group-group-for-the-other": Case(
        (policy("P", rule("ForIT", groups=("00gIT",), scopes=FOUR[:3])),),
        SignInReason.SCOPE_NOT_ALLOWED,
        (
            'rule "ForIT" of policy "P" does not allow scope offline_access',
            'offline_access) and does not include group "OutSystems Developers" (00gDEV)',
        ),
        audience=(IT, DEVS),
    ),
}


def _record(r: RuleView) -> RuleRecord:
    conditions = {
        "people": {
            "groups": {"include": list(r.groups_include), "exclude": list(r.groups_exclude)},
            "users": {"include": list(r.users_include), "exclude": list(r.users_exclude)},
        },
        "grantTypes": {"include": list(r.grant_types)},
        "scopes": {"include": list(r.scopes)},
    }
    return RuleRecord(r.id, r.name, r.status, r.priority, False, "", "", conditions, {})


def _records(policies: tuple[PolicyView, ...]) -> list[PolicyRecord]:
    """The same policies as the sandbox keeps them."""
    return [
        PolicyRecord(
            p.id,
            p.name,
            "",
            p.status,
            p.priority,
            False,
            "",
            "",
            list(p.clients),
            [_record(r) for r in p.rules or ()],
        )
        for p in policies
    ]


@pytest.mark.parametrize("name", list(CASES))
def test_verdict(name: str) -> None:
    case = CASES[name]
    verdict = evaluate(
        server_id="default",
        server_status=case.server_status,
        policies=case.policies,
        clients=CLIENTS,
        audience=case.audience,
    )
    assert verdict.reason is case.reason, verdict.message
    assert verdict.allowed is (case.reason is ALLOWED)
    for fragment in case.says:
        assert fragment in verdict.message, verdict.message
    assert "\n" not in verdict.message


@pytest.mark.parametrize("name", [n for n, c in CASES.items() if c.audience and c.server_status == "ACTIVE"])
def test_the_sandbox_signs_in_exactly_when_the_check_says_so(name: str) -> None:
    """The check and Okta's (the sandbox's) evaluation agree for every client and group of every case."""
    case = CASES[name]
    records = _records(case.policies)
    for client in CLIENTS:
        for member in case.audience:
            # A member of just this group (and Everyone, as every Okta user is).
            def in_group(group_id: str, member: Audience = member) -> bool:
                return group_id in (member.group_id, "00gALL")

            match = sandbox_evaluate(
                records,
                client_id=client.client_id,
                user_id="00uMEMBER",
                in_group=in_group,
                grant_type="authorization_code",
                scopes=list(SIGN_IN_SCOPES),
            )
            expected = case.signs_in.get((client.client_id, member.group_id), case.reason is ALLOWED)
            assert (match is not None) is expected, (client, member)
            ours = first_match(case.policies, client, member)
            assert (ours is not None) is expected
            if match is not None and ours is not None:
                assert (ours[0].id, ours[1].id) == (match.policy.id, match.rule.id)


def test_same_finding_for_both_apps_is_said_once() -> None:
    verdict = evaluate(
        server_id="default",
        server_status="ACTIVE",
        policies=(policy("P", rule(scopes=FOUR[:3])),),
        clients=CLIENTS,
        audience=(IT, DEVS),
    )
    assert verdict.message == (
        'Sign-in through authorization server \'default\' would fail: both apps: rule "R" of policy "P" '
        "does not allow scope offline_access (LifeTime asks for openid email profile offline_access)"
    )


def test_allowed_message_names_the_rule_the_groups_and_what_it_allows() -> None:
    verdict = evaluate(
        server_id="default",
        server_status="ACTIVE",
        policies=(policy("Default Policy", rule("Default Policy Rule")),),
        clients=CLIENTS,
        audience=(IT, DEVS),
    )
    assert verdict.message == (
        'Authorization server \'default\': rule "Default Policy Rule" of policy "Default Policy" lets '
        '"OutSystems IT" (00gIT), "OutSystems Developers" (00gDEV) sign in to both apps '
        "(authorization_code; scopes openid email profile offline_access)"
    )


def test_the_message_does_not_depend_on_the_order_policies_are_listed_in() -> None:
    policies = (
        policy("A", rule("X", groups=(OTHER,)), priority=1),
        policy("B", rule("Y", scopes=FOUR[:3]), priority=2),
    )
    one = evaluate(server_id="d", server_status="ACTIVE", policies=policies, clients=CLIENTS, audience=(IT,))
    two = evaluate(
        server_id="d", server_status="ACTIVE", policies=policies[::-1], clients=CLIENTS, audience=(IT,)
    )
    assert one == two
    # The rule that got furthest (the group one failed at people, past grant and scopes) is named.
    assert one.reason is SignInReason.GROUP_NOT_ALLOWED and 'rule "X"' in one.message


def test_policies_to_read_are_active_ones_for_our_clients_in_priority_order() -> None:
    policies = [
        policy("Late", priority=3),
        policy("Others", priority=1, clients=("0oaELSE",)),
        policy("Off", priority=2, status="INACTIVE"),
        policy("Native", priority=2, clients=("0oaNATIVE",)),
    ]
    assert [p.name for p in policies_to_read(policies, CLIENTS)] == ["Native", "Late"]


def test_settled_once_every_client_and_group_has_a_match() -> None:
    unread = replace(policy("Later", rule(), priority=2), rules=None)
    first = policy("First", rule(groups=("00gIT",)))
    assert settled([first, unread], CLIENTS, (IT,))
    assert not settled([first, unread], CLIENTS, (IT, DEVS))
    assert not settled([replace(first, rules=None)], CLIENTS, (IT,))
    assert settled([first], CLIENTS, ())


def test_unreadable_is_unknown_and_names_the_roles() -> None:
    verdict = unreadable("default", "Okta 403 E0000006", "give the token's admin a role")
    assert verdict.allowed is None and verdict.reason is SignInReason.POLICIES_NOT_READABLE
    assert "Okta 403 E0000006" in verdict.message and "give the token's admin a role" in verdict.message


def test_every_failure_reason_is_a_terminal_ready_reason_too() -> None:
    failures = set(SignInReason) - {SignInReason.ALLOWED, SignInReason.POLICIES_NOT_READABLE}
    assert {Reason(r.value) for r in failures} <= TERMINAL
    assert AUTHORIZATION_SERVER_READY == "AuthorizationServerReady"
