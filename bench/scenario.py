"""One benchmark scenario: a fresh pair of emulators and operator process, N integrations applied at
once, their first convergence, then one drift pass of each.

The drift interval is set longer than the convergence is expected to take (jitter puts each pass at 80
to 100% of it after the integration's previous one), so the first-convergence figures hold no drift
pass; `first_convergence.passes` shows it (it equals the number of integrations when they don't).
"""

from __future__ import annotations

import json
import statistics
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from measure import breakdown, passes, percentile, rss_samples, wait_quiet, wait_until
from workload import GROUP, NAMESPACE, PLURAL, REPO, free_port, hand_made_apps, spec

from outsystems_okta_sandbox.stack import Stack


@dataclass(frozen=True)
class Scenario:
    integrations: int
    latency_ms: int = 0
    environments: int = 4
    drift_interval: float = 30.0
    timeout: float = 600.0
    adopt: bool = False  # each integration adopts two apps made beforehand through Okta's API

    @property
    def name(self) -> str:
        adopting = ", adopting" if self.adopt else ""
        return f"{self.integrations} x {self.environments} env, {self.latency_ms} ms{adopting}"


def ready_times(stack: Stack, applied: dict[str, float], timeout: float) -> dict[str, float]:
    """Seconds from each resource's apply to the first time it is seen Ready for its generation.

    Polled every 0.1 s with one list (the sampling error is at most that; lastTransitionTime has
    whole seconds only)."""
    ready: dict[str, float] = {}
    deadline = time.monotonic() + timeout
    while len(ready) < len(applied):
        if time.monotonic() > deadline:
            raise TimeoutError(f"{len(ready)} of {len(applied)} Ready after {timeout}s")
        stack.check_operator_alive()
        response = stack.custom.list_namespaced_custom_object(
            GROUP, "v1alpha1", NAMESPACE, PLURAL, _preload_content=False
        )
        now = time.monotonic()
        for item in json.loads(response.data)["items"]:
            name = item["metadata"]["name"]
            status = item.get("status") or {}
            if name in ready or status.get("observedGeneration") != item["metadata"].get("generation"):
                continue
            if any(
                c.get("type") == "Ready" and c.get("status") == "True" for c in status.get("conditions") or ()
            ):
                ready[name] = now - applied[name]
        time.sleep(0.1)
    return ready


def run(scenario: Scenario) -> dict[str, Any]:
    n = scenario.integrations
    port = free_port()
    with (
        tempfile.TemporaryDirectory() as tmp,
        Stack(Path(tmp), groups=["OutSystems IT"], drift_interval=scenario.drift_interval) as stack,
    ):
        # Limits so high that the operator's pacing never waits: the figures are the operator's own
        # (bench/budget.py measures pacing).
        stack.okta.set_rate_limit(1_000_000)
        stack.install_crds(REPO / "crds")
        stack.ensure_namespace(NAMESPACE)
        stack.create_credentials(NAMESPACE)
        process = stack.start_operator("--metrics-port", str(port))
        wait_until(stack.operator_watching, 30, stack)
        wait_until(lambda: _metrics_up(port), 30, stack)
        time.sleep(1.0)  # Kopf's first listings and the Secret watch settle
        idle = rss_samples(process.pid)

        adopt = [hand_made_apps(stack, index) if scenario.adopt else None for index in range(n)]
        stack.okta.set_latency(scenario.latency_ms / 1000)
        stack.okta.clear_requests()
        applied: dict[str, float] = {}
        started = time.monotonic()
        for index in range(n):
            applied[f"factory-{index}"] = time.monotonic()
            stack.apply(spec(stack.okta_url, index, adopt[index], scenario.environments))
        ready = ready_times(stack, applied, scenario.timeout)
        all_ready = time.monotonic() - started
        wait_quiet(stack)
        first_calls = list(stack.okta.requests)
        first_passes = passes(port)
        converged = rss_samples(process.pid)

        # One drift pass of each: wait until the operator's pass counter says n more passes ended.
        stack.okta.clear_requests()
        wait_until(lambda: passes(port) >= first_passes + n, scenario.drift_interval * 1.5 + 60, stack)
        wait_quiet(stack)
        drift_calls = list(stack.okta.requests)
        drift_passes = passes(port) - first_passes
        after_drift = rss_samples(process.pid)

        to_ready = list(ready.values())
        return {
            "scenario": scenario.name,
            "integrations": n,
            "environments": scenario.environments,
            "okta_latency_ms": scenario.latency_ms,
            "adopting": scenario.adopt,
            "drift_interval_s": scenario.drift_interval,
            "seconds_until_all_ready": round(all_ready, 2),
            "apply_to_ready_s": {
                "median": round(statistics.median(to_ready), 2),
                "p95": round(percentile(to_ready, 0.95), 2),
                "max": round(max(to_ready), 2),
            },
            "first_convergence": {"passes": first_passes, **breakdown(first_calls, n)},
            "drift_pass": {"passes": drift_passes, **breakdown(drift_calls, drift_passes)},
            "rss_mib": {"idle": idle, "converged": converged, "after_drift": after_drift},
        }


def _metrics_up(port: int) -> bool:
    try:
        passes(port)
    except httpx.HTTPError:
        return False
    return True
