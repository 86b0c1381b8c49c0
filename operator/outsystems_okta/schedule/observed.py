"""A SecretStore that remembers what each pass read and wrote, so the Secret watch can tell the
operator's own writes (and unchanged Secrets) from changes made by someone else."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Any, Protocol

from outsystems_okta.reconcile.ports import SecretStore


def fingerprint(secret: Mapping[str, Any] | None) -> str | None:
    """A digest of a Secret's data (None when absent): only the digest is kept, never the values."""
    if secret is None:
        return None
    data = secret.get("data") or {}
    return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()


Key = tuple[str, str]


class _Seen(Protocol):
    def saw(self, integration: Key, key: Key, secret: Mapping[str, Any] | None) -> None: ...
    def unsure(self, integration: Key, key: Key) -> None: ...


class ObservedSecrets:
    """The Secret store of one integration's pass (`integration`: its namespace and name)."""

    def __init__(self, inner: SecretStore, seen: _Seen, integration: Key) -> None:
        self._inner = inner
        self._seen = seen
        self._integration = integration

    async def read(self, namespace: str, name: str) -> dict[str, Any] | None:
        secret = await self._inner.read(namespace, name)
        self._seen.saw(self._integration, (namespace, name), secret)
        return secret

    async def write(self, body: dict[str, Any]) -> None:
        key = (str(body["metadata"]["namespace"]), str(body["metadata"]["name"]))
        # Recorded before the call: the watch event of this write can be handled before the call returns.
        self._seen.saw(self._integration, key, body)
        try:
            await self._inner.write(body)
        except BaseException:
            self._seen.unsure(self._integration, key)
            raise

    async def delete(self, namespace: str, name: str) -> None:
        self._seen.saw(self._integration, (namespace, name), None)
        try:
            await self._inner.delete(namespace, name)
        except BaseException:
            self._seen.unsure(self._integration, (namespace, name))
            raise
