"""The two Okta apps: find each (by the id in status, else by our marker), then create, replace or
activate it as the pure plan says."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from outsystems_okta.blueprint import DesiredApp
from outsystems_okta.okta.errors import OktaNotFoundError, OktaUnavailableError
from outsystems_okta.plan.apps import AppAction, plan_app, select_owned
from outsystems_okta.reconcile.context import PassContext


def client_id_of(app: Mapping[str, Any]) -> str:
    oauth = (app.get("credentials") or {}).get("oauthClient") or {}
    return str(oauth.get("client_id") or app["id"])


@dataclass(frozen=True)
class EnsuredApp:
    app: dict[str, Any]
    # The Consoles client secret from a create response (Okta shows it there and in the secrets API).
    created_secret: str | None = None


async def find_marked(ctx: PassContext, want: DesiredApp) -> dict[str, Any] | None:
    listed = await ctx.okta.list_apps(q=want.label)
    selection = select_owned(listed, ctx.owner, want.role)
    if selection.duplicates:
        ctx.events(
            "Warning",
            "DuplicateOktaApps",
            f"More Okta apps carry this resource's {want.role} marker than expected: "
            f"{', '.join(selection.duplicates)}; using {selection.chosen and selection.chosen['id']} "
            "and leaving the others untouched",
        )
    return selection.chosen


async def get_known(ctx: PassContext, app_id: str) -> dict[str, Any] | None:
    """The app with an id from status, or None once Okta says twice that it is gone."""
    for attempt in range(2):
        try:
            app = await ctx.okta.get_app(app_id)
        except OktaNotFoundError:
            if attempt == 0:
                await ctx.options.sleep(ctx.options.recheck_delay)
            continue
        return None if app.get("status") == "DELETED" else app
    return None


async def ensure_app(ctx: PassContext, want: DesiredApp) -> EnsuredApp:
    app_id = ctx.previous(want.role).get("appId")
    observed = await get_known(ctx, str(app_id)) if app_id else None
    if observed is None:
        observed = await find_marked(ctx, want)

    created_secret: str | None = None
    plan = plan_app(want, observed)
    if plan.action is AppAction.CREATE:
        assert plan.body is not None
        if app_id:
            ctx.events(
                "Warning", "OktaAppMissing", f"Okta app {app_id} ({want.label!r}) is gone; recreating it"
            )
        app, created_secret = await _create(ctx, want, plan.body)
    elif plan.action is AppAction.UPDATE:
        assert plan.body is not None and observed is not None
        app = await ctx.okta.replace_app(str(observed["id"]), plan.body)
        ctx.events(
            "Normal",
            "OktaAppUpdated",
            f"Updated Okta app {want.label!r} ({observed['id']}): {', '.join(plan.changed)}",
        )
    else:
        assert observed is not None
        app = observed
    if plan.activate:
        await ctx.okta.activate_app(str(app["id"]))
        ctx.events("Normal", "OktaAppActivated", f"Activated Okta app {want.label!r} ({app['id']})")

    ctx.status[want.role] = {
        "appId": str(app["id"]),
        "clientId": client_id_of(app),
        "assignedGroupIds": list(ctx.previous(want.role).get("assignedGroupIds") or []),
    }
    return EnsuredApp(app=app, created_secret=created_secret)


async def _create(
    ctx: PassContext, want: DesiredApp, body: dict[str, Any]
) -> tuple[dict[str, Any], str | None]:
    secret: str | None = None
    try:
        app = await ctx.okta.create_app(body, activate=True)
    except OktaUnavailableError as exc:
        if not exc.maybe_applied:
            raise
        # The create may have happened with its answer lost: look before creating again.
        found = await find_marked(ctx, want)
        if found is None:
            raise
        app = found
    else:
        oauth = (app.get("credentials") or {}).get("oauthClient") or {}
        if want.role == "consoles" and oauth.get("client_secret"):
            secret = str(oauth["client_secret"])
    ctx.events("Normal", "OktaAppCreated", f"Created Okta app {want.label!r} ({app['id']})")
    return app, secret
