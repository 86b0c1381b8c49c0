"""`kube.KubeStatus`: a status write in the middle of a pass, through the status subresource."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from kubernetes import config

from outsystems_okta.api.constants import API_VERSION, GROUP, KIND, PLURAL, VERSION
from outsystems_okta.kube import KubeStatus
from outsystems_okta.kube.secrets import KubernetesApiError

REPO = Path(__file__).resolve().parents[3]
URL = f"/apis/{GROUP}/{VERSION}/namespaces/default/{PLURAL}/factory"


@pytest.fixture
def integration(http: httpx.Client) -> dict[str, Any]:
    crd = yaml.safe_load((REPO / "crds" / f"{PLURAL}.{GROUP}.yaml").read_text())
    assert http.post("/apis/apiextensions.k8s.io/v1/customresourcedefinitions", json=crd).status_code == 201
    body = {
        "apiVersion": API_VERSION,
        "kind": KIND,
        "metadata": {"name": "factory", "namespace": "default"},
        "spec": {
            "okta": {"orgUrl": "https://acme.okta.com", "credentialsSecretRef": {"name": "okta-api"}},
            "lifetime": {"hostname": "lifetime.acme.com"},
            "environments": [{"name": "dev", "hostname": "dev.acme.com"}],
        },
    }
    response = http.post(f"/apis/{GROUP}/{VERSION}/namespaces/default/{PLURAL}", json=body)
    assert response.status_code == 201, response.text
    created = response.json()
    status = {
        "status": {
            "secretName": "factory-lifetime",
            "clientSecretRotation": {
                "phase": "Completed",
                "requested": "r0",
                "trigger": "Annotation",
                "completedAt": "2026-11-01T00:00:00Z",
            },
        }
    }
    assert (
        http.patch(
            f"{URL}/status", json=status, headers={"Content-Type": "application/merge-patch+json"}
        ).status_code
        == 200
    )
    return dict(created)


def test_record_merges_into_status_and_null_removes_a_field(
    http: httpx.Client, kubeconfig: Path, integration: dict[str, Any]
) -> None:
    api = config.new_client_from_config(config_file=str(kubeconfig))
    try:
        record = {
            "phase": "Creating",
            "requested": "r1",
            "trigger": "Annotation",
            "knownSecretIds": ["ocs1"],
            "completedAt": None,
        }
        asyncio.run(KubeStatus(api).record("default", "factory", {"clientSecretRotation": record}))
    finally:
        api.close()
    live = http.get(URL).json()
    assert live["status"]["secretName"] == "factory-lifetime", "other status fields are kept"
    assert live["status"]["clientSecretRotation"] == {
        "phase": "Creating",
        "requested": "r1",
        "trigger": "Annotation",
        "knownSecretIds": ["ocs1"],
        "message": "",  # the CRD's default
    }
    assert live["spec"] == integration["spec"], "only status is written"


def test_a_refused_write_is_an_error_without_the_body(kubeconfig: Path, integration: dict[str, Any]) -> None:
    api = config.new_client_from_config(config_file=str(kubeconfig))
    try:
        with pytest.raises(KubernetesApiError) as info:
            asyncio.run(
                KubeStatus(api).record("default", "absent", {"clientSecretRotation": {"phase": "Creating"}})
            )
    finally:
        api.close()
    assert info.value.status == 404 and "Creating" not in str(info.value)
