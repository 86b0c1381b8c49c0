"""Which access policy rule, if any, lets a user get tokens for a client.

"Okta evaluates these policies and the rules within the policy in the given priority order. After
the first policy and rule match, Okta applies the client request and no further rule or policy
processing occurs." (help.okta.com, Create access policies). A rule matches when the grant type,
the user (people condition) and every requested scope match: "If the client requests tokens with
scopes beyond those covered by a given Access Rule ... that Access Rule will not match, and
policy/rule evaluation will move onto the next Access Rule and/or Access Policy ... If there is no
Access Policy/Access Rule combination that matches a given request, Okta will display Policy
evaluation failed for this request, please check the policy configurations"
(support.okta.com, tokens-not-issued-with-lifetime-configured-in-access-rule-for-custom-authorization-server).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from .policies import EVERYONE, WILDCARD_SCOPE, PolicyRecord, RuleRecord


@dataclass(frozen=True)
class Match:
    policy: PolicyRecord
    rule: RuleRecord


def people_match(rule: RuleRecord, user_id: str, in_group: Callable[[str], bool]) -> bool:
    """Excluded users and groups win; then the user must be included by id, by group or EVERYONE."""
    if user_id in rule.users_excluded or any(
        group == EVERYONE or in_group(group) for group in rule.groups_excluded
    ):
        return False
    if user_id in rule.users_included:
        return True
    return any(group == EVERYONE or in_group(group) for group in rule.groups_included)


def scopes_match(rule: RuleRecord, scopes: Sequence[str]) -> bool:
    allowed = rule.scopes
    return WILDCARD_SCOPE in allowed or all(scope in allowed for scope in scopes)


def evaluate(
    policies: Sequence[PolicyRecord],
    *,
    client_id: str,
    user_id: str,
    in_group: Callable[[str], bool],
    grant_type: str,
    scopes: Sequence[str],
) -> Match | None:
    for policy in sorted(policies, key=lambda item: item.priority):
        if policy.status != "ACTIVE" or not policy.applies_to(client_id):
            continue
        for rule in sorted(policy.rules, key=lambda item: item.priority):
            if (
                rule.status == "ACTIVE"
                and grant_type in rule.grant_types
                and people_match(rule, user_id, in_group)
                and scopes_match(rule, scopes)
            ):
                return Match(policy, rule)
    return None
