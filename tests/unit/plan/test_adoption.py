"""Adopting an admin's app, pure: which apps are refused and why, what "desired" means for an adopted
app, and the plan that follows (only owned fields, the admin's label, client ID and secret kept)."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from tests.unit.plan.test_apps_plan import CONSOLES, OWNER, TOOLS, apps_for, okta_app

from outsystems_okta.blueprint import MARKER_KEY, DesiredApp, Owner, ownership_marker
from outsystems_okta.plan.adoption import (
    SECRET_AUTH_METHODS,
    adopt_field,
    adoption_refusal,
    effective_desired,
    page_name,
    swap_refusal,
)
from outsystems_okta.plan.apps import AppAction, plan_app, released_body, replacement_body

APP_ID = "0oa5AdminMadeApp0001"
OTHER = Owner(namespace="team-b", name="factory", uid="uid-of-team-b")


def admin_app(desired: DesiredApp, **changes: Any) -> dict[str, Any]:
    """The app as an admin made it: Okta's JSON without our marker, with their own label."""
    app = okta_app(desired, app_id=APP_ID)
    app["profile"] = {"team": "platform"}
    app["label"] = "Acme LifeTime SSO" if desired is CONSOLES else "Acme Service Studio"
    for path, value in changes.items():
        node = app
        *parents, last = path.split("__")
        for part in parents:
            node = node[part]
        if value is ...:
            node.pop(last, None)
        else:
            node[last] = value
    return app


def refusal(desired: DesiredApp, observed: dict[str, Any] | None, owner: Owner = OWNER) -> str | None:
    return adoption_refusal(desired, APP_ID, observed, owner)


# -- what may be adopted ------------------------------------------------------------------------------


@pytest.mark.parametrize("desired", [CONSOLES, TOOLS], ids=["consoles", "tools"])
def test_an_oidc_app_of_the_right_type_without_a_marker_may_be_adopted(desired: DesiredApp) -> None:
    assert refusal(desired, admin_app(desired)) is None


@pytest.mark.parametrize("desired", [CONSOLES, TOOLS], ids=["consoles", "tools"])
def test_an_app_with_this_resources_own_marker_may_be_adopted_again(desired: DesiredApp) -> None:
    app = admin_app(desired)
    app["profile"][MARKER_KEY] = ownership_marker(OWNER, desired.role)
    assert refusal(desired, app) is None


@pytest.mark.parametrize("method", SECRET_AUTH_METHODS)
def test_a_web_app_sending_its_secret_either_way_may_be_adopted(method: str) -> None:
    app = admin_app(CONSOLES, credentials__oauthClient__token_endpoint_auth_method=method)
    assert refusal(CONSOLES, app) is None


@pytest.mark.parametrize("method", ["client_secret_basic", "client_secret_post", "none", "private_key_jwt"])
def test_a_native_app_may_be_adopted_whatever_its_client_authentication(method: str) -> None:
    # Nothing of OutSystems uses a Native app's secret (LifeTime holds only its client ID): the owned
    # method, none with PKCE, replaces it.
    app = admin_app(TOOLS, credentials__oauthClient__token_endpoint_auth_method=method)
    assert refusal(TOOLS, app) is None


def test_a_missing_app_is_refused_not_created() -> None:
    assert refusal(CONSOLES, None) == (
        f"spec.adopt.consolesAppId names {APP_ID}, but Okta has no such app; check the id (the app's page "
        "in the Okta admin console, after /instance/ in the address)"
    )


@pytest.mark.parametrize(
    ("sign_on", "name", "shown"),
    [
        ("SAML_2_0", "acme_saml", "SAML_2_0"),
        ("BOOKMARK", "bookmark", "BOOKMARK"),
        (None, "oidc_client", "non-OIDC"),
        ("OPENID_CONNECT", "okta_org2org", "OPENID_CONNECT"),
    ],
)
def test_an_app_that_is_not_an_oidc_app_integration_is_refused(
    sign_on: str | None, name: str, shown: str
) -> None:
    app = admin_app(CONSOLES, signOnMode=sign_on if sign_on else ..., name=name)
    assert refusal(CONSOLES, app) == (
        f"spec.adopt.consolesAppId names {APP_ID} ('Acme LifeTime SSO'), which is a {shown} app, not an "
        "OpenID Connect (OIDC) app integration"
    )


