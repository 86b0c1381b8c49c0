"""Fixtures for driving the real reconcile routine against the real Okta sandbox over HTTP.

Only the network edges are stand-ins: the Kubernetes edge is an in-memory `SecretStore` that keeps
Secret dicts the way the API server would (and records every write), Events go to a recorder, and
Okta is the sandbox on loopback spoken to by the real `OktaClient`. Retries and re-checks sleep for
no time at all (the sleeps are recorded instead), so the whole module runs in a few seconds.
"""

from __future__ import annotations

import base64
import copy
import itertools
import json
from collections.abc import AsyncIterator, Iterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass, field, replace
from typing import Any

import httpx
import pytest

from outsystems_okta.okta import OktaClient, RetryPolicy
from outsystems_okta.reconcile import Options, Outcome, Resource, finalize, reconcile
from outsystems_okta.reconcile.ports import OktaApi
from outsystems_okta_sandbox.okta import OktaSandbox, RecordedRequest

TOKEN = "00okta-reconcile-TOKEN-5d1f0a9c7e3b2468"
NAMESPACE = "outsystems"
NAME = "factory"
UID = "6a1e2b3c-0000-4000-8000-00000000f001"
NOW = "2030-01-01T00:00:00Z"
CREDENTIALS = "okta-api"
SEED_GROUPS = ("OutSystems IT", "OutSystems Developers", "OutSystems Admins")
CONSOLES = "OutSystems Consoles"
TOOLS = "OutSystems Development Tools"
LIFETIME = "lifetime.acme.com"
ENVIRONMENTS = (("dev", "dev.acme.com"), ("prod", "prod.acme.com"))
CONSOLES_LOGIN = "/ServiceCenter/CentralizedLogin_AuthCodeFlow_TokenPart.aspx"
TOOLS_ENV_CALLBACK = "/OSIntegrationManager/OIDC_Callback"
SECRET_KEYS = {
    "name",
    "metadataUri",
    "webClientId",
    "webClientSecret",
    "desktopClientId",
    "usernameClaim",
    "scopes",
}

# Fast but real retries: every attempt reaches the sandbox, the waits between them are recorded only.
FAST = RetryPolicy(
    max_attempts=3, base_delay=0.01, max_delay=0.02, max_rate_limit_wait=5.0, rate_limit_jitter=0.1
)


def b64(value: str) -> str:
    return base64.b64encode(value.encode()).decode()


def unb64(value: str) -> str:
    return base64.b64decode(value).decode()


def base_spec(org_url: str, **overrides: Any) -> dict[str, Any]:
    spec: dict[str, Any] = {
        "okta": {
            "orgUrl": org_url,
            "authorizationServerId": "default",
            "credentialsSecretRef": {"name": CREDENTIALS},
        },
        "lifetime": {"hostname": LIFETIME},
        "environments": [{"name": name, "hostname": host} for name, host in ENVIRONMENTS],
    }
    spec.update(copy.deepcopy(overrides))
    return spec


class Sleeper:
    """An instant `sleep` that remembers what it was asked to wait."""

    def __init__(self) -> None:
        self.calls: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.calls.append(seconds)


