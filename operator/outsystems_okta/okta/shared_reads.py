"""Reads that the integrations of one org share: one app scan, one lookup per group name, one listing
of each group's apps, one read of each authorization server with its policies and their rules.

A drift round of N integrations on one org then costs one paginated scan of the org's apps instead of
two reads per integration, and one read per group and per authorization server instead of N. Each pass
gets a `SharedOkta`: an `OktaApi` whose cached reads are served from a snapshot the pass may use
(`plan.freshness`: started after this integration's previous pass ended, within the TTL, and not
before the pass itself when a person asked for it), else read afresh. Identical reads in flight at the
same time are made once (single flight: one request, many awaiters).

Writes always go to Okta; each one this process makes updates the current snapshot it touches (an
app's JSON, an assignment) or drops it (an authorization server's policies), so a snapshot never
shows this process's own earlier state of something it changed. Everything else (an app by id, client
secrets, an app's own assignments) passes straight through. Snapshots hold no credentials and no client
secrets: Okta's app listing never carries a client secret.
"""

from __future__ import annotations

import asyncio
import functools
import time
from collections import OrderedDict
from collections.abc import AsyncIterator, Awaitable, Callable, Hashable, Iterable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass, field
from typing import Any, Protocol

from outsystems_okta.plan.freshness import Window

from .access_policies import AccessPolicy, AccessPolicyRule
from .credentials import Credentials, as_credentials

# Keys of what a snapshot holds.
_APPS = ("apps",)
# Orgs (org URL and credentials) whose snapshots are kept, as many as the client pool keeps clients.
MAX_ORGS = 32


@dataclass
class _Entry:
    started: float
    task: asyncio.Future[Any]
    # Changes this process made after the snapshot started, by object id, applied over its result.
    changes: dict[str, Any] = field(default_factory=dict)


class OrgReads:
    """The snapshots of one org (org URL and credentials)."""

    def __init__(self, clock: Callable[[], float], ttl: float = float("inf")) -> None:
        self._clock = clock
        self._ttl = ttl
        self._entries: dict[Hashable, _Entry] = {}

    async def read(self, key: Hashable, window: Window, load: Callable[[], Awaitable[Any]]) -> _Entry:
        """The snapshot under `key` once read: one the window admits (even in flight), else a new read."""
        self._prune()
        entry = self._entries.get(key)
        if entry is None or not window.admits(entry.started) or _failed(entry.task):
            entry = _Entry(self._clock(), asyncio.ensure_future(load()))
            self._entries[key] = entry
            entry.task.add_done_callback(functools.partial(self._settled, key, entry))
        # shield: one awaiter cancelled (its pass stopped) does not cancel the read for the others.
        await asyncio.shield(entry.task)
        return entry

    def _prune(self) -> None:
        # A settled snapshot past the TTL is nobody's any more (a whole app scan can be megabytes).
        oldest = self._clock() - self._ttl
        for key in [k for k, e in self._entries.items() if e.task.done() and e.started < oldest]:
            del self._entries[key]

    def _settled(self, key: Hashable, entry: _Entry, _: asyncio.Future[Any]) -> None:
        # A failed read is nobody's snapshot; the next pass reads again.
        if _failed(entry.task) and self._entries.get(key) is entry:
            del self._entries[key]

    def change(self, key: Hashable, item: str, value: Any) -> None:
        entry = self._entries.get(key)
        if entry is not None:
            entry.changes[item] = value

    def app_lifecycle(self, app_id: str, status: str | None) -> None:
        """An app activated or deactivated (`status`), or deleted (None), by this process."""
        entry = self._entries.get(_APPS)
        if entry is None:
            return
        if status is None:
            entry.changes[app_id] = None
            return
        current = entry.changes.get(app_id)
        if current is None and entry.task.done() and not _failed(entry.task):
            current = entry.task.result().get(app_id)
        if current is not None:
            entry.changes[app_id] = {**current, "status": status}
        else:
            # Not in the snapshot (or the scan is still in flight): drop it, the next pass scans anew.
            del self._entries[_APPS]

    def drop(self, match: Callable[[Hashable], bool]) -> None:
        for key in [key for key in self._entries if match(key)]:
            del self._entries[key]

    def __len__(self) -> int:
        return len(self._entries)


