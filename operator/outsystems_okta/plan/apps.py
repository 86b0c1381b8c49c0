"""What to do with one Okta app: create it, replace it, or leave it alone.

Okta's `PUT /api/v1/apps/{id}` replaces the whole app, so an update starts from the app as Okta has
it, changes only the fields the operator owns and sends everything else back untouched.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from outsystems_okta.blueprint import MARKER_KEY, DesiredApp, Owner, is_owned_by

VISIBILITY_HIDE = "visibility.hide"

# Read-only parts of an app that Okta ignores on PUT; sent back they would only add noise.
_READ_ONLY = ("_links", "_embedded")


class AppAction(StrEnum):
    CREATE = "create"
    UPDATE = "update"
    NONE = "none"


@dataclass(frozen=True)
class FieldChange:
    """One owned field that a create or update sets: its dotted name, Okta's value and ours.

    `before` is None for a field Okta does not have (and for every field of an app to create).
    """

    name: str
    before: Any
    after: Any


@dataclass(frozen=True)
class AppPlan:
    action: AppAction
    # The body to POST (create) or PUT (update); None when nothing is to be sent.
    body: dict[str, Any] | None = None
    # Names of owned fields that differ, for Events and logs (never values: they may be long).
    changed: tuple[str, ...] = ()
    # The app exists but is INACTIVE: it must be activated to be usable.
    activate: bool = False
    # Field by field, what the create or update sets (for `outsystems-okta plan --live`).
    changes: tuple[FieldChange, ...] = field(default=())


def client_id_of(app: Mapping[str, Any]) -> str:
    """An OIDC app's client ID (Okta makes it the app's id unless one was given at creation)."""
    oauth = (app.get("credentials") or {}).get("oauthClient") or {}
    return str(oauth.get("client_id") or app["id"])


def _owned_fields(app: Mapping[str, Any]) -> dict[str, Any]:
    """The owned fields of an app (desired body or Okta's JSON), flattened to dotted names."""
    settings = (app.get("settings") or {}).get("oauthClient") or {}
    credentials = (app.get("credentials") or {}).get("oauthClient") or {}
    out: dict[str, Any] = {"label": app.get("label")}
    for key, value in settings.items():
        out[f"settings.oauthClient.{key}"] = value
    for key, value in credentials.items():
        out[f"credentials.oauthClient.{key}"] = value
    out[f"profile.{MARKER_KEY}"] = (app.get("profile") or {}).get(MARKER_KEY)
    # Whether dashboards show the tile; the rest of `visibility` (autoLaunch, appLinks) stays the admin's.
    out[VISIBILITY_HIDE] = (app.get("visibility") or {}).get("hide")
    return out


# Lists whose order means nothing to Okta. Redirect URIs are not among them: Okta matches them in the
# registered order, and the blueprint generates them deterministically.
_UNORDERED = frozenset(
    {
        "settings.oauthClient.grant_types",
        "settings.oauthClient.response_types",
        "settings.oauthClient.post_logout_redirect_uris",
    }
)


def _same(name: str, want: Any, have: Any) -> bool:
    if name in _UNORDERED and isinstance(want, list) and isinstance(have, list):
        return sorted(map(str, want)) == sorted(map(str, have))
    return bool(want == have)


def owned_changes(desired: DesiredApp, observed: Mapping[str, Any] | None) -> tuple[FieldChange, ...]:
    """Owned fields whose observed value is not the desired one, with both values, in a stable order.

    With no observed app (a create), every owned field is a change from nothing.
    """
    want = _owned_fields(desired.create_body())
    have = _owned_fields(observed) if observed is not None else {}
    return tuple(
        FieldChange(name, have.get(name), value)
        for name, value in want.items()
        if observed is None or not _same(name, value, have.get(name))
    )


def replacement_body(desired: DesiredApp, observed: Mapping[str, Any]) -> dict[str, Any]:
    """The full PUT body: Okta's app with only the owned fields set to the desired values."""
    body = copy.deepcopy(dict(observed))
    for key in _READ_ONLY:
        body.pop(key, None)
    body["label"] = desired.label
    settings = body.setdefault("settings", {}).setdefault("oauthClient", {})
    settings.update(copy.deepcopy(desired.oauth_settings))
    credentials = body.setdefault("credentials", {}).setdefault("oauthClient", {})
    credentials.update(copy.deepcopy(desired.oauth_credentials))
    # A secret in a PUT sets the secret: never send one back (GET does not return it anyway).
    credentials.pop("client_secret", None)
    profile = body.get("profile")
    body["profile"] = {**(profile if isinstance(profile, Mapping) else {}), MARKER_KEY: dict(desired.marker)}
    visibility = body.get("visibility")
    body["visibility"] = {
        **(visibility if isinstance(visibility, Mapping) else {}),
        "hide": dict(desired.visibility_hide),
    }
    return body


def released_body(observed: Mapping[str, Any]) -> dict[str, Any]:
    """The full PUT body that gives an app back: Okta's app as it is, minus our ownership marker."""
    body = copy.deepcopy(dict(observed))
    for key in _READ_ONLY:
        body.pop(key, None)
    profile = body.get("profile")
    if isinstance(profile, Mapping):
        body["profile"] = {key: value for key, value in profile.items() if key != MARKER_KEY}
    credentials = (body.get("credentials") or {}).get("oauthClient")
    if isinstance(credentials, dict):
        credentials.pop("client_secret", None)
    return body


def plan_app(desired: DesiredApp, observed: Mapping[str, Any] | None) -> AppPlan:
    if observed is None:
        return AppPlan(
            action=AppAction.CREATE, body=desired.create_body(), changes=owned_changes(desired, None)
        )
    activate = observed.get("status") == "INACTIVE"
    changes = owned_changes(desired, observed)
    if not changes:
        return AppPlan(action=AppAction.NONE, activate=activate)
    return AppPlan(
        action=AppAction.UPDATE,
        body=replacement_body(desired, observed),
        changed=tuple(change.name for change in changes),
        activate=activate,
        changes=changes,
    )


@dataclass(frozen=True)
class Selection:
    """Apps found in Okta that carry our marker for one role."""

    chosen: dict[str, Any] | None
    duplicates: tuple[str, ...] = ()  # ids of further marked apps, never touched automatically


def select_owned(apps: Sequence[Mapping[str, Any]], owner: Owner, role: str) -> Selection:
    """Pick our app among listed ones: the oldest carrying our marker (ids break ties)."""
    ours = [dict(app) for app in apps if is_owned_by(app, owner, role) and app.get("status") != "DELETED"]
    if not ours:
        return Selection(chosen=None)
    ours.sort(key=lambda app: (str(app.get("created", "")), str(app.get("id", ""))))
    return Selection(chosen=ours[0], duplicates=tuple(str(app.get("id")) for app in ours[1:]))
