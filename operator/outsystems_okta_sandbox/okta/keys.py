"""An authorization server's signing key: RS256 JWTs and the JSON Web Key Set at `/v1/keys`.

Okta signs ID and access tokens with RS256 and publishes the public keys at the discovery
document's `jwks_uri` (OAUTHSPEC `oauthKeysCustomAS`, example `OAuthKeysExample`: `alg`, `e`, `n`,
`kid`, `kty`, `use`). The key pair is made on first use: a 2048-bit RSA key costs tens of
milliseconds, and most sandboxes never sign anything.
"""

from __future__ import annotations

from typing import Any

from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import RSAKey

ALGORITHM = "RS256"
KEY_BITS = 2048


class SigningKey:
    def __init__(self, kid: str) -> None:
        self.kid = kid
        self._key: RSAKey | None = None

    def _private(self) -> RSAKey:
        if self._key is None:
            self._key = RSAKey.generate_key(
                KEY_BITS, parameters={"kid": self.kid, "use": "sig", "alg": ALGORITHM}, private=True
            )
        return self._key

    def public_jwk(self) -> dict[str, Any]:
        jwk = self._private().as_dict(private=False)
        return {key: jwk[key] for key in ("kty", "alg", "kid", "use", "e", "n")}

    def sign(self, claims: dict[str, Any]) -> str:
        """A compact JWS; the header names the key, as Okta's do (`{"kid": ..., "alg": "RS256"}`)."""
        return jwt.encode({"alg": ALGORITHM, "kid": self.kid}, claims, self._private())

    def verify(self, token: str) -> dict[str, Any] | None:
        """The claims of a token this key signed, or None (bad signature or not a JWT)."""
        try:
            decoded = jwt.decode(token, self._private(), algorithms=[ALGORITHM])
        except (JoseError, ValueError, TypeError):
            return None
        if decoded.header.get("kid") != self.kid:
            return None
        return dict(decoded.claims)
