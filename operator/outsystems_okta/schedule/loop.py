"""One integration's scheduler: wait for a wake, the back-off deadline or the drift interval, then run
a pass; forever, until stopped."""

from __future__ import annotations

import asyncio
import datetime
import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any

from outsystems_okta.plan.backoff import seconds_until
from outsystems_okta.plan.conditions import find
from outsystems_okta.schedule.wakes import Slot

logger = logging.getLogger(__name__)

# After a pass that raised instead of returning (it could not even write status): try again this soon.
CRASH_DELAY = 15.0


@dataclass(frozen=True)
class Next:
    """When the next pass is due, as a finished pass says."""

    # Seconds until the next pass; None: after the drift interval.
    delay: float | None
    # A wake cannot make the next pass sooner (Okta's rate-limit reset: a pass before it fails again and
    # spends the shared bucket).
    firm: bool = False


def first_delay(status: Mapping[str, Any], now: datetime.datetime, drift_interval: float) -> float:
    """How long a scheduler that just started waits before its first pass: none for a new resource or
    after a restart, except that a failure's back-off (status.nextAttemptTime) survives a restart."""
    ready = find(status.get("conditions"))
    if ready is None or ready.get("status") == "True":
        return 0.0
    remaining = seconds_until(status.get("nextAttemptTime"), now)
    if remaining is None or remaining <= 0:
        return 0.0
    return min(remaining, drift_interval)


async def _wait(slot: Slot, delay: float, firm: bool, stopped: Callable[[], Awaitable[object]]) -> None:
    """Until `delay` has passed, a wake (unless firm) or the stop, whichever comes first."""
    if delay <= 0:
        return
    waits = [asyncio.ensure_future(stopped())]
    if not firm:
        waits.append(asyncio.ensure_future(slot.wake.wait()))
    try:
        await asyncio.wait(waits, timeout=delay, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for waiting in waits:
            waiting.cancel()


async def run_schedule(
    slot: Slot,
    run_pass: Callable[[], Awaitable[Next]],
    *,
    first_delay: float,
    drift: Callable[[], float],
    is_stopped: Callable[[], bool],
    stopped: Callable[[], Awaitable[object]],
    crash_delay: float = CRASH_DELAY,
) -> None:
    """Run passes for one integration until `is_stopped()`: the first after `first_delay` (0 at once;
    a wake cuts it short), then after each pass's `Next` (or `drift()` seconds)."""
    due = Next(first_delay)
    while not is_stopped():
        await _wait(slot, drift() if due.delay is None else due.delay, due.firm, stopped)
        if is_stopped():
            return
        slot.woken = slot.wake.is_set()
        # Cleared before the pass: a change during the pass wakes the next one.
        slot.wake.clear()
        slot.running = True
        try:
            due = await run_pass()
        except Exception:
            logger.exception("A pass failed before it could write status; retrying in %.0fs", crash_delay)
            due = Next(crash_delay)
        finally:
            slot.running = False
