"""`kube.KubeSecrets` and `kube.KubeNamespaces` against the Kubernetes API emulator, through the
official client's `ApiClient` (`kube.rest`), and what importing the operator leaves out."""

from __future__ import annotations

import asyncio
import base64
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import kubernetes
import pytest
from kubernetes import config
from kubernetes.client.exceptions import ApiException

from outsystems_okta.kube import KubeNamespaces, KubeSecrets
from outsystems_okta.kube.rest import request
from outsystems_okta.kube.secrets import KubernetesApiError

SECRETS = "/api/v1/namespaces/default/secrets"


@pytest.fixture
def api(kubeconfig: Path) -> Iterator[kubernetes.client.ApiClient]:
    client = config.new_client_from_config(config_file=str(kubeconfig))
    yield client
    client.close()


def secret(data: dict[str, str], labels: dict[str, str] | None = None) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "Secret",
        "metadata": {"name": "factory-lifetime", "namespace": "default", "labels": labels or {"mine": "yes"}},
        "stringData": data,
    }


def decoded(obj: dict[str, Any]) -> dict[str, str]:
    return {k: base64.b64decode(v).decode() for k, v in (obj.get("data") or {}).items()}


def test_read_write_replace_and_delete(http: httpx.Client, api: kubernetes.client.ApiClient) -> None:
    secrets = KubeSecrets(api)
    assert asyncio.run(secrets.read("default", "factory-lifetime")) is None

    asyncio.run(secrets.write(secret({"webClientId": "0oa1"})))
    stored = asyncio.run(secrets.read("default", "factory-lifetime"))
    assert stored is not None and decoded(stored) == {"webClientId": "0oa1"}

    # Someone else labels and annotates it; our replace keeps both and changes the data.
    patch = {"metadata": {"labels": {"theirs": "1"}, "annotations": {"note": "kept"}}}
    response = http.patch(
        f"{SECRETS}/factory-lifetime", json=patch, headers={"Content-Type": "application/merge-patch+json"}
    )
    assert response.status_code == 200, response.text
    asyncio.run(secrets.write(secret({"webClientId": "0oa2"})))
    live = http.get(f"{SECRETS}/factory-lifetime").json()
    assert decoded(live) == {"webClientId": "0oa2"}
    assert live["metadata"]["labels"] == {"theirs": "1", "mine": "yes"}
    assert live["metadata"]["annotations"] == {"note": "kept"}

    asyncio.run(secrets.delete("default", "factory-lifetime"))
    assert http.get(f"{SECRETS}/factory-lifetime").status_code == 404
    asyncio.run(secrets.delete("default", "factory-lifetime"))  # gone already: no error


def test_a_refused_write_is_an_error_without_the_body(api: kubernetes.client.ApiClient) -> None:
    body = secret({"webClientSecret": "s3cr3t-value"})
    body["metadata"]["namespace"] = "absent"
    with pytest.raises(KubernetesApiError) as info:
        asyncio.run(KubeSecrets(api).write(body))
    assert info.value.status == 404
    assert "s3cr3t-value" not in str(info.value)


def test_an_api_error_keeps_status_and_reason_only(api: kubernetes.client.ApiClient) -> None:
    # What the API server answered (for a Secret it may echo data) stays out of the exception and so
    # out of every message made from it.
    with pytest.raises(ApiException) as info:
        request(api, "GET", SECRETS + "/{name}", {"name": "absent"})
    assert (info.value.status, info.value.body, info.value.headers) == (404, None, None)
    assert str(info.value) == "(404)\nReason: Not Found\n"


def test_a_namespace_is_terminating_once_deleted_or_gone(
    http: httpx.Client, api: kubernetes.client.ApiClient
) -> None:
    namespaces = KubeNamespaces(api)
    assert asyncio.run(namespaces.terminating("default")) is False
    assert asyncio.run(namespaces.terminating("absent")) is True


def test_the_operator_does_not_load_the_generated_core_api() -> None:
    # CoreV1Api imports ~250 model modules (about 20 MiB resident; bench/memory.py); kube.rest avoids it.
    probe = (
        "import sys, outsystems_okta.handlers, outsystems_okta.cli\n"
        "from outsystems_okta.kube import KubeNamespaces, KubeSecrets\n"
        "import kubernetes\n"
        "api = kubernetes.client.ApiClient()\n"
        "KubeSecrets(api); KubeNamespaces(api)\n"
        "print(sorted(m for m in sys.modules if m.startswith('kubernetes.client.api.core_v1')))\n"
    )
    out = subprocess.run([sys.executable, "-c", probe], check=True, capture_output=True, text=True)
    assert out.stdout.strip() == "[]"
