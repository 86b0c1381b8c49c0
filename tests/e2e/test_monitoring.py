"""deploy/monitoring against the real thing: every metric, label and label value the alerts and the
dashboard select is one a running operator exports on /metrics.

The operator is driven through what the rules look for (an integration that converges through an Okta
429, a 503 and a lost response, and one that stays not Ready), so the scrape holds the series and label
values the queries name. A query that names a misspelt metric or label, or a value the operator never
writes, selects nothing in Prometheus and the alert silently never fires: this test is what catches it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from outsystems_okta.api.constants import ANNOTATION_RECONCILE_REQUESTED_AT, GROUP, PLURAL, VERSION
from outsystems_okta.plan.conditions import Reason
from outsystems_okta_sandbox.stack import Stack
from tests.e2e.conftest import NAME, NAMESPACE, Okta, free_port, resource
from tests.integration.deploy import promql

pytestmark = pytest.mark.e2e

# Label values the scrape cannot show without a failure this test cannot cause (an unexpected exception
# in a reconcile pass): checked against the product's own list instead.
KNOWN_VALUES = {"reason": {reason.value for reason in Reason}}

SERIES_SUFFIXES = ("", "_total", "_created", "_bucket", "_sum", "_count", "_info")


@dataclass
class Exported:
    """What one scrape of /metrics shows."""

    families: set[str]  # as declared by # TYPE (a counter without its _total)
    labels: dict[str, dict[str, set[str]]]  # series name -> label -> values seen


def scrape(port: int) -> Exported:
    text = httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=5).text
    exported = Exported(set(), {})
    for family in text_string_to_metric_families(text):
        exported.families.add(family.name)
        for sample in family.samples:
            labels = exported.labels.setdefault(sample.name, {})
            for label, value in sample.labels.items():
                labels.setdefault(label, set()).add(value)
    return exported


def not_ready_with(reason: str) -> Any:
    def check(obj: dict[str, Any] | None) -> bool:
        conditions = ((obj or {}).get("status") or {}).get("conditions") or []
        return any(
            c["type"] == "Ready" and c["status"] == "False" and c["reason"] == reason for c in conditions
        )

    return check


def drive_and_scrape(stack: Stack, okta: Okta) -> Exported:
    port = free_port()
    stack.create_credentials(NAMESPACE)
    # One each of what the Okta alerts count, on the first calls the operator makes; it retries all three.
    # A one-second rate-limit window makes the injected 429's X-Rate-Limit-Reset a second away, so the
    # operator waits it out in-process instead of rescheduling the pass a minute later.
    okta.hook("rate-limit", {"per_minute": 100, "window_seconds": 1})
    okta.hook("faults", {"status": 429, "count": 1, "method": "GET"})
    okta.hook("faults", {"status": 503, "count": 1, "method": "GET"})
    okta.hook("lose-responses", {"count": 1, "method": "GET"})
    # A budget of 2 calls per bucket and one-second window: the first pass waits for budget a few
    # times, so the budget-wait counter has a series too.
    stack.start_operator("--metrics-port", str(port), "--okta-budget", "0.02")
    stack.apply(resource(stack.okta_url))
    obj = stack.wait_ready(NAMESPACE, NAME)
    # A drift correction, so its counter has a series: an admin drops the Consoles app's redirect URIs.
    app_path = f"/api/v1/apps/{obj['status']['consoles']['appId']}"
    admin = {"Authorization": f"SSWS {stack.okta_token}"}
    app = okta.http.get(app_path, headers=admin).json()
    app["settings"]["oauthClient"]["redirect_uris"] = app["settings"]["oauthClient"]["redirect_uris"][:1]
    okta.http.put(app_path, json=app, headers=admin).raise_for_status()
    stack.custom.patch_namespaced_custom_object(
        GROUP,
        VERSION,
        NAMESPACE,
        PLURAL,
        NAME,
        {"metadata": {"annotations": {ANNOTATION_RECONCILE_REQUESTED_AT: "1"}}},
    )
    stack.wait_for(NAMESPACE, NAME, lambda o: "lastDriftCorrection" in ((o or {}).get("status") or {}))
    broken = resource(stack.okta_url)
    broken["metadata"]["name"] = "no-credentials"
    broken["spec"]["okta"]["credentialsSecretRef"] = {"name": "gone"}
    stack.apply(broken)
    stack.wait_for(NAMESPACE, "no-credentials", not_ready_with(Reason.CREDENTIALS_NOT_FOUND.value))
    exported = scrape(port)
    codes = exported.labels["outsystems_okta_okta_requests_total"]["code"]
    assert {"429", "503", "error"} <= codes, f"the scenario did not reach the operator's metrics: {codes}"
    assert exported.labels["outsystems_okta_reconciles_total"]["result"] == {"ready", "not_ready"}
    return exported


def selection_problems(query: promql.Query, exported: Exported) -> list[str]:
    problems: list[str] = []
    expr = promql.parse(query.expr)
    for selector in promql.selectors(expr):
        if selector.metric in promql.SCRAPE_SERIES:
            continue
        labels = exported.labels.get(selector.metric)
        if labels is None:
            problems.append(f"{query.where}: {selector.metric} is not exported")
            continue
        for label, op, value in selector.matchers:
            if label in promql.TARGET_LABELS:
                continue
            seen = KNOWN_VALUES.get(label) or labels.get(label)
            if seen is None:
                problems.append(f"{query.where}: {selector.metric} has no label {label!r}")
            elif op in ("=", "=~") and not any(promql.matches(op, value, v) for v in seen):
                problems.append(f"{query.where}: {label}{op}{value!r} matches none of {sorted(seen)}")
    for grouping, metrics in promql.groupings(expr):
        available = set(promql.TARGET_LABELS)
        for metric in metrics:
            available |= set(exported.labels.get(metric, {}))
        missing = set(grouping) - available
        if missing:
            problems.append(f"{query.where}: grouping by {sorted(missing)}, which {sorted(metrics)} lack")
    return problems


# One operator run for both checks: it is the slow part.
def test_queries_select_what_the_operator_exports_and_the_dashboard_shows_all_of_it(
    stack: Stack, okta: Okta
) -> None:
    exported = drive_and_scrape(stack, okta)

    problems = [p for query in promql.all_queries() for p in selection_problems(query, exported)]
    assert problems == []

    shown = {m for q in promql.dashboard_queries() for m in promql.metric_names(promql.parse(q.expr))}
    assert exported.families, "nothing scraped"
    # prometheus_client declares each counter's and histogram's `_created` timestamps as a gauge family
    # of their own: part of that metric, not one to chart.
    timestamps = {f for f in exported.families if f.removesuffix("_created") in exported.families - {f}}
    for family in sorted(exported.families - timestamps):
        assert shown & {family + suffix for suffix in SERIES_SUFFIXES}, f"no panel shows {family}"
