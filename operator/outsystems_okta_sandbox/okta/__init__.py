"""A stateful Okta Management API emulator ("the sandbox") over real HTTP.

Emulates the OIDC-app slice of Okta the operator uses (apps, client secrets, groups, app-group
assignments, authorization servers with their access policies and rules, users) with Okta's
documented rules, error bodies, pagination and rate-limit headers; its authorization servers sign
users in with the authorization code flow (`signin.sign_in` drives it over HTTP); `/__sandbox/`
test hooks add faults, lost responses, latency, rate limits, users and policies.
"""

from .recording import OAuthExchange, RecordedRequest
from .server import OktaSandbox, serve_forever
from .state import SandboxState
from .users import SeedUser

__all__ = ["OAuthExchange", "OktaSandbox", "RecordedRequest", "SandboxState", "SeedUser", "serve_forever"]
