"""Never lock LifeTime out, pure: the OktaAppDeleted message, and the Warning whenever a value LifeTime
holds changes in the Secret (client IDs shown, a client secret only named)."""

from __future__ import annotations

import pytest
from tests.unit.plan.test_apps_plan import CONSOLES, TOOLS, apps_for

from outsystems_okta.plan.lockout import (
    LIFETIME_KEYS,
    lifetime_changes,
    lifetime_update_message,
    missing_app_message,
    recreating_message,
)

SECRET_VALUE = "old-Secret-value-never-shown-0123456789"
NEW_SECRET = "new-Secret-value-never-shown-9876543210"
BEFORE = {
    "name": "Okta",
    "metadataUri": "https://acme.okta.com/oauth2/default/.well-known/openid-configuration",
    "webClientId": "0oaOLDweb",
    "webClientSecret": SECRET_VALUE,
    "desktopClientId": "0oaOLDdesktop",
    "usernameClaim": "preferred_username",
    "scopes": "openid email profile offline_access",
}
HOW = (
    "As LifeTime cannot edit an active provider, give it the new values by adding a new OpenID Connect "
    "provider (LifeTime > User Management > Authentication Settings) with the values in Secret "
    "'factory-lifetime', activating it and removing the old one"
)


def test_the_keys_lifetime_holds() -> None:
    assert LIFETIME_KEYS == ("webClientId", "webClientSecret", "desktopClientId")


def test_a_first_write_changes_nothing_lifetime_holds() -> None:
    assert lifetime_changes({}, BEFORE) == ()


def test_an_unchanged_secret_changes_nothing() -> None:
    assert lifetime_changes(BEFORE, dict(BEFORE)) == ()


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"webClientId": "0oaNEWweb"}, ("webClientId",)),
        ({"webClientSecret": NEW_SECRET}, ("webClientSecret",)),
        ({"desktopClientId": "0oaNEWdesktop"}, ("desktopClientId",)),
        ({"webClientId": "0oaNEWweb", "webClientSecret": NEW_SECRET}, ("webClientId", "webClientSecret")),
        ({"metadataUri": "https://acme.okta.com/oauth2/aus1/.well-known/openid-configuration"}, ()),
        ({"scopes": "openid"}, ()),
    ],
    ids=["web-id", "secret", "desktop-id", "recreated-consoles", "metadata-uri", "scopes"],
)
def test_which_values_lifetime_holds_changed(changes: dict[str, str], expected: tuple[str, ...]) -> None:
    assert lifetime_changes(BEFORE, {**BEFORE, **changes}) == expected


def test_a_value_that_was_empty_before_is_not_a_change_for_lifetime() -> None:
    assert lifetime_changes({**BEFORE, "desktopClientId": ""}, {**BEFORE, "desktopClientId": "0oaX"}) == ()


def test_the_update_message_shows_client_ids_and_never_a_secret() -> None:
    after = {**BEFORE, "webClientId": "0oaNEWweb", "webClientSecret": NEW_SECRET}
    changed = lifetime_changes(BEFORE, after)
    message = lifetime_update_message("factory-lifetime", changed, BEFORE, after)
    assert message == (
        "LifeTime must be updated: Secret 'factory-lifetime' holds a new webClientId 0oaOLDweb -> 0oaNEWweb, "
        "webClientSecret. " + HOW
    )
    assert SECRET_VALUE not in message and NEW_SECRET not in message


def test_missing_app_under_stop() -> None:
    message = missing_app_message(
        CONSOLES, "0oaGONE", adopted=False, named_by_spec=False, secret_name="factory-lifetime"
    )
    assert message == (
        "Okta app 0oaGONE ('OutSystems Consoles') is gone from Okta; LifeTime's provider still holds it as "
        "Client ID for Web tools, so signing in fails until LifeTime is given a new app's client ID. The "
        "operator did not create a replacement (spec.missingAppPolicy: Stop): set spec.missingAppPolicy: "
        "Recreate to create one, or spec.adopt.consolesAppId to adopt another app. " + HOW
    )


def test_missing_native_app_names_the_desktop_field_and_its_adopt_field() -> None:
    message = missing_app_message(TOOLS, "0oaGONE", adopted=False, named_by_spec=False, secret_name="s")
    assert "holds it as Client ID for Desktop tools" in message
    assert "spec.adopt.developmentToolsAppId to adopt another app" in message
    assert "Secret 's'" in message


def test_missing_app_the_spec_adopts() -> None:
    message = missing_app_message(CONSOLES, "0oaGONE", adopted=True, named_by_spec=True, secret_name="s")
    assert message.startswith("Okta app 0oaGONE (the OutSystems Consoles app) is gone from Okta;")
    assert (
        "The operator does not replace an app spec.adopt.consolesAppId names: name another app there, or "
        "remove it to let spec.missingAppPolicy: Recreate create one." in message
    )


def test_an_adopted_app_is_named_by_the_spec_label_when_the_spec_names_one() -> None:
    named = apps_for("dev.acme.com", appLabels={"consoles": "Acme Consoles"}).consoles
    message = missing_app_message(named, "0oaGONE", adopted=True, named_by_spec=False, secret_name="s")
    assert message.startswith("Okta app 0oaGONE ('Acme Consoles') is gone")


def test_recreating_message() -> None:
    assert recreating_message(TOOLS, "0oaGONE") == (
        "Okta app 0oaGONE ('OutSystems Development Tools') is gone; creating a new one "
        "(spec.missingAppPolicy: Recreate)"
    )
