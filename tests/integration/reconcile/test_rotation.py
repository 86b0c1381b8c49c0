"""The client secret rotation through the real reconcile routine against the Okta sandbox."""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from outsystems_okta.api.constants import ANNOTATION_CONFIRM_ROTATION, ANNOTATION_ROTATE_CLIENT_SECRET

if TYPE_CHECKING:
    from tests.integration.reconcile.conftest import Integration, World

SECRETS = "/credentials/secrets"


async def converged(world: World) -> tuple[Integration, str]:
    integration = world.integration()
    assert (await integration.reconcile()).ready
    integration.events.clear()
    return integration, integration.app_id("consoles")


def secret_writes(world: World) -> list[tuple[str, str]]:
    return [(r.method, r.path.split(SECRETS)[1]) for r in world.writes() if SECRETS in r.path]


async def test_a_full_rotation_pass_by_pass(world: World) -> None:
    integration, app_id = await converged(world)
    old = integration.secret()
    assert old is not None
    world.sb.clear_requests()

    integration.annotations[ANNOTATION_ROTATE_CLIENT_SECRET] = "2026-12"
    outcome = await integration.reconcile()
    # First the intent, with the secrets there are; no Okta write yet, and another pass asked for soon.
    assert outcome.ready and outcome.follow_up is not None and outcome.retry_after is None
    record = integration.status["clientSecretRotation"]
    assert record["phase"] == "Creating" and record["requested"] == "2026-12"
    assert record["knownSecretIds"] == [s["id"] for s in await world.admin.secrets(app_id)]
    assert secret_writes(world) == []
    assert integration.secret() == old
    assert integration.events.reasons() == ["ClientSecretRotationStarted"]

    outcome = await integration.reconcile()
    assert outcome.ready and outcome.follow_up is None
    assert secret_writes(world) == [("POST", "")]
    record = integration.status["clientSecretRotation"]
    assert record["phase"] == "AwaitingConfirmation" and record["startedAt"]
    values = integration.secret()
    assert values is not None
    assert values["previousWebClientSecret"] == old["webClientSecret"]
    assert values["webClientSecret"] != old["webClientSecret"]
    assert sorted(world.active_secrets(app_id)) == sorted([values["webClientSecret"], old["webClientSecret"]])
    assert integration.events.reasons("Warning") == ["ClientSecretRotationPending"]
    assert "LifeTimeUpdateRequired" not in integration.events.reasons(), "the rotation's Warning says it"

    # Waiting: passes change nothing, write nothing.
    writes = len(world.writes())
    assert (await integration.reconcile()).ready
    assert len(world.writes()) == writes and integration.secret() == values

    integration.annotations[ANNOTATION_CONFIRM_ROTATION] = "2026-12"
    assert (await integration.reconcile()).ready
    old_id = record["previousSecretId"]
    assert secret_writes(world)[1:] == [("POST", f"/{old_id}/lifecycle/deactivate"), ("DELETE", f"/{old_id}")]
    after = integration.secret()
    assert after is not None and "previousWebClientSecret" not in after
    assert after["webClientSecret"] == values["webClientSecret"]
    assert world.active_secrets(app_id) == [values["webClientSecret"]]
    assert len(await world.admin.secrets(app_id)) == 1
    record = integration.status["clientSecretRotation"]
    assert record["phase"] == "Completed" and record["completedAt"]
    assert "ClientSecretRotationCompleted" in integration.events.reasons("Normal")

    # Done: a steady pass writes nothing.
    writes = len(world.writes())
    assert (await integration.reconcile()).ready
    assert len(world.writes()) == writes


