"""Every PromQL query in deploy/monitoring, parsed with promql-parser, and what each one selects.

The alerting rules (prometheusrule.yaml) and the dashboard's panel targets (grafana-dashboard.json) are
read from the files as written. Grafana's own `$__...` interval variables are replaced by sample
durations first (Prometheus never sees them); any other `$` in a query fails the parse, so a panel
cannot depend on a dashboard variable that nothing defines. Used by test_monitoring.py (syntax and
structure) and by the e2e suite (every name against a real operator's /metrics).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import promql_parser
import yaml

REPO = Path(__file__).resolve().parents[3]
MONITORING = REPO / "deploy" / "monitoring"
RULES_FILE = MONITORING / "prometheusrule.yaml"
DASHBOARD_FILE = MONITORING / "grafana-dashboard.json"

# Grafana's built-in interval variables, as Grafana would substitute them.
GRAFANA_VARIABLES = {"$__rate_interval": "5m", "$__interval": "1m", "$__range": "1h"}

# Added by Prometheus to every scraped series (a ServiceMonitor's target labels), not by the operator.
TARGET_LABELS = frozenset({"job", "instance", "namespace", "service", "pod", "container", "endpoint"})
# Series Prometheus makes itself for each scrape target.
SCRAPE_SERIES = frozenset({"up"})


@dataclass(frozen=True)
class Query:
    where: str
    expr: str


@dataclass(frozen=True)
class Selector:
    """One vector selector: the metric it names and its label matchers as (label, op, value), op as
    written in PromQL (=, !=, =~, !~)."""

    metric: str
    matchers: tuple[tuple[str, str, str], ...]


def rules() -> list[dict[str, Any]]:
    document = yaml.safe_load(RULES_FILE.read_text())
    return [rule for group in document["spec"]["groups"] for rule in group["rules"]]


def dashboard() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(DASHBOARD_FILE.read_text())
    return data


def panels() -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    for panel in dashboard()["panels"]:
        found.append(panel)
        found += panel.get("panels") or []  # collapsed rows keep theirs inside
    return found


def rule_queries() -> list[Query]:
    return [Query(f"rule {rule.get('alert') or rule.get('record')}", rule["expr"]) for rule in rules()]


def dashboard_queries() -> list[Query]:
    return [
        Query(f"panel {panel['title']!r} target {target['refId']}", target["expr"])
        for panel in panels()
        for target in panel.get("targets") or []
    ]


def all_queries() -> list[Query]:
    return rule_queries() + dashboard_queries()


def parse(expr: str) -> promql_parser.Expr:
    for variable, value in GRAFANA_VARIABLES.items():
        expr = expr.replace(variable, value)
    return promql_parser.parse(expr)


def nodes(expr: promql_parser.Expr) -> list[promql_parser.Expr]:
    found: list[promql_parser.Expr] = []

    def visit(node: promql_parser.Expr) -> bool:
        found.append(node)
        return True

    promql_parser.walk(expr, visit)
    return found


def _op(op: promql_parser.MatchOp) -> str:
    for enum, text in (
        (promql_parser.MatchOp.Equal, "="),
        (promql_parser.MatchOp.NotEqual, "!="),
        (promql_parser.MatchOp.Re, "=~"),
        (promql_parser.MatchOp.NotRe, "!~"),
    ):
        if op == enum:
            return text
    raise AssertionError(f"unknown matcher operator {op!r}")


def _selector(node: promql_parser.VectorSelector) -> Selector:
    assert not node.matchers.or_matchers, f"`or` inside a selector is not supported here: {node}"
    matchers = tuple((m.name, _op(m.op), m.value) for m in node.matchers.matchers)
    names = [value for label, op, value in matchers if label == "__name__" and op == "="]
    metric = node.name or (names[0] if names else None)
    assert metric, f"a selector must name its metric (not a __name__ regex): {node}"
    return Selector(metric, tuple(m for m in matchers if m[0] != "__name__"))


def selectors(expr: promql_parser.Expr) -> list[Selector]:
    return [_selector(n) for n in nodes(expr) if isinstance(n, promql_parser.VectorSelector)]


def metric_names(expr: promql_parser.Expr) -> set[str]:
    return {s.metric for s in selectors(expr)}


def groupings(expr: promql_parser.Expr) -> list[tuple[tuple[str, ...], set[str]]]:
    """(labels named in by/without/on/ignoring, metrics those labels must come from) per clause."""
    found: list[tuple[tuple[str, ...], set[str]]] = []
    for node in nodes(expr):
        if isinstance(node, promql_parser.AggregateExpr) and node.modifier is not None:
            found.append((tuple(node.modifier.labels), metric_names(node.expr)))
        elif isinstance(node, promql_parser.BinaryExpr) and node.modifier is not None:
            matching = node.modifier.matching
            labels = [*(matching.labels if matching else []), *(node.modifier.group_labels or [])]
            if labels:
                found.append((tuple(labels), metric_names(node.lhs) | metric_names(node.rhs)))
    return found


def matches(op: str, pattern: str, value: str) -> bool:
    """Whether a matcher selects a label value (Prometheus anchors its regexes at both ends)."""
    if op == "=":
        return value == pattern
    if op == "!=":
        return value != pattern
    hit = re.fullmatch(pattern, value) is not None
    return hit if op == "=~" else not hit
