"""Kopf wiring only: every trigger calls the same reconcile routine; deletion calls `finalize`.

Handlers are registered into a registry built from the runtime configuration (the drift interval is
fixed at registration time), so nothing here is global state.
"""

from __future__ import annotations

import asyncio
import logging
import random
import socket
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import kopf

from outsystems_okta import logcontext
from outsystems_okta.api.constants import ANNOTATION_PREFIX, FINALIZER, GROUP, PLURAL, VERSION
from outsystems_okta.kube import KubeNamespaces, KubeSecrets, load_kubernetes_config
from outsystems_okta.metrics import Metrics
from outsystems_okta.okta import OktaClient, OktaClientPool
from outsystems_okta.reconcile import Options, Outcome, Resource, finalize, reconcile, unexpected_failure
from outsystems_okta.reconcile.ports import EventSink, OktaConnector

# Who posted an Event: `kubectl describe` shows it under "From", `kubectl get events` as SOURCE.
REPORTING_COMPONENT = "outsystems-okta-operator"


@dataclass(frozen=True)
class OperatorConfig:
    drift_interval: float = 600.0
    allow_insecure_loopback: bool = False
    # Port of the Prometheus endpoint; None: no endpoint.
    metrics_port: int | None = None


def okta_pool(metrics: Metrics) -> OktaClientPool:
    return OktaClientPool(lambda org_url, token: OktaClient(org_url, token, on_response=metrics.observe_okta))


def _resource(body: Mapping[str, Any]) -> Resource:
    meta = body.get("metadata") or {}
    return Resource(
        namespace=str(meta.get("namespace")),
        name=str(meta.get("name")),
        uid=str(meta.get("uid")),
        generation=meta.get("generation"),
        spec=dict(body.get("spec") or {}),
        status=dict(body.get("status") or {}),
    )


def _events(body: kopf.Body) -> EventSink:
    def post(type_: str, reason: str, message: str) -> None:
        kopf.event(body, type=type_, reason=reason, message=message)

    return post


def _lock(memo: kopf.Memo) -> asyncio.Lock:
    # The per-object memo is private to one resource: the timer and the change handlers of that
    # resource share this lock, so two passes never interleave their Okta writes.
    lock = memo.get("reconcile_lock")
    if lock is None:
        lock = memo["reconcile_lock"] = asyncio.Lock()
    assert isinstance(lock, asyncio.Lock)
    return lock


def _patch_status(patch: kopf.Patch, body: kopf.Body, outcome: Outcome) -> None:
    current = body.get("status") or {}
    for key, value in outcome.status.items():
        # Unchanged fields are not re-sent: a steady timer pass then writes nothing at all.
        if current.get(key) != value:
            patch.status[key] = value


def _names(body: kopf.Body) -> tuple[str, str]:
    return body.metadata.namespace or "", body.metadata.name or ""


def _ref(body: kopf.Body) -> dict[str, Any]:
    # The same reference Kopf's handler logger puts on its own lines, so that the Okta client's lines
    # look like them in every --log-format.
    return {
        "apiVersion": body.get("apiVersion"),
        "kind": body.get("kind"),
        "name": body.metadata.name,
        "uid": body.metadata.uid,
        "namespace": body.metadata.namespace,
    }


