"""The client secret rotation's state machine, step by step and across restarts (pure)."""

from __future__ import annotations

import datetime
from dataclasses import replace
from typing import Any

import pytest

from outsystems_okta.api.rotation import ClientSecretRotationStatus, RotationPhase, RotationTrigger
from outsystems_okta.plan.rotation import (
    Inputs,
    OktaSecret,
    OktaWrite,
    Step,
    announce,
    current_secret,
    decide,
    okta_secrets,
    parse_record,
)

NOW = datetime.datetime(2026, 12, 2, 10, 0, tzinfo=datetime.UTC)
OLD = OktaSecret("ocsOld", "ACTIVE", "2026-01-01T00:00:00.000Z", "old-value")
NEW = OktaSecret("ocsNew", "ACTIVE", "2026-12-02T10:00:01.000Z", "new-value")
FOREIGN = OktaSecret("ocsForeign", "ACTIVE", "2026-06-01T00:00:00.000Z", "foreign-value")


def inputs(**changes: Any) -> Inputs:
    base = Inputs(
        app_id="0oaApp",
        secret_name="factory-lifetime",
        rotate=None,
        confirm=None,
        record=None,
        secrets=(OLD,),
        lifetime_secret="old-value",
        after_days=None,
        now=NOW,
    )
    return replace(base, **changes)


def after_write(i: Inputs, step: Step, *secrets: OktaSecret) -> Inputs:
    """The next decision's inputs: the record the step produced and Okta's secrets after the write."""
    return replace(i, record=step.record, secrets=secrets)


def recorded(**fields: Any) -> ClientSecretRotationStatus:
    base: dict[str, Any] = {"phase": "Creating", "requested": "r1", "trigger": "Annotation"}
    base.update(fields)
    return ClientSecretRotationStatus.model_validate(base)


CREATING = recorded(
    handledAnnotation="r1",
    startedAt="2026-12-02T10:00:00Z",
    previousSecretId="ocsOld",
    knownSecretIds=["ocsOld"],
)
PENDING = recorded(
    phase="AwaitingConfirmation",
    handledAnnotation="r1",
    startedAt="2026-12-02T10:00:00Z",
    previousSecretId="ocsOld",
    newSecretId="ocsNew",
)


def test_nothing_requested_nothing_happens() -> None:
    assert decide(inputs()) == Step(None)
    completed = PENDING.model_copy(update={"phase": RotationPhase.COMPLETED})
    assert decide(inputs(rotate="r1", record=completed, secrets=(NEW,))) == Step(completed)


def test_a_request_is_first_recorded_with_the_secrets_that_exist() -> None:
    step = decide(inputs(rotate="r1"))
    assert step.write is None and step.follow_up
    assert step.record is not None
    assert step.record.phase is RotationPhase.CREATING
    assert step.record.requested == step.record.handled_annotation == "r1"
    assert step.record.trigger is RotationTrigger.ANNOTATION
    assert step.record.known_secret_ids == ["ocsOld"] and step.record.previous_secret_id == "ocsOld"
    assert step.record.started_at == "2026-12-02T10:00:00Z"
    assert step.web_secret_id is None  # LifeTime keeps its secret until the new one exists


def test_the_full_rotation() -> None:
    i = inputs(rotate="r1")
    step = decide(i)
    i = after_write(i, step, OLD)
    step = decide(i)
    assert step.write == OktaWrite("create")

    i = after_write(i, step, OLD, NEW)
    step = decide(i)
    assert step.write is None and step.record is not None
    assert step.record.phase is RotationPhase.AWAITING_CONFIRMATION
    assert step.record.new_secret_id == "ocsNew" and step.record.known_secret_ids == []
    assert (step.web_secret_id, step.previous_secret_id) == ("ocsNew", "ocsOld")
    assert "okta.outsystems.dev/confirm-client-secret-rotation=r1" in step.record.message

    # The next pass (same annotations): nothing changes.
    i = replace(i, record=step.record)
    assert decide(i) == step

    i = replace(i, confirm="r1")
    step = decide(i)
    assert step.write == OktaWrite("deactivate", "ocsOld")
    assert (step.web_secret_id, step.previous_secret_id) == ("ocsNew", "ocsOld")
    step = decide(after_write(i, step, replace(OLD, status="INACTIVE"), NEW))
    assert step.write == OktaWrite("delete", "ocsOld")
    assert (step.web_secret_id, step.previous_secret_id) == ("ocsNew", None)
    step = decide(i := after_write(i, step, NEW))
    assert step.write is None and step.record is not None
    assert step.record.phase is RotationPhase.COMPLETED and step.record.completed_at == "2026-12-02T10:00:00Z"
    assert (step.web_secret_id, step.previous_secret_id) == ("ocsNew", None)

    # Steady afterwards: the Secret's value (the new one) is what LifeTime has.
    i = replace(i, record=step.record, lifetime_secret="new-value")
    assert decide(i) == Step(step.record)


