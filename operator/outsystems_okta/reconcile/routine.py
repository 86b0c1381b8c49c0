"""One reconcile pass: make Okta match the spec, then write the LifeTime Secret, then report."""

from __future__ import annotations

import asyncio
import datetime
import logging
import re
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any

from outsystems_okta.api.spec import IntegrationSpec, SpecError, parse_spec
from outsystems_okta.blueprint import DesiredApp, Owner, desired_apps
from outsystems_okta.okta.errors import OktaError, OktaNotFoundError, OktaUnavailableError
from outsystems_okta.plan.access import (
    assigned_group_names,
    describe_group,
    groups_not_found,
    managed_after,
    plan_assignments,
)
from outsystems_okta.plan.apps import AppAction, plan_app, select_owned
from outsystems_okta.plan.conditions import READY, Reason, find, with_condition
from outsystems_okta.plan.outputs import (
    LifeTimeValues,
    decode_data,
    metadata_uri,
    secret_body,
    secret_is_current,
)
from outsystems_okta.reconcile.credentials import read_token, valid_token
from outsystems_okta.reconcile.outcome import EXTERNAL_FIX_DELAY, TRANSIENT_DELAY, Outcome, classify
from outsystems_okta.reconcile.ports import EventSink, OktaApi, OktaConnector, Resource, SecretStore

EVERYONE = "Everyone"
logger = logging.getLogger(__name__)


