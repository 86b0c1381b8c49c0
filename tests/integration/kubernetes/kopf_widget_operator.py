"""A tiny Kopf operator run as a real subprocess by test_kube_kopf.py (not a test module).

On create: a Secret owned by the Widget (GC'd with it), `status.phase`, and an Event.
On delete (through Kopf's finalizer): a log line. Handlers log markers the test counts.
"""

from __future__ import annotations

from typing import Any

import kopf
import kubernetes


@kopf.on.startup()
def configure(settings: kopf.OperatorSettings, **_: Any) -> None:
    settings.persistence.finalizer = "sandbox.example.com/finalizer"
    settings.persistence.progress_storage = kopf.AnnotationsProgressStorage(prefix="sandbox.example.com")
    settings.persistence.diffbase_storage = kopf.AnnotationsDiffBaseStorage(prefix="sandbox.example.com")
    kubernetes.config.load_kube_config()  # $KUBECONFIG, as for Kopf itself


@kopf.on.create("sandbox.example.com", "v1", "widgets")
def create_widget(
    name: str,
    namespace: str | None,
    spec: kopf.Spec,
    body: kopf.Body,
    patch: kopf.Patch,
    logger: Any,
    **_: Any,
) -> None:
    logger.info(f"CREATE-HANDLER-RAN for {name}")
    secret: dict[str, Any] = {
        "apiVersion": "v1",
        "kind": "Secret",
        "metadata": {"name": f"{name}-creds"},
        "stringData": {"color": spec["color"]},
    }
    kopf.adopt(secret)
    kubernetes.client.CoreV1Api().create_namespaced_secret(namespace, secret)
    patch.status["phase"] = "Ready"
    kopf.info(body, reason="SecretCreated", message=f"Created {name}-creds")


@kopf.on.delete("sandbox.example.com", "v1", "widgets")
def delete_widget(name: str, logger: Any, **_: Any) -> None:
    logger.info(f"DELETE-HANDLER-RAN for {name}")
