"""Deletion with `deletionPolicy: Orphan`: leave the Okta apps as they are, minus our ownership marker.

Without the marker an app is an ordinary admin-made app again, which another resource may adopt. The
release never blocks the deletion: when Okta cannot be reached (no credentials, an invalid spec, Okta
failing) the apps stay as they are, marker included, and a Warning says how to remove it by hand.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from outsystems_okta.api.spec import SpecError, parse_spec
from outsystems_okta.blueprint import marker_of
from outsystems_okta.okta.errors import OktaError, OktaNotFoundError
from outsystems_okta.plan.apps import released_body
from outsystems_okta.reconcile.credentials import CredentialsError, is_insecure, read_credentials
from outsystems_okta.reconcile.options import Options
from outsystems_okta.reconcile.ports import EventSink, OktaApi, OktaConnector, Resource, SecretStore

ROLES = ("consoles", "developmentTools")


def recorded_ids(resource: Resource) -> list[str]:
    """Ids of the apps recorded in status."""
    return [
        str(ref["appId"])
        for role in ROLES
        if isinstance(ref := resource.status.get(role), Mapping) and ref.get("appId")
    ]


def adopted_ids(spec: Mapping[str, Any]) -> list[str]:
    """Ids the raw spec adopts (read without validation: a deletion must not depend on it)."""
    adopt = spec.get("adopt")
    if not isinstance(adopt, Mapping):
        return []
    return [str(adopt[key]) for key in ("consolesAppId", "developmentToolsAppId") if adopt.get(key)]


def is_ours(app: Mapping[str, Any], uid: str) -> bool:
    marker = marker_of(app)
    return marker is not None and marker.get("uid") == uid


async def _release_all(
    okta: OktaApi, resource: Resource, recorded: list[str], adopted: list[str], events: EventSink
) -> list[str]:
    """Remove our marker from each app that carries it; return the ids of the apps that were ours.

    An app only spec.adopt names (its adoption was refused, or its status never landed) counts only if
    it carries our marker: an admin's app this resource never took over is not named as left behind.
    """
    ours: list[str] = []
    for app_id in dict.fromkeys([*recorded, *adopted]):
        try:
            app = await okta.get_app(app_id)
        except OktaNotFoundError:
            continue
        marked = is_ours(app, resource.uid)
        if app_id in recorded or marked:
            ours.append(app_id)
        if not marked:
            continue
        await okta.replace_app(app_id, released_body(app))
        events(
            "Normal",
            "OktaAppReleased",
            f"Removed this resource's ownership marker from Okta app {app.get('label')!r} ({app_id}); "
            "nothing else changed",
        )
    return ours


async def release(
    resource: Resource,
    *,
    connect: OktaConnector,
    secrets: SecretStore,
    events: EventSink,
    options: Options,
) -> None:
    recorded, adopted = recorded_ids(resource), adopted_ids(resource.spec)
    if not recorded and not adopted:
        return

    def left(why: str) -> None:
        ids = recorded or adopted
        events(
            "Warning",
            "OktaMarkerLeft",
            f"Left Okta apps {', '.join(ids)} in place (deletionPolicy Orphan) without removing this "
            f"resource's ownership marker ({why}); remove profile.outsystemsOktaOperator from them before "
            "another resource adopts them",
        )

    try:
        spec = parse_spec(resource.spec)
    except SpecError:
        return left("the spec is invalid")
    if is_insecure(spec) and not options.allow_insecure_loopback:
        return left("orgUrl is plain http")
    ref = spec.okta.credentials_secret_ref
    try:
        token = await read_credentials(secrets, resource.namespace, spec, resource.status)
    except CredentialsError:
        token = None
    if token is None:
        return left(f"no usable Okta credentials in Secret {ref.name!r}")
    async with connect(spec.okta.base_url, token) as okta:
        try:
            present = await _release_all(okta, resource, recorded, adopted, events)
        except OktaError as exc:
            return left(str(exc))
    if present:
        events(
            "Normal",
            "OktaAppsOrphaned",
            f"Left Okta apps {', '.join(present)} in place (deletionPolicy Orphan)",
        )
