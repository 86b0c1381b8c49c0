"""Shared reads (okta/shared_reads.py): the real OktaClient over a scripted Okta (httpx.MockTransport),
a clock the test moves; what is read once, what is read again, and what writes do to snapshots."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest

from outsystems_okta.okta import OktaClient
from outsystems_okta.okta.credentials import Credentials
from outsystems_okta.okta.shared_reads import SharedOkta, SharedReads

ORG = "https://acme.okta.com"
TOKEN = "00SECRETtokenVALUE-abcdefghijklmnop"
GROUP = "00gIT000000000000001"


def app(app_id: str, status: str = "ACTIVE", **more: Any) -> dict[str, Any]:
    return {"id": app_id, "label": f"App {app_id}", "status": status, **more}


class FakeOkta:
    """Just enough of Okta: apps, one group's assignments, one authorization server; counts reads."""

    def __init__(self) -> None:
        self.apps = {a["id"]: a for a in (app("0oa1"), app("0oa2"))}
        self.assigned: set[str] = {"0oa1"}
        self.requests: list[tuple[str, str]] = []
        self.gate: asyncio.Event | None = None  # holds reads until set (single-flight tests)
        self.policies: list[dict[str, Any]] = []

    def reads(self, path: str) -> int:
        return sum(1 for method, p in self.requests if method == "GET" and p == path)

    async def __call__(self, request: httpx.Request) -> httpx.Response:
        method, path = request.method, request.url.path
        self.requests.append((method, path))
        if method == "GET" and self.gate is not None:
            await self.gate.wait()
        if method == "GET" and path.startswith("/api/v1/apps/") and path.count("/") == 4:
            found = self.apps.get(path.split("/")[4])
            if found is not None:
                return httpx.Response(200, json=found)
        if method == "GET" and path == "/api/v1/apps":
            return httpx.Response(200, json=list(self.apps.values()))
        if method == "POST" and path == "/api/v1/apps":
            created = app("0oaNEW", credentials={"oauthClient": {"client_secret": "s3cr3t-value"}})
            self.apps["0oaNEW"] = created
            return httpx.Response(200, json=created)
        if method == "PUT" and path.startswith("/api/v1/apps/") and path.count("/") == 4:
            body = json.loads(request.content)
            self.apps[body["id"]] = body
            return httpx.Response(200, json=body)
        if method == "POST" and path.endswith("/lifecycle/deactivate"):
            self.apps[path.split("/")[4]]["status"] = "INACTIVE"
            return httpx.Response(200, json={})
        if method == "DELETE" and path.startswith("/api/v1/apps/") and path.count("/") == 4:
            self.apps.pop(path.split("/")[4], None)
            return httpx.Response(204)
        if path == f"/api/v1/groups/{GROUP}/apps":
            return httpx.Response(200, json=[self.apps[i] for i in sorted(self.assigned) if i in self.apps])
        if method == "PUT" and path.endswith(f"/groups/{GROUP}"):
            self.assigned.add(path.split("/")[4])
            return httpx.Response(200, json={"id": GROUP})
        if method == "DELETE" and path.endswith(f"/groups/{GROUP}"):
            self.assigned.discard(path.split("/")[4])
            return httpx.Response(204)
        if path == "/api/v1/groups":
            return httpx.Response(200, json=[{"id": GROUP, "type": "OKTA_GROUP", "profile": {"name": "IT"}}])
        if path == "/api/v1/authorizationServers/default":
            return httpx.Response(200, json={"id": "default", "issuer": f"{ORG}/oauth2/default"})
        if path == "/api/v1/authorizationServers/default/policies":
            return httpx.Response(200, json=self.policies)
        return httpx.Response(404, json={"errorCode": "E0000007", "errorSummary": "Not found"})


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def okta() -> FakeOkta:
    return FakeOkta()


@pytest.fixture
async def client(okta: FakeOkta) -> AsyncIterator[OktaClient]:
    async with OktaClient(ORG, TOKEN, transport=httpx.MockTransport(okta)) as made:
        yield made


def shared(client: OktaClient, clock: Clock, ttl: float = 120.0) -> SharedReads:
    return SharedReads(ttl, clock=clock)


def pass_of(reads: SharedReads, client: OktaClient, uid: str, *, fresh: bool = False) -> Any:
    @asynccontextmanager
    async def connect(org_url: str, token: str | Credentials) -> AsyncIterator[OktaClient]:
        yield client

    return reads.connector(connect, uid, fresh=fresh)(ORG, TOKEN)


