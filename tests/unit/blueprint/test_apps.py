"""The two Okta create bodies, field by field, and the ownership marker."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from outsystems_okta import OPERATOR_NAME
from outsystems_okta.api.spec import IntegrationSpec, parse_spec
from outsystems_okta.blueprint import AppRole, DesiredApps, Owner, desired_apps, is_owned_by, ownership_marker
from outsystems_okta.blueprint.ownership import MARKER_KEY

OWNER = Owner(namespace="outsystems", name="factory", uid="3f1c0e7a-0000-4000-8000-000000000001")
LIFETIME = "lifetime.acme.com"


def spec(**extra: Any) -> IntegrationSpec:
    raw: dict[str, Any] = {
        "okta": {"orgUrl": "https://acme.okta.com", "credentialsSecretRef": {"name": "okta-api"}},
        "lifetime": {"hostname": LIFETIME},
        "environments": [
            {"name": "dev", "hostname": "dev.acme.com"},
            {"name": "prod", "hostname": "prod.acme.com"},
        ],
    }
    raw.update(extra)
    return parse_spec(raw)


@pytest.fixture
def apps() -> DesiredApps:
    return desired_apps(spec(), OWNER)


def test_consoles_create_body(apps: DesiredApps) -> None:
    assert apps.consoles.create_body() == {
        "name": "oidc_client",
        "label": "OutSystems Consoles",
        "signOnMode": "OPENID_CONNECT",
        "credentials": {"oauthClient": {"token_endpoint_auth_method": "client_secret_basic"}},
        "settings": {
            "oauthClient": {
                "application_type": "web",
                "grant_types": ["authorization_code", "refresh_token"],
                "response_types": ["code"],
                "consent_method": "TRUSTED",
                "redirect_uris": [
                    "https://lifetime.acme.com/ServiceCenter/CentralizedLogin_AuthCodeFlow_TokenPart.aspx",
                    "https://dev.acme.com/ServiceCenter/CentralizedLogin_AuthCodeFlow_TokenPart.aspx",
                    "https://prod.acme.com/ServiceCenter/CentralizedLogin_AuthCodeFlow_TokenPart.aspx",
                ],
                "post_logout_redirect_uris": [
                    "https://lifetime.acme.com/ServiceCenter/CentralizedLogout_CallbackEndpoint.aspx",
                    "https://dev.acme.com/ServiceCenter/CentralizedLogout_CallbackEndpoint.aspx",
                    "https://prod.acme.com/ServiceCenter/CentralizedLogout_CallbackEndpoint.aspx",
                ],
                "refresh_token": {"rotation_type": "STATIC", "leeway": 30},
            }
        },
        "profile": {
            "outsystemsOktaOperator": {
                "managedBy": "outsystems-okta-operator",
                "namespace": "outsystems",
                "name": "factory",
                "uid": "3f1c0e7a-0000-4000-8000-000000000001",
                "role": "consoles",
            }
        },
        "visibility": {"hide": {"iOS": True, "web": True}},
    }


def test_development_tools_create_body(apps: DesiredApps) -> None:
    assert apps.development_tools.create_body() == {
        "name": "oidc_client",
        "label": "OutSystems Development Tools",
        "signOnMode": "OPENID_CONNECT",
        "credentials": {"oauthClient": {"token_endpoint_auth_method": "none", "pkce_required": True}},
        "settings": {
            "oauthClient": {
                "application_type": "native",
                "grant_types": ["authorization_code", "refresh_token"],
                "response_types": ["code"],
                "redirect_uris": [
                    "servicestudio://auth",
                    "integrationstudio://auth",
                    "servicestudiox11://auth",
                    "https://experiencebuilder.outsystems.com/Authentication/OIDC_Callback",
                    "https://workflowbuilder.outsystems.com/Authentication/OIDC_Callback",
                    "https://integrationbuilder.outsystems.com/Authentication/OIDC_Callback",
                    "https://aimentorstudio.outsystems.com/Authentication/OIDC_Callback",
                    "https://dev.acme.com/OSIntegrationManager/OIDC_Callback",
                    "https://prod.acme.com/OSIntegrationManager/OIDC_Callback",
                ],
                "post_logout_redirect_uris": [
                    "servicestudio://auth",
                    "integrationstudio://auth",
                    "servicestudiox11://auth",
                    "https://www.outsystems.com",
                ],
                "refresh_token": {"rotation_type": "STATIC", "leeway": 30},
            }
        },
        "profile": {
            "outsystemsOktaOperator": {
                "managedBy": "outsystems-okta-operator",
                "namespace": "outsystems",
                "name": "factory",
                "uid": "3f1c0e7a-0000-4000-8000-000000000001",
                "role": "developmentTools",
            }
        },
        "visibility": {"hide": {"iOS": True, "web": True}},
    }


def test_roles_and_both(apps: DesiredApps) -> None:
    assert apps.consoles.role is AppRole.CONSOLES
    assert apps.development_tools.role is AppRole.DEVELOPMENT_TOOLS
    assert AppRole.CONSOLES == "consoles"
    assert AppRole.DEVELOPMENT_TOOLS == "developmentTools"
    assert apps.both() == (apps.consoles, apps.development_tools)


def test_only_the_web_app_is_a_confidential_client(apps: DesiredApps) -> None:
    web = apps.consoles.create_body()
    native = apps.development_tools.create_body()
    assert web["credentials"]["oauthClient"]["token_endpoint_auth_method"] == "client_secret_basic"
    assert "pkce_required" not in web["credentials"]["oauthClient"]
    # Okta: token_endpoint_auth_method `none` demands pkce_required true.
    assert native["credentials"]["oauthClient"]["token_endpoint_auth_method"] == "none"
    assert native["credentials"]["oauthClient"]["pkce_required"] is True
    for body in (web, native):
        assert "client_secret" not in body["credentials"]["oauthClient"]
        assert "client_id" not in body["credentials"]["oauthClient"]


def test_consent_method_only_on_the_web_app(apps: DesiredApps) -> None:
    assert apps.consoles.oauth_settings["consent_method"] == "TRUSTED"
    assert "consent_method" not in apps.development_tools.oauth_settings


def test_grant_types_include_refresh_token_as_the_page_asks(apps: DesiredApps) -> None:
    # "Grant type: Refresh token" on both; Okta requires authorization_code for web and native.
    for app in apps.both():
        assert app.oauth_settings["grant_types"] == ["authorization_code", "refresh_token"]
        assert app.oauth_settings["response_types"] == ["code"]


def test_apps_do_not_share_mutable_lists(apps: DesiredApps) -> None:
    apps.consoles.oauth_settings["grant_types"].append("implicit")
    assert apps.development_tools.oauth_settings["grant_types"] == ["authorization_code", "refresh_token"]
    assert desired_apps(spec(), OWNER).consoles.oauth_settings["grant_types"] == [
        "authorization_code",
        "refresh_token",
    ]


def test_create_body_returns_fresh_top_level_dicts(apps: DesiredApps) -> None:
    body = apps.consoles.create_body()
    body["settings"]["oauthClient"]["consent_method"] = "REQUIRED"
    body["profile"][MARKER_KEY]["uid"] = "other"
    body["credentials"]["oauthClient"]["client_secret"] = "s3cr3t"
    fresh = apps.consoles.create_body()
    assert fresh["settings"]["oauthClient"]["consent_method"] == "TRUSTED"
    assert fresh["profile"][MARKER_KEY]["uid"] == OWNER.uid
    assert "client_secret" not in fresh["credentials"]["oauthClient"]


def test_create_body_does_not_alias_the_desired_lists(apps: DesiredApps) -> None:
    body = apps.consoles.create_body()
    body["settings"]["oauthClient"]["redirect_uris"].append("https://evil.example/cb")
    assert "https://evil.example/cb" not in apps.consoles.oauth_settings["redirect_uris"]


def test_label_overrides() -> None:
    apps = desired_apps(
        spec(appLabels={"consoles": "Factory B Consoles", "developmentTools": "Factory B Tools"}), OWNER
    )
    assert apps.consoles.create_body()["label"] == "Factory B Consoles"
    assert apps.development_tools.create_body()["label"] == "Factory B Tools"


def test_partial_label_override_keeps_the_other_default() -> None:
    apps = desired_apps(spec(appLabels={"developmentTools": "Factory B Tools"}), OWNER)
    assert apps.consoles.label == "OutSystems Consoles"
    assert apps.development_tools.label == "Factory B Tools"


def test_settings_that_do_not_shape_okta_apps_leave_the_bodies_alone() -> None:
    plain = desired_apps(spec(), OWNER)
    other = desired_apps(
        spec(
            access={"everyone": True, "groups": ["Admins"]},
            secretName="x",
            deletionPolicy="Delete",
            okta={
                "orgUrl": "https://other.okta.com",
                "authorizationServerId": "aus1",
                "credentialsSecretRef": {"name": "t", "key": "k"},
            },
        ),
        OWNER,
    )
    assert other.consoles.create_body() == plain.consoles.create_body()
    assert other.development_tools.create_body() == plain.development_tools.create_body()


# --------------------------------------------------------------------------------------------------------
# Ownership marker
# --------------------------------------------------------------------------------------------------------


def test_marker_content() -> None:
    assert MARKER_KEY == "outsystemsOktaOperator"
    assert OPERATOR_NAME == "outsystems-okta-operator"
    assert ownership_marker(OWNER, "consoles") == {
        "managedBy": "outsystems-okta-operator",
        "namespace": "outsystems",
        "name": "factory",
        "uid": OWNER.uid,
        "role": "consoles",
    }


def test_marker_holds_only_strings_and_no_secret(apps: DesiredApps) -> None:
    for app in apps.both():
        marker = app.create_body()["profile"][MARKER_KEY]
        assert all(isinstance(v, str) for v in marker.values())
        assert set(marker) == {"managedBy", "namespace", "name", "uid", "role"}


def test_each_app_is_owned_only_in_its_own_role(apps: DesiredApps) -> None:
    consoles = apps.consoles.create_body()
    tools = apps.development_tools.create_body()
    assert is_owned_by(consoles, OWNER, "consoles")
    assert not is_owned_by(consoles, OWNER, "developmentTools")
    assert is_owned_by(tools, OWNER, "developmentTools")
    assert not is_owned_by(tools, OWNER, "consoles")


def _app_with_marker(**marker_changes: Any) -> dict[str, Any]:
    marker = {**ownership_marker(OWNER, "consoles"), **marker_changes}
    return {"id": "0oa1", "profile": {MARKER_KEY: {k: v for k, v in marker.items() if v is not None}}}


@pytest.mark.parametrize(
    "app",
    [
        _app_with_marker(uid="another-uid"),
        _app_with_marker(role="developmentTools"),
        _app_with_marker(managedBy="someone-else"),
        _app_with_marker(managedBy=None),
        _app_with_marker(uid=None),
        _app_with_marker(role=None),
        {"id": "0oa1"},
        {"id": "0oa1", "profile": None},
        {"id": "0oa1", "profile": "outsystemsOktaOperator"},
        {"id": "0oa1", "profile": {}},
        {"id": "0oa1", "profile": {"label": "OutSystems Consoles"}},
        {"id": "0oa1", "profile": {MARKER_KEY: None}},
        {"id": "0oa1", "profile": {MARKER_KEY: "outsystems-okta-operator"}},
        {"id": "0oa1", "profile": {MARKER_KEY: [ownership_marker(OWNER, "consoles")]}},
        # The marker at the top level or in settings is not where the operator looks.
        {"id": "0oa1", MARKER_KEY: ownership_marker(OWNER, "consoles")},
    ],
    ids=[
        "other-uid",
        "other-role",
        "wrong-managedBy",
        "no-managedBy",
        "no-uid",
        "no-role",
        "no-profile",
        "null-profile",
        "string-profile",
        "empty-profile",
        "profile-without-marker",
        "null-marker",
        "string-marker",
        "list-marker",
        "marker-outside-profile",
    ],
)
def test_not_owned(app: dict[str, Any]) -> None:
    assert not is_owned_by(app, OWNER, "consoles")


def test_owned_by_uid_even_when_namespace_or_name_differ() -> None:
    # The uid identifies the resource; a renamed copy elsewhere has another uid anyway.
    assert is_owned_by(_app_with_marker(namespace="elsewhere", name="renamed"), OWNER, "consoles")


def test_owned_with_other_profile_keys_and_extra_marker_keys() -> None:
    app = _app_with_marker(note="added by an admin")
    app["profile"]["label"] = "something else"
    assert is_owned_by(app, OWNER, "consoles")


def test_same_name_different_uid_is_not_ours() -> None:
    # A resource deleted and re-created with the same name must not adopt the old one's apps by name.
    recreated = Owner(namespace=OWNER.namespace, name=OWNER.name, uid="a-new-uid")
    app = copy.deepcopy(_app_with_marker())
    assert not is_owned_by(app, recreated, "consoles")
