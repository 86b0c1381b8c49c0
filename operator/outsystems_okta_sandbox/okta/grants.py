"""What the authorization server remembers between `/authorize` and `/token`: authorization codes
and refresh tokens.

- Codes: "The code has a lifetime of 300 seconds" (OAUTHSPEC `TokenRequestAuthorizationCode`);
  single use (RFC 6749 §4.1.2: "The client MUST NOT use the authorization code more than once").
- Refresh tokens: opaque; their lifetime and idle window come from the rule that granted them
  (`refreshTokenLifetimeMinutes`, 0 = unlimited; `refreshTokenWindowMinutes`). Web and native apps
  keep the same refresh token (STATIC rotation, "persistent refresh token behavior as the default",
  developer.okta.com/docs/guides/refresh-tokens); ROTATE issues a new one and the old one stays
  valid for the app's `leeway` seconds.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from .ids import random_token

CODE_SECONDS = 300
_URLSAFE = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"


@dataclass
class Authorization:
    """Who signed in to which client, with what, under which policy rule."""

    server_id: str
    client_id: str
    user_id: str
    scopes: list[str]
    policy_id: str
    rule_id: str
    auth_time: int


@dataclass
class AuthorizationCode:
    value: str
    grant: Authorization
    redirect_uri: str
    nonce: str | None
    code_challenge: str | None
    expires_at: float
    used: bool = False

    def usable(self, now: float | None = None) -> bool:
        return not self.used and (now or time.time()) < self.expires_at


@dataclass
class RefreshToken:
    value: str
    grant: Authorization
    expires_at: float | None  # None: unlimited lifetime
    window_seconds: int
    last_used: float = field(default_factory=time.time)
    revoke_at: float | None = None  # set when rotated: valid until then (the leeway)

    def usable(self, now: float | None = None) -> bool:
        moment = now or time.time()
        if self.expires_at is not None and moment >= self.expires_at:
            return False
        if self.revoke_at is not None and moment >= self.revoke_at:
            return False
        return moment < self.last_used + self.window_seconds


class GrantStore:
    def __init__(self) -> None:
        self.codes: dict[str, AuthorizationCode] = {}
        self.refresh_tokens: dict[str, RefreshToken] = {}

    def clear(self) -> None:
        self.codes.clear()
        self.refresh_tokens.clear()

    def new_code(
        self, grant: Authorization, redirect_uri: str, nonce: str | None, code_challenge: str | None
    ) -> AuthorizationCode:
        now = time.time()
        # Expired codes are dropped as new ones are made, so a long-running sandbox stays small.
        self.codes = {key: code for key, code in self.codes.items() if code.expires_at > now}
        code = AuthorizationCode(
            random_token(43, _URLSAFE), grant, redirect_uri, nonce, code_challenge, now + CODE_SECONDS
        )
        self.codes[code.value] = code
        return code

    def new_refresh_token(
        self, grant: Authorization, lifetime_minutes: int, window_minutes: int
    ) -> RefreshToken:
        now = time.time()
        expires = None if lifetime_minutes == 0 else now + lifetime_minutes * 60
        token = RefreshToken(random_token(43, _URLSAFE), grant, expires, window_minutes * 60, now)
        self.refresh_tokens[token.value] = token
        return token
