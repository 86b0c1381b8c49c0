"""showOnDashboard, refreshTokens, extra URIs and okta.signInPolicyId: what parse_spec and the CRD's CEL
rules accept and refuse, and that they say the same thing."""

from __future__ import annotations

from typing import Any

import pytest
from tests.unit.api.test_crd import SPEC_SCHEMA, cel_failures, edit, minimal

from outsystems_okta.api import uri_shapes
from outsystems_okta.api.app_options import SIGN_IN_POLICY_ID, Rotation, with_extras
from outsystems_okta.api.spec import SpecError, parse_spec

WEB_OK = [
    "https://lifetime.acme.com/LifeTimeSDK/CentralizedLogoutPage.aspx",
    "https://lifetime.acme.com",
    "https://LifeTime.Acme.com:8443/ServiceCenter/x.aspx?tenant=1&a=b",
    "https://a.b/",
]
WEB_BAD = [
    "http://lifetime.acme.com/LifeTimeSDK/CentralizedLogoutPage.aspx",  # plain http
    "http://127.0.0.1:8080/cb",  # no loopback for the Web app
    "https://*.acme.com/cb",  # wildcard
    "https://lifetime.acme.com/cb#frag",  # fragment
    "https://lifetime.acme.com/a b",  # space
    "lifetime.acme.com/cb",  # no scheme
    "servicestudio://auth",  # custom scheme: the Native app's
    "https://-bad.acme.com/",  # not a host name
    "https://lifetime.acme.com/\u00e9",  # not ASCII
    "",
]
NATIVE_OK = [
    "servicestudio://auth",
    "com.acme.tools:/oauth2redirect",
    "https://tools.acme.com/callback",
    "http://127.0.0.1:7890/callback",
    "http://localhost/cb",
    "http://[::1]:1234",
]
NATIVE_BAD = {
    "http://tools.acme.com/callback": uri_shapes.NATIVE_HTTP_MESSAGE,  # plain http, not loopback
    "https://": uri_shapes.NATIVE_HTTP_MESSAGE,
    "HTTP://localhost/cb": uri_shapes.NATIVE_URI.message,  # upper-case scheme
    "ServiceStudio://auth": uri_shapes.NATIVE_URI.message,
    "servicestudio://*": uri_shapes.NATIVE_URI.message,
    "servicestudio://auth#x": uri_shapes.NATIVE_URI.message,
    "servicestudio:": uri_shapes.NATIVE_URI.message,
    "/relative/path": uri_shapes.NATIVE_URI.message,
    "servicestudio:// auth": uri_shapes.NATIVE_URI.message,
}


def spec_with(**fields: Any) -> dict[str, Any]:
    spec = minimal()
    spec.update(fields)
    return spec


def problems(spec: dict[str, Any]) -> list[str]:
    try:
        parse_spec(spec)
    except SpecError as exc:
        return exc.problems
    return []


# -- extra URIs -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("field", ["extraRedirectUris", "extraPostLogoutRedirectUris"])
@pytest.mark.parametrize("uri", WEB_OK)
def test_web_uris_accepted(field: str, uri: str) -> None:
    spec = spec_with(**{field: {"consoles": [uri]}})
    assert problems(spec) == []
    assert cel_failures(spec, SPEC_SCHEMA) == []


@pytest.mark.parametrize("field", ["extraRedirectUris", "extraPostLogoutRedirectUris"])
@pytest.mark.parametrize("uri", WEB_BAD)
def test_web_uris_refused_with_the_crds_words(field: str, uri: str) -> None:
    spec = spec_with(**{field: {"consoles": [uri]}})
    assert problems(spec) == [f"spec.{field}.consoles[0]: {uri!r} {uri_shapes.WEB_URI.message}"]
    assert cel_failures(spec, SPEC_SCHEMA) == [uri_shapes.WEB_URI.message]


@pytest.mark.parametrize("uri", NATIVE_OK)
def test_native_uris_accepted(uri: str) -> None:
    spec = spec_with(extraRedirectUris={"developmentTools": [uri]})
    assert problems(spec) == []
    assert cel_failures(spec, SPEC_SCHEMA) == []


@pytest.mark.parametrize(("uri", "message"), NATIVE_BAD.items(), ids=list(NATIVE_BAD))
def test_native_uris_refused_with_the_crds_words(uri: str, message: str) -> None:
    spec = spec_with(extraPostLogoutRedirectUris={"developmentTools": [uri]})
    assert problems(spec) == [f"spec.extraPostLogoutRedirectUris.developmentTools[0]: {uri!r} {message}"]
    assert message in cel_failures(spec, SPEC_SCHEMA)


def test_a_uri_listed_twice_is_refused_the_api_server_refuses_it_as_a_set() -> None:
    uri = "https://lifetime.acme.com/LifeTimeSDK/CentralizedLogoutPage.aspx"
    spec = spec_with(extraPostLogoutRedirectUris={"consoles": [uri, uri]})
    assert problems(spec) == [f"spec.extraPostLogoutRedirectUris.consoles[1]: {uri!r} is listed twice"]
    node = SPEC_SCHEMA["properties"]["extraPostLogoutRedirectUris"]["properties"]["consoles"]
    assert node["x-kubernetes-list-type"] == "set"


