"""Retry and backoff policy: pure arithmetic, no I/O, no clock and no randomness of its own.

Two kinds of waiting:
- after a 5xx, timeout or connection error: exponential backoff with full jitter
  (`uniform(0, min(max_delay, base_delay * 2**(n-1)))` before retry n);
- after a 429: until Okta's `X-Rate-Limit-Reset` (UTC epoch seconds), measured against the response's
  `Date` header when there is one (the server's clock, as the Okta SDKs do) else the local clock, plus
  a little jitter so that many waiters do not stampede the new window together.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC
from email.utils import parsedate_to_datetime


@dataclass(frozen=True)
class RetryPolicy:
    """How hard the client tries before giving up.

    max_attempts: total tries per request, the first included (>= 1).
    base_delay, max_delay: full-jitter exponential backoff bounds (seconds) for 5xx/transport errors.
    max_rate_limit_wait: the longest a 429 is waited out in-process; a longer wait raises
        `OktaRateLimitedError(retry_after=...)` at once so the caller can reschedule.
    rate_limit_jitter: up to this many seconds are added to a 429 wait.
    """

    max_attempts: int = 4
    base_delay: float = 0.2
    max_delay: float = 5.0
    max_rate_limit_wait: float = 60.0
    rate_limit_jitter: float = 1.0

    def __post_init__(self) -> None:
        if self.max_attempts < 1:
            raise ValueError("max_attempts must be >= 1")
        if self.base_delay < 0 or self.max_delay < 0 or self.max_rate_limit_wait < 0:
            raise ValueError("delays must be >= 0")
        if self.rate_limit_jitter < 0:
            raise ValueError("rate_limit_jitter must be >= 0")

    def backoff_delay(self, failures: int, u: float) -> float:
        """Sleep before the next try after `failures` (>= 1) failed tries; `u` is uniform in [0, 1)."""
        exponent = max(failures - 1, 0)
        # Cap the exponent so 2**n never overflows on absurd attempt counts.
        ceiling = min(self.max_delay, self.base_delay * (2.0 ** min(exponent, 62)))
        return _unit(u) * ceiling

    def rate_limit_delay(self, reset_at: float | None, server_now: float, u: float) -> float:
        """Seconds to wait after a 429 whose window resets at `reset_at` (epoch s), seen at `server_now`.

        Without a usable reset time, fall back to one second (Okta windows are a minute long; a
        concurrency 429 clears as soon as another request finishes).
        """
        jitter = _unit(u) * self.rate_limit_jitter
        if reset_at is None:
            return 1.0 + jitter
        return max(reset_at - server_now, 0.0) + jitter


def _unit(u: float) -> float:
    if math.isnan(u):
        return 0.0
    return min(max(u, 0.0), 1.0)


def parse_reset(value: str | None) -> float | None:
    """`X-Rate-Limit-Reset` (UTC epoch seconds) as a float, or None if absent or garbage."""
    if value is None:
        return None
    try:
        reset = float(value.strip())
    except ValueError:
        return None
    return reset if math.isfinite(reset) and reset > 0 else None


def parse_http_date(value: str | None) -> float | None:
    """An HTTP `Date` header as epoch seconds, or None."""
    if not value:
        return None
    try:
        parsed = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if parsed.tzinfo is None:  # "-0000" zone: RFC 5322 says UTC
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.timestamp()


def parse_int(value: str | None) -> int | None:
    """An integer header such as `X-Rate-Limit-Remaining`, or None."""
    if value is None:
        return None
    try:
        return int(value.strip())
    except ValueError:
        return None
