"""The read-only pass: what Okta has, compared with the spec, without a single write.

It runs the survey `outsystems-okta plan --live` runs (`preview.survey_plan`: the pass's own
`survey_app` and `GroupAccess`) through a client that refuses every write (`ReadOnlyOkta`), and reads
no Kubernetes Secret. managementPolicy Observe reports it as Ready/Synced/status.drift; a paused pass
reports it as status.drift (what resuming would change).

How the apps are found is how a Manage pass finds them: the ids in status (a resource that was
managed before), else spec.adopt, else the ownership marker (an app this resource created). An app
found none of these ways is reported, never created.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from outsystems_okta.api.spec import IntegrationSpec, SpecError, parse_spec
from outsystems_okta.okta.errors import OktaError
from outsystems_okta.plan.conditions import Reason
from outsystems_okta.plan.drift import DriftItem, drift_items
from outsystems_okta.plan.preview import AppPreview, Preview
from outsystems_okta.reconcile.context import PassContext
from outsystems_okta.reconcile.credentials import is_insecure, read_token, valid_token
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
    token: str


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
    ref = spec.okta.credentials_secret_ref
    token = await read_token(secrets, resource.namespace, ref.name, ref.key)
    if token is None or not valid_token(token):
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
        except OktaError as exc:
            reason, delay = classify(exc)
            return Observation(problem=Problem(reason, describe(exc), delay))
    if plan.problems:
        return Observation(problem=_problem(plan.problems[0]))
    return Observation(apps=plan.apps, items=drift_items(plan.apps))
