"""The status subresource of an OutSystemsOktaIntegration, merge-patched through the official client.

Kopf applies a handler's `patch` only when the handler returns; the scheduler is a daemon that never
returns while the resource lives, so it writes status itself. A step that must be on record *before*
its next write (a client secret rotation's intent, before the Okta create) writes it here mid-pass.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import Any

import kubernetes
from kubernetes.client.exceptions import ApiException

from outsystems_okta.api.constants import GROUP, PLURAL, VERSION
from outsystems_okta.kube.secrets import KubernetesApiError

# A JSON merge patch (RFC 7386): a None value removes the field, as a Kopf status patch does.
MERGE_PATCH = "application/merge-patch+json"


class KubeStatus:
    """The scheduler's status writer and the reconcile routine's StatusStore."""

    def __init__(self, api_client: kubernetes.client.ApiClient) -> None:
        self._custom = kubernetes.client.CustomObjectsApi(api_client)

    async def patch(self, namespace: str, name: str, fields: Mapping[str, Any]) -> dict[str, Any]:
        """Merge `fields` into `.status`; return the object as the API server stored it."""

        def call() -> dict[str, Any]:
            try:
                stored: dict[str, Any] = self._custom.patch_namespaced_custom_object_status(
                    GROUP,
                    VERSION,
                    namespace,
                    PLURAL,
                    name,
                    {"status": dict(fields)},
                    _content_type=MERGE_PATCH,
                )
            except ApiException as exc:
                raise KubernetesApiError(exc.status, exc.reason) from None
            return stored

        return await asyncio.to_thread(call)

    async def record(self, namespace: str, name: str, fields: Mapping[str, Any]) -> None:
        """StatusStore: put `fields` on record in the middle of a pass."""
        await self.patch(namespace, name, fields)
