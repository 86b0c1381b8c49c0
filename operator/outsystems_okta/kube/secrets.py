"""Secrets through the official `kubernetes` client (blocking, so each call runs in a worker thread).

Requests go through `kube.rest` (plain JSON on the `ApiClient`), not `CoreV1Api`: see there why."""

from __future__ import annotations

import asyncio
from typing import Any

import kubernetes
from kubernetes.client.exceptions import ApiException

from outsystems_okta.kube.rest import request

SECRETS = "/api/v1/namespaces/{namespace}/secrets"
SECRET = "/api/v1/namespaces/{namespace}/secrets/{name}"


class KubeSecrets:
    """The reconcile routine's SecretStore, backed by the Kubernetes API."""

    def __init__(self, api_client: kubernetes.client.ApiClient) -> None:
        self._api = api_client

    async def read(self, namespace: str, name: str) -> dict[str, Any] | None:
        def call() -> dict[str, Any] | None:
            try:
                return request(self._api, "GET", SECRET, {"namespace": namespace, "name": name})
            except ApiException as exc:
                if exc.status == 404:
                    return None
                raise _safe(exc) from None

        return await asyncio.to_thread(call)

    async def write(self, body: dict[str, Any]) -> None:
        """Create the Secret, or replace ours keeping labels and annotations that others added."""
        namespace, name = body["metadata"]["namespace"], body["metadata"]["name"]

        def call() -> None:
            try:
                request(self._api, "POST", SECRETS, {"namespace": namespace}, body)
                return
            except ApiException as exc:
                if exc.status != 409:
                    raise _safe(exc) from None
            try:
                current = request(self._api, "GET", SECRET, {"namespace": namespace, "name": name})
            except ApiException as exc:
                raise _safe(exc) from None
            meta = current.get("metadata") or {}
            merged = {
                **body,
                "metadata": {
                    **body["metadata"],
                    "resourceVersion": meta.get("resourceVersion"),
                    "labels": {**(meta.get("labels") or {}), **body["metadata"]["labels"]},
                    "annotations": meta.get("annotations") or {},
                },
            }
            try:
                request(self._api, "PUT", SECRET, {"namespace": namespace, "name": name}, merged)
            except ApiException as exc:
                raise _safe(exc) from None

        await asyncio.to_thread(call)

    async def delete(self, namespace: str, name: str) -> None:
        def call() -> None:
            try:
                request(self._api, "DELETE", SECRET, {"namespace": namespace, "name": name})
            except ApiException as exc:
                if exc.status != 404:
                    raise _safe(exc) from None

        await asyncio.to_thread(call)


class KubernetesApiError(RuntimeError):
    """An API error without the request or response body (a Secret's body holds secrets)."""

    def __init__(self, status: int | None, reason: str | None) -> None:
        super().__init__(f"Kubernetes API error {status}: {reason}")
        self.status = status


def _safe(exc: ApiException) -> KubernetesApiError:
    # ApiException's str() includes the response body, which for Secrets may echo data.
    return KubernetesApiError(exc.status, exc.reason)
