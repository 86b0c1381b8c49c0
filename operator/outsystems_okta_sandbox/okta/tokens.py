"""The tokens a custom authorization server mints, and their claims.

- Access token: a JWT (custom authorization servers issue JWT access tokens) with `ver`, `jti`
  (`AT.`...), `iss`, `aud` (the server's audience), `iat`, `exp`, `cid` (client id), `uid` (user
  id), `scp` (granted scopes), `auth_time`, `sub` (the user's login); lifetime from the rule's
  `accessTokenLifetimeMinutes`. (Okta's introspection example shows `uid`, `username`, `sub`; the
  claim names are those in Okta's discovery documents' `claims_supported`.)
- ID token: `sub` (user id), `ver`, `iss` (the discovery document's `issuer`), `aud` (client id),
  `iat`, `exp` ("ID Token expires after one hour", API Access Management troubleshooting), `jti`,
  `amr`, `idp`, `auth_time`, `nonce` when the authorize request had one, and the scope-dependent
  claims of OpenID Connect Core §5.4: `profile` → `name`, `preferred_username` (the login: what
  LifeTime matches users on), `given_name`, `family_name`; `email` → `email`, `email_verified`.
- `/token` response: OAUTHSPEC `TokenResponse` (`token_type` Bearer, `expires_in`, `access_token`,
  `scope`, `id_token` "if the `openid` scope is granted", `refresh_token` "if the `offline_access`
  scope is granted").
"""

from __future__ import annotations

import time
from typing import Any

from .grants import Authorization
from .ids import random_token
from .keys import SigningKey
from .users import UserRecord

ID_TOKEN_SECONDS = 3600


def profile_claims(user: UserRecord, scopes: list[str]) -> dict[str, Any]:
    claims: dict[str, Any] = {}
    if "profile" in scopes:
        claims.update(
            name=user.name,
            preferred_username=user.login,
            given_name=user.first_name,
            family_name=user.last_name,
        )
    if "email" in scopes:
        claims.update(email=user.email, email_verified=True)
    return claims


def access_token(
    key: SigningKey,
    *,
    issuer: str,
    audience: str,
    grant: Authorization,
    user: UserRecord,
    lifetime_seconds: int,
) -> str:
    now = int(time.time())
    return key.sign(
        {
            "ver": 1,
            "jti": "AT." + random_token(43),
            "iss": issuer,
            "aud": audience,
            "iat": now,
            "exp": now + lifetime_seconds,
            "cid": grant.client_id,
            "uid": user.id,
            "scp": list(grant.scopes),
            "auth_time": grant.auth_time,
            "sub": user.login,
        }
    )


def id_token(
    key: SigningKey, *, issuer: str, org_id: str, grant: Authorization, user: UserRecord, nonce: str | None
) -> str:
    now = int(time.time())
    claims: dict[str, Any] = {
        "sub": user.id,
        "ver": 1,
        "iss": issuer,
        "aud": grant.client_id,
        "iat": now,
        "exp": now + ID_TOKEN_SECONDS,
        "jti": "ID." + random_token(43),
        "amr": ["pwd"],
        "idp": org_id,
        "auth_time": grant.auth_time,
    }
    if nonce is not None:
        claims["nonce"] = nonce
    claims.update(profile_claims(user, grant.scopes))
    return key.sign(claims)
