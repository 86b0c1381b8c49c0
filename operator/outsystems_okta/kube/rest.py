"""JSON requests through the official client's `ApiClient`, without its generated `CoreV1Api`.

Importing `kubernetes.client.CoreV1Api` loads ~250 model modules and costs about 20 MiB of resident
memory (measured by `bench/memory.py`), although every call here reads and writes plain JSON. The
`ApiClient` keeps what matters: the kubeconfig or in-cluster credentials, TLS, and token refresh.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import kubernetes
from kubernetes.client.exceptions import ApiException

JSON = "application/json"


def request(
    api_client: kubernetes.client.ApiClient,
    method: str,
    path: str,
    path_params: Mapping[str, str],
    body: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """One request; the decoded JSON answer, or `ApiException` (status and reason) for a non-2xx one."""
    headers = {"Accept": JSON}
    if body is not None:
        headers["Content-Type"] = JSON
    serialized = api_client.param_serialize(
        method=method,
        resource_path=path,
        path_params=dict(path_params),
        header_params=headers,
        body=dict(body) if body is not None else None,
        auth_settings=["BearerToken"],
    )
    response = api_client.call_api(*serialized)
    response.read()
    if not 200 <= response.status <= 299:
        # Status and reason only: given the response, ApiException would keep its body and headers
        # (and print them), and a Secret's body may echo its data.
        raise ApiException(status=response.status, reason=response.reason)
    data: dict[str, Any] = json.loads(response.data) if response.data else {}
    return data
