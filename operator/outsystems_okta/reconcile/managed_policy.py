"""`spec.okta.accessPolicy: Manage`: create and keep our access policy and rule; remove them otherwise.

What they must look like, and why at priority 1, is in `plan/managed_policy.py`. Writes happen only
when something differs: a steady pass reads the policies (the check needs them anyway) and our
policy's rules, and writes nothing.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from outsystems_okta.blueprint import Owner
from outsystems_okta.okta.access_policies import (
    AccessPolicy,
    AccessPolicyRule,
    policy_body,
    replaced_policy,
    replaced_rule,
    rule_body,
)
from outsystems_okta.okta.errors import OktaForbiddenError
from outsystems_okta.plan.access_policies import ACTIVE, Client, RuleView
from outsystems_okta.plan.conditions import Reason
from outsystems_okta.plan.managed_policy import (
    desired_policy,
    desired_rule,
    find_ours,
    find_rule,
    is_ours,
    needs_activation,
    policy_drift,
    rule_drift,
    rule_people,
)
from outsystems_okta.reconcile.context import PassContext
from outsystems_okta.reconcile.outcome import EXTERNAL_FIX_DELAY, Failure
from outsystems_okta.reconcile.ports import OktaApi

STATUS_KEY = "accessPolicy"
# Who may change access policies: the API Access Management Administrator ("Create access policies",
# help.okta.com, API Access Management administrators) and the Super Administrator; Org Administrators
# "can't ... Manage authorization servers" (help.okta.com, Organization administrators); or a custom
# admin role with okta.authzServers.manage.
MANAGE_ROLES = (
    "give the token's admin the Super Administrator or API Access Management Administrator role, or a "
    "custom admin role with okta.authzServers.manage"
)


@dataclass
class Kept:
    """The policies after our writes, and the rules already known (no need to read them again)."""

    policies: list[AccessPolicy]
    rules: dict[str, list[RuleView]] = field(default_factory=dict)


def known_ids(status: Mapping[str, object]) -> tuple[str | None, str | None]:
    """(policyId, ruleId) the last pass recorded."""
    ref = status.get(STATUS_KEY)
    if not isinstance(ref, Mapping):
        return None, None
    policy, rule = ref.get("policyId"), ref.get("ruleId")
    return (str(policy) if policy else None, str(rule) if rule else None)


def _forbidden(exc: OktaForbiddenError, server_id: str) -> Failure:
    said = f"Okta {exc.status} {exc.error_code or ''}".rstrip()
    return Failure(
        Reason.OKTA_FORBIDDEN,
        f"Cannot keep the access policy of authorization server {server_id!r} ({said}: "
        f"{exc.error_summary or 'forbidden'}); {MANAGE_ROLES}",
        EXTERNAL_FIX_DELAY,
    )


async def keep(
    ctx: PassContext,
    server_id: str,
    policies: list[AccessPolicy],
    clients: Sequence[Client],
    group_ids: Sequence[str],
    *,
    complete: bool,
) -> Kept:
    try:
        return await _keep(ctx, server_id, policies, clients, group_ids, complete=complete)
    except OktaForbiddenError as exc:
        raise _forbidden(exc, server_id) from None


async def _keep(
    ctx: PassContext,
    server_id: str,
    policies: list[AccessPolicy],
    clients: Sequence[Client],
    group_ids: Sequence[str],
    *,
    complete: bool,
) -> Kept:
    okta, owner = ctx.okta, ctx.owner
    known_policy, known_rule = known_ids(ctx.resource.status)
    want = desired_policy(owner, [client.client_id for client in clients])
    found = find_ours([p.view() for p in policies], owner, known_policy)
    ours = next((p for p in policies if found is not None and p.id == found.id), None)

    rules: list[AccessPolicyRule] = []
    if ours is None:
        created = await okta.create_access_policy(server_id, policy_body(want))
        ctx.events(
            "Normal",
            "OktaAccessPolicyCreated",
            f"Created access policy {want.name!r} ({created.id}) in authorization server {server_id!r} "
            "for both apps",
        )
        ctx.status[STATUS_KEY] = {"policyId": created.id}
        # Okta moves the policies at or below the new priority down by one; mirror it locally so the
        # check sees the order Okta now has without listing the policies again.
        for policy in policies:
            if policy.priority >= created.priority:
                policy.priority += 1
        policies = [created, *policies]
        ours = created
    else:
        changed = policy_drift(ours.view(), want)
        if changed:
            updated = await okta.replace_access_policy(server_id, ours.id, replaced_policy(ours, want))
            ctx.restored.extend((STATUS_KEY, name) for name in changed)
            ctx.events(
                "Normal",
                "OktaAccessPolicyUpdated",
                f"Restored access policy {want.name!r} ({ours.id}): {', '.join(changed)}",
            )
            policies = [updated if p.id == ours.id else p for p in policies]
            ours = updated
        if needs_activation(ours.status):
            await okta.activate_access_policy(server_id, ours.id)
            ctx.restored.append((STATUS_KEY, "status"))
            ctx.events(
                "Normal", "OktaAccessPolicyActivated", f"Activated access policy {want.name!r} ({ours.id})"
            )
            ours.status = ACTIVE
        ctx.status[STATUS_KEY] = {"policyId": ours.id}
        rules = await okta.list_access_policy_rules(server_id, ours.id)

    rule = await _keep_rule(ctx, server_id, ours.id, rules, known_rule, group_ids, complete=complete)
    if rule is not None:
        ctx.status[STATUS_KEY] = {"policyId": ours.id, "ruleId": rule.id}
        rules = (
            [rule if r.id == rule.id else r for r in rules]
            if any(r.id == rule.id for r in rules)
            else [*rules, rule]
        )
    return Kept(policies, {ours.id: [r.view() for r in rules]})


async def _keep_rule(
    ctx: PassContext,
    server_id: str,
    policy_id: str,
    rules: list[AccessPolicyRule],
    known_rule: str | None,
    group_ids: Sequence[str],
    *,
    complete: bool,
) -> AccessPolicyRule | None:
    okta, access = ctx.okta, ctx.spec.access
    found = find_rule([r.view() for r in rules], known_rule)
    observed = next((r for r in rules if found is not None and r.id == found.id), None)
    people = rule_people(
        group_ids,
        everyone=access.everyone,
        listed_groups=len(access.groups),
        complete=complete,
        current=found.groups_include if found is not None else (),
    )
    if people is None:
        # Every listed group is missing in Okta (Ready says OktaGroupNotFound): nothing to let in yet.
        return observed
    want = desired_rule(people)
    if observed is None:
        created = await okta.create_access_policy_rule(server_id, policy_id, rule_body(want))
        ctx.events(
            "Normal",
            "OktaAccessPolicyRuleCreated",
            f"Created rule {want.name!r} ({created.id}) in access policy {policy_id}",
        )
        return created
    rule = observed
    changed = rule_drift(observed.view(), want)
    if changed:
        rule = await okta.replace_access_policy_rule(
            server_id, policy_id, observed.id, replaced_rule(observed, want)
        )
        ctx.restored.extend((STATUS_KEY, f"rule.{name}") for name in changed)
        ctx.events(
            "Normal",
            "OktaAccessPolicyRuleUpdated",
            f"Restored rule {want.name!r} ({observed.id}) of access policy {policy_id}: {', '.join(changed)}",
        )
    if needs_activation(rule.status):
        await okta.activate_access_policy_rule(server_id, policy_id, rule.id)
        ctx.restored.append((STATUS_KEY, "rule.status"))
        ctx.events("Normal", "OktaAccessPolicyRuleActivated", f"Activated rule {want.name!r} ({rule.id})")
        rule.status = ACTIVE
    return rule


def owned(policies: Sequence[AccessPolicy], owner: Owner, known_policy: str | None) -> list[AccessPolicy]:
    """Our policies among these: the one status remembers and any carrying our marker."""
    return [p for p in policies if p.id == known_policy or is_ours(p.view(), owner)]


async def remove(ctx: PassContext, server_id: str, policies: list[AccessPolicy]) -> list[AccessPolicy]:
    """accessPolicy is Check: delete a policy we kept before (or created in a pass whose status was lost).

    Check means the Okta admins own the access policies; a policy of ours nobody keeps any more would
    go on letting groups in long after the spec stopped naming them. The check that follows says at
    once whether the remaining policies still let the assigned groups in.
    """
    known_policy, _ = known_ids(ctx.resource.status)
    ours = owned(policies, ctx.owner, known_policy)
    try:
        for policy in ours:
            await ctx.okta.delete_access_policy(server_id, policy.id)
            ctx.events(
                "Normal",
                "OktaAccessPolicyDeleted",
                f"Deleted access policy {policy.name!r} ({policy.id}): spec.okta.accessPolicy is Check",
            )
    except OktaForbiddenError as exc:
        raise _forbidden(exc, server_id) from None
    if known_policy is not None or ours:
        ctx.status[STATUS_KEY] = None
    return [p for p in policies if p not in ours]


async def delete_for_good(okta: OktaApi, server_id: str, owner: Owner, known_policy: str | None) -> list[str]:
    """On deletion with deletionPolicy Delete: our policies go with the apps. Returns what was deleted."""
    deleted: list[str] = []
    for policy in owned(await okta.list_access_policies(server_id), owner, known_policy):
        await okta.delete_access_policy(server_id, policy.id)
        deleted.append(f"{policy.name!r} ({policy.id})")
    return deleted
