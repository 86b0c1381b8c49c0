"""aiohttp handlers for a custom authorization server's OAuth 2.0 / OpenID Connect endpoints:
discovery documents, `/v1/keys`, `/v1/authorize`, `/v1/token` and `/v1/userinfo` (OAUTHSPEC
`/oauth2/{authorizationServerId}/...`).

These are not the Management API: no SSWS token, no `/api/v1` rate-limit buckets. Each call is kept
in the runtime's OAuth log (secrets redacted) so tests can check it against the OAuth spec.

An INACTIVE server is "unavailable to clients" (API reference, Deactivate Authorization Server): its
endpoints answer as for an unknown server, 404 with Okta's `Error` body.
"""

from __future__ import annotations

import html
import json
import time
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from aiohttp import hdrs, web

from . import render
from .authorize import ErrorPage, Redirect, authorize
from .errors import OAuthError, not_found
from .httpio import runtime
from .recording import OAuthExchange, redact
from .state import AuthServerRecord
from .token_endpoint import token
from .tokens import profile_claims

oauth_routes = web.RouteTableDef()

OAUTH_PREFIX = "/oauth2/"
MAX_RECORDED = 50_000
# Tokens and codes must never be cached or leaked through referrers (RFC 6749 §5.1; Okta sets
# `Referrer-Policy: no-referrer` on authorize redirects, OIDC reference "response_mode").
NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}
# OAUTHSPEC userinfoCustomAS 401/403 examples.
INVALID_TOKEN = 'Bearer error="invalid_token", error_description="The access token is invalid"'
INSUFFICIENT_SCOPE = (
    'Bearer error="insufficient_scope", error_description="The access token must provide access to at '
    'least one of these scopes - profile, email, address or phone"'
)


class _Unavailable(Exception):
    def __init__(self, server_id: str) -> None:
        super().__init__(server_id)
        self.server_id = server_id


def _server(request: web.Request) -> AuthServerRecord:
    server_id = request.match_info["authServerId"]
    server = runtime(request).state.auth_servers.get(server_id)
    if server is None or server.status != "ACTIVE":
        raise _Unavailable(server_id)
    return server


