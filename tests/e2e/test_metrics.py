"""The Prometheus endpoint tells the same story as the Okta sandbox's own request log."""

from __future__ import annotations

from collections import Counter

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from outsystems_okta_sandbox.stack import Stack
from tests.e2e.conftest import NAME, NAMESPACE, Okta, free_port, resource

pytestmark = pytest.mark.e2e

# Okta operationIds of the calls the operator makes, by method and path shape.
OPERATIONS = {
    ("GET", "authorizationServers"): "getAuthorizationServer",
    ("GET", "authorizationServers/policies"): "listAuthorizationServerPolicies",
    ("GET", "authorizationServers/policies/{id}/rules"): "listAuthorizationServerPolicyRules",
    ("GET", "apps"): "listApplications",
    ("POST", "apps"): "createApplication",
    ("GET", "apps/{id}"): "getApplication",
    ("PUT", "apps/{id}"): "replaceApplication",
    ("GET", "groups"): "listGroups",
    ("GET", "apps/{id}/groups"): "listApplicationGroupAssignments",
    ("GET", "groups/{id}/apps"): "listAssignedApplicationsForGroup",
    ("PUT", "apps/{id}/groups/{id}"): "assignGroupToApplication",
    ("GET", "apps/{id}/credentials/secrets"): "listOAuth2ClientSecrets",
}


def shape(path: str) -> str:
    path = path.removeprefix("/api/v1/")
    if path.startswith("authorizationServers"):
        # authorizationServers/{id}[/policies[/{id}/rules]]: the server id dropped.
        rest = path.split("/")[2:]
        return "/".join(["authorizationServers", *(p if i % 2 == 0 else "{id}" for i, p in enumerate(rest))])
    if path.endswith("/credentials/secrets"):
        return "apps/{id}/credentials/secrets"
    parts = path.split("/")
    return "/".join(p if i % 2 == 0 else "{id}" for i, p in enumerate(parts))


def scrape(port: int) -> dict[str, dict[tuple[tuple[str, str], ...], float]]:
    text = httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=5).text
    samples: dict[str, dict[tuple[tuple[str, str], ...], float]] = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            samples.setdefault(sample.name, {})[tuple(sorted(sample.labels.items()))] = sample.value
    return samples


def test_metrics_match_what_okta_saw(stack: Stack, okta: Okta) -> None:
    port = free_port()
    stack.create_credentials(NAMESPACE)
    stack.start_operator("--metrics-port", str(port))
    stack.apply(resource(stack.okta_url, access={"groups": ["OutSystems IT"]}))
    stack.wait_ready(NAMESPACE, NAME)
    stack.patch_spec(NAMESPACE, NAME, {"environments": [{"name": "prod", "hostname": "prod.acme.com"}]})
    obj = stack.wait_ready(NAMESPACE, NAME)
    assert obj["metadata"]["generation"] == 2

    metrics = scrape(port)
    seen = Counter((OPERATIONS[(r["method"], shape(r["path"]))], str(r["status"])) for r in okta.requests())
    reported = {
        (dict(labels)["operation"], dict(labels)["code"]): value
        for labels, value in metrics["outsystems_okta_okta_requests_total"].items()
    }
    assert reported == {key: float(count) for key, count in seen.items()}

    reconciles = metrics["outsystems_okta_reconciles_total"]
    assert reconciles[(("reason", "Reconciled"), ("result", "ready"))] >= 2
    assert metrics["outsystems_okta_reconcile_duration_seconds_count"][()] == sum(reconciles.values())
    integrations = {dict(k)["ready"]: v for k, v in metrics["outsystems_okta_integrations"].items()}
    assert integrations == {"true": 1.0, "false": 0.0}
    assert metrics["outsystems_okta_integration_ready"] == {(("name", NAME), ("namespace", NAMESPACE)): 1.0}

    apps_bucket_calls = sum(1 for r in okta.requests() if r["bucket"] == "/api/v1/apps")
    remaining = {
        dict(k)["bucket"]: v for k, v in metrics["outsystems_okta_okta_rate_limit_remaining"].items()
    }
    assert remaining["/api/v1/apps"] == 100 - apps_bucket_calls


def test_per_integration_readiness_follows_the_resource_and_goes_with_it(stack: Stack, okta: Okta) -> None:
    port = free_port()
    stack.create_credentials(NAMESPACE)
    stack.start_operator("--metrics-port", str(port))
    stack.apply(resource(stack.okta_url, access={"groups": ["OutSystems IT"]}))
    stack.wait_ready(NAMESPACE, NAME)
    series = (("name", NAME), ("namespace", NAMESPACE))
    assert scrape(port)["outsystems_okta_integration_ready"] == {series: 1.0}

    stack.patch_spec(NAMESPACE, NAME, {"access": {"groups": ["No Such Group"]}})
    stack.wait_for(NAMESPACE, NAME, lambda obj: "OktaGroupNotFound" in str((obj or {}).get("status")))
    assert scrape(port)["outsystems_okta_integration_ready"] == {series: 0.0}

    stack.delete(NAMESPACE, NAME)
    stack.wait_for(NAMESPACE, NAME, lambda obj: obj is None)
    metrics = scrape(port)
    assert (
        "outsystems_okta_integration_ready" not in metrics or not metrics["outsystems_okta_integration_ready"]
    )
    assert {dict(k)["ready"]: v for k, v in metrics["outsystems_okta_integrations"].items()} == {
        "true": 0.0,
        "false": 0.0,
    }
