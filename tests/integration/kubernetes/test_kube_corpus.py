"""The bad-input corpus (tests/corpus), apply tier: each case is refused by our CRD's schema and CEL rules
as the Kubernetes emulator evaluates them on create, with the field and the plain words `kubectl apply`
shows. No operator runs: what the API server refuses never reaches it (tests/integration/reconcile's
corpus module checks that the pass refuses it too, should it get in)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from tests.corpus import NAMESPACE, Case, base_spec, of_tier

REPO = Path(__file__).resolve().parents[3]
CRDS = "/apis/apiextensions.k8s.io/v1/customresourcedefinitions"
INTEGRATIONS = f"/apis/okta.outsystems.dev/v1alpha1/namespaces/{NAMESPACE}/outsystemsoktaintegrations"
ORG_URL = "https://acme.okta.com"
CASES = of_tier("apply")


@pytest.fixture
def ours(http: httpx.Client) -> httpx.Client:
    crd = yaml.safe_load((REPO / "crds" / "outsystemsoktaintegrations.okta.outsystems.dev.yaml").read_text())
    response = http.post(CRDS, json=crd)
    assert response.status_code == 201, response.text
    namespace = {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": NAMESPACE}}
    assert http.post("/api/v1/namespaces", json=namespace).status_code == 201
    return http


def body(name: str, spec: dict[str, Any]) -> dict[str, Any]:
    return {
        "apiVersion": "okta.outsystems.dev/v1alpha1",
        "kind": "OutSystemsOktaIntegration",
        "metadata": {"name": name, "namespace": NAMESPACE},
        "spec": spec,
    }


def test_the_base_of_every_case_is_accepted(ours: httpx.Client) -> None:
    # Otherwise a case could be refused for something other than what it is about.
    response = ours.post(INTEGRATIONS, json=body("factory", base_spec(ORG_URL)))
    assert response.status_code == 201, response.text


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_the_crd_refuses_it_in_plain_words(ours: httpx.Client, case: Case) -> None:
    response = ours.post(INTEGRATIONS, json=body(case.name, case.spec(ORG_URL)))

    assert response.status_code == 422, f"{case.description}: accepted"
    status = response.json()
    assert (status["kind"], status["reason"]) == ("Status", "Invalid")
    lines = [f"{cause['field']}: {cause['message']}" for cause in status["details"]["causes"]]
    field = case.expect["field"]
    matching = [line for line in lines if line.startswith(f"{field}: ")]
    assert matching, f"no cause at {field}: {lines}"
    assert any(all(fragment in line for fragment in case.messages()) for line in matching), lines
    # Nothing was stored.
    assert ours.get(f"{INTEGRATIONS}/{case.name}").status_code == 404