class MemorySecrets:
    """The Kubernetes edge: Secrets kept as the API server keeps them, every write recorded.

    `write` behaves like `kube.KubeSecrets.write`: create, or replace the data of an existing Secret while
    keeping labels and annotations someone else added. `stringData` is folded into `data`.
    """

    def __init__(self) -> None:
        self.objects: dict[tuple[str, str], dict[str, Any]] = {}
        self.writes: list[dict[str, Any]] = []
        self.deletes: list[tuple[str, str]] = []
        self._versions = itertools.count(1)

    # -- the SecretStore protocol --------------------------------------------------------------------

    async def read(self, namespace: str, name: str) -> dict[str, Any] | None:
        found = self.objects.get((namespace, name))
        return copy.deepcopy(found) if found is not None else None

    async def write(self, body: dict[str, Any]) -> None:
        self.writes.append(copy.deepcopy(body))
        meta = body["metadata"]
        key = (meta["namespace"], meta["name"])
        current = self.objects.get(key)
        stored = self._normalize(body)
        if current is not None:
            old = current["metadata"]
            stored["metadata"]["uid"] = old["uid"]
            stored["metadata"]["creationTimestamp"] = old["creationTimestamp"]
            stored["metadata"]["labels"] = {**(old.get("labels") or {}), **(meta.get("labels") or {})}
            stored["metadata"]["annotations"] = dict(old.get("annotations") or {})
        self.objects[key] = stored

    async def delete(self, namespace: str, name: str) -> None:
        self.deletes.append((namespace, name))
        self.objects.pop((namespace, name), None)

    # -- test side ---------------------------------------------------------------------------------

    def _normalize(self, body: Mapping[str, Any]) -> dict[str, Any]:
        stored = copy.deepcopy(dict(body))
        meta = stored.setdefault("metadata", {})
        meta.setdefault("uid", f"secret-uid-{next(self._versions)}")
        meta.setdefault("creationTimestamp", NOW)
        meta["resourceVersion"] = str(next(self._versions))
        data = dict(stored.get("data") or {})
        for key, value in (stored.pop("stringData", None) or {}).items():
            data[key] = b64(str(value))
        stored["data"] = data
        stored.setdefault("type", "Opaque")
        return stored

    def put(self, body: Mapping[str, Any]) -> None:
        """Create or replace a Secret out of band (not recorded as a write by the operator)."""
        meta = body["metadata"]
        self.objects[(meta["namespace"], meta["name"])] = self._normalize(body)

    def put_token(
        self, namespace: str, token: str, *, name: str = CREDENTIALS, key: str = "apiToken"
    ) -> None:
        self.put(
            {
                "apiVersion": "v1",
                "kind": "Secret",
                "metadata": {"name": name, "namespace": namespace},
                "data": {key: b64(token)},
            }
        )

    def get(self, namespace: str, name: str) -> dict[str, Any] | None:
        return self.objects.get((namespace, name))

    def values(self, namespace: str, name: str) -> dict[str, str] | None:
        secret = self.get(namespace, name)
        if secret is None:
            return None
        return {key: unb64(value) for key, value in (secret.get("data") or {}).items()}

    def writes_of(self, namespace: str, name: str) -> list[dict[str, Any]]:
        return [
            w for w in self.writes if (w["metadata"]["namespace"], w["metadata"]["name"]) == (namespace, name)
        ]


class EventLog:
    """The EventSink: `(type, reason, message)` per Event posted on the resource."""

    def __init__(self) -> None:
        self.items: list[tuple[str, str, str]] = []

    def __call__(self, type_: str, reason: str, message: str) -> None:
        self.items.append((type_, reason, message))

    def reasons(self, type_: str | None = None) -> list[str]:
        return [reason for t, reason, _ in self.items if type_ is None or t == type_]

    def of(self, reason: str) -> list[tuple[str, str, str]]:
        return [item for item in self.items if item[1] == reason]

    def clear(self) -> None:
        self.items.clear()


class OktaAdmin:
    """An Okta admin acting out of band, straight over HTTP (not through the operator's client)."""

    def __init__(self, http: httpx.AsyncClient) -> None:
        self.http = http

    async def _ok(self, response: httpx.Response) -> Any:
        assert response.status_code < 300, (
            f"{response.request.method} {response.request.url}: {response.text}"
        )
        return response.json() if response.content else None

    async def get_app(self, app_id: str) -> dict[str, Any]:
        data: dict[str, Any] = await self._ok(await self.http.get(f"/api/v1/apps/{app_id}"))
        return data

    async def put_app(self, app_id: str, body: dict[str, Any]) -> dict[str, Any]:
        data: dict[str, Any] = await self._ok(await self.http.put(f"/api/v1/apps/{app_id}", json=body))
        return data

    async def create_app(self, body: dict[str, Any]) -> dict[str, Any]:
        data: dict[str, Any] = await self._ok(await self.http.post("/api/v1/apps", json=body))
        return data

    async def deactivate_app(self, app_id: str) -> None:
        await self._ok(await self.http.post(f"/api/v1/apps/{app_id}/lifecycle/deactivate", json={}))

    async def delete_app(self, app_id: str) -> None:
        await self.deactivate_app(app_id)
        await self._ok(await self.http.delete(f"/api/v1/apps/{app_id}"))

    async def secrets(self, app_id: str) -> list[dict[str, Any]]:
        data: list[dict[str, Any]] = await self._ok(
            await self.http.get(f"/api/v1/apps/{app_id}/credentials/secrets")
        )
        return data

    async def rotate_secret(self, app_id: str) -> str:
        """Create a new client secret, then deactivate and delete every older one; return the new value."""
        old = await self.secrets(app_id)
        new = await self._ok(await self.http.post(f"/api/v1/apps/{app_id}/credentials/secrets", json={}))
        base = f"/api/v1/apps/{app_id}/credentials/secrets"
        for secret in old:
            await self._ok(await self.http.post(f"{base}/{secret['id']}/lifecycle/deactivate", json={}))
            await self._ok(await self.http.delete(f"{base}/{secret['id']}"))
        return str(new["client_secret"])

    async def assign_group(self, app_id: str, group_id: str) -> None:
        await self._ok(await self.http.put(f"/api/v1/apps/{app_id}/groups/{group_id}", json={}))


