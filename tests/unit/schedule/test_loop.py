"""schedule/loop.py and status_view.py: when a scheduler runs its passes, and which status they see."""

from __future__ import annotations

import asyncio
import datetime
import time
from typing import Any

import pytest

from outsystems_okta.schedule import Next, Slot, StatusView, first_delay, run_schedule

NOW = datetime.datetime(2026, 12, 2, 10, 0, 0, tzinfo=datetime.UTC)


class Harness:
    """A scheduler with scripted pass results, stopped after `stop_after` passes."""

    def __init__(self, results: list[Next], stop_after: int | None = None) -> None:
        self.slot = Slot()
        self.results = list(results)
        self.stop = asyncio.Event()
        self.starts: list[float] = []
        self.stop_after = stop_after if stop_after is not None else len(results)
        self.wakes_seen_at_start: list[bool] = []
        self.woken: list[bool] = []

    async def run_pass(self) -> Next:
        self.starts.append(time.monotonic())
        self.wakes_seen_at_start.append(self.slot.wake.is_set())
        self.woken.append(self.slot.woken)
        assert self.slot.running
        result = self.results.pop(0)
        if len(self.starts) >= self.stop_after:
            self.stop.set()
        if isinstance(result, Exception):
            raise result
        return result

    async def run(self, first: float = 0.0, drift: float = 10.0, crash_delay: float = 15.0) -> None:
        await asyncio.wait_for(
            run_schedule(
                self.slot,
                self.run_pass,
                first_delay=first,
                drift=lambda: drift,
                is_stopped=self.stop.is_set,
                stopped=self.stop.wait,
                crash_delay=crash_delay,
            ),
            timeout=5,
        )


async def test_the_first_pass_runs_at_once_then_after_each_delay() -> None:
    h = Harness([Next(0.05), Next(0.1), Next(None)])
    started = time.monotonic()
    await h.run()
    gaps = [b - a for a, b in zip([started, *h.starts], h.starts, strict=False)]
    assert gaps[0] < 0.05 and 0.05 <= gaps[1] < 0.1 and 0.1 <= gaps[2] < 0.2
    assert not h.slot.running


async def test_no_delay_means_the_drift_interval() -> None:
    h = Harness([Next(None), Next(None)])
    await h.run(drift=0.05)
    assert h.starts[1] - h.starts[0] >= 0.05


async def test_a_wake_cuts_a_back_off_short_and_many_wakes_make_one_pass() -> None:
    h = Harness([Next(60.0), Next(60.0)])
    task = asyncio.create_task(h.run())
    await asyncio.sleep(0.05)
    for _ in range(5):
        h.slot.wake.set()
    await task
    assert len(h.starts) == 2
    assert h.wakes_seen_at_start == [False, False], "the wake is cleared before each pass"
    # The first pass was due (no wake): it may share reads; the woken one reads Okta afresh.
    assert h.woken == [False, True]


async def test_a_pass_due_on_its_timer_is_not_woken() -> None:
    h = Harness([Next(0.01), Next(None), Next(None)])
    await h.run(drift=0.01)
    assert h.woken == [False, False, False]


class WokenDuringFirstPass(Harness):
    async def run_pass(self) -> Next:
        result = await super().run_pass()
        if len(self.starts) == 1:
            self.slot.wake.set()  # a change arrives while the pass runs
        return result


async def test_a_wake_during_a_pass_runs_one_more() -> None:
    h = WokenDuringFirstPass([Next(60.0), Next(60.0)])
    await h.run()
    assert len(h.starts) == 2 and h.starts[1] - h.starts[0] < 1.0


async def test_a_firm_delay_is_not_cut_short() -> None:
    # Okta's rate-limit reset: a wake waits for it, then makes one pass.
    h = Harness([Next(0.2, firm=True), Next(None)])
    task = asyncio.create_task(h.run())
    await asyncio.sleep(0.02)
    h.slot.wake.set()
    await task
    assert h.starts[1] - h.starts[0] >= 0.2


async def test_a_wake_before_the_first_delay_runs_the_pass_at_once() -> None:
    h = Harness([Next(None)])
    h.slot.wake.set()
    started = time.monotonic()
    await h.run(first=60.0)
    assert h.starts[0] - started < 0.5


async def test_stopping_ends_a_wait() -> None:
    h = Harness([Next(60.0), Next(None)], stop_after=99)
    task = asyncio.create_task(h.run())
    await asyncio.sleep(0.05)
    h.stop.set()
    await task
    assert len(h.starts) == 1


async def test_a_pass_that_raises_is_retried_later() -> None:
    h = Harness([RuntimeError("boom"), Next(None)])  # type: ignore[list-item]
    await h.run(crash_delay=0.05)
    assert len(h.starts) == 2 and h.starts[1] - h.starts[0] >= 0.05
    assert not h.slot.running


def status(ready: str, next_attempt: str | None = None) -> dict[str, Any]:
    s: dict[str, Any] = {"conditions": [{"type": "Ready", "status": ready, "reason": "X"}]}
    if next_attempt is not None:
        s["nextAttemptTime"] = next_attempt
    return s


@pytest.mark.parametrize(
    ("previous", "delay"),
    [
        ({}, 0.0),  # new
        (status("True"), 0.0),  # restart of a healthy resource: a pass at once, as Kopf's resume did
        (status("False"), 0.0),  # failed, nothing scheduled (InvalidSpec): look again
        (status("False", "2026-12-02T09:59:00Z"), 0.0),  # back-off already over
        (status("False", "2026-12-02T10:00:40Z"), 40.0),  # back-off survives the restart
        (status("False", "2026-12-02T11:00:00Z"), 600.0),  # never longer than the drift interval
        (status("False", "garbage"), 0.0),
    ],
)
def test_first_delay(previous: dict[str, Any], delay: float) -> None:
    assert first_delay(previous, NOW, 600.0) == delay


def test_status_view_prefers_the_newer_of_live_and_written() -> None:
    body: dict[str, Any] = {"metadata": {"resourceVersion": "10"}, "status": {"a": 1}}
    view = StatusView(body)
    assert view.current() == {"a": 1}
    view.stored({"metadata": {"resourceVersion": "12"}, "status": {"a": 2}})
    assert view.current() == {"a": 2}, "the watch event of our write has not arrived yet"
    body["metadata"]["resourceVersion"], body["status"] = "12", {"a": 2}
    assert view.current() == {"a": 2}
    body["metadata"]["resourceVersion"], body["status"] = "13", {"a": 3}
    assert view.current() == {"a": 3}, "a later write by someone else"


def test_status_view_with_opaque_versions_keeps_what_it_wrote() -> None:
    body: dict[str, Any] = {"metadata": {"resourceVersion": "abc"}, "status": {"a": 1}}
    view = StatusView(body)
    view.stored({"metadata": {"resourceVersion": "def"}, "status": {"a": 2}})
    assert view.current() == {"a": 2}
