"""accessPolicy: Manage, the pure half: what our policy and rule look like, how we know them, what drifted."""

from __future__ import annotations

import pytest

from outsystems_okta.blueprint import Owner
from outsystems_okta.okta.access_policies import (
    AccessPolicy,
    AccessPolicyRule,
    policy_body,
    replaced_policy,
    replaced_rule,
    rule_body,
)
from outsystems_okta.plan.access_policies import PolicyView, RuleView
from outsystems_okta.plan.managed_policy import (
    DESCRIPTION_MAX,
    NAME_MAX,
    RULE_NAME,
    desired_policy,
    desired_rule,
    find_ours,
    find_rule,
    is_ours,
    policy_description,
    policy_drift,
    policy_name,
    rule_drift,
    rule_people,
)

OWNER = Owner("outsystems", "factory", "6a1e2b3c-0000-4000-8000-00000000f001")
OTHER = Owner("outsystems", "factory", "7b2f3c4d-0000-4000-8000-00000000f002")
LONG = Owner("n" * 63, "r" * 253, "8c304d5e-0000-4000-8000-00000000f003")


def test_name_and_description() -> None:
    assert policy_name(OWNER) == "OutSystems outsystems/factory"
    assert policy_description(OWNER) == (
        "Sign-in for OutSystemsOktaIntegration outsystems/factory, kept by outsystems-okta-operator: edits "
        "are undone. [outsystems-okta-operator uid=6a1e2b3c-0000-4000-8000-00000000f001]"
    )


def test_long_names_fit_okta_limits_and_stay_unique_and_marked() -> None:
    name, description = policy_name(LONG), policy_description(LONG)
    assert len(name) == NAME_MAX and len(description) <= DESCRIPTION_MAX
    assert name != policy_name(Owner(LONG.namespace, LONG.name, OTHER.uid))
    view = PolicyView("00p1", name, "ACTIVE", 1, ("ALL_CLIENTS",), description=description)
    assert is_ours(view, LONG) and not is_ours(view, OTHER)


@pytest.mark.parametrize(
    ("group_ids", "everyone", "listed", "complete", "current", "expected"),
    [
        (["00g1", "00g2"], False, 2, True, (), ("00g1", "00g2")),
        (["00g1", "00g1"], False, 2, True, (), ("00g1",)),
        # Everyone: Okta's EVERYONE literal, whatever else is listed.
        (["00gALL", "00g1"], True, 1, True, (), ("EVERYONE",)),
        # No group in the spec: assignments made in Okta are the gate, the rule lets everyone through.
        ([], False, 0, True, (), ("EVERYONE",)),
        # Listed groups all missing: never widen to EVERYONE.
        ([], False, 2, False, (), None),
        # A listed group missing: the ids the rule holds now stay (it may be that group, renamed).
        (["00g1"], False, 2, False, ("00g1", "00gRENAMED"), ("00g1", "00gRENAMED")),
        ([], False, 1, False, ("00gRENAMED",), ("00gRENAMED",)),
        # ...but a former EVERYONE is not kept once the spec names groups.
        (["00g1"], False, 2, False, ("EVERYONE",), ("00g1",)),
        # Complete: exactly the spec's groups, whatever the rule held.
        (["00g1"], False, 1, True, ("00gOLD",), ("00g1",)),
    ],
)
def test_rule_people(
    group_ids: list[str],
    everyone: bool,
    listed: int,
    complete: bool,
    current: tuple[str, ...],
    expected: tuple[str, ...] | None,
) -> None:
    assert (
        rule_people(group_ids, everyone=everyone, listed_groups=listed, complete=complete, current=current)
        == expected
    )


def _policy(id_: str, description: str = "", priority: int = 1) -> PolicyView:
    return PolicyView(id_, "any", "ACTIVE", priority, ("ALL_CLIENTS",), description=description)


def test_find_ours_by_status_id_first_then_by_marker() -> None:
    marked = _policy("00pMARKED", policy_description(OWNER), priority=3)
    edited = _policy("00pKNOWN", "an admin rewrote the description")
    foreign = _policy("00pFOREIGN", policy_description(OTHER))
    assert find_ours([marked, edited, foreign], OWNER, "00pKNOWN") == edited
    assert find_ours([marked, edited, foreign], OWNER, "00pGONE") == marked
    assert find_ours([marked, edited, foreign], OWNER, None) == marked
    assert find_ours([edited, foreign], OWNER, None) is None


def test_find_rule_by_status_id_then_by_name() -> None:
    ours = RuleView("0prOURS", RULE_NAME, "ACTIVE", 2)
    renamed = RuleView("0prKNOWN", "renamed by an admin", "ACTIVE", 1)
    assert find_rule([renamed, ours], "0prKNOWN") == renamed
    assert find_rule([renamed, ours], None) == ours
    assert find_rule([renamed], None) is None


def test_policy_drift() -> None:
    want = desired_policy(OWNER, ["0oaWEB", "0oaNATIVE"])
    same = PolicyView("00p1", want.name, "INACTIVE", 7, ("0oaNATIVE", "0oaWEB"), description=want.description)
    # Status is restored by activation and priority is left alone, so neither counts as drift.
    assert policy_drift(same, want) == []
    changed = PolicyView("00p1", "x", "ACTIVE", 1, ("ALL_CLIENTS",), description="y")
    assert policy_drift(changed, want) == ["name", "description", "clients"]


