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


class _Seen(Protocol):
    def saw(self, key: tuple[str, str], secret: Mapping[str, Any] | None) -> None: ...
    def unsure(self, key: tuple[str, str]) -> None: ...


class ObservedSecrets:
    def __init__(self, inner: SecretStore, seen: _Seen) -> None:
        self._inner = inner
        self._seen = seen

    async def read(self, namespace: str, name: str) -> dict[str, Any] | None:
        secret = await self._inner.read(namespace, name)
        self._seen.saw((namespace, name), secret)
        return secret

    async def write(self, body: dict[str, Any]) -> None:
        key = (str(body["metadata"]["namespace"]), str(body["metadata"]["name"]))
        # Recorded before the call: the watch event of this write can be handled before the call returns.
        self._seen.saw(key, body)
        try:
            await self._inner.write(body)
        except BaseException:
            self._seen.unsure(key)
            raise

    async def delete(self, namespace: str, name: str) -> None:
        self._seen.saw((namespace, name), None)
        try:
            await self._inner.delete(namespace, name)
        except BaseException:
            self._seen.unsure((namespace, name))
            raise
