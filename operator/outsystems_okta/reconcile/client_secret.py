"""The Consoles app's client secret for LifeTime: from the create answer, else the secrets API."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from outsystems_okta.plan.client_secret import choose_client_secret
from outsystems_okta.plan.conditions import Reason
from outsystems_okta.reconcile.context import PassContext
from outsystems_okta.reconcile.outcome import EXTERNAL_FIX_DELAY, Failure


async def web_client_secret(
    ctx: PassContext,
    app_id: str,
    client_id: str,
    existing: Mapping[str, str],
    *,
    created_secret: str | None = None,
    listed: list[dict[str, Any]] | None = None,
) -> str:
    """The secret for LifeTime. `listed` is the app's secrets when this pass has read them already."""
    if created_secret:
        return created_secret
    if listed is None:
        listed = await ctx.okta.list_client_secrets(app_id)
    kept = existing.get("webClientSecret") if existing.get("webClientId") == client_id else None
    choice = choose_client_secret(listed, kept=kept)
    if choice is None:
        raise Failure(
            Reason.OKTA_REJECTED,
            f"Okta app {app_id} has no active client secret; create one in Okta (Client Credentials)",
            EXTERNAL_FIX_DELAY,
        )
    return choice.value
