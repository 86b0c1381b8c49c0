"""A record of every API call the emulator served, and the RBAC rules those calls need."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class RecordedKubeRequest:
    """One API call: the RBAC verb and resource it addresses, and the HTTP status answered.

    `verb` is the RBAC verb for resource requests (get, list, watch, create, update, patch, delete,
    deletecollection) or the lower-cased HTTP method for non-resource URLs (`/api`, `/version`...),
    for which `resource` is None.
    """

    verb: str
    method: str
    path: str
    status: int
    group: str | None = None
    version: str | None = None
    resource: str | None = None
    subresource: str | None = None
    namespace: str | None = None
    name: str | None = None
    user_agent: str = ""
    query: dict[str, str] = field(default_factory=dict, compare=False)

    @property
    def is_resource_request(self) -> bool:
        return self.resource is not None

    @property
    def rbac_resource(self) -> str | None:
        """`resource` or `resource/subresource`, as RBAC rules spell them."""
        if self.resource is None:
            return None
        return f"{self.resource}/{self.subresource}" if self.subresource else self.resource


def rbac_rules(requests: Iterable[RecordedKubeRequest]) -> list[dict[str, Any]]:
    """The minimal ClusterRole rules covering the given resource requests (one rule per resource)."""
    verbs: dict[tuple[str, str], set[str]] = {}
    for request in requests:
        if request.group is None or request.rbac_resource is None:
            continue
        verbs.setdefault((request.group, request.rbac_resource), set()).add(request.verb)
    return [
        {"apiGroups": [group], "resources": [resource], "verbs": sorted(found)}
        for (group, resource), found in sorted(verbs.items())
    ]
