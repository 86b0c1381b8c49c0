"""What showOnDashboard, refreshTokens and the extra URIs make of the two create bodies."""

from __future__ import annotations

from typing import Any

from outsystems_okta.api.spec import parse_spec
from outsystems_okta.blueprint import Owner, desired_apps
from outsystems_okta.blueprint.apps import hidden

OWNER = Owner(namespace="outsystems", name="factory", uid="3f1c0e7a-0000-4000-8000-000000000001")
LT_LOGOUT = "https://lifetime.acme.com/LifeTimeSDK/CentralizedLogoutPage.aspx"


def bodies(**extra: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    raw: dict[str, Any] = {
        "okta": {"orgUrl": "https://acme.okta.com", "credentialsSecretRef": {"name": "okta-api"}},
        "lifetime": {"hostname": "lifetime.acme.com"},
        "environments": [{"name": "dev", "hostname": "dev.acme.com"}],
        **extra,
    }
    apps = desired_apps(parse_spec(raw), OWNER)
    return apps.consoles.create_body(), apps.development_tools.create_body()


def test_both_apps_are_hidden_unless_shown() -> None:
    for body in bodies():
        assert body["visibility"] == {"hide": {"iOS": True, "web": True}}
    for body in bodies(showOnDashboard=True):
        assert body["visibility"] == {"hide": {"iOS": False, "web": False}}
    assert hidden(True) == {"iOS": True, "web": True}


def test_refresh_tokens_per_app() -> None:
    consoles, tools = bodies(
        refreshTokens={"consoles": {"rotation": "Rotate"}, "developmentTools": {"leewaySeconds": 0}}
    )
    assert consoles["settings"]["oauthClient"]["refresh_token"] == {"rotation_type": "ROTATE", "leeway": 30}
    assert tools["settings"]["oauthClient"]["refresh_token"] == {"rotation_type": "STATIC", "leeway": 0}


def test_extra_uris_go_to_their_app_after_the_generated_ones() -> None:
    plain_consoles, plain_tools = bodies()
    consoles, tools = bodies(
        extraRedirectUris={"developmentTools": ["http://127.0.0.1:7890/cb"]},
        extraPostLogoutRedirectUris={"consoles": [LT_LOGOUT]},
    )
    c, pc = consoles["settings"]["oauthClient"], plain_consoles["settings"]["oauthClient"]
    t, pt = tools["settings"]["oauthClient"], plain_tools["settings"]["oauthClient"]
    assert c["redirect_uris"] == pc["redirect_uris"]
    assert c["post_logout_redirect_uris"] == [*pc["post_logout_redirect_uris"], LT_LOGOUT]
    assert t["redirect_uris"] == [*pt["redirect_uris"], "http://127.0.0.1:7890/cb"]
    assert t["post_logout_redirect_uris"] == pt["post_logout_redirect_uris"]


def test_an_extra_uri_the_operator_generates_is_kept_once_in_its_place() -> None:
    generated = "https://dev.acme.com/ServiceCenter/CentralizedLogin_AuthCodeFlow_TokenPart.aspx"
    plain, _ = bodies()
    consoles, _ = bodies(extraRedirectUris={"consoles": [generated]})
    assert (
        consoles["settings"]["oauthClient"]["redirect_uris"]
        == plain["settings"]["oauthClient"]["redirect_uris"]
    )
