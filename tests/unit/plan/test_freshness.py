"""When a pass may use a shared read: every rule of plan/freshness, exhaustively."""

from __future__ import annotations

import itertools

import pytest

from outsystems_okta.plan.freshness import DRIFT_SPREAD, MAX_TTL, Window, snapshot_ttl


@pytest.mark.parametrize(
    ("drift_interval", "ttl"),
    [
        (600.0, 120.0),  # the default: 20 % of 10 minutes, exactly the cap
        (60.0, 12.0),  # make sandbox: 20 % of a minute
        (3600.0, MAX_TTL),  # capped: a hand edit is seen within two minutes plus the interval
        (1.0, 0.2),
        (0.0, 0.0),
        (-5.0, 0.0),  # never negative
    ],
)
def test_the_ttl_is_the_drift_timers_spread_capped(drift_interval: float, ttl: float) -> None:
    assert snapshot_ttl(drift_interval) == pytest.approx(ttl)


def test_the_spread_is_that_of_the_drift_jitter() -> None:
    # handlers.py draws each drift delay from uniform(0.8, 1.0) * interval.
    assert abs(DRIFT_SPREAD - (1.0 - 0.8)) < 1e-9
    assert snapshot_ttl(3600.0, cap=1000.0) == pytest.approx(720.0)


def test_a_pass_a_person_asked_for_uses_nothing_older_than_itself() -> None:
    for previous_end in (None, 10.0, 99.0):
        window = Window(now=100.0, ttl=30.0, previous_end=previous_end, fresh=True)
        assert not window.admits(99.9) and window.admits(100.0) and window.admits(100.5)


def test_a_first_pass_in_this_process_uses_any_snapshot_within_the_ttl() -> None:
    window = Window(now=100.0, ttl=30.0, previous_end=None, fresh=False)
    assert window.admits(70.0) and window.admits(99.0) and not window.admits(69.9)


def test_a_pass_never_uses_a_snapshot_older_than_its_own_previous_pass() -> None:
    # The previous pass ended within the TTL: the snapshot must be newer than that end, so the pass
    # sees its own earlier writes (a create whose answer was lost included).
    window = Window(now=100.0, ttl=30.0, previous_end=90.0, fresh=False)
    assert not window.admits(89.0) and window.admits(90.5)
    # Strictly newer: one started in the very tick the previous pass ended may predate its last write.
    assert not window.admits(90.0)
    # It ended long ago: the TTL is the limit.
    window = Window(now=100.0, ttl=30.0, previous_end=10.0, fresh=False)
    assert not window.admits(69.0) and window.admits(70.0)


def test_the_rules_over_a_grid() -> None:
    # Exhaustive over a grid: a snapshot is admitted exactly when it started after the previous pass
    # ended, within the TTL, and (for a pass a person asked for) not before the pass.
    grid = [0.0, 5.0, 10.0, 50.0, 95.0, 100.0, 101.0]
    ends: list[float | None] = [None, *grid[:-1]]
    for started, previous_end, ttl, fresh in itertools.product(grid, ends, [0.0, 10.0, 120.0], [False, True]):
        now = 100.0
        admitted = Window(now, ttl, previous_end, fresh).admits(started)
        refused = (
            (previous_end is not None and started <= previous_end)
            or started < now - ttl
            or (fresh and started < now)
        )
        assert admitted is not refused, (started, previous_end, ttl, fresh)
