"""The result of one reconcile: the status to write and whether (and when) to try again."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from outsystems_okta.okta.errors import (
    OktaAmbiguousError,
    OktaAuthError,
    OktaError,
    OktaForbiddenError,
    OktaNotFoundError,
    OktaRateLimitedError,
    OktaUnavailableError,
    OktaValidationError,
)
from outsystems_okta.plan.conditions import Reason


@dataclass(frozen=True)
class Outcome:
    ready: bool
    reason: Reason
    message: str
    # The status fields to merge into `.status` (conditions included).
    status: dict[str, Any] = field(default_factory=dict)
    # Seconds until the next attempt when the failure is worth retrying soon; None: wait for a change
    # of the resource or the drift timer.
    retry_after: float | None = None


# How long to wait before retrying failures that a person has to fix outside the resource (a
# Secret, an Okta group or role): Kopf does not watch those, so the routine polls for them.
EXTERNAL_FIX_DELAY = 60.0
TRANSIENT_DELAY = 15.0


def classify(exc: OktaError) -> tuple[Reason, float | None]:
    """The Ready reason for an Okta failure and how soon a retry makes sense."""
    if isinstance(exc, OktaRateLimitedError):
        return Reason.OKTA_RATE_LIMITED, max(exc.retry_after, 1.0)
    if isinstance(exc, OktaUnavailableError):
        return Reason.OKTA_UNAVAILABLE, TRANSIENT_DELAY
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
