"""Deletion: honour `deletionPolicy` before the finalizer is released (Orphan: see `release`)."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from outsystems_okta.api.spec import AccessPolicyMode, DeletionPolicy, IntegrationSpec, SpecError, parse_spec
from outsystems_okta.blueprint import Owner, desired_apps
from outsystems_okta.okta.errors import OktaError, OktaForbiddenError, OktaNotFoundError
from outsystems_okta.plan.apps import select_owned
from outsystems_okta.plan.conditions import Reason, find
from outsystems_okta.reconcile import managed_policy
from outsystems_okta.reconcile.credentials import CredentialsError, is_insecure, read_credentials
from outsystems_okta.reconcile.options import Options
from outsystems_okta.reconcile.outcome import (
    EXTERNAL_FIX_DELAY,
    Outcome,
    classify,
    is_new_problem,
    make_outcome,
)
from outsystems_okta.reconcile.ports import (
    EventSink,
    NamespaceReader,
    OktaApi,
    OktaConnector,
    Resource,
    SecretStore,
)
from outsystems_okta.reconcile.release import adopted_ids, is_ours, recorded_ids, release

logger = logging.getLogger(__name__)


def _policy(spec: Mapping[str, Any]) -> str:
    return str(spec.get("deletionPolicy") or DeletionPolicy.ORPHAN.value)


class _Blocked:
    """Why the resource cannot go yet: a Warning for each new problem and a Ready=False condition."""

    def __init__(self, resource: Resource, events: EventSink, options: Options) -> None:
        self.resource = resource
        self.events = events
        self.options = options
        self.previous = find(resource.status.get("conditions"))

    def __call__(self, message: str, reason: Reason, retry_after: float | None) -> Outcome:
        if is_new_problem(self.previous, reason, message):
            self.events("Warning", reason.value, message)
        return make_outcome(
            self.resource,
            self.options,
            ready=False,
            reason=reason,
            message=message,
            retry_after=retry_after or EXTERNAL_FIX_DELAY,
        )


async def _app_ids(okta: OktaApi, resource: Resource, owner: Owner, labels: Mapping[str, str]) -> list[str]:
    """Ids of every app that is ours: from status, and by our marker.

    Status alone is not enough: an app created (or recreated) by a pass whose status write was lost
    is known only by its marker, and on `Delete` it must not be left behind. An app spec.adopt names
    is deleted only when it carries our marker: an adoption that was refused leaves the admin's app
    untouched, even under `Delete`.
    """
    ids: list[str] = []
    for role, label in labels.items():
        ref = resource.status.get(role)
        if isinstance(ref, Mapping) and ref.get("appId"):
            ids.append(str(ref["appId"]))
        selection = select_owned(await okta.list_apps(q=label), owner, role)
        if selection.chosen is not None:
            ids.append(str(selection.chosen["id"]))
        ids.extend(selection.duplicates)
    for app_id in adopted_ids(resource.spec):
        if app_id in ids:
            continue
        try:
            app = await okta.get_app(app_id)
        except OktaNotFoundError:
            continue
        if is_ours(app, resource.uid):
            ids.append(app_id)
    return list(dict.fromkeys(ids))


async def _delete_access_policy(
    okta: OktaApi, resource: Resource, spec: IntegrationSpec, owner: Owner, events: EventSink
) -> None:
    """Our access policy goes before the apps it names. Only looked for when we may have made one:
    a token that may not read policies is no reason to keep a Check-mode resource from going."""
    known_policy, _ = managed_policy.known_ids(resource.status)
    if spec.okta.access_policy is not AccessPolicyMode.MANAGE and known_policy is None:
        return
    server_id = spec.okta.authorization_server_id
    for deleted in await managed_policy.delete_for_good(okta, server_id, owner, known_policy):
        events("Normal", "OktaAccessPolicyDeleted", f"Deleted access policy {deleted}")


async def _delete_inactive(okta: OktaApi, app_id: str, options: Options, attempts: int = 3) -> None:
    """Delete a just-deactivated app; Okta may still see it ACTIVE for a moment (403 E0000056)."""
    for attempt in range(1, attempts + 1):
        try:
            await okta.delete_app(app_id)
            return
        except OktaForbiddenError as exc:
            if exc.error_code != "E0000056" or attempt == attempts:
                raise
            await options.sleep(options.recheck_delay)


async def finalize(
    resource: Resource,
    *,
    connect: OktaConnector,
    secrets: SecretStore,
    events: EventSink,
    options: Options,
    namespaces: NamespaceReader | None = None,
) -> Outcome | None:
    """None when the resource may go; otherwise an Outcome saying why not yet (retry after a delay).

    The output Secret needs no work: its ownerReference lets Kubernetes collect it with the resource.
    """
    blocked = _Blocked(resource, events, options)
    if _policy(resource.spec) != DeletionPolicy.DELETE.value:
        await release(resource, connect=connect, secrets=secrets, events=events, options=options)
        return None

    try:
        spec = parse_spec(resource.spec)
    except SpecError as exc:
        message = (
            f"Cannot delete the Okta apps, the spec is invalid: {exc}; fix it or set deletionPolicy: Orphan"
        )
        return blocked(message, Reason.INVALID_SPEC, None)
    if is_insecure(spec) and not options.allow_insecure_loopback:
        message = "Cannot delete the Okta apps over plain http; set deletionPolicy: Orphan to release"
        return blocked(message, Reason.INSECURE_ORG_URL, None)
    ref = spec.okta.credentials_secret_ref
    try:
        token = await read_credentials(secrets, resource.namespace, spec, resource.status)
    except CredentialsError as exc:
        message = f"Cannot delete the Okta apps: {exc}"
        return blocked(message, Reason.OKTA_AUTH_FAILED, None)
    if token is None:
        if namespaces is not None and await namespaces.terminating(resource.namespace):
            # The namespace is being deleted and took the credentials with it: nothing can bring them
            # back, and waiting would keep the namespace Terminating forever.
            message = (
                f"Namespace {resource.namespace!r} is being deleted and Secret {ref.name!r} is gone: "
                f"left the Okta apps {', '.join(recorded_ids(resource)) or '(none recorded)'} in Okta; "
                "delete them there"
            )
            logger.warning(message)
            events("Warning", "OktaAppsLeft", message)
            return None
        message = (
            f"Cannot delete the Okta apps: Secret {ref.name!r} (key {ref.key!r}) not found; "
            "restore it or set deletionPolicy: Orphan"
        )
        return blocked(message, Reason.CREDENTIALS_NOT_FOUND, None)

    owner = Owner(resource.namespace, resource.name, resource.uid)
    desired = desired_apps(spec, owner)
    labels = {app.role.value: app.label for app in desired.both()}
    async with connect(spec.okta.base_url, token) as okta:
        try:
            await _delete_access_policy(okta, resource, spec, owner, events)
            for app_id in await _app_ids(okta, resource, owner, labels):
                try:
                    await okta.deactivate_app(app_id)
                except OktaNotFoundError:
                    continue
                await _delete_inactive(okta, app_id, options)
                events("Normal", "OktaAppDeleted", f"Deactivated and deleted Okta app {app_id}")
        except OktaError as exc:
            reason, delay = classify(exc)
            message = f"Deleting the Okta apps failed: {exc}"
            return blocked(message, reason, delay)
    return None
