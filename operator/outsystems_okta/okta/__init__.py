"""Okta Management API client (async, httpx): apps, client secrets, group assignments, auth servers
and their access policies.

async with OktaClient("https://acme.okta.com", token) as okta:
    app = await okta.get_app(app_id)
"""

from .access_policies import AccessPolicy, AccessPolicyRule, AuthorizationServer
from .buckets import bucket_for
from .client import OktaClient
from .errors import (
    OktaAmbiguousError,
    OktaAuthError,
    OktaBudgetWaitError,
    OktaError,
    OktaFeatureNotEnabledError,
    OktaForbiddenError,
    OktaNotFoundError,
    OktaProtocolError,
    OktaRateLimitedError,
    OktaUnavailableError,
    OktaUnreachableError,
    OktaValidationError,
)
from .pacer import Pacing
from .pool import OktaClientPool
from .readonly import OktaReadOnlyError, ReadOnlyTransport, read_only_client
from .retry import RetryPolicy
from .telemetry import ResponseInfo

__all__ = [
    "AccessPolicy",
    "AccessPolicyRule",
    "AuthorizationServer",
    "OktaAmbiguousError",
    "OktaAuthError",
    "OktaBudgetWaitError",
    "OktaClient",
    "OktaClientPool",
    "OktaError",
    "OktaFeatureNotEnabledError",
    "OktaForbiddenError",
    "OktaNotFoundError",
    "OktaProtocolError",
    "OktaRateLimitedError",
    "OktaReadOnlyError",
    "OktaUnavailableError",
    "OktaUnreachableError",
    "OktaValidationError",
    "Pacing",
    "ReadOnlyTransport",
    "ResponseInfo",
    "RetryPolicy",
    "bucket_for",
    "read_only_client",
]
