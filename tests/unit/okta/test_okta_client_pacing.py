"""OktaClient with pacing against a scripted Okta whose bucket counts per window, on a fake clock."""

from __future__ import annotations

import asyncio
from email.utils import formatdate
from typing import Any

import httpx
import pytest

from outsystems_okta.okta import OktaBudgetWaitError, OktaClient, Pacing, ResponseInfo, RetryPolicy
from outsystems_okta.plan.conditions import Reason
from outsystems_okta.reconcile.outcome import classify

ORG = "https://acme.okta.com"
TOKEN = "00SECRETtokenVALUE-abcdefghijklmnop"
START = 1_700_000_000.0


class Clock:
    def __init__(self) -> None:
        self.now = START
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    async def sleep(self, delay: float) -> None:
        self.sleeps.append(delay)
        await asyncio.sleep(0)  # others run (and read the clock) before the time has passed
        self.now += delay


class WindowedOkta:
    """One bucket of `limit` per `window` seconds (windows start with their first request, as the
    sandbox's do); 429 beyond it. Answers carry Okta's headers and a Date on the fake clock."""

    def __init__(self, clock: Clock, limit: int, window: float, *, headers: bool = True) -> None:
        self.clock, self.limit, self.window, self.headers = clock, limit, window, headers
        self.started: float | None = None
        self.used = 0
        self.sent: list[float] = []
        self.statuses: list[int] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        now = self.clock()
        if self.started is None or now >= self.started + self.window:
            self.started, self.used = now, 0
        status = 200 if self.used < self.limit else 429
        if status == 200:
            self.used += 1
        self.sent.append(now)
        self.statuses.append(status)
        headers = {"Date": formatdate(now, usegmt=True)}
        if self.headers:
            headers |= {
                "X-Rate-Limit-Limit": str(self.limit),
                "X-Rate-Limit-Remaining": str(self.limit - self.used),
                "X-Rate-Limit-Reset": str(int(self.started + self.window)),
            }
        return httpx.Response(status, json={"id": "0oa1"} if status == 200 else {}, headers=headers)


def client(okta: WindowedOkta, clock: Clock, pacing: Pacing, infos: list[ResponseInfo]) -> OktaClient:
    return OktaClient(
        ORG,
        TOKEN,
        transport=httpx.MockTransport(okta),
        sleep=clock.sleep,
        clock=clock,
        rng=lambda: 0.0,
        pacing=pacing,
        on_response=infos.append,
    )


async def test_requests_stay_within_the_share_of_each_window_and_never_see_a_429() -> None:
    clock, infos = Clock(), list[ResponseInfo]()
    okta = WindowedOkta(clock, limit=10, window=60.0)
    async with client(okta, clock, Pacing(budget=0.5), infos) as c:
        for _ in range(12):
            await c.get_app("0oa1")
    assert set(okta.statuses) == {200}
    per_window: dict[int, int] = {}
    for sent in okta.sent:
        per_window[int((sent - START) // 60)] = per_window.get(int((sent - START) // 60), 0) + 1
    assert list(per_window.values()) == [5, 5, 2]
    # Waiting is reported (for the metric), and only on the requests that waited.
    assert [round(i.paced) for i in infos if i.paced] == [60, 60]


async def test_time_queued_behind_another_request_counts_as_waiting() -> None:
    clock, infos = Clock(), list[ResponseInfo]()
    okta = WindowedOkta(clock, limit=4, window=60.0)
    async with client(okta, clock, Pacing(budget=0.5), infos) as c:
        await c.get_app("0oa1")  # the bucket's figures: 1 of the 2 allowed spent
        await asyncio.gather(*(c.get_app("0oa1") for _ in range(3)))
    assert set(okta.statuses) == {200}
    # One more fits this window; the first of the other two sleeps until the reset, the second waits
    # in line behind it without sleeping itself: both waited the minute.
    assert sorted(round(i.paced) for i in infos) == [0, 0, 60, 60]
    assert len(clock.sleeps) == 1


async def test_without_pacing_the_same_requests_hit_429() -> None:
    clock = Clock()
    okta = WindowedOkta(clock, limit=10, window=60.0)
    async with OktaClient(
        ORG,
        TOKEN,
        transport=httpx.MockTransport(okta),
        sleep=clock.sleep,
        clock=clock,
        rng=lambda: 0.0,
        retry=RetryPolicy(max_rate_limit_wait=600.0),
    ) as c:
        for _ in range(12):
            await c.get_app("0oa1")
    assert 429 in okta.statuses


async def test_a_wait_past_the_cap_ends_the_call_with_budget_wait_not_rate_limited() -> None:
    clock, infos = Clock(), list[ResponseInfo]()
    okta = WindowedOkta(clock, limit=4, window=600.0)
    async with client(okta, clock, Pacing(budget=0.5, max_wait=120.0), infos) as c:
        await c.get_app("0oa1")
        await c.get_app("0oa1")
        with pytest.raises(OktaBudgetWaitError) as info:
            await c.get_app("0oa1")
    assert len(okta.sent) == 2  # the third was never sent
    assert info.value.bucket == "/api/v1/apps/{id}"
    assert info.value.retry_after == pytest.approx(600.0, abs=1.0)
    assert TOKEN not in str(info.value)
    # The pass ends as pacing, not as Okta refusing: OktaBudgetWait, retried when the budget is back.
    assert classify(info.value) == (Reason.OKTA_BUDGET_WAIT, info.value.retry_after)


async def test_concurrency_is_capped_per_org() -> None:
    in_flight = peak = 0

    async def slow(request: httpx.Request) -> httpx.Response:
        nonlocal in_flight, peak
        in_flight += 1
        peak = max(peak, in_flight)
        await asyncio.sleep(0.01)
        in_flight -= 1
        return httpx.Response(200, json={"id": "0oa1"})  # no rate-limit headers at all

    async with OktaClient(ORG, TOKEN, transport=httpx.MockTransport(slow), pacing=Pacing(concurrency=3)) as c:
        await asyncio.gather(*(c.get_app("0oa1") for _ in range(12)))
    assert peak == 3


async def test_a_cancelled_request_gives_its_slot_back() -> None:
    release = asyncio.Event()

    async def hang(request: httpx.Request) -> httpx.Response:
        await release.wait()
        return httpx.Response(200, json={"id": "0oa1"})

    async with OktaClient(ORG, TOKEN, transport=httpx.MockTransport(hang), pacing=Pacing(concurrency=1)) as c:
        stuck = asyncio.create_task(c.get_app("0oa1"))
        await asyncio.sleep(0.01)
        stuck.cancel()
        with pytest.raises(asyncio.CancelledError):
            await stuck
        release.set()
        assert (await asyncio.wait_for(c.get_app("0oa1"), 1.0))["id"] == "0oa1"


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"budget": 0.0}, "budget"),
        ({"budget": 1.5}, "budget"),
        ({"concurrency": 0}, "concurrency"),
        ({"max_wait": 0.0}, "wait"),
    ],
)
def test_pacing_settings_are_validated(kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        Pacing(**kwargs)
