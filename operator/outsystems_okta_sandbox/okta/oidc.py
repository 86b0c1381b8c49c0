"""Validation and defaults for OpenID Connect app documents (no HTTP, no state).

`normalize_app()` turns a createApplication/replaceApplication request body into the stored,
mutable part of an app (everything except id, name, status, created, lastUpdated, orn, features,
_links) or raises a 400 `OktaError` listing every problem, like Okta's `Api validation failed`.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from .errors import ValidationErrors, malformed_body

SIGN_ON_MODE = "OPENID_CONNECT"
APP_NAME = "oidc_client"

SECRET_AUTH_METHODS = frozenset({"client_secret_basic", "client_secret_post", "client_secret_jwt"})
AUTH_METHODS = SECRET_AUTH_METHODS | {"none", "private_key_jwt"}
DEFAULT_AUTH_METHOD = "client_secret_basic"

GRANT_TYPES = frozenset(
    {
        "authorization_code",
        "client_credentials",
        "implicit",
        "interaction_code",
        "password",
        "refresh_token",
        "urn:ietf:params:oauth:grant-type:device_code",
        "urn:ietf:params:oauth:grant-type:jwt-bearer",
        "urn:ietf:params:oauth:grant-type:saml2-bearer",
        "urn:ietf:params:oauth:grant-type:token-exchange",
        "urn:openid:params:grant-type:ciba",
        "urn:okta:params:oauth:grant-type:otp",
        "urn:okta:params:oauth:grant-type:oob",
        "http://auth0.com/oauth/grant-type/mfa-otp",
        "http://auth0.com/oauth/grant-type/mfa-oob",
    }
)
RESPONSE_TYPES = frozenset({"code", "id_token", "token"})
APPLICATION_TYPES = frozenset({"browser", "native", "service", "web"})
CONSENT_METHODS = frozenset({"REQUIRED", "TRUSTED"})
ISSUER_MODES = frozenset({"CUSTOM_URL", "DYNAMIC", "ORG_URL"})
WILDCARD_MODES = frozenset({"DISABLED", "SUBDOMAIN"})
IDP_LOGIN_MODES = frozenset({"DISABLED", "SPEC", "OKTA"})
ROTATION_TYPES = frozenset({"ROTATE", "STATIC"})

# Top-level objects kept as given; id, name, status, created, lastUpdated, orn, features, _links and
# _embedded are system-assigned and ignored in a request body (SPEC replaceApplication).
_OPTIONAL_TOP = ("licensing", "universalLogout", "expressConfiguration")

_CLIENT_ID = re.compile(r"^[A-Za-z0-9$\-_.+!*'(),]+$")
_PRINTABLE_ASCII = re.compile(r"^[\x20-\x7e]+$")
_STRING_FIELDS = (
    "client_uri",
    "logo_uri",
    "policy_uri",
    "tos_uri",
    "initiate_login_uri",
    "jwks_uri",
    "sector_identifier_uri",
    "frontchannel_logout_uri",
)


@dataclass
class NormalizedApp:
    """The stored document plus the secret the request asked for (never stored in the document)."""

    document: dict[str, Any]
    client_secret: str | None

    @property
    def auth_method(self) -> str:
        return str(self.document["credentials"]["oauthClient"]["token_endpoint_auth_method"])

    @property
    def client_id(self) -> str | None:
        value = self.document["credentials"]["oauthClient"].get("client_id")
        return value if isinstance(value, str) else None


def uses_secret(auth_method: str) -> bool:
    return auth_method in SECRET_AUTH_METHODS


def normalize_app(body: Any, *, existing: dict[str, Any] | None = None) -> NormalizedApp:
    """Validate a create (`existing` None) or full-replace (`existing` = stored document) body."""
    if not isinstance(body, dict):
        raise malformed_body("The request body must be a JSON object.")
    errors = ValidationErrors()
    replacing = existing is not None

    sign_on_mode = body.get("signOnMode")
    if sign_on_mode in (None, ""):
        errors.blank("signOnMode")
    elif sign_on_mode != SIGN_ON_MODE:
        errors.add("signOnMode", f"The sandbox emulates only {SIGN_ON_MODE} apps.")
    if not replacing:  # on replace, `name` is system-assigned and ignored
        name = body.get("name")
        if name in (None, ""):
            errors.blank("name")
        elif name != APP_NAME:
            errors.add("name", f"Not one of the allowed values for an {SIGN_ON_MODE} app ({APP_NAME}).")

    label = body.get("label")
    if label is None or (isinstance(label, str) and not label.strip()):
        errors.blank("label")
    elif not isinstance(label, str):
        errors.add("label", "must be a string")
    elif len(label) > 100:
        errors.add("label", "size must be between 1 and 100")

    profile = body.get("profile")
    if profile is not None and not isinstance(profile, dict):
        errors.add("profile", "must be a JSON object")

    settings = _object(body, "settings", errors)
    credentials = _object(body, "credentials", errors)
    oauth_settings = _object(settings, "oauthClient", errors, "settings.oauthClient")
    oauth_credentials = _object(credentials, "oauthClient", errors, "credentials.oauthClient")

    previous_client = (existing or {}).get("settings", {}).get("oauthClient", {})
    client = _normalize_settings_client(oauth_settings or {}, previous_client, replacing, errors)
    creds, secret = _normalize_credentials(
        oauth_credentials or {}, client.get("application_type"), existing, errors
    )
    errors.raise_if_any()

    document: dict[str, Any] = {
        "label": label,
        "signOnMode": SIGN_ON_MODE,
        "accessibility": _merged({"selfService": False}, body.get("accessibility")),
        "visibility": _visibility(body.get("visibility")),
        "credentials": {
            "userNameTemplate": copy.deepcopy(
                (credentials or {}).get("userNameTemplate")
                or {"template": "${source.login}", "type": "BUILT_IN"}
            ),
            "oauthClient": creds,
        },
        "settings": _settings(settings or {}, client),
    }
    if profile is not None:
        document["profile"] = copy.deepcopy(profile)
    for key in _OPTIONAL_TOP:
        if isinstance(body.get(key), dict):
            document[key] = copy.deepcopy(body[key])
    return NormalizedApp(document, secret)


# ---- helpers ------------------------------------------------------------------------------------


def _object(
    parent: dict[str, Any] | None, key: str, errors: ValidationErrors, field: str | None = None
) -> dict[str, Any] | None:
    if parent is None or parent.get(key) is None:
        return None
    value = parent[key]
    if not isinstance(value, dict):
        errors.add(field or key, "must be a JSON object")
        return None
    return value


def _merged(defaults: dict[str, Any], given: Any) -> dict[str, Any]:
    """Defaults overlaid with the given object; nulls are dropped (the spec doesn't allow them)."""
    result = copy.deepcopy(defaults)
    if isinstance(given, dict):
        result.update({key: copy.deepcopy(value) for key, value in given.items() if value is not None})
    return result


def _visibility(given: Any) -> dict[str, Any]:
    result = _merged(
        {
            "autoLaunch": False,
            "autoSubmitToolbar": False,
            "hide": {"iOS": True, "web": True},
            "appLinks": {f"{APP_NAME}_link": True},
        },
        given,
    )
    return result


def _settings(given: dict[str, Any], client: dict[str, Any]) -> dict[str, Any]:
    settings: dict[str, Any] = {
        "app": {},
        "notifications": {"vpn": {"network": {"connection": "DISABLED"}}},
        "manualProvisioning": False,
        "implicitAssignment": False,
        "notes": {},
    }
    for key, value in given.items():
        if key in ("oauthClient", "emOptInStatus") or value is None:
            continue
        settings[key] = _merged({}, value) if key == "notes" else copy.deepcopy(value)
    settings["emOptInStatus"] = "NONE"
    settings["oauthClient"] = client
    return settings


def _string_list(
    client: dict[str, Any], key: str, errors: ValidationErrors, allowed: frozenset[str] | None = None
) -> list[str] | None:
    value = client.get(key)
    if value is None:
        return None
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        errors.add(key, "must be an array of strings")
        return None
    if allowed is not None:
        for item in value:
            if item not in allowed:
                errors.add(key, f"'{item}' is not one of the allowed values.")
    return list(value)


def _check_uri(key: str, uri: str, wildcard: bool, errors: ValidationErrors) -> None:
    parts = urlsplit(uri)
    if not parts.scheme or not (parts.netloc or parts.path):
        errors.add(key, f"'{uri}' is not an absolute URI.")
    elif parts.fragment:
        errors.add(key, f"'{uri}' must not contain a fragment.")
    elif "*" in uri and not wildcard:
        errors.add(key, f"'{uri}' contains a wildcard but 'wildcard_redirect' is 'DISABLED'.")


def _enum(
    client: dict[str, Any],
    key: str,
    allowed: frozenset[str],
    errors: ValidationErrors,
    default: str | None,
    required: bool = False,
) -> str | None:
    value = client.get(key)
    if value is None:
        if required:
            errors.blank(key)
        return default
    if value not in allowed:
        errors.add(key, f"'{value}' is not one of the allowed values: {', '.join(sorted(allowed))}.")
        return default
    return str(value)


def _normalize_settings_client(
    given: dict[str, Any], previous: dict[str, Any], replacing: bool, errors: ValidationErrors
) -> dict[str, Any]:
    client = copy.deepcopy(given)
    grants = _string_list(given, "grant_types", errors, GRANT_TYPES)
    if not grants and "grant_types" not in errors.fields:
        errors.blank("grant_types")
    grants = grants or []
    responses = _string_list(given, "response_types", errors, RESPONSE_TYPES) or []
    redirects = _string_list(given, "redirect_uris", errors)
    post_logout = _string_list(given, "post_logout_redirect_uris", errors)

    app_type = _enum(given, "application_type", APPLICATION_TYPES, errors, "web")
    client["application_type"] = app_type
    wildcard = _enum(given, "wildcard_redirect", WILDCARD_MODES, errors, "DISABLED")
    client["wildcard_redirect"] = wildcard
    # Okta fills TRUSTED on create, but a replace without consent_method is a known 400 (TF #188).
    client["consent_method"] = _enum(
        given, "consent_method", CONSENT_METHODS, errors, "TRUSTED", required=replacing
    )
    client["issuer_mode"] = _enum(given, "issuer_mode", ISSUER_MODES, errors, "DYNAMIC")

    redirect_flow = "authorization_code" in grants or "implicit" in grants
    if redirect_flow and not redirects:
        errors.add("redirect_uris", "At least one redirect URI is required for this grant type.")
    if redirect_flow and not responses:
        errors.add("response_types", "At least one response type is required for this grant type.")
    if "authorization_code" in grants and responses and "code" not in responses:
        errors.add("response_types", "'code' is required when 'authorization_code' is a grant type.")
    if "implicit" in grants and responses and not ({"token", "id_token"} & set(responses)):
        errors.add("response_types", "'token' or 'id_token' is required when 'implicit' is a grant type.")
    if app_type in ("web", "native") and grants and "authorization_code" not in grants:
        errors.add("grant_types", f"'{app_type}' apps must have at least 'authorization_code'.")
    if app_type == "service" and grants and "client_credentials" not in grants:
        errors.add("grant_types", "'service' apps must have 'client_credentials'.")
    if grants == ["refresh_token"]:
        errors.add("grant_types", "'refresh_token' can't be the only grant type.")
    for key, uris in (("redirect_uris", redirects), ("post_logout_redirect_uris", post_logout)):
        for uri in uris or []:
            _check_uri(key, uri, wildcard == "SUBDOMAIN", errors)

    for key in _STRING_FIELDS:
        if key in given and given[key] is not None and not isinstance(given[key], str):
            errors.add(key, "must be a string")
    if "dpop_bound_access_tokens" in given and not isinstance(given["dpop_bound_access_tokens"], bool):
        errors.add("dpop_bound_access_tokens", "must be a boolean")
    client.setdefault("dpop_bound_access_tokens", False)

    login = given.get("idp_initiated_login")
    if login is None:
        client["idp_initiated_login"] = {"mode": "DISABLED", "default_scope": []}
    elif not isinstance(login, dict) or login.get("mode") not in IDP_LOGIN_MODES:
        errors.add("idp_initiated_login", "'mode' must be one of DISABLED, SPEC, OKTA.")
    else:
        client["idp_initiated_login"] = {"default_scope": [], **login}

    client["refresh_token"] = _refresh_token(given, previous, grants, app_type, errors)
    if client["refresh_token"] is None:
        del client["refresh_token"]
    client["grant_types"] = grants
    client["response_types"] = responses
    for key, uris in (("redirect_uris", redirects), ("post_logout_redirect_uris", post_logout)):
        if uris is None:
            client.pop(key, None)
        else:
            client[key] = uris
    return client


def _refresh_token(
    given: dict[str, Any],
    previous: dict[str, Any],
    grants: list[str],
    app_type: str | None,
    errors: ValidationErrors,
) -> dict[str, Any] | None:
    value = given.get("refresh_token")
    if value is not None:
        if not isinstance(value, dict):
            errors.add("refresh_token", "must be a JSON object")
            return None
        rotation = value.get("rotation_type")
        if rotation is None:
            errors.blank("refresh_token.rotation_type")
        elif rotation not in ROTATION_TYPES:
            errors.add("refresh_token.rotation_type", "Not one of the allowed values (ROTATE, STATIC).")
        leeway = value.get("leeway", 30)
        if not isinstance(leeway, int) or isinstance(leeway, bool) or not 0 <= leeway <= 60:
            errors.add("refresh_token.leeway", "must be an integer between 0 and 60")
        return {"rotation_type": rotation, "leeway": leeway}
    if "refresh_token" not in grants:
        return None
    # "When you update an app integration, your previously configured values are used." (SPEC)
    kept = previous.get("refresh_token")
    if isinstance(kept, dict):
        return copy.deepcopy(kept)
    return {"rotation_type": "ROTATE" if app_type == "browser" else "STATIC", "leeway": 30}


def _normalize_credentials(
    given: dict[str, Any],
    app_type: str | None,
    existing: dict[str, Any] | None,
    errors: ValidationErrors,
) -> tuple[dict[str, Any], str | None]:
    method = given.get("token_endpoint_auth_method", DEFAULT_AUTH_METHOD)
    if method not in AUTH_METHODS:
        errors.add(
            "token_endpoint_auth_method",
            f"'{method}' is not one of the allowed values: {', '.join(sorted(AUTH_METHODS))}.",
        )
        method = DEFAULT_AUTH_METHOD

    client_id = given.get("client_id")
    if existing is not None:
        current = existing["credentials"]["oauthClient"]["client_id"]
        if client_id not in (None, current):
            errors.add("client_id", "client_id can't be changed.")
        client_id = current
    elif client_id is not None:
        if not isinstance(client_id, str) or not 6 <= len(client_id) <= 100:
            errors.add("client_id", "size must be between 6 and 100")
        elif not _CLIENT_ID.match(client_id) or client_id == "ALL_CLIENTS":
            errors.add("client_id", "contains characters that aren't allowed.")

    secret = given.get("client_secret")
    if secret is not None:
        _check_secret(secret, str(method), errors)

    pkce_default = app_type in ("browser", "native") or method == "none"
    pkce = given.get("pkce_required", pkce_default)
    if not isinstance(pkce, bool):
        errors.add("pkce_required", "must be a boolean")
        pkce = pkce_default
    if method == "none" and not pkce:
        errors.add("pkce_required", "PKCE is required when 'token_endpoint_auth_method' is 'none'.")
    rotation = given.get("autoKeyRotation", True)
    if not isinstance(rotation, bool):
        errors.add("autoKeyRotation", "must be a boolean")
        rotation = True

    creds: dict[str, Any] = {
        "autoKeyRotation": rotation,
        "token_endpoint_auth_method": method,
        "pkce_required": pkce,
    }
    if isinstance(client_id, str):
        creds["client_id"] = client_id
    return creds, secret if isinstance(secret, str) else None


def check_client_secret(secret: Any, auth_method: str) -> None:
    """Validate a bring-your-own secret (also used by the client-secret API)."""
    errors = ValidationErrors()
    _check_secret(secret, auth_method, errors)
    errors.raise_if_any()


def _check_secret(secret: Any, auth_method: str, errors: ValidationErrors) -> None:
    # Messages follow the SPEC's Error examples (ErrorClientSecret*).
    if auth_method in ("private_key_jwt", "none"):
        errors.add_plain(
            "client_secret",
            f"'client_secret' can't be used when 'token_endpoint_auth_method' is '{auth_method}'.",
        )
    elif not isinstance(secret, str):
        errors.add("client_secret", "must be a string")
    elif auth_method == "client_secret_jwt" and len(secret) < 32:
        errors.add(
            "client_secret",
            "'client_secret' must be at least '32' characters long when "
            "'token_endpoint_auth_method' is 'client_secret_jwt'.",
        )
    elif len(secret) < 14:
        errors.add("client_secret", "'client_secret' must be at least '14' characters long.")
    elif len(secret) > 100:
        errors.add("client_secret", "'client_secret' must be no more than '100' characters long.")
    elif not _PRINTABLE_ASCII.match(secret):
        errors.add("client_secret", "'client_secret' must only contain printable ASCII: [x20-x7E]+")
