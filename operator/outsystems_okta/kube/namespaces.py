"""Whether a namespace is being deleted (blocking forever on it would keep it Terminating)."""

from __future__ import annotations

import asyncio

import kubernetes
from kubernetes.client.exceptions import ApiException

from outsystems_okta.kube.rest import request


class KubeNamespaces:
    def __init__(self, api_client: kubernetes.client.ApiClient) -> None:
        self._api = api_client

    async def terminating(self, name: str) -> bool:
        def call() -> bool:
            try:
                namespace = request(self._api, "GET", "/api/v1/namespaces/{name}", {"name": name})
            except ApiException as exc:
                # Gone is as final as terminating; any other answer proves nothing: keep waiting.
                return bool(exc.status == 404)
            phase = (namespace.get("status") or {}).get("phase")
            return bool(phase == "Terminating" or (namespace.get("metadata") or {}).get("deletionTimestamp"))

        return await asyncio.to_thread(call)
