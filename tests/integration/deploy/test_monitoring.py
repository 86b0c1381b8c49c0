"""deploy/monitoring: every query parses, the alerts are the ones promised, the ServiceMonitor finds the
metrics Service, and the dashboard ConfigMap carries the dashboard file for Grafana's sidecar.

Whether every metric, label and label value named here is one the operator really exports is checked
against a running operator's /metrics in tests/e2e/test_monitoring.py.
"""

from __future__ import annotations

import json
import re
from datetime import timedelta
from typing import Any

import promql_parser
import pytest
import yaml
from tests.integration.deploy import promql
from tests.integration.deploy.kustomize import KUBECTL, REPO, objects

from outsystems_okta.plan.conditions import Reason

needs_kubectl = pytest.mark.skipif(KUBECTL is None, reason="kubectl is not installed (kubectl kustomize)")

MONITORING = "deploy/monitoring"
README = REPO / "README.md"
OPERATOR_NAMESPACE = "outsystems-okta-system"
COMMON_LABELS = {
    "app.kubernetes.io/name": "outsystems-okta-operator",
    "app.kubernetes.io/part-of": "outsystems-okta",
    "app.kubernetes.io/component": "operator",
}
ALERTS = {
    "OutSystemsOktaOperatorDown",
    "OutSystemsOktaIntegrationNotReady",
    "OutSystemsOktaReconcileErrors",
    "OutSystemsOktaRateLimited",
    "OutSystemsOktaServerErrors",
}


def only(found: list[dict[str, Any]], kind: str) -> dict[str, Any]:
    matching = [o for o in found if o["kind"] == kind]
    assert len(matching) == 1, f"expected one {kind}, found {len(matching)}"
    return matching[0]


def alert(name: str) -> dict[str, Any]:
    (rule,) = [r for r in promql.rules() if r.get("alert") == name]
    return rule


def readme_anchors() -> set[str]:
    """GitHub's anchors for the README's headings (lowercase, punctuation dropped, spaces to dashes)."""
    anchors: set[str] = set()
    fenced = False
    for line in README.read_text().splitlines():
        if line.startswith("```"):
            fenced = not fenced
        elif not fenced and line.startswith("#"):
            anchors.add(re.sub(r"[^a-z0-9 -]", "", line.lstrip("#").strip().lower()).replace(" ", "-"))
    return anchors


def selectors_of(expr: str) -> list[promql.Selector]:
    return promql.selectors(promql.parse(expr))


# --- every query --------------------------------------------------------------------------------------


@pytest.mark.parametrize("query", promql.all_queries(), ids=lambda q: q.where)
def test_query_parses_and_names_its_metrics(query: promql.Query) -> None:
    expr = promql.parse(query.expr)
    assert promql.metric_names(expr), f"{query.where} selects no metric"


def test_queries_are_read_from_both_files() -> None:
    # Guards the parametrization above against silently collecting nothing.
    assert {q.where.split()[0] for q in promql.all_queries()} == {"rule", "panel"}
    assert len(promql.dashboard_queries()) >= len(promql.panels())


@pytest.mark.parametrize(
    "expr",
    ["rate(x[$__rate_interval]", "rate(x[$window])", "sum(x{a=})"],
    ids=["unbalanced", "var", "matcher"],
)
def test_a_broken_query_or_an_undefined_variable_does_not_parse(expr: str) -> None:
    with pytest.raises(ValueError):
        promql.parse(expr)


# --- the alerts ---------------------------------------------------------------------------------------


def test_the_rule_file_is_a_prometheus_operator_rule_with_the_promised_alerts() -> None:
    document = yaml.safe_load(promql.RULES_FILE.read_text())
    assert (document["apiVersion"], document["kind"]) == ("monitoring.coreos.com/v1", "PrometheusRule")
    names = [str(r.get("alert")) for r in promql.rules()]
    assert sorted(names) == sorted(ALERTS), "one rule per promised alert, no recording rules"