class Connector(Protocol):
    """Opens an Okta client (the pool's `connect`; `reconcile.ports.OktaConnector`)."""

    def __call__(self, org_url: str, token: str | Credentials) -> AbstractAsyncContextManager[Any]: ...


class SharedConnector(Protocol):
    def __call__(self, org_url: str, token: str | Credentials) -> AbstractAsyncContextManager[SharedOkta]: ...


class SharedReads:
    """Every org's snapshots, and when each integration's last pass ended (in-process memory)."""

    def __init__(
        self, ttl: float, clock: Callable[[], float] = time.monotonic, max_orgs: int = MAX_ORGS
    ) -> None:
        self.ttl = ttl
        self._clock = clock
        self._max_orgs = max_orgs
        self._orgs: OrderedDict[tuple[str, str], OrgReads] = OrderedDict()
        self._ended: dict[str, float] = {}

    def org(self, org_url: str, token: str | Credentials) -> OrgReads:
        # Keyed like the client pool: a digest of the credentials, never the credentials themselves.
        key = (org_url, as_credentials(token).digest)
        reads = self._orgs.get(key)
        if reads is None:
            reads = self._orgs[key] = OrgReads(self._clock, self.ttl)
        self._orgs.move_to_end(key)
        # A rotated token gets new snapshots; the old ones go once they are the least recently used.
        while len(self._orgs) > self._max_orgs:
            self._orgs.popitem(last=False)
        return reads

    def window(self, uid: str, *, fresh: bool) -> Window:
        return Window(self._clock(), self.ttl, self._ended.get(uid), fresh)

    def ended(self, uid: str) -> None:
        self._ended[uid] = self._clock()

    def forget(self, uid: str) -> None:
        self._ended.pop(uid, None)

    def connector(
        self,
        connect: Connector,
        uid: str,
        *,
        fresh: bool,
    ) -> SharedConnector:
        """An Okta connector for one pass of the integration `uid`: `connect`'s client, with shared
        reads; `fresh` (a person asked for this pass) takes no snapshot older than the pass."""

        @asynccontextmanager
        async def open_shared(org_url: str, token: str | Credentials) -> AsyncIterator[SharedOkta]:
            async with connect(org_url, token) as client:
                view = SharedOkta(client, self.org(org_url, token), self.window(uid, fresh=fresh))
                try:
                    yield view
                finally:
                    # After the pass's last Okta call: its next pass needs snapshots newer than this.
                    self.ended(uid)

        return open_shared


def _failed(task: asyncio.Future[Any]) -> bool:
    return task.done() and (task.cancelled() or task.exception() is not None)


