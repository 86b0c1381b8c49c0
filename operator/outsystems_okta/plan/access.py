"""Which Okta group assignments to add and remove ("Controlled access").

The operator removes only assignments it made itself (remembered in status); groups assigned by an
admin or another tool are never touched. Messages name a group by its name and its id: people know
the name, and the id is what stays true when someone renames the group.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class AssignmentPlan:
    assign: tuple[str, ...]
    unassign: tuple[str, ...]
    # Ours and no longer wanted, but left assigned because a listed group could not be resolved.
    kept: tuple[str, ...] = ()

    @property
    def empty(self) -> bool:
        return not self.assign and not self.unassign


def plan_assignments(
    desired: Sequence[str],
    current: Collection[str],
    previously_managed: Collection[str],
    *,
    complete: bool = True,
) -> AssignmentPlan:
    """Group ids to assign to one app and to unassign from it.

    `complete` is False when a group listed in the spec could not be resolved: then nothing is
    unassigned (the assignment we can no longer tell apart may be that very group's, renamed, and
    removing it would lock its users out); what would have gone is `kept` instead.
    """
    wanted = list(dict.fromkeys(desired))
    assign = tuple(gid for gid in wanted if gid not in current)
    unwanted = tuple(gid for gid in dict.fromkeys(previously_managed) if gid not in wanted and gid in current)
    if complete:
        return AssignmentPlan(assign=assign, unassign=unwanted)
    return AssignmentPlan(assign=assign, unassign=(), kept=unwanted)


def managed_after(
    plan: AssignmentPlan, desired: Sequence[str], previously_managed: Collection[str]
) -> list[str]:
    """Group ids the operator owns once the plan is applied.

    A group that was already assigned (by someone else) when it entered the spec stays theirs.
    """
    return [gid for gid in dict.fromkeys(desired) if gid in previously_managed or gid in plan.assign]


def describe_group(group_id: str, names: Mapping[str, str]) -> str:
    """A group as messages name it, `"OutSystems IT" (00g1a2b3c4)`; just the id when its name is unknown."""
    name = names.get(group_id)
    return f"{_quoted(name)} ({group_id})" if name else group_id


def assigned_group_names(assignments: Iterable[Mapping[str, Any]]) -> dict[str, str]:
    """Group names by id from an app's assignments listed with `expand=group` (`_embedded.group`)."""
    names: dict[str, str] = {}
    for assignment in assignments:
        group = (assignment.get("_embedded") or {}).get("group") or {}
        name = (group.get("profile") or {}).get("name")
        if isinstance(name, str) and name and assignment.get("id"):
            names[str(assignment["id"])] = name
    return names


def groups_not_found(missing: Sequence[str], kept: Sequence[str], names: Mapping[str, str]) -> str:
    """The Ready message when groups of the spec are not in Okta (stable across retries)."""
    listed = ", ".join(_quoted(name) for name in missing)
    message = (
        f"Okta has no group named {listed}" if len(missing) == 1 else f"Okta has no groups named {listed}"
    )
    message += "; the other groups are assigned"
    if kept:
        held = ", ".join(describe_group(gid, names) for gid in kept)
        message += (
            f"; {held} {'stays' if len(kept) == 1 else 'stay'} assigned until every listed group is found"
        )
    return message


def _quoted(name: str) -> str:
    # Double quotes with escapes, as JSON writes them: unambiguous even for a name holding quotes.
    return json.dumps(name, ensure_ascii=False)
