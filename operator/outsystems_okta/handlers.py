"""Kopf wiring only: one daemon per resource (the scheduler, schedule/) runs every reconcile pass;
changes of the resource and of the Secrets it depends on only wake it; deletion calls `finalize`.

Handlers are registered into a registry built from the runtime configuration (the drift interval is
fixed at registration time), so nothing here is global state.
"""

from __future__ import annotations

import asyncio
import datetime
import logging
import random
import socket
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import kopf

from outsystems_okta import logcontext
from outsystems_okta.api.constants import (
    ANNOTATION_PREFIX,
    DAY2_ANNOTATIONS,
    FINALIZER,
    GROUP,
    MAX_REQUEST_LENGTH,
    PLURAL,
    VERSION,
)
from outsystems_okta.kube import KubeNamespaces, KubeSecrets, KubeStatus, load_kubernetes_config
from outsystems_okta.metrics import Metrics
from outsystems_okta.okta import OktaClient, OktaClientPool, Pacing
from outsystems_okta.okta.shared_reads import SharedReads
from outsystems_okta.peering import Peering
from outsystems_okta.plan.backoff import Backoff
from outsystems_okta.plan.conditions import Reason
from outsystems_okta.plan.freshness import snapshot_ttl
from outsystems_okta.reconcile import Options, Outcome, Resource, finalize, reconcile, unexpected_failure
from outsystems_okta.reconcile.ports import EventSink, OktaConnector
from outsystems_okta.schedule import (
    Key,
    Next,
    ObservedSecrets,
    StatusView,
    Wakes,
    first_delay,
    run_schedule,
    watched_secrets,
)

# Who posted an Event: `kubectl describe` shows it under "From", `kubectl get events` as SOURCE.
REPORTING_COMPONENT = "outsystems-okta-operator"


@dataclass(frozen=True)
class OperatorConfig:
    drift_interval: float = 600.0
    allow_insecure_loopback: bool = False
    # Port of the Prometheus endpoint; None: no endpoint.
    metrics_port: int | None = None
    # The Kopf peering to join (several replicas, one acting); None: standalone.
    peering: Peering | None = None
    # First delay after a transient failure; doubles per consecutive failure of the same reason.
    retry_delay: float = 15.0
    # Each org's share of Okta's rate limits and concurrent requests (--okta-budget, --okta-concurrency).
    okta_pacing: Pacing = field(default_factory=Pacing)
    # Seconds the Okta client waits for each answer (--okta-timeout).
    okta_timeout: float = 30.0


class DiffBaseStorage(kopf.AnnotationsDiffBaseStorage):
    """Kopf's diff-base, with the day-2 annotations put back into what it compares.

    Kopf leaves every annotation under its storage prefix out of the comparison (here and in the
    progress storage's `clear`), and the day-2 requests (`okta.outsystems.dev/paused`, ...) share that
    prefix: without both classes, setting one would never reach an update handler.
    """

    def build(
        self, *, body: kopf.Body, extra_fields: Iterable[kopf.FieldSpec] | None = None
    ) -> kopf.BodyEssence:
        requests = [("metadata", "annotations", key) for key in DAY2_ANNOTATIONS]
        return super().build(body=body, extra_fields=[*(extra_fields or ()), *requests])


class ProgressStorage(kopf.AnnotationsProgressStorage):
    """Kopf's progress storage, which also strips its prefix from the essence: the day-2 requests stay."""

    def clear(self, *, essence: kopf.BodyEssence) -> kopf.BodyEssence:
        annotations = essence.get("metadata", {}).get("annotations", {})
        requests = {key: annotations[key] for key in DAY2_ANNOTATIONS if key in annotations}
        cleared = super().clear(essence=essence)
        if requests:
            cleared.setdefault("metadata", {}).setdefault("annotations", {}).update(requests)
        return cleared