def _apps_by_id(apps: Iterable[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {str(app["id"]): app for app in apps if app.get("id")}


class SharedOkta:
    """One pass's Okta client: the shared snapshots for the reads they cover, Okta for the rest."""

    # `inner` is the Okta client (an `OktaApi`, the protocol of reconcile/, a layer above this one).
    def __init__(self, inner: Any, org: OrgReads, window: Window) -> None:
        self._inner = inner
        self._org = org
        self._window = window

    # -- shared reads --------------------------------------------------------------------------------

    async def list_apps(
        self, *, q: str | None = None, filter: str | None = None, limit: int = 200
    ) -> list[dict[str, Any]]:
        """Every app of the org (the scan) from a snapshot; a search (`q`, `filter`) goes to Okta.

        The apps are the snapshot's own objects: read them, copy before changing one."""
        if q is not None or filter is not None:
            result: list[dict[str, Any]] = await self._inner.list_apps(q=q, filter=filter, limit=limit)
            return result
        entry = await self._org.read(_APPS, self._window, lambda: self._scan(limit))
        apps: dict[str, dict[str, Any] | None] = {**entry.task.result(), **entry.changes}
        return [app for app in apps.values() if app is not None]

    async def _scan(self, limit: int) -> dict[str, dict[str, Any]]:
        # Okta's listing carries no client secret; should it ever, the snapshot still keeps none.
        return _apps_by_id(_without_client_secret(app) for app in await self._inner.list_apps(limit=limit))

    async def list_group_apps(self, group_id: str) -> list[dict[str, Any]]:
        """The apps assigned to a group, as `{"id": ...}` (only ids are kept: what assignments need)."""

        async def load() -> frozenset[str]:
            return frozenset(str(app["id"]) for app in await self._inner.list_group_apps(group_id))

        entry = await self._org.read(("group-apps", group_id), self._window, load)
        ids = set(entry.task.result())
        for app_id, assigned in entry.changes.items():
            (ids.add if assigned else ids.discard)(app_id)
        return [{"id": app_id} for app_id in sorted(ids)]

    async def find_group(self, name: str, *, type_: str | None = None) -> dict[str, Any] | None:
        async def load() -> dict[str, Any] | None:
            found: dict[str, Any] | None = await self._inner.find_group(name, type_=type_)
            return found

        entry = await self._org.read(("group", name, type_), self._window, load)
        group: dict[str, Any] | None = entry.task.result()
        return group

    async def get_authorization_server(self, server_id: str) -> dict[str, Any]:
        async def load() -> dict[str, Any]:
            server: dict[str, Any] = await self._inner.get_authorization_server(server_id)
            return server

        entry = await self._org.read(("server", server_id), self._window, load)
        server: dict[str, Any] = entry.task.result()
        return server

    async def list_access_policies(self, server_id: str) -> list[AccessPolicy]:
        async def load() -> list[AccessPolicy]:
            policies: list[AccessPolicy] = await self._inner.list_access_policies(server_id)
            return policies

        entry = await self._org.read(("policies", server_id), self._window, load)
        # Copies: a pass changes the models it plans with; the snapshot is every pass's.
        return [policy.model_copy(deep=True) for policy in entry.task.result()]

    async def list_access_policy_rules(self, server_id: str, policy_id: str) -> list[AccessPolicyRule]:
        async def load() -> list[AccessPolicyRule]:
            rules: list[AccessPolicyRule] = await self._inner.list_access_policy_rules(server_id, policy_id)
            return rules

        entry = await self._org.read(("rules", server_id, policy_id), self._window, load)
        return [rule.model_copy(deep=True) for rule in entry.task.result()]

    # -- reads that are the pass's own ----------------------------------------------------------------

    async def get_app(self, app_id: str) -> dict[str, Any]:
        app: dict[str, Any] = await self._inner.get_app(app_id)
        return app

    async def list_client_secrets(self, app_id: str) -> list[dict[str, Any]]:
        secrets: list[dict[str, Any]] = await self._inner.list_client_secrets(app_id)
        return secrets

    async def list_app_groups(self, app_id: str, *, expand: str | None = None) -> list[dict[str, Any]]:
        groups: list[dict[str, Any]] = await self._inner.list_app_groups(app_id, expand=expand)
        return groups

    async def get_policy(self, policy_id: str) -> dict[str, Any]:
        policy: dict[str, Any] = await self._inner.get_policy(policy_id)
        return policy

    # -- writes: always to Okta; each one brings the snapshot it touches up to date -------------------

    async def create_app(self, body: dict[str, Any], *, activate: bool = True) -> dict[str, Any]:
        app: dict[str, Any] = await self._inner.create_app(body, activate=activate)
        self._app_changed(app)
        return app

    async def replace_app(self, app_id: str, body: dict[str, Any]) -> dict[str, Any]:
        app: dict[str, Any] = await self._inner.replace_app(app_id, body)
        self._app_changed(app)
        return app

    def _app_changed(self, app: dict[str, Any]) -> None:
        # Okta's answer to a create carries the new client secret: never keep it in a snapshot.
        self._org.change(_APPS, str(app["id"]), _without_client_secret(app))

    async def activate_app(self, app_id: str) -> None:
        await self._inner.activate_app(app_id)
        self._org.app_lifecycle(app_id, "ACTIVE")

    async def deactivate_app(self, app_id: str) -> None:
        await self._inner.deactivate_app(app_id)
        self._org.app_lifecycle(app_id, "INACTIVE")

    async def delete_app(self, app_id: str) -> None:
        await self._inner.delete_app(app_id)
        self._org.app_lifecycle(app_id, None)

    async def assign_group(self, app_id: str, group_id: str) -> dict[str, Any]:
        assignment: dict[str, Any] = await self._inner.assign_group(app_id, group_id)
        self._org.change(("group-apps", group_id), app_id, True)
        return assignment

    async def unassign_group(self, app_id: str, group_id: str) -> None:
        await self._inner.unassign_group(app_id, group_id)
        self._org.change(("group-apps", group_id), app_id, False)

    async def create_client_secret(self, app_id: str) -> dict[str, Any]:
        secret: dict[str, Any] = await self._inner.create_client_secret(app_id)
        return secret

    async def deactivate_client_secret(self, app_id: str, secret_id: str) -> None:
        await self._inner.deactivate_client_secret(app_id, secret_id)

    async def delete_client_secret(self, app_id: str, secret_id: str) -> None:
        await self._inner.delete_client_secret(app_id, secret_id)

    async def assign_app_policy(self, app_id: str, policy_id: str) -> None:
        await self._inner.assign_app_policy(app_id, policy_id)

    def _policies_changed(self, server_id: str) -> None:
        self._org.drop(
            lambda key: isinstance(key, tuple) and key[:2] in {("policies", server_id), ("rules", server_id)}
        )

    async def create_access_policy(self, server_id: str, policy: AccessPolicy) -> AccessPolicy:
        try:
            created: AccessPolicy = await self._inner.create_access_policy(server_id, policy)
        finally:
            # Even a failed create may have happened (a lost answer).
            self._policies_changed(server_id)
        return created

    async def replace_access_policy(
        self, server_id: str, policy_id: str, policy: AccessPolicy
    ) -> AccessPolicy:
        try:
            replaced: AccessPolicy = await self._inner.replace_access_policy(server_id, policy_id, policy)
        finally:
            self._policies_changed(server_id)
        return replaced

    async def activate_access_policy(self, server_id: str, policy_id: str) -> None:
        try:
            await self._inner.activate_access_policy(server_id, policy_id)
        finally:
            self._policies_changed(server_id)

    async def delete_access_policy(self, server_id: str, policy_id: str) -> None:
        try:
            await self._inner.delete_access_policy(server_id, policy_id)
        finally:
            self._policies_changed(server_id)

    async def create_access_policy_rule(
        self, server_id: str, policy_id: str, rule: AccessPolicyRule
    ) -> AccessPolicyRule:
        try:
            created: AccessPolicyRule = await self._inner.create_access_policy_rule(
                server_id, policy_id, rule
            )
        finally:
            self._policies_changed(server_id)
        return created

    async def replace_access_policy_rule(
        self, server_id: str, policy_id: str, rule_id: str, rule: AccessPolicyRule
    ) -> AccessPolicyRule:
        try:
            replaced: AccessPolicyRule = await self._inner.replace_access_policy_rule(
                server_id, policy_id, rule_id, rule
            )
        finally:
            self._policies_changed(server_id)
        return replaced

    async def activate_access_policy_rule(self, server_id: str, policy_id: str, rule_id: str) -> None:
        try:
            await self._inner.activate_access_policy_rule(server_id, policy_id, rule_id)
        finally:
            self._policies_changed(server_id)


def _without_client_secret(app: dict[str, Any]) -> dict[str, Any]:
    credentials = app.get("credentials")
    if not isinstance(credentials, dict):
        return app
    oauth = credentials.get("oauthClient")
    if not isinstance(oauth, dict) or "client_secret" not in oauth:
        return app
    kept = {key: value for key, value in oauth.items() if key != "client_secret"}
    return {**app, "credentials": {**credentials, "oauthClient": kept}}
