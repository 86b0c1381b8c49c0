"""Per-app settings of the spec beyond the OutSystems page: refresh-token behaviour and extra URIs.

Both come per app (`consoles`, `developmentTools`) because the two apps differ: a Web app that
LifeTime and Service Center use, a Native app that Service Studio uses.
"""

from __future__ import annotations

import re
from enum import StrEnum
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StrictInt

from outsystems_okta.api import uri_shapes
from outsystems_okta.api.patterns import Shape, cel_string

# Okta's defaults for an app made in the admin console, for both a Web and a Native app:
# "Native apps and web apps use persistent refresh token behavior as the default" and "The default
# number of seconds for the Grace period for token rotation is set to 30 seconds"
# (developer.okta.com/docs/guides/refresh-tokens/main/); the API's own defaults agree (OpenAPI
# `OpenIdConnectRefreshTokenRotationType`: "STATIC: The default rotation type for all clients,
# except SPAs"; `OpenIdConnectApplicationSettingsRefreshToken.leeway`: default 30, 0 to 60).
DEFAULT_LEEWAY_SECONDS = 30
MAX_LEEWAY_SECONDS = 60


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Rotation(StrEnum):
    STATIC = "Static"
    ROTATE = "Rotate"

    @property
    def okta(self) -> str:
        """Okta's `rotation_type` value."""
        return self.value.upper()


class RefreshToken(_Model):
    """How Okta treats one app's refresh tokens (the app's General tab, "Refresh token behavior")."""

    rotation: Rotation = Field(
        default=Rotation.STATIC,
        description=(
            "Static (default, the admin console's 'Use persistent token'): the same refresh token until "
            "it expires. Rotate ('Rotate token after every use'): a new refresh token at every use, and a "
            "reused one revokes them all."
        ),
    )
    leeway_seconds: StrictInt = Field(
        default=DEFAULT_LEEWAY_SECONDS,
        ge=0,
        le=MAX_LEEWAY_SECONDS,
        alias="leewaySeconds",
        description=(
            "Grace period for token rotation, 0 to 60 seconds (default 30): how long a rotated refresh "
            "token stays valid so that a client that missed the answer can retry."
        ),
    )

    def okta(self) -> dict[str, Any]:
        """`settings.oauthClient.refresh_token` as Okta spells it."""
        return {"rotation_type": self.rotation.okta, "leeway": self.leeway_seconds}


class RefreshTokens(_Model):
    """Refresh-token behaviour of the two apps, set explicitly and kept as set (drift is repaired)."""

    consoles: RefreshToken = Field(
        default_factory=RefreshToken, description="The OutSystems Consoles (Web) app."
    )
    development_tools: RefreshToken = Field(
        default_factory=RefreshToken,
        alias="developmentTools",
        description="The OutSystems Development Tools (Native) app.",
    )

    def of(self, role: str) -> RefreshToken:
        return self.consoles if role == "consoles" else self.development_tools


def _fits(shape: Shape) -> AfterValidator:
    def check(value: str) -> str:
        if not shape.fits(value):
            raise ValueError(f"{value!r} {shape.message}")
        return value

    return AfterValidator(check)


def _native_http(value: str) -> str:
    # re.match anchors at the start only, as CEL's `matches` does with the pattern's own `^`.
    if re.match(uri_shapes.HTTP_SCHEME, value) and re.fullmatch(uri_shapes.NATIVE_HTTP, value) is None:
        raise ValueError(f"{value!r} {uri_shapes.NATIVE_HTTP_MESSAGE}")
    return value


_NATIVE_HTTP_RULE = {
    "rule": (
        f"!self.matches({cel_string(uri_shapes.HTTP_SCHEME)}) || "
        f"self.matches({cel_string(uri_shapes.NATIVE_HTTP)})"
    ),
    "message": uri_shapes.NATIVE_HTTP_MESSAGE,
}

WebUri = Annotated[
    str,
    Field(
        max_length=uri_shapes.MAX_LENGTH,
        json_schema_extra={"x-kubernetes-validations": [uri_shapes.WEB_URI.cel_rule()]},
    ),
    _fits(uri_shapes.WEB_URI),
]
NativeUri = Annotated[
    str,
    Field(
        max_length=uri_shapes.MAX_LENGTH,
        json_schema_extra={"x-kubernetes-validations": [uri_shapes.NATIVE_URI.cel_rule(), _NATIVE_HTTP_RULE]},
    ),
    _fits(uri_shapes.NATIVE_URI),
    AfterValidator(_native_http),
]


# A set: the API server refuses a URI listed twice, and parse_spec does too.
_SET: dict[str, Any] = {"x-kubernetes-list-type": "set"}


class ExtraUris(_Model):
    """URIs to register on each app beyond those the operator generates from the OutSystems page.

    They follow the generated ones, in this order; one the operator already generates is kept once.
    """

    consoles: list[WebUri] = Field(
        default_factory=list,
        max_length=uri_shapes.MAX_ITEMS,
        description="Extra URIs for the OutSystems Consoles (Web) app: https only, at most 20.",
        json_schema_extra=_SET,
    )
    development_tools: list[NativeUri] = Field(
        default_factory=list,
        alias="developmentTools",
        max_length=uri_shapes.MAX_ITEMS,
        description=(
            "Extra URIs for the OutSystems Development Tools (Native) app: https, a custom scheme like "
            "servicestudio://, or http to a loopback address; at most 20."
        ),
        json_schema_extra=_SET,
    )

    def of(self, role: str) -> list[str]:
        return list(self.consoles if role == "consoles" else self.development_tools)

    def duplicates(self, field_path: str) -> list[str]:
        """`<path>.<app>[i]: '<uri>' is listed twice` for every repeat (the CRD's set rule, here)."""
        problems: list[str] = []
        for name, uris in (("consoles", self.consoles), ("developmentTools", self.development_tools)):
            seen: set[str] = set()
            for index, uri in enumerate(uris):
                if uri in seen:
                    problems.append(f"{field_path}.{name}[{index}]: {uri!r} is listed twice")
                seen.add(uri)
        return problems


def with_extras(generated: list[str], extras: list[str]) -> list[str]:
    """The generated URIs first, in the page's order, then the extras that are not among them.

    Generated URIs lead so that adding, removing or reordering an extra never moves one LifeTime or
    Service Studio uses (Okta matches redirect URIs in their registered order), and an extra the
    operator also generates (an environment's URI added before the environment) is kept once rather
    than refused: the spec stays valid whichever of the two changes first.
    """
    return list(dict.fromkeys([*generated, *extras]))


# An app sign-in policy id (Identity Engine's ACCESS_POLICY): `rst` and letters and digits, as every
# ACCESS_POLICY in Okta's OpenAPI examples (rst4eram06ZKZewEe0g7, rst7xus97faIAgmti1d7) and the
# admin console's address of the policy (.../authentication-policies/rst.../). The prefix is pinned so
# that another kind of policy id (00p..., a global session or password policy) is refused here, with
# words, instead of by Okta; the length is not (an id Okta lacks is caught before any write).
SIGN_IN_POLICY_ID = Shape(
    pattern="^rst[A-Za-z0-9]+$",
    message=(
        "must be an Okta app sign-in policy id like rst1a2b3c4d5e6f7g8h9: rst followed by letters and "
        "digits (Security > Authentication Policies > App sign-in > the policy: the id in the address)"
    ),
    max_length=64,
)
