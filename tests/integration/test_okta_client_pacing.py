"""OktaClient with pacing against the Okta sandbox's enforced buckets (tiny ones: 10 per 2 s window).

The sandbox counts every `/api/v1` call per bucket and window (a window starts with its first call, as
the sandbox's limiter does) and answers 429 beyond the limit; `sandbox.requests` shows what reached it.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from outsystems_okta.okta import OktaClient, Pacing, ResponseInfo
from outsystems_okta_sandbox.okta import OktaSandbox
from outsystems_okta_sandbox.okta.recording import RecordedRequest

TOKEN = "00sandboxTOKEN-pacing-7f3c9a1e5b2d4c6e"
APPS = "/api/v1/apps"
WINDOW = 2.0
LIMIT = 10


@pytest.fixture
async def sandbox() -> AsyncIterator[OktaSandbox]:
    sb = OktaSandbox(token=TOKEN, groups=["OutSystems IT"])
    await sb.start("127.0.0.1", 0)
    sb.set_rate_limit(LIMIT, window_seconds=WINDOW, bucket=APPS)
    yield sb
    await sb.stop()


def per_window(calls: list[RecordedRequest]) -> list[int]:
    """Calls per window, windows cut the way the sandbox's limiter cuts them."""
    counts: list[int] = []
    start: float | None = None
    for call in sorted(calls, key=lambda c: c.started):
        if start is None or call.started >= start + WINDOW:
            start = call.started
            counts.append(0)
        counts[-1] += 1
    return counts


async def test_paced_requests_stay_within_the_budget_share_and_get_no_429(sandbox: OktaSandbox) -> None:
    infos: list[ResponseInfo] = []
    async with OktaClient(
        sandbox.url, TOKEN, pacing=Pacing(budget=0.5, concurrency=4), on_response=infos.append
    ) as okta:
        # Several passes at once, all in the small apps bucket (list and the app-group reads).
        await asyncio.gather(*(okta.list_apps(q=f"nothing-{i}") for i in range(12)))
    calls = [c for c in sandbox.requests if c.bucket == APPS]
    assert len(calls) == 12
    assert {c.status for c in calls} == {200}
    counts = per_window(calls)
    assert max(counts) <= LIMIT // 2, counts
    assert len(counts) >= 3, counts  # 12 calls at 5 a window: it really waited
    assert sum(i.paced for i in infos) > 0


async def test_unpaced_requests_overrun_the_same_bucket(sandbox: OktaSandbox) -> None:
    # The control: the same burst without pacing is refused (so the test above can fail).
    async with OktaClient(sandbox.url, TOKEN) as okta:
        results = await asyncio.gather(
            *(okta.list_apps(q=f"nothing-{i}") for i in range(12)), return_exceptions=True
        )
    assert any(c.status == 429 for c in sandbox.requests)
    assert len(results) == 12


class Counting(httpx.AsyncHTTPTransport):
    """The real transport, counting requests in flight."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.in_flight = self.peak = 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.in_flight += 1
        self.peak = max(self.peak, self.in_flight)
        try:
            return await super().handle_async_request(request)
        finally:
            self.in_flight -= 1


@pytest.mark.parametrize(("cap", "expected"), [(2, 2), (None, 8)])
async def test_concurrency_cap_holds_per_org(sandbox: OktaSandbox, cap: int | None, expected: int) -> None:
    sandbox.set_rate_limit(None)  # only concurrency here
    sandbox.set_latency(0.1)
    transport = Counting()
    pacing = None if cap is None else Pacing(concurrency=cap)
    async with OktaClient(sandbox.url, TOKEN, transport=transport, pacing=pacing) as okta:
        await asyncio.gather(*(okta.find_group("OutSystems IT") for _ in range(8)))
    assert transport.peak == expected
