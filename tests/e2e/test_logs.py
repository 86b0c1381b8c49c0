"""Logs are JSON lines by default, each line about a resource naming it; plain text on request."""

from __future__ import annotations

import json

import pytest

from outsystems_okta_sandbox.stack import Stack
from tests.e2e.conftest import NAME, NAMESPACE, Okta, resource

pytestmark = pytest.mark.e2e


def _converge(stack: Stack, *extra: str) -> list[str]:
    stack.create_credentials(NAMESPACE)
    stack.start_operator(*extra)
    stack.apply(resource(stack.okta_url))
    stack.wait_ready(NAMESPACE, NAME)
    stack.stop_operator()
    return [line for line in stack.operator_log.read_text().splitlines() if line.strip()]


def test_logs_are_json_lines_naming_the_resource(stack: Stack, okta: Okta) -> None:
    lines = _converge(stack)
    records = [json.loads(line) for line in lines]  # every line is one JSON object
    reconciled = [r for r in records if r["message"].startswith("Reconciled generation 1")]
    assert reconciled, "no reconcile line"
    for record in reconciled:
        assert record["object"]["namespace"] == NAMESPACE and record["object"]["name"] == NAME
        assert record["severity"] == "info" and "timestamp" in record


def test_plain_logs_on_request(stack: Stack, okta: Okta) -> None:
    lines = _converge(stack, "--log-format", "plain")
    assert any(line.startswith(f"[{NAMESPACE}/{NAME}] Reconciled generation 1") for line in lines)
    assert not any(line.startswith("{") for line in lines)