def day2_requests(annotations: Mapping[str, Any]) -> dict[str, str]:
    """The day-2 annotations a pass reads, each cut to what status can echo (MAX_REQUEST_LENGTH)."""
    return {key: str(annotations[key])[:MAX_REQUEST_LENGTH] for key in DAY2_ANNOTATIONS if key in annotations}


def requests_changed(old: Mapping[str, Any] | None, new: Mapping[str, Any] | None) -> bool:
    """Whether a day-2 annotation was set, changed or removed between two sets of annotations."""
    return any((old or {}).get(key) != (new or {}).get(key) for key in DAY2_ANNOTATIONS)


def okta_pool(metrics: Metrics, pacing: Pacing | None = None, timeout: float = 30.0) -> OktaClientPool:
    return OktaClientPool(
        lambda org_url, token: OktaClient(
            org_url, token, on_response=metrics.observe_okta, pacing=pacing, timeout=timeout
        )
    )


def _resource(body: Mapping[str, Any], status: Mapping[str, Any] | None = None) -> Resource:
    meta = body.get("metadata") or {}
    return Resource(
        namespace=str(meta.get("namespace")),
        name=str(meta.get("name")),
        uid=str(meta.get("uid")),
        generation=meta.get("generation"),
        spec=dict(body.get("spec") or {}),
        status=dict((body.get("status") if status is None else status) or {}),
        annotations=day2_requests(meta.get("annotations") or {}),
    )


def _events(body: kopf.Body) -> EventSink:
    def post(type_: str, reason: str, message: str) -> None:
        kopf.event(body, type=type_, reason=reason, message=message)

    return post


def _lock(memo: kopf.Memo) -> asyncio.Lock:
    # The per-object memo is private to one resource: the scheduler and the deletion handler of that
    # resource share this lock, so two passes never interleave their Okta writes.
    lock = memo.get("reconcile_lock")
    if lock is None:
        lock = memo["reconcile_lock"] = asyncio.Lock()
    assert isinstance(lock, asyncio.Lock)
    return lock


def _changed_status(current: Mapping[str, Any], outcome: Outcome) -> dict[str, Any]:
    # Unchanged fields are not re-sent: a steady drift pass then writes nothing at all.
    return {key: value for key, value in outcome.status.items() if current.get(key) != value}


def _patch_status(patch: kopf.Patch, body: kopf.Body, outcome: Outcome) -> None:
    for key, value in _changed_status(body.get("status") or {}, outcome).items():
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


def _join(settings: kopf.OperatorSettings, peering: Peering, logger: kopf.Logger) -> None:
    # Mandatory: until it has seen the peering object, the operator stays paused (never acts alone).
    settings.peering.standalone = False
    settings.peering.mandatory = True
    settings.peering.name = peering.name
    settings.peering.priority = peering.priority
    settings.peering.lifetime = peering.lifetime
    scope = "ClusterKopfPeering" if settings.peering.clusterwide else "KopfPeering"
    # Kopf logs resuming, but neither a standby's pause from the start nor a missing peering object.
    logger.info(
        f"Joining {scope} {peering.name!r} with priority {peering.priority} (keep-alives valid "
        f"{peering.lifetime}s): paused until that object exists and while a live peer has a higher one"
    )


