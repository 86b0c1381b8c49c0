"""Okta's per-endpoint rate-limit buckets and the `X-Rate-Limit-*` headers.

Bucket mapping follows Okta's table (notes §5): GET/PUT/DELETE `/api/v1/apps/{id}` has its own
bucket; everything else under `/api/v1/apps` (list, create, groups, lifecycle, secrets) shares the
scarce `/api/v1/apps` bucket; `/api/v1/groups*` → `/api/v1/groups`; the rest → `/api/v1`.
Windows start with a bucket's first request (not wall-clock aligned) and last `window_seconds`.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass

APPS = "/api/v1/apps"
APP_BY_ID = "/api/v1/apps/{id}"
GROUPS = "/api/v1/groups"
CORE = "/api/v1"

# Okta's per-minute defaults for an Enterprise/Workforce org (historical table, notes §5).
DEFAULT_LIMITS: dict[str, int] = {APPS: 100, APP_BY_ID: 600, GROUPS: 600, CORE: 600}


def bucket_for(method: str, path: str) -> str:
    parts = [part for part in path.split("/") if part]  # ["api", "v1", "apps", "{id}", ...]
    if len(parts) >= 3 and parts[2] == "apps":
        if len(parts) == 4 and method.upper() in ("GET", "PUT", "DELETE"):
            return APP_BY_ID
        return APPS
    if len(parts) >= 3 and parts[2] == "groups":
        return GROUPS
    return CORE


@dataclass(frozen=True)
class Decision:
    allowed: bool
    limit: int
    remaining: int
    reset: int  # UTC epoch seconds

    def headers(self) -> dict[str, str]:
        return {
            "X-Rate-Limit-Limit": str(self.limit),
            "X-Rate-Limit-Remaining": str(self.remaining),
            "X-Rate-Limit-Reset": str(self.reset),
        }


@dataclass
class _Window:
    started: float
    used: int = 0


class RateLimiter:
    """Counts calls per bucket and window.

    Without a budget the Okta default limits are reported but never enforced; with `per_minute`
    (all buckets) or a per-bucket override, calls beyond the budget in a window get 429.
    """

    def __init__(
        self,
        per_minute: int | None = None,
        window_seconds: float = 60.0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._clock = clock
        self.per_minute = per_minute
        self.window_seconds = window_seconds
        self.overrides: dict[str, int] = {}
        self._windows: dict[str, _Window] = {}

    def configure(
        self, per_minute: int | None, *, window_seconds: float | None = None, bucket: str | None = None
    ) -> None:
        """Set the budget for every bucket, or for one `bucket`; counters restart."""
        if window_seconds is not None:
            if window_seconds <= 0:
                raise ValueError("window_seconds must be positive")
            self.window_seconds = window_seconds
        if per_minute is not None and per_minute < 0:
            raise ValueError("per_minute must be >= 0")
        if bucket is None:
            self.per_minute = per_minute
            self.overrides.clear()
        elif per_minute is None:
            self.overrides.pop(bucket, None)
        else:
            self.overrides[bucket] = per_minute
        self._windows.clear()

    def reset(self) -> None:
        self._windows.clear()

    def _budget(self, bucket: str) -> tuple[int, bool]:
        if bucket in self.overrides:
            return self.overrides[bucket], True
        if self.per_minute is not None:
            return self.per_minute, True
        return DEFAULT_LIMITS.get(bucket, DEFAULT_LIMITS[CORE]), False

    def _window(self, bucket: str) -> _Window:
        now = self._clock()
        window = self._windows.get(bucket)
        if window is None or now >= window.started + self.window_seconds:
            window = _Window(started=now)
            self._windows[bucket] = window
        return window

    def _decision(self, bucket: str, window: _Window, allowed: bool) -> Decision:
        limit, _ = self._budget(bucket)
        reset = math.ceil(window.started + self.window_seconds)
        return Decision(allowed, limit, max(limit - window.used, 0), reset)

    def consume(self, bucket: str) -> Decision:
        """Count one call; `allowed` is False when an enforced budget is exhausted."""
        limit, enforced = self._budget(bucket)
        window = self._window(bucket)
        if enforced and window.used >= limit:
            return self._decision(bucket, window, allowed=False)
        window.used += 1
        return self._decision(bucket, window, allowed=True)

    def peek(self, bucket: str) -> Decision:
        """Current headers without counting (for 401s and injected faults)."""
        return self._decision(bucket, self._window(bucket), allowed=True)

    def exhausted(self, bucket: str) -> Decision:
        """Headers for an injected 429: Remaining 0, Reset at the window's end."""
        current = self.peek(bucket)
        return Decision(False, current.limit, 0, current.reset)