@needs_kubectl
def test_everything_installs_into_the_operator_namespace_with_the_common_labels() -> None:
    rendered = objects(MONITORING)
    assert {o["kind"] for o in rendered} == {"ServiceMonitor", "PrometheusRule", "ConfigMap"}
    for obj in rendered:
        assert obj["metadata"]["namespace"] == OPERATOR_NAMESPACE
        assert COMMON_LABELS.items() <= obj["metadata"]["labels"].items(), obj["kind"]


@pytest.mark.parametrize("name", sorted(ALERTS))
def test_every_alert_says_what_it_means_and_what_to_do(name: str) -> None:
    rule = alert(name)
    assert set(rule) <= {"alert", "expr", "for", "labels", "annotations"}, set(rule)
    assert promql_parser.parse_duration(rule["for"]) >= timedelta(minutes=5), "flapping guard"
    assert rule["labels"]["severity"] in {"critical", "warning"}
    annotations = rule["annotations"]
    for key in ("summary", "description", "runbook"):
        assert len(annotations.get(key, "").split()) >= 5, f"{name}: {key} says too little"
    url = annotations["runbook_url"]
    assert url.startswith("https://github.com/outsystems-okta/outsystems-okta-operator/blob/main/README.md#")
    anchor = url.partition("#")[2]
    assert anchor in readme_anchors(), f"{name}: README has no heading for #{anchor}"
    assert f"`{name}`" in README.read_text(), f"{name}: the README's Monitoring table does not list it"


def test_not_ready_alert_waits_15_minutes_on_each_not_ready_integration() -> None:
    rule = alert("OutSystemsOktaIntegrationNotReady")
    assert promql_parser.parse_duration(rule["for"]) == timedelta(minutes=15)
    (selector,) = selectors_of(rule["expr"])
    assert (selector.metric, selector.matchers) == ("outsystems_okta_integration_ready", ())
    # One alert per resource, named in its text: the series keep namespace and name.
    assert "by (namespace, name)" in rule["expr"] and rule["expr"].endswith("== 0")
    assert "{{ $labels.namespace }}/{{ $labels.name }}" in rule["annotations"]["summary"]


def test_reconcile_error_alert_selects_the_reason_the_operator_writes_for_unexpected_failures() -> None:
    (selector,) = selectors_of(alert("OutSystemsOktaReconcileErrors")["expr"])
    assert selector.metric == "outsystems_okta_reconciles_total"
    assert selector.matchers == (("reason", "=", Reason.RECONCILE_ERROR.value),)


@pytest.mark.parametrize(
    ("name", "selected", "not_selected"),
    [
        ("OutSystemsOktaRateLimited", {"429"}, {"200", "500", "503", "error"}),
        ("OutSystemsOktaServerErrors", {"500", "502", "503", "504", "error"}, {"200", "404", "429"}),
    ],
)
def test_okta_alerts_select_the_right_status_codes(
    name: str, selected: set[str], not_selected: set[str]
) -> None:
    (selector,) = selectors_of(alert(name)["expr"])
    assert selector.metric == "outsystems_okta_okta_requests_total"
    ((label, op, pattern),) = selector.matchers
    assert label == "code"
    assert {c for c in selected | not_selected if promql.matches(op, pattern, c)} == selected


@needs_kubectl
def test_operator_down_alert_and_dashboard_select_the_job_prometheus_gives_the_scrape() -> None:
    # The Prometheus Operator names a ServiceMonitor's job after the Service unless jobLabel says
    # otherwise; a mismatch here would make OperatorDown fire forever (absent) or never.
    service = only(objects("deploy/base"), "Service")
    monitor = only(objects(MONITORING), "ServiceMonitor")
    assert "jobLabel" not in monitor["spec"]
    ups = [s for q in promql.all_queries() for s in selectors_of(q.expr) if s.metric == "up"]
    assert ups, "the alert and the dashboard both look at `up`"
    for selector in ups:
        assert selector.matchers == (("job", "=", service["metadata"]["name"]),)
    expr = promql.parse(alert("OutSystemsOktaOperatorDown")["expr"])
    assert isinstance(expr, promql_parser.Call) and str(expr).startswith("absent("), (
        "absent(): a pod that is gone has no `up` series at all"
    )


# --- the ServiceMonitor and the Service it scrapes -----------------------------------------------------