@dataclass
class Integration:
    """One OutSystemsOktaIntegration and its successive passes (status fed back like a merge patch)."""

    world: World
    namespace: str = NAMESPACE
    name: str = NAME
    uid: str = UID
    spec: dict[str, Any] = field(default_factory=dict)
    status: dict[str, Any] = field(default_factory=dict)
    generation: int = 1
    events: EventLog = field(default_factory=EventLog)
    outcomes: list[Outcome] = field(default_factory=list)
    options: Options | None = None
    annotations: dict[str, str] = field(default_factory=dict)
    # Writes status in the middle of a pass (the operator's KubeStatus); None: the routine does without.
    status_store: Any = None
    # Opens Okta for a pass (an OktaConnector); None: the world's, a new client per pass.
    connect: Any = None

    def resource(self) -> Resource:
        return Resource(
            namespace=self.namespace,
            name=self.name,
            uid=self.uid,
            generation=self.generation,
            spec=copy.deepcopy(self.spec),
            status=copy.deepcopy(self.status),
            annotations=dict(self.annotations),
        )

    def change_spec(self, **changes: Any) -> None:
        """Set top-level spec fields (None removes one); the generation moves as on the API server."""
        for key, value in changes.items():
            if value is None:
                self.spec.pop(key, None)
            else:
                self.spec[key] = copy.deepcopy(value)
        self.generation += 1

    async def reconcile(self) -> Outcome:
        outcome = await reconcile(
            self.resource(),
            connect=self.connect or self.world.connect,
            secrets=self.world.secrets,
            events=self.events,
            options=self.options or self.world.options,
            status_store=self.status_store,
        )
        self.outcomes.append(outcome)
        # JSON merge patch on .status: top-level keys replaced, others kept.
        self.status.update(copy.deepcopy(outcome.status))
        self.world.harvest()
        return outcome

    async def finalize(self) -> Outcome | None:
        outcome = await finalize(
            self.resource(),
            connect=self.world.connect,
            secrets=self.world.secrets,
            events=self.events,
            options=self.options or self.world.options,
        )
        if outcome is not None:
            self.outcomes.append(outcome)
        self.world.harvest()
        return outcome

    # -- views ---------------------------------------------------------------------------------------

    @property
    def secret_name(self) -> str:
        return str(self.spec.get("secretName") or f"{self.name}-lifetime")

    def secret(self) -> dict[str, str] | None:
        return self.world.secrets.values(self.namespace, self.secret_name)

    def app_id(self, role: str) -> str:
        return str(self.status[role]["appId"])

    def ready(self) -> dict[str, Any]:
        return next(c for c in self.status["conditions"] if c["type"] == "Ready")


