"""One reconcile pass: make Okta match the spec, then write the LifeTime Secret, then report.

The steps live in modules of their own (apps, access, client_secret, output_secret); this module
checks what needs no Okta call, opens the Okta client and runs the steps in order.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from outsystems_okta.api.spec import SpecError, parse_spec
from outsystems_okta.blueprint import desired_apps
from outsystems_okta.okta.errors import OktaError, OktaNotFoundError
from outsystems_okta.plan.access import groups_not_found
from outsystems_okta.plan.apps import client_id_of
from outsystems_okta.plan.conditions import Reason, find
from outsystems_okta.plan.handover import handover_due, handover_message
from outsystems_okta.plan.lockout import lifetime_changes, lifetime_update_message
from outsystems_okta.plan.outputs import LifeTimeValues, decode_data, metadata_uri
from outsystems_okta.reconcile import access_policies, output_secret, preflight
from outsystems_okta.reconcile import rotation as client_secret_rotation
from outsystems_okta.reconcile.access import GroupAccess
from outsystems_okta.reconcile.apps import EnsuredApp, apply_app, survey_app
from outsystems_okta.reconcile.client_secret import web_client_secret
from outsystems_okta.reconcile.context import PassContext
from outsystems_okta.reconcile.credentials import (
    CredentialsError,
    is_insecure,
    missing_message,
    read_credentials,
)
from outsystems_okta.reconcile.options import Options
from outsystems_okta.reconcile.org_errors import describe
from outsystems_okta.reconcile.outcome import (
    EXTERNAL_FIX_DELAY,
    TRANSIENT_DELAY,
    Failure,
    Outcome,
    classify,
    is_new_problem,
    make_outcome,
    unexpected_message,
)
from outsystems_okta.reconcile.ports import EventSink, OktaConnector, Resource, SecretStore, StatusStore
from outsystems_okta.reconcile.sign_in_policy import SignInPolicy

logger = logging.getLogger(__name__)


async def _converge(ctx: PassContext, access: GroupAccess) -> list[str]:
    """Make Okta and the Secret match; return the names of Okta groups that could not be found.

    Everything that can stop the pass is read and checked before the first Okta write: the
    authorization server, both apps (adoption, apps gone from Okta) and the groups.
    """
    spec = ctx.spec
    desired = desired_apps(spec, ctx.owner)
    try:
        server = await ctx.okta.get_authorization_server(spec.okta.authorization_server_id)
    except OktaNotFoundError:
        raise Failure(
            Reason.OKTA_AUTH_SERVER_NOT_FOUND,
            f"Okta has no authorization server {spec.okta.authorization_server_id!r}",
            EXTERNAL_FIX_DELAY,
        ) from None
    ctx.status["metadataUri"] = metadata_uri(str(server["issuer"]))

    surveys = [await survey_app(ctx, want) for want in desired.both()]
    refusals = [survey.refusal for survey in surveys if survey.refusal is not None]
    if refusals:
        # An adoption can be fixed in Okta (poll for it); a vanished app only by a change of the spec.
        fixable = any(r.reason is Reason.ADOPTION_REFUSED for r in refusals)
        raise Failure(
            refusals[0].reason,
            "; ".join(r.message for r in refusals),
            EXTERNAL_FIX_DELAY if fixable else None,
        )
    sign_in_policy = SignInPolicy(ctx)
    await sign_in_policy.check(surveys)
    group_ids, missing = await access.resolve()

    apps: dict[str, EnsuredApp] = {}
    for survey in surveys:
        apps[survey.want.role] = await apply_app(ctx, survey)
    for ensured in apps.values():
        await sign_in_policy.ensure(ensured)
    for ensured in apps.values():
        await access.ensure(
            ensured.survey.want,
            str(ensured.app["id"]),
            group_ids,
            complete=not missing,
            created=ensured.created,
        )

    await _write_lifetime_secret(ctx, apps)
    ctx.status["environments"] = len(spec.environments)
    # Last: the LifeTime values are right whatever the policies say, and an admin fixing a policy
    # needs them anyway.
    await access_policies.check(ctx, server, apps, group_ids, access.group_names, complete=not missing)
    return missing


async def _write_lifetime_secret(ctx: PassContext, apps: Mapping[str, EnsuredApp]) -> None:
    name = ctx.spec.output_secret_name(ctx.resource.name)
    existing = await output_secret.read_current(ctx, name)
    before = decode_data(existing)
    consoles, tools = apps["consoles"], apps["developmentTools"]
    web_client_id = client_id_of(consoles.app)
    rotation = await client_secret_rotation.rotate(
        ctx,
        str(consoles.app["id"]),
        web_client_id,
        before,
        listed=consoles.survey.client_secrets,
        created=consoles.created_secret is not None,
    )
    values = LifeTimeValues(
        metadata_uri=ctx.status["metadataUri"],
        web_client_id=web_client_id,
        web_client_secret=rotation.web_secret
        or await web_client_secret(
            ctx,
            str(consoles.app["id"]),
            web_client_id,
            before,
            created_secret=consoles.created_secret,
            listed=rotation.listed,
        ),
        desktop_client_id=client_id_of(tools.app),
        previous_web_client_secret=rotation.previous_secret,
    )
    await output_secret.write(ctx, name, existing, values)
    changed = lifetime_changes(before, values.as_data())
    if handover_due(before, changed, recorded=bool(ctx.resource.status.get("secretName"))):
        # The first values, and every new value LifeTime holds: which form field takes which key.
        resource, namespace = ctx.resource.name, ctx.resource.namespace
        message = handover_message(resource=resource, namespace=namespace, secret_name=name, changed=changed)
        ctx.events("Normal", "LifeTimeHandover", message)
    if rotation.web_secret is not None:
        # A rotation's new secret has its own Warning, with the LifeTime steps and the confirm step.
        changed = tuple(key for key in changed if key != "webClientSecret")
    if changed:
        message = lifetime_update_message(name, changed, before, values.as_data())
        ctx.events("Warning", "LifeTimeUpdateRequired", message)
    await output_secret.delete_previous(ctx, name)


async def reconcile(
    resource: Resource,
    *,
    connect: OktaConnector,
    secrets: SecretStore,
    events: EventSink,
    options: Options,
    status_store: StatusStore | None = None,
    restored: list[tuple[str, str]] | None = None,
) -> Outcome:
    """Make Okta and the LifeTime Secret match the resource's spec; never raises for expected failures.

    `restored` collects the (app, field) of each write that put an existing object back (see control.py).
    """

    previous = find(resource.status.get("conditions"))

    def failed(reason: Reason, message: str, retry_after: float | None, status: Mapping[str, Any]) -> Outcome:
        if is_new_problem(previous, reason, message):
            events("Warning", reason.value, message)
        return make_outcome(
            resource,
            options,
            ready=False,
            reason=reason,
            message=message,
            status=status,
            retry_after=retry_after,
        )

    try:
        spec = parse_spec(resource.spec)
    except SpecError as exc:
        return failed(Reason.INVALID_SPEC, f"Invalid spec: {exc}", None, {})
    refusal = preflight.check_names(resource, spec)
    if refusal is not None:
        return failed(refusal.reason, refusal.message, refusal.retry_after, {})
    if is_insecure(spec) and not options.allow_insecure_loopback:
        return failed(
            Reason.INSECURE_ORG_URL,
            f"orgUrl {spec.okta.org_url} is plain http; only https is allowed (the operator accepts loopback "
            "http only with --allow-insecure-loopback)",
            None,
            {},
        )
    ref = spec.okta.credentials_secret_ref
    try:
        token = await read_credentials(secrets, resource.namespace, spec, resource.status)
    except CredentialsError as exc:
        return failed(Reason.OKTA_AUTH_FAILED, str(exc), EXTERNAL_FIX_DELAY, {})
    if token is None:
        return failed(
            Reason.CREDENTIALS_NOT_FOUND,
            await missing_message(secrets, resource.namespace, ref.name, ref.key),
            EXTERNAL_FIX_DELAY,
            {},
        )
    refusal = await preflight.check_output_secret(resource, spec, secrets)
    if refusal is not None:
        return failed(refusal.reason, refusal.message, refusal.retry_after, {})
    async with connect(spec.okta.base_url, token) as okta:
        ctx = PassContext(resource, spec, okta, secrets, events, options, status_store, restored)
        access = GroupAccess(ctx)
        try:
            missing = await _converge(ctx, access)
        except Failure as exc:
            return failed(exc.reason, str(exc), exc.retry_after, ctx.status)
        except OktaError as exc:
            reason, delay = classify(exc)
            return failed(reason, describe(exc), delay, ctx.status)
        except Exception as exc:
            # Not an expected failure (the Kubernetes API refusing a write, or a bug): keep what this
            # pass achieved in status, show the failure, and retry soon.
            # The handler puts the resource on this line (logcontext), as on every line of the pass.
            logger.exception("Reconcile failed unexpectedly; retrying soon")
            return failed(Reason.RECONCILE_ERROR, unexpected_message(exc), TRANSIENT_DELAY, ctx.status)
    if missing:
        return failed(
            Reason.OKTA_GROUP_NOT_FOUND,
            groups_not_found(missing, list(access.kept_groups), access.group_names),
            EXTERNAL_FIX_DELAY,
            ctx.status,
        )
    if ctx.sign_in is not None and ctx.sign_in.allowed is False:
        # The same reason as AuthorizationServerReady: `kubectl get osokta` and Argo CD say what to fix.
        return failed(Reason(ctx.sign_in.reason.value), ctx.sign_in.message, EXTERNAL_FIX_DELAY, ctx.status)
    message = f"Okta apps and Secret {ctx.status['secretName']!r} match the spec"
    if previous is None or previous.get("status") != "True":
        events("Normal", Reason.RECONCILED.value, message)
    return make_outcome(
        resource,
        options,
        ready=True,
        reason=Reason.RECONCILED,
        message=message,
        status=ctx.status,
        follow_up=ctx.follow_up,
    )
