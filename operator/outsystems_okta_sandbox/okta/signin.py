"""Sign a user in the way LifeTime and Service Studio do, over HTTP, without a browser.

`sign_in()` reads the authorization server's OpenID Connect discovery document (what LifeTime's
"Well-known Configuration URL" points at), sends the user to `authorization_endpoint` with the
authorization code flow, exchanges the code at `token_endpoint` (client secret for the Consoles
app; PKCE S256 for the Development Tools app) and checks the ID token against the keys at
`jwks_uri`: signature, `iss`, `aud`, `exp`, `nonce`.

The user is named with `login_hint`: the Okta sandbox has no sign-in form and takes it as the user
who signs in (against a real Okta org this helper stops at the sign-in page).

    result = await sign_in(sandbox.url, "default", web_client_id, redirect_uri, "it.admin@example.com",
                           client_secret=secret, pkce=False)
    assert result.ok, result.describe()
    result.id_claims["preferred_username"]            # "it.admin@example.com"
    again = await refresh(sandbox.url, "default", web_client_id, result.refresh_token, client_secret=secret)
"""

from __future__ import annotations

import base64
import hashlib
import html
import re
import secrets
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import httpx
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet

# What LifeTime asks for (the LifeTime Secret's `scopes`).
LIFETIME_SCOPES = ("openid", "email", "profile", "offline_access")
_PAGE_FIELD = re.compile(r'<span id="(?P<key>[a-z-]+)">(?P<value>[^<]*)</span>')


@dataclass(frozen=True)
class SignInResult:
    """`ok` with tokens and the verified ID token's claims, or the step that refused and why."""

    ok: bool
    step: str  # "discovery", "authorize", "token" or "id_token"
    status: int  # the HTTP status of that step
    error: str | None = None
    error_description: str | None = None
    tokens: dict[str, Any] = field(default_factory=dict)
    id_claims: dict[str, Any] = field(default_factory=dict)

    @property
    def access_token(self) -> str | None:
        return self.tokens.get("access_token")

    @property
    def id_token(self) -> str | None:
        return self.tokens.get("id_token")

    @property
    def refresh_token(self) -> str | None:
        return self.tokens.get("refresh_token")

    def describe(self) -> str:
        """One line for an assertion message or a demo's output (never a token)."""
        if self.ok:
            who = self.id_claims.get("preferred_username") or self.id_claims.get("sub", "?")
            return f"signed in as {who} (scopes: {self.tokens.get('scope', '')})"
        return f"refused at {self.step} (HTTP {self.status}): {self.error}: {self.error_description}"


@dataclass(frozen=True)
class Metadata:
    issuer: str
    authorization_endpoint: str
    token_endpoint: str
    jwks_uri: str


def _failure(step: str, response: httpx.Response) -> SignInResult:
    error, description = "http_error", response.text[:200]
    try:
        body = response.json()
    except ValueError:
        body = None
    if isinstance(body, dict) and "error" in body:
        error, description = str(body["error"]), str(body.get("error_description", ""))
    elif isinstance(body, dict) and "errorCode" in body:
        error, description = str(body["errorCode"]), str(body.get("errorSummary", ""))
    return SignInResult(False, step, response.status_code, error, description)


def pkce_pair() -> tuple[str, str]:
    """(code_verifier, code_challenge) for S256 (RFC 7636 §4.1-4.2)."""
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).decode().rstrip("=")
    return verifier, challenge


async def discover(http: httpx.AsyncClient, base_url: str, auth_server: str) -> Metadata | httpx.Response:
    url = f"{base_url.rstrip('/')}/oauth2/{auth_server}/.well-known/openid-configuration"
    response = await http.get(url)
    if response.status_code != 200:
        return response
    doc = response.json()
    return Metadata(doc["issuer"], doc["authorization_endpoint"], doc["token_endpoint"], doc["jwks_uri"])


def _client_auth(
    client_id: str, client_secret: str | None, method: str
) -> tuple[dict[str, str], dict[str, str]]:
    """(form fields, headers) for client_secret_basic, client_secret_post or a public client."""
    if client_secret is None:
        return {"client_id": client_id}, {}
    if method == "client_secret_post":
        return {"client_id": client_id, "client_secret": client_secret}, {}
    pair = f"{client_id}:{client_secret}".encode()
    return {}, {"Authorization": "Basic " + base64.b64encode(pair).decode()}


async def _token(
    http: httpx.AsyncClient,
    metadata: Metadata,
    client_id: str,
    form: dict[str, str],
    *,
    client_secret: str | None,
    client_auth: str,
    nonce: str | None,
) -> SignInResult:
    fields, headers = _client_auth(client_id, client_secret, client_auth)
    response = await http.post(metadata.token_endpoint, data={**form, **fields}, headers=headers)
    if response.status_code != 200:
        return _failure("token", response)
    tokens = response.json()
    claims: dict[str, Any] = {}
    if "id_token" in tokens:
        checked = await _verify_id_token(http, metadata, tokens["id_token"], client_id, nonce)
        if isinstance(checked, str):
            return SignInResult(False, "id_token", 200, "invalid_id_token", checked, tokens)
        claims = checked
    return SignInResult(True, "token", 200, tokens=tokens, id_claims=claims)


