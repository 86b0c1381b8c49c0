"""Prometheus metrics: reconciles, their duration, Okta calls, Okta's rate-limit headroom, readiness.

One `Metrics` object per process owns its own registry, so tests can build several side by side.
"""

from __future__ import annotations

import threading

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, start_http_server

from outsystems_okta.okta.telemetry import ResponseInfo
from outsystems_okta.reconcile.outcome import Outcome

PREFIX = "outsystems_okta"


class Metrics:
    def __init__(self, registry: CollectorRegistry | None = None) -> None:
        self.registry = registry or CollectorRegistry()
        self.reconciles = Counter(
            f"{PREFIX}_reconciles",
            "Reconcile passes by result (ready or not_ready) and Ready reason.",
            ["result", "reason"],
            registry=self.registry,
        )
        self.reconcile_duration = Histogram(
            f"{PREFIX}_reconcile_duration_seconds",
            "Wall time of one reconcile pass, Okta and Kubernetes calls included.",
            buckets=(0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120),
            registry=self.registry,
        )
        self.okta_requests = Counter(
            f"{PREFIX}_okta_requests",
            "HTTP requests to the Okta Management API by operation and status code (error: no response).",
            ["operation", "code"],
            registry=self.registry,
        )
        self.okta_rate_limit_remaining = Gauge(
            f"{PREFIX}_okta_rate_limit_remaining",
            "The latest X-Rate-Limit-Remaining Okta reported, per rate-limit bucket.",
            ["bucket"],
            registry=self.registry,
        )
        self.okta_rate_limit_used = Gauge(
            f"{PREFIX}_okta_rate_limit_used_ratio",
            "Share of the Okta rate-limit bucket spent in its current window, by everyone in the org, as "
            "of the latest answer (the operator holds back at --okta-budget).",
            ["bucket"],
            registry=self.registry,
        )
        self.okta_budget_wait = Counter(
            f"{PREFIX}_okta_budget_wait_seconds",
            "Seconds requests waited for the operator's share of an Okta rate-limit bucket before being "
            "sent (pacing, not a failure).",
            ["bucket"],
            registry=self.registry,
        )
        self.integrations = Gauge(
            f"{PREFIX}_integrations",
            "Managed OutSystemsOktaIntegration resources by Ready state.",
            ["ready"],
            registry=self.registry,
        )
        # One series per resource (about one per factory): an alert can then say which integration has
        # been not Ready for 15 minutes, as cert-manager's certmanager_certificate_ready_status does.
        self.integration_ready = Gauge(
            f"{PREFIX}_integration_ready",
            "1 when the resource's last reconcile pass left it Ready, else 0.",
            ["namespace", "name"],
            registry=self.registry,
        )
        # Labels are the app and the field name, never a value: a bounded set (the fields the operator
        # owns), whatever the number of integrations.
        self.drift_corrections = Counter(
            f"{PREFIX}_drift_corrections",
            "Fields restored in Okta after someone changed them there (the spec had not changed), by app "
            "(consoles, developmentTools, accessPolicy) and field.",
            ["app", "field"],
            registry=self.registry,
        )
        self._ready: dict[tuple[str, str], bool] = {}
        self._lock = threading.Lock()
        for state in ("true", "false"):
            self.integrations.labels(ready=state).set(0)

    def observe_okta(self, info: ResponseInfo) -> None:
        code = str(info.status) if info.status is not None else "error"
        self.okta_requests.labels(operation=info.operation, code=code).inc()
        if info.rate_limit_remaining is not None and info.bucket:
            self.okta_rate_limit_remaining.labels(bucket=info.bucket).set(info.rate_limit_remaining)
            if info.rate_limit_limit:
                used = max(info.rate_limit_limit - info.rate_limit_remaining, 0) / info.rate_limit_limit
                self.okta_rate_limit_used.labels(bucket=info.bucket).set(used)
        if info.paced > 0 and info.bucket:
            self.okta_budget_wait.labels(bucket=info.bucket).inc(info.paced)

    def observe_reconcile(self, namespace: str, name: str, outcome: Outcome, seconds: float) -> None:
        self.reconciles.labels(
            result="ready" if outcome.ready else "not_ready", reason=outcome.reason.value
        ).inc()
        self.reconcile_duration.observe(seconds)
        for app, field in outcome.corrected:
            self.drift_corrections.labels(app=app, field=field).inc()
        with self._lock:
            self._ready[(namespace, name)] = outcome.ready
            self.integration_ready.labels(namespace=namespace, name=name).set(1 if outcome.ready else 0)
            self._publish()

    def forget(self, namespace: str, name: str) -> None:
        with self._lock:
            if self._ready.pop((namespace, name), None) is not None:
                self.integration_ready.remove(namespace, name)
            self._publish()

    def _publish(self) -> None:
        ready = sum(1 for value in self._ready.values() if value)
        self.integrations.labels(ready="true").set(ready)
        self.integrations.labels(ready="false").set(len(self._ready) - ready)

    def serve(self, port: int, addr: str = "0.0.0.0") -> None:
        start_http_server(port, addr=addr, registry=self.registry)