def test_a_restart_after_the_create_finds_the_new_secret_and_creates_no_other() -> None:
    # The create reached Okta but neither the Secret nor status was written: the record still says
    # Creating, and the secret not among the known ones is this rotation's.
    step = decide(inputs(rotate="r1", record=CREATING, secrets=(OLD, NEW)))
    assert step.write is None
    assert step.record is not None and step.record.phase is RotationPhase.AWAITING_CONFIRMATION
    assert step.record.new_secret_id == "ocsNew"


def test_a_restart_before_the_create_creates() -> None:
    assert decide(inputs(rotate="r1", record=CREATING)).write == OktaWrite("create")


@pytest.mark.parametrize("where", ["after deactivate", "after delete"])
def test_a_restart_in_the_confirmation_resumes(where: str) -> None:
    secrets = (replace(OLD, status="INACTIVE"), NEW) if where == "after deactivate" else (NEW,)
    step = decide(inputs(rotate="r1", confirm="r1", record=PENDING, secrets=secrets))
    if where == "after deactivate":
        assert step.write == OktaWrite("delete", "ocsOld")
    else:
        assert step.write is None and step.record is not None
        assert step.record.phase is RotationPhase.COMPLETED


def test_two_secrets_already_block_the_rotation_and_nothing_is_created_or_deleted() -> None:
    step = decide(inputs(rotate="r1", secrets=(OLD, FOREIGN)))
    assert step.write is None and not step.follow_up and step.record is not None
    assert step.record.phase is RotationPhase.BLOCKED
    assert step.record.foreign_secret_ids == ["ocsForeign"] and step.record.previous_secret_id == "ocsOld"
    assert "ocsForeign" in step.record.message and "never deletes" in step.record.message
    # Still blocked on the next pass, with the same record (no status churn)...
    assert decide(inputs(rotate="r1", record=step.record, secrets=(OLD, FOREIGN))) == step
    # ... and it starts once the admin removed the other secret.
    step = decide(
        inputs(rotate="r1", record=step.record, secrets=(OLD,), now=NOW + datetime.timedelta(hours=1))
    )
    assert step.record is not None and step.record.phase is RotationPhase.CREATING and step.follow_up
    assert step.record.started_at == "2026-12-02T10:00:00Z", "the request is the same one"


def test_an_inactive_secret_counts_toward_the_limit() -> None:
    step = decide(inputs(rotate="r1", secrets=(OLD, replace(FOREIGN, status="INACTIVE"))))
    assert step.record is not None and step.record.phase is RotationPhase.BLOCKED


def test_a_secret_someone_added_in_the_creating_window_fills_the_limit() -> None:
    # Recorded with two known secrets? Impossible (blocked first); but a known pair never yields a create.
    record = CREATING.model_copy(update={"known_secret_ids": ["ocsOld", "ocsForeign"]})
    step = decide(inputs(rotate="r1", record=record, secrets=(OLD, FOREIGN)))
    assert step.write is None and step.record is not None and step.record.phase is RotationPhase.BLOCKED


def test_an_inactive_newcomer_while_creating_is_someone_elses() -> None:
    stranger = replace(FOREIGN, status="INACTIVE")
    step = decide(inputs(rotate="r1", record=CREATING, secrets=(OLD, stranger)))
    assert step.write is None and step.record is not None
    assert step.record.phase is RotationPhase.BLOCKED and step.record.foreign_secret_ids == ["ocsForeign"]


def test_a_foreign_secret_while_pending_is_reported_and_never_touched() -> None:
    # Someone deleted the old secret by hand and added another one.
    step = decide(inputs(rotate="r1", record=PENDING, secrets=(NEW, FOREIGN)))
    assert step.record is not None and step.record.foreign_secret_ids == ["ocsForeign"]
    assert "ocsForeign" in step.record.message
    assert (step.web_secret_id, step.previous_secret_id) == ("ocsNew", None)
    events = announce(PENDING, step.record)
    assert [e[1] for e in events] == ["ClientSecretRotationForeignSecret"]
    # Confirming completes without deleting it.
    step = decide(inputs(rotate="r1", confirm="r1", record=step.record, secrets=(NEW, FOREIGN)))
    assert step.write is None and step.record is not None and step.record.phase is RotationPhase.COMPLETED
    assert step.record.foreign_secret_ids == ["ocsForeign"]


