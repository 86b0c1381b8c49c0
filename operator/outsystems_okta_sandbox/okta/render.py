"""JSON documents as Okta returns them, with `_links` on the sandbox's own base URL."""

from __future__ import annotations

import copy
from typing import Any

from .ids import secret_hash
from .policies import POLICY_TYPE, RULE_TYPE, PolicyRecord, RuleRecord
from .state import (
    AppRecord,
    AssignmentRecord,
    AuthServerRecord,
    ClientSecretRecord,
    GroupRecord,
    SandboxState,
)
from .users import UserRecord

Json = dict[str, Any]


def _href(url: str, *allow: str) -> Json:
    link: Json = {"href": url}
    if allow:
        link["hints"] = {"allow": list(allow)}
    return link


def app(record: AppRecord, base: str, *, org_id: str, client_secret: str | None = None) -> Json:
    """An OpenIdConnectApplication; `client_secret` only on create/replace responses."""
    doc = copy.deepcopy(record.document)
    app_url = f"{base}/api/v1/apps/{record.id}"
    credentials = doc["credentials"]
    credentials["signing"] = {"kid": record.signing_kid}
    oauth = credentials["oauthClient"]
    if client_secret is not None:
        oauth["client_secret"] = client_secret
    order = ("autoKeyRotation", "client_id", "client_secret", "token_endpoint_auth_method", "pkce_required")
    credentials["oauthClient"] = {
        **{key: oauth[key] for key in order if key in oauth},
        **{key: value for key, value in oauth.items() if key not in order},
    }
    lifecycle = "deactivate" if record.status == "ACTIVE" else "activate"
    body: Json = {
        "id": record.id,
        "orn": f"orn:okta:idp:{org_id}:apps:oidc_client:{record.id}",
        "name": "oidc_client",
        "label": doc.pop("label"),
        "status": record.status,
        "lastUpdated": record.last_updated,
        "created": record.created,
        "accessibility": doc.pop("accessibility"),
        "visibility": doc.pop("visibility"),
        "features": [],
        "signOnMode": doc.pop("signOnMode"),
        "credentials": doc.pop("credentials"),
        "settings": doc.pop("settings"),
    }
    body.update(doc)  # profile and any optional top-level objects, as stored
    body["_links"] = {
        "uploadLogo": _href(f"{app_url}/logo", "POST"),
        "appLinks": [
            {
                "name": "oidc_client_link",
                "href": f"{base}/home/oidc_client/{record.id}/{record.link_id}",
                "type": "text/html",
            }
        ],
        "groups": _href(f"{app_url}/groups"),
        "logo": [{"name": "medium", "href": f"{base}/assets/img/logos/default.png", "type": "image/png"}],
        "users": _href(f"{app_url}/users"),
        lifecycle: _href(f"{app_url}/lifecycle/{lifecycle}"),
        "self": _href(app_url, "GET", "PUT", "DELETE"),
    }
    return body


def secret(app_id: str, record: ClientSecretRecord, base: str) -> Json:
    url = f"{base}/api/v1/apps/{app_id}/credentials/secrets/{record.id}"
    links: Json
    if record.status == "ACTIVE":
        links = {"deactivate": _href(f"{url}/lifecycle/deactivate", "POST")}
    else:
        links = {"activate": _href(f"{url}/lifecycle/activate", "POST"), "delete": _href(url, "DELETE")}
    return {
        "id": record.id,
        "status": record.status,
        "client_secret": record.value,
        "secret_hash": secret_hash(record.value),
        "created": record.created,
        "lastUpdated": record.last_updated,
        "_links": links,
    }


def group(record: GroupRecord, base: str) -> Json:
    url = f"{base}/api/v1/groups/{record.id}"
    object_class = "okta:user_group"
    return {
        "id": record.id,
        "created": record.created,
        "lastUpdated": record.last_updated,
        "lastMembershipUpdated": record.last_membership_updated,
        "objectClass": [object_class],
        "type": record.type,
        "profile": copy.deepcopy(record.profile),
        "_links": {
            "logo": [
                {
                    "name": "medium",
                    "href": f"{base}/assets/img/logos/groups/okta-medium.png",
                    "type": "image/png",
                },
                {
                    "name": "large",
                    "href": f"{base}/assets/img/logos/groups/okta-large.png",
                    "type": "image/png",
                },
            ],
            "users": _href(f"{url}/users"),
            "apps": _href(f"{url}/apps"),
        },
    }


