"""reconcile/outcome.py: the reason of an unreachable org, and the back-off and echo fields in status."""

from __future__ import annotations

from typing import Any

from outsystems_okta.api.constants import ANNOTATION_RECONCILE_REQUESTED_AT
from outsystems_okta.okta.errors import OktaUnavailableError, OktaUnreachableError
from outsystems_okta.plan.backoff import Backoff
from outsystems_okta.plan.conditions import Reason
from outsystems_okta.reconcile.options import Options
from outsystems_okta.reconcile.outcome import TRANSIENT_DELAY, classify, make_outcome, unexpected_failure
from outsystems_okta.reconcile.ports import Resource

OPTIONS = Options(now=lambda: "2026-12-02T10:00:00Z")


def resource(status: dict[str, Any] | None = None, annotations: dict[str, str] | None = None) -> Resource:
    return Resource("ns", "factory", "uid-1", 3, {}, status or {}, annotations or {})


def failing(reason: Reason, attempts: int) -> dict[str, Any]:
    return {
        "failedAttempts": attempts,
        "conditions": [
            {"type": "Ready", "status": "False", "reason": reason.value, "lastTransitionTime": "t"}
        ],
    }


def test_unreachable_has_its_own_reason() -> None:
    assert classify(OktaUnreachableError("Okta getApp: ConnectError (refused)")) == (
        Reason.OKTA_UNREACHABLE,
        TRANSIENT_DELAY,
    )
    assert classify(OktaUnavailableError("Okta 503")) == (Reason.OKTA_UNAVAILABLE, TRANSIENT_DELAY)


def test_a_first_failure_schedules_the_first_delay() -> None:
    outcome = make_outcome(
        resource(), OPTIONS, ready=False, reason=Reason.OKTA_UNREACHABLE, message="m", retry_after=15.0
    )
    assert outcome.retry_after == 15.0
    assert outcome.status["failedAttempts"] == 1
    assert outcome.status["nextAttemptTime"] == "2026-12-02T10:00:15Z"


def test_the_same_failure_again_backs_off() -> None:
    outcome = make_outcome(
        resource(failing(Reason.OKTA_UNREACHABLE, 3)),
        OPTIONS,
        ready=False,
        reason=Reason.OKTA_UNREACHABLE,
        message="m",
        retry_after=15.0,
    )
    assert (outcome.retry_after, outcome.status["failedAttempts"]) == (120.0, 4)
    assert outcome.status["nextAttemptTime"] == "2026-12-02T10:02:00Z"


def test_the_configured_base_is_used() -> None:
    options = Options(now=OPTIONS.now, backoff=Backoff(base=1.0))
    outcome = make_outcome(
        resource(failing(Reason.OKTA_UNREACHABLE, 1)),
        options,
        ready=False,
        reason=Reason.OKTA_UNREACHABLE,
        message="m",
        retry_after=15.0,
    )
    assert outcome.retry_after == 2.0


def test_a_failure_only_a_spec_change_fixes_has_no_next_attempt() -> None:
    outcome = make_outcome(resource(), OPTIONS, ready=False, reason=Reason.INVALID_SPEC, message="m")
    assert outcome.retry_after is None
    assert outcome.status["failedAttempts"] == 1 and outcome.status["nextAttemptTime"] is None


def test_success_drops_the_back_off_fields() -> None:
    outcome = make_outcome(
        resource(failing(Reason.OKTA_UNREACHABLE, 5)),
        OPTIONS,
        ready=True,
        reason=Reason.RECONCILED,
        message="ok",
    )
    # None removes a field in the merge patch.
    assert outcome.status["failedAttempts"] is None and outcome.status["nextAttemptTime"] is None
    assert outcome.retry_after is None


def test_the_reconcile_request_is_echoed_on_success_and_failure() -> None:
    asked = resource(annotations={ANNOTATION_RECONCILE_REQUESTED_AT: "now-please"})
    ok = make_outcome(asked, OPTIONS, ready=True, reason=Reason.RECONCILED, message="ok")
    assert ok.status["lastHandledReconcileAt"] == "now-please"
    failed = unexpected_failure(asked, RuntimeError("boom"), OPTIONS)
    assert failed.status["lastHandledReconcileAt"] == "now-please"
    assert (
        "lastHandledReconcileAt"
        not in make_outcome(resource(), OPTIONS, ready=True, reason=Reason.RECONCILED, message="ok").status
    )