def test_a_confirmation_with_another_value_is_ignored_and_reported() -> None:
    step = decide(inputs(rotate="r1", confirm="r0", record=PENDING, secrets=(OLD, NEW)))
    assert step.write is None and step.record is not None
    assert step.record.phase is RotationPhase.AWAITING_CONFIRMATION
    assert step.record.ignored_confirmation == "r0" and "'r0'" in step.record.message
    assert [e[1] for e in announce(PENDING, step.record)] == ["ClientSecretRotationConfirmationIgnored"]
    assert announce(step.record, step.record) == [], "reported once, not every pass"
    cleared = decide(inputs(rotate="r1", record=step.record, secrets=(OLD, NEW)))
    assert cleared.record is not None and cleared.record.ignored_confirmation is None


def test_a_leftover_confirmation_is_not_reported_when_idle() -> None:
    completed = PENDING.model_copy(update={"phase": RotationPhase.COMPLETED})
    assert decide(inputs(rotate="r1", confirm="r1", record=completed, secrets=(NEW,))) == Step(completed)


def test_a_new_rotate_value_while_pending_waits_and_starts_after() -> None:
    step = decide(inputs(rotate="r2", record=PENDING, secrets=(OLD, NEW)))
    assert step.write is None and step.record is not None
    assert step.record.phase is RotationPhase.AWAITING_CONFIRMATION and step.record.requested == "r1"
    assert "'r2'" in step.record.message
    # The confirmation of r2 is not r1's.
    assert decide(inputs(rotate="r2", confirm="r2", record=PENDING, secrets=(OLD, NEW))).write is None
    step = decide(inputs(rotate="r2", confirm="r1", record=PENDING, secrets=(NEW,)))
    assert step.record is not None and step.record.phase is RotationPhase.COMPLETED
    nxt = decide(
        inputs(rotate="r2", confirm="r1", record=step.record, secrets=(NEW,), lifetime_secret="new-value")
    )
    assert nxt.record is not None and nxt.record.phase is RotationPhase.CREATING
    assert nxt.record.requested == "r2" and nxt.record.previous_secret_id == "ocsNew"


def test_the_new_secret_gone_fails_the_rotation_and_lifetime_keeps_the_old_one() -> None:
    step = decide(inputs(rotate="r1", confirm="r1", record=PENDING, secrets=(OLD,)))
    assert step.write is None, "never deactivate the old secret without an active new one"
    assert step.record is not None and step.record.phase is RotationPhase.FAILED
    assert (step.web_secret_id, step.previous_secret_id) == (None, None)
    assert [e[1] for e in announce(PENDING, step.record)] == ["ClientSecretRotationFailed"]
    # Not retried with the same value; a new value starts a new rotation.
    assert decide(inputs(rotate="r1", record=step.record)).record == step.record
    fresh = decide(inputs(rotate="r2", record=step.record))
    assert fresh.record is not None and fresh.record.phase is RotationPhase.CREATING


def test_the_old_secret_deactivated_by_hand_is_not_offered_to_lifetime() -> None:
    step = decide(inputs(rotate="r1", record=PENDING, secrets=(replace(OLD, status="INACTIVE"), NEW)))
    assert step.write is None
    assert (step.web_secret_id, step.previous_secret_id) == ("ocsNew", None)


@pytest.mark.parametrize(
    ("created", "due"),
    [
        ("2026-11-22T10:00:00.000Z", True),  # exactly 10 days
        ("2026-11-22T10:00:01.000Z", False),
        ("2025-01-01T00:00:00.000Z", True),
        ("not a time", False),
    ],
)
def test_after_days_starts_a_rotation_when_the_current_secret_is_old_enough(created: str, due: bool) -> None:
    step = decide(inputs(after_days=10, secrets=(replace(OLD, created=created),)))
    if not due:
        assert step == Step(None)
        return
    assert step.record is not None and step.record.phase is RotationPhase.CREATING
    assert (
        step.record.trigger is RotationTrigger.AFTER_DAYS and step.record.requested == "after-days-20261202"
    )
    assert step.record.handled_annotation is None