@pytest.mark.parametrize(
    ("desired", "app_type", "expected"),
    [
        (CONSOLES, "native", "the OutSystems Consoles app must be an OIDC Web app (application_type web)"),
        (CONSOLES, "browser", "the OutSystems Consoles app must be an OIDC Web app (application_type web)"),
        (CONSOLES, "service", "the OutSystems Consoles app must be an OIDC Web app (application_type web)"),
        (
            TOOLS,
            "web",
            "the OutSystems Development Tools app must be an OIDC Native app (application_type native)",
        ),
        (
            TOOLS,
            "browser",
            "the OutSystems Development Tools app must be an OIDC Native app (application_type native)",
        ),
    ],
    ids=["consoles-native", "consoles-spa", "consoles-service", "tools-web", "tools-spa"],
)
def test_an_app_of_the_wrong_type_is_refused(desired: DesiredApp, app_type: str, expected: str) -> None:
    app = admin_app(desired, settings__oauthClient__application_type=app_type)
    message = refusal(desired, app)
    assert message is not None
    assert message.startswith(
        f"{adopt_field(desired.role)} names {APP_ID} ('{app['label']}'), which is a {app_type} app"
    )
    assert message.endswith(expected)


def test_an_app_without_a_type_is_refused() -> None:
    app = admin_app(TOOLS, settings__oauthClient__application_type=...)
    message = refusal(TOOLS, app)
    assert message is not None and "which is a typeless app" in message


@pytest.mark.parametrize("method", ["none", "private_key_jwt", "client_secret_jwt", ...])
def test_a_web_app_whose_client_authentication_lifetime_cannot_use_is_refused(method: Any) -> None:
    app = admin_app(CONSOLES, credentials__oauthClient__token_endpoint_auth_method=method)
    shown = "no method" if method is ... else method
    assert refusal(CONSOLES, app) == (
        f"spec.adopt.consolesAppId names {APP_ID} ('Acme LifeTime SSO'), which authenticates with {shown}; "
        "LifeTime needs a client secret sent as client_secret_basic or client_secret_post, and changing the "
        "method would make Okta issue a new secret: choose Client secret in the app's Client Credentials "
        "first"
    )


def test_an_app_another_resource_manages_is_refused_naming_that_resource() -> None:
    app = admin_app(CONSOLES)
    app["profile"][MARKER_KEY] = ownership_marker(OTHER, "consoles")
    assert refusal(CONSOLES, app) == (
        f"spec.adopt.consolesAppId names {APP_ID} ('Acme LifeTime SSO'), which is managed by another "
        "OutSystemsOktaIntegration (team-b/factory, uid uid-of-team-b); if that resource is gone, remove "
        "profile.outsystemsOktaOperator from the app first"
    )


def test_a_marker_left_by_a_deleted_resource_of_the_same_name_is_still_another_resources() -> None:
    # Same namespace and name, another uid: a resource deleted and created again, or the same name in
    # another cluster sharing the org. Only the uid tells, so the app is refused until released.
    app = admin_app(CONSOLES)
    app["profile"][MARKER_KEY] = ownership_marker(
        Owner(OWNER.namespace, OWNER.name, "an-older-uid"), "consoles"
    )
    message = refusal(CONSOLES, app)
    assert message is not None and "uid an-older-uid" in message


def test_this_resources_other_app_is_refused() -> None:
    # A Web app carrying this resource's developmentTools marker cannot happen through the operator,
    # but a hand edit can make one; it must not be taken for the Consoles app.
    app = admin_app(CONSOLES)
    app["profile"][MARKER_KEY] = ownership_marker(OWNER, "developmentTools")
    assert refusal(CONSOLES, app) == (
        f"spec.adopt.consolesAppId names {APP_ID} ('Acme LifeTime SSO'), which is this resource's own "
        "developmentTools app"
    )