def assignment(
    app_id: str, record: AssignmentRecord, base: str, *, embedded_group: Json | None = None
) -> Json:
    body: Json = {
        "id": record.group_id,
        "lastUpdated": record.last_updated,
        "priority": record.priority,
        "profile": copy.deepcopy(record.profile),
        "_links": {
            "app": _href(f"{base}/api/v1/apps/{app_id}"),
            "self": _href(f"{base}/api/v1/apps/{app_id}/groups/{record.group_id}"),
            "group": _href(f"{base}/api/v1/groups/{record.group_id}"),
        },
    }
    if embedded_group is not None:
        body["_embedded"] = {"group": embedded_group}
    return body


def issuer(server: AuthServerRecord, base: str) -> str:
    return f"{base}/oauth2/{server.id}"


def auth_server(server: AuthServerRecord, base: str) -> Json:
    url = f"{base}/api/v1/authorizationServers/{server.id}"
    lifecycle = "deactivate" if server.status == "ACTIVE" else "activate"
    well_known = f"{issuer(server, base)}/.well-known"
    return {
        "id": server.id,
        "name": server.name,
        "description": server.description,
        "audiences": list(server.audiences),
        "issuer": issuer(server, base),
        "issuerMode": server.issuer_mode,
        "status": server.status,
        "created": server.created,
        "lastUpdated": server.last_updated,
        "credentials": {"signing": {"rotationMode": "AUTO", "kid": server.kid, "use": "sig"}},
        "_links": {
            "scopes": _href(f"{url}/scopes", "GET"),
            "claims": _href(f"{url}/claims", "GET"),
            "policies": _href(f"{url}/policies", "GET"),
            "self": _href(url, "GET", "DELETE", "PUT"),
            "metadata": [
                {
                    "name": "oauth-authorization-server",
                    "href": f"{well_known}/oauth-authorization-server",
                    "hints": {"allow": ["GET"]},
                },
                {
                    "name": "openid-configuration",
                    "href": f"{well_known}/openid-configuration",
                    "hints": {"allow": ["GET"]},
                },
            ],
            "rotateKey": _href(f"{url}/credentials/lifecycle/keyRotate", "POST"),
            lifecycle: _href(f"{url}/lifecycle/{lifecycle}", "POST"),
        },
    }


def _lifecycle_links(url: str, status: str) -> Json:
    """`self` plus whichever of activate/deactivate applies (SPEC `LinksSelfAndLifecycle`)."""
    action = "deactivate" if status == "ACTIVE" else "activate"
    return {
        "self": _href(url, "GET", "PUT", "DELETE"),
        action: _href(f"{url}/lifecycle/{action}", "POST"),
    }


def policy(server_id: str, record: PolicyRecord, base: str) -> Json:
    """An `AuthorizationServerPolicy` (SPEC example `AuthorizationServerPolicy`, l.33499)."""
    url = f"{base}/api/v1/authorizationServers/{server_id}/policies/{record.id}"
    return {
        "type": POLICY_TYPE,
        "id": record.id,
        "status": record.status,
        "name": record.name,
        "description": record.description,
        "priority": record.priority,
        "system": record.system,
        "conditions": {"clients": {"include": list(record.clients)}},
        "created": record.created,
        "lastUpdated": record.last_updated,
        "_links": {**_lifecycle_links(url, record.status), "rules": _href(f"{url}/rules", "GET")},
    }


def rule(server_id: str, policy_id: str, record: RuleRecord, base: str) -> Json:
    """An `AuthorizationServerPolicyRule` (SPEC example `AuthorizationServerPolicyRule`, l.33533)."""
    url = f"{base}/api/v1/authorizationServers/{server_id}/policies/{policy_id}/rules/{record.id}"
    return {
        "type": RULE_TYPE,
        "id": record.id,
        "status": record.status,
        "name": record.name,
        "priority": record.priority,
        "created": record.created,
        "lastUpdated": record.last_updated,
        "system": record.system,
        "conditions": copy.deepcopy(record.conditions),
        "actions": copy.deepcopy(record.actions),
        "_links": _lifecycle_links(url, record.status),
    }


