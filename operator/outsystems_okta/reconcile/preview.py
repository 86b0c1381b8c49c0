"""`outsystems-okta plan --live`: the reads of a reconcile pass and its plan, without a single write.

It runs the pass's own survey (`apps.survey_app`, `access.GroupAccess`) against a live org and turns
what a reconcile would do into `plan.preview` records. Nothing here writes: the caller hands in a
read-only Okta client, which refuses any request but GET at its transport, so even a planner that
tried to write could not. Kubernetes is not read (the Secret's content is not part of the plan).
"""

from __future__ import annotations

from typing import Any

from outsystems_okta.api.spec import parse_spec
from outsystems_okta.blueprint import desired_apps
from outsystems_okta.okta.errors import OktaError, OktaNotFoundError
from outsystems_okta.plan.access import describe_group, groups_not_found
from outsystems_okta.plan.apps import AppAction, FieldChange, client_id_of
from outsystems_okta.plan.client_secret import choose_client_secret
from outsystems_okta.plan.conditions import Reason
from outsystems_okta.plan.preview import Action, AppPreview, Preview
from outsystems_okta.plan.sign_in_policy import assigned_policy_id, needs_assignment
from outsystems_okta.reconcile.access import GroupAccess
from outsystems_okta.reconcile.apps import AppSurvey, survey_app
from outsystems_okta.reconcile.context import PassContext
from outsystems_okta.reconcile.options import Options
from outsystems_okta.reconcile.org_errors import describe
from outsystems_okta.reconcile.outcome import classify
from outsystems_okta.reconcile.ports import OktaApi, Resource


class NoKubernetes:
    """The SecretStore of a preview: the plan reads Okta only."""

    async def read(self, namespace: str, name: str) -> dict[str, Any] | None:
        # It sees none: only two apps with one role's marker make the survey look for the LifeTime
        # Secret (plan/duplicates.py), and a preview deletes neither of them.
        return None

    async def write(self, body: dict[str, Any]) -> None:
        raise RuntimeError("a preview writes nothing")

    async def delete(self, namespace: str, name: str) -> None:
        raise RuntimeError("a preview deletes nothing")


class Notes:
    """The EventSink of a preview: what a reconcile would post as a Warning becomes a note."""

    def __init__(self) -> None:
        self.items: list[str] = []

    def __call__(self, type_: str, reason: str, message: str) -> None:
        if type_ == "Warning":
            self.items.append(f"{reason}: {message}")


def _action(survey: AppSurvey) -> Action:
    if survey.refusal is not None:
        return Action.REFUSED
    if survey.adopting:
        return Action.ADOPT
    return {AppAction.CREATE: Action.CREATE, AppAction.UPDATE: Action.UPDATE}.get(
        survey.plan.action, Action.NONE
    )


def _client_secret_note(survey: AppSurvey) -> str | None:
    if survey.client_secrets is None:
        return None
    choice = choose_client_secret(survey.client_secrets, kept=None)
    if choice is None:
        return None
    of = f" (the newest of {choice.active} ACTIVE)" if choice.active > 1 else ""
    return f"the app's existing secret {choice.secret_id}{of} goes to the Secret; none is created"


def _sign_in_policy(ctx: PassContext, survey: AppSurvey) -> FieldChange | None:
    """The sign-in policy change of an existing app, read from its own JSON (no call)."""
    wanted = ctx.spec.okta.sign_in_policy_id
    if survey.observed is None or not needs_assignment(wanted, survey.observed):
        return None
    return FieldChange("signInPolicy", assigned_policy_id(survey.observed), wanted)


async def preview(resource: Resource, okta: OktaApi, org_url: str, options: Options) -> Preview:
    """What a reconcile of `resource` (spec and status as given) would do in the org behind `okta`.

    The spec must be valid (`parse_spec` raises SpecError otherwise); Okta failures become problems.
    """
    spec = parse_spec(resource.spec)
    notes = Notes()
    ctx = PassContext(resource, spec, okta, NoKubernetes(), notes, options)
    base = Preview(namespace=resource.namespace, name=resource.name, org_url=org_url)
    try:
        return await survey_plan(ctx, base, notes)
    except OktaError as exc:
        reason, _ = classify(exc)
        return Preview(
            namespace=base.namespace,
            name=base.name,
            org_url=org_url,
            problems=(f"{reason.value}: {describe(exc)}",),
        )


async def survey_plan(ctx: PassContext, base: Preview, notes: Notes) -> Preview:
    """The plan of one pass, from reads only; Okta failures other than a missing server propagate."""
    server_id = ctx.spec.okta.authorization_server_id
    try:
        await ctx.okta.get_authorization_server(server_id)
    except OktaNotFoundError:
        problem = f"{Reason.OKTA_AUTH_SERVER_NOT_FOUND.value}: Okta has no authorization server {server_id!r}"
        return Preview(namespace=base.namespace, name=base.name, org_url=base.org_url, problems=(problem,))
    surveys = [await survey_app(ctx, want) for want in desired_apps(ctx.spec, ctx.owner).both()]
    access = GroupAccess(ctx)
    group_ids, missing = await access.resolve()
    apps: list[AppPreview] = []
    for survey in surveys:
        want = survey.want
        if survey.refusal is not None:
            apps.append(
                AppPreview(
                    role=want.role,
                    label=want.label,
                    app_id=None,
                    action=Action.REFUSED,
                    reason=survey.refusal.reason.value,
                    refusal=survey.refusal.message,
                )
            )
            continue
        previous = ctx.previous(want.role)
        same_app = survey.app_id is not None and previous.get("appId") == survey.app_id
        recorded = list(previous.get("assignedGroupIds") or []) if same_app else []
        plan = await access.survey(survey.app_id, recorded, group_ids, complete=not missing)
        apps.append(
            AppPreview(
                role=want.role,
                label=want.label,
                app_id=survey.app_id,
                action=_action(survey),
                changes=survey.plan.changes,
                activate=survey.plan.activate,
                replaces=survey.replaces,
                assign=tuple(describe_group(gid, access.group_names) for gid in plan.assign),
                unassign=tuple(describe_group(gid, access.group_names) for gid in plan.unassign),
                kept=tuple(describe_group(gid, access.group_names) for gid in plan.kept),
                client_secret=_client_secret_note(survey),
                sign_in_policy=_sign_in_policy(ctx, survey),
                client_id=client_id_of(survey.observed) if survey.observed is not None else None,
            )
        )
    found = list(notes.items)
    if missing:
        found.append(
            f"{Reason.OKTA_GROUP_NOT_FOUND.value}: {groups_not_found(missing, [], access.group_names)}"
        )
    return Preview(
        namespace=base.namespace,
        name=base.name,
        org_url=base.org_url,
        apps=tuple(apps),
        notes=tuple(found),
        group_ids=tuple(group_ids),
        groups_complete=not missing,
    )
