"""Two apps with this resource's marker for one role (plan/duplicates.py) against the Okta sandbox: a
create Okta applied late is deleted by a later pass; an app LifeTime was handed never is."""

from __future__ import annotations

import asyncio
import copy
from dataclasses import replace
from typing import Any

from outsystems_okta.plan.conditions import Reason
from outsystems_okta.reconcile.options import utc_now
from outsystems_okta.reconcile.outcome import TRANSIENT_DELAY
from outsystems_okta.reconcile.preview import preview

from .conftest import CONSOLES, TOKEN, Integration, World
from .test_reconcile_routine import assert_not_ready, assert_ready, assert_steady


def consoles_apps(world: World) -> list[str]:
    return [str(a["id"]) for a in world.apps() if a["label"] == CONSOLES]


def young(world: World) -> Integration:
    # The apps are as young as the clock says: a pass looks for a late twin of a young app only.
    return world.integration(options=replace(world.options, now=utc_now))


async def twin_of(world: World, app_id: str) -> str:
    """A second app with the same marker, as a create Okta applied late would leave."""
    body: dict[str, Any] = copy.deepcopy(await world.admin.get_app(app_id))
    for key in ("id", "_links", "_embedded", "created", "lastUpdated", "status"):
        body.pop(key, None)
    body["credentials"]["oauthClient"].pop("client_id", None)
    created: dict[str, Any] = await world.admin.create_app(body)
    return str(created["id"])


async def test_a_create_okta_applies_after_the_pass_gave_up_is_deleted_by_a_later_pass(world: World) -> None:
    it = young(world)
    world.sb.lose_responses(1, method="POST", path_prefix="/api/v1/apps", apply_after=0.3)

    failed = await it.reconcile()  # the create's connection dropped; nothing to find yet
    assert_not_ready(failed, it, Reason.OKTA_UNAVAILABLE, TRANSIENT_DELAY)
    assert world.apps() == []
    assert_ready(await it.reconcile(), it)  # the retry creates the app
    await asyncio.sleep(0.6)
    tracked = it.app_id("consoles")
    [late] = set(consoles_apps(world)) - {tracked}  # ... and then Okta applies the first create

    it.events.clear()
    outcome = await it.reconcile()

    assert_ready(outcome, it)
    assert consoles_apps(world) == [tracked]
    assert world.app(late) is None
    deletes = [(r.method, r.path) for r in world.writes() if r.path.startswith(f"/api/v1/apps/{late}")]
    assert deletes[-1] == ("DELETE", f"/api/v1/apps/{late}")
    [(kind, _, message)] = [e for e in it.events.items if e[1] == "DuplicateOktaAppDeleted"]
    assert kind == "Normal" and late in message and tracked in message
    await assert_steady(world, it)


async def test_a_twin_lifetime_was_handed_is_left_with_a_warning(world: World) -> None:
    it = young(world)
    assert_ready(await it.reconcile(), it)
    handed = it.app_id("consoles")  # in status and in the Secret
    twin = await twin_of(world, handed)
    # Status now tracks the twin (as after a restore of an old status): the Secret still names `handed`.
    it.status["consoles"] = {**it.status["consoles"], "appId": twin, "clientId": twin}

    await it.reconcile()

    assert sorted(consoles_apps(world)) == sorted([handed, twin]), "an app LifeTime holds was deleted"
    warnings = [m for kind, reason, m in it.events.items if reason == "DuplicateOktaApps"]
    assert warnings and handed in warnings[0] and kind_of(it, "DuplicateOktaApps") == "Warning"
    assert "DuplicateOktaAppDeleted" not in it.events.reasons()


def app_listings(world: World) -> list[dict[str, str]]:
    return [dict(r.query) for r in world.requests() if r.method == "GET" and r.path == "/api/v1/apps"]


async def test_an_old_app_costs_no_marker_search(world: World) -> None:
    # The world's clock is years after the sandbox made the apps: a steady pass reads the org's apps
    # once (the shared scan that finds the recorded apps) and searches nothing.
    it = world.integration()
    assert_ready(await it.reconcile(), it)
    world.sb.clear_requests()
    assert_ready(await it.reconcile(), it)
    assert app_listings(world) == [{"limit": "200"}]


async def test_a_young_app_is_looked_after_and_a_lone_one_left_alone(world: World) -> None:
    # Looking for a late twin costs nothing beyond the scan the pass makes anyway.
    it = young(world)
    assert_ready(await it.reconcile(), it)
    world.sb.clear_requests()
    assert_ready(await it.reconcile(), it)
    assert app_listings(world) == [{"limit": "200"}]
    assert [r for r in world.writes()] == []


def kind_of(it: Integration, reason: str) -> str:
    return next(kind for kind, r, _ in it.events.items if r == reason)


async def test_a_preview_with_two_marked_apps_reads_no_secret_and_deletes_nothing(world: World) -> None:
    it = young(world)
    assert_ready(await it.reconcile(), it)
    twin = await twin_of(world, it.app_id("consoles"))
    it.status.pop("consoles")  # status lost: the survey goes by marker and finds both
    world.sb.clear_requests()
    async with world.connect(world.sb.url, TOKEN) as okta:
        plan = await preview(it.resource(), okta, world.sb.url, replace(world.options, now=utc_now))
    assert not plan.problems
    assert world.writes() == []
    assert twin in consoles_apps(world) and len(consoles_apps(world)) == 2
