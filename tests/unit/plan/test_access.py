"""Group assignments: add what the spec wants, remove only what the operator itself added."""

from __future__ import annotations

import pytest

from outsystems_okta.plan.access import (
    AssignmentPlan,
    assigned_group_names,
    describe_group,
    groups_not_found,
    managed_after,
    plan_assignments,
)


@pytest.mark.parametrize(
    ("desired", "current", "previous", "assign", "unassign", "managed"),
    [
        # Nothing wanted, nothing there.
        ([], set(), [], (), (), []),
        # First reconcile: assign both.
        (["g1", "g2"], set(), [], ("g1", "g2"), (), ["g1", "g2"]),
        # Steady state.
        (["g1", "g2"], {"g1", "g2"}, ["g1", "g2"], (), (), ["g1", "g2"]),
        # A group leaves the spec: only ours is removed.
        (["g1"], {"g1", "g2"}, ["g1", "g2"], (), ("g2",), ["g1"]),
        # An admin's own assignment is never removed, even if the spec never listed it.
        ([], {"admin"}, [], (), (), []),
        (["g1"], {"g1", "admin"}, ["g1"], (), (), ["g1"]),
        # A group that was already assigned by someone else when it entered the spec stays theirs.
        (["admin"], {"admin"}, [], (), (), []),
        # Ours, gone from Okta and from the spec, next to one still ours: only the live one is kept.
        (["g1"], {"g1"}, ["g1", "g2"], (), (), ["g1"]),
        # Someone removed our assignment in Okta: put it back, still ours.
        (["g1"], set(), ["g1"], ("g1",), (), ["g1"]),
        # Ours was removed in Okta and it also left the spec: nothing to do, forget it.
        ([], set(), ["g1"], (), (), []),
        # Spec order is kept; duplicates (e.g. Everyone listed via both routes) collapse.
        (["g3", "g1", "g3", "g2"], set(), [], ("g3", "g1", "g2"), (), ["g3", "g1", "g2"]),
        # Previously managed ids listed twice unassign once.
        ([], {"g1"}, ["g1", "g1"], (), ("g1",), []),
        # Mixed: add one, keep one, drop one of ours, keep the admin's.
        (["g1", "g4"], {"g1", "g2", "admin"}, ["g1", "g2"], ("g4",), ("g2",), ["g1", "g4"]),
    ],
    ids=[
        "empty",
        "first-assign",
        "steady",
        "drop-ours",
        "admin-only",
        "admin-alongside",
        "adopt-not",
        "forget-vanished",
        "re-assign",
        "gone-and-unwanted",
        "order-and-dedup",
        "dedup-previous",
        "mixed",
    ],
)
def test_plan_and_ownership(
    desired: list[str],
    current: set[str],
    previous: list[str],
    assign: tuple[str, ...],
    unassign: tuple[str, ...],
    managed: list[str],
) -> None:
    plan = plan_assignments(desired, current, previous)
    assert plan == AssignmentPlan(assign=assign, unassign=unassign)
    assert plan.empty is (not assign and not unassign)
    assert managed_after(plan, desired, previous) == managed


def test_plan_never_unassigns_what_it_assigns() -> None:
    plan = plan_assignments(["g1", "g2"], {"g2", "g3"}, ["g2", "g3"])
    assert not set(plan.assign) & set(plan.unassign)
    assert plan.unassign == ("g3",)


def test_unassign_is_limited_to_current_assignments() -> None:
    # Unassigning a group Okta no longer has would 404; skip it.
    plan = plan_assignments([], {"g2"}, ["g1", "g2"])
    assert plan.unassign == ("g2",)


def test_empty_property() -> None:
    assert AssignmentPlan(assign=(), unassign=()).empty
    assert not AssignmentPlan(assign=("g1",), unassign=()).empty
    assert not AssignmentPlan(assign=(), unassign=("g1",)).empty


def test_managed_after_is_within_desired() -> None:
    desired = ["g1", "g2"]
    previous = ["g1", "g9"]
    plan = plan_assignments(desired, {"g1", "g9", "g2"}, previous)
    managed = managed_after(plan, desired, previous)
    assert set(managed) <= set(desired)
    assert managed == ["g1"]


def test_inputs_may_be_any_collections() -> None:
    plan = plan_assignments(("g1", "g2"), frozenset({"g2"}), {"g2"})
    assert plan.assign == ("g1",)
    assert plan.unassign == ()
    assert managed_after(plan, ("g1", "g2"), {"g2"}) == ["g1", "g2"]


def test_an_incomplete_plan_keeps_what_it_would_unassign() -> None:
    # A listed group was not found: ours that left the spec stays, and the plan says which.
    plan = plan_assignments(["g1", "g4"], {"g1", "g2", "admin"}, ["g1", "g2"], complete=False)
    assert plan == AssignmentPlan(assign=("g4",), unassign=(), kept=("g2",))
    assert not plan.empty
    assert plan_assignments(["g1"], {"g1"}, ["g1"], complete=False) == AssignmentPlan((), (), ())


NAMES = {"00g1": "OutSystems IT", "00g2": 'Team "Blue"', "00g3": "Développeurs"}


@pytest.mark.parametrize(
    ("group_id", "text"),
    [
        ("00g1", '"OutSystems IT" (00g1)'),
        ("00g2", '"Team \\"Blue\\"" (00g2)'),
        ("00g3", '"Développeurs" (00g3)'),
        ("00g9", "00g9"),
    ],
    ids=["plain", "quotes-escaped", "unicode-kept", "unknown-name"],
)
def test_a_group_is_named_by_name_and_id(group_id: str, text: str) -> None:
    assert describe_group(group_id, NAMES) == text


def test_names_come_from_the_embedded_groups_of_an_assignment_listing() -> None:
    listed = [
        {"id": "00g1", "_embedded": {"group": {"id": "00g1", "profile": {"name": "OutSystems IT"}}}},
        {"id": "00g2"},  # listed without expand
        {"id": "00g3", "_embedded": {"group": {"profile": {}}}},
        {"id": "00g4", "_embedded": {"group": {"profile": {"name": ""}}}},
    ]
    assert assigned_group_names(listed) == {"00g1": "OutSystems IT"}


def test_groups_not_found_message() -> None:
    assert groups_not_found(["OutSystems Auditors"], [], NAMES) == (
        'Okta has no group named "OutSystems Auditors"; the other groups are assigned'
    )
    assert groups_not_found(["A", "B"], ["00g1", "00g9"], NAMES) == (
        'Okta has no groups named "A", "B"; the other groups are assigned; "OutSystems IT" (00g1), 00g9 '
        "stay assigned until every listed group is found"
    )
    assert groups_not_found(["A"], ["00g1"], NAMES).endswith(
        '; "OutSystems IT" (00g1) stays assigned until every listed group is found'
    )
