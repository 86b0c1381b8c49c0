"""After the apps converge: can the assigned groups sign in? Report it as AuthorizationServerReady.

Reads, per pass: the authorization server is already read at the start of the pass (its status comes
free); then one list of its access policies, and the rules of each ACTIVE policy that applies to one
of our clients, in priority order, stopping as soon as every client and group has its match (the
rules of later policies cannot change Okta's answer). With Okta's seeded `default` server (one
ALL_CLIENTS policy) that is two reads a pass, in the `/api/v1` rate-limit bucket, not the small
`/api/v1/apps` one. With `accessPolicy: Manage`, the same two: our policy comes first and matches.

A 403 on the policies (the token's admin may manage apps but not read authorization servers) is not a
failure of the pass: the condition is Unknown, a Warning names the roles that can read them, and Ready
does not depend on it (with Manage it does: keeping the policy is then impossible, Ready says
OktaForbidden).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from outsystems_okta.api.spec import AccessPolicyMode
from outsystems_okta.okta.access_policies import AccessPolicy, AuthorizationServer
from outsystems_okta.okta.errors import OktaForbiddenError
from outsystems_okta.plan.access_policies import (
    AUTHORIZATION_SERVER_READY,
    Audience,
    Client,
    PolicyView,
    RuleView,
    SignInReason,
    Verdict,
    evaluate,
    policies_to_read,
    settled,
    unreadable,
)
from outsystems_okta.plan.apps import client_id_of
from outsystems_okta.plan.conditions import Reason, find, with_condition
from outsystems_okta.reconcile import managed_policy
from outsystems_okta.reconcile.apps import EnsuredApp
from outsystems_okta.reconcile.context import PassContext
from outsystems_okta.reconcile.outcome import EXTERNAL_FIX_DELAY, Failure

# Who may read access policies: the API Access Management Administrator "Create access policies",
# "Create rules for each access policy" (help.okta.com, API Access Management administrators), the
# Super Administrator can do everything, and a custom admin role can hold the permission
# okta.authzServers.read ("Allows the admin to read authorization servers", Okta's permissions
# reference). App Administrator alone cannot.
READ_ROLES = (
    "give the token's admin the Super Administrator or API Access Management Administrator role, or a "
    "custom admin role with okta.authzServers.read"
)


def _clients(ctx: PassContext, apps: Mapping[str, EnsuredApp]) -> list[Client]:
    labels = ctx.spec.app_labels
    return [
        Client(labels.consoles, client_id_of(apps["consoles"].app)),
        Client(labels.development_tools, client_id_of(apps["developmentTools"].app)),
    ]


def _audience(group_ids: Sequence[str], names: Mapping[str, str]) -> list[Audience]:
    return [Audience(gid, names.get(gid, "")) for gid in dict.fromkeys(group_ids)]


async def check(
    ctx: PassContext,
    server: Mapping[str, Any],
    apps: Mapping[str, EnsuredApp],
    group_ids: Sequence[str],
    group_names: Mapping[str, str],
    *,
    complete: bool,
) -> Verdict:
    """Keep our policy (Manage) or remove it (Check), evaluate, and set AuthorizationServerReady."""
    server_id = ctx.spec.okta.authorization_server_id
    observed = AuthorizationServer.model_validate(dict(server))
    clients = _clients(ctx, apps)
    manage = ctx.spec.okta.access_policy is AccessPolicyMode.MANAGE
    try:
        policies = await ctx.okta.list_access_policies(server_id)
    except OktaForbiddenError as exc:
        said = f"Okta {exc.status} {exc.error_code or ''}".rstrip()
        verdict = unreadable(server_id, said, managed_policy.MANAGE_ROLES if manage else READ_ROLES)
        _record(ctx, verdict)
        if manage:
            raise Failure(Reason.OKTA_FORBIDDEN, verdict.message, EXTERNAL_FIX_DELAY) from None
        return verdict

    known_rules: dict[str, list[RuleView]] = {}
    if manage:
        kept = await managed_policy.keep(ctx, server_id, policies, clients, group_ids, complete=complete)
        policies, known_rules = kept.policies, dict(kept.rules)
    else:
        policies = await managed_policy.remove(ctx, server_id, policies)

    audience = _audience(group_ids, group_names)
    views = await _read_rules(ctx, server_id, policies, clients, audience, known_rules)
    verdict = evaluate(
        server_id=server_id,
        server_status=observed.status,
        policies=views,
        clients=clients,
        audience=audience,
    )
    _record(ctx, verdict)
    return verdict


async def _read_rules(
    ctx: PassContext,
    server_id: str,
    policies: Sequence[AccessPolicy],
    clients: Sequence[Client],
    audience: Sequence[Audience],
    known: Mapping[str, Sequence[RuleView]],
) -> list[PolicyView]:
    views = {policy.id: policy.view() for policy in policies}
    for policy in policies_to_read(views.values(), clients):
        if settled(list(views.values()), clients, audience):
            break
        if policy.id in known:
            rules = list(known[policy.id])
        else:
            rules = [rule.view() for rule in await ctx.okta.list_access_policy_rules(server_id, policy.id)]
        views[policy.id] = policy.with_rules(rules)
    return list(views.values())


def _record(ctx: PassContext, verdict: Verdict) -> None:
    """Set the condition; a Warning when the policies newly cannot be read (False goes through Ready)."""
    conditions = ctx.status.get("conditions", ctx.resource.status.get("conditions"))
    previous = find(conditions, AUTHORIZATION_SERVER_READY)
    ctx.status["conditions"] = with_condition(
        conditions,
        type_=AUTHORIZATION_SERVER_READY,
        status=verdict.allowed,
        reason=verdict.reason.value,
        message=verdict.message,
        generation=ctx.resource.generation,
        now=ctx.options.now(),
    )
    ctx.sign_in = verdict
    unknown_before = previous is not None and (previous.get("status"), previous.get("reason")) == (
        "Unknown",
        SignInReason.POLICIES_NOT_READABLE.value,
    )
    manage = ctx.spec.okta.access_policy is AccessPolicyMode.MANAGE
    if verdict.allowed is None and not unknown_before and not manage:
        # With Manage, Ready=False OktaForbidden posts the Warning.
        ctx.events("Warning", verdict.reason.value, verdict.message)
