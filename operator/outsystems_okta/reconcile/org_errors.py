"""An Okta failure as the user reads it: Okta's own words, then what the org lacks (a feature, an
admin role) when that is what stopped the pass (the words themselves are in plan/org_messages.py)."""

from __future__ import annotations

from outsystems_okta.okta.errors import OktaError, OktaFeatureNotEnabledError, OktaForbiddenError
from outsystems_okta.plan.org_messages import explained, feature_not_enabled, forbidden


def describe(exc: OktaError) -> str:
    if isinstance(exc, OktaFeatureNotEnabledError):
        return explained(str(exc), feature_not_enabled(exc.operation))
    if isinstance(exc, OktaForbiddenError):
        return explained(str(exc), forbidden(exc.operation))
    return str(exc)
