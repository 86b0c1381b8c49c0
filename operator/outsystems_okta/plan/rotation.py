"""Rotating the Consoles client secret without downtime: a pure state machine.

LifeTime cannot edit an active OpenID Connect provider, so a new secret reaches it only through a new
provider that a person adds and activates. Okta's limit of two secrets per app makes the overlap
possible: the old and the new secret both work until the person confirms the switch.

    (idle) --rotate annotation / afterDays--> Creating --Okta create--> AwaitingConfirmation
    AwaitingConfirmation --confirm annotation == requested--> deactivate old, delete old --> Completed
    (idle) --the app already has two secrets--> Blocked (re-checked every pass; never deletes)
    AwaitingConfirmation --the new secret is no longer ACTIVE--> Failed

Telling our new secret from someone else's across a crash: a request is first put on record in status
(`Creating`, with the ids of the secrets the app has then), and only then created: `decide` says
`follow_up`, the caller writes the record (the operator at once, through a status write; a caller
without one ends the pass and runs another soon) and calls `decide` again with it, which asks for the
create. After a crash anywhere past that point the record says which secrets were there before, so a
secret not among them is the one this rotation made (Okta's limit of two means there is at most one).
The pending rotation's ids (`previousSecretId`, `newSecretId`) are then the only secrets the operator
ever deactivates or deletes: any other secret is reported, never touched.
A third secret is never attempted: nothing is created while the app has two.

`decide` is called again after each Okta write the caller makes (with the app's secrets as they are
now), so every step is re-derived from Okta's state and the record: a restart at any point resumes.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from outsystems_okta.api.constants import ANNOTATION_CONFIRM_ROTATION, ANNOTATION_ROTATE_CLIENT_SECRET
from outsystems_okta.api.rotation import ClientSecretRotationStatus, RotationPhase, RotationTrigger
from outsystems_okta.plan.outputs import PREVIOUS_WEB_CLIENT_SECRET

# The record's phases that hold ids of secrets this rotation may still act on.
IN_FLIGHT = frozenset({RotationPhase.CREATING, RotationPhase.AWAITING_CONFIRMATION})


@dataclass(frozen=True)
class OktaSecret:
    """One of the app's client secrets as `GET .../credentials/secrets` lists it."""

    id: str
    status: str
    created: str
    value: str = field(repr=False)  # never in a repr, a log or a message

    @property
    def active(self) -> bool:
        return self.status == "ACTIVE"


def okta_secrets(listed: Sequence[Mapping[str, Any]]) -> tuple[OktaSecret, ...]:
    return tuple(
        OktaSecret(
            id=str(s.get("id", "")),
            status=str(s.get("status", "")),
            created=str(s.get("created", "")),
            value=str(s.get("client_secret") or ""),
        )
        for s in listed
        if s.get("id")
    )


@dataclass(frozen=True)
class Inputs:
    app_id: str
    secret_name: str  # the output Secret, named in messages
    rotate: str | None  # the rotate annotation's value
    confirm: str | None  # the confirm annotation's value
    record: ClientSecretRotationStatus | None  # status.clientSecretRotation
    secrets: tuple[OktaSecret, ...]
    # The webClientSecret the Secret holds for this very client ID; a value, so never in a repr.
    lifetime_secret: str | None = field(repr=False)
    after_days: int | None
    now: datetime.datetime


@dataclass(frozen=True)
class OktaWrite:
    kind: Literal["create", "deactivate", "delete"]
    secret_id: str | None = None


@dataclass(frozen=True)
class Step:
    record: ClientSecretRotationStatus | None  # what status.clientSecretRotation becomes
    write: OktaWrite | None = None  # the next Okta write; decide again after it
    web_secret_id: str | None = None  # the secret for webClientSecret (None: the usual choice)
    previous_secret_id: str | None = None  # the secret for previousWebClientSecret (None: no key)
    follow_up: bool = False  # put `record` in status before anything else, then decide again


def rfc3339(moment: datetime.datetime) -> str:
    return moment.astimezone(datetime.UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def parse_time(value: str) -> datetime.datetime | None:
    try:
        parsed = datetime.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=datetime.UTC)


def parse_record(raw: Any) -> ClientSecretRotationStatus | None:
    """status.clientSecretRotation as the last pass wrote it; None when absent or unreadable."""
    if not isinstance(raw, Mapping):
        return None
    try:
        return ClientSecretRotationStatus.model_validate(dict(raw))
    except ValueError:
        return None


def current_secret(secrets: Sequence[OktaSecret], lifetime_secret: str | None) -> OktaSecret | None:
    """The ACTIVE secret LifeTime has (the Secret's value), else the newest ACTIVE one."""
    active = [s for s in secrets if s.active and s.value]
    held = next((s for s in active if lifetime_secret and s.value == lifetime_secret), None)
    return held or max(active, key=lambda s: (s.created, s.id), default=None)