@needs_kubectl
def test_service_monitor_selects_exactly_the_metrics_service_and_its_port() -> None:
    base = objects("deploy/base")
    monitor = only(objects(MONITORING), "ServiceMonitor")
    assert monitor["apiVersion"] == "monitoring.coreos.com/v1"
    namespace = monitor["metadata"]["namespace"]
    wanted = (monitor["spec"].get("namespaceSelector") or {}).get("matchNames") or [namespace]
    selector = monitor["spec"]["selector"]
    assert set(selector) == {"matchLabels"}, "only matchLabels is checked here"
    selected = [
        o
        for o in base
        if o["kind"] == "Service"
        and o["metadata"]["namespace"] in wanted
        and selector["matchLabels"].items() <= (o["metadata"].get("labels") or {}).items()
    ]
    assert [s["metadata"]["name"] for s in selected] == ["outsystems-okta-operator-metrics"]
    (service,) = selected
    (endpoint,) = monitor["spec"]["endpoints"]
    assert endpoint["port"] in {p["name"] for p in service["spec"]["ports"]}
    assert endpoint["path"] == "/metrics"
    # outsystems_okta_integration_ready's namespace label is the integration's, not the pod's.
    assert endpoint.get("honorLabels") is True
    assert promql_parser.parse_duration(endpoint["scrapeTimeout"]) < promql_parser.parse_duration(
        endpoint["interval"]
    )


# --- the dashboard --------------------------------------------------------------------------------------


@needs_kubectl
def test_dashboard_config_map_carries_the_dashboard_file_for_the_grafana_sidecar() -> None:
    config_map = only(objects(MONITORING), "ConfigMap")
    assert config_map["metadata"]["labels"]["grafana_dashboard"] == "1"
    assert config_map["metadata"]["namespace"] == OPERATOR_NAMESPACE
    ((key, text),) = config_map["data"].items()
    assert key.endswith(".json")
    assert text == promql.DASHBOARD_FILE.read_text()


def test_dashboard_panels_use_the_datasource_variable_and_have_unique_ids() -> None:
    board = promql.dashboard()
    assert board["uid"] and board["title"]
    (variable,) = board["templating"]["list"]
    assert (variable["type"], variable["query"]) == ("datasource", "prometheus")
    reference = {"type": "prometheus", "uid": f"${{{variable['name']}}}"}
    ids = [panel["id"] for panel in promql.panels()]
    assert len(ids) == len(set(ids))
    for panel in promql.panels():
        assert panel["datasource"] == reference, panel["title"]
        for target in panel["targets"]:
            assert target.get("datasource", reference) == reference, panel["title"]


@pytest.mark.parametrize(
    ("metric", "by"),
    [
        ("outsystems_okta_integrations", {"ready"}),
        ("outsystems_okta_reconciles_total", {"result", "reason"}),
        ("outsystems_okta_reconcile_duration_seconds_bucket", {"le"}),
        ("outsystems_okta_okta_requests_total", {"operation", "code"}),
        ("outsystems_okta_okta_rate_limit_remaining", {"bucket"}),
    ],
    ids=["ready-state", "reconcile-rate", "reconcile-duration", "okta-calls", "rate-limit-headroom"],
)
def test_dashboard_breaks_each_metric_down_as_promised(metric: str, by: set[str]) -> None:
    groupings = [
        set(labels)
        for query in promql.dashboard_queries()
        for labels, metrics in promql.groupings(promql.parse(query.expr))
        if metric in metrics
    ]
    assert by in groupings, f"no panel shows {metric} by {sorted(by)}"


def test_histogram_quantiles_are_taken_by_le() -> None:
    for query in promql.dashboard_queries():
        for node in promql.nodes(promql.parse(query.expr)):
            if isinstance(node, promql_parser.Call) and "histogram_quantile" in str(node):
                labels = [set(g) for g, m in promql.groupings(node) if any(n.endswith("_bucket") for n in m)]
                assert labels and all("le" in g for g in labels), query.where


def test_dashboard_is_plain_json_with_a_newline() -> None:
    text = promql.DASHBOARD_FILE.read_text()
    assert text.endswith("}\n")
    assert json.loads(text) == promql.dashboard()
