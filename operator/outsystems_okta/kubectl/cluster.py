"""The plugin's Kubernetes reads and writes, through the official client and the current kubeconfig.

As kubectl does: `$KUBECONFIG` (or ~/.kube/config), its current context unless `--context` names one,
and that context's namespace unless `-n` names one. Errors become `PluginError` with one line that
names no body (a Secret's body would hold the client secret).

Every request has a timeout (connect and read), so an API server or a proxy that accepts and never
answers cannot hold a command: by default the read may take `READ_TIMEOUT` seconds; a caller that
waits (`within`) gives its remaining time instead. The client's own retries are off, so one call is one
attempt bounded by its timeout; a caller that waits retries a `Transient` error itself.
"""

from __future__ import annotations

import json
from typing import Any

import kubernetes
import urllib3
import yaml
from kubernetes.client.exceptions import ApiException

from outsystems_okta.api.constants import GROUP, KIND, PLURAL, VERSION
from outsystems_okta.kubectl.errors import NotFound, PluginError, Transient

CONNECT_TIMEOUT = 5.0
READ_TIMEOUT = 30.0
# The shortest timeout a request gets, however little time the wait has left (a last look, not a race).
MIN_TIMEOUT = 1.0


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _kubeconfig_problem(exc: Exception) -> str:
    if isinstance(exc, yaml.MarkedYAMLError) and exc.problem_mark is not None:
        # Not str(exc): it may quote the file's lines, and a kubeconfig holds tokens.
        mark = exc.problem_mark
        return f"not YAML ({exc.problem} at line {mark.line + 1}, column {mark.column + 1})"
    if isinstance(exc, yaml.YAMLError):
        return "not YAML"
    if isinstance(exc, kubernetes.config.ConfigException | OSError):
        return _one_line(str(exc)) or type(exc).__name__
    # The loader's TypeError, AttributeError, UnicodeDecodeError... on a file of the wrong shape.
    return f"not a kubeconfig ({type(exc).__name__}: {_one_line(str(exc))})"


class Cluster:
    def __init__(self, *, kubeconfig: str | None, context: str | None, namespace: str | None) -> None:
        try:
            contexts, current = kubernetes.config.list_kube_config_contexts(config_file=kubeconfig)
            chosen = current
            if context is not None:
                chosen = next((c for c in contexts if c.get("name") == context), None)
                if chosen is None:
                    raise PluginError(f"context {context!r} is not in the kubeconfig")
            configuration = kubernetes.client.Configuration()
            configuration.retries = 0
            self.api = kubernetes.config.new_client_from_config(
                config_file=kubeconfig,
                context=context,
                persist_config=False,
                client_configuration=configuration,
            )
            context_body = chosen.get("context") if isinstance(chosen, dict) else None
            chosen_namespace = context_body.get("namespace") if isinstance(context_body, dict) else None
        except PluginError:
            raise
        except Exception as exc:  # a malformed kubeconfig: one line, no traceback
            raise PluginError(f"cannot use the kubeconfig: {_kubeconfig_problem(exc)}") from None
        self.namespace = namespace or chosen_namespace or "default"
        self._custom = kubernetes.client.CustomObjectsApi(self.api)
        self._core = kubernetes.client.CoreV1Api(self.api)

    def _call(
        self, what: str, call: Any, *args: Any, within: float | None = None, **kwargs: Any
    ) -> dict[str, Any]:
        read = READ_TIMEOUT if within is None else max(MIN_TIMEOUT, min(READ_TIMEOUT, within))
        timeout = (min(CONNECT_TIMEOUT, read), read)
        try:
            response = call(*args, _preload_content=False, _request_timeout=timeout, **kwargs)
            try:
                body = response.data  # the body is read here: a stalled one times out here
            finally:
                response.release_conn()
        except ApiException as exc:
            if exc.status == 404:
                raise NotFound(f"{what} not found") from None
            reason = _one_line(str(exc.reason or ""))
            message = f"{what}: Kubernetes API error {exc.status} ({reason})"
            if exc.status == 429 or (exc.status or 0) >= 500:
                raise Transient(message) from None
            raise PluginError(message) from None
        except Exception as exc:  # urllib3's connection errors and timeouts: one line, no traceback
            cause = exc.reason if isinstance(exc, urllib3.exceptions.MaxRetryError) else exc
            refused = isinstance(cause, urllib3.exceptions.NewConnectionError)  # a ConnectTimeoutError too
            if isinstance(cause, urllib3.exceptions.TimeoutError) and not refused:
                raise Transient(f"{what}: no answer from the Kubernetes API within {read:g}s") from None
            raise Transient(f"{what}: cannot reach the Kubernetes API ({type(cause).__name__})") from None
        try:
            data = json.loads(body)
        except ValueError:
            data = None
        if not isinstance(data, dict):
            # A proxy's login page or error page, not the API server: say so, quote none of it.
            kind = _one_line(str(response.headers.get("Content-Type") or "no Content-Type"))
            raise PluginError(f"{what}: the answer is not Kubernetes JSON ({kind}): is a proxy in the way?")
        return data

    def integration(self, name: str, *, within: float | None = None) -> dict[str, Any]:
        return self._call(
            f"{KIND} {self.namespace}/{name}",
            self._custom.get_namespaced_custom_object,
            GROUP,
            VERSION,
            self.namespace,
            PLURAL,
            name,
            within=within,
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
