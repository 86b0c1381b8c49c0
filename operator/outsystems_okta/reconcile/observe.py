"""The read-only pass: what Okta has, compared with the spec, without a single write.

It runs the survey `outsystems-okta plan --live` runs (`preview.survey_plan`: the pass's own
`survey_app` and `GroupAccess`) through a client that refuses every write (`ReadOnlyOkta`), and reads
no Kubernetes Secret. managementPolicy Observe reports it as Ready/Synced/status.drift; a paused pass
reports it as status.drift (what resuming would change).

How the apps are found is how a Manage pass finds them: the ids in status (a resource that was
managed before), else spec.adopt, else the ownership marker (an app this resource created). An app
found none of these ways is reported, never created. With accessPolicy Manage, the policy and rule a
Manage pass keeps are compared too (found by the ids in status, else by the policy's marker).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from outsystems_okta.api.spec import AccessPolicyMode, IntegrationSpec, SpecError, parse_spec
from outsystems_okta.okta.credentials import Credentials
from outsystems_okta.okta.errors import OktaError
from outsystems_okta.plan.conditions import Reason
from outsystems_okta.plan.drift import DriftItem, access_policy_drift, drift_items
from outsystems_okta.plan.managed_policy import (
    desired_policy,
    desired_rule,
    find_ours,
    find_rule,
    rule_people,
)
from outsystems_okta.plan.preview import AppPreview, Preview
from outsystems_okta.reconcile import managed_policy
from outsystems_okta.reconcile.context import PassContext
from outsystems_okta.reconcile.credentials import CredentialsError, is_insecure, read_credentials
from outsystems_okta.reconcile.options import Options
from outsystems_okta.reconcile.org_errors import describe
from outsystems_okta.reconcile.outcome import EXTERNAL_FIX_DELAY, classify
from outsystems_okta.reconcile.ports import OktaConnector, Resource, SecretStore
from outsystems_okta.reconcile.preview import NoKubernetes, Notes, survey_plan
from outsystems_okta.reconcile.read_only import ReadOnlyOkta


@dataclass(frozen=True)
class Problem:
    """Why Okta could not be looked at (the Ready reason, its message, when to retry)."""

    reason: Reason
    message: str
    retry_after: float | None


@dataclass(frozen=True)
class Observation:
    apps: tuple[AppPreview, ...] = ()
    items: list[DriftItem] = field(default_factory=list)
    problem: Problem | None = None


@dataclass(frozen=True)
class Ready:
    """What a read-only pass needs before it can read Okta: a valid spec and a usable token."""

    spec: IntegrationSpec
    token: Credentials


async def prepare(resource: Resource, secrets: SecretStore, options: Options) -> Ready | None:
    """The spec and token, or None when the pass cannot read Okta (invalid spec, no token, http org).

    The reasons are the Manage pass's own: a caller that gets None lets `routine.reconcile` report
    them, which it does before any write.
    """
    try:
        spec = parse_spec(resource.spec)
    except SpecError:
        return None
    if is_insecure(spec) and not options.allow_insecure_loopback:
        return None
    try:
        token = await read_credentials(secrets, resource.namespace, spec, resource.status, read_only=True)
    except CredentialsError:
        return None
    if token is None:
        return None
    return Ready(spec, token)


def _problem(text: str) -> Problem:
    # Preview problems read "Reason: message".
    reason, _, message = text.partition(": ")
    try:
        return Problem(Reason(reason), message, EXTERNAL_FIX_DELAY)
    except ValueError:
        return Problem(Reason.OKTA_REJECTED, text, EXTERNAL_FIX_DELAY)


async def observe(resource: Resource, ready: Ready, connect: OktaConnector, options: Options) -> Observation:
    spec = ready.spec
    async with connect(spec.okta.base_url, ready.token) as client:
        notes = Notes()
        ctx = PassContext(resource, spec, ReadOnlyOkta(client), NoKubernetes(), notes, options)
        base = Preview(namespace=resource.namespace, name=resource.name, org_url=spec.okta.base_url)
        try:
            plan = await survey_plan(ctx, base, notes)
            if plan.problems:
                return Observation(problem=_problem(plan.problems[0]))
            items = drift_items(plan.apps)
            if spec.okta.access_policy is AccessPolicyMode.MANAGE:
                items += await _access_policy(ctx, plan)
        except OktaError as exc:
            reason, delay = classify(exc)
            return Observation(problem=Problem(reason, describe(exc), delay))
    return Observation(apps=plan.apps, items=items)


async def _access_policy(ctx: PassContext, plan: Preview) -> list[DriftItem]:
    """accessPolicy Manage: how our policy and rule differ (two or three reads; none without both apps)."""
    client_ids = [app.client_id for app in plan.apps if app.client_id is not None]
    if len(client_ids) != len(plan.apps):
        return []  # an app is missing or refused: that is the difference to report first
    server_id = ctx.spec.okta.authorization_server_id
    known_policy, known_rule = managed_policy.known_ids(ctx.resource.status)
    policies = [p.view() for p in await ctx.okta.list_access_policies(server_id)]
    ours = find_ours(policies, ctx.owner, known_policy)
    access = ctx.spec.access
    rule = None
    if ours is not None:
        rule = find_rule(
            [r.view() for r in await ctx.okta.list_access_policy_rules(server_id, ours.id)], known_rule
        )
    people = rule_people(
        plan.group_ids,
        everyone=access.everyone,
        listed_groups=len(access.groups),
        complete=plan.groups_complete,
        current=rule.groups_include if rule is not None else (),
    )
    want_rule = desired_rule(people) if people is not None else None
    return access_policy_drift(ours, desired_policy(ctx.owner, client_ids), rule, want_rule)
