"""The Ready condition: its reasons and how a new observation updates the list (of any condition type)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from enum import StrEnum
from typing import Any

READY = "Ready"
# Whether Okta matches the spec, when the operator only looks (Observe, or paused): see plan/drift.py.
SYNCED = "Synced"
# True while the annotation okta.outsystems.dev/paused is "true"; Ready then keeps its last value.
PAUSED = "Paused"


class Reason(StrEnum):
    RECONCILED = "Reconciled"
    # managementPolicy Observe: both apps were found in Okta (differences are in Synced and status.drift).
    OBSERVED = "Observed"
    # managementPolicy Observe: an app was not found (no id in status, no spec.adopt, no marker found).
    OBSERVED_APP_NOT_FOUND = "ObservedAppNotFound"
    # The outcome of a paused pass (metrics, logs); never written as Ready's reason: Ready keeps its value.
    PAUSED = "Paused"
    INVALID_SPEC = "InvalidSpec"
    INSECURE_ORG_URL = "InsecureOrgUrl"
    CREDENTIALS_NOT_FOUND = "CredentialsNotFound"
    OKTA_AUTH_FAILED = "OktaAuthFailed"
    OKTA_FORBIDDEN = "OktaForbidden"
    OKTA_GROUP_NOT_FOUND = "OktaGroupNotFound"
    OKTA_AUTH_SERVER_NOT_FOUND = "OktaAuthorizationServerNotFound"
    OKTA_REJECTED = "OktaRejected"
    OKTA_RATE_LIMITED = "OktaRateLimited"
    OKTA_UNAVAILABLE = "OktaUnavailable"
    # No connection to the org at all (DNS failure, connection refused, TLS failure): a wrong orgUrl or
    # network, unlike a 5xx answer. Argo CD shows it Degraded after a few attempts (health.lua).
    OKTA_UNREACHABLE = "OktaUnreachable"
    # Not Okta's doing: the operator's own share of a rate-limit bucket (--okta-budget) stayed spent
    # longer than one request may wait (--okta-max-budget-wait); no 429 was received. Retried.
    OKTA_BUDGET_WAIT = "OktaBudgetWait"
    SECRET_CONFLICT = "SecretConflict"
    # spec.adopt names an app that cannot be adopted (missing, wrong type, another resource's), or
    # another app than the one this resource already manages.
    ADOPTION_REFUSED = "AdoptionRefused"
    # An app recorded in status is gone from Okta and is not replaced (spec.missingAppPolicy: Stop).
    OKTA_APP_DELETED = "OktaAppDeleted"
    # Okta answered 401 E0000015: the org lacks a feature (API Access Management for custom
    # authorization servers, Identity Engine for app sign-in policies). The token itself was accepted.
    OKTA_FEATURE_NOT_ENABLED = "OktaFeatureNotEnabled"
    # spec.okta.signInPolicyId names a policy Okta does not have, or one that is no app sign-in policy.
    OKTA_SIGN_IN_POLICY_NOT_FOUND = "OktaSignInPolicyNotFound"
    # An unexpected failure inside the operator (a bug, or the Kubernetes API failing): retried.
    RECONCILE_ERROR = "ReconcileError"
    # The authorization server would not let the assigned groups sign in (AuthorizationServerReady
    # says the same, with the same reason; see plan/access_policies.py).
    AUTHORIZATION_SERVER_INACTIVE = "AuthorizationServerInactive"
    NO_POLICY_FOR_CLIENTS = "NoPolicyForClients"
    GRANT_NOT_ALLOWED = "GrantNotAllowed"
    SCOPE_NOT_ALLOWED = "ScopeNotAllowed"
    GROUP_NOT_ALLOWED = "GroupNotAllowed"


# Reasons a retry cannot fix: the user must change the spec, a Secret or Okta.
TERMINAL = frozenset(
    {
        Reason.INVALID_SPEC,
        Reason.INSECURE_ORG_URL,
        Reason.CREDENTIALS_NOT_FOUND,
        Reason.OKTA_AUTH_FAILED,
        Reason.OKTA_FORBIDDEN,
        Reason.OKTA_GROUP_NOT_FOUND,
        Reason.OKTA_AUTH_SERVER_NOT_FOUND,
        Reason.OKTA_REJECTED,
        Reason.SECRET_CONFLICT,
        Reason.ADOPTION_REFUSED,
        Reason.OKTA_APP_DELETED,
        Reason.OKTA_FEATURE_NOT_ENABLED,
        Reason.OKTA_SIGN_IN_POLICY_NOT_FOUND,
        Reason.OBSERVED_APP_NOT_FOUND,
        Reason.AUTHORIZATION_SERVER_INACTIVE,
        Reason.NO_POLICY_FOR_CLIENTS,
        Reason.GRANT_NOT_ALLOWED,
        Reason.SCOPE_NOT_ALLOWED,
        Reason.GROUP_NOT_ALLOWED,
    }
)


# Ready=True reasons: Manage converged, Observe found both apps.
HEALTHY = frozenset({Reason.RECONCILED, Reason.OBSERVED})

# Reasons a retry fixes by itself. Every Reason is HEALTHY, TERMINAL, TRANSIENT or PAUSED (a test keeps
# it so).
TRANSIENT = frozenset(
    {
        Reason.OKTA_RATE_LIMITED,
        Reason.OKTA_UNAVAILABLE,
        Reason.OKTA_UNREACHABLE,
        Reason.OKTA_BUDGET_WAIT,
        Reason.RECONCILE_ERROR,
    }
)


def with_condition(
    conditions: Sequence[Mapping[str, Any]] | None,
    *,
    type_: str,
    status: bool | None,
    reason: str,
    message: str,
    generation: int | None,
    now: str,
) -> list[dict[str, Any]]:
    """The condition list with one condition set; lastTransitionTime moves only when status flips.

    `status` None is Unknown."""
    status_text = "Unknown" if status is None else "True" if status else "False"
    result: list[dict[str, Any]] = []
    previous: Mapping[str, Any] | None = None
    for condition in conditions or ():
        if condition.get("type") == type_:
            previous = condition
        else:
            result.append(dict(condition))
    transition = now
    if previous is not None and previous.get("status") == status_text and previous.get("lastTransitionTime"):
        transition = str(previous["lastTransitionTime"])
    new: dict[str, Any] = {
        "type": type_,
        "status": status_text,
        "reason": reason,
        "message": message,
        "lastTransitionTime": transition,
    }
    if generation is not None:
        new["observedGeneration"] = generation
    result.append(new)
    result.sort(key=lambda c: (c.get("type") != READY, str(c.get("type"))))
    return result


def find(conditions: Sequence[Mapping[str, Any]] | None, type_: str = READY) -> Mapping[str, Any] | None:
    for condition in conditions or ():
        if condition.get("type") == type_:
            return condition
    return None
