"""The Okta credentials: read from the credentials Secret, and whether they may travel to the org URL.

The Secret holds either
- an OAuth 2.0 service app: `clientId` and `privateKey` (PEM), optionally `keyId` (the JWK's kid in
  Okta); or
- an SSWS API token under `spec.okta.credentialsSecretRef.key` (default `apiToken`).
When `clientId` is present the service app wins (Okta recommends it): an incomplete or unparsable
service app is an error, never a silent fall-back to a token that may be stale.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping
from typing import Any

from outsystems_okta.api.spec import AccessPolicyMode, IntegrationSpec
from outsystems_okta.okta.credentials import Credentials, InvalidCredentials, SswsToken, service_app
from outsystems_okta.reconcile import managed_policy
from outsystems_okta.reconcile.ports import SecretStore

CLIENT_ID_KEY = "clientId"
PRIVATE_KEY_KEY = "privateKey"
KEY_ID_KEY = "keyId"

# The least `okta.*` scopes, per the `security` of each operation the client calls (Okta's OpenAPI
# spec, management-minimal.yaml): apps, client secrets, group assignments and app sign-in policy
# assignment are okta.apps.read/manage; listGroups okta.groups.read; getAuthorizationServer and the
# access-policy reads okta.authorizationServers.read.
BASE_SCOPES = ("okta.apps.read", "okta.apps.manage", "okta.groups.read", "okta.authorizationServers.read")
# accessPolicy: Manage writes access policies and rules (and a switch back to Check deletes ours).
POLICY_WRITE_SCOPE = "okta.authorizationServers.manage"
# signInPolicyId: getPolicy.
SIGN_IN_POLICY_SCOPE = "okta.policies.read"


class CredentialsError(Exception):
    """The Secret is there but its content cannot be used; the message names keys, never values."""


def is_insecure(spec: IntegrationSpec) -> bool:
    """Whether the org URL is plain http (the token would travel in clear text)."""
    return spec.okta.org_url.startswith("http://")


# An Okta API token is 42 characters of base64url ("00" and 40 more; the token examples in Okta's
# OpenAPI spec, management-minimal.yaml, e.g. ProvisioningConnectionTokenRequestEx). The bound leaves room
# for other formats but keeps a pasted file (a 200 KB value) from reaching Okta, whose front end answers
# an oversized header with an HTML page that would end up in the condition.
MAX_TOKEN_LENGTH = 256


def token_problem(token: str) -> str | None:
    """Why the token cannot go into an `Authorization: SSWS` header as it is (None: it can).

    Never quotes the token: the answer goes into a condition and an Event.
    """
    if len(token) > MAX_TOKEN_LENGTH:
        return f"it is {len(token)} characters long; an Okta API token has 42"
    if not token.isascii():
        # httpx encodes headers as ASCII: a non-ASCII character would fail the request, not reach Okta.
        return "it has characters that are not ASCII"
    if not all(c.isprintable() and not c.isspace() for c in token):
        return "it has spaces or control characters"
    return None


def scopes_for(spec: IntegrationSpec, status: Mapping[str, Any]) -> tuple[str, ...]:
    """The scopes a pass for this spec needs, no more (Okta refuses a token request for scopes the
    service app was not granted, so asking for fewer keeps a read-mostly setup working)."""
    scopes = list(BASE_SCOPES)
    known_policy, _ = managed_policy.known_ids(status)
    if spec.okta.access_policy is AccessPolicyMode.MANAGE or known_policy is not None:
        scopes.append(POLICY_WRITE_SCOPE)
    if spec.okta.sign_in_policy_id is not None:
        scopes.append(SIGN_IN_POLICY_SCOPE)
    return tuple(scopes)


def read_scopes_for(spec: IntegrationSpec) -> tuple[str, ...]:
    """What `plan --live` (reads only) needs: the read half of `scopes_for`."""
    scopes = [scope for scope in BASE_SCOPES if scope.endswith(".read")]
    if spec.okta.sign_in_policy_id is not None:
        scopes.append(SIGN_IN_POLICY_SCOPE)
    return tuple(scopes)


async def read_credentials(
    secrets: SecretStore,
    namespace: str,
    spec: IntegrationSpec,
    status: Mapping[str, Any],
    *,
    read_only: bool = False,
) -> Credentials | None:
    """The credentials, or None when the Secret is missing or holds neither kind.

    `read_only`: for a pass that never writes (Observe, paused): a service app asks only for the read
    scopes, so a service app granted nothing more can observe.

    Raises `CredentialsError` (before any Okta call) for a service app with a missing or unparsable
    key, or a value that is no Okta API token (`token_problem`).
    """
    ref = spec.okta.credentials_secret_ref
    secret = await secrets.read(namespace, ref.name)
    if secret is None:
        return None
    client_id = _value(secret, CLIENT_ID_KEY)
    if client_id is not None:
        pem = _value(secret, PRIVATE_KEY_KEY)
        if pem is None:
            raise CredentialsError(
                f"Secret {ref.name!r} has {CLIENT_ID_KEY!r} but no {PRIVATE_KEY_KEY!r}: an Okta service app "
                "needs its private key (PEM)"
            )
        try:
            scopes = read_scopes_for(spec) if read_only else scopes_for(spec, status)
            return service_app(client_id, pem, _value(secret, KEY_ID_KEY), scopes)
        except InvalidCredentials as exc:
            raise CredentialsError(f"Secret {ref.name!r}: {exc}") from None
    token = _strip_scheme(_value(secret, ref.key))
    if token is None:
        return None
    problem = token_problem(token)
    if problem is not None:
        raise CredentialsError(
            f"The value of key {ref.key!r} in Secret {ref.name!r} is not an Okta API token ({problem}); "
            "store the bare token"
        )
    try:
        return SswsToken(token)
    except InvalidCredentials as exc:
        raise CredentialsError(f"Secret {ref.name!r}, key {ref.key!r}: {exc}") from None


async def missing_message(secrets: SecretStore, namespace: str, name: str, key: str) -> str:
    """What to say when `read_credentials` found none: a key that is there but empty is not "not found"."""
    secret = await secrets.read(namespace, name)
    if secret is not None and key in {**(secret.get("data") or {}), **(secret.get("stringData") or {})}:
        return f"The value of key {key!r} in Secret {name!r} is empty; store the Okta API token there"
    return (
        f"Secret {name!r} with key {key!r} (or {CLIENT_ID_KEY} and {PRIVATE_KEY_KEY}) not found in namespace "
        f"{namespace!r}"
    )


def _strip_scheme(token: str | None) -> str | None:
    # A token pasted together with its header scheme ("SSWS 00a...") is still the token.
    if token is not None and token[:5].upper() == "SSWS ":
        token = token[5:].strip()
    return token or None


def _value(secret: dict[str, Any], key: str) -> str | None:
    raw = (secret.get("data") or {}).get(key)
    if raw:
        try:
            # Bytes that are not UTF-8 become U+FFFD: a value that is there but is no token is reported
            # as such (token_problem), not as a missing key.
            token = base64.b64decode(raw, validate=True).decode(errors="replace").strip()
        except binascii.Error:
            return None
        return token or None
    # stringData is folded into data by the API server; accept it too for hand-made fakes.
    plain = (secret.get("stringData") or {}).get(key)
    return str(plain).strip() or None if plain else None
