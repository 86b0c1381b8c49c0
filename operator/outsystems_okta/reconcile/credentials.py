"""Reading the Okta API token from the credentials Secret."""

from __future__ import annotations

import base64
import binascii

from outsystems_okta.reconcile.ports import SecretStore


async def read_token(secrets: SecretStore, namespace: str, name: str, key: str) -> str | None:
    """The token, or None when the Secret or key is missing or empty."""
    secret = await secrets.read(namespace, name)
    if secret is None:
        return None
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
