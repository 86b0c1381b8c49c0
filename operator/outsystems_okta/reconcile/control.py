"""What a pass may do: pause, Observe only, and drift corrections you can see.

The handlers call `reconcile` and `finalize` from here (re-exported by `outsystems_okta.reconcile`):

- **Paused** (annotation `okta.outsystems.dev/paused: "true"`): no Okta write and no Secret write. The
  pass reads Okta through a read-only client and lists in status.drift what resuming would change
  (condition Synced); Ready keeps its last value, the condition Paused says so. One Event when
  pausing (`Paused`) and one when resuming (`Resumed`), not one per pass. A deletion while paused
  waits (the finalizer stays, as Crossplane does for a paused resource) until the annotation goes;
  deletionPolicy is then honoured.
- **Observe** (spec.managementPolicy): the same read-only pass, reported as Ready (True, Observed, when
  both apps were found; False otherwise) and Synced (whether Okta matches the spec).
- **Manage**: the routine's pass. Its writes that put existing Okta objects back (`ctx.restored`)
  count as drift corrections when the last pass was Ready for this same generation (the spec did not
  change): an Event `DriftCorrected` and status.lastDriftCorrection name the fields, and the outcome
  carries them for the metric.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from outsystems_okta.api.constants import ANNOTATION_PAUSED
from outsystems_okta.api.spec import ManagementPolicy
from outsystems_okta.plan.conditions import PAUSED, READY, SYNCED, Reason, find, with_condition
from outsystems_okta.plan.drift import (
    correction_fields,
    correction_message,
    corrections_count,
    last_correction,
    status_drift,
    synced,
)
from outsystems_okta.plan.preview import Action
from outsystems_okta.reconcile.finalize import finalize as honour_deletion_policy
from outsystems_okta.reconcile.observe import Observation, observe, prepare
from outsystems_okta.reconcile.options import Options
from outsystems_okta.reconcile.outcome import Outcome, is_new_problem, make_outcome
from outsystems_okta.reconcile.ports import (
    EventSink,
    NamespaceReader,
    OktaConnector,
    Resource,
    SecretStore,
    StatusStore,
)
from outsystems_okta.reconcile.read_only import ReadOnlySecrets, read_only_connector
from outsystems_okta.reconcile.routine import reconcile as converge

# A deletion while paused is looked at again this often: Kopf keeps a handler's delay even when the
# resource changes, so this is how soon it goes after the annotation is removed (no Okta call).
PAUSED_DELETION_RECHECK = 10.0


def is_paused(resource: Resource) -> bool:
    return resource.annotations.get(ANNOTATION_PAUSED, "").strip().lower() == "true"


def _observing(resource: Resource) -> bool:
    # Read from the raw spec: an invalid spec goes to the routine, which reports it.
    return resource.spec.get("managementPolicy") == ManagementPolicy.OBSERVE.value


def _conditions(status: Mapping[str, Any], resource: Resource) -> list[dict[str, Any]]:
    conditions = status.get("conditions", resource.status.get("conditions"))
    return [dict(c) for c in conditions or ()]


def _set(
    conditions: list[dict[str, Any]],
    type_: str,
    state: bool | None,
    reason: str,
    message: str,
    resource: Resource,
    options: Options,
) -> list[dict[str, Any]]:
    return with_condition(
        conditions,
        type_=type_,
        status=state,
        reason=reason,
        message=message,
        generation=resource.generation,
        now=options.now(),
    )


def _synced_event(previous: Mapping[str, Any] | None, state: bool, message: str, events: EventSink) -> None:
    """One Event when Okta starts or stops matching the spec, not one per pass."""
    before = previous.get("status") if previous is not None else None
    if not state and before != "False":
        events("Normal", "DriftObserved", message)
    elif state and before == "False":
        events("Normal", "InSync", message)


def _observation_status(
    resource: Resource, observation: Observation, events: EventSink, options: Options
) -> dict[str, Any]:
    """Synced and status.drift for an observation that could read Okta."""
    state, reason, message = synced(observation.items)
    _synced_event(find(resource.status.get("conditions"), SYNCED), state, message, events)
    conditions = _set(_conditions({}, resource), SYNCED, state, reason, message, resource, options)
    return {"conditions": conditions, "drift": status_drift(observation.items) or None}


async def reconcile(
    resource: Resource,
    *,
    connect: OktaConnector,
    secrets: SecretStore,
    events: EventSink,
    options: Options,
    status_store: StatusStore | None = None,
) -> Outcome:
    """One pass as the resource's controls say (paused, Observe, Manage); never raises for expected
    failures."""
    if is_paused(resource):
        return await _paused(resource, connect, secrets, events, options)
    observing = _observing(resource)
    ready = await prepare(resource, secrets, options) if observing else None
    if ready is not None:
        outcome = _observed(resource, await observe(resource, ready, connect, options), events, options)
    elif observing:
        # The routine reports an invalid spec or missing credentials before any write; read-only
        # clients keep it so even if the credentials appeared since `prepare` looked.
        outcome = await converge(
            resource,
            connect=read_only_connector(connect),
            secrets=ReadOnlySecrets(secrets),
            events=events,
            options=options,
        )
    else:
        restored: list[tuple[str, str]] = []
        outcome = await converge(
            resource,
            connect=connect,
            secrets=secrets,
            events=events,
            options=options,
            status_store=status_store,
            restored=restored,
        )
        outcome = _managed(resource, outcome, restored, events, options)
    return _resumed(resource, outcome, events, options)


def _observed(resource: Resource, observation: Observation, events: EventSink, options: Options) -> Outcome:
    previous = find(resource.status.get("conditions"))
    problem = observation.problem
    if problem is not None:
        if is_new_problem(previous, problem.reason, problem.message):
            events("Warning", problem.reason.value, problem.message)
        conditions = _set(
            _conditions({}, resource), SYNCED, None, problem.reason.value, problem.message, resource, options
        )
        return make_outcome(
            resource,
            options,
            ready=False,
            reason=problem.reason,
            message=problem.message,
            status={"conditions": conditions},
            retry_after=problem.retry_after,
        )
    status = _observation_status(resource, observation, events, options)
    refused = [app for app in observation.apps if app.action is Action.REFUSED]
    missing = [app for app in observation.apps if app.action is Action.CREATE]
    if refused:
        reason = Reason(refused[0].reason or Reason.ADOPTION_REFUSED.value)
        message = "; ".join(str(app.refusal) for app in refused)
    elif missing:
        reason = Reason.OBSERVED_APP_NOT_FOUND
        message = (
            "managementPolicy is Observe and Okta has no app for "
            + ", ".join(f"{app.role} ({app.label!r})" for app in missing)
            + ": none is recorded in status, named in spec.adopt or marked as this resource's; "
            "name the admin's apps in spec.adopt, or set managementPolicy: Manage to create them"
        )
    else:
        found = ", ".join(f"{app.label!r} ({app.app_id})" for app in observation.apps)
        count = len(observation.items)
        drift = f"{count} difference(s) in status.drift" if count else "Okta matches the spec"
        message = f"Observing {found} without writing (managementPolicy Observe): {drift}"
        return make_outcome(
            resource, options, ready=True, reason=Reason.OBSERVED, message=message, status=status
        )
    if is_new_problem(previous, reason, message):
        events("Warning", reason.value, message)
    return make_outcome(resource, options, ready=False, reason=reason, message=message, status=status)


def _managed(
    resource: Resource, outcome: Outcome, restored: list[tuple[str, str]], events: EventSink, options: Options
) -> Outcome:
    """A Manage pass: no Synced or drift left from Observe or a pause; its drift corrections named."""
    status = dict(outcome.status)
    if "conditions" in status:
        status["conditions"] = [c for c in status["conditions"] if c.get("type") != SYNCED]
    if resource.status.get("drift") is not None:
        status["drift"] = None
    fields = correction_fields(restored)
    if not fields or not corrections_count(
        find(resource.status.get("conditions"), READY), resource.generation
    ):
        return replace(outcome, status=status)
    events("Normal", "DriftCorrected", correction_message(fields))
    status["lastDriftCorrection"] = last_correction(fields, resource.generation, options.now())
    return replace(outcome, status=status, corrected=tuple(fields))


def _resumed(resource: Resource, outcome: Outcome, events: EventSink, options: Options) -> Outcome:
    """After the annotation goes: Paused turns False (Resumed), with one Event."""
    before = find(resource.status.get("conditions"), PAUSED)
    if before is None or before.get("status") != "True":
        return outcome
    message = f"The annotation {ANNOTATION_PAUSED} was removed; the operator acts again"
    events("Normal", "Resumed", message)
    status = dict(outcome.status)
    status["conditions"] = _set(
        _conditions(status, resource), PAUSED, False, "Resumed", message, resource, options
    )
    return replace(outcome, status=status)


def _paused_message(observation: Observation | None) -> str:
    message = (
        f'Reconciliation is paused by the annotation {ANNOTATION_PAUSED}="true": no Okta or Secret '
        "writes, Ready keeps its last value"
    )
    if observation is None:
        return message
    if observation.problem is not None:
        return f"{message}; Okta could not be read ({observation.problem.reason.value})"
    return f"{message}; status.drift lists what resuming would change"


async def _paused(
    resource: Resource, connect: OktaConnector, secrets: SecretStore, events: EventSink, options: Options
) -> Outcome:
    ready = await prepare(resource, secrets, options)
    observation = await observe(resource, ready, connect, options) if ready is not None else None
    message = _paused_message(observation)
    before = find(resource.status.get("conditions"), PAUSED)
    if before is None or before.get("status") != "True":
        events("Normal", "Paused", message)
    status: dict[str, Any] = {}
    if observation is not None and observation.problem is None:
        status = _observation_status(resource, observation, events, options)
    status["conditions"] = _set(
        _conditions(status, resource), PAUSED, True, "Paused", message, resource, options
    )
    previous_ready = find(resource.status.get("conditions"))
    return Outcome(
        ready=previous_ready is not None and previous_ready.get("status") == "True",
        reason=Reason.PAUSED,
        message=message,
        status=status,
    )


async def finalize(
    resource: Resource,
    *,
    connect: OktaConnector,
    secrets: SecretStore,
    events: EventSink,
    options: Options,
    namespaces: NamespaceReader | None = None,
) -> Outcome | None:
    """Deletion: honour deletionPolicy, unless paused: then wait, writing nothing, until resumed."""
    if not is_paused(resource):
        return await honour_deletion_policy(
            resource, connect=connect, secrets=secrets, events=events, options=options, namespaces=namespaces
        )
    policy = str(resource.spec.get("deletionPolicy") or "Orphan")
    message = (
        f'Deletion waits: the resource is paused ({ANNOTATION_PAUSED}="true"); remove the annotation '
        f"and deletionPolicy {policy} is honoured; nothing was written to Okta"
    )
    before = find(resource.status.get("conditions"), PAUSED)
    if before is None or before.get("message") != message:
        events("Warning", "DeletionPaused", message)
    conditions = _set(_conditions({}, resource), PAUSED, True, "Paused", message, resource, options)
    previous_ready = find(resource.status.get("conditions"))
    return Outcome(
        ready=previous_ready is not None and previous_ready.get("status") == "True",
        reason=Reason.PAUSED,
        message=message,
        status={"conditions": conditions},
        retry_after=PAUSED_DELETION_RECHECK,
    )
