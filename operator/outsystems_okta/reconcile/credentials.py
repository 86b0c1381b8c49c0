"""The Okta API token: read from the credentials Secret, and whether it may travel to the org URL."""

from __future__ import annotations

import base64
import binascii
from typing import Any

from outsystems_okta.api.spec import IntegrationSpec
from outsystems_okta.reconcile.ports import SecretStore


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


def valid_token(token: str) -> bool:
    """Whether the token can go into an `Authorization: SSWS` header as it is."""
    return token_problem(token) is None


async def read_token(secrets: SecretStore, namespace: str, name: str, key: str) -> str | None:
    """The token, or None when the Secret or key is missing or empty."""
    secret = await secrets.read(namespace, name)
    if secret is None:
        return None
    return _strip_scheme(_value(secret, key))


async def missing_message(secrets: SecretStore, namespace: str, name: str, key: str) -> str:
    """What to say when `read_token` found no token: a key that is there but empty is not "not found"."""
    secret = await secrets.read(namespace, name)
    if secret is not None and key in {**(secret.get("data") or {}), **(secret.get("stringData") or {})}:
        return f"The value of key {key!r} in Secret {name!r} is empty; store the Okta API token there"
    return f"Secret {name!r} with key {key!r} not found in namespace {namespace!r}"


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
