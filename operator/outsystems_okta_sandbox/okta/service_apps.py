"""The org authorization server for API service apps: `client_credentials` with a `private_key_jwt`
assertion and DPoP, and the check every `Authorization: DPoP` Management API call goes through.

Okta's behaviour, as documented ("Implement OAuth for Okta with a service app",
https://developer.okta.com/docs/guides/implement-oauth-for-okta-serviceapp/main/; "Configure OAuth 2.0
Demonstrating Proof-of-Possession", https://developer.okta.com/docs/guides/dpop/main/; RFC 9449):
- the assertion is signed by a key registered with the app (its public JWK), iss = sub = client id,
  aud = `{org}/oauth2/v1/token`, exp in the future and at most an hour ahead, a jti used once;
- the token request carries a DPoP proof (typ dpop+jwt, alg, public jwk; htm, htu, iat, jti); without
  the server's current nonce it is answered 400 `use_dpop_nonce` with a `DPoP-Nonce` header;
- scopes must all have been granted to the app (400 `invalid_scope` otherwise);
- the access token is bound to the proof's key (cnf.jkt); API calls send `Authorization: DPoP <token>`
  and a fresh proof with `ath`; a scope the token lacks gives Okta's 403 E0000006.
Everything is checked for real (signatures with joserfc), so a client that gets any of it wrong fails.
"""

from __future__ import annotations

import base64
import hashlib
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import ECKey, RSAKey, import_key
from joserfc.jws import extract_compact

from .errors import OAuthError, OktaError
from .ids import random_token

ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
TOKEN_PATH = "/oauth2/v1/token"
TOKEN_LIFETIME = 3600  # Okta: access tokens for Okta scopes live an hour, fixed
MAX_ASSERTION_LIFETIME = 3600
IAT_WINDOW = 60  # seconds either side of now a proof's iat may be
_ALGORITHMS = ["RS256", "RS384", "RS512", "ES256", "ES384", "ES512"]

# Which scope a Management API call needs: okta.<resource>.read for reads (manage also reads),
# okta.<resource>.manage for writes (the `security` of the operations in Okta's OpenAPI spec).
_RESOURCES = {
    "apps": "okta.apps",
    "groups": "okta.groups",
    "authorizationServers": "okta.authorizationServers",
    "policies": "okta.policies",
}


def required_scopes(method: str, path: str) -> set[str]:
    """The scopes any one of which lets a token make this call (empty: none applies)."""
    parts = path.split("/")  # "", "api", "v1", resource, ...
    base = _RESOURCES.get(parts[3]) if len(parts) > 3 else None
    if base is None:
        return set()
    if method in ("GET", "HEAD"):
        return {f"{base}.read", f"{base}.manage"}
    return {f"{base}.manage"}


@dataclass
class ServiceAppRecord:
    client_id: str
    keys: list[dict[str, Any]]  # public JWKs
    scopes: frozenset[str]  # granted (the app's "Okta API Scopes" tab)


@dataclass(frozen=True)
class IssuedToken:
    client_id: str
    scopes: frozenset[str]
    jkt: str  # the thumbprint of the DPoP key the token is bound to (cnf.jkt)
    expires_at: float


class DPoPRefused(Exception):
    """A Management API call whose DPoP token or proof is not acceptable (401), or lacks scope (403)."""

    def __init__(self, error: OktaError, challenge: str, nonce: str | None = None) -> None:
        super().__init__(error.summary)
        self.error = error
        self.challenge = challenge  # the WWW-Authenticate value
        self.nonce = nonce  # sent as DPoP-Nonce


class NonceRequired(OAuthError):
    def __init__(self, nonce: str, description: str) -> None:
        super().__init__("use_dpop_nonce", description, 400)
        self.nonce = nonce


def _b64url_sha256(value: str) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(value.encode()).digest()).rstrip(b"=").decode()


