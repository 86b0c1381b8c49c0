"""Pause, Observe and drift corrections, through the real routine against the Okta sandbox over HTTP."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from tests.integration.reconcile.conftest import CONSOLES_LOGIN, LIFETIME, TOKEN, World
from tests.integration.reconcile.test_reconcile_routine import assert_ready, converged
from tests.integration.reconcile.test_reconcile_sign_in import POLICIES, _ours, managed

from outsystems_okta.api.constants import ANNOTATION_PAUSED
from outsystems_okta.okta import OktaClient
from outsystems_okta.plan.conditions import Reason
from outsystems_okta.reconcile.read_only import OktaWriteRefused, ReadOnlyOkta, ReadOnlySecrets

REDIRECTS = "settings.oauthClient.redirect_uris"


def condition(status: dict[str, Any], type_: str) -> dict[str, Any]:
    return next((c for c in status.get("conditions") or [] if c["type"] == type_), {})


async def _edit_redirects(world: World, app_id: str) -> None:
    app = await world.admin.get_app(app_id)
    app["settings"]["oauthClient"]["redirect_uris"] = app["settings"]["oauthClient"]["redirect_uris"][:1]
    await world.admin.put_app(app_id, app)


async def test_a_paused_pass_reads_reports_and_writes_nothing(world: World) -> None:
    it = await converged(world)
    ready_before = dict(it.ready())
    cid = it.app_id("consoles")
    it.annotations[ANNOTATION_PAUSED] = "true"
    await _edit_redirects(world, cid)
    it.change_spec(environments=[{"name": "dev", "hostname": "dev.acme.com"}])
    world.sb.clear_requests()

    first = await it.reconcile()
    second = await it.reconcile()

    assert world.writes() == [] and world.secrets.writes == []
    assert (first.ready, first.reason, first.retry_after) == (True, Reason.PAUSED, None)
    assert it.ready() == ready_before and it.status["observedGeneration"] == 1
    assert condition(it.status, "Paused")["status"] == "True"
    assert [(d["app"], d["field"]) for d in it.status["drift"]] == [
        ("consoles", REDIRECTS),
        ("consoles", "settings.oauthClient.post_logout_redirect_uris"),
        ("developmentTools", REDIRECTS),
    ]
    assert second.status.get("drift") == first.status["drift"]  # stable: an unchanged drift writes nothing
    assert it.events.reasons() == ["Paused", "DriftObserved"]

    del it.annotations[ANNOTATION_PAUSED]
    resumed = await it.reconcile()
    assert_ready(resumed, it)
    assert condition(it.status, "Paused")["reason"] == "Resumed"
    assert "Synced" not in [c["type"] for c in it.status["conditions"]] and it.status["drift"] is None
    assert "Resumed" in it.events.reasons() and "DriftCorrected" not in it.events.reasons()
    assert resumed.corrected == ()


async def test_a_paused_deletion_waits_and_touches_nothing(world: World) -> None:
    it = await converged(world)
    it.spec["deletionPolicy"] = "Delete"
    it.annotations[ANNOTATION_PAUSED] = "true"
    waiting = await it.finalize()
    assert waiting is not None and waiting.retry_after == 10.0 and waiting.reason is Reason.PAUSED
    assert "Deletion waits" in condition(waiting.status, "Paused")["message"]
    assert world.requests() == []
    assert it.events.reasons() == ["DeletionPaused"]

    del it.annotations[ANNOTATION_PAUSED]
    assert await it.finalize() is None
    assert all(app["status"] == "DELETED" for app in world.apps()) or world.apps() == []


async def test_observe_reports_drift_and_never_writes(world: World) -> None:
    it = await converged(world)
    cid = it.app_id("consoles")
    secret_before = it.secret()
    it.change_spec(managementPolicy="Observe")
    outcome = await it.reconcile()
    assert (outcome.ready, outcome.reason) == (True, Reason.OBSERVED)
    assert condition(it.status, "Synced")["status"] == "True"

    await _edit_redirects(world, cid)
    world.sb.clear_requests()
    outcome = await it.reconcile()
    assert (outcome.ready, outcome.reason) == (True, Reason.OBSERVED)
    assert outcome.message.endswith(": 1 difference(s) in status.drift")
    assert condition(it.status, "Synced")["reason"] == "Drifted"
    [item] = it.status["drift"]
    assert (item["app"], item["field"]) == ("consoles", REDIRECTS)
    assert item["found"] == f'["https://{LIFETIME}{CONSOLES_LOGIN}"]'
    assert "dev.acme.com" in item["wanted"] and "prod.acme.com" in item["wanted"]
    assert world.writes() == [] and world.secrets.writes == [] and it.secret() == secret_before


async def test_observe_without_a_server_is_not_ready_and_synced_unknown(world: World) -> None:
    it = world.integration()
    it.spec["managementPolicy"] = "Observe"
    it.spec["okta"]["authorizationServerId"] = "nosuchserver"
    outcome = await it.reconcile()
    assert (outcome.ready, outcome.reason) == (False, Reason.OKTA_AUTH_SERVER_NOT_FOUND)
    assert condition(it.status, "Synced")["status"] == "Unknown"
    assert world.writes() == []


async def test_an_invalid_observe_spec_is_reported_as_any_invalid_spec(world: World) -> None:
    it = world.integration()
    it.spec["managementPolicy"] = "Observe"
    it.spec["environments"] = []
    outcome = await it.reconcile()
    assert (outcome.ready, outcome.reason) == (False, Reason.INVALID_SPEC)
    assert world.requests() == []


@pytest.mark.parametrize(
    ("method", "args"),
    [
        ("create_app", ({},)),
        ("replace_app", ("0oa1", {})),
        ("activate_app", ("0oa1",)),
        ("deactivate_app", ("0oa1",)),
        ("delete_app", ("0oa1",)),
        ("assign_group", ("0oa1", "00g1")),
        ("unassign_group", ("0oa1", "00g1")),
        ("assign_app_policy", ("0oa1", "rst1")),
        ("activate_access_policy", ("default", "00p1")),
        ("delete_access_policy", ("default", "00p1")),
        ("activate_access_policy_rule", ("default", "00p1", "0pr1")),
    ],
)
async def test_the_read_only_client_refuses_every_write_before_sending_it(
    world: World, method: str, args: tuple[Any, ...]
) -> None:
    async with OktaClient(world.sb.url, TOKEN) as client:
        okta = ReadOnlyOkta(client)
        with pytest.raises(OktaWriteRefused):
            await getattr(okta, method)(*args)
        assert (await okta.get_authorization_server("default"))["id"] == "default"
    assert [r.method for r in world.requests()] == ["GET"]


async def test_observe_compares_the_access_policy_it_would_keep(world: World) -> None:
    it = world.integration(spec=managed(world))
    assert (await it.reconcile()).ready
    ours = _ours(world)
    [our_rule] = ours["rules"]
    base = f"{POLICIES}/{ours['id']}"
    edited = copy.deepcopy(our_rule)
    edited["conditions"]["grantTypes"]["include"] = ["authorization_code", "implicit"]
    for key in ("id", "created", "lastUpdated", "_links"):
        edited.pop(key)
    assert (await world.admin.http.put(f"{base}/rules/{our_rule['id']}", json=edited)).status_code == 200
    assert (await world.admin.http.post(f"{base}/lifecycle/deactivate")).status_code == 204
    it.change_spec(managementPolicy="Observe")
    world.sb.clear_requests()

    outcome = await it.reconcile()

    assert (outcome.ready, outcome.reason) == (True, Reason.OBSERVED)
    assert it.status["drift"] == [
        {"app": "accessPolicy", "field": "status", "wanted": "ACTIVE", "found": "INACTIVE"},
        {
            "app": "accessPolicy",
            "field": "rule.grant types",
            "wanted": '["authorization_code"]',
            "found": '["authorization_code", "implicit"]',
        },
    ]
    assert world.writes() == []

    # Back to Manage: the same generation was never Ready under Manage, so this is a spec change.
    it.change_spec(managementPolicy=None)
    assert (await it.reconcile()).ready
    assert "DriftCorrected" not in it.events.reasons()
    assert it.status["drift"] is None


async def test_observe_without_credentials_reports_them_as_manage_does(world: World) -> None:
    it = world.integration(with_token=False)
    it.spec["managementPolicy"] = "Observe"
    outcome = await it.reconcile()
    assert (outcome.ready, outcome.reason) == (False, Reason.CREDENTIALS_NOT_FOUND)
    assert world.requests() == [] and world.secrets.writes == []


async def test_the_read_only_secret_store_reads_and_refuses_writes(world: World) -> None:
    world.secrets.put_token("outsystems", TOKEN)
    store = ReadOnlySecrets(world.secrets)
    assert await store.read("outsystems", "okta-api") is not None
    with pytest.raises(OktaWriteRefused):
        await store.write({"metadata": {"namespace": "outsystems", "name": "x"}})
    with pytest.raises(OktaWriteRefused):
        await store.delete("outsystems", "okta-api")
    assert world.secrets.writes == [] and world.secrets.deletes == []
