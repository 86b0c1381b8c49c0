"""Whether a namespace is being deleted (blocking forever on it would keep it Terminating)."""

from __future__ import annotations

import asyncio
import json

import kubernetes
from kubernetes.client.exceptions import ApiException


class KubeNamespaces:
    def __init__(self, api_client: kubernetes.client.ApiClient) -> None:
        self._core = kubernetes.client.CoreV1Api(api_client)

    async def terminating(self, name: str) -> bool:
        def call() -> bool:
            try:
                response = self._core.read_namespace(name, _preload_content=False)
            except ApiException as exc:
                # Gone is as final as terminating; any other answer proves nothing: keep waiting.
                return bool(exc.status == 404)
            namespace = json.loads(response.data)
            phase = (namespace.get("status") or {}).get("phase")
            return bool(phase == "Terminating" or (namespace.get("metadata") or {}).get("deletionTimestamp"))

        return await asyncio.to_thread(call)
