"""`GET /oauth2/{authServerId}/v1/authorize` for the authorization code flow, decided without HTTP.

There is no browser, so no Okta session and no sign-in form: the sandbox takes the OAUTHSPEC's own
`login_hint` ("A username to pre-populate if prompting for authentication") as the user who types
their password and signs in. Without it the answer is the sign-in page (200), as Okta's is for a
browser without a session.

What Okta answers, in the order it checks (RFC 6749 §4.1.2.1: errors about the client or the
redirect URI are shown to the user, never redirected; the rest go back to the redirect URI with
`error` and `error_description`):
- unknown or inactive client: 400 page, `invalid_client` "Invalid value for 'client_id' parameter."
  (https://github.com/okta/samples-nodejs-express-4/issues/60);
- redirect URI not registered exactly: 400 page, `invalid_request` "The 'redirect_uri' parameter
  must be a Login redirect URI in the client app settings: <admin URL of the app>"
  (https://github.com/DependencyTrack/dependency-track/issues/1281);
- a public client or `pkce_required` app without `code_challenge`: 400 page "PKCE code challenge is
  required by the application." (https://github.com/goauthentik/authentik/issues/16398; "When a
  client, whose token_endpoint_auth_method is none, makes a code flow authorization request,
  code_challenge is required", Okta's OIDC reference);
- response type/mode, grant type and scope problems: OAUTHSPEC examples
  `OAuthError400UnsupportedResponseType`, `OAuthError400UnsupportedResponseMode`; unknown scopes:
  `invalid_scope` "One or more scopes are not configured for the authorization server resource."
  (https://github.com/Netflix/consoleme/issues/9075 shows Okta's 302 with it);
- user not assigned through a group: `access_denied` "User is not assigned to the client
  application." (https://github.com/tailscale/tailscale/issues/3334);
- no access policy rule matches: `access_denied` "Policy evaluation failed for this request, please
  check the policy configurations." (https://github.com/zeekhoo-okta/okta-django-samples/issues/15).
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlencode

from .access_policies import SERVER_SCOPES
from .errors import OAuthError
from .evaluation import evaluate
from .grants import Authorization
from .state import AppRecord, AuthServerRecord, SandboxState

OIDC_CLAIM_SCOPES = ("profile", "email", "address", "phone")
RESPONSE_MODES = ("query", "fragment")  # what a code flow may ask for in the sandbox
POLICY_FAILED = "Policy evaluation failed for this request, please check the policy configurations."
NOT_ASSIGNED = "User is not assigned to the client application."


@dataclass(frozen=True)
class Redirect:
    location: str


@dataclass(frozen=True)
class ErrorPage:
    """Okta's HTML error page ("Your request resulted in an error."), status 400."""

    error: OAuthError


@dataclass(frozen=True)
class SignInPage:
    """The sign-in prompt a browser without a session gets (200)."""

    message: str


Outcome = Redirect | ErrorPage | SignInPage


def admin_url(base: str, app: AppRecord) -> str:
    return f"{base}/admin/app/oidc_client/instance/{app.id}#tab-general"


def _redirect(uri: str, mode: str, params: dict[str, str]) -> Redirect:
    encoded = urlencode(params)
    if mode == "fragment":
        return Redirect(f"{uri}#{encoded}")
    return Redirect(f"{uri}{'&' if '?' in uri else '?'}{encoded}")


