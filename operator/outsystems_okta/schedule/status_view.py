"""The status a scheduler's pass starts from."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def _version(value: object) -> int | None:
    try:
        return int(str(value))
    except ValueError:
        return None


class StatusView:
    """The live body's status, unless the status this scheduler wrote last is newer than it: the watch
    event of that write may not have reached the live body when the next pass starts, and a pass that
    started from the older status would look for its apps again (by marker) instead of by id.

    Kubernetes calls resourceVersion opaque; every API server in use makes it an increasing integer.
    When it is not one, the written status wins (only this scheduler writes status while it runs)."""

    def __init__(self, body: Mapping[str, Any]) -> None:
        self._body = body
        self._written: dict[str, Any] | None = None
        self._written_version: int | None = None

    def current(self) -> dict[str, Any]:
        live = dict(self._body.get("status") or {})
        if self._written is None:
            return live
        version = _version((self._body.get("metadata") or {}).get("resourceVersion"))
        if version is not None and self._written_version is not None and version >= self._written_version:
            return live
        return dict(self._written)

    def stored(self, obj: Mapping[str, Any]) -> None:
        """Record the object as the API server stored it after this scheduler's status write."""
        self._written = dict(obj.get("status") or {})
        self._written_version = _version((obj.get("metadata") or {}).get("resourceVersion"))
