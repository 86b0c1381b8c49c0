"""The LifeTime handover, pure: the form's order, the Event's message, and when it is posted."""

from __future__ import annotations

import pytest

from outsystems_okta.plan.handover import (
    HANDOVER,
    LABEL_OF_KEY,
    MAX_EVENT_MESSAGE,
    Action,
    changed_labels,
    handover_due,
    handover_message,
)
from outsystems_okta.plan.lockout import LIFETIME_KEYS
from outsystems_okta.plan.outputs import SECRET_KEYS

VALUES = {
    "name": "Okta",
    "metadataUri": "https://acme.okta.com/oauth2/default/.well-known/openid-configuration",
    "webClientId": "0oaWEB",
    "webClientSecret": "the-Secret-value-never-shown-0123456789",
    "desktopClientId": "0oaDESKTOP",
    "usernameClaim": "preferred_username",
    "scopes": "openid email profile offline_access",
}


def test_the_steps_follow_lifetimes_form_then_the_activate_pop_up() -> None:
    # "Configuring LifeTime authentication" (OutSystems docs, newest): the form's fields top to bottom,
    # Save Changes, Activate, then the pop-up that asks for the client secret.
    assert [(s.label, s.action, s.key, s.dialog) for s in HANDOVER] == [
        ("Name", Action.TYPE, "name", False),
        ("Well-known Configuration URL", Action.TYPE, "metadataUri", False),
        ("Client ID Type", Action.CHOOSE, None, False),
        ("Client ID for Desktop tools", Action.TYPE, "desktopClientId", False),
        ("Client ID for Web tools", Action.TYPE, "webClientId", False),
        ("Username Claim", Action.TYPE, "usernameClaim", False),
        ("Scopes", Action.TYPE, "scopes", False),
        ("Save Changes", Action.CLICK, None, False),
        ("Activate", Action.CLICK, None, False),
        ("Client Secret", Action.TYPE, "webClientSecret", True),
        ("Clear all local user's passwords now (Recommended)", Action.TICK, None, True),
        ("Activate and Log Out", Action.CLICK, None, True),
    ]
    assert HANDOVER[2].option == "Different Client ID for Desktop and Web tools"


def test_every_secret_key_has_exactly_one_field_and_only_the_client_secret_is_secret() -> None:
    keys = [s.key for s in HANDOVER if s.key is not None]
    assert sorted(keys) == sorted(SECRET_KEYS)
    assert [s.key for s in HANDOVER if s.secret] == ["webClientSecret"]
    assert set(LIFETIME_KEYS) <= set(LABEL_OF_KEY)


def test_changed_labels_are_in_the_forms_order_whatever_the_order_given() -> None:
    assert changed_labels(("webClientSecret", "webClientId", "desktopClientId")) == (
        "Client ID for Desktop tools",
        "Client ID for Web tools",
        "Client Secret",
    )
    assert changed_labels(()) == ()


FORM = (
    "In LifeTime > User Management > Authentication Settings > Add OpenId Connect Provider, set in order: "
    "Name = name; Well-known Configuration URL = metadataUri (click Test); Client ID Type = Different "
    "Client ID for Desktop and Web tools; Client ID for Desktop tools = desktopClientId; Client ID for Web "
    "tools = webClientId; Username Claim = usernameClaim; Scopes = scopes. Then Save Changes, Activate, "
    "Client Secret = webClientSecret, tick 'Clear all local user's passwords now (Recommended)', "
    "Activate and Log Out."
)


def test_the_first_handover_names_each_field_with_its_secret_key_in_order() -> None:
    message = handover_message(resource="factory", namespace="outsystems", secret_name="factory-lifetime")
    assert message == (
        "LifeTime's provider values are in Secret 'factory-lifetime'. "
        + FORM
        + " `kubectl osokta lifetime factory -n outsystems` prints the values."
    )


def test_a_change_says_which_fields_are_new_and_that_a_new_provider_is_needed() -> None:
    message = handover_message(
        resource="factory",
        namespace="outsystems",
        secret_name="factory-lifetime",
        changed=("webClientSecret", "webClientId"),
    )
    assert message == (
        "LifeTime needs new values (Client ID for Web tools, Client Secret) from Secret "
        "'factory-lifetime': it cannot edit an active provider, so add a new one. "
        + FORM
        + " `kubectl osokta lifetime factory -n outsystems` prints the values."
    )


def test_the_message_never_holds_a_value_only_keys() -> None:
    message = handover_message(
        resource="factory", namespace="ns", secret_name="s", changed=tuple(LIFETIME_KEYS)
    )
    for key in ("webClientSecret", "webClientId", "desktopClientId", "metadataUri"):
        assert VALUES[key] not in message


@pytest.mark.parametrize("changed", [(), tuple(LIFETIME_KEYS)])
def test_the_longest_names_still_fit_an_event_so_kopf_never_cuts_the_order(changed: tuple[str, ...]) -> None:
    message = handover_message(resource="r" * 253, namespace="n" * 63, secret_name="s" * 253, changed=changed)
    assert len(message) <= MAX_EVENT_MESSAGE
    assert message.endswith("Activate and Log Out. `kubectl osokta lifetime` prints them.")
    assert FORM in message


@pytest.mark.parametrize(
    ("before", "changes", "recorded", "due"),
    [
        ({}, (), False, True),  # the very first write
        ({}, (), True, False),  # the Secret was deleted and is put back with the values LifeTime has
        (VALUES, (), False, False),  # a status write was lost after the Secret was written
        (VALUES, (), True, False),  # steady
        (VALUES, ("webClientSecret",), True, True),  # a rotated or replaced client secret
        (VALUES, ("webClientId",), False, True),
        ({"name": "Okta", "scopes": "openid"}, (), False, True),  # no LifeTime value yet: first
    ],
)
def test_when_the_handover_is_posted(
    before: dict[str, str], changes: tuple[str, ...], recorded: bool, due: bool
) -> None:
    assert handover_due(before, changes, recorded=recorded) is due
