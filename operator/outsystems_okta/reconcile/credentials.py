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


def valid_token(token: str) -> bool:
    """Whether the token can go into an `Authorization: SSWS` header as it is."""
    return all(c.isprintable() and not c.isspace() for c in token)


async def read_token(secrets: SecretStore, namespace: str, name: str, key: str) -> str | None:
    """The token, or None when the Secret or key is missing or empty."""
    secret = await secrets.read(namespace, name)
    if secret is None:
        return None
    return _strip_scheme(_value(secret, key))


def _strip_scheme(token: str | None) -> str | None:
    # A token pasted together with its header scheme ("SSWS 00a...") is still the token.
    if token is not None and token[:5].upper() == "SSWS ":
        token = token[5:].strip()
    return token or None


def _value(secret: dict[str, Any], key: str) -> str | None:
    raw = (secret.get("data") or {}).get(key)
    if raw:
        try:
            token = base64.b64decode(raw, validate=True).decode().strip()
        except (binascii.Error, UnicodeDecodeError):
            return None
        return token or None
    # stringData is folded into data by the API server; accept it too for hand-made fakes.
    plain = (secret.get("stringData") or {}).get(key)
    return str(plain).strip() or None if plain else None
