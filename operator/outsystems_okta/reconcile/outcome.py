"""The result of one pass (reconcile or finalize): the status to write, whether and when to try again,
and the Warning that a new problem deserves."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from outsystems_okta.api.constants import ANNOTATION_RECONCILE_REQUESTED_AT
from outsystems_okta.okta.errors import (
    OktaAmbiguousError,
    OktaAuthError,
    OktaBudgetWaitError,
    OktaError,
    OktaFeatureNotEnabledError,
    OktaForbiddenError,
    OktaNotFoundError,
    OktaRateLimitedError,
    OktaUnavailableError,
    OktaUnreachableError,
    OktaValidationError,
)
from outsystems_okta.plan.backoff import attempt_time, failed_attempts
from outsystems_okta.plan.conditions import READY, Reason, with_condition
from outsystems_okta.reconcile.options import Options
from outsystems_okta.reconcile.ports import Resource


@dataclass(frozen=True)
class Outcome:
    ready: bool
    reason: Reason
    message: str
    # The status fields to merge into `.status` (conditions included).
    status: dict[str, Any] = field(default_factory=dict)
    # Seconds until the next attempt when the failure is worth retrying soon (backed off: see
    # plan/backoff.py); None: wait for a change of the resource or the drift interval.
    retry_after: float | None = None
    # Seconds until the next pass when nothing failed but a multi-step operation has its next step to
    # take: a client secret rotation that recorded its intent with the pass's status because the
    # caller gave the routine no status store (the operator always does, so it never sees one).
    follow_up: float | None = None
    # (app, field) restored in Okta because someone changed them there (drift corrections; control.py).
    corrected: tuple[tuple[str, str], ...] = ()


# How long to wait before retrying failures that a person has to fix outside the resource (a
# Secret, an Okta group or role): Kopf does not watch those, so the routine polls for them.
EXTERNAL_FIX_DELAY = 60.0
TRANSIENT_DELAY = 15.0


class Failure(Exception):
    """A pass stopped for a reason that is not an Okta error (the message is safe to show)."""

    def __init__(self, reason: Reason, message: str, retry_after: float | None) -> None:
        super().__init__(message)
        self.reason = reason
        self.retry_after = retry_after


def classify(exc: OktaError) -> tuple[Reason, float | None]:
    """The Ready reason for an Okta failure and how soon a retry makes sense."""
    if isinstance(exc, OktaBudgetWaitError):
        return Reason.OKTA_BUDGET_WAIT, max(exc.retry_after, 1.0)
    if isinstance(exc, OktaRateLimitedError):
        return Reason.OKTA_RATE_LIMITED, max(exc.retry_after, 1.0)
    if isinstance(exc, OktaUnreachableError):
        return Reason.OKTA_UNREACHABLE, TRANSIENT_DELAY
    if isinstance(exc, OktaUnavailableError):
        return Reason.OKTA_UNAVAILABLE, TRANSIENT_DELAY
    if isinstance(exc, OktaFeatureNotEnabledError):
        return Reason.OKTA_FEATURE_NOT_ENABLED, EXTERNAL_FIX_DELAY
    if isinstance(exc, OktaAuthError):
        return Reason.OKTA_AUTH_FAILED, EXTERNAL_FIX_DELAY
    if isinstance(exc, OktaForbiddenError):
        return Reason.OKTA_FORBIDDEN, EXTERNAL_FIX_DELAY
    if isinstance(exc, OktaValidationError):
        return Reason.OKTA_REJECTED, None
    if isinstance(exc, OktaAmbiguousError):
        return Reason.OKTA_GROUP_NOT_FOUND, EXTERNAL_FIX_DELAY
    if isinstance(exc, OktaNotFoundError):
        return Reason.OKTA_REJECTED, EXTERNAL_FIX_DELAY
    return Reason.OKTA_UNAVAILABLE, TRANSIENT_DELAY


_ERROR_ID = re.compile(r"\s*\(errorId [^)]*\)")


def _stable(message: str) -> str:
    """A failure message without the parts that change on every retry (Okta's errorId)."""
    return _ERROR_ID.sub("", message)


def is_new_problem(previous: Mapping[str, Any] | None, reason: Reason, message: str) -> bool:
    """One Warning per new problem, not one per retry: retries of the same failure stay quiet even
    though Okta stamps every error answer with a fresh errorId."""
    if previous is None:
        return True
    seen = (previous.get("status"), previous.get("reason"), _stable(str(previous.get("message", ""))))
    return seen != ("False", reason.value, _stable(message))


def make_outcome(
    resource: Resource,
    options: Options,
    *,
    ready: bool,
    reason: Reason,
    message: str,
    status: Mapping[str, Any] | None = None,
    retry_after: float | None = None,
    follow_up: float | None = None,
) -> Outcome:
    fields = dict(status or {})
    fields["observedGeneration"] = resource.generation
    now = options.now()
    if ready:
        # None drops the fields (merge patch): a success ends the run of failures.
        fields["failedAttempts"] = fields["nextAttemptTime"] = None
    else:
        attempts = failed_attempts(resource.status, reason)
        retry_after = options.backoff.delay(reason, attempts, retry_after)
        fields["failedAttempts"] = attempts
        fields["nextAttemptTime"] = None if retry_after is None else attempt_time(now, retry_after)
    requested = resource.annotations.get(ANNOTATION_RECONCILE_REQUESTED_AT)
    if requested is not None:
        # Echoed when the pass ends, success or failure: `kubectl wait` or a script sees it was handled.
        fields["lastHandledReconcileAt"] = requested
    fields["conditions"] = with_condition(
        # A step may have set another condition (AuthorizationServerReady) this pass: Ready joins it.
        fields.get("conditions", resource.status.get("conditions")),
        type_=READY,
        status=ready,
        reason=reason,
        message=message,
        generation=resource.generation,
        now=now,
    )
    return Outcome(
        ready=ready,
        reason=reason,
        message=message,
        status=fields,
        retry_after=retry_after,
        follow_up=follow_up,
    )


def unexpected_message(exc: BaseException) -> str:
    return f"Unexpected {type(exc).__name__} while reconciling: {str(exc)[:300]}"


def unexpected_failure(resource: Resource, exc: BaseException, options: Options) -> Outcome:
    """The outcome of a pass that raised instead of returning: not Ready, retried soon."""
    return make_outcome(
        resource,
        options,
        ready=False,
        reason=Reason.RECONCILE_ERROR,
        message=unexpected_message(exc),
        retry_after=TRANSIENT_DELAY,
    )
