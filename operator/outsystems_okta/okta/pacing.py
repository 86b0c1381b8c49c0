"""How much of each Okta rate-limit bucket may still be spent: pure accounting, no I/O and no clock.

Okta reports, on every answer, the bucket's `X-Rate-Limit-Limit`, what is left of it in the current
window (`-Remaining`, counting every client of the org, not only us) and when the window ends (`-Reset`).
`BudgetBook` keeps the latest of those per bucket and says whether one more request fits in `share` of
the limit, or how long to wait until it may. It counts the whole bucket's use as Okta reports it, other
tools' calls included: the operator stops when the bucket is `share` full, so at least `1 - share` of it
stays free for the rest of the org whoever spent the first part.

Requests let through but not answered yet (`pending`) count as spent: several passes asking at once
cannot overshoot between two answers. A bucket never seen has no data yet: up to `burst` requests go
(the caller passes its concurrency cap) and the rest wait for the first answer, which fills the book.
When a window has ended by our clock, the bucket is assumed fresh again until Okta's next answer says
otherwise.

Times are seconds on the caller's clock (`now`); `observe` takes the reset as "seconds from now" so that
the caller can measure it against Okta's `Date` header rather than a clock that may be skewed.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

# Okta's windows are one minute long; the window assumed after one ends, until Okta reports its reset.
DEFAULT_WINDOW = 60.0
# Wait this much past the reset: Okta rounds Reset to whole seconds and clocks differ a little.
RESET_MARGIN = 0.1
# How often to ask again while a bucket's first answers are awaited.
FIRST_ANSWER_POLL = 0.05


@dataclass
class _Bucket:
    limit: int
    remaining: int  # the lowest Remaining Okta reported in this window (answers may arrive out of order)
    window: float  # Okta's raw X-Rate-Limit-Reset of the window this is about: tells windows apart
    reset_at: float  # when that window ends, on the caller's clock
    fresh: bool = False  # the window ended by our clock; `remaining` is the assumed full limit
    pending: int = 0


@dataclass(frozen=True)
class Usage:
    """One bucket's state: `spent` of `limit` in the current window (pending requests included)."""

    limit: int
    spent: int
    allowed: int
    reset_in: float

    @property
    def share(self) -> float:
        return self.spent / self.limit if self.limit else 1.0


def allowed_per_window(limit: int, share: float) -> int:
    """Requests of a window the share allows: at least one, or a tiny bucket would never move."""
    return max(1, math.floor(limit * share + 1e-9))


class BudgetBook:
    """Per-bucket accounting for one org (one `OktaClient`). `share` is in (0, 1]; `burst` (>= 1) is
    how many requests of a bucket without data may be unanswered at once."""

    def __init__(self, share: float, burst: int = 1) -> None:
        if not (0 < share <= 1) or math.isnan(share):
            raise ValueError(f"the budget share must be > 0 and <= 1, got {share}")
        if burst < 1:
            raise ValueError(f"burst must be >= 1, got {burst}")
        self.share = share
        self.burst = burst
        self._buckets: dict[str, _Bucket] = {}
        self._pending_unknown: dict[str, int] = {}
        self._window_length: dict[str, float] = {}

    def take(self, bucket: str, now: float) -> float:
        """0.0 when a request of `bucket` may go now (it is then counted as pending), else the seconds
        to wait before asking again."""
        state = self._buckets.get(bucket)
        if state is None:
            unknown = self._pending_unknown.get(bucket, 0)
            if unknown >= self.burst:
                return FIRST_ANSWER_POLL
            self._pending_unknown[bucket] = unknown + 1
            return 0.0
        self._roll(bucket, state, now)
        if self._spent(state) < allowed_per_window(state.limit, self.share):
            state.pending += 1
            return 0.0
        return max(state.reset_at - now, 0.0) + RESET_MARGIN

    def observe(
        self,
        bucket: str,
        now: float,
        *,
        limit: int | None,
        remaining: int | None,
        reset: float | None,
        reset_in: float | None,
    ) -> None:
        """The answer to a request `take` let through: Okta's headers (None when absent), `reset` raw
        (epoch seconds) and `reset_in` (seconds from now until then)."""
        state = self._buckets.get(bucket)
        self._done(bucket, state)
        if limit is None or remaining is None or reset is None or reset_in is None or limit <= 0:
            if state is not None:
                # No headers this time, but the request still counted against the bucket (in a window
                # assumed fresh, `remaining` is our own count, so it goes down just the same).
                state.remaining = max(state.remaining - 1, 0)
            return
        reset_in = max(reset_in, 0.0)
        self._window_length[bucket] = max(self._window_length.get(bucket, 0.0), reset_in)
        if state is None or reset > state.window:
            # Requests let through before the bucket had data are still pending: count them from now on.
            pending = state.pending if state is not None else self._pending_unknown.pop(bucket, 0)
            self._buckets[bucket] = _Bucket(limit, max(remaining, 0), reset, now + reset_in, pending=pending)
        elif reset == state.window and not state.fresh:
            state.limit = limit
            state.remaining = min(state.remaining, max(remaining, 0))
        # else: an answer from a window that has ended since; it says nothing about the current one.

    def release(self, bucket: str) -> None:
        """A request `take` let through got no answer at all (transport failure)."""
        self._done(bucket, self._buckets.get(bucket))

    def usage(self, bucket: str, now: float) -> Usage | None:
        state = self._buckets.get(bucket)
        if state is None:
            return None
        self._roll(bucket, state, now)
        return Usage(
            limit=state.limit,
            spent=self._spent(state),
            allowed=allowed_per_window(state.limit, self.share),
            reset_in=max(state.reset_at - now, 0.0),
        )

    def _done(self, bucket: str, state: _Bucket | None) -> None:
        unknown = self._pending_unknown.get(bucket, 0)
        if unknown > 0:
            self._pending_unknown[bucket] = unknown - 1
        elif state is not None and state.pending > 0:
            state.pending -= 1

    def _roll(self, bucket: str, state: _Bucket, now: float) -> None:
        if now < state.reset_at:
            return
        # The window ended: assume a fresh one (its real reset comes with the next answer).
        state.remaining = state.limit
        state.fresh = True
        state.reset_at = now + self._window_length.get(bucket, DEFAULT_WINDOW)

    @staticmethod
    def _spent(state: _Bucket) -> int:
        return state.limit - state.remaining + state.pending
