"""httpx auth flows for the Management API: `SswsAuth` and `ServiceAppAuth` (OAuth 2.0 + DPoP).

`ServiceAppAuth` follows Okta's "Implement OAuth for Okta with a service app"
(https://developer.okta.com/docs/guides/implement-oauth-for-okta-serviceapp/main/) and "Configure
OAuth 2.0 Demonstrating Proof-of-Possession" (https://developer.okta.com/docs/guides/dpop/main/),
which implement RFC 9449 (https://www.rfc-editor.org/rfc/rfc9449):

- token: `POST {org}/oauth2/v1/token`, `grant_type=client_credentials`, the scopes, and a
  `private_key_jwt` client assertion (RFC 7523: iss = sub = client id, aud = the token endpoint,
  short exp, unique jti) signed with the service app's key. The assertion is rebuilt for every
  attempt: Okta consumes its jti even when it answers `use_dpop_nonce` (okta/okta-sdk-python,
  `okta/oauth.py`, does the same for that reason).
- every token request and API call carries a fresh `DPoP` proof (typ dpop+jwt, the public jwk,
  htm, htu, iat, jti; `ath` = b64url(SHA-256(access token)) on API calls, RFC 9449 §4.2), signed by a
  per-process P-256 key, never the client's key: the access token is bound to it (cnf.jkt).
- a 400/401 `use_dpop_nonce` with a `DPoP-Nonce` header is answered once more with that nonce
  (RFC 9449 §8 for the token endpoint, §9 for resource servers).
- access tokens are cached per (token endpoint, client, key, scopes) until shortly before
  `expires_in` ends; a 401 on a cached token drops it and the call is tried once with a new one.

The token request goes through the same httpx client (and transport) as the API call it serves,
so the client's retries (429, 5xx, transport errors) also cover it and rebuild the assertion.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import json
import secrets
import time
from collections.abc import AsyncGenerator, Callable, Generator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

import httpx

from .credentials import ServiceApp, SswsToken
from .errors import OktaAuthError, OktaProtocolError

# `cryptography` is imported where a JWT is signed or the DPoP key made, i.e. only with a service app:
# it costs about 8 MiB of resident memory (bench/memory.py) that SSWS tokens never need.
if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric import ec, rsa

TOKEN_PATH = "/oauth2/v1/token"
ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
# Okta accepts an assertion whose exp is at most an hour ahead; five minutes is plenty for one request.
ASSERTION_LIFETIME = 300
# Refresh this long before the token expires (or at half its life, when that is sooner), so a pass
# never starts a call with a token that dies on the way.
REFRESH_MARGIN = 60.0
_COORD = {"ES256": 32, "ES384": 48, "ES512": 66}


class SswsAuth(httpx.Auth):
    """`Authorization: SSWS <token>` on every request."""

    def __init__(self, credentials: SswsToken) -> None:
        self._credentials = credentials

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        request.headers["Authorization"] = f"SSWS {self._credentials.token}"
        yield request

    def __repr__(self) -> str:
        return "SswsAuth(<redacted>)"


# -- JWTs ---------------------------------------------------------------------------------------------


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _json_segment(value: dict[str, Any]) -> str:
    return b64url(json.dumps(value, separators=(",", ":")).encode())


def sign_jwt(
    header: dict[str, Any], claims: dict[str, Any], key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey
) -> str:
    """A compact JWS. `header["alg"]` must match the key (RS*/ES*); EC signatures are raw r||s (RFC 7518)."""
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
    from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

    alg = header["alg"]
    signing_input = f"{_json_segment(header)}.{_json_segment(claims)}".encode()
    digests: dict[str, hashes.HashAlgorithm] = {
        "256": hashes.SHA256(),
        "384": hashes.SHA384(),
        "512": hashes.SHA512(),
    }
    digest = digests[alg[2:]]
    if isinstance(key, rsa.RSAPrivateKey):
        signature = key.sign(signing_input, padding.PKCS1v15(), digest)
    else:
        r, s = decode_dss_signature(key.sign(signing_input, ec.ECDSA(digest)))
        size = _COORD[alg]
        signature = r.to_bytes(size, "big") + s.to_bytes(size, "big")
    return f"{signing_input.decode()}.{b64url(signature)}"


class DPoPKey:
    """The process's DPoP key (EC P-256): generated once, never written anywhere."""

    def __init__(self, key: ec.EllipticCurvePrivateKey | None = None) -> None:
        from cryptography.hazmat.primitives.asymmetric import ec

        self._key = key or ec.generate_private_key(ec.SECP256R1())
        numbers = self._key.public_key().public_numbers()
        self.jwk = {
            "kty": "EC",
            "crv": "P-256",
            "x": b64url(numbers.x.to_bytes(32, "big")),
            "y": b64url(numbers.y.to_bytes(32, "big")),
        }
        # RFC 7638 thumbprint: the required members in lexicographic order, no whitespace.
        canonical = json.dumps({k: self.jwk[k] for k in ("crv", "kty", "x", "y")}, separators=(",", ":"))
        self.thumbprint = b64url(hashlib.sha256(canonical.encode()).digest())

    def proof(
        self, method: str, url: str, now: float, *, nonce: str | None = None, access_token: str | None = None
    ) -> str:
        claims: dict[str, Any] = {
            "htm": method,
            "htu": htu(url),
            "iat": int(now),
            "jti": secrets.token_urlsafe(24),
        }
        if nonce is not None:
            claims["nonce"] = nonce
        if access_token is not None:
            claims["ath"] = b64url(hashlib.sha256(access_token.encode()).digest())
        return sign_jwt({"typ": "dpop+jwt", "alg": "ES256", "jwk": self.jwk}, claims, self._key)

    def __repr__(self) -> str:
        return f"DPoPKey(jkt={self.thumbprint!r})"