def test_after_days_looks_at_the_secret_lifetime_has_not_the_newest() -> None:
    young = replace(FOREIGN, created="2026-12-01T00:00:00.000Z")
    step = decide(inputs(after_days=10, secrets=(OLD, young)))
    assert step.record is not None and step.record.phase is RotationPhase.BLOCKED
    assert step.record.trigger is RotationTrigger.AFTER_DAYS
    # Blocked keeps its request value day after day.
    later = decide(
        inputs(after_days=10, secrets=(OLD, young), record=step.record, now=NOW + datetime.timedelta(days=3))
    )
    assert later == step


def test_after_days_does_not_restart_an_annotation_already_handled() -> None:
    completed = recorded(
        phase="Completed", handledAnnotation="r1", requested="after-days-20261101", trigger="AfterDays"
    )
    fresh = replace(NEW, created="2026-11-30T00:00:00.000Z")
    assert decide(
        inputs(rotate="r1", after_days=10, record=completed, secrets=(fresh,), lifetime_secret="new-value")
    ) == Step(completed)
    step = decide(
        inputs(rotate="r1", after_days=1, record=completed, secrets=(fresh,), lifetime_secret="new-value")
    )
    assert step.record is not None and step.record.requested == "after-days-20261202"
    assert step.record.handled_annotation == "r1"


def test_after_days_then_confirm_with_its_value() -> None:
    i = inputs(after_days=10)
    step = decide(i)
    assert step.record is not None
    requested = step.record.requested
    step = decide(i := after_write(i, step, OLD))
    step = decide(i := after_write(i, step, OLD, NEW))
    assert step.record is not None and step.record.phase is RotationPhase.AWAITING_CONFIRMATION
    step = decide(
        i := replace(i, record=step.record, confirm=requested, now=NOW + datetime.timedelta(days=2))
    )
    assert step.write == OktaWrite("deactivate", "ocsOld")


def test_no_active_secret_means_nothing_to_rotate() -> None:
    assert decide(inputs(rotate="r1", secrets=(replace(OLD, status="INACTIVE"),))) == Step(None)


def test_current_secret_prefers_the_one_lifetime_has() -> None:
    assert current_secret((OLD, NEW), "old-value") == OLD
    assert current_secret((OLD, NEW), "unknown") == NEW
    assert current_secret((OLD, NEW), None) == NEW
    assert current_secret((replace(NEW, status="INACTIVE"),), None) is None


def test_secret_values_never_show_in_a_repr_or_a_message() -> None:
    assert "old-value" not in repr(OLD)
    i = inputs(rotate="r1")
    steps = [decide(i)]
    steps.append(decide(i := after_write(i, steps[-1], OLD)))
    steps.append(decide(i := after_write(i, steps[-1], OLD, NEW, FOREIGN)))
    steps.append(decide(replace(i, record=steps[-1].record, confirm="x")))
    for step in steps:
        text = repr(step) + (step.record.model_dump_json() if step.record else "")
        assert "value" not in text.replace("values", "")


def test_okta_secrets_and_parse_record() -> None:
    listed = [{"id": "ocs1", "status": "ACTIVE", "created": "c", "client_secret": "v"}, {"status": "ACTIVE"}]
    assert okta_secrets(listed) == (OktaSecret("ocs1", "ACTIVE", "c", "v"),)
    assert parse_record(None) is None
    assert parse_record({"phase": "Nope"}) is None
    assert parse_record(PENDING.model_dump(by_alias=True)) == PENDING


def test_announce_each_transition_once() -> None:
    step = decide(inputs(rotate="r1"))
    assert [e[:2] for e in announce(None, step.record)] == [("Normal", "ClientSecretRotationStarted")]
    assert announce(step.record, step.record) == []
    pending = decide(inputs(rotate="r1", record=CREATING, secrets=(OLD, NEW))).record
    (event,) = announce(CREATING, pending)
    assert event[:2] == ("Warning", "ClientSecretRotationPending")
    assert "Authentication Settings" in event[2] and "confirm-client-secret-rotation=r1" in event[2]
    done = decide(inputs(rotate="r1", confirm="r1", record=PENDING, secrets=(NEW,))).record
    assert [e[:2] for e in announce(PENDING, done)] == [("Normal", "ClientSecretRotationCompleted")]
    blocked = decide(inputs(rotate="r1", secrets=(OLD, FOREIGN))).record
    assert [e[:2] for e in announce(None, blocked)] == [("Warning", "ClientSecretRotationBlocked")]
    assert announce(None, None) == []
