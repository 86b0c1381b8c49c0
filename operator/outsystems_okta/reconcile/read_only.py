"""An OktaApi that only reads: the client of an Observe or paused pass.

The survey it serves never asks for a write; this is the guard that makes it impossible, whatever a
future step might ask: every write method raises before anything reaches the client underneath.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any, NoReturn

from outsystems_okta.okta.access_policies import AccessPolicy, AccessPolicyRule
from outsystems_okta.okta.credentials import Credentials
from outsystems_okta.reconcile.ports import OktaApi, OktaConnector, SecretStore


class OktaWriteRefused(RuntimeError):
    """A read-only pass tried to write (to Okta, or a Secret); nothing was sent."""


def _refuse(operation: str) -> NoReturn:
    raise OktaWriteRefused(f"refused {operation}: this pass only reads Okta (observe or paused)")


class ReadOnlyOkta:
    def __init__(self, inner: OktaApi) -> None:
        self._inner = inner

    # Reads go through.
    async def get_app(self, app_id: str) -> dict[str, Any]:
        return await self._inner.get_app(app_id)

    async def list_apps(
        self, *, q: str | None = None, filter: str | None = None, limit: int = 200
    ) -> list[dict[str, Any]]:
        return await self._inner.list_apps(q=q, filter=filter, limit=limit)

    async def list_client_secrets(self, app_id: str) -> list[dict[str, Any]]:
        return await self._inner.list_client_secrets(app_id)

    async def find_group(self, name: str, *, type_: str | None = None) -> dict[str, Any] | None:
        return await self._inner.find_group(name, type_=type_)

    async def list_app_groups(self, app_id: str, *, expand: str | None = None) -> list[dict[str, Any]]:
        return await self._inner.list_app_groups(app_id, expand=expand)

    async def list_group_apps(self, group_id: str) -> list[dict[str, Any]]:
        return await self._inner.list_group_apps(group_id)

    async def get_authorization_server(self, server_id: str) -> dict[str, Any]:
        return await self._inner.get_authorization_server(server_id)

    async def get_policy(self, policy_id: str) -> dict[str, Any]:
        return await self._inner.get_policy(policy_id)

    async def list_access_policies(self, server_id: str) -> list[AccessPolicy]:
        return await self._inner.list_access_policies(server_id)

    async def list_access_policy_rules(self, server_id: str, policy_id: str) -> list[AccessPolicyRule]:
        return await self._inner.list_access_policy_rules(server_id, policy_id)

    # Writes never do.
    async def create_app(self, body: dict[str, Any], *, activate: bool = True) -> dict[str, Any]:
        _refuse("create_app")

    async def replace_app(self, app_id: str, body: dict[str, Any]) -> dict[str, Any]:
        _refuse("replace_app")

    async def activate_app(self, app_id: str) -> None:
        _refuse("activate_app")

    async def deactivate_app(self, app_id: str) -> None:
        _refuse("deactivate_app")

    async def delete_app(self, app_id: str) -> None:
        _refuse("delete_app")

    async def assign_group(self, app_id: str, group_id: str) -> dict[str, Any]:
        _refuse("assign_group")

    async def unassign_group(self, app_id: str, group_id: str) -> None:
        _refuse("unassign_group")

    async def create_client_secret(self, app_id: str) -> dict[str, Any]:
        _refuse("create_client_secret")

    async def deactivate_client_secret(self, app_id: str, secret_id: str) -> None:
        _refuse("deactivate_client_secret")

    async def delete_client_secret(self, app_id: str, secret_id: str) -> None:
        _refuse("delete_client_secret")

    async def assign_app_policy(self, app_id: str, policy_id: str) -> None:
        _refuse("assign_app_policy")

    async def create_access_policy(self, server_id: str, policy: AccessPolicy) -> AccessPolicy:
        _refuse("create_access_policy")

    async def replace_access_policy(
        self, server_id: str, policy_id: str, policy: AccessPolicy
    ) -> AccessPolicy:
        _refuse("replace_access_policy")

    async def activate_access_policy(self, server_id: str, policy_id: str) -> None:
        _refuse("activate_access_policy")

    async def delete_access_policy(self, server_id: str, policy_id: str) -> None:
        _refuse("delete_access_policy")

    async def create_access_policy_rule(
        self, server_id: str, policy_id: str, rule: AccessPolicyRule
    ) -> AccessPolicyRule:
        _refuse("create_access_policy_rule")

    async def replace_access_policy_rule(
        self, server_id: str, policy_id: str, rule_id: str, rule: AccessPolicyRule
    ) -> AccessPolicyRule:
        _refuse("replace_access_policy_rule")

    async def activate_access_policy_rule(self, server_id: str, policy_id: str, rule_id: str) -> None:
        _refuse("activate_access_policy_rule")


def read_only_connector(connect: OktaConnector) -> OktaConnector:
    """`connect`, handing out read-only clients."""

    @asynccontextmanager
    async def connect_read_only(org_url: str, token: str | Credentials) -> AsyncIterator[OktaApi]:
        async with connect(org_url, token) as client:
            yield ReadOnlyOkta(client)

    return connect_read_only


class ReadOnlySecrets:
    """A SecretStore that reads and refuses every write (Observe never writes the Secret)."""

    def __init__(self, inner: SecretStore) -> None:
        self._inner = inner

    async def read(self, namespace: str, name: str) -> dict[str, Any] | None:
        return await self._inner.read(namespace, name)

    async def write(self, body: dict[str, Any]) -> None:
        raise OktaWriteRefused("refused to write a Secret: this pass only reads (observe or paused)")

    async def delete(self, namespace: str, name: str) -> None:
        raise OktaWriteRefused("refused to delete a Secret: this pass only reads (observe or paused)")