_process_key: DPoPKey | None = None


def process_dpop_key() -> DPoPKey:
    global _process_key
    if _process_key is None:
        _process_key = DPoPKey()
    return _process_key


def htu(url: str | httpx.URL) -> str:
    """RFC 9449 §4.2: the request URI without query and fragment."""
    return str(httpx.URL(url).copy_with(query=None, fragment=None))


def client_assertion(app: ServiceApp, token_url: str, now: float) -> str:
    header: dict[str, Any] = {"alg": app.algorithm, "typ": "JWT"}
    if app.key_id:
        header["kid"] = app.key_id
    claims = {
        "iss": app.client_id,
        "sub": app.client_id,
        "aud": token_url,
        "iat": int(now),
        "exp": int(now) + ASSERTION_LIFETIME,
        "jti": secrets.token_urlsafe(24),
    }
    return sign_jwt(header, claims, app.key)


# -- the token cache ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Cached:
    token: str = field(repr=False)
    refresh_at: float


class TokenCache:
    """Access tokens by (token endpoint, client/key/scopes digest, DPoP key). Values never leave it."""

    def __init__(self) -> None:
        self._tokens: dict[tuple[str, str, str], _Cached] = {}

    def get(self, key: tuple[str, str, str], now: float) -> str | None:
        cached = self._tokens.get(key)
        if cached is None or now >= cached.refresh_at:
            return None
        return cached.token

    def put(self, key: tuple[str, str, str], token: str, expires_in: float, now: float) -> None:
        margin = min(REFRESH_MARGIN, expires_in / 2)
        # Tokens of rotated keys or old scope sets are never asked for again: drop the stale ones.
        for stale in [k for k, cached in self._tokens.items() if cached.refresh_at <= now]:
            del self._tokens[stale]
        self._tokens[key] = _Cached(token, now + expires_in - margin)

    def drop(self, key: tuple[str, str, str], token: str) -> None:
        cached = self._tokens.get(key)
        if cached is not None and cached.token == token:
            del self._tokens[key]

    def __len__(self) -> int:
        return len(self._tokens)

    def __repr__(self) -> str:
        return f"TokenCache({len(self._tokens)} token(s))"


SHARED_CACHE = TokenCache()


# -- the flow ---------------------------------------------------------------------------------------


def _nonce_challenge(response: httpx.Response) -> str | None:
    """The new nonce when the response asks for one (`use_dpop_nonce`), else None."""
    nonce: str | None = response.headers.get("dpop-nonce")
    if not nonce or response.status_code not in (400, 401):
        return None
    if "use_dpop_nonce" in response.headers.get("www-authenticate", ""):
        return nonce
    return nonce if _oauth_error(response)[0] == "use_dpop_nonce" else None


def _oauth_error(response: httpx.Response) -> tuple[str | None, str | None]:
    try:
        body = json.loads(response.content) if response.content else None
    except (ValueError, UnicodeDecodeError):
        return None, None
    if not isinstance(body, dict):
        return None, None
    error, description = body.get("error"), body.get("error_description")
    return (
        error if isinstance(error, str) else None,
        description if isinstance(description, str) else None,
    )


