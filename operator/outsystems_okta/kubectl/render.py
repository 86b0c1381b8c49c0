"""What `kubectl osokta status` and `lifetime` print, from the objects as read (pure: no I/O).

The resource is read as plain JSON, not through the pydantic models: `status` must describe a resource
whose spec the operator refused (InvalidSpec) too, and an older or newer operator's fields.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from outsystems_okta.api.constants import (
    ANNOTATION_PAUSED,
    DEFAULT_CONSOLES_LABEL,
    DEFAULT_TOOLS_LABEL,
)
from outsystems_okta.plan.handover import HANDOVER, MASK, WHERE, Action, Step
from outsystems_okta.plan.outputs import PREVIOUS_WEB_CLIENT_SECRET

# The order conditions are shown in; any other type follows in the order status has it.
CONDITION_ORDER = ("Ready", "AuthorizationServerReady", "Synced", "Paused")
EVENTS_SHOWN = 5

_APPS = (
    ("consoles", "OutSystems Consoles (Web app)", DEFAULT_CONSOLES_LABEL),
    ("developmentTools", "OutSystems Development Tools (Native app)", DEFAULT_TOOLS_LABEL),
)


def _map(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _list(value: Any) -> list[Any]:
    return list(value) if isinstance(value, list) else []


def conditions(status: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    found = [_map(c) for c in _list(status.get("conditions")) if _map(c).get("type")]
    rank = {name: i for i, name in enumerate(CONDITION_ORDER)}
    return sorted(found, key=lambda c: rank.get(str(c.get("type")), len(rank)))


def condition(status: Mapping[str, Any], type_: str) -> Mapping[str, Any] | None:
    return next((c for c in conditions(status) if c.get("type") == type_), None)


def _condition_line(c: Mapping[str, Any]) -> list[str]:
    line = f"  {c.get('type')}: {c.get('status', 'Unknown')}, Reason: {c.get('reason', '')}"
    if c.get("observedGeneration") is not None:
        line += f", Generation: {c.get('observedGeneration')}"
    lines = [line]
    if c.get("message"):
        lines.append(f"    Message: {c.get('message')}")
    return lines


def _groups(spec: Mapping[str, Any], app: Mapping[str, Any]) -> str:
    access = _map(spec.get("access"))
    names = [str(g) for g in _list(access.get("groups"))]
    ids = _list(app.get("assignedGroupIds"))
    if access.get("everyone"):
        return "Everyone"
    if not names:
        return "(none in spec.access.groups)"
    return f"{', '.join(names)} ({len(ids)} assigned by the operator)"


def _app_lines(spec: Mapping[str, Any], status: Mapping[str, Any]) -> list[str]:
    lines = ["Apps:"]
    labels = _map(spec.get("appLabels"))
    for role, title, default in _APPS:
        app = _map(status.get(role))
        lines.append(f"  {title}:")
        if not app:
            lines.append("    not created or found yet")
            continue
        adopted = bool(app.get("adopted"))
        label = labels.get(role) or ("(the adopted app's own)" if adopted else default)
        lines += [
            f"    App ID: {app.get('appId', '')}",
            f"    Client ID: {app.get('clientId', '')}",
            f"    Label: {label}",
            f"    Adopted: {'yes' if adopted else 'no'}",
            f"    Assigned groups: {_groups(spec, app)}",
        ]
    return lines


def _environment_lines(spec: Mapping[str, Any]) -> list[str]:
    lifetime = _map(spec.get("lifetime")).get("hostname", "")
    lines = ["Environments:", f"  LifeTime: {lifetime}"]
    for env in _list(spec.get("environments")):
        env = _map(env)
        lines.append(f"  {env.get('name', '')}: {env.get('hostname', '')}")
    return lines


def _rotation_lines(status: Mapping[str, Any]) -> list[str]:
    rotation = _map(status.get("clientSecretRotation"))
    if not rotation:
        return ["Client secret rotation: none"]
    lines = [
        "Client secret rotation:",
        f"  Phase: {rotation.get('phase', '')}",
        f"  Requested: {rotation.get('requested', '')} ({rotation.get('trigger', '')})",
    ]
    for key, title in (("startedAt", "Started at"), ("completedAt", "Completed at")):
        if rotation.get(key):
            lines.append(f"  {title}: {rotation.get(key)}")
    if rotation.get("message"):
        lines.append(f"  Message: {rotation.get('message')}")
    return lines


def _drift_lines(status: Mapping[str, Any]) -> list[str]:
    drift = [_map(d) for d in _list(status.get("drift"))]
    lines = ["Drift: none" if not drift else f"Drift ({len(drift)}):"]
    lines += [
        f"  {d.get('app')}/{d.get('field')}: wanted {d.get('wanted')}, found {d.get('found')}" for d in drift
    ]
    correction = _map(status.get("lastDriftCorrection"))
    if correction:
        fields = ", ".join(str(f) for f in _list(correction.get("fields")))
        lines.append(f"Last drift correction: {correction.get('time', '')}: {fields}")
    return lines


def _pause_line(annotations: Mapping[str, Any], status: Mapping[str, Any]) -> str:
    paused = condition(status, "Paused")
    asked = annotations.get(ANNOTATION_PAUSED) == "true"
    if paused is not None and paused.get("status") == "True":
        return "Paused: yes" + ("" if asked else " (annotation removed; the operator has not resumed yet)")
    if asked:
        return "Paused: requested (the operator has not paused yet)"
    return "Paused: no"


def event_time(event: Mapping[str, Any]) -> str:
    meta = _map(event.get("metadata"))
    return str(
        event.get("lastTimestamp")
        or event.get("eventTime")
        or event.get("firstTimestamp")
        or meta.get("creationTimestamp")
        or ""
    )


def last_events(events: Sequence[Mapping[str, Any]], count: int = EVENTS_SHOWN) -> list[Mapping[str, Any]]:
    """The newest `count` Events, oldest first (as `kubectl describe` lists them)."""
    return sorted(events, key=event_time)[-count:] if count > 0 else []


def _event_lines(events: Sequence[Mapping[str, Any]]) -> list[str]:
    shown = last_events(events)
    if not shown:
        return ["Events: none"]
    lines = [f"Events (last {len(shown)} of {len(events)}):"]
    for e in shown:
        count = e.get("count")
        times = f" (x{count})" if isinstance(count, int) and count > 1 else ""
        lines.append(
            f"  {event_time(e)}  {e.get('type', '')}  {e.get('reason', '')}{times}: {e.get('message', '')}"
        )
    return lines


def render_status(resource: Mapping[str, Any], events: Sequence[Mapping[str, Any]]) -> str:
    meta = _map(resource.get("metadata"))
    spec = _map(resource.get("spec"))
    status = _map(resource.get("status"))
    annotations = _map(meta.get("annotations"))
    observed = status.get("observedGeneration")
    observed_text = "none yet" if observed is None else observed
    lines = [
        f"Name: {meta.get('name', '')}",
        f"Namespace: {meta.get('namespace', '')}",
        f"Created at: {meta.get('creationTimestamp', '')}",
        f"Generation: {meta.get('generation', '')} (observed: {observed_text})",
    ]
    found = conditions(status)
    lines.append("Conditions:" if found else "Conditions: none yet (has the operator seen this resource?)")
    for c in found:
        lines += _condition_line(c)
    lines.append(_pause_line(annotations, status))
    lines += _app_lines(spec, status)
    lines += _environment_lines(spec)
    lines.append(f"Metadata URI: {status.get('metadataUri') or '(not yet known)'}")
    lines.append(f"Secret: {status.get('secretName') or '(not written yet)'}")
    lines.append(_authorization_server_line(status))
    lines += _rotation_lines(status)
    lines += _drift_lines(status)
    if status.get("lastHandledReconcileAt"):
        lines.append(f"Last handled reconcile request: {status.get('lastHandledReconcileAt')}")
    if status.get("failedAttempts"):
        lines.append(
            f"Failed attempts: {status.get('failedAttempts')}, next attempt: "
            f"{status.get('nextAttemptTime') or 'after a change of the spec'}"
        )
    lines += _event_lines(events)
    return "\n".join(lines) + "\n"


def _authorization_server_line(status: Mapping[str, Any]) -> str:
    check = condition(status, "AuthorizationServerReady")
    if check is None:
        return "Authorization server check: not run yet"
    verdict = "the assigned groups can sign in" if check.get("status") == "True" else "sign-in would fail"
    return f"Authorization server check: {verdict} ({check.get('reason', '')})"


# ---- lifetime ---------------------------------------------------------------------------------


def _value(step: Step, values: Mapping[str, str], show_secret: bool) -> str | None:
    if step.action is Action.CHOOSE:
        return step.option
    if step.key is None:
        return None
    value = values.get(step.key)
    if value is not None and step.secret and not show_secret:
        return MASK
    return value


def lifetime_data(
    values: Mapping[str, str], *, secret_name: str, namespace: str, show_secret: bool
) -> dict[str, Any]:
    """`lifetime -o json`: every step in the form's order; a masked secret is null, never a mask."""
    steps = []
    for number, step in enumerate(HANDOVER, start=1):
        value = _value(step, values, show_secret)
        item: dict[str, Any] = {"step": number, "label": step.label, "action": step.action.value}
        if step.key is not None:
            item["secretKey"] = step.key
        if step.action in (Action.TYPE, Action.CHOOSE):
            item["value"] = None if value == MASK else value
        if step.secret:
            item["masked"] = not show_secret
        if step.dialog:
            item["where"] = "Activate OpenID Connect provider"
        steps.append(item)
    return {
        "secret": {"namespace": namespace, "name": secret_name},
        "where": WHERE,
        "rotationPending": PREVIOUS_WEB_CLIENT_SECRET in values,
        "steps": steps,
    }


