"""The waiting half of pacing: every request of an `OktaClient` passes here before it is sent.

`BudgetBook` (pacing.py) says whether a request fits in the budget; `Pacer` waits until it does, one
request of a bucket at a time in arrival order (an asyncio.Lock wakes its waiters first in, first out, so
no pass starves behind newcomers), then takes one of `concurrency` slots for the exchange itself: Okta
also limits concurrent requests per org, and a bucket without data yet (the first requests) is then
only ever `concurrency` requests ahead of its first answer.
"""

from __future__ import annotations

import asyncio
import logging
import math
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from .errors import OktaBudgetWaitError
from .pacing import BudgetBook, Usage

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Pacing:
    """budget: the share of each Okta bucket the operator may spend per window, in (0, 1].
    concurrency: requests in flight at once per org (>= 1).
    max_wait: the longest one request waits for budget before the pass gives up with
        `OktaBudgetWaitError` (seconds, > 0): see README "Sharing Okta's rate limits"."""

    budget: float = 0.5
    concurrency: int = 4
    max_wait: float = 300.0

    def __post_init__(self) -> None:
        if math.isnan(self.budget) or not 0 < self.budget <= 1:
            raise ValueError(f"the Okta budget must be > 0 and <= 1, got {self.budget}")
        if self.concurrency < 1:
            raise ValueError(f"the Okta concurrency must be >= 1, got {self.concurrency}")
        if math.isnan(self.max_wait) or self.max_wait <= 0:
            raise ValueError(f"the longest budget wait must be > 0 seconds, got {self.max_wait}")


class Pacer:
    """One per org (per `OktaClient`). `clock` and `sleep` are the client's (injectable in tests)."""

    def __init__(
        self,
        pacing: Pacing,
        *,
        clock: Callable[[], float],
        sleep: Callable[[float], Awaitable[None]],
    ) -> None:
        self.pacing = pacing
        self._book = BudgetBook(pacing.budget, burst=pacing.concurrency)
        self._clock = clock
        self._sleep = sleep
        self._slots = asyncio.Semaphore(pacing.concurrency)
        self._queues: dict[str, asyncio.Lock] = {}

    async def acquire(self, bucket: str, operation: str) -> float:
        """Wait for budget in `bucket`, then for a concurrency slot; the seconds waited for budget
        (queued behind other requests of the bucket included).

        Pair every successful call with `observe` or `release`."""
        # Measured on the clock, so that the time queued behind earlier requests of the bucket counts
        # (towards the metric and the cap) as much as the head of the queue's own sleeping.
        started = self._clock()
        queue = self._queues.setdefault(bucket, asyncio.Lock())
        held_up = queue.locked()
        async with queue:
            while (delay := self._book.take(bucket, self._clock())) > 0:
                waited = self._clock() - started
                if waited + delay > self.pacing.max_wait:
                    raise OktaBudgetWaitError(
                        f"Okta {operation}: waited {waited:.0f}s for the operator's share of Okta's rate "
                        f"limit {bucket} (--okta-budget {self.pacing.budget:g}); "
                        f"next try in {delay:.0f}s",
                        retry_after=delay,
                        bucket=bucket,
                        operation=operation,
                    )
                logger.debug("Okta %s: bucket %s is at its budget; waiting %.2fs", operation, bucket, delay)
                held_up = True
                await self._sleep(delay)
        waited = max(self._clock() - started, 0.0) if held_up else 0.0
        try:
            await self._slots.acquire()
        except BaseException:
            self._book.release(bucket)
            raise
        return waited

    def observe(
        self,
        bucket: str,
        *,
        limit: int | None,
        remaining: int | None,
        reset: float | None,
        server_now: float | None,
    ) -> None:
        """The answer came: give the slot back and book Okta's headers (None when absent)."""
        self._slots.release()
        now = self._clock()
        reset_in = None if reset is None else reset - (server_now if server_now is not None else now)
        self._book.observe(bucket, now, limit=limit, remaining=remaining, reset=reset, reset_in=reset_in)

    def release(self, bucket: str) -> None:
        """No answer came (transport failure, cancellation): give the slot back."""
        self._slots.release()
        self._book.release(bucket)

    def usage(self, bucket: str) -> Usage | None:
        return self._book.usage(bucket, self._clock())