class ServiceAppAuth(httpx.Auth):
    """`Authorization: DPoP <access token>` + `DPoP: <proof>`, getting and caching the token itself."""

    def __init__(
        self,
        credentials: ServiceApp,
        org_url: str,
        *,
        cache: TokenCache = SHARED_CACHE,
        dpop_key: DPoPKey | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._app = credentials
        self._token_url = org_url.rstrip("/") + TOKEN_PATH
        self._cache = cache
        self._dpop = dpop_key or process_dpop_key()
        self._clock = clock
        self._key = (self._token_url, credentials.digest, self._dpop.thumbprint)
        self._token_nonce: str | None = None  # the authorization server's latest DPoP-Nonce
        self._api_nonce: str | None = None  # the resource server's, if it ever asks for one
        self._lock = asyncio.Lock()

    def __repr__(self) -> str:
        return f"ServiceAppAuth(client_id={self._app.client_id!r}, token_url={self._token_url!r})"

    def sync_auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        raise RuntimeError("ServiceAppAuth works with httpx.AsyncClient only")
        yield request  # pragma: no cover  (makes this a generator)

    async def async_auth_flow(self, request: httpx.Request) -> AsyncGenerator[httpx.Request, httpx.Response]:
        token = self._cache.get(self._key, self._clock())
        fresh = False
        # Twice at most: a kept token the org no longer accepts (revoked, forgotten) gets one new token.
        for _ in range(2):
            if token is None:
                async with self._lock:
                    # Another request may have got one while this one waited for the lock.
                    token = self._cache.get(self._key, self._clock())
                    if token is None:
                        fresh = True
                        flow = self._token_flow()
                        token_request = await flow.__anext__()
                        while True:
                            token_response = yield token_request
                            await token_response.aread()  # requires_response_body only serves auth_flow
                            try:
                                token_request = await flow.asend(token_response)
                            except StopAsyncIteration:
                                break
                        token = self._cache.get(self._key, self._clock())
                        if token is None:
                            return  # the token endpoint's failure is the answer (429/5xx: the client retries)
            response = yield self._sign(request, token)
            await response.aread()
            nonce = _nonce_challenge(response)
            if nonce is not None:
                self._api_nonce = nonce
                response = yield self._sign(request, token)
                await response.aread()
            if response.status_code != 401 or fresh:
                return
            self._cache.drop(self._key, token)
            token = None

    def _sign(self, request: httpx.Request, token: str) -> httpx.Request:
        request.headers["Authorization"] = f"DPoP {token}"
        request.headers["DPoP"] = self._dpop.proof(
            request.method, str(request.url), self._clock(), nonce=self._api_nonce, access_token=token
        )
        return request

    def _token_request(self) -> httpx.Request:
        now = self._clock()
        form = {
            "grant_type": "client_credentials",
            "scope": " ".join(self._app.scopes),
            "client_assertion_type": ASSERTION_TYPE,
            "client_assertion": client_assertion(self._app, self._token_url, now),
        }
        return httpx.Request(
            "POST",
            self._token_url,
            content=urlencode(form).encode(),
            headers={
                "Accept": "application/json",
                "Content-Type": "application/x-www-form-urlencoded",
                "DPoP": self._dpop.proof("POST", self._token_url, now, nonce=self._token_nonce),
            },
        )

    async def _token_flow(self) -> AsyncGenerator[httpx.Request, httpx.Response]:
        """Yields token requests; on success the token is in the cache, else the last response stands."""
        response = yield self._token_request()
        nonce = _nonce_challenge(response)
        if nonce is not None:
            self._token_nonce = nonce
            response = yield self._token_request()  # a new assertion too: Okta spent the first jti
        status = response.status_code
        if status == 429 or status >= 500:
            return
        if status != 200:
            error, description = _oauth_error(response)
            what = f"{error}: {description}" if error and description else error or f"HTTP {status}"
            raise OktaAuthError(
                f"Okta {status}: the token endpoint refused service app {self._app.client_id!r} ({what})",
                status=status,
                error_code=error,
                error_summary=description,
                request_id=response.headers.get("x-okta-request-id"),
                operation="token",
            )
        try:
            body = json.loads(response.content)
            access_token, token_type = body["access_token"], body["token_type"]
            expires_in = float(body.get("expires_in", 3600))
        except (ValueError, KeyError, TypeError):
            raise OktaProtocolError("Okta token endpoint: unexpected answer", operation="token") from None
        if not isinstance(access_token, str) or not access_token or token_type != "DPoP":
            raise OktaProtocolError(
                f"Okta token endpoint: expected a DPoP-bound access token, got token_type {token_type!r}",
                operation="token",
            )
        self._cache.put(self._key, access_token, expires_in, self._clock())


def auth_for(credentials: SswsToken | ServiceApp, org_url: str, **options: Any) -> httpx.Auth:
    if isinstance(credentials, SswsToken):
        return SswsAuth(credentials)
    return ServiceAppAuth(credentials, org_url, **options)


__all__ = [
    "ASSERTION_TYPE",
    "SHARED_CACHE",
    "TOKEN_PATH",
    "DPoPKey",
    "ServiceAppAuth",
    "SswsAuth",
    "TokenCache",
    "auth_for",
    "client_assertion",
    "htu",
    "process_dpop_key",
    "sign_jwt",
]
