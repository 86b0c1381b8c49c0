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
from outsystems_okta.api.app_options import SIGN_IN_POLICY_ID, ExtraUris, RefreshTokens
from outsystems_okta.api.constants import DEFAULT_CONSOLES_LABEL, DEFAULT_TOOLS_LABEL
from outsystems_okta.api.rotation import ClientSecretRotation


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


class MissingAppPolicy(StrEnum):
    STOP = "Stop"
    RECREATE = "Recreate"


def _no_schema_default(schema: dict[str, Any]) -> None:
    # The model keeps its default, but the CRD must not: an API server fills schema defaults into the
    # stored object, and the operator could then no longer tell a label the user chose from one it
    # defaulted (an adopted app keeps its own label unless the spec names one).
    schema.pop("default", None)


class ManagementPolicy(StrEnum):
    MANAGE = "Manage"
    # Read only, as Crossplane's Observe management policy: report differences, never write.
    OBSERVE = "Observe"


class AccessPolicyMode(StrEnum):
    CHECK = "Check"
    MANAGE = "Manage"


class CredentialsSecretRef(_Model):
    """A Secret in the resource's own namespace that holds an Okta API token or an OAuth service app."""

    name: SecretName = Field(description="Name of the Secret, in the same namespace as this resource.")
    key: Annotated[str, Field(**patterns.shaped(patterns.SECRET_KEY)), _shape_check(patterns.SECRET_KEY)] = (
        Field(
            default="apiToken",
            description=(
                "Key in the Secret whose value is an Okta API token (sent as `Authorization: SSWS`). "
                "Not used when the Secret has `clientId` (an OAuth service app: `clientId`, `privateKey`, "
                "optional `keyId`)."
            ),
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
        description=(
            "Secret (same namespace) holding the operator's Okta credentials: an OAuth 2.0 service app "
            "(keys clientId, privateKey, optional keyId; recommended by Okta) or an API token."
        ),
    )
    sign_in_policy_id: (
        Annotated[str, Field(**patterns.shaped(SIGN_IN_POLICY_ID)), _shape_check(SIGN_IN_POLICY_ID)] | None
    ) = Field(
        default=None,
        alias="signInPolicyId",
        description=(
            "Id of an Okta Identity Engine app sign-in policy (rst...) that both apps use; kept by drift. "
            "Unset: the apps keep whatever policy Okta or an admin gave them."
        ),
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


GroupName = Annotated[str, Field(**patterns.shaped(patterns.GROUP_NAME)), _shape_check(patterns.GROUP_NAME)]


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


# The CEL rule comes with `_label_schema`: pydantic cannot merge a dict `json_schema_extra` here with
# the fields' callable one.
AppLabel = Annotated[str, Field(max_length=patterns.APP_LABEL.max_length), _shape_check(patterns.APP_LABEL)]


def _label_schema(schema: dict[str, Any]) -> None:
    _no_schema_default(schema)
    schema["x-kubernetes-validations"] = [patterns.APP_LABEL.cel_rule()]


AppId = Annotated[str, Field(**patterns.shaped(patterns.APP_ID)), _shape_check(patterns.APP_ID)]

# Role names as status and the ownership marker spell them, to the spec's field names.
_ROLE_FIELDS = {"consoles": "consoles", "developmentTools": "development_tools"}


class AppLabels(_Model):
    """Display names of the two Okta apps; override them to run several factories in one Okta org."""

    consoles: AppLabel = Field(
        default=DEFAULT_CONSOLES_LABEL,
        description=(
            "Label of the Web app used by the OutSystems consoles (Service Center, LifeTime). Default: "
            "OutSystems Consoles for an app the operator creates; an adopted app keeps its own label."
        ),
        json_schema_extra=_label_schema,
    )
    development_tools: AppLabel = Field(
        default=DEFAULT_TOOLS_LABEL,
        alias="developmentTools",
        description=(
            "Label of the Native app used by Service Studio and Integration Studio. Default: OutSystems "
            "Development Tools for an app the operator creates; an adopted app keeps its own label."
        ),
        json_schema_extra=_label_schema,
    )

    def is_set(self, role: str) -> bool:
        """Whether the spec names this app's label (as opposed to the default)."""
        return _ROLE_FIELDS[role] in self.model_fields_set


_ADOPT_SOMETHING = "has(self.consolesAppId) || has(self.developmentToolsAppId)"
_ADOPT_SOMETHING_MESSAGE = "name the app to adopt: consolesAppId, developmentToolsAppId or both"
_ADOPT_TWO_APPS = (
    "!has(self.consolesAppId) || !has(self.developmentToolsAppId) || "
    "self.consolesAppId != self.developmentToolsAppId"
)
_ADOPT_TWO_APPS_MESSAGE = "consolesAppId and developmentToolsAppId must name two different Okta apps"


class Adopt(_Model):
    """Okta apps an admin already made, to manage instead of creating new ones."""

    model_config = ConfigDict(
        json_schema_extra={
            "x-kubernetes-validations": [
                {"rule": _ADOPT_SOMETHING, "message": _ADOPT_SOMETHING_MESSAGE},
                {"rule": _ADOPT_TWO_APPS, "message": _ADOPT_TWO_APPS_MESSAGE},
            ]
        }
    )

    consoles_app_id: AppId | None = Field(
        default=None,
        alias="consolesAppId",
        description=(
            "Id of an existing OIDC Web app to use as OutSystems Consoles (Applications > the app: the id "
            "after /instance/ in the address). The operator checks it, sets only the fields it owns, keeps "
            "its client ID and client secret, and never creates a secret."
        ),
    )
    development_tools_app_id: AppId | None = Field(
        default=None,
        alias="developmentToolsAppId",
        description=(
            "Id of an existing OIDC Native app to use as OutSystems Development Tools. An app not named "
            "here is created by the operator."
        ),
    )

    @model_validator(mode="after")
    def _rules(self) -> Adopt:
        if self.consoles_app_id is None and self.development_tools_app_id is None:
            raise ValueError(f"spec.adopt: {_ADOPT_SOMETHING_MESSAGE}")
        if self.consoles_app_id is not None and self.consoles_app_id == self.development_tools_app_id:
            raise ValueError(f"spec.adopt: {_ADOPT_TWO_APPS_MESSAGE}")
        return self

    def app_id(self, role: str) -> str | None:
        value = getattr(self, f"{_ROLE_FIELDS[role]}_app_id")
        return str(value) if value is not None else None


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
            "Okta, as they are but for the operator's ownership marker, so a factory is never locked out "
            "by accident; Delete deactivates and deletes both (adopted apps included)."
        ),
    )
    adopt: Adopt | None = Field(
        default=None,
        description=(
            "Okta apps an admin already made, to manage instead of creating new ones. Set it before the "
            "first reconcile: once the resource manages an app, naming another one is refused "
            "(AdoptionRefused) while the first still exists, because LifeTime holds its client ID."
        ),
    )
    missing_app_policy: MissingAppPolicy = Field(
        default=MissingAppPolicy.STOP,
        alias="missingAppPolicy",
        description=(
            "What to do when an app this resource manages is gone from Okta: Stop (default) reports "
            "OktaAppDeleted and changes nothing, because a new app means a new client ID that LifeTime "
            "must be given by hand; Recreate creates a new app and writes its values to the Secret."
        ),
    )
    management_policy: ManagementPolicy = Field(
        default=ManagementPolicy.MANAGE,
        alias="managementPolicy",
        description=(
            "Manage (default): make Okta and the output Secret match the spec. Observe: never write to "
            "Okta or the Secret; compare the apps Okta has (found by status, spec.adopt or the "
            "ownership marker) with the spec and list every difference in status.drift (condition "
            "Synced)."
        ),
    )

    show_on_dashboard: StrictBool = Field(
        default=False,
        alias="showOnDashboard",
        description=(
            "Show the two apps' tiles on users' Okta dashboards. Default false: both apps are hidden "
            "(web and iOS), because neither tile can launch anything (no initiate login URI)."
        ),
    )
    refresh_tokens: RefreshTokens = Field(
        default_factory=RefreshTokens,
        alias="refreshTokens",
        description=(
            "Refresh-token behaviour per app, set explicitly and kept by drift; defaults are what the "
            "Okta admin console sets for a Web and a Native app (Static, 30-second leeway)."
        ),
    )
    extra_redirect_uris: ExtraUris = Field(
        default_factory=ExtraUris,
        alias="extraRedirectUris",
        description="Sign-in redirect URIs per app beyond those the OutSystems page lists.",
    )
    extra_post_logout_redirect_uris: ExtraUris = Field(
        default_factory=ExtraUris,
        alias="extraPostLogoutRedirectUris",
        description=(
            "Sign-out redirect URIs per app beyond those the OutSystems page lists (for example "
            "https://<lifetime>/LifeTimeSDK/CentralizedLogoutPage.aspx, which older LifeTime versions use)."
        ),
    )

    client_secret_rotation: ClientSecretRotation = Field(
        default_factory=ClientSecretRotation,
        alias="clientSecretRotation",
        description="Scheduled rotation of the Consoles client secret (see the rotate annotation).",
    )

    @model_validator(mode="after")
    def _extra_uri_rules(self) -> IntegrationSpec:
        problems = [
            *self.extra_redirect_uris.duplicates("spec.extraRedirectUris"),
            *self.extra_post_logout_redirect_uris.duplicates("spec.extraPostLogoutRedirectUris"),
        ]
        if problems:
            raise ValueError("\n".join(problems))
        return self

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

    def adopt_id(self, role: str) -> str | None:
        """The id of the app the spec adopts for a role (`consoles`, `developmentTools`), if any."""
        return self.adopt.app_id(role) if self.adopt is not None else None


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
