"""`spec` of an OutSystemsOktaIntegration, validated exactly as the CRD schema does (and a little more).

Every field carries a description: they become `kubectl explain` output through the generated CRD.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    ValidationError,
    model_validator,
)

from outsystems_okta.api import patterns
from outsystems_okta.api.constants import DEFAULT_CONSOLES_LABEL, DEFAULT_TOOLS_LABEL


def _shape_check(shape: patterns.Shape) -> AfterValidator:
    def check(value: str) -> str:
        if not shape.fits(value):
            # The CRD's CEL rule says `<path>: Invalid value: "string": <message>`; here the value leads.
            raise ValueError(f"{value!r} {shape.message}")
        return value

    return AfterValidator(check)


def _not_admin_console(value: str) -> str:
    if patterns.is_admin_console(value):
        raise ValueError(patterns.admin_console_message(value))
    return value


Hostname = Annotated[str, Field(**patterns.shaped(patterns.HOSTNAME)), _shape_check(patterns.HOSTNAME)]
SecretName = Annotated[
    str, Field(**patterns.shaped(patterns.SECRET_NAME)), _shape_check(patterns.SECRET_NAME)
]


class _Model(BaseModel):
    # Only the API's camelCase names are accepted: the API server knows no other spelling.
    model_config = ConfigDict(extra="forbid", frozen=True)


class DeletionPolicy(StrEnum):
    ORPHAN = "Orphan"
    DELETE = "Delete"


class AccessPolicyMode(StrEnum):
    CHECK = "Check"
    MANAGE = "Manage"


class CredentialsSecretRef(_Model):
    """A Secret in the resource's own namespace that holds an Okta API token."""

    name: SecretName = Field(description="Name of the Secret, in the same namespace as this resource.")
    key: Annotated[str, Field(**patterns.shaped(patterns.SECRET_KEY)), _shape_check(patterns.SECRET_KEY)] = (
        Field(
            default="apiToken",
            description="Key in the Secret whose value is an Okta API token (sent as `Authorization: SSWS`).",
        )
    )


class OktaSpec(_Model):
    """Where the Okta org is and how the operator signs in to it."""

    org_url: Annotated[
        str,
        Field(**patterns.shaped(patterns.ORG_URL, patterns.admin_console_cel_rule())),
        _shape_check(patterns.ORG_URL),
        AfterValidator(_not_admin_console),
    ] = Field(
        alias="orgUrl",
        description=(
            "Base URL of the Okta org, https only, no path (for example https://acme.okta.com). "
            "Plain http is accepted only for a loopback sandbox and only when the operator runs with "
            "--allow-insecure-loopback."
        ),
    )
    authorization_server_id: Annotated[
        str, Field(**patterns.shaped(patterns.AUTH_SERVER_ID)), _shape_check(patterns.AUTH_SERVER_ID)
    ] = Field(
        default="default",
        alias="authorizationServerId",
        description=(
            "Id of the Okta custom authorization server whose OpenID Connect metadata LifeTime uses "
            "(Security > API > Authorization Servers)."
        ),
    )
    credentials_secret_ref: CredentialsSecretRef = Field(
        alias="credentialsSecretRef",
        description="Secret (same namespace) holding the Okta API token the operator uses.",
    )
    access_policy: AccessPolicyMode = Field(
        default=AccessPolicyMode.CHECK,
        alias="accessPolicy",
        description=(
            "Check (default): after the apps converge, check that the authorization server's access "
            "policies let the assigned groups sign in to both apps (condition AuthorizationServerReady). "
            "Manage: also keep a dedicated access policy for the two apps, with one rule allowing "
            "authorization_code and the scopes openid email profile offline_access to the assigned "
            "groups; switching back to Check removes it."
        ),
    )

    @property
    def base_url(self) -> str:
        return self.org_url.rstrip("/")


class LifeTime(_Model):
    """The LifeTime environment that manages the factory."""

    hostname: Hostname = Field(description="Host name of the LifeTime environment, like lifetime.acme.com.")


class Environment(_Model):
    """An OutSystems environment registered in LifeTime."""

    name: Annotated[str, Field(**patterns.shaped(patterns.ENV_NAME)), _shape_check(patterns.ENV_NAME)] = (
        Field(description="Short unique name of the environment, like dev or prod.")
    )
    hostname: Hostname = Field(description="Host name of the environment, like dev.acme.com.")


GroupName = Annotated[str, Field(min_length=1, max_length=255)]


class Access(_Model):
    """Who may sign in through the two Okta apps (the page's "Controlled access")."""

    everyone: StrictBool = Field(
        default=False,
        description="Assign both apps to Okta's built-in Everyone group.",
    )
    groups: list[GroupName] = Field(
        default_factory=list,
        max_length=50,
        description=(
            "Okta group names (profile.name, matched exactly) assigned to both apps. Assignments the "
            "operator made for a group that leaves this list are removed; assignments made by others "
            "are left alone."
        ),
        json_schema_extra={"x-kubernetes-list-type": "set"},
    )

    @model_validator(mode="after")
    def _unique_groups(self) -> Access:
        seen: set[str] = set()
        problems: list[str] = []
        for index, group in enumerate(self.groups):
            if group in seen:
                problems.append(f"spec.access.groups[{index}]: {group!r} is listed twice")
            seen.add(group)
        if problems:
            raise ValueError("\n".join(problems))
        return self


