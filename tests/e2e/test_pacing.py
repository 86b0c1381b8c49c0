"""Issue 9: the operator paces itself within --okta-budget of a small apps bucket, and pacing is not a
failure: no 429, no OktaRateLimited, every integration Ready (tiny windows: 10 calls per 2 seconds)."""

from __future__ import annotations

import time
from typing import Any

import pytest

from outsystems_okta_sandbox.okta.ratelimit import APPS
from outsystems_okta_sandbox.stack import Stack
from tests.e2e.conftest import NAMESPACE, free_port, resource
from tests.e2e.test_metrics import scrape

pytestmark = pytest.mark.e2e

WINDOW = 2.0
LIMIT = 10
INTEGRATIONS = 3


def named(orgurl: str, index: int) -> dict[str, Any]:
    body = resource(orgurl, access={"groups": ["OutSystems IT"]})
    body["metadata"]["name"] = f"factory-{index}"
    return body


def test_integrations_converge_within_the_budget_without_429(stack: Stack) -> None:
    stack.okta.set_rate_limit(LIMIT, window_seconds=WINDOW, bucket=APPS)
    port = free_port()
    stack.create_credentials(NAMESPACE)
    stack.start_operator("--okta-budget", "0.5", "--okta-concurrency", "2", "--metrics-port", str(port))
    for index in range(INTEGRATIONS):
        stack.apply(named(stack.okta_url, index))

    not_ready_reasons: set[str] = set()
    deadline = time.monotonic() + 60
    ready: set[str] = set()
    while len(ready) < INTEGRATIONS:
        assert time.monotonic() < deadline, f"Ready: {sorted(ready)}; reasons seen: {not_ready_reasons}"
        stack.check_operator_alive()
        for index in range(INTEGRATIONS):
            obj = stack.get(NAMESPACE, f"factory-{index}") or {}
            for condition in (obj.get("status") or {}).get("conditions") or ():
                if condition.get("type") == "Ready" and condition.get("status") == "True":
                    ready.add(f"factory-{index}")
                elif condition.get("type") == "Ready":
                    not_ready_reasons.add(str(condition.get("reason")))
        time.sleep(0.2)

    # Waiting for budget is progress: no pass ended rate-limited (nor waiting past the cap).
    assert not_ready_reasons == set()
    calls = sorted((c for c in stack.okta.requests if c.bucket == APPS), key=lambda c: c.started)
    assert [c for c in calls if c.status == 429] == []
    # At most half of each window, windows cut the way the sandbox cuts them.
    counts: list[int] = []
    start: float | None = None
    for call in calls:
        if start is None or call.started >= start + WINDOW:
            start = call.started
            counts.append(0)
        counts[-1] += 1
    assert max(counts) <= LIMIT // 2, counts
    assert len(counts) >= 3, counts  # it had to wait for later windows
    # ... and the operator says so: seconds waited for budget, and the share of the apps bucket used.
    samples = scrape(port)
    waited = samples["outsystems_okta_okta_budget_wait_seconds_total"]
    assert waited[(("bucket", APPS),)] > 0
    used = samples["outsystems_okta_okta_rate_limit_used_ratio"][(("bucket", APPS),)]
    assert 0 < used <= 0.5