async def test_passes_of_one_org_share_one_scan_one_group_listing_one_server_read(
    okta: FakeOkta, client: OktaClient
) -> None:
    clock = Clock()
    reads = shared(client, clock)
    for index in range(10):
        async with pass_of(reads, client, f"uid-{index}") as view:
            assert {a["id"] for a in await view.list_apps()} == {"0oa1", "0oa2"}
            assert [a["id"] for a in await view.list_group_apps(GROUP)] == ["0oa1"]
            assert (await view.find_group("IT"))["id"] == GROUP
            assert (await view.get_authorization_server("default"))["id"] == "default"
            assert await view.list_access_policies("default") == []
        clock.now += 5
    for path in (
        "/api/v1/apps",
        f"/api/v1/groups/{GROUP}/apps",
        "/api/v1/groups",
        "/api/v1/authorizationServers/default",
        "/api/v1/authorizationServers/default/policies",
    ):
        assert okta.reads(path) == 1, path


async def test_a_pass_never_uses_a_snapshot_older_than_its_previous_pass(
    okta: FakeOkta, client: OktaClient
) -> None:
    clock = Clock()
    reads = shared(client, clock)
    async with pass_of(reads, client, "a") as view:
        await view.list_apps()
    clock.now += 1
    async with pass_of(reads, client, "b") as view:
        await view.list_apps()  # b has no previous pass: a's snapshot is fine
    assert okta.reads("/api/v1/apps") == 1
    clock.now += 1
    async with pass_of(reads, client, "a") as view:
        await view.list_apps()  # the snapshot predates a's previous pass's end: read again
    assert okta.reads("/api/v1/apps") == 2


async def test_a_snapshot_expires_after_the_ttl_and_a_fresh_pass_reads_anew(
    okta: FakeOkta, client: OktaClient
) -> None:
    clock = Clock()
    reads = shared(client, clock, ttl=30.0)
    async with pass_of(reads, client, "a") as view:
        await view.get_authorization_server("default")
    clock.now += 31
    async with pass_of(reads, client, "b") as view:
        await view.get_authorization_server("default")
    assert okta.reads("/api/v1/authorizationServers/default") == 2
    clock.now += 1
    async with pass_of(reads, client, "c", fresh=True) as view:
        await view.get_authorization_server("default")
    assert okta.reads("/api/v1/authorizationServers/default") == 3
    async with pass_of(reads, client, "d") as view:
        await view.get_authorization_server("default")
    assert okta.reads("/api/v1/authorizationServers/default") == 3


async def test_concurrent_identical_reads_are_one_request(okta: FakeOkta, client: OktaClient) -> None:
    reads = shared(client, Clock())
    okta.gate = asyncio.Event()

    async def one(uid: str) -> set[str]:
        async with pass_of(reads, client, uid) as view:
            return {a["id"] for a in await view.list_apps()}

    waiting = [asyncio.ensure_future(one(f"uid-{i}")) for i in range(20)]
    await asyncio.sleep(0.01)
    okta.gate.set()
    assert all(found == {"0oa1", "0oa2"} for found in await asyncio.gather(*waiting))
    assert okta.reads("/api/v1/apps") == 1


async def test_a_cancelled_reader_does_not_cancel_the_read_for_the_others(
    okta: FakeOkta, client: OktaClient
) -> None:
    reads = shared(client, Clock())
    okta.gate = asyncio.Event()
    async with pass_of(reads, client, "a") as first, pass_of(reads, client, "b") as second:
        cancelled = asyncio.ensure_future(first.list_apps())
        kept = asyncio.ensure_future(second.list_apps())
        await asyncio.sleep(0.01)
        cancelled.cancel()
        okta.gate.set()
        assert len(await kept) == 2
    assert okta.reads("/api/v1/apps") == 1


async def test_a_failed_read_is_not_kept(okta: FakeOkta, client: OktaClient) -> None:
    reads = shared(client, Clock())
    async with pass_of(reads, client, "a") as view:
        with pytest.raises(Exception, match="404"):
            await view.get_authorization_server("nope")
        with pytest.raises(Exception, match="404"):
            await view.get_authorization_server("nope")
    assert okta.reads("/api/v1/authorizationServers/nope") == 2


