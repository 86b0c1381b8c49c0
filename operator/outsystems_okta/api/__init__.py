"""The user-facing API: the `OutSystemsOktaIntegration` resource as pydantic models.

The CRD in `crds/` is generated from these models (`outsystems-okta crd`), so the schema the API server
enforces at `kubectl apply` time and the validation the operator repeats can never disagree.
"""

from outsystems_okta.api.constants import API_VERSION, GROUP, KIND, PLURAL, SHORT_NAME, SINGULAR, VERSION
from outsystems_okta.api.spec import (
    Access,
    AccessPolicyMode,
    Adopt,
    AppLabels,
    CredentialsSecretRef,
    DeletionPolicy,
    Environment,
    IntegrationSpec,
    LifeTime,
    ManagementPolicy,
    MissingAppPolicy,
    OktaSpec,
    SpecError,
    parse_spec,
)
from outsystems_okta.api.status import AccessPolicyRef, AppRef, Condition, IntegrationStatus

__all__ = [
    "API_VERSION",
    "GROUP",
    "KIND",
    "PLURAL",
    "SHORT_NAME",
    "SINGULAR",
    "VERSION",
    "Access",
    "AccessPolicyMode",
    "AccessPolicyRef",
    "Adopt",
    "AppLabels",
    "AppRef",
    "Condition",
    "CredentialsSecretRef",
    "DeletionPolicy",
    "Environment",
    "IntegrationSpec",
    "IntegrationStatus",
    "LifeTime",
    "ManagementPolicy",
    "MissingAppPolicy",
    "OktaSpec",
    "SpecError",
    "parse_spec",
]
