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


def _retry_lines(stack: Stack, okta: Okta, *extra: str) -> list[str]:
    """Converge while Okta answers the first two authorization-server reads with a 503."""
    fault = {"status": 503, "count": 2, "method": "GET", "path_prefix": "/api/v1/authorizationServers"}
    okta.hook("faults", fault)
    lines = _converge(stack, *extra)
    retries = [line for line in lines if "Okta getAuthorizationServer GET: HTTP 503; retry" in line]
    assert len(retries) == 2, lines
    return retries


def test_okta_retry_lines_name_the_resource_in_json(stack: Stack, okta: Okta) -> None:
    # The shared Okta client logs through its module logger, not Kopf's per-object logger.
    for record in map(json.loads, _retry_lines(stack, okta)):
        assert record["object"]["namespace"] == NAMESPACE and record["object"]["name"] == NAME
        assert record["object"]["kind"] == "OutSystemsOktaIntegration"
        assert record["severity"] == "warn"


@pytest.mark.parametrize("log_format", ["plain", "full"])
def test_okta_retry_lines_name_the_resource_in_text(stack: Stack, okta: Okta, log_format: str) -> None:
    for line in _retry_lines(stack, okta, "--log-format", log_format):
        assert f"[{NAMESPACE}/{NAME}] Okta getAuthorizationServer GET: HTTP 503; retry " in line
        if log_format == "plain":
            assert line.startswith(f"[{NAMESPACE}/{NAME}] ")