AppLabel = Annotated[str, Field(min_length=1, max_length=100)]


class AppLabels(_Model):
    """Display names of the two Okta apps; override them to run several factories in one Okta org."""

    consoles: AppLabel = Field(
        default=DEFAULT_CONSOLES_LABEL,
        description="Label of the Web app used by the OutSystems consoles (Service Center, LifeTime).",
    )
    development_tools: AppLabel = Field(
        default=DEFAULT_TOOLS_LABEL,
        alias="developmentTools",
        description="Label of the Native app used by Service Studio and Integration Studio.",
    )


_UNIQUE_HOSTNAMES = "self.all(e, self.filter(f, f.hostname == e.hostname).size() == 1)"
_LIFETIME_NOT_REPEATED = "!self.environments.exists(e, e.hostname == self.lifetime.hostname)"


class IntegrationSpec(_Model):
    """An OutSystems 11 factory wired to Okta: two OIDC apps and a Secret with LifeTime's provider values."""

    model_config = ConfigDict(
        json_schema_extra={
            "x-kubernetes-validations": [
                {
                    "rule": _LIFETIME_NOT_REPEATED,
                    "message": "the LifeTime hostname must not be listed again among environments",
                }
            ]
        }
    )

    okta: OktaSpec = Field(description="The Okta org and the credentials the operator uses.")
    lifetime: LifeTime = Field(description="The LifeTime environment.")
    environments: list[Environment] = Field(
        min_length=1,
        max_length=100,
        description=(
            "The OutSystems environments LifeTime manages, LifeTime excluded. Redirect URIs follow this "
            "order."
        ),
        json_schema_extra={
            "x-kubernetes-list-type": "map",
            "x-kubernetes-list-map-keys": ["name"],
            "x-kubernetes-validations": [
                {"rule": _UNIQUE_HOSTNAMES, "message": "environment hostnames must be unique"}
            ],
        },
    )
    access: Access = Field(default_factory=Access, description="Who may sign in through the two apps.")
    app_labels: AppLabels = Field(
        default_factory=AppLabels,
        alias="appLabels",
        description="Labels of the two Okta apps (defaults follow the OutSystems documentation).",
    )
    secret_name: SecretName | None = Field(
        default=None,
        alias="secretName",
        description="Name of the output Secret in this namespace (default: <metadata.name>-lifetime).",
    )
    deletion_policy: DeletionPolicy = Field(
        default=DeletionPolicy.ORPHAN,
        alias="deletionPolicy",
        description=(
            "What happens to the Okta apps when this resource is deleted: Orphan (default) leaves them in "
            "Okta so a factory is never locked out by accident; Delete deactivates and deletes both."
        ),
    )

    @model_validator(mode="after")
    def _cross_field_rules(self) -> IntegrationSpec:
        problems: list[str] = []
        names: set[str] = set()
        hosts: set[str] = set()
        for index, env in enumerate(self.environments):
            where = f"spec.environments[{index}]"
            if env.name in names:
                problems.append(f"{where}.name: {env.name!r} is listed twice")
            if env.hostname == self.lifetime.hostname:
                problems.append(
                    f"{where}.hostname: {env.hostname!r} is the LifeTime hostname; "
                    "LifeTime must not be listed again among environments"
                )
            elif env.hostname in hosts:
                problems.append(f"{where}.hostname: {env.hostname!r} is listed twice")
            names.add(env.name)
            hosts.add(env.hostname)
        if problems:
            raise ValueError("\n".join(problems))
        return self

    def output_secret_name(self, resource_name: str) -> str:
        return self.secret_name or f"{resource_name}-lifetime"


class SpecError(ValueError):
    """The spec does not describe a valid integration; the message says every problem and where."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("; ".join(problems))


def _location(loc: tuple[int | str, ...]) -> str:
    path = "spec"
    for part in loc:
        if isinstance(part, int):
            path += f"[{part}]"
        else:
            path += f".{part}"
    return path


def _problem(error: Mapping[str, Any]) -> str:
    message = str(error["msg"]).removeprefix("Value error, ")
    loc = tuple(error["loc"])
    if error["type"] == "extra_forbidden":
        message = "unknown field"
    # Cross-field rules name their own field paths.
    return message if message.startswith("spec.") else f"{_location(loc)}: {message}"


def parse_spec(raw: Mapping[str, Any] | None) -> IntegrationSpec:
    """Validate a raw `spec` dict; raise SpecError listing every problem with its field path."""
    if raw is None:
        raw = {}
    if not isinstance(raw, Mapping):
        raise SpecError([f"spec: must be an object, not {type(raw).__name__}"])
    try:
        return IntegrationSpec.model_validate(dict(raw))
    except ValidationError as exc:
        problems: list[str] = []
        for error in exc.errors(include_input=False, include_url=False):
            problems.extend(_problem(error).splitlines())
        raise SpecError(problems) from None