def render_lifetime(
    values: Mapping[str, str], *, secret_name: str, namespace: str, resource: str, show_secret: bool
) -> str:
    lines = [f"{WHERE}", f"(values from Secret {namespace}/{secret_name})", ""]
    width = max(len(step.label) for step in HANDOVER if step.action in (Action.TYPE, Action.CHOOSE))
    in_dialog = False
    for number, step in enumerate(HANDOVER, start=1):
        if step.dialog and not in_dialog:
            lines.append("    In the 'Activate OpenID Connect provider' pop-up:")
            in_dialog = True
        value = _value(step, values, show_secret)
        if step.action in (Action.TYPE, Action.CHOOSE):
            shown = "(missing from the Secret)" if value is None else value
            text = f"{step.label.ljust(width)}  {shown}"
            if step.secret and not show_secret:
                text += "   (--show-secret prints it)"
        elif step.action is Action.TICK:
            text = f"Tick '{step.label}'"
        else:
            text = f"Click {step.label}"
        if step.hint:
            text += f"   ({step.hint})"
        lines.append(f"{number:>2}. {text}")
    if PREVIOUS_WEB_CLIENT_SECRET in values:
        lines += [
            "",
            "A client secret rotation awaits confirmation: LifeTime cannot edit an active provider, so add "
            "a new one with these values (a new Name), activate it, delete the old one, then run "
            f"`kubectl osokta confirm-rotation {resource} -n {namespace}`.",
        ]
    return "\n".join(lines) + "\n"
