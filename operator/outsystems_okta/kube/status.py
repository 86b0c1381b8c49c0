"""A resource's status, merge-patched in the middle of a pass through the official `kubernetes` client.

Kopf writes a pass's status when its handler returns; a step that must be on record *before* its
next write (a client secret rotation's intent, before the Okta create) writes it here first.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import Any

import kubernetes
from kubernetes.client.exceptions import ApiException

from outsystems_okta.api.constants import GROUP, PLURAL, VERSION
from outsystems_okta.kube.secrets import KubernetesApiError


class KubeStatus:
    """The reconcile routine's StatusStore, backed by the status subresource."""

    def __init__(self, api_client: kubernetes.client.ApiClient) -> None:
        self._custom = kubernetes.client.CustomObjectsApi(api_client)

    async def record(self, namespace: str, name: str, fields: Mapping[str, Any]) -> None:
        body = {"status": dict(fields)}

        def call() -> None:
            try:
                self._custom.patch_namespaced_custom_object_status(
                    GROUP, VERSION, namespace, PLURAL, name, body, _preload_content=False
                )
            except ApiException as exc:
                raise KubernetesApiError(exc.status, exc.reason) from None

        await asyncio.to_thread(call)
