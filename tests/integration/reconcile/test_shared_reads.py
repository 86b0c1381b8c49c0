"""Shared reads against the Okta sandbox: what a first convergence and a drift round of many
integrations on one org cost in Okta calls, and that sharing never makes a duplicate app.

The passes run the real routine through `SharedReads.connector` (what the operator's handlers use) with
a clock the test moves, so "within the window" and "after the previous pass" are exact.
"""

from __future__ import annotations

import asyncio
import math
from typing import Any

from outsystems_okta.okta.shared_reads import SharedReads
from outsystems_okta.plan.conditions import Reason

from .conftest import CONSOLES, World, base_spec

N = 10
GROUP = "OutSystems IT"


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def many(world: World, reads: SharedReads, count: int = N) -> list[Any]:
    integrations = []
    for index in range(count):
        spec = base_spec(
            world.sb.url,
            access={"groups": [GROUP]},
            appLabels={"consoles": f"Consoles {index}", "developmentTools": f"Tools {index}"},
        )
        it = world.integration(name=f"factory-{index}", uid=f"uid-{index:04d}", spec=spec)
        it.connect = reads.connector(world.connect, it.uid, fresh=False)
        integrations.append(it)
    return integrations


def reads_and_writes(world: World) -> tuple[int, int]:
    return len([r for r in world.requests() if not r.is_write]), len(world.writes())


async def test_one_integration_converges_in_seven_calls_plus_the_two_access_policy_reads(
    world: World,
) -> None:
    reads = SharedReads(ttl=120.0, clock=Clock())
    [it] = many(world, reads, 1)

    outcome = await it.reconcile()

    assert outcome.ready, outcome.message
    cid, tid = it.app_id("consoles"), it.app_id("developmentTools")
    group = world.group_id(GROUP)
    # Authorization server, one app scan, two creates, one group lookup, two assignments (7), then
    # the access-policy check: the server's policies and their rules (2). No assignment of a new app read.
    assert sorted((r.method, r.path) for r in world.requests()) == sorted(
        [
            ("GET", "/api/v1/authorizationServers/default"),
            ("GET", "/api/v1/apps"),
            ("GET", "/api/v1/groups"),
            ("POST", "/api/v1/apps"),
            ("POST", "/api/v1/apps"),
            ("PUT", f"/api/v1/apps/{cid}/groups/{group}"),
            ("PUT", f"/api/v1/apps/{tid}/groups/{group}"),
            *world.access_policy_reads(),
        ]
    )


async def test_ten_integrations_converging_at_once_share_their_reads(world: World) -> None:
    reads = SharedReads(ttl=120.0, clock=Clock())
    integrations = many(world, reads)

    outcomes = await asyncio.gather(*(it.reconcile() for it in integrations))

    assert all(o.ready for o in outcomes), [o.message for o in outcomes]
    assert len(world.apps()) == 2 * N
    read_count, write_count = reads_and_writes(world)
    # The writes are each integration's own (2 creates, 2 assignments); the reads are made once for all:
    # server, scan, group lookup, policies, rules.
    assert write_count == 4 * N
    assert read_count == 5, [r.path for r in world.requests() if not r.is_write]
    assert (read_count + write_count) / N < 9


async def test_a_drift_round_of_ten_integrations_costs_n_plus_the_shared_reads_and_no_write(
    world: World,
) -> None:
    clock = Clock()
    reads = SharedReads(ttl=120.0, clock=clock)
    integrations = many(world, reads)
    for it in integrations:
        assert (await it.reconcile()).ready
        clock.now += 1.0
    world.sb.clear_requests()

    # The drift timers fire spread over a few seconds, all within the TTL of the round's first read.
    clock.now += 60.0
    for it in integrations:
        outcome = await it.reconcile()
        assert outcome.ready and outcome.reason is Reason.RECONCILED
        clock.now += 2.0

    read_count, write_count = reads_and_writes(world)
    apps, groups, servers = len(world.apps()), 1, 1
    # Per integration only the Consoles app's client secrets (N); shared: the scan (a page per 200 apps),
    # per group its lookup and its apps (2), per authorization server the server, its policies, their
    # rules (3).
    assert write_count == 0
    assert read_count <= N + math.ceil(apps / 200) + 2 * groups + 3 * servers
    paths = [r.path for r in world.requests()]
    assert paths.count("/api/v1/apps") == 1
    assert sum(p.endswith("/credentials/secrets") for p in paths) == N
    assert not [p for p in paths if p.startswith("/api/v1/apps/") and p.count("/") == 4], "no read per app"