def test_a_refusal_without_a_label_still_names_the_app() -> None:
    app = admin_app(CONSOLES, label=..., settings__oauthClient__application_type="native")
    message = refusal(CONSOLES, app)
    assert message is not None and message.startswith(
        f"spec.adopt.consolesAppId names {APP_ID}, which is a native"
    )


def test_the_checks_come_in_order_type_before_marker() -> None:
    app = admin_app(CONSOLES, settings__oauthClient__application_type="native")
    app["profile"][MARKER_KEY] = ownership_marker(OTHER, "consoles")
    message = refusal(CONSOLES, app)
    assert message is not None and "native app" in message


def test_swap_refusal_says_how_to_get_out() -> None:
    assert swap_refusal(CONSOLES, "0oaNEW", "0oaOLD", "Acme LifeTime SSO") == (
        "spec.adopt.consolesAppId names 0oaNEW, but this resource already manages Okta app 0oaOLD "
        "('Acme LifeTime SSO'), whose client ID LifeTime uses; switching apps would lock LifeTime out. "
        "Set it back to 0oaOLD or remove it; to move to 0oaNEW, delete this resource with deletionPolicy: "
        "Orphan and create it again adopting that app"
    )
    assert "0oaOLD, whose" in swap_refusal(TOOLS, "0oaNEW", "0oaOLD", None)


def test_page_names_and_fields() -> None:
    assert (page_name("consoles"), page_name("developmentTools")) == (
        "OutSystems Consoles",
        "OutSystems Development Tools",
    )
    assert (adopt_field("consoles"), adopt_field("developmentTools")) == (
        "spec.adopt.consolesAppId",
        "spec.adopt.developmentToolsAppId",
    )


# -- what "desired" means for an adopted app --------------------------------------------------------


@pytest.mark.parametrize("desired", [CONSOLES, TOOLS], ids=["consoles", "tools"])
def test_an_adopted_app_keeps_its_label_unless_the_spec_names_one(desired: DesiredApp) -> None:
    app = admin_app(desired)
    assert desired.label_set is False
    assert effective_desired(desired, app, adopted=True).label == app["label"]
    assert effective_desired(desired, app, adopted=False).label == desired.label
    named = apps_for("dev.acme.com", "prod.acme.com", appLabels={desired.role: "Named In Spec"})
    want = named.consoles if desired is CONSOLES else named.development_tools
    assert want.label_set is True
    assert effective_desired(want, app, adopted=True).label == "Named In Spec"


def test_a_label_okta_does_not_return_is_not_kept() -> None:
    app = admin_app(CONSOLES, label=...)
    assert effective_desired(CONSOLES, app, adopted=True).label == CONSOLES.label


@pytest.mark.parametrize("adopted", [True, False])
def test_a_web_app_using_client_secret_post_keeps_it(adopted: bool) -> None:
    app = admin_app(CONSOLES, credentials__oauthClient__token_endpoint_auth_method="client_secret_post")
    want = effective_desired(CONSOLES, app, adopted=adopted)
    assert want.oauth_credentials["token_endpoint_auth_method"] == "client_secret_post"
    assert CONSOLES.oauth_credentials["token_endpoint_auth_method"] == "client_secret_basic", "not mutated"
    assert "credentials.oauthClient.token_endpoint_auth_method" not in plan_app(want, app).changed


@pytest.mark.parametrize("method", ["client_secret_jwt", "private_key_jwt", "none"])
def test_other_web_methods_are_still_brought_to_client_secret_basic(method: str) -> None:
    app = okta_app(CONSOLES)
    app["credentials"]["oauthClient"]["token_endpoint_auth_method"] = method
    want = effective_desired(CONSOLES, app, adopted=False)
    assert want is CONSOLES
    assert plan_app(want, app).changed == ("credentials.oauthClient.token_endpoint_auth_method",)


def test_a_native_app_is_always_brought_to_a_public_client() -> None:
    app = admin_app(TOOLS, credentials__oauthClient__token_endpoint_auth_method="client_secret_post")
    want = effective_desired(TOOLS, app, adopted=True)
    assert want.oauth_credentials == {"token_endpoint_auth_method": "none", "pkce_required": True}


