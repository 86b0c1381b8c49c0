"""When a day-2 request was handled, pure: what each waiting command reads from the resource."""

from __future__ import annotations

from typing import Any

import pytest

from outsystems_okta.kubectl.waits import (
    Verdict,
    confirmation_handled,
    pause_handled,
    pending_rotation,
    reconcile_handled,
    rotation_handled,
)


def resource(**status: Any) -> dict[str, Any]:
    return {"metadata": {"name": "factory"}, "status": status}


def ready(status: str, reason: str, message: str = "") -> dict[str, Any]:
    return {"type": "Ready", "status": status, "reason": reason, "message": message}


def test_reconcile_waits_for_its_own_value_then_reports_ready() -> None:
    assert reconcile_handled(resource(), "t2") == Verdict(False, False, "waiting for a pass to end")
    older = resource(lastHandledReconcileAt="t1", conditions=[ready("True", "Reconciled")])
    assert reconcile_handled(older, "t2").done is False
    done = resource(lastHandledReconcileAt="t2", conditions=[ready("True", "Reconciled", "all match")])
    assert reconcile_handled(done, "t2") == Verdict(
        True, True, "reconciled: Ready=True (Reconciled): all match"
    )


def test_a_pass_that_failed_ends_the_wait_as_a_failure() -> None:
    failed = resource(lastHandledReconcileAt="t2", conditions=[ready("False", "OktaForbidden", "grant it")])
    assert reconcile_handled(failed, "t2") == Verdict(
        True, False, "the pass ended with Ready=False (OktaForbidden): grant it"
    )
    no_ready = resource(lastHandledReconcileAt="t2")
    assert reconcile_handled(no_ready, "t2") == Verdict(
        True, False, "the pass ended with no Ready condition yet"
    )


def paused(status: str, reason: str) -> dict[str, Any]:
    return resource(conditions=[{"type": "Paused", "status": status, "reason": reason, "message": "m"}])


@pytest.mark.parametrize(
    ("obj", "want_paused", "expected"),
    [
        (resource(), True, Verdict(False, False, "waiting for the operator to pause")),
        (paused("False", "Resumed"), True, Verdict(False, False, "waiting for the operator to pause")),
        (paused("True", "Paused"), True, Verdict(True, True, "Paused=True (Paused): m")),
        (paused("True", "Paused"), False, Verdict(False, False, "waiting for the operator to resume")),
        (paused("False", "Resumed"), False, Verdict(True, True, "Paused=False (Resumed): m")),
        (resource(), False, Verdict(True, True, "not paused")),  # never paused: nothing to wait for
    ],
)
def test_pause_and_resume_wait_for_the_paused_condition(
    obj: dict[str, Any], want_paused: bool, expected: Verdict
) -> None:
    assert pause_handled(obj, paused=want_paused) == expected


def rotation(**fields: Any) -> dict[str, Any]:
    return resource(clientSecretRotation={"trigger": "Annotation", "message": "msg", **fields})


@pytest.mark.parametrize(
    ("phase", "done", "ok"),
    [
        ("Creating", False, False),
        ("AwaitingConfirmation", True, True),
        ("Completed", True, True),
        ("Blocked", True, False),
        ("Failed", True, False),
    ],
)
def test_rotate_waits_for_its_own_rotation_to_leave_creating(phase: str, done: bool, ok: bool) -> None:
    verdict = rotation_handled(rotation(phase=phase, requested="r2"), "r2")
    assert (verdict.done, verdict.ok) == (done, ok)
    assert verdict.message == (f"rotation 'r2': {phase}: msg" if done else "rotation 'r2': Creating")


def test_an_older_rotation_in_status_says_nothing_about_this_one() -> None:
    assert rotation_handled(rotation(phase="Completed", requested="r1"), "r2") == Verdict(
        False, False, "waiting for the operator to start the rotation"
    )
    assert rotation_handled(resource(), "r2").done is False


def test_the_pending_rotation_is_the_one_awaiting_confirmation() -> None:
    assert pending_rotation(rotation(phase="AwaitingConfirmation", requested="r1")) == "r1"
    assert pending_rotation(rotation(phase="Completed", requested="r1")) is None
    assert pending_rotation(rotation(phase="Creating", requested="r1")) is None
    assert pending_rotation(resource()) is None


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        (
            {"phase": "AwaitingConfirmation", "requested": "r1"},
            Verdict(
                False, False, "rotation 'r1': AwaitingConfirmation, waiting for the old secret's removal"
            ),
        ),
        ({"phase": "Completed", "requested": "r1"}, Verdict(True, True, "rotation 'r1': Completed: msg")),
        ({"phase": "Failed", "requested": "r1"}, Verdict(True, False, "rotation 'r1': Failed: msg")),
        (
            {"phase": "AwaitingConfirmation", "requested": "r0", "ignoredConfirmation": "r1"},
            Verdict(True, False, "confirmation 'r1' ignored: msg"),
        ),
        (
            {"phase": "Completed", "requested": "r0"},
            Verdict(False, False, "waiting: the rotation in status is 'r0'"),
        ),
    ],
)
def test_confirm_waits_for_completed(fields: dict[str, Any], expected: Verdict) -> None:
    assert confirmation_handled(rotation(**fields), "r1") == expected
