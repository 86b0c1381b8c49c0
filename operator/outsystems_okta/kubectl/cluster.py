"""The plugin's Kubernetes reads and writes, through the official client and the current kubeconfig.

As kubectl does: `$KUBECONFIG` (or ~/.kube/config), its current context unless `--context` names one,
and that context's namespace unless `-n` names one. Errors become `PluginError` with one line that
names no body (a Secret's body would hold the client secret).
"""

from __future__ import annotations

import json
from typing import Any

import kubernetes
from kubernetes.client.exceptions import ApiException

from outsystems_okta.api.constants import GROUP, KIND, PLURAL, VERSION
from outsystems_okta.kubectl.errors import NotFound, PluginError


class Cluster:
    def __init__(self, *, kubeconfig: str | None, context: str | None, namespace: str | None) -> None:
        try:
            contexts, current = kubernetes.config.list_kube_config_contexts(config_file=kubeconfig)
            chosen = current
            if context is not None:
                chosen = next((c for c in contexts if c.get("name") == context), None)
                if chosen is None:
                    raise PluginError(f"context {context!r} is not in the kubeconfig")
            self.api = kubernetes.config.new_client_from_config(
                config_file=kubeconfig, context=context, persist_config=False
            )
        except kubernetes.config.ConfigException as exc:
            raise PluginError(f"cannot use the kubeconfig: {exc}") from None
        self.namespace = namespace or (chosen or {}).get("context", {}).get("namespace") or "default"
        self._custom = kubernetes.client.CustomObjectsApi(self.api)
        self._core = kubernetes.client.CoreV1Api(self.api)

    def _call(self, what: str, call: Any, *args: Any, **kwargs: Any) -> dict[str, Any]:
        try:
            response = call(*args, _preload_content=False, **kwargs)
        except ApiException as exc:
            if exc.status == 404:
                raise NotFound(f"{what} not found") from None
            raise PluginError(f"{what}: Kubernetes API error {exc.status} ({exc.reason})") from None
        except Exception as exc:  # urllib3's connection errors: one line, no traceback
            raise PluginError(f"{what}: cannot reach the Kubernetes API ({type(exc).__name__})") from None
        data: dict[str, Any] = json.loads(response.data)
        return data

    def integration(self, name: str) -> dict[str, Any]:
        return self._call(
            f"{KIND} {self.namespace}/{name}",
            self._custom.get_namespaced_custom_object,
            GROUP,
            VERSION,
            self.namespace,
            PLURAL,
            name,
        )

    def annotate(self, name: str, annotations: dict[str, str | None]) -> dict[str, Any]:
        """Set (or, with None, remove) annotations with a merge patch: spec and status are untouched."""
        return self._call(
            f"{KIND} {self.namespace}/{name}",
            self._custom.patch_namespaced_custom_object,
            GROUP,
            VERSION,
            self.namespace,
            PLURAL,
            name,
            {"metadata": {"annotations": annotations}},
        )

    def secret(self, name: str) -> dict[str, Any]:
        return self._call(
            f"Secret {self.namespace}/{name}", self._core.read_namespaced_secret, name, self.namespace
        )

    def events(self, name: str, uid: str | None) -> list[dict[str, Any]]:
        selector = f"involvedObject.kind={KIND},involvedObject.name={name}"
        listed = self._call(
            f"Events of {self.namespace}/{name}",
            self._core.list_namespaced_event,
            self.namespace,
            field_selector=selector,
        )
        items = [e for e in listed.get("items") or [] if isinstance(e, dict)]
        # A resource deleted and created again under the same name: only this one's Events.
        return [e for e in items if uid is None or (e.get("involvedObject") or {}).get("uid") in (uid, None)]
