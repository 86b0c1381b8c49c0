"""`spec.okta.accessPolicy: Manage`: the access policy and rule the operator keeps for its two clients.

The policy applies to our two client ids only, so it changes nothing for any other app of the org.
It is created at priority 1: Okta evaluates policies in priority order and uses the first rule that
matches, so sitting first makes our rule the one that signs our users in (its token lifetimes apply),
whatever ALL_CLIENTS policy an admin keeps below; a rule that does not match (a user outside the
groups) lets evaluation go on, so the position locks nobody out. Priority is not restored on drift:
for our clients any position gives the same answer, and two factories' policies each insisting on
priority 1 would push each other down on every pass.

The rule: grant `authorization_code`, scopes `openid email profile offline_access` (refresh tokens come
from `offline_access` and the apps' own `refresh_token` grant; see `access_policies`), people = the
assigned groups' ids, or `EVERYONE` for `access.everyone` or when the spec assigns no group (then the
app assignments made in Okta are the gate). Its token lifetimes (`actions`) are Okta's defaults on
create and an admin's to tune afterwards: not restored.

The policy is recognised by the id in status, else by the marker at the end of its description
(`[outsystems-okta-operator uid=<resource uid>]`), so a crash between "created" and "status written"
does not make a second one. Policies without our marker are never touched.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass

from outsystems_okta import OPERATOR_NAME
from outsystems_okta.api.constants import KIND
from outsystems_okta.blueprint import Owner
from outsystems_okta.plan.access_policies import (
    ACTIVE,
    EVERYONE,
    SIGN_IN_GRANT,
    SIGN_IN_SCOPES,
    PolicyView,
    RuleView,
)

POLICY_PRIORITY = 1
RULE_NAME = "OutSystems sign-in"
# Okta's limits (SPEC AuthorizationServerPolicy: name 1..100, description 1..255).
NAME_MAX = 100
DESCRIPTION_MAX = 255


@dataclass(frozen=True)
class DesiredPolicy:
    name: str
    description: str
    clients: tuple[str, ...]
    priority: int = POLICY_PRIORITY


@dataclass(frozen=True)
class DesiredRule:
    name: str
    grant_types: tuple[str, ...]
    scopes: tuple[str, ...]
    groups_include: tuple[str, ...]


def marker(owner: Owner) -> str:
    return f"[{OPERATOR_NAME} uid={owner.uid}]"


def policy_name(owner: Owner) -> str:
    name = f"OutSystems {owner.namespace}/{owner.name}"
    if len(name) <= NAME_MAX:
        return name
    # Long resource names: cut, and keep it unique per resource with a short digest of the uid.
    digest = hashlib.sha256(owner.uid.encode()).hexdigest()[:8]
    return f"{name[: NAME_MAX - len(digest) - 1]}~{digest}"


def policy_description(owner: Owner) -> str:
    tail = marker(owner)
    head = f"Sign-in for {KIND} {owner.namespace}/{owner.name}, kept by {OPERATOR_NAME}: edits are undone."
    room = DESCRIPTION_MAX - len(tail) - 1
    if len(head) > room:
        head = head[: room - 1] + "…"
    return f"{head} {tail}"


def desired_policy(owner: Owner, client_ids: Sequence[str]) -> DesiredPolicy:
    return DesiredPolicy(policy_name(owner), policy_description(owner), tuple(dict.fromkeys(client_ids)))


def rule_people(
    group_ids: Sequence[str],
    *,
    everyone: bool,
    listed_groups: int,
    complete: bool = True,
    current: Sequence[str] = (),
) -> tuple[str, ...] | None:
    """`people.groups.include` of our rule; None when nothing can be included yet.

    `listed_groups` is how many groups the spec names: when it names some and none resolved (all
    missing in Okta), widening the rule to EVERYONE would let in people the spec never meant. When a
    listed group is missing (`complete` False) the ids the rule holds now (`current`) stay, as group
    assignments do: the id we can no longer tell apart may be that very group's, renamed.
    """
    if everyone or listed_groups == 0:
        return (EVERYONE,)
    ids = list(dict.fromkeys(group_ids))
    if not complete:
        ids += [gid for gid in current if gid not in ids and gid != EVERYONE]
    return tuple(ids) or None


def desired_rule(groups_include: Sequence[str]) -> DesiredRule:
    return DesiredRule(RULE_NAME, (SIGN_IN_GRANT,), SIGN_IN_SCOPES, tuple(groups_include))


def is_ours(policy: PolicyView, owner: Owner) -> bool:
    return policy.description.endswith(marker(owner))


def find_ours(policies: Sequence[PolicyView], owner: Owner, known_id: str | None) -> PolicyView | None:
    """Our policy: the one whose id status remembers, else the first carrying our marker."""
    if known_id:
        for policy in policies:
            if policy.id == known_id:
                return policy
    marked = [policy for policy in policies if is_ours(policy, owner)]
    return min(marked, key=lambda p: (p.priority, p.id)) if marked else None


def find_rule(rules: Sequence[RuleView], known_id: str | None) -> RuleView | None:
    """Our rule in our policy: by the id status remembers, else by its name."""
    if known_id:
        for rule in rules:
            if rule.id == known_id:
                return rule
    return next((rule for rule in rules if rule.name == RULE_NAME), None)


def policy_drift(observed: PolicyView, desired: DesiredPolicy) -> list[str]:
    """Names of the policy fields that differ from what we keep (status is restored by activation)."""
    changed: list[str] = []
    if observed.name != desired.name:
        changed.append("name")
    if observed.description != desired.description:
        changed.append("description")
    if set(observed.clients) != set(desired.clients):
        changed.append("clients")
    return changed


def rule_drift(observed: RuleView, desired: DesiredRule) -> list[str]:
    """Names of the rule fields that differ (order inside a list does not matter to Okta)."""
    changed: list[str] = []
    if observed.name != desired.name:
        changed.append("name")
    if set(observed.grant_types) != set(desired.grant_types):
        changed.append("grant types")
    if set(observed.scopes) != set(desired.scopes):
        changed.append("scopes")
    people_ok = (
        set(observed.groups_include) == set(desired.groups_include)
        and not observed.groups_exclude
        and not observed.users_include
        and not observed.users_exclude
    )
    if not people_ok:
        changed.append("people")
    return changed


def needs_activation(status: str) -> bool:
    return status != ACTIVE