def test_nothing_to_keep_returns_the_desired_app_itself() -> None:
    assert effective_desired(CONSOLES, okta_app(CONSOLES), adopted=False) is CONSOLES


# -- the plan for an adopted app ---------------------------------------------------------------------


def test_adopting_an_app_that_already_matches_changes_only_the_marker() -> None:
    app = admin_app(CONSOLES)
    want = effective_desired(CONSOLES, app, adopted=True)
    plan = plan_app(want, app)
    assert plan.action is AppAction.UPDATE
    assert plan.changed == (f"profile.{MARKER_KEY}",)
    assert [(c.name, c.before, c.after) for c in plan.changes] == [
        (f"profile.{MARKER_KEY}", None, ownership_marker(OWNER, "consoles"))
    ]
    assert plan.body is not None
    assert plan.body["label"] == "Acme LifeTime SSO"
    assert plan.body["profile"] == {"team": "platform", MARKER_KEY: ownership_marker(OWNER, "consoles")}
    assert plan.body["credentials"]["oauthClient"]["client_id"] == APP_ID


def test_adopting_a_hand_made_app_lists_each_owned_field_it_changes_with_both_values() -> None:
    app = admin_app(
        CONSOLES,
        settings__oauthClient__grant_types=["authorization_code"],
        settings__oauthClient__redirect_uris=["https://lifetime.acme.com/x"],
        settings__oauthClient__post_logout_redirect_uris=...,
    )
    app["settings"]["oauthClient"]["initiate_login_uri"] = "https://lifetime.acme.com/start"
    plan = plan_app(effective_desired(CONSOLES, app, adopted=True), app)
    assert plan.changed == (
        "settings.oauthClient.grant_types",
        "settings.oauthClient.redirect_uris",
        "settings.oauthClient.post_logout_redirect_uris",
        f"profile.{MARKER_KEY}",
    )
    before = {c.name: c.before for c in plan.changes}
    after = {c.name: c.after for c in plan.changes}
    assert before["settings.oauthClient.grant_types"] == ["authorization_code"]
    assert after["settings.oauthClient.grant_types"] == ["authorization_code", "refresh_token"]
    assert before["settings.oauthClient.post_logout_redirect_uris"] is None
    assert plan.body is not None
    # Everything the operator does not own is sent back as the admin left it.
    assert plan.body["settings"]["oauthClient"]["initiate_login_uri"] == "https://lifetime.acme.com/start"
    assert plan.body["visibility"] == app["visibility"]
    assert "_links" not in plan.body
    assert "client_secret" not in plan.body["credentials"]["oauthClient"]


def test_an_inactive_adopted_app_is_activated() -> None:
    app = admin_app(TOOLS, status="INACTIVE")
    plan = plan_app(effective_desired(TOOLS, app, adopted=True), app)
    assert plan.activate is True


# -- giving an app back (deletionPolicy: Orphan) ------------------------------------------------------


def test_released_body_is_the_app_minus_our_marker() -> None:
    app = okta_app(CONSOLES)
    app["profile"]["team"] = "platform"
    app["credentials"]["oauthClient"]["client_secret"] = "must-never-be-sent-back-0123456789"
    body = released_body(app)
    assert body["profile"] == {"team": "platform"}
    assert "client_secret" not in body["credentials"]["oauthClient"]
    assert "_links" not in body and "_embedded" not in body
    rest = {k: v for k, v in body.items() if k not in ("profile", "credentials")}
    assert rest == {k: v for k, v in app.items() if k not in ("profile", "credentials", "_links")}
    assert MARKER_KEY in app["profile"], "the observed app is not mutated"


def test_released_body_of_an_app_with_only_our_marker_has_an_empty_profile() -> None:
    assert released_body(okta_app(TOOLS))["profile"] == {}


def test_released_then_replaced_round_trips_to_the_same_owned_fields() -> None:
    app = okta_app(CONSOLES)
    released = released_body(app)
    again = replacement_body(CONSOLES, released)
    assert again["profile"][MARKER_KEY] == app["profile"][MARKER_KEY]
    assert copy.deepcopy(again["settings"]) == copy.deepcopy(released["settings"])