def _redacted_location(location: str) -> str:
    parts = urlsplit(location)
    query = urlencode(redact(dict(parse_qsl(parts.query))))
    fragment = urlencode(redact(dict(parse_qsl(parts.fragment)))) if parts.fragment else ""
    return urlunsplit(parts._replace(query=query, fragment=fragment))


Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@web.middleware
async def oauth_log(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Record every `/oauth2/` exchange; answer unavailable servers with a 404 `Error`."""
    if not request.path.startswith(OAUTH_PREFIX):
        return await handler(request)
    exchange = OAuthExchange(request.method, request.path, redact(dict(request.query)))
    if request.method == hdrs.METH_POST and request.content_type == "application/x-www-form-urlencoded":
        exchange.form = redact(dict(await request.post()))
    try:
        response = await handler(request)
    except _Unavailable as exc:
        response = web.json_response(not_found(exc.server_id, "AuthorizationServer").body(), status=404)
    exchange.status = response.status
    exchange.content_type = response.content_type
    if hdrs.LOCATION in response.headers:
        exchange.location = _redacted_location(response.headers[hdrs.LOCATION])
    if isinstance(response, web.Response) and response.content_type == "application/json" and response.body:
        assert isinstance(response.body, bytes)
        body = json.loads(response.body)
        exchange.response_body = redact(body) if isinstance(body, dict) else body
    log = runtime(request).oauth_requests
    log.append(exchange)
    if len(log) > MAX_RECORDED:
        del log[: len(log) - MAX_RECORDED]
    return response


# ---- discovery and keys -------------------------------------------------------------------------


@oauth_routes.get("/oauth2/{authServerId}/.well-known/openid-configuration")
async def openid_configuration(request: web.Request) -> web.Response:
    return web.json_response(render.discovery(_server(request), runtime(request).base_url, openid=True))


@oauth_routes.get("/oauth2/{authServerId}/.well-known/oauth-authorization-server")
async def oauth_authorization_server(request: web.Request) -> web.Response:
    return web.json_response(render.discovery(_server(request), runtime(request).base_url, openid=False))


@oauth_routes.get("/oauth2/{authServerId}/v1/keys")
async def keys(request: web.Request) -> web.Response:
    return web.json_response({"keys": [_server(request).key.public_jwk()]})


# ---- sign-in ------------------------------------------------------------------------------------


def _page(status: int, title: str, lines: list[tuple[str, str]]) -> web.Response:
    """Okta's hosted pages, reduced to what a test reads: labelled lines in plain HTML."""
    items = "".join(
        f'<p><span class="label">{html.escape(label)}:</span> '
        f'<span id="{html.escape(label.lower().replace(" ", "-"))}">{html.escape(value)}</span></p>'
        for label, value in lines
    )
    heading = html.escape(title)
    body = (
        f"<!DOCTYPE html><html><head><title>{heading}</title></head>"
        f"<body><h1>{heading}</h1>{items}</body></html>"
    )
    return web.Response(status=status, text=body, content_type="text/html", headers=NO_STORE)


@oauth_routes.get("/oauth2/{authServerId}/v1/authorize")
async def authorize_endpoint(request: web.Request) -> web.Response:
    rt = runtime(request)
    outcome = authorize(rt.state, _server(request), request.query, rt.base_url)
    if isinstance(outcome, Redirect):
        return web.Response(
            status=302,
            headers={hdrs.LOCATION: outcome.location, "Referrer-Policy": "no-referrer", **NO_STORE},
        )
    if isinstance(outcome, ErrorPage):
        return _page(
            400,
            "Your request resulted in an error.",
            [
                ("Identity Provider", "Unknown"),
                ("Error Code", outcome.error.error),
                ("Description", outcome.error.description),
            ],
        )
    return _page(200, "Sign In", [("Message", outcome.message)])


@oauth_routes.post("/oauth2/{authServerId}/v1/token")
async def token_endpoint(request: web.Request) -> web.Response:
    rt = runtime(request)
    server = _server(request)
    if request.content_type != "application/x-www-form-urlencoded":
        error = OAuthError("invalid_request", "The request must be application/x-www-form-urlencoded.")
        return web.json_response(error.body(), status=400, headers=NO_STORE)
    form = {key: str(value) for key, value in (await request.post()).items()}
    try:
        body = token(rt.state, server, form, request.headers.get(hdrs.AUTHORIZATION), rt.base_url)
    except OAuthError as error:
        headers = dict(NO_STORE)
        if error.status == 401:
            headers["WWW-Authenticate"] = 'Basic realm="oauth2"'
        return web.json_response(error.body(), status=error.status, headers=headers)
    return web.json_response(body, headers=NO_STORE)


@oauth_routes.get("/oauth2/{authServerId}/v1/userinfo")
async def userinfo(request: web.Request) -> web.Response:
    """The signed-in user's claims for a valid access token of this server (OAUTHSPEC `userinfoCustomAS`:
    401/403 carry only a `WWW-Authenticate` header)."""
    rt = runtime(request)
    server = _server(request)
    header = request.headers.get(hdrs.AUTHORIZATION, "")
    claims = server.key.verify(header[7:]) if header.lower().startswith("bearer ") else None
    issuer = render.issuer(server, rt.base_url)
    user = rt.state.users.get(str(claims.get("uid"))) if claims else None
    if claims is None or user is None or claims.get("iss") != issuer or not _unexpired(claims):
        return web.Response(
            status=401,
            headers={"WWW-Authenticate": INVALID_TOKEN},
        )
    scopes = [str(scope) for scope in claims.get("scp", [])]
    if "openid" not in scopes:
        return web.Response(
            status=403,
            headers={"WWW-Authenticate": INSUFFICIENT_SCOPE},
        )
    return web.json_response({"sub": user.id, **profile_claims(user, scopes)})


def _unexpired(claims: dict[str, Any]) -> bool:
    exp = claims.get("exp")
    return isinstance(exp, int) and exp > time.time()