async def test_writes_go_to_okta_and_bring_the_snapshot_up_to_date(
    okta: FakeOkta, client: OktaClient
) -> None:
    clock = Clock()
    reads = shared(client, clock)
    async with pass_of(reads, client, "writer") as view:
        await view.list_apps()
        await view.list_group_apps(GROUP)
        created = await view.create_app({"label": "new"})
        assert created["credentials"]["oauthClient"]["client_secret"] == "s3cr3t-value"
        await view.replace_app("0oa2", app("0oa2", label="Renamed"))
        await view.deactivate_app("0oa1")
        await view.assign_group("0oa2", GROUP)
        await view.unassign_group("0oa1", GROUP)
    # Another integration's pass shares the snapshot, and sees every write this process made.
    async with pass_of(reads, client, "reader") as view:
        apps = {a["id"]: a for a in await view.list_apps()}
        assert apps["0oa2"]["label"] == "Renamed"
        assert apps["0oa1"]["status"] == "INACTIVE"
        # A create's answer holds the client secret: a snapshot never does.
        assert "client_secret" not in apps["0oaNEW"]["credentials"]["oauthClient"]
        assert [a["id"] for a in await view.list_group_apps(GROUP)] == ["0oa2"]
        await view.delete_app("0oaNEW")
        assert "0oaNEW" not in {a["id"] for a in await view.list_apps()}
    assert okta.reads("/api/v1/apps") == 1 and okta.reads(f"/api/v1/groups/{GROUP}/apps") == 1
    assert ("POST", "/api/v1/apps") in okta.requests and ("DELETE", "/api/v1/apps/0oaNEW") in okta.requests
    assert "s3cr3t-value" not in repr(reads.org(ORG, TOKEN)._entries)


async def test_a_search_and_reads_by_id_always_go_to_okta(okta: FakeOkta, client: OktaClient) -> None:
    reads = shared(client, Clock())
    async with pass_of(reads, client, "a") as view:
        assert isinstance(view, SharedOkta)
        for _ in range(2):
            await view.list_apps(q="App")
            await view.get_app("0oa1")
    assert okta.requests.count(("GET", "/api/v1/apps")) == 2
    assert okta.reads("/api/v1/apps/0oa1") == 2


async def test_orgs_and_credentials_do_not_share(okta: FakeOkta, client: OktaClient) -> None:
    reads = shared(client, Clock())
    assert reads.org(ORG, TOKEN) is reads.org(ORG, TOKEN)
    assert reads.org(ORG, TOKEN) is not reads.org(ORG, "00anotherTOKEN-abcdefghijklmnop")
    assert reads.org(ORG, TOKEN) is not reads.org("https://other.okta.com", TOKEN)


async def test_only_the_most_recently_used_orgs_keep_snapshots(client: OktaClient) -> None:
    reads = SharedReads(120.0, clock=Clock(), max_orgs=2)
    a = reads.org(ORG, TOKEN)
    b = reads.org("https://b.okta.com", TOKEN)
    assert reads.org(ORG, TOKEN) is a  # used again: now the most recent
    reads.org("https://c.okta.com", TOKEN)  # evicts b, the least recently used
    assert reads.org(ORG, TOKEN) is a
    assert reads.org("https://b.okta.com", TOKEN) is not b


async def test_a_settled_snapshot_past_the_ttl_is_dropped(okta: FakeOkta, client: OktaClient) -> None:
    clock = Clock()
    reads = shared(client, clock, ttl=30.0)
    async with pass_of(reads, client, "a") as view:
        await view.list_apps()
        await view.find_group("IT")
    assert len(reads.org(ORG, TOKEN)) == 2
    clock.now += 31
    async with pass_of(reads, client, "b") as view:
        await view.get_authorization_server("default")
    # Only the read just made is kept: the scan and the group lookup were past the TTL.
    assert len(reads.org(ORG, TOKEN)) == 1


async def test_a_listing_that_carries_a_client_secret_is_kept_without_it(
    okta: FakeOkta, client: OktaClient
) -> None:
    okta.apps["0oa1"] = app("0oa1", credentials={"oauthClient": {"client_secret": "listed-s3cr3t"}})
    reads = shared(client, Clock())
    async with pass_of(reads, client, "a") as view:
        listed = {a["id"]: a for a in await view.list_apps()}
    assert listed["0oa1"]["credentials"] == {"oauthClient": {}}
    assert "listed-s3cr3t" not in repr(reads.org(ORG, TOKEN)._entries)


async def test_each_pass_gets_its_own_copy_of_the_shared_policies(okta: FakeOkta, client: OktaClient) -> None:
    okta.policies = [{"id": "00p1", "name": "Default Policy", "priority": 1, "status": "ACTIVE"}]
    reads = shared(client, Clock())
    async with pass_of(reads, client, "a") as view:
        [policy] = await view.list_access_policies("default")
        policy.priority += 1  # what planning a reorder does to its models
    async with pass_of(reads, client, "b") as view:
        [again] = await view.list_access_policies("default")
    assert again.priority == 1
    assert okta.reads("/api/v1/authorizationServers/default/policies") == 1
