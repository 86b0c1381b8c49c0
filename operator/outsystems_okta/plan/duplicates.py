"""More than one Okta app carrying this resource's marker for one role: which one is ours, and which
of the others the operator may delete.

They come from a create that Okta applied although its answer never reached the operator (a lost
response or a timeout), found by neither the look the create makes after such a failure nor the next
pass, because Okta applied it only later; the next pass created the app again. The rule:

- keep the app status tracks; else the one whose client ID the LifeTime Secret holds; else the oldest
  (the one a marker search has always picked);
- delete another only when it carries this resource's full marker (operator, uid and role: nobody
  else's app, not the other role's) and was never handed to LifeTime: neither its id nor its client ID
  is in status or in the Secret. LifeTime cannot have it, so deleting it locks nobody out;
- any other stays, with a Warning: a person decides.
"""

from __future__ import annotations

import datetime
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from outsystems_okta.blueprint import Owner, is_owned_by
from outsystems_okta.plan.apps import client_id_of

# How long after the tracked app was created a pass still looks for a late twin of it. A create that
# Okta applies late lands within its client's timeout plus seconds; the window spans several drift
# passes (600 s by default) so that one of them sees it, and afterwards steady passes cost no list.
LATE_CREATE_WINDOW = 3600.0


def _instant(value: object) -> datetime.datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        parsed = datetime.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=datetime.UTC)


def may_have_late_twin(tracked: Mapping[str, Any], now: str, *, adopted: bool) -> bool:
    """Whether a pass should look for a second marked app beside the tracked one: only for an app this
    resource created (an adopted one was not made by a create of ours), while it is young. An app
    without a readable `created` is looked after: better one list call than a duplicate kept."""
    if adopted:
        return False
    created, current = _instant(tracked.get("created")), _instant(now)
    if created is None or current is None:
        return True
    return (current - created).total_seconds() <= LATE_CREATE_WINDOW


@dataclass(frozen=True)
class Settlement:
    """What to do with the apps carrying this resource's marker for one role."""

    keep: dict[str, Any] | None
    # Ids of the others that are safe to delete (never handed to LifeTime).
    remove: tuple[str, ...] = ()
    # Ids of the others a person has to look at (handed to LifeTime, in status or in the Secret).
    leave: tuple[str, ...] = ()


def settle(
    apps: Sequence[Mapping[str, Any]],
    owner: Owner,
    role: str,
    *,
    tracked_id: str | None,
    handed: Collection[str],
) -> Settlement:
    """Apply the rule of this module to listed apps.

    `tracked_id`: the app status records for `role` (None when status has none). `handed`: every app id
    and client ID that status or the LifeTime Secret holds, for either role.
    """
    ours = [dict(app) for app in apps if is_owned_by(app, owner, role) and app.get("status") != "DELETED"]
    if not ours:
        return Settlement(keep=None)
    ours.sort(key=lambda app: (str(app.get("created", "")), str(app.get("id", ""))))
    keep = next(
        (app for app in ours if tracked_id is not None and str(app.get("id")) == tracked_id),
        None,
    ) or next((app for app in ours if client_id_of(app) in handed), ours[0])
    others = [app for app in ours if app is not keep]
    remove = tuple(
        str(app["id"]) for app in others if str(app["id"]) not in handed and client_id_of(app) not in handed
    )
    leave = tuple(str(app["id"]) for app in others if str(app["id"]) not in remove)
    return Settlement(keep=keep, remove=remove, leave=leave)


def handed_ids(status: Mapping[str, Any], secret_data: Mapping[str, str], roles: Collection[str]) -> set[str]:
    """The app ids and client IDs that status records and the LifeTime Secret holds (its decoded data)."""
    handed: set[str] = set()
    for role in roles:
        entry = status.get(role)
        if isinstance(entry, Mapping):
            handed.update(str(entry[key]) for key in ("appId", "clientId") if entry.get(key))
    handed.update(str(secret_data[key]) for key in ("webClientId", "desktopClientId") if secret_data.get(key))
    return handed
