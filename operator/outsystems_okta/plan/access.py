"""Which Okta group assignments to add and remove ("Controlled access").

The operator removes only assignments it made itself (remembered in status); groups assigned by an
admin or another tool are never touched.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class AssignmentPlan:
    assign: tuple[str, ...]
    unassign: tuple[str, ...]

    @property
    def empty(self) -> bool:
        return not self.assign and not self.unassign


def plan_assignments(
    desired: Sequence[str],
    current: Collection[str],
    previously_managed: Collection[str],
) -> AssignmentPlan:
    """Group ids to assign to one app and to unassign from it."""
    wanted = list(dict.fromkeys(desired))
    assign = tuple(gid for gid in wanted if gid not in current)
    unassign = tuple(gid for gid in dict.fromkeys(previously_managed) if gid not in wanted and gid in current)
    return AssignmentPlan(assign=assign, unassign=unassign)


def managed_after(
    plan: AssignmentPlan, desired: Sequence[str], previously_managed: Collection[str]
) -> list[str]:
    """Group ids the operator owns once the plan is applied.

    A group that was already assigned (by someone else) when it entered the spec stays theirs.
    """
    return [gid for gid in dict.fromkeys(desired) if gid in previously_managed or gid in plan.assign]