def user(record: UserRecord, base: str) -> Json:
    """A `User` with the profile attributes the sandbox keeps, plus `groupIds` (sandbox only: the
    groups it was put in, Everyone implied)."""
    return {
        "id": record.id,
        "status": record.status,
        "created": record.created,
        "profile": {
            "login": record.login,
            "email": record.email,
            "firstName": record.first_name,
            "lastName": record.last_name,
        },
        "groupIds": list(record.group_ids),
        "_links": {"self": _href(f"{base}/api/v1/users/{record.id}")},
    }


def discovery(server: AuthServerRecord, base: str, *, openid: bool = True) -> Json:
    """`/.well-known/openid-configuration` (or RFC 8414 metadata when `openid` is False)."""
    iss = issuer(server, base)
    doc: Json = {
        "issuer": iss,
        "authorization_endpoint": f"{iss}/v1/authorize",
        "token_endpoint": f"{iss}/v1/token",
        "registration_endpoint": f"{base}/oauth2/v1/clients",
        "jwks_uri": f"{iss}/v1/keys",
        "response_types_supported": [
            "code",
            "id_token",
            "code id_token",
            "code token",
            "id_token token",
            "code id_token token",
        ],
        "response_modes_supported": ["query", "fragment", "form_post", "okta_post_message"],
        "grant_types_supported": [
            "authorization_code",
            "implicit",
            "refresh_token",
            "password",
            "client_credentials",
            "urn:ietf:params:oauth:grant-type:device_code",
        ],
        "subject_types_supported": ["public"],
        "scopes_supported": [
            "openid",
            "profile",
            "email",
            "address",
            "phone",
            "offline_access",
            "device_sso",
        ],
        "token_endpoint_auth_methods_supported": [
            "client_secret_basic",
            "client_secret_post",
            "client_secret_jwt",
            "private_key_jwt",
            "none",
        ],
        "claims_supported": [
            "iss",
            "ver",
            "sub",
            "aud",
            "iat",
            "exp",
            "jti",
            "auth_time",
            "amr",
            "idp",
            "nonce",
            "name",
            "preferred_username",
            "email",
            "email_verified",
        ],
        "code_challenge_methods_supported": ["S256"],
        "introspection_endpoint": f"{iss}/v1/introspect",
        "introspection_endpoint_auth_methods_supported": [
            "client_secret_basic",
            "client_secret_post",
            "client_secret_jwt",
            "private_key_jwt",
            "none",
        ],
        "revocation_endpoint": f"{iss}/v1/revoke",
        "revocation_endpoint_auth_methods_supported": [
            "client_secret_basic",
            "client_secret_post",
            "client_secret_jwt",
            "private_key_jwt",
            "none",
        ],
        "end_session_endpoint": f"{iss}/v1/logout",
        "request_parameter_supported": True,
        "request_object_signing_alg_values_supported": ["HS256", "HS384", "HS512", "RS256", "RS384", "RS512"],
        "device_authorization_endpoint": f"{iss}/v1/device/authorize",
    }
    if openid:
        doc["userinfo_endpoint"] = f"{iss}/v1/userinfo"
        doc["id_token_signing_alg_values_supported"] = ["RS256"]
    return doc


def state_dump(state: SandboxState, base: str) -> Json:
    """Everything the sandbox holds, for `GET /__sandbox/state` and debugging."""
    apps = sorted(state.apps.values(), key=lambda record: record.seq)
    return {
        "apps": [app(record, base, org_id=state.org_id) for record in apps],
        "secrets": {record.id: [secret(record.id, item, base) for item in record.secrets] for record in apps},
        "groups": [group(record, base) for record in sorted(state.groups.values(), key=lambda g: g.seq)],
        "assignments": {
            record.id: [assignment(record.id, item, base) for item in record.assignments.values()]
            for record in apps
        },
        "authorizationServers": [auth_server(server, base) for server in state.auth_servers.values()],
        "policies": {
            server.id: [
                {
                    **policy(server.id, item, base),
                    "rules": [rule(server.id, item.id, each, base) for each in item.rules],
                }
                for item in server.policies.policies
            ]
            for server in state.auth_servers.values()
        },
        "users": [user(record, base) for record in state.users.values()],
    }
