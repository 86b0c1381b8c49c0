"""The two Okta apps, in two halves: `survey_app` reads Okta and plans (no write), `apply_app` writes.

A pass surveys both apps before it applies either, so anything that must stop it (an adoption that
is refused, an app LifeTime relies on that vanished) stops it before the first Okta write.

Where an app comes from, in order:
- the id recorded in status: the app this resource manages (created or adopted earlier);
- spec.adopt: an app an admin made, checked before it is touched;
- our ownership marker: an app this resource created in a pass whose status write was lost;
- otherwise a new app.

Two apps with our marker for one role (a create Okta applied after its answer was lost, and the
create of the next pass) are settled in the survey, before any write: see plan/duplicates.py.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any

from outsystems_okta.api.spec import MissingAppPolicy
from outsystems_okta.blueprint import AppRole, DesiredApp, is_owned_by
from outsystems_okta.okta.errors import OktaNotFoundError, OktaUnavailableError
from outsystems_okta.plan.adoption import adoption_refusal, effective_desired, swap_refusal
from outsystems_okta.plan.apps import AppAction, AppPlan, client_id_of, plan_app, select_owned
from outsystems_okta.plan.conditions import Reason
from outsystems_okta.plan.duplicates import Settlement, handed_ids, may_have_late_twin, settle
from outsystems_okta.plan.lockout import missing_app_message, recreating_message
from outsystems_okta.plan.outputs import decode_data
from outsystems_okta.reconcile import output_secret
from outsystems_okta.reconcile.context import PassContext


@dataclass(frozen=True)
class Refusal:
    reason: Reason
    message: str


@dataclass(frozen=True)
class AppSurvey:
    """What one pass found out about one app, and what it means to do (nothing written yet)."""

    want: DesiredApp  # the desired app as it applies to the observed one (see effective_desired)
    observed: dict[str, Any] | None
    plan: AppPlan
    # The app is an admin's, adopted through spec.adopt (now or in an earlier pass).
    adopted: bool = False
    # This pass takes the app over from the admin (it does not carry our marker yet).
    adopting: bool = False
    # The id recorded in status of an app that is gone, which this app replaces.
    replaces: str | None = None
    # The app's client secrets, read while adopting the Consoles app (reused for the Secret).
    client_secrets: list[dict[str, Any]] | None = None
    refusal: Refusal | None = None
    # Ids of further apps with our marker for this role, never handed to LifeTime: deleted first.
    duplicates: tuple[str, ...] = ()

    @property
    def app_id(self) -> str | None:
        return str(self.observed["id"]) if self.observed is not None else None


@dataclass(frozen=True)
class EnsuredApp:
    app: dict[str, Any]
    survey: AppSurvey
    # The Consoles client secret from a create response (Okta shows it there and in the secrets API).
    created_secret: str | None = None

    @property
    def created(self) -> bool:
        return self.survey.plan.action is AppAction.CREATE


async def org_apps(ctx: PassContext) -> list[dict[str, Any]]:
    """Every app of the org, read once per pass: one paginated scan (shared with the other
    integrations of the org when the client is `okta.shared_reads.SharedOkta`), instead of a search
    per role and a read per recorded app. The survey reads it before any write of the pass."""
    if ctx.org_apps is None:
        ctx.org_apps = await ctx.okta.list_apps()
    return ctx.org_apps


async def settle_marked(
    ctx: PassContext, want: DesiredApp, tracked_id: str | None, *, search: bool = False
) -> Settlement:
    """The apps with our marker for one role: the one to use, those to delete, those to leave.

    `search`: ask Okta now, by label, instead of the pass's scan (after a create whose answer was lost,
    the scan may predate the create)."""
    listed = await ctx.okta.list_apps(q=want.label) if search else await org_apps(ctx)
    selection = select_owned(listed, ctx.owner, want.role)
    if not selection.duplicates:
        return Settlement(keep=selection.chosen)
    # Only now is the Secret worth reading: what LifeTime was handed must never be deleted.
    existing = await output_secret.read_current(ctx, ctx.spec.output_secret_name(ctx.resource.name))
    handed = handed_ids(ctx.resource.status, decode_data(existing), [role.value for role in AppRole])
    settlement = settle(listed, ctx.owner, want.role, tracked_id=tracked_id, handed=handed)
    if settlement.leave:
        ctx.events(
            "Warning",
            "DuplicateOktaApps",
            f"More Okta apps carry this resource's {want.role} marker than expected: "
            f"{', '.join(settlement.leave)}; using {settlement.keep and settlement.keep['id']} "
            "and leaving those untouched: LifeTime was handed them (status or the Secret names them)",
        )
    return settlement


async def find_marked(ctx: PassContext, want: DesiredApp, *, search: bool = False) -> dict[str, Any] | None:
    return (await settle_marked(ctx, want, None, search=search)).keep


async def get_known(ctx: PassContext, app_id: str) -> dict[str, Any] | None:
    """The app with this id, or None once Okta says twice that it is gone.

    From the org's apps when they hold it; an app missing from them is asked for by id, twice (a
    listing can lag behind a create), before it counts as gone."""
    for app in await org_apps(ctx):
        if str(app.get("id")) == app_id and app.get("status") != "DELETED":
            return copy.deepcopy(app)
    for attempt in range(2):
        try:
            app = await ctx.okta.get_app(app_id)
        except OktaNotFoundError:
            if attempt == 0:
                await ctx.options.sleep(ctx.options.recheck_delay)
            continue
        return None if app.get("status") == "DELETED" else app
    return None


def _refused(want: DesiredApp, reason: Reason, message: str) -> AppSurvey:
    return AppSurvey(want=want, observed=None, plan=AppPlan(AppAction.NONE), refusal=Refusal(reason, message))


def _managed(want: DesiredApp, observed: dict[str, Any], *, adopted: bool, **more: Any) -> AppSurvey:
    effective = effective_desired(want, observed, adopted=adopted)
    return AppSurvey(
        want=effective, observed=observed, plan=plan_app(effective, observed), adopted=adopted, **more
    )


async def survey_app(ctx: PassContext, want: DesiredApp) -> AppSurvey:
    """Read what Okta has for one app and plan it; never writes."""
    role = want.role
    previous = ctx.previous(role)
    recorded = str(previous["appId"]) if previous.get("appId") else None
    adopt_id = ctx.spec.adopt_id(role)
    if recorded is None:
        if adopt_id is not None:
            return await _survey_adoption(ctx, want, adopt_id, replaces=None)
        found = await settle_marked(ctx, want, None)
        if found.keep is not None:
            return _managed(want, found.keep, adopted=False, duplicates=found.remove)
        return AppSurvey(want=want, observed=None, plan=plan_app(want, None))

    observed = await get_known(ctx, recorded)
    if observed is not None:
        if adopt_id is not None and adopt_id != recorded:
            return _refused(
                want, Reason.ADOPTION_REFUSED, swap_refusal(want, adopt_id, recorded, observed.get("label"))
            )
        adopted = bool(previous.get("adopted")) or adopt_id == recorded
        duplicates: tuple[str, ...] = ()
        if may_have_late_twin(observed, ctx.options.now(), adopted=adopted):
            twins = await settle_marked(ctx, want, recorded)
            if twins.keep is not None and str(twins.keep["id"]) == recorded:
                duplicates = twins.remove
        return _managed(want, observed, adopted=adopted, duplicates=duplicates)

    # The app LifeTime relies on is gone from Okta.
    if adopt_id is not None and adopt_id != recorded:
        # Naming another app is the explicit way out of OktaAppDeleted.
        return await _survey_adoption(ctx, want, adopt_id, replaces=recorded)
    secret_name = ctx.spec.output_secret_name(ctx.resource.name)
    if adopt_id == recorded or ctx.spec.missing_app_policy is MissingAppPolicy.STOP:
        message = missing_app_message(
            want,
            recorded,
            adopted=bool(previous.get("adopted")) or adopt_id == recorded,
            named_by_spec=adopt_id == recorded,
            secret_name=secret_name,
        )
        return _refused(want, Reason.OKTA_APP_DELETED, message)
    # Recreate. A new app this resource created in a pass whose status write was lost is ours already.
    found = await settle_marked(ctx, want, None)
    if found.keep is not None:
        return _managed(want, found.keep, adopted=False, replaces=recorded, duplicates=found.remove)
    return AppSurvey(want=want, observed=None, plan=plan_app(want, None), replaces=recorded)


async def _survey_adoption(
    ctx: PassContext, want: DesiredApp, adopt_id: str, replaces: str | None
) -> AppSurvey:
    observed = await get_known(ctx, adopt_id)
    refusal = adoption_refusal(want, adopt_id, observed, ctx.owner)
    if refusal is not None:
        return _refused(want, Reason.ADOPTION_REFUSED, refusal)
    assert observed is not None
    client_secrets: list[dict[str, Any]] | None = None
    if want.role == AppRole.CONSOLES:
        # LifeTime needs the app's client secret, and adopting never creates one: read it now, before
        # anything is written, and refuse an app that has none.
        client_secrets = await ctx.okta.list_client_secrets(adopt_id)
        if not any(s.get("status") == "ACTIVE" and s.get("client_secret") for s in client_secrets):
            message = (
                f"spec.adopt.{want.role}AppId names {adopt_id} ({observed.get('label')!r}), which has no "
                "active client secret; LifeTime needs one and adopting never creates one: generate one "
                "in the app's Client Credentials in Okta"
            )
            return _refused(want, Reason.ADOPTION_REFUSED, message)
    adopting = not is_owned_by(observed, ctx.owner, want.role)
    return _managed(
        want, observed, adopted=True, adopting=adopting, replaces=replaces, client_secrets=client_secrets
    )


async def apply_app(ctx: PassContext, survey: AppSurvey) -> EnsuredApp:
    """Carry out a survey's plan (create, replace, activate) and record the app in status."""
    assert survey.refusal is None
    want, plan, observed = survey.want, survey.plan, survey.observed
    for duplicate in survey.duplicates:
        await _delete_duplicate(ctx, want, duplicate, survey.app_id)
    created_secret: str | None = None
    if plan.action is AppAction.CREATE:
        assert plan.body is not None
        if survey.replaces:
            ctx.events("Warning", "OktaAppMissing", recreating_message(want, survey.replaces))
        app, created_secret = await _create(ctx, want, plan.body)
    elif plan.action is AppAction.UPDATE:
        assert plan.body is not None and observed is not None
        app = await ctx.okta.replace_app(str(observed["id"]), plan.body)
        if survey.adopting:
            ctx.events(
                "Normal",
                "OktaAppAdopted",
                f"Adopted Okta app {want.label!r} ({observed['id']}): changed {', '.join(plan.changed)}",
            )
        else:
            ctx.restored.extend((want.role, name) for name in plan.changed)
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
        ctx.restored.append((want.role, "status"))
        ctx.events(
            "Warning",
            "OktaAppReactivated",
            f"Okta app {want.label!r} ({app['id']}) was inactive (deactivated in Okta); reactivated it, "
            "its client ID is unchanged",
        )

    previous = ctx.previous(want.role)
    same_app = previous.get("appId") == app["id"]
    entry: dict[str, Any] = {
        "appId": str(app["id"]),
        "clientId": client_id_of(app),
        # Assignments recorded for another app (one that is gone) are not this app's.
        "assignedGroupIds": list(previous.get("assignedGroupIds") or []) if same_app else [],
    }
    if survey.adopted:
        entry["adopted"] = True
    ctx.status[want.role] = entry
    return EnsuredApp(app=app, survey=survey, created_secret=created_secret)


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
        found = await find_marked(ctx, want, search=True)
        if found is None:
            raise
        app = found
    else:
        oauth = (app.get("credentials") or {}).get("oauthClient") or {}
        if want.role == "consoles" and oauth.get("client_secret"):
            secret = str(oauth["client_secret"])
    ctx.events("Normal", "OktaAppCreated", f"Created Okta app {want.label!r} ({app['id']})")
    return app, secret


async def _delete_duplicate(ctx: PassContext, want: DesiredApp, app_id: str, kept: str | None) -> None:
    """Delete a second app with our marker that LifeTime was never handed (plan/duplicates.py)."""
    await ctx.okta.deactivate_app(app_id)
    await ctx.okta.delete_app(app_id)
    ctx.events(
        "Normal",
        "DuplicateOktaAppDeleted",
        f"Deleted Okta app {app_id}: a second {want.role} app with this resource's marker (a create "
        f"Okta applied after its answer was lost) that LifeTime was never handed; keeping {kept}",
    )
