"""The Consoles app's client secret for LifeTime: from the create answer, else the secrets API."""

from __future__ import annotations

from collections.abc import Mapping

from outsystems_okta.plan.conditions import Reason
from outsystems_okta.reconcile.context import PassContext
from outsystems_okta.reconcile.outcome import EXTERNAL_FIX_DELAY, Failure


async def web_client_secret(
    ctx: PassContext,
    app_id: str,
    client_id: str,
    existing: Mapping[str, str],
    created_secret: str | None,
) -> str:
    if created_secret:
        return created_secret
    active = [
        s
        for s in await ctx.okta.list_client_secrets(app_id)
        if s.get("status") == "ACTIVE" and s.get("client_secret")
    ]
    values = {str(s["client_secret"]) for s in active}
    kept = existing.get("webClientSecret")
    if kept in values and existing.get("webClientId") == client_id:
        return str(kept)
    if not active:
        raise Failure(
            Reason.OKTA_REJECTED,
            f"Okta app {app_id} has no active client secret; create one in Okta (Client Credentials)",
            EXTERNAL_FIX_DELAY,
        )
    newest = max(active, key=lambda s: (str(s.get("created", "")), str(s.get("id", ""))))
    return str(newest["client_secret"])
