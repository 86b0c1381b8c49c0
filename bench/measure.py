"""What the benchmarks read: the operator's resident memory, its metrics, and Okta's request log."""

from __future__ import annotations

import statistics
import time
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import httpx

from outsystems_okta_sandbox.okta.recording import RecordedRequest
from outsystems_okta_sandbox.stack import Stack

METRIC_PREFIX = "outsystems_okta"


def rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def rss_samples(pid: int, count: int = 5, interval: float = 0.3) -> dict[str, float]:
    """Several samples, since one is noisy (the collector and malloc give memory back at their own pace)."""
    samples = []
    for index in range(count):
        if index:
            time.sleep(interval)
        samples.append(rss_mib(pid))
    return spread(samples)


def spread(values: Sequence[float]) -> dict[str, float]:
    return {
        "median": round(statistics.median(values), 1),
        "min": round(min(values), 1),
        "max": round(max(values), 1),
    }


def percentile(values: Sequence[float], share: float) -> float:
    """Nearest-rank percentile (p95 of 10 values is the largest): no interpolation between runs."""
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * share // 1))
    return ordered[int(rank) - 1]


def metric(port: int, name: str) -> float:
    """The sum of every series of one Prometheus metric (e.g. passes of every result and reason)."""
    text = httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=10).text
    return sum(
        float(line.rsplit(" ", 1)[1])
        for line in text.splitlines()
        if line.startswith((name + "{", name + " "))
    )


def passes(port: int) -> int:
    """Reconcile passes the operator has finished (its own counter, so shared Okta reads don't matter)."""
    return int(metric(port, f"{METRIC_PREFIX}_reconciles_total"))


def wait_until(predicate: Callable[[], bool], timeout: float, stack: Stack, interval: float = 0.2) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise TimeoutError(f"not reached within {timeout}s")
        stack.check_operator_alive()
        time.sleep(interval)


def wait_quiet(stack: Stack, quiet: float = 1.0, timeout: float = 60.0) -> None:
    """Until Okta has seen no new call for `quiet` seconds: a pass still writing its status is counted."""
    deadline = time.monotonic() + timeout
    seen, since = len(stack.okta.requests), time.monotonic()
    while time.monotonic() - since < quiet and time.monotonic() < deadline:
        time.sleep(0.1)
        now = len(stack.okta.requests)
        if now != seen:
            seen, since = now, time.monotonic()


def breakdown(calls: Sequence[RecordedRequest], per: int) -> dict[str, Any]:
    """Okta calls in total and per integration (or pass), reads and writes, by rate-limit bucket."""
    buckets = Counter(c.bucket for c in calls)
    writes = sum(1 for c in calls if c.is_write)
    return {
        "total": len(calls),
        "per_integration": round(len(calls) / per, 2) if per else None,
        "reads": len(calls) - writes,
        "writes": writes,
        "by_bucket": dict(sorted(buckets.items())),
        "http_429": sum(1 for c in calls if c.status == 429),
    }
