"""Apply the client secret rotation (`plan.rotation`): the Okta writes it asks for, one at a time.

This is the only place that creates, deactivates or deletes a client secret, and it runs inside the
pass's write path (after the apps converged, just before the Secret is written): a pass that may not
write never gets here with a write to make.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from outsystems_okta.api.constants import ANNOTATION_CONFIRM_ROTATION, ANNOTATION_ROTATE_CLIENT_SECRET
from outsystems_okta.plan.rotation import (
    IN_FLIGHT,
    Inputs,
    OktaWrite,
    Step,
    announce,
    decide,
    okta_secrets,
    parse_record,
    parse_time,
)
from outsystems_okta.reconcile.context import PassContext

STATUS_KEY = "clientSecretRotation"
# A pending rotation makes at most: create; or deactivate then delete. A bound keeps a bug from looping.
_MAX_WRITES = 3
# Without a status store (the routine's callers may pass none), the intent goes on record with the
# pass's own status and the next pass, this soon after, makes the Okta create.
FOLLOW_UP_DELAY = 1.0


@dataclass(frozen=True)
class Rotation:
    """What the Secret gets: None leaves webClientSecret to the usual choice (`plan.client_secret`)."""

    web_secret: str | None = field(default=None, repr=False)
    previous_secret: str | None = field(default=None, repr=False)
    # The app's secrets as they are after this step (None: not read this pass).
    # Okta's listings carry the values (client_secret): never in a repr.
    listed: list[dict[str, Any]] | None = field(default=None, repr=False)


def _now(ctx: PassContext) -> datetime.datetime:
    return parse_time(ctx.options.now()) or datetime.datetime.now(datetime.UTC)


def _wanted(ctx: PassContext) -> bool:
    """Whether this pass has anything to look at: a record in flight, a request, or a schedule."""
    record = parse_record(ctx.resource.status.get(STATUS_KEY))
    return bool(
        (record is not None and record.phase in IN_FLIGHT)
        or ctx.resource.annotations.get(ANNOTATION_ROTATE_CLIENT_SECRET) is not None
        or ctx.spec.client_secret_rotation.after_days is not None
    )


async def _apply(ctx: PassContext, app_id: str, write: OktaWrite, listed: list[dict[str, Any]]) -> None:
    if write.kind == "create":
        listed.append(await ctx.okta.create_client_secret(app_id))
    elif write.kind == "deactivate" and write.secret_id is not None:
        await ctx.okta.deactivate_client_secret(app_id, write.secret_id)
        for secret in listed:
            if secret.get("id") == write.secret_id:
                secret["status"] = "INACTIVE"
    elif write.kind == "delete" and write.secret_id is not None:
        await ctx.okta.delete_client_secret(app_id, write.secret_id)
        listed[:] = [s for s in listed if s.get("id") != write.secret_id]


def _record(ctx: PassContext, step: Step) -> None:
    if step.record is None:
        return
    fields: dict[str, Any] = step.record.model_dump(by_alias=True, exclude_none=True, mode="json")
    old = ctx.resource.status.get(STATUS_KEY)
    # Status is merge-patched: a field the record no longer has must be sent as null to go away.
    for key in old if isinstance(old, Mapping) else ():
        fields.setdefault(str(key), None)
    ctx.status[STATUS_KEY] = fields


async def rotate(
    ctx: PassContext,
    app_id: str,
    client_id: str,
    existing: Mapping[str, str],
    *,
    listed: list[dict[str, Any]] | None,
    created: bool,
) -> Rotation:
    """Take every rotation step this pass can take; `existing` is the Secret's current data.

    A pass that just created the app has nothing to rotate (its only secret is brand new).
    """
    if created or not _wanted(ctx):
        return Rotation(listed=listed)
    if listed is None:
        listed = await ctx.okta.list_client_secrets(app_id)
    listed = [dict(s) for s in listed]
    before = parse_record(ctx.resource.status.get(STATUS_KEY))
    held = existing.get("webClientSecret") if existing.get("webClientId") == client_id else None

    def inputs(record: Any) -> Inputs:
        return Inputs(
            app_id=app_id,
            secret_name=ctx.spec.output_secret_name(ctx.resource.name),
            rotate=ctx.resource.annotations.get(ANNOTATION_ROTATE_CLIENT_SECRET),
            confirm=ctx.resource.annotations.get(ANNOTATION_CONFIRM_ROTATION),
            record=record,
            secrets=okta_secrets(listed),
            lifetime_secret=held,
            after_days=ctx.spec.client_secret_rotation.after_days,
            now=_now(ctx),
        )

    step: Step = decide(inputs(before))
    if step.follow_up and ctx.status_store is not None:
        # The intent goes on record before the create, so that a restart can tell our secret from
        # anyone else's; then this very pass goes on.
        _record(ctx, step)
        await ctx.status_store.record(
            ctx.resource.namespace, ctx.resource.name, {STATUS_KEY: ctx.status[STATUS_KEY]}
        )
        step = decide(inputs(step.record))
    for _ in range(_MAX_WRITES):
        if step.write is None:
            break
        # Kept even if the write fails: the next pass resumes from it.
        _record(ctx, step)
        await _apply(ctx, app_id, step.write, listed)
        step = decide(inputs(step.record))
    _record(ctx, step)
    for type_, reason, message in announce(before, step.record):
        ctx.events(type_, reason, message)
    if step.follow_up:
        ctx.follow_up = FOLLOW_UP_DELAY
    values = {str(s["id"]): str(s.get("client_secret") or "") for s in listed if s.get("id")}
    return Rotation(
        web_secret=values.get(step.web_secret_id or ""),
        previous_secret=values.get(step.previous_secret_id or ""),
        listed=listed,
    )
