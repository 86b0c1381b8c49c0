"""A stateful Okta Management API emulator ("the sandbox") over real HTTP.

Emulates the OIDC-app slice of Okta the operator uses (apps, client secrets, groups, app-group
assignments, authorization servers and their discovery documents) with Okta's documented rules,
error bodies, pagination and rate-limit headers, plus `/__sandbox/` test hooks for faults, lost
responses, latency and rate limits.
"""

from .recording import RecordedRequest
from .server import OktaSandbox, serve_forever
from .state import SandboxState

__all__ = ["OktaSandbox", "RecordedRequest", "SandboxState", "serve_forever"]