async def _verify_id_token(
    http: httpx.AsyncClient, metadata: Metadata, token: str, client_id: str, nonce: str | None
) -> dict[str, Any] | str:
    """The claims, or why the token can't be trusted."""
    keys = KeySet.import_key_set((await http.get(metadata.jwks_uri)).json())
    try:
        decoded = jwt.decode(token, keys, algorithms=["RS256"])
    except (JoseError, ValueError) as exc:
        return f"signature: {exc}"
    claims = dict(decoded.claims)
    if claims.get("iss") != metadata.issuer:
        return f"iss {claims.get('iss')!r} is not the discovery document's issuer {metadata.issuer!r}"
    if claims.get("aud") != client_id:
        return f"aud {claims.get('aud')!r} is not {client_id!r}"
    if not isinstance(claims.get("exp"), int) or claims["exp"] <= time.time():
        return "expired"
    if nonce is not None and claims.get("nonce") != nonce:
        return "nonce does not match"
    return claims


@asynccontextmanager
async def _client(http: httpx.AsyncClient | None) -> AsyncIterator[httpx.AsyncClient]:
    """The caller's client, or one of our own for this call only."""
    if http is not None:
        yield http
        return
    async with httpx.AsyncClient(timeout=10) as own:
        yield own


async def sign_in(
    base_url: str,
    auth_server: str,
    client_id: str,
    redirect_uri: str,
    user: str,
    *,
    client_secret: str | None = None,
    pkce: bool = True,
    scopes: tuple[str, ...] | list[str] = LIFETIME_SCOPES,
    client_auth: str = "client_secret_basic",
    http: httpx.AsyncClient | None = None,
) -> SignInResult:
    """Sign `user` (a login) in to `client_id` on `auth_server`; see the module docstring."""
    async with _client(http) as client:
        metadata = await discover(client, base_url, auth_server)
        if isinstance(metadata, httpx.Response):
            return _failure("discovery", metadata)
        state, nonce = secrets.token_urlsafe(16), secrets.token_urlsafe(16)
        params = {
            "client_id": client_id,
            "response_type": "code",
            "redirect_uri": redirect_uri,
            "scope": " ".join(scopes),
            "state": state,
            "nonce": nonce,
            "login_hint": user,
        }
        verifier = None
        if pkce:
            verifier, challenge = pkce_pair()
            params.update(code_challenge=challenge, code_challenge_method="S256")
        response = await client.get(metadata.authorization_endpoint, params=params, follow_redirects=False)
        if response.status_code != 302:
            return _page_failure(response)
        location = response.headers["Location"]
        parts = urlsplit(location)
        answer = dict(parse_qsl(parts.query or parts.fragment))
        if answer.get("state") != state:
            return SignInResult(False, "authorize", 302, "state_mismatch", f"redirected to {parts.path}")
        if "error" in answer:
            return SignInResult(False, "authorize", 302, answer["error"], answer.get("error_description"))
        if location.split("?", 1)[0].split("#", 1)[0] != redirect_uri.split("?", 1)[0]:
            return SignInResult(False, "authorize", 302, "wrong_redirect", "redirected elsewhere")
        form = {"grant_type": "authorization_code", "code": answer["code"], "redirect_uri": redirect_uri}
        if verifier is not None:
            form["code_verifier"] = verifier
        return await _token(
            client,
            metadata,
            client_id,
            form,
            client_secret=client_secret,
            client_auth=client_auth,
            nonce=nonce,
        )


def _page_failure(response: httpx.Response) -> SignInResult:
    """Okta's error page (400) or sign-in page (200): the labelled fields the sandbox renders."""
    fields = {match["key"]: html.unescape(match["value"]) for match in _PAGE_FIELD.finditer(response.text)}
    if "error-code" in fields:
        return SignInResult(
            False, "authorize", response.status_code, fields["error-code"], fields.get("description")
        )
    if "message" in fields:
        return SignInResult(False, "authorize", response.status_code, "sign_in_page", fields["message"])
    return _failure("authorize", response)


async def refresh(
    base_url: str,
    auth_server: str,
    client_id: str,
    refresh_token: str,
    *,
    client_secret: str | None = None,
    scopes: tuple[str, ...] | list[str] | None = None,
    client_auth: str = "client_secret_basic",
    http: httpx.AsyncClient | None = None,
) -> SignInResult:
    """The refresh token grant (what LifeTime does to keep its session)."""
    async with _client(http) as client:
        metadata = await discover(client, base_url, auth_server)
        if isinstance(metadata, httpx.Response):
            return _failure("discovery", metadata)
        form = {"grant_type": "refresh_token", "refresh_token": refresh_token}
        if scopes:
            form["scope"] = " ".join(scopes)
        return await _token(
            client,
            metadata,
            client_id,
            form,
            client_secret=client_secret,
            client_auth=client_auth,
            nonce=None,
        )