def test_at_most_twenty_extra_uris_per_app() -> None:
    uris = [f"https://e{i}.acme.com/cb" for i in range(21)]
    assert problems(spec_with(extraRedirectUris={"consoles": uris[:20]})) == []
    [problem] = problems(spec_with(extraRedirectUris={"consoles": uris}))
    assert problem.startswith("spec.extraRedirectUris.consoles: List should have at most 20 items")
    assert SPEC_SCHEMA["properties"]["extraRedirectUris"]["properties"]["consoles"]["maxItems"] == 20


def test_a_uri_longer_than_the_bound_is_refused() -> None:
    long_uri = "https://lifetime.acme.com/" + "a" * (uri_shapes.MAX_LENGTH - 25)
    assert len(long_uri) == uri_shapes.MAX_LENGTH + 1
    [problem] = problems(spec_with(extraRedirectUris={"consoles": [long_uri]}))
    assert "at most 512 characters" in problem


def test_unknown_apps_are_refused() -> None:
    assert problems(spec_with(extraRedirectUris={"lifetime": ["https://x.acme.com/"]})) == [
        "spec.extraRedirectUris.lifetime: unknown field"
    ]


def test_with_extras_keeps_the_generated_order_and_appends_new_ones_once() -> None:
    generated = ["a://1", "https://g/2"]
    assert with_extras(generated, []) == generated
    assert with_extras(generated, ["https://x/", "https://g/2", "https://x/", "a://0"]) == [
        "a://1",
        "https://g/2",
        "https://x/",
        "a://0",
    ]
    assert generated == ["a://1", "https://g/2"]  # not mutated


# -- refresh tokens ------------------------------------------------------------------------------------


def test_refresh_tokens_default_to_the_admin_consoles_choice_for_both_apps() -> None:
    spec = parse_spec(minimal())
    for role in ("consoles", "developmentTools"):
        assert spec.refresh_tokens.of(role).okta() == {"rotation_type": "STATIC", "leeway": 30}


@pytest.mark.parametrize(("rotation", "okta"), [("Static", "STATIC"), ("Rotate", "ROTATE")])
@pytest.mark.parametrize("leeway", [0, 1, 59, 60])
def test_refresh_tokens_accepted(rotation: str, okta: str, leeway: int) -> None:
    raw = spec_with(refreshTokens={"consoles": {"rotation": rotation, "leewaySeconds": leeway}})
    spec = parse_spec(raw)
    assert spec.refresh_tokens.consoles.okta() == {"rotation_type": okta, "leeway": leeway}
    assert spec.refresh_tokens.development_tools.okta() == {"rotation_type": "STATIC", "leeway": 30}
    assert cel_failures(raw, SPEC_SCHEMA) == []
    assert Rotation(rotation).okta == okta


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (
            {"rotation": "ROTATE"},
            "spec.refreshTokens.developmentTools.rotation: Input should be 'Static' or 'Rotate'",
        ),
        (
            {"leewaySeconds": 61},
            "spec.refreshTokens.developmentTools.leewaySeconds: Input should be less than or equal to 60",
        ),
        (
            {"leewaySeconds": -1},
            "spec.refreshTokens.developmentTools.leewaySeconds: Input should be greater than or equal to 0",
        ),
        (
            {"leewaySeconds": "30"},
            "spec.refreshTokens.developmentTools.leewaySeconds: Input should be a valid integer",
        ),
        ({"leeway": 30}, "spec.refreshTokens.developmentTools.leeway: unknown field"),
    ],
)
def test_refresh_tokens_refused(value: dict[str, Any], expected: str) -> None:
    assert problems(spec_with(refreshTokens={"developmentTools": value})) == [expected]


def test_refresh_token_bounds_are_in_the_crd() -> None:
    node = SPEC_SCHEMA["properties"]["refreshTokens"]["properties"]["consoles"]["properties"]
    assert node["leewaySeconds"]["minimum"] == 0 and node["leewaySeconds"]["maximum"] == 60
    assert node["rotation"]["enum"] == ["Static", "Rotate"]


# -- showOnDashboard and signInPolicyId -----------------------------------------------------------------


def test_show_on_dashboard_is_a_strict_boolean_defaulting_to_hidden() -> None:
    assert parse_spec(minimal()).show_on_dashboard is False
    assert parse_spec(spec_with(showOnDashboard=True)).show_on_dashboard is True
    assert problems(spec_with(showOnDashboard="yes")) == [
        "spec.showOnDashboard: Input should be a valid boolean"
    ]


@pytest.mark.parametrize("policy_id", ["rst4eram06ZKZewEe0g7", "rst1"])
def test_sign_in_policy_ids_accepted(policy_id: str) -> None:
    raw = edit(minimal(), ("okta", "signInPolicyId"), policy_id)
    assert parse_spec(raw).okta.sign_in_policy_id == policy_id
    assert cel_failures(raw, SPEC_SCHEMA) == []


@pytest.mark.parametrize("policy_id", ["00p4eram2kw1aLcrx0g7", "rst", "rst-1", "RST1", "rst1 ", "aus1"])
def test_sign_in_policy_ids_refused(policy_id: str) -> None:
    raw = edit(minimal(), ("okta", "signInPolicyId"), policy_id)
    assert problems(raw) == [f"spec.okta.signInPolicyId: {policy_id!r} {SIGN_IN_POLICY_ID.message}"]
    assert cel_failures(raw, SPEC_SCHEMA) == [SIGN_IN_POLICY_ID.message]


def test_no_sign_in_policy_by_default() -> None:
    assert parse_spec(minimal()).okta.sign_in_policy_id is None
