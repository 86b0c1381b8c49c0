"""`POST /oauth2/{authServerId}/v1/token`: the authorization code and refresh token grants.

Client authentication (Okta's OIDC reference, "Client authentication methods"): a confidential
client sends its secret in an HTTP Basic header (`client_secret_basic`) or in the form
(`client_secret_post`); any ACTIVE secret of the app is valid (two are, during a rotation). A public
client (`token_endpoint_auth_method: none`) sends only `client_id` and proves itself with PKCE.

Errors (OAUTHSPEC `tokenCustomAS` examples and Okta's OIDC reference "List of errors"):
- no credentials: 401 `invalid_client` "No client credentials found" (`OAuthError401InvalidClient_NoCreds`);
- wrong client or secret: 401 `invalid_client` "Client authentication failed. Either the client or
  the client credentials are invalid." (https://github.com/okta/okta-oidc-ios/issues/29);
- both header and form credentials: 400 `invalid_request` (`OAuthError400InvalidRequest_MultipleClientCreds`);
- bad, expired or reused code: 400 `invalid_grant` "The authorization code is invalid or has
  expired." (`OAuthError400InvalidGrant_InvalidAuthCode`); another client's code:
  `OAuthError400InvalidGrant_MismatchedClient`;
- an unknown grant type: 400 `unsupported_grant_type` (`OAuthError400UnsupportedGrantType`).

A refresh token is issued when `offline_access` was granted and the app allows the `refresh_token`
grant: "the following combinations of grant type and scope ... return a refresh token:
authorization_code + offline_access, refresh_token + offline_access" and "The refresh token grant
type must be enabled" on the app (developer.okta.com/docs/guides/refresh-tokens/get-refresh-token;
support.okta.com how-to-retrieve-a-refresh-token). The rule's `grantTypes` govern the grant that
signs the user in; Okta's own default rule names no `refresh_token` grant, yet refreshes work.
Refresh tokens are revoked when "the client app is deactivated, changed, unassigned" or the
authorization server's configuration changes (API Access Management troubleshooting): the sandbox
refuses a refresh when the app is inactive, the user no longer assigned, the server inactive, or
the policy or rule that granted it is gone or inactive.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import time
from collections.abc import Mapping
from dataclasses import replace
from typing import Any
from urllib.parse import unquote

from . import tokens
from .errors import OAuthError
from .grants import Authorization
from .render import issuer
from .state import AppRecord, AuthServerRecord, SandboxState

BAD_CLIENT = "Client authentication failed. Either the client or the client credentials are invalid."
BAD_CODE = "The authorization code is invalid or has expired."
BAD_REFRESH = "The refresh token is invalid or expired."
OTHER_CLIENT = (
    "The grant was issued to another client. Ensure that the `client_id` matches the one used at the "
    "authorize request."
)
SUPPORTED_GRANTS = ("authorization_code", "refresh_token")


def _basic(header: str | None) -> tuple[str, str] | None:
    if not header or not header.lower().startswith("basic "):
        return None
    try:
        decoded = base64.b64decode(header[6:].strip(), validate=True).decode()
    except (binascii.Error, UnicodeDecodeError) as exc:
        raise OAuthError("invalid_request", "The Authorization header is malformed.") from exc
    client_id, sep, secret = decoded.partition(":")
    if not sep:
        raise OAuthError("invalid_request", "The Authorization header is malformed.")
    # RFC 6749 §2.3.1: both parts are form-urlencoded before they are joined.
    return unquote(client_id), unquote(secret)


def authenticate_client(state: SandboxState, form: Mapping[str, str], authorization: str | None) -> AppRecord:
    basic = _basic(authorization)
    if basic is not None and ("client_secret" in form or "client_assertion" in form):
        raise OAuthError(
            "invalid_request",
            "Can't supply multiple client credentials. Use one of the following: credentials in the "
            "Authorization header, credentials in the post body, or a `client_assertion` in the post body.",
        )
    if basic is not None:
        client_id, secret = basic
    else:
        client_id, secret = form.get("client_id", ""), form.get("client_secret", "")
    if not client_id:
        raise OAuthError("invalid_client", "No client credentials found", 401)
    app = state.app_by_client_id(client_id)
    if app is None or app.status != "ACTIVE":
        raise OAuthError("invalid_client", BAD_CLIENT, 401)
    if app.auth_method == "none":
        if secret:  # a public client has no secret to present
            raise OAuthError("invalid_client", BAD_CLIENT, 401)
        return app
    if app.auth_method not in ("client_secret_basic", "client_secret_post"):
        raise OAuthError("invalid_client", BAD_CLIENT, 401)  # JWT client auth isn't emulated
    if not secret:
        raise OAuthError("invalid_client", "No client credentials found", 401)
    if not any(item.status == "ACTIVE" and item.value == secret for item in app.secrets):
        raise OAuthError("invalid_client", BAD_CLIENT, 401)
    return app


def s256(verifier: str) -> str:
    """RFC 7636 §4.2: BASE64URL-ENCODE(SHA256(ASCII(code_verifier)))."""
    digest = hashlib.sha256(verifier.encode("ascii", errors="replace")).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def token(
    state: SandboxState,
    server: AuthServerRecord,
    form: Mapping[str, str],
    authorization: str | None,
    base: str,
) -> dict[str, Any]:
    """The token response, or raises OAuthError."""
    grant_type = form.get("grant_type", "")
    if not grant_type:
        raise OAuthError("invalid_request", "The 'grant_type' parameter is required.")
    if grant_type not in SUPPORTED_GRANTS:
        raise OAuthError("unsupported_grant_type", "The grant type in the request isn't supported.")
    app = authenticate_client(state, form, authorization)
    configured = app.oauth_settings.get("grant_types", [])
    if grant_type not in configured:
        raise OAuthError(
            "unauthorized_client",
            "The client is not authorized to use the provided grant type. "
            f"Configured grant types: [{', '.join(configured)}].",
        )
    if grant_type == "authorization_code":
        grant, nonce = _redeem_code(state, server, app, form)
        return _issue(state, server, app, grant, base, nonce=nonce, refresh=None)
    grant, refresh = _use_refresh_token(state, server, app, form)
    return _issue(state, server, app, grant, base, nonce=None, refresh=refresh)


def _redeem_code(
    state: SandboxState, server: AuthServerRecord, app: AppRecord, form: Mapping[str, str]
) -> tuple[Authorization, str | None]:
    value = form.get("code", "")
    if not value:
        raise OAuthError("invalid_request", "The 'code' parameter is required.")
    code = state.grants.codes.get(value)
    if code is None or not code.usable() or code.grant.server_id != server.id:
        raise OAuthError("invalid_grant", BAD_CODE)
    if code.grant.client_id != app.client_id:
        raise OAuthError("invalid_grant", OTHER_CLIENT)
    if form.get("redirect_uri") != code.redirect_uri:
        raise OAuthError(
            "invalid_grant",
            "The 'redirect_uri' does not match the redirection URI used in the authorization request.",
        )
    verifier = form.get("code_verifier")
    if code.code_challenge is not None:
        if not verifier:
            raise OAuthError(
                "invalid_request",
                "PKCE code verifier is required when the parameter code_challenge is included in the "
                "authorize request.",
            )
        if s256(verifier) != code.code_challenge:
            raise OAuthError("invalid_grant", "PKCE verification failed.")
    elif verifier:
        raise OAuthError("invalid_grant", "PKCE verification failed.")
    code.used = True  # single use, whatever happens next
    if not _still_granted(state, server, app, code.grant):
        raise OAuthError("invalid_grant", BAD_CODE)  # revoked by a change since /authorize
    return code.grant, code.nonce


def _use_refresh_token(
    state: SandboxState, server: AuthServerRecord, app: AppRecord, form: Mapping[str, str]
) -> tuple[Authorization, str]:
    value = form.get("refresh_token", "")
    if not value:
        raise OAuthError("invalid_request", "The 'refresh_token' parameter is required.")
    held = state.grants.refresh_tokens.get(value)
    if held is None or not held.usable() or held.grant.server_id != server.id:
        raise OAuthError("invalid_grant", BAD_REFRESH)
    if held.grant.client_id != app.client_id:
        raise OAuthError("invalid_grant", OTHER_CLIENT)
    if not _still_granted(state, server, app, held.grant):
        del state.grants.refresh_tokens[value]
        raise OAuthError("invalid_grant", BAD_REFRESH)
    scopes = held.grant.scopes
    if form.get("scope"):
        # "For the refresh_token grant type, these scopes have to be a subset of the scopes used to
        # generate the refresh token in the first place" (Okta's OIDC reference, /token).
        asked = list(dict.fromkeys(form["scope"].split()))
        if any(scope not in held.grant.scopes for scope in asked):
            raise OAuthError("invalid_scope", "The requested scope is invalid, unknown, or malformed.")
        scopes = asked
    held.last_used = time.time()
    grant = replace(held.grant, scopes=scopes)
    rotation = app.oauth_settings.get("refresh_token") or {}
    if rotation.get("rotation_type") == "ROTATE":
        held.revoke_at = time.time() + int(rotation.get("leeway", 30))
        return grant, ""
    return grant, value


def _still_granted(
    state: SandboxState, server: AuthServerRecord, app: AppRecord, grant: Authorization
) -> bool:
    user = state.users.get(grant.user_id)
    if server.status != "ACTIVE" or user is None or user.status != "ACTIVE" or not state.assigned(app, user):
        return False
    for policy in server.policies.policies:
        if policy.id == grant.policy_id:
            rule = next((item for item in policy.rules if item.id == grant.rule_id), None)
            return policy.status == "ACTIVE" and rule is not None and rule.status == "ACTIVE"
    return False


def _issue(
    state: SandboxState,
    server: AuthServerRecord,
    app: AppRecord,
    grant: Authorization,
    base: str,
    *,
    nonce: str | None,
    refresh: str | None,
) -> dict[str, Any]:
    user = state.users[grant.user_id]
    policy = server.policies.get(grant.policy_id)
    rule = next(item for item in policy.rules if item.id == grant.rule_id)
    lifetime = rule.token_minutes("accessTokenLifetimeMinutes") * 60
    iss = issuer(server, base)
    body: dict[str, Any] = {
        "token_type": "Bearer",
        "expires_in": lifetime,
        "access_token": tokens.access_token(
            server.key,
            issuer=iss,
            audience=server.audiences[0],
            grant=grant,
            user=user,
            lifetime_seconds=lifetime,
        ),
        "scope": " ".join(grant.scopes),
    }
    offline = "offline_access" in grant.scopes and "refresh_token" in app.oauth_settings.get(
        "grant_types", []
    )
    if refresh:  # STATIC rotation: the same refresh token again
        body["refresh_token"] = refresh
    elif offline:
        body["refresh_token"] = state.grants.new_refresh_token(
            grant,
            rule.token_minutes("refreshTokenLifetimeMinutes"),
            rule.token_minutes("refreshTokenWindowMinutes"),
        ).value
    if "openid" in grant.scopes:
        body["id_token"] = tokens.id_token(
            server.key, issuer=iss, org_id=state.org_id, grant=grant, user=user, nonce=nonce
        )
    return body