def decide(i: Inputs) -> Step:
    record = i.record
    if record is not None and record.phase is RotationPhase.AWAITING_CONFIRMATION:
        return _pending(i, record)
    if record is not None and record.phase is RotationPhase.CREATING:
        return _creating(i, record)
    return _idle(i, record)


# ---- idle: is a rotation requested? ------------------------------------------------------------------


def _request(
    i: Inputs, record: ClientSecretRotationStatus | None, current: OktaSecret
) -> tuple[str, RotationTrigger] | None:
    if i.rotate is not None:
        if record is None or record.handled_annotation != i.rotate:
            return i.rotate, RotationTrigger.ANNOTATION
        if record.phase is RotationPhase.BLOCKED and record.requested == i.rotate:
            return i.rotate, RotationTrigger.ANNOTATION  # try again: maybe a secret was removed
    if i.after_days is None:
        return None
    created = parse_time(current.created)
    if created is None or created + datetime.timedelta(days=i.after_days) > i.now:
        return None
    if (
        record is not None
        and record.phase is RotationPhase.BLOCKED
        and record.trigger is RotationTrigger.AFTER_DAYS
    ):
        return record.requested, RotationTrigger.AFTER_DAYS
    return f"after-days-{i.now.astimezone(datetime.UTC):%Y%m%d}", RotationTrigger.AFTER_DAYS


def _idle(i: Inputs, record: ClientSecretRotationStatus | None) -> Step:
    current = current_secret(i.secrets, i.lifetime_secret)
    if current is None:
        return Step(record)  # no ACTIVE secret at all: the Secret step reports it
    request = _request(i, record, current)
    if request is None:
        return Step(record)
    requested, trigger = request
    same = record is not None and record.requested == requested and record.phase is RotationPhase.BLOCKED
    started = record.started_at if same and record is not None else rfc3339(i.now)
    others = [s.id for s in i.secrets if s.id != current.id]
    if len(i.secrets) >= 2:
        return Step(
            ClientSecretRotationStatus(
                phase=RotationPhase.BLOCKED,
                requested=requested,
                trigger=trigger,
                handledAnnotation=i.rotate,
                startedAt=started,
                previousSecretId=current.id,
                foreign_secret_ids=others,
                message=_blocked_message(i, requested, current.id, others),
            )
        )
    return Step(
        ClientSecretRotationStatus(
            phase=RotationPhase.CREATING,
            requested=requested,
            trigger=trigger,
            handledAnnotation=i.rotate,
            startedAt=started,
            previousSecretId=current.id,
            known_secret_ids=[s.id for s in i.secrets],
            message=f"Rotation {requested!r}: creating a second client secret for Okta app {i.app_id}",
        ),
        follow_up=True,
    )


# ---- Creating: the intent is recorded; make the secret (or find the one made before a crash) -------


def _creating(i: Inputs, record: ClientSecretRotationStatus) -> Step:
    known = set(record.known_secret_ids)
    unknown = [s for s in i.secrets if s.id not in known]
    mine = max(unknown, key=lambda s: (s.created, s.id), default=None)
    if mine is not None and mine.active:
        pending = record.model_copy(
            update={
                "phase": RotationPhase.AWAITING_CONFIRMATION,
                "new_secret_id": mine.id,
                "known_secret_ids": [],
            }
        )
        return _pending(i, pending)
    if mine is not None or len(i.secrets) >= 2:
        # An INACTIVE newcomer is not what our create makes: someone else's. Never create a third.
        others = [s.id for s in i.secrets if s.id != record.previous_secret_id]
        return Step(
            record.model_copy(
                update={
                    "phase": RotationPhase.BLOCKED,
                    "known_secret_ids": [],
                    "foreign_secret_ids": others,
                    "message": _blocked_message(i, record.requested, record.previous_secret_id, others),
                }
            )
        )
    return Step(record, write=OktaWrite("create"))


# ---- AwaitingConfirmation: both secrets work until the person confirms -------------------------------


def _pending(i: Inputs, record: ClientSecretRotationStatus) -> Step:
    by_id = {s.id: s for s in i.secrets}
    new = by_id.get(record.new_secret_id or "")
    previous = by_id.get(record.previous_secret_id or "")
    foreign = sorted(sid for sid in by_id if sid not in (record.new_secret_id, record.previous_secret_id))
    confirmed = i.confirm is not None and i.confirm == record.requested
    ignored = i.confirm if i.confirm is not None and not confirmed else None
    update: dict[str, Any] = {"foreign_secret_ids": foreign, "ignored_confirmation": ignored}
    if new is None or not new.active:
        message = (
            f"Rotation {record.requested!r} failed: the new client secret {record.new_secret_id} of Okta app "
            f"{i.app_id} is no longer active in Okta, so LifeTime keeps the secret it has. Request a new "
            f"rotation with another value of {ANNOTATION_ROTATE_CLIENT_SECRET}"
        )
        update.update(phase=RotationPhase.FAILED, ignored_confirmation=None, message=message)
        return Step(record.model_copy(update=update))
    if confirmed:
        if previous is not None and previous.active:
            return Step(
                record.model_copy(update=update),
                write=OktaWrite("deactivate", previous.id),
                web_secret_id=new.id,
                previous_secret_id=previous.id,
            )
        if previous is not None:
            return Step(
                record.model_copy(update=update), write=OktaWrite("delete", previous.id), web_secret_id=new.id
            )
        message = (
            f"Rotation {record.requested!r} completed: the old client secret {record.previous_secret_id} of "
            f"Okta app {i.app_id} was deactivated and deleted; Secret {i.secret_name!r} holds only the new "
            "one"
        )
        update.update(phase=RotationPhase.COMPLETED, completed_at=rfc3339(i.now), message=message)
        return Step(record.model_copy(update=update), web_secret_id=new.id)
    update["message"] = _pending_message(i, record, foreign, ignored)
    return Step(
        record.model_copy(update=update),
        web_secret_id=new.id,
        previous_secret_id=previous.id if previous is not None and previous.active else None,
    )


