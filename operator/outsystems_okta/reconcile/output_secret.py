"""The LifeTime Secret in Kubernetes: refuse a name someone else owns, write it when it differs, and
remove ours under a previous name."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from outsystems_okta.plan.conditions import Reason
from outsystems_okta.plan.outputs import LifeTimeValues, secret_body, secret_is_current
from outsystems_okta.reconcile.context import PassContext
from outsystems_okta.reconcile.outcome import EXTERNAL_FIX_DELAY, Failure


def owned_secret(secret: Mapping[str, Any], uid: str) -> bool:
    owners = (secret.get("metadata") or {}).get("ownerReferences") or []
    return any(o.get("uid") == uid for o in owners)


def conflict_message(name: str) -> str:
    return (
        f"Secret {name!r} exists and is not owned by this resource; choose another spec.secretName "
        "or delete that Secret"
    )


async def read_current(ctx: PassContext, name: str) -> dict[str, Any] | None:
    """The Secret under `name` if it is ours or absent; a Secret someone else owns is a conflict."""
    existing = await ctx.secrets.read(ctx.resource.namespace, name)
    if existing is not None and not owned_secret(existing, ctx.resource.uid):
        raise Failure(Reason.SECRET_CONFLICT, conflict_message(name), EXTERNAL_FIX_DELAY)
    return existing


async def write(
    ctx: PassContext, name: str, existing: Mapping[str, Any] | None, values: LifeTimeValues
) -> None:
    body = secret_body(
        name=name,
        namespace=ctx.resource.namespace,
        owner_name=ctx.resource.name,
        owner_uid=ctx.resource.uid,
        values=values,
    )
    if not secret_is_current(existing, body):
        await ctx.secrets.write(body)
        ctx.events("Normal", "SecretWritten", f"Wrote LifeTime provider values to Secret {name!r}")
    ctx.status["secretName"] = name


async def delete_previous(ctx: PassContext, name: str) -> None:
    """After a change of spec.secretName, delete our Secret under the old name."""
    previous_name = ctx.resource.status.get("secretName")
    if previous_name and previous_name != name:
        namespace = ctx.resource.namespace
        old = await ctx.secrets.read(namespace, str(previous_name))
        if old is not None and owned_secret(old, ctx.resource.uid):
            await ctx.secrets.delete(namespace, str(previous_name))
            ctx.events("Normal", "SecretDeleted", f"Deleted Secret {previous_name!r} (secretName changed)")