def build_registry(config: OperatorConfig, metrics: Metrics | None = None) -> kopf.OperatorRegistry:
    registry = kopf.OperatorRegistry()
    options = Options(
        allow_insecure_loopback=config.allow_insecure_loopback,
        backoff=Backoff(base=config.retry_delay),
    )
    wakes = Wakes()
    metrics = metrics or Metrics()
    pool = okta_pool(metrics, config.okta_pacing, config.okta_timeout)
    connect_okta: OktaConnector = pool.connect
    shared_reads = SharedReads(snapshot_ttl(config.drift_interval))

    @kopf.on.login(registry=registry, id="login")
    def login(**kwargs: Any) -> kopf.ConnectionInfo | None:
        # A private registry does not get Kopf's default login handlers: in-cluster or kubeconfig.
        return kopf.login_via_client(**kwargs)

    @kopf.on.cleanup(registry=registry, id="close-okta-clients")
    async def close_clients(**_: Any) -> None:
        await pool.aclose()

    @kopf.on.startup(registry=registry, id="configure")
    def configure(settings: kopf.OperatorSettings, memo: kopf.Memo, logger: kopf.Logger, **_: Any) -> None:
        settings.persistence.finalizer = FINALIZER
        settings.persistence.progress_storage = ProgressStorage(prefix=ANNOTATION_PREFIX)
        settings.persistence.diffbase_storage = DiffBaseStorage(prefix=ANNOTATION_PREFIX)
        settings.posting.level = logging.INFO
        settings.posting.reporting_component = REPORTING_COMPONENT
        # The pod's name in a cluster: tells two operator generations apart across an upgrade.
        settings.posting.reporting_instance = socket.gethostname()
        settings.posting.event_name_prefix = f"{REPORTING_COMPONENT}-"
        settings.watching.server_timeout = 300
        if config.peering is not None:
            _join(settings, config.peering, logger)
        api = load_kubernetes_config()
        memo["secrets"] = KubeSecrets(api)
        memo["namespaces"] = KubeNamespaces(api)
        memo["status"] = KubeStatus(api)
        if config.metrics_port is not None:
            metrics.serve(config.metrics_port)

    async def run(
        body: kopf.Body, status: Mapping[str, Any], memo: kopf.Memo, logger: kopf.Logger, *, fresh: bool
    ) -> Outcome:
        async with _lock(memo):
            resource = _resource(body, status)
            started = time.monotonic()
            try:
                with logcontext.about(_ref(body)):
                    outcome = await reconcile(
                        resource,
                        connect=shared_reads.connector(connect_okta, resource.uid, fresh=fresh),
                        secrets=ObservedSecrets(memo["secrets"], wakes, _names(body)),
                        events=_events(body),
                        options=options,
                        status_store=memo["status"],
                    )
            except Exception as exc:
                # Expected failures come back as outcomes; anything else still has to show on the
                # resource instead of leaving a stale Ready condition behind.
                logger.exception("Reconcile failed unexpectedly")
                outcome = unexpected_failure(resource, exc, options)
                kopf.warn(body, reason=outcome.reason.value, message=outcome.message)
            metrics.observe_reconcile(*_names(body), outcome, time.monotonic() - started)
        logger.info(
            f"Reconciled generation {resource.generation}: Ready={outcome.ready} "
            f"reason={outcome.reason.value}: {outcome.message}"
        )
        return outcome

    @kopf.daemon(
        GROUP,
        VERSION,
        PLURAL,
        registry=registry,
        id="scheduler",
        # On deletion, pausing or exit a pass in flight gets this long to finish before it is cancelled.
        cancellation_timeout=5.0,
    )
    async def scheduler(
        body: kopf.Body, memo: kopf.Memo, logger: kopf.Logger, stopped: kopf.DaemonStopped, **_: Any
    ) -> None:
        key: Key = _names(body)
        slot = wakes.slot(key)
        view = StatusView(body)
        if config.peering is not None:
            # Another replica may have acted while this one stood by (the daemons stop on a pause and
            # start again on the resume): no snapshot from before this daemon may stand for Okta.
            shared_reads.ended(str(body.get("metadata", {}).get("uid") or ""))

        async def one_pass() -> Next:
            outcome = await run(body, view.current(), memo, logger, fresh=slot.woken)
            changed = _changed_status(view.current(), outcome)
            if changed:
                # The daemon never returns, so Kopf would never apply its patch: write status here.
                view.stored(await memo["status"].patch(*key, changed))
            return Next(outcome.retry_after, firm=outcome.reason is Reason.OKTA_RATE_LIMITED)

        def drift() -> float:
            # Jitter spreads many resources' passes so they do not hit Okta's small app bucket together;
            # never later than the interval promised.
            return random.uniform(0.8, 1.0) * config.drift_interval

        now = datetime.datetime.now(datetime.UTC)
        try:
            await run_schedule(
                slot,
                one_pass,
                first_delay=first_delay(view.current(), now, config.drift_interval),
                drift=drift,
                is_stopped=lambda: bool(stopped),
                stopped=lambda: stopped.wait(),
                # A pass whose status write failed (a 409, say) may have just created the apps: the next
                # pass finds them by marker and records them, so it comes as soon as any retry would.
                crash_delay=options.backoff.base,
            )
        finally:
            wakes.forget(key)

    @kopf.on.resume(GROUP, VERSION, PLURAL, registry=registry, id="reconcile")
    @kopf.on.create(GROUP, VERSION, PLURAL, registry=registry, id="reconcile")
    @kopf.on.update(GROUP, VERSION, PLURAL, registry=registry, id="reconcile", field="spec")
    async def on_change(reason: str, body: kopf.Body, **_: Any) -> None:
        # The scheduler runs the first pass itself as it starts (create, resume); these handlers keep
        # Kopf's diff-base, which later spec changes are compared with. A spec change runs a pass at
        # once, even while a failure backs off, so a fix acts immediately.
        if reason == kopf.Reason.UPDATE:
            wakes.wake(_names(body))

    @kopf.on.update(GROUP, VERSION, PLURAL, registry=registry, id="requests", field="metadata.annotations")
    async def on_request(old: Any, new: Any, body: kopf.Body, **_: Any) -> None:
        # Other tools' annotations (Argo CD's tracking id, kubectl's) change too; only ours ask for a pass.
        if requests_changed(old, new):
            wakes.wake(_names(body))

    @kopf.index(GROUP, VERSION, PLURAL, registry=registry, id="integrations_by_secret")
    async def integrations_by_secret(
        namespace: str | None, name: str | None, spec: kopf.Spec, **_: Any
    ) -> dict[Key, Key]:
        return {
            secret: (namespace or "", name or "")
            for secret in watched_secrets(namespace or "", name or "", spec)
        }

    def names_an_integration(name: str, namespace: str | None, **kwargs: Any) -> bool:
        # A filter, not a check in the handler: Kopf neither invokes nor logs the handler for the many
        # Secrets no integration names.
        index: kopf.Index[Key, Key] = kwargs["integrations_by_secret"]
        return (namespace or "", name) in index

    @kopf.on.event("", "v1", "secrets", registry=registry, id="secret-changed", when=names_an_integration)
    async def on_secret(
        type: str,
        body: kopf.Body,
        namespace: str | None,
        name: str,
        logger: kopf.Logger,
        **kwargs: Any,
    ) -> None:
        # The credentials Secret appearing or changing, or the output Secret deleted or edited: a pass
        # within moments instead of at the next back-off or drift. Our own writes are recognised.
        index: kopf.Index[Key, Key] = kwargs["integrations_by_secret"]
        key = (namespace or "", name)
        if key not in index:  # the index changed since the filter looked
            return
        gone = type == "DELETED"
        # Kopf's event type is None for the objects of a (re-)listing.
        listed = not type
        for integration in wakes.secret_event(key, None if gone else body, index[key], listed=listed):
            logger.debug(f"Secret {name!r} {'deleted' if gone else 'changed'}: a pass for {integration[1]!r}")

    @kopf.on.delete(GROUP, VERSION, PLURAL, registry=registry, id="finalize")
    async def on_delete(
        body: kopf.Body, patch: kopf.Patch, memo: kopf.Memo, logger: kopf.Logger, **_: Any
    ) -> None:
        async with _lock(memo):
            with logcontext.about(_ref(body)):
                resource = _resource(body)
                outcome = await finalize(
                    resource,
                    connect=shared_reads.connector(connect_okta, resource.uid, fresh=True),
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
        shared_reads.forget(resource.uid)
        logger.info("Released: deletionPolicy honoured")

    return registry
