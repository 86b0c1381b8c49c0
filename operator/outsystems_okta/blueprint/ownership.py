"""The marker the operator leaves in an Okta app's `profile` to recognise its own apps.

Okta labels are not unique and app ids are server-made, so after a crash between "app created" and
"status written" the marker is the only way to find the app again instead of creating a duplicate.
`profile` is readable by app admins and may surface in tokens: the marker holds no secret.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from outsystems_okta import OPERATOR_NAME

MARKER_KEY = "outsystemsOktaOperator"


@dataclass(frozen=True)
class Owner:
    """The custom resource an app belongs to."""

    namespace: str
    name: str
    uid: str


def ownership_marker(owner: Owner, role: str) -> dict[str, str]:
    return {
        "managedBy": OPERATOR_NAME,
        "namespace": owner.namespace,
        "name": owner.name,
        "uid": owner.uid,
        "role": role,
    }


def marker_of(app: Mapping[str, Any]) -> Mapping[str, Any] | None:
    """The marker an Okta app (raw JSON) carries under our key, whoever put it there."""
    profile = app.get("profile")
    if not isinstance(profile, Mapping):
        return None
    marker = profile.get(MARKER_KEY)
    return marker if isinstance(marker, Mapping) else None


def is_owned_by(app: Mapping[str, Any], owner: Owner, role: str) -> bool:
    """Whether an Okta app (raw JSON) carries our marker for this resource and role."""
    marker = marker_of(app)
    if marker is None:
        return False
    return (
        marker.get("managedBy") == OPERATOR_NAME
        and marker.get("uid") == owner.uid
        and marker.get("role") == role
    )