async def test_a_lost_create_response_is_found_again_not_made_twice(world: World) -> None:
    integration, app_id = await converged(world)
    integration.annotations[ANNOTATION_ROTATE_CLIENT_SECRET] = "r1"
    await integration.reconcile()
    world.sb.clear_requests()
    world.sb.lose_responses(1, method="POST", path_prefix=f"/api/v1/apps/{app_id}{SECRETS}")
    failed = await integration.reconcile()
    assert not failed.ready and integration.status["clientSecretRotation"]["phase"] == "Creating"
    assert len(await world.admin.secrets(app_id)) == 2

    assert (await integration.reconcile()).ready
    assert secret_writes(world) == [("POST", "")], "one create only, never retried nor repeated"
    assert integration.status["clientSecretRotation"]["phase"] == "AwaitingConfirmation"
    values = integration.secret()
    assert values is not None and set(world.active_secrets(app_id)) == {
        values["webClientSecret"],
        values["previousWebClientSecret"],
    }


async def test_two_secrets_already_block_the_rotation(world: World) -> None:
    integration, app_id = await converged(world)
    # An admin added a second secret by hand.
    await world.admin.http.post(f"/api/v1/apps/{app_id}{SECRETS}", json={})
    world.sb.clear_requests()
    integration.annotations[ANNOTATION_ROTATE_CLIENT_SECRET] = "r1"
    assert (await integration.reconcile()).ready
    record = integration.status["clientSecretRotation"]
    assert record["phase"] == "Blocked" and len(record["foreignSecretIds"]) == 1
    assert secret_writes(world) == []
    assert integration.events.reasons("Warning") == ["ClientSecretRotationBlocked"]


class StatusRecorder:
    """The status subresource as the operator's KubeStatus writes it: each record, in order."""

    def __init__(self, world: World) -> None:
        self.world = world
        self.records: list[tuple[str, str, dict[str, Any]]] = []
        self.okta_writes_before: list[int] = []

    async def record(self, namespace: str, name: str, fields: Mapping[str, Any]) -> None:
        self.records.append((namespace, name, copy.deepcopy(dict(fields))))
        self.okta_writes_before.append(len(self.world.writes()))


async def test_with_a_status_store_the_intent_is_written_before_the_create_in_the_same_pass(
    world: World,
) -> None:
    integration, app_id = await converged(world)
    recorder = StatusRecorder(world)
    integration.status_store = recorder
    world.sb.clear_requests()
    integration.annotations[ANNOTATION_ROTATE_CLIENT_SECRET] = "r1"

    outcome = await integration.reconcile()
    assert outcome.ready and outcome.follow_up is None
    [(namespace, name, fields)] = recorder.records
    assert (namespace, name) == (integration.namespace, integration.name)
    assert fields["clientSecretRotation"]["phase"] == "Creating"
    assert fields["clientSecretRotation"]["knownSecretIds"] == [
        s["id"]
        for s in await world.admin.secrets(app_id)
        if s["id"] != integration.status["clientSecretRotation"]["newSecretId"]
    ]
    assert recorder.okta_writes_before == [0], "on record before any Okta write"
    assert secret_writes(world) == [("POST", "")]
    assert integration.status["clientSecretRotation"]["phase"] == "AwaitingConfirmation"
    values = integration.secret()
    assert values is not None and "previousWebClientSecret" in values
    assert integration.events.reasons("Warning") == ["ClientSecretRotationPending"]

    # The record is written once per rotation: waiting and confirming need none.
    integration.annotations[ANNOTATION_CONFIRM_ROTATION] = "r1"
    assert (await integration.reconcile()).ready
    assert len(recorder.records) == 1
    assert integration.status["clientSecretRotation"]["phase"] == "Completed"


async def test_a_status_write_that_fails_stops_the_pass_before_the_create(world: World) -> None:
    integration, _ = await converged(world)

    class Refusing:
        async def record(self, namespace: str, name: str, fields: Mapping[str, Any]) -> None:
            raise RuntimeError("Kubernetes API error 500: Internal Server Error")

    integration.status_store = Refusing()
    world.sb.clear_requests()
    integration.annotations[ANNOTATION_ROTATE_CLIENT_SECRET] = "r1"
    outcome = await integration.reconcile()
    assert not outcome.ready and outcome.reason.value == "ReconcileError"
    assert secret_writes(world) == [], "no create without the record"
