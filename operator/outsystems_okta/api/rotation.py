"""`spec.clientSecretRotation`: rotate the Consoles client secret on a schedule (issue 8)."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, StrictInt

# Bounds of spec.clientSecretRotation.afterDays: at least a day (a rotation waits for a person in
# LifeTime, so a shorter period would never finish), at most ten years.
MIN_AFTER_DAYS = 1
MAX_AFTER_DAYS = 3650


class ClientSecretRotation(BaseModel):
    """When the operator starts a client secret rotation by itself."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    after_days: StrictInt | None = Field(
        default=None,
        alias="afterDays",
        ge=MIN_AFTER_DAYS,
        le=MAX_AFTER_DAYS,
        description=(
            "Start a rotation of the Consoles client secret this many days after the secret LifeTime "
            "uses was created in Okta. Like one requested with the annotation "
            "okta.outsystems.dev/rotate-client-secret, it waits for okta.outsystems.dev/"
            "confirm-client-secret-rotation (the value is in status.clientSecretRotation.requested) "
            "before the old secret is deleted. Unset: only the annotation starts a rotation."
        ),
    )


class RotationPhase(StrEnum):
    # The intent is recorded (which secrets existed) before the Okta create, so that after a crash the
    # next pass can tell the secret it made from one someone else made.
    CREATING = "Creating"
    AWAITING_CONFIRMATION = "AwaitingConfirmation"
    COMPLETED = "Completed"
    # Not started: the app already has two client secrets (Okta's limit).
    BLOCKED = "Blocked"
    # Stopped: the new secret is no longer ACTIVE in Okta; LifeTime keeps the old one.
    FAILED = "Failed"


class RotationTrigger(StrEnum):
    ANNOTATION = "Annotation"
    AFTER_DAYS = "AfterDays"


def _secret_ids(description: str, alias: str) -> Any:
    return Field(
        default_factory=list,
        alias=alias,
        max_length=8,
        description=description,
        json_schema_extra={"items": {"type": "string", "maxLength": 100}},
    )


class ClientSecretRotationStatus(BaseModel):
    """The last (or current) rotation of the Consoles client secret. Secret ids only, never a value."""

    model_config = ConfigDict(populate_by_name=True, extra="ignore", frozen=True)

    phase: RotationPhase = Field(description="Creating, AwaitingConfirmation, Completed, Blocked or Failed.")
    requested: str = Field(
        max_length=256,
        description=(
            "The rotation's request: the rotate annotation's value, or after-days-<date> for a scheduled "
            "one. The confirm annotation must carry exactly this value."
        ),
    )
    trigger: RotationTrigger = Field(description="Annotation or AfterDays.")
    handled_annotation: str | None = Field(
        default=None,
        alias="handledAnnotation",
        max_length=256,
        description="The rotate annotation's value when this rotation was requested (not acted on again).",
    )
    started_at: str | None = Field(
        default=None,
        alias="startedAt",
        max_length=64,
        description="When the rotation was requested (RFC 3339).",
    )
    completed_at: str | None = Field(
        default=None,
        alias="completedAt",
        max_length=64,
        description="When the old secret was deleted (RFC 3339).",
    )
    previous_secret_id: str | None = Field(
        default=None,
        alias="previousSecretId",
        max_length=100,
        description="Okta id of the secret LifeTime had; deactivated and deleted on confirmation.",
    )
    new_secret_id: str | None = Field(
        default=None, alias="newSecretId", max_length=100, description="Okta id of the new secret."
    )
    known_secret_ids: list[str] = _secret_ids(
        "The app's secrets when the rotation was recorded, before the create: any other one is new.",
        "knownSecretIds",
    )
    foreign_secret_ids: list[str] = _secret_ids(
        "Secrets of the app this rotation did not make and will not touch (reported, never deleted).",
        "foreignSecretIds",
    )
    ignored_confirmation: str | None = Field(
        default=None,
        alias="ignoredConfirmation",
        max_length=256,
        description="A confirm annotation value that did not match `requested` (ignored).",
    )
    message: str = Field(default="", max_length=4096, description="What happened and what to do next.")