@dataclass
class OrgAuthServer:
    clock: Callable[[], float] = time.time
    apps: dict[str, ServiceAppRecord] = field(default_factory=dict)
    tokens: dict[str, IssuedToken] = field(default_factory=dict)
    nonce: str = field(default_factory=lambda: random_token(32))
    require_api_nonce: bool = False  # Okta does not ask for one on its own APIs today; a test may
    api_nonce: str = field(default_factory=lambda: random_token(32))
    # Used jtis until they could no longer be accepted anyway (the assertion's exp, the proof's iat
    # window), so a long-running sandbox does not grow without bound.
    _assertion_jtis: dict[str, float] = field(default_factory=dict)
    _proof_jtis: dict[str, float] = field(default_factory=dict)

    # ---- test hooks -------------------------------------------------------------------------------

    def register(self, client_id: str, jwk: dict[str, Any], scopes: list[str]) -> ServiceAppRecord:
        if not client_id:
            raise ValueError("clientId must not be empty")
        try:
            key = import_key(jwk)
        except (JoseError, ValueError, TypeError, KeyError):
            raise ValueError("jwk is not a valid JWK") from None
        if not isinstance(key, RSAKey | ECKey) or key.is_private:
            raise ValueError("jwk must be a public RSA or EC key")
        record = self.apps.get(client_id)
        if record is None:
            record = self.apps[client_id] = ServiceAppRecord(client_id, [], frozenset())
        record.keys.append(key.as_dict(private=False) | ({"kid": jwk["kid"]} if "kid" in jwk else {}))
        record.scopes = frozenset(scopes)
        return record

    def revoke_all(self) -> None:
        self.tokens.clear()

    def rotate_nonce(self) -> None:
        self.nonce = random_token(32)
        self.api_nonce = random_token(32)

    # ---- the token endpoint -------------------------------------------------------------------------

    def token(self, form: dict[str, str], dpop: str | None, token_url: str) -> dict[str, Any]:
        if form.get("grant_type") != "client_credentials":
            raise OAuthError("unsupported_grant_type", "The grant_type is not supported by this endpoint.")
        if form.get("client_assertion_type") != ASSERTION_TYPE or not form.get("client_assertion"):
            raise OAuthError(
                "invalid_client",
                "The client_assertion_type must be urn:ietf:params:oauth:client-assertion-type:jwt-bearer "
                "with a client_assertion (private_key_jwt is the only method for Okta scopes).",
                401,
            )
        app = self._verify_assertion(form["client_assertion"], token_url)
        if dpop is None:
            raise OAuthError("invalid_dpop_proof", "The DPoP proof JWT header is missing.")
        claims, jkt = self._verify_proof(dpop, "POST", token_url)
        if claims.get("nonce") != self.nonce:
            # RFC 9449 §8: the first proof has no nonce; the answer tells the client which to use.
            raise NonceRequired(self.nonce, "Authorization server requires nonce in DPoP proof.")
        requested = form.get("scope", "").split()
        if not requested:
            raise OAuthError("invalid_scope", "The 'scope' parameter must be provided for this grant.")
        missing = [scope for scope in requested if scope not in app.scopes]
        if missing:
            raise OAuthError(
                "invalid_scope", f"The following scopes were not granted to the client: {' '.join(missing)}"
            )
        access_token = random_token(64)
        self.tokens[access_token] = IssuedToken(
            app.client_id, frozenset(requested), jkt, self.clock() + TOKEN_LIFETIME
        )
        return {
            "token_type": "DPoP",
            "expires_in": TOKEN_LIFETIME,
            "access_token": access_token,
            "scope": " ".join(requested),
        }

    def _verify_assertion(self, assertion: str, token_url: str) -> ServiceAppRecord:
        def refuse(description: str) -> OAuthError:
            return OAuthError("invalid_client", description, 401)

        # Read unverified first only to learn the client, and so which keys may have signed it.
        try:
            compact = extract_compact(assertion.encode())
            header = compact.headers()
            unverified = json.loads(compact.payload)
        except (JoseError, ValueError, TypeError):
            raise refuse("The client_assertion is not a valid JWT.") from None
        if not isinstance(unverified, dict):
            raise refuse("The client_assertion is not a valid JWT.")
        app = self.apps.get(str(unverified.get("iss")))
        if app is None:
            raise refuse("The client_id is not known to this organization.")
        keys = [k for k in app.keys if "kid" not in header or k.get("kid") == header["kid"]]
        claims: dict[str, Any] | None = None
        for jwk in keys:
            try:
                claims = dict(jwt.decode(assertion, import_key(jwk), algorithms=_ALGORITHMS).claims)
                break
            except (JoseError, ValueError, TypeError):
                continue
        if claims is None:
            raise refuse("The client_assertion signature is invalid.")
        if claims.get("sub") != app.client_id:
            raise refuse("The client_assertion sub claim must be the client_id.")
        if claims.get("aud") != token_url:
            raise refuse(
                "The audience claim for client_assertion must be the endpoint invoked for the request."
            )
        now = self.clock()
        exp = claims.get("exp")
        if not isinstance(exp, int | float) or exp <= now:
            raise refuse("The client_assertion token is expired.")
        if exp > now + MAX_ASSERTION_LIFETIME + IAT_WINDOW:
            raise refuse("The client_assertion token has an expiration too far in the future.")
        jti = claims.get("jti")
        if not isinstance(jti, str) or not jti:
            raise refuse("The client_assertion token must have a jti claim.")
        if jti in self._assertion_jtis:
            raise refuse("The client_assertion token has already been used.")
        self._assertion_jtis[jti] = float(exp)  # spent even if the request fails later (nonce), as in Okta
        _forget_before(self._assertion_jtis, now)
        return app

    def _verify_proof(self, proof: str, method: str, url: str) -> tuple[dict[str, Any], str]:
        """The proof's claims and the thumbprint of its key; OAuthError invalid_dpop_proof otherwise."""

        def refuse(description: str) -> OAuthError:
            return OAuthError("invalid_dpop_proof", description)

        try:
            header = extract_compact(proof.encode()).headers()
        except (JoseError, ValueError, TypeError):
            raise refuse("The DPoP proof is not a JWT.") from None
        if header.get("typ") != "dpop+jwt":
            raise refuse("The DPoP proof typ must be dpop+jwt.")
        if header.get("alg") not in _ALGORITHMS:
            raise refuse("The DPoP proof alg must be an asymmetric algorithm.")
        raw = header.get("jwk")
        try:
            key = import_key(raw) if isinstance(raw, dict) else None
        except (JoseError, ValueError, TypeError):
            key = None
        if key is None or key.is_private:
            raise refuse("The DPoP proof jwk header must be a public key.")
        try:
            claims = dict(jwt.decode(proof, key, algorithms=[str(header["alg"])]).claims)
        except (JoseError, ValueError, TypeError):
            raise refuse("The DPoP proof signature is invalid.") from None
        if claims.get("htm") != method:
            raise refuse("The DPoP proof htm does not match the request method.")
        if claims.get("htu") != url:
            raise refuse("The DPoP proof htu does not match the request URL.")
        iat = claims.get("iat")
        if not isinstance(iat, int | float) or abs(iat - self.clock()) > IAT_WINDOW:
            raise refuse("The DPoP proof iat is outside the acceptable window.")
        jti = claims.get("jti")
        if not isinstance(jti, str) or not jti:
            raise refuse("The DPoP proof must have a jti claim.")
        if jti in self._proof_jtis:
            raise refuse("The DPoP proof jti has already been used.")
        now = self.clock()
        self._proof_jtis[jti] = now + 2 * IAT_WINDOW
        _forget_before(self._proof_jtis, now)
        return claims, key.thumbprint()

    # ---- Management API calls -----------------------------------------------------------------------

    def authenticate(
        self, authorization: str, proof: str | None, method: str, url: str, path: str
    ) -> IssuedToken:
        """The token behind `Authorization: DPoP <token>`, after checking the proof and the scope."""
        access_token = authorization[5:].strip()
        issued = self.tokens.get(access_token)
        invalid = OktaError(401, "E0000011", "Invalid token provided")
        if issued is None or issued.expires_at <= self.clock():
            raise DPoPRefused(
                invalid, 'DPoP error="invalid_token", error_description="The access token is invalid"'
            )
        if proof is None:
            raise DPoPRefused(invalid, _proof_challenge("The DPoP proof JWT header is missing."))
        try:
            claims, jkt = self._verify_proof(proof, method, url)
        except OAuthError as exc:
            raise DPoPRefused(invalid, _proof_challenge(exc.description)) from None
        if claims.get("ath") != _b64url_sha256(access_token):
            raise DPoPRefused(
                invalid, _proof_challenge("The DPoP proof ath does not match the access token.")
            )
        if jkt != issued.jkt:
            raise DPoPRefused(
                invalid, _proof_challenge("The DPoP proof key is not the one the token is bound to.")
            )
        if self.require_api_nonce and claims.get("nonce") != self.api_nonce:
            raise DPoPRefused(
                invalid,
                'DPoP error="use_dpop_nonce", error_description="Resource server requires nonce in DPoP '
                'proof"',
                self.api_nonce,
            )
        needed = required_scopes(method, path)
        if needed and not needed & issued.scopes:
            raise DPoPRefused(
                OktaError(403, "E0000006", "You do not have permission to perform the requested action"),
                'DPoP error="insufficient_scope", error_description="The access token provided does not '
                f'contain the required scopes: {" or ".join(sorted(needed))}."',
            )
        return issued


def _proof_challenge(description: str) -> str:
    return f'DPoP error="invalid_dpop_proof", error_description="{description}"'


def _forget_before(seen: dict[str, float], now: float) -> None:
    if len(seen) > 1000:
        for jti in [j for j, until in seen.items() if until < now]:
            del seen[jti]