class World:
    """The sandbox, the Kubernetes edge and everything a test needs to look at."""

    def __init__(self, sandbox: OktaSandbox, admin: OktaAdmin) -> None:
        self.sb = sandbox
        self.admin = admin
        self.secrets = MemorySecrets()
        self.sleeper = Sleeper()
        self.client_sleeper = Sleeper()
        self.options = Options(
            allow_insecure_loopback=True, recheck_delay=0, sleep=self.sleeper, now=lambda: NOW
        )
        self.integrations: list[Integration] = []
        self.connections: list[str] = []
        # Every credential the tests ever handed out or saw: none may leak into status or Events.
        self.secret_values: set[str] = {TOKEN}

    @asynccontextmanager
    async def _connect(self, org_url: str, token: str) -> AsyncIterator[OktaApi]:
        self.connections.append(org_url)
        async with OktaClient(org_url, token, retry=FAST, timeout=5.0, sleep=self.client_sleeper) as client:
            yield client

    @property
    def connect(self) -> Any:
        return self._connect

    def access_policy_reads(self, server_id: str = "default") -> list[tuple[str, str]]:
        """The access-policy check's reads on a seeded org: its one policy, then that policy's rules."""
        [policy] = self.sb.state.auth_servers[server_id].policies.all()
        base = f"/api/v1/authorizationServers/{server_id}/policies"
        return [("GET", base), ("GET", f"{base}/{policy.id}/rules")]

    def integration(self, *, with_token: bool = True, **fields: Any) -> Integration:
        fields.setdefault("spec", base_spec(self.sb.url))
        integration = Integration(world=self, **fields)
        if with_token and self.secrets.get(integration.namespace, CREDENTIALS) is None:
            self.secrets.put_token(integration.namespace, TOKEN)
        self.integrations.append(integration)
        return integration

    def insecure_options(self) -> Options:
        return replace(self.options, allow_insecure_loopback=False)

    # -- the sandbox, read-only views -------------------------------------------------------------

    def apps(self) -> list[dict[str, Any]]:
        apps: list[dict[str, Any]] = self.sb.dump_state()["apps"]
        return apps

    def app(self, app_id: str) -> dict[str, Any] | None:
        return next((a for a in self.apps() if a["id"] == app_id), None)

    def active_secrets(self, app_id: str) -> list[str]:
        return [s.value for s in self.sb.state.apps[app_id].secrets if s.status == "ACTIVE"]

    def group_id(self, name: str) -> str:
        return next(g.id for g in self.sb.state.groups.values() if g.name == name)

    def assigned(self, app_id: str) -> set[str]:
        return set(self.sb.state.apps[app_id].assignments)

    def requests(self) -> list[RecordedRequest]:
        return list(self.sb.requests)

    def writes(self) -> list[RecordedRequest]:
        return [r for r in self.sb.requests if r.is_write]

    def calls(self, method: str, path: str) -> list[RecordedRequest]:
        return [r for r in self.sb.requests if r.method == method and r.path == path]

    # -- leak scan ---------------------------------------------------------------------------------

    def harvest(self) -> None:
        """Remember every client secret the sandbox holds or ever sent, before logs are cleared."""
        for app in self.sb.state.apps.values():
            self.secret_values.update(s.value for s in app.secrets)
        for request in self.sb.requests:
            self.secret_values.update(_client_secrets(request.request_body))
            self.secret_values.update(_client_secrets(request.response_body))

    def assert_no_leaks(self) -> None:
        """No token or client secret in any Outcome message, status value or Event, for any resource."""
        self.harvest()
        texts: list[str] = []
        for integration in self.integrations:
            texts.extend(message for _, _, message in integration.events.items)
            texts.extend(reason for _, reason, _ in integration.events.items)
            for outcome in integration.outcomes:
                texts.append(outcome.message)
                texts.append(json.dumps(outcome.status))
            texts.append(json.dumps(integration.status))
        for value in self.secret_values:
            assert len(value) >= 8
            for text in texts:
                assert value not in text, "a credential leaked into an Outcome, a status or an Event"


def _client_secrets(body: Any) -> Iterator[str]:
    if isinstance(body, dict):
        for key, value in body.items():
            if key == "client_secret" and isinstance(value, str):
                yield value
            else:
                yield from _client_secrets(value)
    elif isinstance(body, list):
        for item in body:
            yield from _client_secrets(item)


@pytest.fixture
async def sandbox() -> AsyncIterator[OktaSandbox]:
    sb = OktaSandbox(token=TOKEN, groups=SEED_GROUPS)
    await sb.start("127.0.0.1", 0)
    try:
        yield sb
    finally:
        await sb.stop()


@pytest.fixture
async def admin(sandbox: OktaSandbox) -> AsyncIterator[OktaAdmin]:
    headers = {"Authorization": f"SSWS {TOKEN}", "Accept": "application/json"}
    async with httpx.AsyncClient(base_url=sandbox.url, headers=headers, timeout=5.0) as http:
        yield OktaAdmin(http)


@pytest.fixture
async def world(sandbox: OktaSandbox, admin: OktaAdmin) -> AsyncIterator[World]:
    w = World(sandbox, admin)
    yield w
    # Whatever the scenario, nothing secret may have reached an Outcome, a status or an Event.
    w.assert_no_leaks()