def build_registry(config: OperatorConfig, metrics: Metrics | None = None) -> kopf.OperatorRegistry:
    registry = kopf.OperatorRegistry()
    options = Options(allow_insecure_loopback=config.allow_insecure_loopback)
    metrics = metrics or Metrics()
    pool = okta_pool(metrics)
    connect_okta: OktaConnector = pool.connect

    @kopf.on.login(registry=registry, id="login")
    def login(**kwargs: Any) -> kopf.ConnectionInfo | None:
        # A private registry does not get Kopf's default login handlers: in-cluster or kubeconfig.
        return kopf.login_via_client(**kwargs)

    @kopf.on.cleanup(registry=registry, id="close-okta-clients")
    async def close_clients(**_: Any) -> None:
        await pool.aclose()

    @kopf.on.startup(registry=registry, id="configure")
    def configure(settings: kopf.OperatorSettings, memo: kopf.Memo, **_: Any) -> None:
        settings.persistence.finalizer = FINALIZER
        settings.persistence.progress_storage = kopf.AnnotationsProgressStorage(prefix=ANNOTATION_PREFIX)
        settings.persistence.diffbase_storage = kopf.AnnotationsDiffBaseStorage(prefix=ANNOTATION_PREFIX)
        settings.posting.level = logging.INFO
        settings.posting.reporting_component = REPORTING_COMPONENT
        # The pod's name in a cluster: tells two operator generations apart across an upgrade.
        settings.posting.reporting_instance = socket.gethostname()
        settings.posting.event_name_prefix = f"{REPORTING_COMPONENT}-"
        settings.watching.server_timeout = 300
        api = load_kubernetes_config()
        memo["secrets"] = KubeSecrets(api)
        memo["namespaces"] = KubeNamespaces(api)
        if config.metrics_port is not None:
            metrics.serve(config.metrics_port)

    async def run(body: kopf.Body, patch: kopf.Patch, memo: kopf.Memo, logger: kopf.Logger) -> Outcome:
        async with _lock(memo):
            started = time.monotonic()
            try:
                with logcontext.about(_ref(body)):
                    outcome = await reconcile(
                        _resource(body),
                        connect=connect_okta,
                        secrets=memo["secrets"],
                        events=_events(body),
                        options=options,
                    )
            except Exception as exc:
                # Expected failures come back as outcomes; anything else still has to show on the
                # resource instead of leaving a stale Ready condition behind.
                logger.exception("Reconcile failed unexpectedly")
                outcome = unexpected_failure(_resource(body), exc, options)
                kopf.warn(body, reason=outcome.reason.value, message=outcome.message)
            metrics.observe_reconcile(*_names(body), outcome, time.monotonic() - started)
        _patch_status(patch, body, outcome)
        logger.info(
            f"Reconciled generation {body.metadata.get('generation')}: Ready={outcome.ready} "
            f"reason={outcome.reason.value}: {outcome.message}"
        )
        return outcome

    @kopf.on.resume(GROUP, VERSION, PLURAL, registry=registry, id="reconcile")
    @kopf.on.create(GROUP, VERSION, PLURAL, registry=registry, id="reconcile")
    @kopf.on.update(GROUP, VERSION, PLURAL, registry=registry, id="reconcile", field="spec")
    async def on_change(
        body: kopf.Body, patch: kopf.Patch, memo: kopf.Memo, logger: kopf.Logger, **_: Any
    ) -> None:
        outcome = await run(body, patch, memo, logger)
        if outcome.retry_after is not None:
            raise kopf.TemporaryError(outcome.message, delay=outcome.retry_after)

    @kopf.timer(
        GROUP,
        VERSION,
        PLURAL,
        registry=registry,
        id="drift",
        interval=config.drift_interval,
        initial_delay=lambda **_: random.uniform(0.5, 1.0) * config.drift_interval,
        idle=min(30.0, config.drift_interval),
    )
    async def drift(
        body: kopf.Body, patch: kopf.Patch, memo: kopf.Memo, logger: kopf.Logger, **_: Any
    ) -> None:
        # Jitter spreads many resources' passes so they do not hit Okta's small app bucket together.
        await run(body, patch, memo, logger)

    @kopf.on.delete(GROUP, VERSION, PLURAL, registry=registry, id="finalize")
    async def on_delete(
        body: kopf.Body, patch: kopf.Patch, memo: kopf.Memo, logger: kopf.Logger, **_: Any
    ) -> None:
        async with _lock(memo):
            with logcontext.about(_ref(body)):
                outcome = await finalize(
                    _resource(body),
                    connect=connect_okta,
                    secrets=memo["secrets"],
                    events=_events(body),
                    options=options,
                    namespaces=memo["namespaces"],
                )
        if outcome is not None:
            # A blocked deletion says why on the resource, where `kubectl get osokta` shows it.
            _patch_status(patch, body, outcome)
            raise kopf.TemporaryError(outcome.message, delay=outcome.retry_after or 60.0)
        metrics.forget(*_names(body))
        logger.info("Released: deletionPolicy honoured")

    return registry