async def test_a_hand_edit_is_seen_once_the_snapshot_is_older_than_the_ttl(world: World) -> None:
    clock = Clock()
    reads = SharedReads(ttl=30.0, clock=clock)
    first, second = many(world, reads, 2)
    assert (await first.reconcile()).ready
    clock.now += 1.0
    # A pass a person asked for takes a new scan, which the first integration's next pass may use
    # (it started after that integration's previous pass ended)...
    second.connect = reads.connector(world.connect, second.uid, fresh=True)
    assert (await second.reconcile()).ready
    consoles = first.app_id("consoles")
    app = await world.admin.get_app(consoles)
    app["settings"]["oauthClient"]["redirect_uris"] = app["settings"]["oauthClient"]["redirect_uris"][:1]
    app.pop("_links", None)
    await world.admin.put_app(consoles, app)
    world.sb.clear_requests()

    # ...but not once it is older than the TTL: the hand edit (made after that scan) is seen and undone.
    clock.now += 30.5
    assert (await first.reconcile()).ready
    assert [r.path for r in world.requests()].count("/api/v1/apps") == 1
    assert ("PUT", f"/api/v1/apps/{consoles}") in [(r.method, r.path) for r in world.writes()]
    assert "OktaAppUpdated" in first.events.reasons()


async def test_within_the_ttl_a_pass_uses_a_newer_snapshot_than_its_previous_pass(world: World) -> None:
    # The same as above, 10 s earlier: the scan is shared, and the edit waits for the TTL (or a pass a
    # person asks for). This is the saving, and the price: a hand edit is seen within the TTL.
    clock = Clock()
    reads = SharedReads(ttl=30.0, clock=clock)
    first, second = many(world, reads, 2)
    assert (await first.reconcile()).ready
    clock.now += 1.0
    second.connect = reads.connector(world.connect, second.uid, fresh=True)
    assert (await second.reconcile()).ready
    world.sb.clear_requests()

    clock.now += 20.0
    assert (await first.reconcile()).ready
    assert [r.path for r in world.requests()].count("/api/v1/apps") == 0
    assert world.writes() == []


async def test_a_pass_never_reuses_a_scan_older_than_its_own_previous_pass_so_no_duplicate(
    world: World,
) -> None:
    # An integration creates its Consoles app but loses the answer, and its search for the app fails
    # too: the pass fails with the app in Okta and not in status. Its next pass, a moment later and
    # well within the TTL, must not use the scan taken before that create (it would not show the app,
    # and a second app would be created): it scans again and finds the app by its marker.
    clock = Clock()
    reads = SharedReads(ttl=120.0, clock=clock)
    other, it = many(world, reads, 2)
    assert (await other.reconcile()).ready  # takes the scan the second integration's first pass uses
    clock.now += 1.0
    world.sb.lose_responses(1, method="POST", path_prefix="/api/v1/apps")
    world.sb.inject_fault(503, 3, method="GET", path_prefix="/api/v1/apps")

    failed = await it.reconcile()

    assert not failed.ready
    assert "consoles" not in it.status
    mine = [a for a in world.apps() if a["label"] == "Consoles 1"]
    assert len(mine) == 1

    clock.now += 1.0
    assert (await it.reconcile()).ready
    assert [a["id"] for a in world.apps() if a["label"] == "Consoles 1"] == [mine[0]["id"]]
    assert it.app_id("consoles") == mine[0]["id"]
    assert CONSOLES not in {a["label"] for a in world.apps()}