def authorize(state: SandboxState, server: AuthServerRecord, params: Mapping[str, str], base: str) -> Outcome:
    client_id = params.get("client_id", "")
    app = state.app_by_client_id(client_id) if client_id else None
    if app is None or app.status != "ACTIVE":
        return ErrorPage(OAuthError("invalid_client", "Invalid value for 'client_id' parameter."))
    redirect_uri = params.get("redirect_uri", "")
    if redirect_uri not in app.oauth_settings.get("redirect_uris", []):
        return ErrorPage(
            OAuthError(
                "invalid_request",
                "The 'redirect_uri' parameter must be a Login redirect URI in the client app settings: "
                + admin_url(base, app),
            )
        )
    public = app.auth_method == "none"
    if not params.get("code_challenge") and (public or app.pkce_required):
        return ErrorPage(OAuthError("invalid_request", "PKCE code challenge is required by the application."))

    mode = params.get("response_mode") or "query"
    echo = {"state": params["state"]} if "state" in params else {}
    try:
        if mode not in RESPONSE_MODES:
            mode = "query"
            raise OAuthError(
                "unsupported_response_mode",
                "The response mode isn't supported by the authorization server. "
                "Valid response modes: [`query`, `fragment`, `form_post`, `okta_post_message`].",
            )
        grant = _check(state, server, app, params)
    except OAuthError as error:
        return _redirect(redirect_uri, mode, {**echo, **error.body()})
    if grant is None:
        return SignInPage(
            "Sign in: the sandbox has no browser session. Name the user who signs in with login_hint."
            if not params.get("login_hint")
            else "Unable to sign in"
        )
    code = state.grants.new_code(grant, redirect_uri, params.get("nonce"), params.get("code_challenge"))
    return _redirect(redirect_uri, mode, {"code": code.value, **echo})


def _check(
    state: SandboxState, server: AuthServerRecord, app: AppRecord, params: Mapping[str, str]
) -> Authorization | None:
    """The grant for a signed-in user; None when nobody signs in; OAuthError for a refusal."""
    response_type = params.get("response_type", "")
    configured = app.oauth_settings.get("response_types", [])
    if sorted(response_type.split()) != ["code"]:
        raise OAuthError(
            "unsupported_response_type",
            "The response type contained in the request isn't supported."
            if response_type
            else "The 'response_type' parameter is required.",
        )
    if "code" not in configured:
        raise OAuthError(
            "unsupported_response_type",
            "The response type is not supported by the authorization server. "
            f"Configured response types: [{', '.join(configured)}].",
        )
    if "state" not in params:
        raise OAuthError("invalid_request", "The 'state' parameter is required.")
    grant_types = app.oauth_settings.get("grant_types", [])
    if "authorization_code" not in grant_types:
        raise OAuthError(
            "unauthorized_client",
            "The client is not authorized to use the provided grant type. "
            f"Configured grant types: [{', '.join(grant_types)}].",
        )
    if params.get("code_challenge") and params.get("code_challenge_method") != "S256":
        raise OAuthError("invalid_request", "The 'code_challenge_method' parameter must be 'S256'.")
    scopes = list(dict.fromkeys(params.get("scope", "").split()))
    if not scopes:
        raise OAuthError(
            "invalid_scope",
            "The authorization server resource does not have any configured default scopes, "
            "'scope' must be provided.",
        )
    if any(scope not in SERVER_SCOPES for scope in scopes):
        raise OAuthError(
            "invalid_scope", "One or more scopes are not configured for the authorization server resource."
        )
    if "openid" not in scopes and any(scope in OIDC_CLAIM_SCOPES for scope in scopes):
        raise OAuthError(
            "invalid_scope",
            "Requests for ID tokens or access tokens with OpenID scopes require the 'openid' scope.",
        )

    login = params.get("login_hint")
    if not login:
        if params.get("prompt") == "none":
            raise OAuthError(
                "login_required", "The client specified not to prompt, but the user is not logged in."
            )
        return None
    user = state.user_by_login(login)
    if user is None or user.status != "ACTIVE":
        return None  # the sign-in form would say "Unable to sign in"
    if not state.assigned(app, user):
        raise OAuthError("access_denied", NOT_ASSIGNED)
    match = evaluate(
        server.policies.policies,
        client_id=app.client_id,
        user_id=user.id,
        in_group=lambda group_id: state.in_group(user, group_id),
        grant_type="authorization_code",
        scopes=scopes,
    )
    if match is None:
        raise OAuthError("access_denied", POLICY_FAILED)
    return Authorization(
        server_id=server.id,
        client_id=app.client_id,
        user_id=user.id,
        scopes=scopes,
        policy_id=match.policy.id,
        rule_id=match.rule.id,
        auth_time=int(time.time()),
    )
