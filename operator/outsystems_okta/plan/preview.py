"""What a reconcile would do, as `outsystems-okta plan --live` prints it: a `terraform plan` for one
resource. Pure: the live survey (reconcile/preview.py) fills these records; `render` only formats.

Values are app fields and group names; a client secret is never among them (Okta does not return it
with an app, and the secrets are named by their id only).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from outsystems_okta.plan.apps import FieldChange


class Action(StrEnum):
    CREATE = "create"
    UPDATE = "update"
    ADOPT = "adopt"
    NONE = "none"
    REFUSED = "refused"


_SYMBOL = {
    Action.CREATE: "+",
    Action.UPDATE: "~",
    Action.ADOPT: "~",
    Action.NONE: " ",
    Action.REFUSED: "!",
}


@dataclass(frozen=True)
class AppPreview:
    role: str
    label: str
    app_id: str | None
    action: Action
    changes: tuple[FieldChange, ...] = ()
    # An INACTIVE app a reconcile would reactivate.
    activate: bool = False
    # Why a reconcile would stop here (Action.REFUSED): the Ready reason and its message.
    reason: str | None = None
    refusal: str | None = None
    # An app recorded in status that is gone and that this one replaces.
    replaces: str | None = None
    # Group assignments, as messages name groups: `"OutSystems IT" (00g...)`.
    assign: tuple[str, ...] = ()
    unassign: tuple[str, ...] = ()
    kept: tuple[str, ...] = ()
    # Where LifeTime's client secret would come from (an id, never a value).
    client_secret: str | None = None
    # The app sign-in policy a reconcile would assign (before: the policy the app uses now).
    sign_in_policy: FieldChange | None = None
    # The OAuth client id of the app found (what an access policy names).
    client_id: str | None = None

    @property
    def changes_anything(self) -> bool:
        return self.action in (Action.CREATE, Action.UPDATE, Action.ADOPT) or bool(
            self.activate or self.assign or self.unassign or self.sign_in_policy
        )


@dataclass(frozen=True)
class Preview:
    namespace: str
    name: str
    org_url: str
    apps: tuple[AppPreview, ...] = ()
    # What stops a reconcile before its first write ("Reason: message").
    problems: tuple[str, ...] = ()
    # What a reconcile would report without stopping (a group Okta does not have, duplicates).
    notes: tuple[str, ...] = ()
    # Ids of the spec's groups found in Okta, and whether every listed group was (the access policy's
    # people under accessPolicy Manage; not rendered).
    group_ids: tuple[str, ...] = ()
    groups_complete: bool = True

    @property
    def blocked(self) -> bool:
        return bool(self.problems) or any(app.action is Action.REFUSED for app in self.apps)

    @property
    def has_changes(self) -> bool:
        return any(app.changes_anything for app in self.apps)


def _value(value: Any) -> str:
    if value is None:
        return "(none)"
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def _field_lines(change: FieldChange, creating: bool) -> list[str]:
    before, after = change.before, change.after
    if isinstance(after, list) and (creating or before is None or isinstance(before, list)):
        # A list Okta does not have yet is shown item by item, like a list it has.
        old = before if isinstance(before, list) and not creating else []
        added = [item for item in after if item not in old]
        removed = [item for item in old if item not in after]
        lines = [f"    {change.name}:"]
        lines += [f"      + {_value(item)}" for item in added]
        lines += [f"      - {_value(item)}" for item in removed]
        if not added and not removed:
            lines[0] += " same entries, new order"
            lines += [f"      {_value(old)} -> {_value(after)}"]
        return lines
    if creating:
        return [f"    {change.name}: {_value(after)}"]
    return [f"    {change.name}: {_value(before)} -> {_value(after)}"]


def _heading(app: AppPreview) -> str:
    name = f"{app.label} ({app.app_id})" if app.app_id else app.label
    if app.action is Action.REFUSED:
        return f"! {name}: {app.reason}: {app.refusal}"
    what = {
        Action.CREATE: "create",
        Action.UPDATE: "update in place",
        Action.ADOPT: "adopt (update in place, add this resource's marker)",
        Action.NONE: "no changes",
    }[app.action]
    if app.action is Action.CREATE and app.replaces:
        what += f" (replaces {app.replaces}, gone from Okta; LifeTime must be given the new client ID)"
    if app.activate:
        what = "reactivate" if app.action is Action.NONE else f"{what}, reactivate"
    if app.action is Action.NONE and (app.assign or app.unassign):
        what = "group assignments only"
    elif app.action is Action.NONE and app.sign_in_policy is not None and not app.activate:
        what = "sign-in policy only"
    symbol = "~" if app.action is Action.NONE and app.changes_anything else _SYMBOL[app.action]
    return f"{symbol} {name}: {what}"


def render(preview: Preview) -> str:
    lines = [f"{preview.namespace}/{preview.name} in {preview.org_url}", ""]
    for problem in preview.problems:
        lines.append(f"! {problem}")
    if preview.problems:
        lines.append("")
    for app in preview.apps:
        lines.append(_heading(app))
        creating = app.action is Action.CREATE
        for change in app.changes:
            lines += _field_lines(change, creating)
        if app.sign_in_policy is not None:
            policy = app.sign_in_policy
            lines.append(f"    sign-in policy: {_value(policy.before)} -> {_value(policy.after)}")
        lines += [f"    + assign group {group}" for group in app.assign]
        lines += [f"    - unassign group {group}" for group in app.unassign]
        lines += [f"    = keep group {group} (a listed group is missing)" for group in app.kept]
        if app.client_secret:
            lines.append(f"    client secret: {app.client_secret}")
        lines.append("")
    for note in preview.notes:
        lines.append(f"note: {note}")
    if preview.notes:
        lines.append("")
    lines.append(summary(preview.apps, blocked=preview.blocked))
    return "\n".join(lines) + "\n"


def summary(apps: Sequence[AppPreview], *, blocked: bool) -> str:
    if blocked:
        return "Plan: a reconcile would stop before its first Okta write (see ! above)."
    create = sum(1 for app in apps if app.action is Action.CREATE)
    adopt = sum(1 for app in apps if app.action is Action.ADOPT)
    change = sum(
        1
        for app in apps
        if app.action is Action.UPDATE or (app.action is Action.NONE and (app.activate or app.sign_in_policy))
    )
    assign = sum(len(app.assign) for app in apps)
    unassign = sum(len(app.unassign) for app in apps)
    apps_text = f"{create} to create, {adopt} to adopt, {change} to change"
    return f"Plan: {apps_text}; {assign} group assignment(s) to add, {unassign} to remove."
