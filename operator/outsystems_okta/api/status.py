"""`status` of an OutSystemsOktaIntegration: what the operator observed and did.

Conditions follow the Kubernetes `metav1.Condition` shape so kstatus, Argo CD and `kubectl wait`
understand them.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from outsystems_okta.api.rotation import ClientSecretRotationStatus


class _Model(BaseModel):
    model_config = ConfigDict(populate_by_name=True, extra="ignore", frozen=True)


class Condition(_Model):
    """One aspect of the resource's state, as in metav1.Condition."""

    type: str = Field(max_length=316, description="Type of the condition; Ready summarises the resource.")
    status: Literal["True", "False", "Unknown"] = Field(description="True, False or Unknown.")
    reason: str = Field(max_length=1024, description="CamelCase reason for the last transition.")
    message: str = Field(default="", max_length=32768, description="Human-readable details.")
    last_transition_time: str = Field(
        alias="lastTransitionTime",
        max_length=64,
        description="When the status last changed (RFC 3339).",
    )
    observed_generation: int | None = Field(
        default=None,
        alias="observedGeneration",
        description="metadata.generation the condition was computed for.",
    )


class AppRef(_Model):
    """An Okta app the operator manages (created or adopted)."""

    app_id: str = Field(alias="appId", max_length=100, description="Okta app id.")
    client_id: str = Field(alias="clientId", max_length=100, description="OAuth client id of the app.")
    assigned_group_ids: list[str] = Field(
        default_factory=list,
        alias="assignedGroupIds",
        max_length=64,
        description="Okta group ids the operator assigned to this app (the only ones it ever removes).",
        json_schema_extra={"items": {"type": "string", "maxLength": 100}},
    )
    adopted: bool | None = Field(
        default=None,
        description=(
            "True when the app was made by an admin and adopted (spec.adopt): it keeps its own label "
            "unless spec.appLabels names one."
        ),
    )


class AccessPolicyRef(_Model):
    """The access policy and rule the operator keeps (spec.okta.accessPolicy: Manage)."""

    policy_id: str = Field(alias="policyId", max_length=100, description="Okta access policy id.")
    rule_id: str | None = Field(
        default=None, alias="ruleId", max_length=100, description="Id of the policy's rule."
    )


# Bounds of status.drift: a list the API server can store and a person can read.
MAX_DRIFT_ITEMS = 64
MAX_DRIFT_VALUE = 1024


class DriftItem(_Model):
    """One difference between Okta and the spec (managementPolicy Observe, or a paused resource)."""

    app: str = Field(
        max_length=64,
        description="consoles, developmentTools, or accessPolicy (the access policy the operator keeps).",
    )
    field: str = Field(
        max_length=256,
        description="The Okta field (dotted, as Okta names it), app (the app itself), status, groups or "
        "signInPolicy.",
    )
    wanted: str = Field(max_length=MAX_DRIFT_VALUE, description="What the spec asks for (JSON or text).")
    found: str = Field(max_length=MAX_DRIFT_VALUE, description="What Okta has (JSON or text).")


class DriftCorrection(_Model):
    """The last pass that restored fields someone changed in Okta (the spec had not changed)."""

    time: str = Field(max_length=64, description="When the pass restored them (RFC 3339).")
    generation: int | None = Field(default=None, description="metadata.generation at the time.")
    fields: list[str] = Field(
        max_length=MAX_DRIFT_ITEMS,
        description="What was restored, as <app>/<field> (consoles/settings.oauthClient.redirect_uris).",
        json_schema_extra={"items": {"type": "string", "maxLength": 320}},
    )


class IntegrationStatus(_Model):
    """Observed state of the integration."""

    observed_generation: int | None = Field(
        default=None,
        alias="observedGeneration",
        description="The metadata.generation the operator last reconciled.",
    )
    conditions: list[Condition] = Field(
        default_factory=list,
        max_length=16,
        description="Current conditions; Ready=True once Okta and the output Secret match the spec.",
        json_schema_extra={"x-kubernetes-list-type": "map", "x-kubernetes-list-map-keys": ["type"]},
    )
    consoles: AppRef | None = Field(default=None, description="The OutSystems Consoles (Web) app.")
    development_tools: AppRef | None = Field(
        default=None,
        alias="developmentTools",
        description="The OutSystems Development Tools (Native) app.",
    )
    metadata_uri: str | None = Field(
        default=None,
        alias="metadataUri",
        max_length=2048,
        description="OpenID Connect metadata document URI of the authorization server.",
    )
    secret_name: str | None = Field(
        default=None,
        alias="secretName",
        max_length=253,
        description="Name of the Secret holding LifeTime's provider values.",
    )
    environments: int | None = Field(
        default=None,
        description="Number of environments (LifeTime excluded) configured in Okta.",
    )
    access_policy: AccessPolicyRef | None = Field(
        default=None,
        alias="accessPolicy",
        description="The access policy the operator keeps in the authorization server (Manage only).",
    )
    client_secret_rotation: ClientSecretRotationStatus | None = Field(
        default=None,
        alias="clientSecretRotation",
        description="The last or current rotation of the Consoles client secret (annotation or afterDays).",
    )
    drift: list[DriftItem] | None = Field(
        default=None,
        max_length=MAX_DRIFT_ITEMS,
        description=(
            "Differences between Okta and the spec, in a stable order (app, then field), when the "
            "operator only looks (managementPolicy Observe, or paused); never a secret value."
        ),
    )
    last_drift_correction: DriftCorrection | None = Field(
        default=None,
        alias="lastDriftCorrection",
        description="The last pass that restored fields changed in Okta (managementPolicy Manage).",
    )
    failed_attempts: int | None = Field(
        default=None,
        alias="failedAttempts",
        ge=1,
        description=(
            "Consecutive failed passes with the Ready condition's current reason; absent after a success. "
            "The delay before the next attempt doubles with it (see nextAttemptTime)."
        ),
    )
    next_attempt_time: str | None = Field(
        default=None,
        alias="nextAttemptTime",
        max_length=64,
        description=(
            "When the operator tries again after a failure (RFC 3339), unless a change of the resource "
            "or of a watched Secret triggers a pass sooner; absent after a success, and when only a "
            "change of the spec can help."
        ),
    )
    last_handled_reconcile_at: str | None = Field(
        default=None,
        alias="lastHandledReconcileAt",
        max_length=256,
        description=(
            "The value of the okta.outsystems.dev/reconcile-requested-at annotation that the last "
            "finished pass saw."
        ),
    )
