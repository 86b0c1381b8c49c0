"""When the operator has handled a day-2 request, read from the resource (pure: no I/O).

Each request is answered where the README's "day-2" sections say: `reconcile-requested-at` in
status.lastHandledReconcileAt, `paused` in the Paused condition, a rotation in
status.clientSecretRotation (its `requested` must be ours: an older rotation's phase says nothing).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from outsystems_okta.kubectl.render import condition

# A rotation stops waiting here; AwaitingConfirmation and Completed are what `rotate` asks for.
ROTATION_DONE = {"AwaitingConfirmation": True, "Completed": True, "Blocked": False, "Failed": False}


@dataclass(frozen=True)
class Verdict:
    """`done`: stop waiting; `ok`: exit 0; `message`: the outcome, or the progress while not done."""

    done: bool
    ok: bool
    message: str


def _status(resource: Mapping[str, Any]) -> Mapping[str, Any]:
    status = resource.get("status")
    return status if isinstance(status, Mapping) else {}


def _ready(status: Mapping[str, Any]) -> tuple[bool, str]:
    ready = condition(status, "Ready")
    if ready is None:
        return False, "no Ready condition yet"
    text = f"Ready={ready.get('status')} ({ready.get('reason', '')})"
    if ready.get("message"):
        text += f": {ready.get('message')}"
    return ready.get("status") == "True", text


def reconcile_handled(resource: Mapping[str, Any], requested: str) -> Verdict:
    status = _status(resource)
    if status.get("lastHandledReconcileAt") != requested:
        return Verdict(False, False, "waiting for a pass to end")
    ok, ready = _ready(status)
    return Verdict(True, ok, f"reconciled: {ready}" if ok else f"the pass ended with {ready}")


def pause_handled(resource: Mapping[str, Any], *, paused: bool) -> Verdict:
    found = condition(_status(resource), "Paused")
    is_paused = found is not None and found.get("status") == "True"
    if is_paused != paused:
        return Verdict(False, False, f"waiting for the operator to {'pause' if paused else 'resume'}")
    if found is None:
        return Verdict(True, True, "not paused")
    message = f"Paused={found.get('status')} ({found.get('reason', '')})"
    if found.get("message"):
        message += f": {found.get('message')}"
    return Verdict(True, True, message)


def _rotation(resource: Mapping[str, Any]) -> Mapping[str, Any]:
    rotation = _status(resource).get("clientSecretRotation")
    return rotation if isinstance(rotation, Mapping) else {}


def rotation_handled(resource: Mapping[str, Any], requested: str) -> Verdict:
    rotation = _rotation(resource)
    if rotation.get("requested") != requested:
        return Verdict(False, False, "waiting for the operator to start the rotation")
    phase = str(rotation.get("phase", ""))
    message = f"rotation {requested!r}: {phase}: {rotation.get('message', '')}".rstrip(": ")
    if phase not in ROTATION_DONE:
        return Verdict(False, False, f"rotation {requested!r}: {phase}")
    return Verdict(True, ROTATION_DONE[phase], message)


def pending_rotation(resource: Mapping[str, Any]) -> str | None:
    """The value a confirmation must carry: the rotation awaiting one, if any."""
    rotation = _rotation(resource)
    if rotation.get("phase") == "AwaitingConfirmation" and rotation.get("requested"):
        return str(rotation["requested"])
    return None


def confirmation_handled(resource: Mapping[str, Any], requested: str) -> Verdict:
    rotation = _rotation(resource)
    phase = str(rotation.get("phase", ""))
    message = f"rotation {requested!r}: {phase}: {rotation.get('message', '')}".rstrip(": ")
    if rotation.get("ignoredConfirmation") == requested:
        return Verdict(True, False, f"confirmation {requested!r} ignored: {rotation.get('message', '')}")
    if rotation.get("requested") != requested:
        return Verdict(False, False, f"waiting: the rotation in status is {rotation.get('requested')!r}")
    if phase == "Completed":
        return Verdict(True, True, message)
    if phase == "Failed":
        return Verdict(True, False, message)
    return Verdict(False, False, f"rotation {requested!r}: {phase}, waiting for the old secret's removal")