def test_rule_drift() -> None:
    want = desired_rule(("00g1",))
    same = RuleView(
        "0pr1",
        RULE_NAME,
        "ACTIVE",
        1,
        ("authorization_code",),
        ("offline_access", "openid", "email", "profile"),
        ("00g1",),
    )
    assert rule_drift(same, want) == []
    widened = RuleView("0pr1", "x", "ACTIVE", 1, ("authorization_code", "implicit"), ("*",), ("EVERYONE",))
    assert rule_drift(widened, want) == ["name", "grant types", "scopes", "people"]
    excluding = RuleView(
        "0pr1", RULE_NAME, "ACTIVE", 1, want.grant_types, want.scopes, ("00g1",), groups_exclude=("00g2",)
    )
    assert rule_drift(excluding, want) == ["people"]
    with_users = RuleView(
        "0pr1", RULE_NAME, "ACTIVE", 1, want.grant_types, want.scopes, ("00g1",), users_include=("00u1",)
    )
    assert rule_drift(with_users, want) == ["people"]


# -- the wire bodies (okta/access_policies.py) --------------------------------------------------------


def test_create_bodies_in_okta_shapes() -> None:
    assert policy_body(desired_policy(OWNER, ["0oaWEB", "0oaNATIVE"])).body() == {
        "type": "OAUTH_AUTHORIZATION_POLICY",
        "name": "OutSystems outsystems/factory",
        "description": policy_description(OWNER),
        "status": "ACTIVE",
        "priority": 1,
        "conditions": {"clients": {"include": ["0oaWEB", "0oaNATIVE"]}},
    }
    assert rule_body(desired_rule(("00g1", "00g2"))).body() == {
        "type": "RESOURCE_ACCESS",
        "name": RULE_NAME,
        "status": "ACTIVE",
        "priority": 1,
        "conditions": {
            "people": {
                "groups": {"include": ["00g1", "00g2"], "exclude": []},
                "users": {"include": [], "exclude": []},
            },
            "grantTypes": {"include": ["authorization_code"]},
            "scopes": {"include": ["openid", "email", "profile", "offline_access"]},
        },
    }


def test_replace_bodies_keep_what_is_not_ours() -> None:
    observed = AccessPolicy.model_validate(
        {
            "type": "OAUTH_AUTHORIZATION_POLICY",
            "id": "00p1",
            "status": "INACTIVE",
            "name": "renamed",
            "description": "edited",
            "priority": 4,
            "system": False,
            "conditions": {"clients": {"include": ["0oaOTHER"]}, "futureCondition": {"x": 1}},
            "created": "2030-01-01T00:00:00.000Z",
            "lastUpdated": "2030-01-01T00:00:00.000Z",
            "_links": {"self": {"href": "https://acme.okta.com/..."}},
            "somethingNew": True,
        }
    )
    body = replaced_policy(observed, desired_policy(OWNER, ["0oaWEB", "0oaNATIVE"])).body()
    assert body == {
        "type": "OAUTH_AUTHORIZATION_POLICY",
        "status": "INACTIVE",
        "name": "OutSystems outsystems/factory",
        "description": policy_description(OWNER),
        "priority": 4,
        "system": False,
        "conditions": {"clients": {"include": ["0oaWEB", "0oaNATIVE"]}, "futureCondition": {"x": 1}},
        "somethingNew": True,
    }
    rule = AccessPolicyRule.model_validate(
        {
            "type": "RESOURCE_ACCESS",
            "id": "0pr1",
            "status": "ACTIVE",
            "name": "mine now",
            "priority": 2,
            "system": False,
            "conditions": {
                "people": {"groups": {"include": ["EVERYONE"]}},
                "grantTypes": {"include": ["implicit"]},
                "scopes": {"include": ["*"]},
            },
            "actions": {"token": {"accessTokenLifetimeMinutes": 15, "refreshTokenWindowMinutes": 60}},
        }
    )
    assert replaced_rule(rule, desired_rule(("00g1",))).body() == {
        "type": "RESOURCE_ACCESS",
        "status": "ACTIVE",
        "name": RULE_NAME,
        "priority": 2,
        "system": False,
        "conditions": {
            "people": {
                "groups": {"include": ["00g1"], "exclude": []},
                "users": {"include": [], "exclude": []},
            },
            "grantTypes": {"include": ["authorization_code"]},
            "scopes": {"include": ["openid", "email", "profile", "offline_access"]},
        },
        # Token lifetimes are the admin's to tune.
        "actions": {"token": {"accessTokenLifetimeMinutes": 15, "refreshTokenWindowMinutes": 60}},
    }


def test_views_read_okta_shapes_with_or_without_the_optional_lists() -> None:
    rule = AccessPolicyRule.model_validate(
        {
            "id": "0pr1",
            "name": "r",
            "status": "ACTIVE",
            "priority": 1,
            "conditions": {
                "people": {"groups": {"include": ["EVERYONE"]}},
                "grantTypes": {"include": ["password"]},
            },
        }
    )
    assert rule.view() == RuleView("0pr1", "r", "ACTIVE", 1, ("password",), (), ("EVERYONE",))
    policy = AccessPolicy.model_validate({"id": "00p1", "name": "p", "status": "ACTIVE", "priority": 2})
    assert policy.view() == PolicyView("00p1", "p", "ACTIVE", 2, ())