# ---- messages (ids and request values only: never a secret) ----------------------------------------

LIFETIME_STEPS = (
    "In LifeTime (User Management > Authentication Settings), add a new OpenID Connect provider with the "
    "values in Secret {secret!r} (webClientSecret is the new secret), activate it (everyone signs in "
    "again), and delete the old provider; then set the annotation "
    f"{ANNOTATION_CONFIRM_ROTATION}={{requested}} on this resource to deactivate and delete the old secret "
    "in Okta"
)


def _pending_message(
    i: Inputs, record: ClientSecretRotationStatus, foreign: Sequence[str], ignored: str | None
) -> str:
    parts = [
        f"Rotation {record.requested!r} awaits confirmation: Okta app {i.app_id} has a new client secret "
        f"({record.new_secret_id}) beside the old one ({record.previous_secret_id}), and both work. "
        f"Secret {i.secret_name!r} holds the new one as webClientSecret and the old one as "
        f"{PREVIOUS_WEB_CLIENT_SECRET}. "
        + LIFETIME_STEPS.format(secret=i.secret_name, requested=record.requested)
        + "."
    ]
    if ignored is not None:
        parts.append(
            f"The confirm annotation says {ignored!r}, not {record.requested!r}: ignored, nothing was "
            "deleted."
        )
    if foreign:
        parts.append(
            f"The app also has client secret(s) {', '.join(foreign)} that this rotation did not make: "
            "reported, never deleted by the operator."
        )
    if i.rotate is not None and i.rotate != record.handled_annotation:
        parts.append(f"The rotate annotation now asks for {i.rotate!r}: that rotation starts after this one.")
    return " ".join(parts)


def _blocked_message(i: Inputs, requested: str, current_id: str | None, others: Sequence[str]) -> str:
    return (
        f"Rotation {requested!r} cannot start: Okta app {i.app_id} already has two client secrets, Okta's "
        f"limit, and LifeTime uses {current_id}. The operator never deletes a secret it did not make: "
        f"deactivate and delete {', '.join(others)} in Okta (the app's General tab, Client secrets) if "
        "nothing uses it, and the rotation starts on the next pass"
    )


def announce(
    before: ClientSecretRotationStatus | None, after: ClientSecretRotationStatus | None
) -> list[tuple[str, str, str]]:
    """The Events (type, reason, message) for what changed in the record this pass."""
    if after is None:
        return []
    events: list[tuple[str, str, str]] = []
    moved = before is None or (before.phase, before.requested) != (after.phase, after.requested)
    if moved:
        if after.phase is RotationPhase.CREATING:
            events.append(("Normal", "ClientSecretRotationStarted", after.message))
        elif after.phase is RotationPhase.AWAITING_CONFIRMATION:
            events.append(("Warning", "ClientSecretRotationPending", after.message))
        elif after.phase is RotationPhase.COMPLETED:
            events.append(("Normal", "ClientSecretRotationCompleted", after.message))
        elif after.phase is RotationPhase.BLOCKED:
            events.append(("Warning", "ClientSecretRotationBlocked", after.message))
        elif after.phase is RotationPhase.FAILED:
            events.append(("Warning", "ClientSecretRotationFailed", after.message))
    if after.phase is RotationPhase.AWAITING_CONFIRMATION:
        old_foreign = before.foreign_secret_ids if before is not None else []
        if after.foreign_secret_ids and after.foreign_secret_ids != old_foreign:
            events.append(
                (
                    "Warning",
                    "ClientSecretRotationForeignSecret",
                    f"Okta app has client secret(s) {', '.join(after.foreign_secret_ids)} that rotation "
                    f"{after.requested!r} did not make: reported, never deleted by the operator",
                )
            )
        old_ignored = before.ignored_confirmation if before is not None else None
        if after.ignored_confirmation is not None and after.ignored_confirmation != old_ignored:
            events.append(
                (
                    "Warning",
                    "ClientSecretRotationConfirmationIgnored",
                    f"{ANNOTATION_CONFIRM_ROTATION}={after.ignored_confirmation!r} does not match the "
                    f"pending rotation {after.requested!r}: ignored",
                )
            )
    return events
