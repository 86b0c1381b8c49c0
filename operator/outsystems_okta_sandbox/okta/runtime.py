"""Everything one running sandbox holds, and the test-hook operations on it.

Shared by the aiohttp layer (`middleware`, `routes`, `hooks`) and the Python API (`OktaSandbox`).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from . import render
from .faults import FaultInjector, FaultRule, LossRule, Selector
from .ratelimit import RateLimiter
from .recording import RecordedRequest
from .state import SandboxState


class Runtime:
    def __init__(
        self,
        *,
        token: str,
        groups: Iterable[str] = (),
        rate_limit_per_minute: int | None = None,
        window_seconds: float = 60.0,
    ) -> None:
        if not token:
            raise ValueError("token must not be empty")
        self.token = token
        self.state = SandboxState(groups)
        self.faults = FaultInjector()
        self._initial_rate = (rate_limit_per_minute, window_seconds)
        self.limiter = RateLimiter(rate_limit_per_minute, window_seconds)
        self.requests: list[RecordedRequest] = []
        self.base_url = ""

    # ---- hooks ----------------------------------------------------------------------------------

    def inject_fault(
        self,
        status: int,
        count: int = 1,
        *,
        method: str | None = None,
        path_prefix: str | None = None,
        error_code: str | None = None,
        error_summary: str | None = None,
    ) -> None:
        self.faults.add_fault(
            FaultRule(status, count, Selector(method, path_prefix), error_code, error_summary)
        )

    def lose_responses(
        self, count: int = 1, *, method: str | None = None, path_prefix: str | None = None
    ) -> None:
        self.faults.add_loss(LossRule(count, Selector(method, path_prefix)))

    def set_latency(self, seconds: float) -> None:
        if seconds < 0:
            raise ValueError("seconds must be >= 0")
        self.faults.latency = seconds

    def set_rate_limit(
        self, per_minute: int | None, *, window_seconds: float | None = None, bucket: str | None = None
    ) -> None:
        self.limiter.configure(per_minute, window_seconds=window_seconds, bucket=bucket)

    def clear_requests(self) -> None:
        self.requests.clear()

    def reset(self) -> None:
        """Seeded state, no faults/latency, empty log, the constructor's rate limit."""
        self.state.reset()
        self.faults.clear()
        self.requests.clear()
        per_minute, window = self._initial_rate
        self.limiter.configure(per_minute, window_seconds=window)

    def add_group(self, name: str, description: str | None = None) -> dict[str, Any]:
        return render.group(self.state.add_group(name, description), self.base_url)

    def dump_state(self) -> dict[str, Any]:
        return render.state_dump(self.state, self.base_url)
