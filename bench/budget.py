"""Benchmark: many integrations converging on one org whose `/api/v1/apps` bucket is small.

    .venv/bin/python bench/budget.py                       # 100 integrations x 10 environments,
                                                           # apps bucket 100 a minute (takes minutes)
    .venv/bin/python bench/budget.py --window 6            # the same shape, windows 10 times shorter

The Okta sandbox enforces `--apps-limit` calls per `--window` seconds on the `/api/v1/apps` bucket
(429 beyond it; the other buckets report Okta's default limits). The operator runs with `--okta-budget`.
Prints JSON: seconds until all Ready, the peak share of each bucket spent in one window (windows cut the
way the sandbox's limiter cuts them) and in any sliding window of the same length, the 429s Okta
answered, the Ready reasons seen while converging, and the seconds the operator waited for budget (its
own metric); `--out FILE` also writes it there (`make bench-budget` writes bench/results/budget.json,
which `make bench` then shows beside its own tables). Not part of `make test`.
"""

from __future__ import annotations

import argparse
import datetime
import json
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path

from measure import metric, rss_samples
from workload import GROUP, NAMESPACE, PLURAL, REPO, free_port, spec

from outsystems_okta_sandbox.okta.ratelimit import APPS, DEFAULT_LIMITS
from outsystems_okta_sandbox.okta.recording import RecordedRequest
from outsystems_okta_sandbox.stack import Stack


def windows(calls: list[RecordedRequest], length: float) -> list[int]:
    """Calls per window, a window starting with the first call after the previous one ended."""
    counts: list[int] = []
    start: float | None = None
    for call in calls:
        if start is None or call.started >= start + length:
            start = call.started
            counts.append(0)
        counts[-1] += 1
    return counts


def sliding_peak(calls: list[RecordedRequest], length: float) -> int:
    peak, first = 0, 0
    for last, call in enumerate(calls):
        while call.started - calls[first].started >= length:
            first += 1
        peak = max(peak, last - first + 1)
    return peak


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--integrations", type=int, default=100)
    parser.add_argument("--environments", type=int, default=10)
    parser.add_argument("--apps-limit", type=int, default=100, help="the apps bucket's limit per window")
    parser.add_argument("--window", type=float, default=60.0, help="the sandbox's window (seconds)")
    parser.add_argument("--okta-budget", type=float, default=0.5)
    parser.add_argument("--okta-concurrency", type=int, default=4)
    parser.add_argument("--timeout", type=float, default=3600.0)
    parser.add_argument("--out", type=Path, help="also write the JSON to this file")
    args = parser.parse_args()
    n = args.integrations
    port = free_port()

    with (
        tempfile.TemporaryDirectory() as tmp,
        # A drift interval past the run: only the convergence is measured.
        Stack(Path(tmp), groups=["OutSystems IT"], drift_interval=args.timeout * 2) as stack,
    ):
        stack.okta.set_rate_limit(args.apps_limit, window_seconds=args.window, bucket=APPS)
        stack.install_crds(REPO / "crds")
        stack.ensure_namespace(NAMESPACE)
        stack.create_credentials(NAMESPACE)
        process = stack.start_operator(
            "--okta-budget",
            str(args.okta_budget),
            "--okta-concurrency",
            str(args.okta_concurrency),
            "--metrics-port",
            str(port),
        )
        time.sleep(1.0)
        stack.okta.clear_requests()
        started = time.monotonic()
        for index in range(n):
            stack.apply(spec(stack.okta_url, index, environments=args.environments))
        reasons: Counter[str] = Counter()
        ready_at: dict[str, float] = {}
        while len(ready_at) < n:
            if time.monotonic() - started > args.timeout:
                raise TimeoutError(f"{len(ready_at)} of {n} Ready after {args.timeout}s")
            stack.check_operator_alive()
            listed = stack.custom.list_namespaced_custom_object(GROUP, "v1alpha1", NAMESPACE, PLURAL)
            for item in listed["items"]:
                for condition in (item.get("status") or {}).get("conditions") or ():
                    if condition.get("type") != "Ready":
                        continue
                    if condition.get("status") == "True":
                        ready_at.setdefault(item["metadata"]["name"], time.monotonic() - started)
                    else:
                        reasons[str(condition.get("reason"))] += 1
            time.sleep(1.0)
        converged = max(ready_at.values())
        budget_wait = metric(port, "outsystems_okta_okta_budget_wait_seconds_total")
        rss = rss_samples(process.pid)

        calls = sorted(stack.okta.requests, key=lambda c: c.started)
        by_bucket: dict[str, list[RecordedRequest]] = defaultdict(list)
        for call in calls:
            by_bucket[call.bucket].append(call)
        limits = {**DEFAULT_LIMITS, APPS: args.apps_limit}
        peak_window = {
            bucket: round(max(windows(cs, args.window)) / limits[bucket], 3)
            for bucket, cs in by_bucket.items()
        }
        peak_sliding = {
            bucket: round(sliding_peak(cs, args.window) / limits[bucket], 3)
            for bucket, cs in by_bucket.items()
        }
        result = json.dumps(
            {
                "integrations": n,
                "environments": args.environments,
                "apps_bucket": f"{args.apps_limit} per {args.window:g}s",
                "okta_budget": args.okta_budget,
                "okta_concurrency": args.okta_concurrency,
                "seconds_until_all_ready": round(converged, 1),
                "seconds_until_half_ready": round(sorted(ready_at.values())[n // 2 - 1], 1),
                "okta_calls": {bucket: len(cs) for bucket, cs in by_bucket.items()},
                "peak_share_per_window": peak_window,
                "peak_share_per_sliding_window": peak_sliding,
                "okta_429s": sum(1 for c in calls if c.status == 429),
                "not_ready_reasons_seen": dict(reasons),
                "operator_budget_wait_seconds": round(budget_wait, 1),
                "operator_rss_mib": rss["median"],
                "date": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC"),
            },
            indent=2,
        )
        print(result)
        if args.out is not None:
            # `make bench` shows the last one (bench/run.py --budget FILE).
            args.out.parent.mkdir(parents=True, exist_ok=True)
            args.out.write_text(result + "\n")


if __name__ == "__main__":
    main()