def utc_now() -> str:
    return datetime.datetime.now(datetime.UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


@dataclass(frozen=True)
class Options:
    # Accept a plain-http orgUrl on loopback (the sandbox); never on any other host.
    allow_insecure_loopback: bool = False
    now: Callable[[], str] = utc_now
    # Okta is eventually consistent: an app can answer 404 for a moment after its creation, or stay
    # ACTIVE for a moment after its deactivation. Look again after this long before concluding.
    recheck_delay: float = 2.0
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep


class _Failure(Exception):
    """A reconcile stopped for a reason that is not an Okta error (the message is safe to show)."""

    def __init__(self, reason: Reason, message: str, retry_after: float | None) -> None:
        super().__init__(message)
        self.reason = reason
        self.retry_after = retry_after


def client_id_of(app: Mapping[str, Any]) -> str:
    oauth = (app.get("credentials") or {}).get("oauthClient") or {}
    return str(oauth.get("client_id") or app["id"])


def is_insecure(spec: IntegrationSpec) -> bool:
    return spec.okta.org_url.startswith("http://")


class _Pass:
    """State of one reconcile pass; `status` collects what was learned even if the pass fails."""

    def __init__(
        self,
        resource: Resource,
        spec: IntegrationSpec,
        okta: OktaApi,
        secrets: SecretStore,
        events: EventSink,
        options: Options,
    ) -> None:
        self.resource = resource
        self.options = options
        self.spec = spec
        self.okta = okta
        self.secrets = secrets
        self.events = events
        self.owner = Owner(resource.namespace, resource.name, resource.uid)
        self.status: dict[str, Any] = {}
        self.created_secret: str | None = None
        # Okta group names by id, for messages: from the spec's lookups and the assignments' listing.
        self.group_names: dict[str, str] = {}
        # Groups left assigned, though no longer wanted, because a listed group was not found.
        self.kept_groups: dict[str, None] = {}

    def _previous(self, role: str) -> Mapping[str, Any]:
        previous = self.resource.status.get(role)
        return previous if isinstance(previous, Mapping) else {}

    async def run(self) -> list[str]:
        """Converge; return the names of Okta groups that could not be found (see `kept_groups`)."""
        desired = desired_apps(self.spec, self.owner)
        try:
            server = await self.okta.get_authorization_server(self.spec.okta.authorization_server_id)
        except OktaNotFoundError:
            raise _Failure(
                Reason.OKTA_AUTH_SERVER_NOT_FOUND,
                f"Okta has no authorization server {self.spec.okta.authorization_server_id!r}",
                EXTERNAL_FIX_DELAY,
            ) from None
        self.status["metadataUri"] = metadata_uri(str(server["issuer"]))

        apps: dict[str, dict[str, Any]] = {}
        for want in desired.both():
            apps[want.role] = await self._ensure_app(want)

        group_ids, missing = await self._resolve_groups()
        for want in desired.both():
            await self._ensure_access(want, apps[want.role]["id"], group_ids, complete=not missing)

        await self._write_secret(apps)
        self.status["environments"] = len(self.spec.environments)
        return missing

    async def _find_marked(self, want: DesiredApp) -> dict[str, Any] | None:
        listed = await self.okta.list_apps(q=want.label)
        selection = select_owned(listed, self.owner, want.role)
        if selection.duplicates:
            self.events(
                "Warning",
                "DuplicateOktaApps",
                f"More Okta apps carry this resource's {want.role} marker than expected: "
                f"{', '.join(selection.duplicates)}; using {selection.chosen and selection.chosen['id']} "
                "and leaving the others untouched",
            )
        return selection.chosen

    async def _get_known(self, app_id: str) -> dict[str, Any] | None:
        """The app with an id from status, or None once Okta says twice that it is gone."""
        for attempt in range(2):
            try:
                app = await self.okta.get_app(app_id)
            except OktaNotFoundError:
                if attempt == 0:
                    await self.options.sleep(self.options.recheck_delay)
                continue
            return None if app.get("status") == "DELETED" else app
        return None

    async def _ensure_app(self, want: DesiredApp) -> dict[str, Any]:
        app_id = self._previous(want.role).get("appId")
        observed = await self._get_known(str(app_id)) if app_id else None
        if observed is None:
            observed = await self._find_marked(want)

        plan = plan_app(want, observed)
        if plan.action is AppAction.CREATE:
            assert plan.body is not None
            if app_id:
                self.events(
                    "Warning", "OktaAppMissing", f"Okta app {app_id} ({want.label!r}) is gone; recreating it"
                )
            app = await self._create(want, plan.body)
        elif plan.action is AppAction.UPDATE:
            assert plan.body is not None and observed is not None
            app = await self.okta.replace_app(str(observed["id"]), plan.body)
            self.events(
                "Normal",
                "OktaAppUpdated",
                f"Updated Okta app {want.label!r} ({observed['id']}): {', '.join(plan.changed)}",
            )
        else:
            assert observed is not None
            app = observed
        if plan.activate:
            await self.okta.activate_app(str(app["id"]))
            self.events("Normal", "OktaAppActivated", f"Activated Okta app {want.label!r} ({app['id']})")

        self.status[want.role] = {
            "appId": str(app["id"]),
            "clientId": client_id_of(app),
            "assignedGroupIds": list(self._previous(want.role).get("assignedGroupIds") or []),
        }
        return app

    async def _create(self, want: DesiredApp, body: dict[str, Any]) -> dict[str, Any]:
        try:
            app = await self.okta.create_app(body, activate=True)
        except OktaUnavailableError as exc:
            if not exc.maybe_applied:
                raise
            # The create may have happened with its answer lost: look before creating again.
            found = await self._find_marked(want)
            if found is None:
                raise
            app = found
        else:
            oauth = (app.get("credentials") or {}).get("oauthClient") or {}
            if want.role == "consoles" and oauth.get("client_secret"):
                self.created_secret = str(oauth["client_secret"])
        self.events("Normal", "OktaAppCreated", f"Created Okta app {want.label!r} ({app['id']})")
        return app

    async def _resolve_groups(self) -> tuple[list[str], list[str]]:
        ids: list[str] = []
        missing: list[str] = []
        if self.spec.access.everyone:
            # Okta's own Everyone group, not a group an admin happened to call "Everyone".
            group = await self.okta.find_group(EVERYONE, type_="BUILT_IN")
            if group is None:
                missing.append(EVERYONE)
            else:
                ids.append(str(group["id"]))
                self.group_names[str(group["id"])] = EVERYONE
        for name in self.spec.access.groups:
            group = await self.okta.find_group(name)
            if group is None:
                missing.append(name)
            else:
                ids.append(str(group["id"]))
                self.group_names[str(group["id"])] = name
        return ids, missing

    async def _ensure_access(
        self, want: DesiredApp, app_id: str, group_ids: list[str], complete: bool
    ) -> None:
        """Assign the desired groups; unassign ours that left the spec.

        When a listed group could not be resolved (`complete` is False) nothing is unassigned: the
        assignment we can no longer tell apart may be that very group's, and removing it would lock
        its users out. Status records each change as it happens, so a failure halfway loses nothing.
        """
        entry = self.status[want.role]
        previous = list(entry["assignedGroupIds"])
        managed = list(previous)
        # expand=group: the names of groups that left the spec, for the messages, at no extra call.
        listed = await self.okta.list_app_groups(app_id, expand="group")
        self.group_names = {**assigned_group_names(listed), **self.group_names}
        current = {str(a["id"]) for a in listed}
        plan = plan_assignments(group_ids, current, previous, complete=complete)
        for gid in plan.assign:
            await self.okta.assign_group(app_id, gid)
            managed.append(gid)
            entry["assignedGroupIds"] = list(dict.fromkeys(managed))
            group = describe_group(gid, self.group_names)
            self.events("Normal", "OktaGroupAssigned", f"Assigned group {group} to Okta app {want.label!r}")
        for gid in plan.unassign:
            await self.okta.unassign_group(app_id, gid)
            managed.remove(gid)
            entry["assignedGroupIds"] = list(dict.fromkeys(managed))
            group = describe_group(gid, self.group_names)
            self.events(
                "Normal", "OktaGroupUnassigned", f"Unassigned group {group} from Okta app {want.label!r}"
            )
        self.kept_groups.update(dict.fromkeys(plan.kept))
        if complete:
            entry["assignedGroupIds"] = managed_after(plan, group_ids, previous)

    async def _web_client_secret(self, app_id: str, client_id: str, existing: Mapping[str, str]) -> str:
        if self.created_secret:
            return self.created_secret
        active = [
            s
            for s in await self.okta.list_client_secrets(app_id)
            if s.get("status") == "ACTIVE" and s.get("client_secret")
        ]
        values = {str(s["client_secret"]) for s in active}
        kept = existing.get("webClientSecret")
        if kept in values and existing.get("webClientId") == client_id:
            return str(kept)
        if not active:
            raise _Failure(
                Reason.OKTA_REJECTED,
                f"Okta app {app_id} has no active client secret; create one in Okta (Client Credentials)",
                EXTERNAL_FIX_DELAY,
            )
        newest = max(active, key=lambda s: (str(s.get("created", "")), str(s.get("id", ""))))
        return str(newest["client_secret"])

    async def _write_secret(self, apps: Mapping[str, Mapping[str, Any]]) -> None:
        ns, name = self.resource.namespace, self.spec.output_secret_name(self.resource.name)
        existing = await self.secrets.read(ns, name)
        if existing is not None and not _owned_secret(existing, self.resource.uid):
            raise _Failure(
                Reason.SECRET_CONFLICT,
                f"Secret {name!r} exists and is not owned by this resource; choose another spec.secretName "
                "or delete that Secret",
                EXTERNAL_FIX_DELAY,
            )
        consoles, tools = apps["consoles"], apps["developmentTools"]
        web_client_id = client_id_of(consoles)
        values = LifeTimeValues(
            metadata_uri=self.status["metadataUri"],
            web_client_id=web_client_id,
            web_client_secret=await self._web_client_secret(
                str(consoles["id"]), web_client_id, decode_data(existing)
            ),
            desktop_client_id=client_id_of(tools),
        )
        body = secret_body(
            name=name,
            namespace=ns,
            owner_name=self.resource.name,
            owner_uid=self.resource.uid,
            values=values,
        )
        if not secret_is_current(existing, body):
            await self.secrets.write(body)
            self.events("Normal", "SecretWritten", f"Wrote LifeTime provider values to Secret {name!r}")
        self.status["secretName"] = name

        previous_name = self.resource.status.get("secretName")
        if previous_name and previous_name != name:
            old = await self.secrets.read(ns, str(previous_name))
            if old is not None and _owned_secret(old, self.resource.uid):
                await self.secrets.delete(ns, str(previous_name))
                self.events(
                    "Normal", "SecretDeleted", f"Deleted Secret {previous_name!r} (secretName changed)"
                )


_ERROR_ID = re.compile(r"\s*\(errorId [^)]*\)")


def _stable(message: str) -> str:
    """A failure message without the parts that change on every retry (Okta's errorId)."""
    return _ERROR_ID.sub("", message)


def is_new_problem(previous: Mapping[str, Any] | None, reason: Reason, message: str) -> bool:
    """One Warning per new problem, not one per retry: retries of the same failure stay quiet even
    though Okta stamps every error answer with a fresh errorId."""
    if previous is None:
        return True
    seen = (previous.get("status"), previous.get("reason"), _stable(str(previous.get("message", ""))))
    return seen != ("False", reason.value, _stable(message))


def _owned_secret(secret: Mapping[str, Any], uid: str) -> bool:
    owners = (secret.get("metadata") or {}).get("ownerReferences") or []
    return any(o.get("uid") == uid for o in owners)


def make_outcome(
    resource: Resource,
    options: Options,
    *,
    ready: bool,
    reason: Reason,
    message: str,
    status: Mapping[str, Any] | None = None,
    retry_after: float | None = None,
) -> Outcome:
    fields = dict(status or {})
    fields["observedGeneration"] = resource.generation
    fields["conditions"] = with_condition(
        resource.status.get("conditions"),
        type_=READY,
        status=ready,
        reason=reason,
        message=message,
        generation=resource.generation,
        now=options.now(),
    )
    return Outcome(ready=ready, reason=reason, message=message, status=fields, retry_after=retry_after)


def _unexpected(exc: BaseException) -> str:
    return f"Unexpected {type(exc).__name__} while reconciling: {str(exc)[:300]}"


def unexpected_failure(resource: Resource, exc: BaseException, options: Options) -> Outcome:
    """The outcome of a pass that raised instead of returning: not Ready, retried soon."""
    return make_outcome(
        resource,
        options,
        ready=False,
        reason=Reason.RECONCILE_ERROR,
        message=_unexpected(exc),
        retry_after=TRANSIENT_DELAY,
    )


async def reconcile(
    resource: Resource,
    *,
    connect: OktaConnector,
    secrets: SecretStore,
    events: EventSink,
    options: Options,
) -> Outcome:
    """Make Okta and the LifeTime Secret match the resource's spec; never raises for expected failures."""

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
    if is_insecure(spec) and not options.allow_insecure_loopback:
        return failed(
            Reason.INSECURE_ORG_URL,
            f"orgUrl {spec.okta.org_url} is plain http; only https is allowed (the operator accepts loopback "
            "http only with --allow-insecure-loopback)",
            None,
            {},
        )
    ref = spec.okta.credentials_secret_ref
    token = await read_token(secrets, resource.namespace, ref.name, ref.key)
    if token is None:
        return failed(
            Reason.CREDENTIALS_NOT_FOUND,
            f"Secret {ref.name!r} with key {ref.key!r} not found in namespace {resource.namespace!r}",
            EXTERNAL_FIX_DELAY,
            {},
        )

    if not valid_token(token):
        return failed(
            Reason.OKTA_AUTH_FAILED,
            f"The value of key {ref.key!r} in Secret {ref.name!r} is not an Okta API token (it has spaces or "
            "control characters); store the bare token",
            EXTERNAL_FIX_DELAY,
            {},
        )
    async with connect(spec.okta.base_url, token) as okta:
        run = _Pass(resource, spec, okta, secrets, events, options)
        try:
            missing = await run.run()
        except _Failure as exc:
            return failed(exc.reason, str(exc), exc.retry_after, run.status)
        except OktaError as exc:
            reason, delay = classify(exc)
            return failed(reason, str(exc), delay, run.status)
        except Exception as exc:
            # Not an expected failure (the Kubernetes API refusing a write, or a bug): keep what this
            # pass achieved in status, show the failure, and retry soon.
            # The handler puts the resource on this line (logcontext), as on every line of the pass.
            logger.exception("Reconcile failed unexpectedly; retrying soon")
            return failed(Reason.RECONCILE_ERROR, _unexpected(exc), TRANSIENT_DELAY, run.status)
    if missing:
        return failed(
            Reason.OKTA_GROUP_NOT_FOUND,
            groups_not_found(missing, list(run.kept_groups), run.group_names),
            EXTERNAL_FIX_DELAY,
            run.status,
        )
    message = f"Okta apps and Secret {run.status['secretName']!r} match the spec"
    if previous is None or previous.get("status") != "True":
        events("Normal", Reason.RECONCILED.value, message)
    return make_outcome(
        resource,
        options,
        ready=True,
        reason=Reason.RECONCILED,
        message=message,
        status=run.status,
    )
