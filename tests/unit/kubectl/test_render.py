"""`kubectl osokta status` and `lifetime`, pure: what they print from the objects as read."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest

from outsystems_okta.kubectl.render import (
    last_events,
    lifetime_data,
    render_lifetime,
    render_status,
)

SECRET_VALUE = "the-Secret-value-never-shown-0123456789"
OLD_SECRET = "the-Old-secret-never-shown-9876543210"
VALUES = {
    "name": "Okta",
    "metadataUri": "https://acme.okta.com/oauth2/default/.well-known/openid-configuration",
    "webClientId": "0oaWEB",
    "webClientSecret": SECRET_VALUE,
    "desktopClientId": "0oaDESKTOP",
    "usernameClaim": "preferred_username",
    "scopes": "openid email profile offline_access",
}


def condition(type_: str, status: str, reason: str, message: str = "") -> dict[str, Any]:
    return {
        "type": type_,
        "status": status,
        "reason": reason,
        "message": message,
        "lastTransitionTime": "2026-12-01T10:00:00Z",
        "observedGeneration": 2,
    }


RESOURCE: dict[str, Any] = {
    "metadata": {
        "name": "factory",
        "namespace": "outsystems",
        "uid": "uid-1",
        "generation": 2,
        "creationTimestamp": "2026-12-01T09:00:00Z",
        "annotations": {},
    },
    "spec": {
        "lifetime": {"hostname": "lifetime.acme.com"},
        "environments": [
            {"name": "dev", "hostname": "dev.acme.com"},
            {"name": "prod", "hostname": "prod.acme.com"},
        ],
        "access": {"everyone": False, "groups": ["OutSystems IT", "OutSystems Developers"]},
        "appLabels": {"developmentTools": "Acme Studio"},
    },
    "status": {
        "observedGeneration": 2,
        "conditions": [
            condition("Paused", "False", "Resumed", "acting again"),
            condition("AuthorizationServerReady", "True", "SignInAllowed", "rule lets them in"),
            condition(
                "Ready", "True", "Reconciled", "Okta apps and Secret 'factory-lifetime' match the spec"
            ),
        ],
        "consoles": {"appId": "0oaWEBAPP", "clientId": "0oaWEB", "assignedGroupIds": ["00g1", "00g2"]},
        "developmentTools": {"appId": "0oaNATIVE", "clientId": "0oaDESKTOP", "assignedGroupIds": ["00g1"]},
        "metadataUri": VALUES["metadataUri"],
        "secretName": "factory-lifetime",
    },
}


def with_status(**fields: Any) -> dict[str, Any]:
    resource = copy.deepcopy(RESOURCE)
    resource["status"].update(fields)
    return resource


def event(reason: str, when: str, type_: str = "Normal", **extra: Any) -> dict[str, Any]:
    return {"type": type_, "reason": reason, "message": f"{reason} happened", "lastTimestamp": when, **extra}


def test_status_shows_conditions_apps_environments_and_checks_in_a_fixed_order() -> None:
    text = render_status(RESOURCE, [])
    assert text == (
        "Name: factory\n"
        "Namespace: outsystems\n"
        "Created at: 2026-12-01T09:00:00Z\n"
        "Generation: 2 (observed: 2)\n"
        "Conditions:\n"
        "  Ready: True, Reason: Reconciled, Generation: 2\n"
        "    Message: Okta apps and Secret 'factory-lifetime' match the spec\n"
        "  AuthorizationServerReady: True, Reason: SignInAllowed, Generation: 2\n"
        "    Message: rule lets them in\n"
        "  Paused: False, Reason: Resumed, Generation: 2\n"
        "    Message: acting again\n"
        "Paused: no\n"
        "Apps:\n"
        "  OutSystems Consoles (Web app):\n"
        "    App ID: 0oaWEBAPP\n"
        "    Client ID: 0oaWEB\n"
        "    Label: OutSystems Consoles\n"
        "    Adopted: no\n"
        "    Assigned groups: OutSystems IT, OutSystems Developers (2 assigned by the operator)\n"
        "  OutSystems Development Tools (Native app):\n"
        "    App ID: 0oaNATIVE\n"
        "    Client ID: 0oaDESKTOP\n"
        "    Label: Acme Studio\n"
        "    Adopted: no\n"
        "    Assigned groups: OutSystems IT, OutSystems Developers (1 assigned by the operator)\n"
        "Environments:\n"
        "  LifeTime: lifetime.acme.com\n"
        "  dev: dev.acme.com\n"
        "  prod: prod.acme.com\n"
        f"Metadata URI: {VALUES['metadataUri']}\n"
        "Secret: factory-lifetime\n"
        "Authorization server check: the assigned groups can sign in (SignInAllowed)\n"
        "Client secret rotation: none\n"
        "Drift: none\n"
        "Events: none\n"
    )


def test_a_resource_the_operator_has_not_seen_yet_says_so() -> None:
    resource = {"metadata": {"name": "new", "namespace": "ns", "generation": 1}, "spec": {}}
    text = render_status(resource, [])
    assert "Generation: 1 (observed: none yet)\n" in text
    assert "Conditions: none yet (has the operator seen this resource?)\n" in text
    assert text.count("    not created or found yet\n") == 2
    assert "Metadata URI: (not yet known)\n" in text
    assert "Secret: (not written yet)\n" in text
    assert "Authorization server check: not run yet\n" in text


def test_a_failing_check_and_failed_attempts_are_shown() -> None:
    resource = with_status(
        conditions=[
            condition("Ready", "False", "OktaForbidden", "grant the role"),
            condition("AuthorizationServerReady", "False", "GroupNotAllowed", "no rule"),
        ],
        failedAttempts=3,
        nextAttemptTime="2026-12-01T10:04:00Z",
    )
    text = render_status(resource, [])
    assert "  Ready: False, Reason: OktaForbidden, Generation: 2\n    Message: grant the role\n" in text
    assert "Authorization server check: sign-in would fail (GroupNotAllowed)\n" in text
    assert "Failed attempts: 3, next attempt: 2026-12-01T10:04:00Z\n" in text
    no_retry = render_status(with_status(failedAttempts=1), [])
    assert "Failed attempts: 1, next attempt: after a change of the spec\n" in no_retry


def test_an_adopted_app_keeps_its_own_label_and_everyone_access_is_named() -> None:
    resource = copy.deepcopy(RESOURCE)
    resource["status"]["consoles"]["adopted"] = True
    resource["spec"]["access"] = {"everyone": True}
    text = render_status(resource, [])
    assert "    Label: (the adopted app's own)\n    Adopted: yes\n    Assigned groups: Everyone\n" in text
    resource["spec"]["access"] = {"everyone": False, "groups": []}
    assert "Assigned groups: (none in spec.access.groups)" in render_status(resource, [])


@pytest.mark.parametrize(
    ("annotation", "paused_condition", "line"),
    [
        (None, None, "Paused: no"),
        ("true", None, "Paused: requested (the operator has not paused yet)"),
        ("true", "True", "Paused: yes"),
        (None, "True", "Paused: yes (annotation removed; the operator has not resumed yet)"),
        ("false", None, "Paused: no"),  # only "true" pauses
        (None, "False", "Paused: no"),
    ],
)
def test_pause_compares_the_request_with_what_the_operator_did(
    annotation: str | None, paused_condition: str | None, line: str
) -> None:
    resource = copy.deepcopy(RESOURCE)
    resource["status"]["conditions"] = [condition("Ready", "True", "Reconciled")]
    if paused_condition is not None:
        resource["status"]["conditions"].append(condition("Paused", paused_condition, "Paused"))
    if annotation is not None:
        resource["metadata"]["annotations"]["okta.outsystems.dev/paused"] = annotation
    assert f"\n{line}\n" in render_status(resource, [])


def test_rotation_drift_corrections_and_the_last_reconcile_request_are_shown() -> None:
    resource = with_status(
        clientSecretRotation={
            "phase": "AwaitingConfirmation",
            "requested": "2026-12",
            "trigger": "Annotation",
            "startedAt": "2026-12-01T10:00:00Z",
            "message": "switch LifeTime, then confirm",
        },
        drift=[{"app": "consoles", "field": "groups", "wanted": "assigned", "found": "not assigned"}],
        lastDriftCorrection={
            "time": "2026-12-01T09:30:00Z",
            "fields": ["consoles/status", "consoles/groups"],
        },
        lastHandledReconcileAt="2026-12-01T10:01:00Z",
    )
    text = render_status(resource, [])
    assert (
        "Client secret rotation:\n"
        "  Phase: AwaitingConfirmation\n"
        "  Requested: 2026-12 (Annotation)\n"
        "  Started at: 2026-12-01T10:00:00Z\n"
        "  Message: switch LifeTime, then confirm\n"
        "Drift (1):\n"
        "  consoles/groups: wanted assigned, found not assigned\n"
        "Last drift correction: 2026-12-01T09:30:00Z: consoles/status, consoles/groups\n"
        "Last handled reconcile request: 2026-12-01T10:01:00Z\n"
    ) in text
    completed = with_status(
        clientSecretRotation={
            "phase": "Completed",
            "requested": "r",
            "trigger": "AfterDays",
            "completedAt": "t",
        }
    )
    assert (
        "  Phase: Completed\n  Requested: r (AfterDays)\n  Completed at: t\nDrift: none\n"
        in render_status(completed, [])
    )


def test_the_last_five_events_are_shown_oldest_first_with_their_count() -> None:
    events = [event(f"E{i}", f"2026-12-01T10:0{i}:00Z") for i in range(7)]
    events.reverse()
    events[0]["count"] = 3  # E6, the newest
    text = render_status(RESOURCE, events)
    assert text.endswith(
        "Events (last 5 of 7):\n"
        "  2026-12-01T10:02:00Z  Normal  E2: E2 happened\n"
        "  2026-12-01T10:03:00Z  Normal  E3: E3 happened\n"
        "  2026-12-01T10:04:00Z  Normal  E4: E4 happened\n"
        "  2026-12-01T10:05:00Z  Normal  E5: E5 happened\n"
        "  2026-12-01T10:06:00Z  Normal  E6 (x3): E6 happened\n"
    )


def test_an_events_time_is_its_last_timestamp_else_event_time_else_first_else_creation() -> None:
    events = [
        {"reason": "D", "metadata": {"creationTimestamp": "2026-12-01T10:04:00Z"}},
        {"reason": "C", "firstTimestamp": "2026-12-01T10:03:00Z"},
        {"reason": "B", "eventTime": "2026-12-01T10:02:00.000000Z"},
        {"reason": "A", "lastTimestamp": "2026-12-01T10:01:00Z", "eventTime": "2026-12-01T10:09:00Z"},
    ]
    assert [e["reason"] for e in last_events(events)] == ["A", "B", "C", "D"]
    assert [e["reason"] for e in last_events(events, 2)] == ["C", "D"]
    assert last_events(events, 0) == []


LIFETIME_TEXT = (
    "LifeTime > User Management > Authentication Settings > Add OpenId Connect Provider\n"
    "(values from Secret outsystems/factory-lifetime)\n"
    "\n"
    " 1. Name                          Okta   (any name; a new one for each new provider)\n"
    " 2. Well-known Configuration URL  https://acme.okta.com/oauth2/default/.well-known/openid-configuration"
    "   (then click Test)\n"
    " 3. Client ID Type                Different Client ID for Desktop and Web tools\n"
    " 4. Client ID for Desktop tools   0oaDESKTOP\n"
    " 5. Client ID for Web tools       0oaWEB\n"
    " 6. Username Claim                preferred_username   (Okta needs preferred_username)\n"
    " 7. Scopes                        openid email profile offline_access"
    "   (openid, email and profile are always on)\n"
    " 8. Click Save Changes\n"
    " 9. Click Activate\n"
    "    In the 'Activate OpenID Connect provider' pop-up:\n"
    "10. Client Secret                 {secret}\n"
    "11. Tick 'Clear all local user's passwords now (Recommended)'\n"
    "12. Click Activate and Log Out\n"
)
WHERE = {"secret_name": "factory-lifetime", "namespace": "outsystems"}


def test_lifetime_prints_the_form_in_order_with_the_secret_masked() -> None:
    text = render_lifetime(VALUES, resource="factory", show_secret=False, **WHERE)
    assert text == LIFETIME_TEXT.format(secret="********   (--show-secret prints it)")
    assert SECRET_VALUE not in text


def test_lifetime_shows_the_secret_only_when_asked() -> None:
    text = render_lifetime(VALUES, resource="factory", show_secret=True, **WHERE)
    assert text == LIFETIME_TEXT.format(secret=SECRET_VALUE)


def test_lifetime_during_a_rotation_says_to_add_a_new_provider_and_confirm() -> None:
    values = {**VALUES, "previousWebClientSecret": OLD_SECRET}
    text = render_lifetime(values, resource="factory", show_secret=True, **WHERE)
    assert text.startswith(LIFETIME_TEXT.format(secret=SECRET_VALUE))
    assert OLD_SECRET not in text
    assert text.endswith(
        "\nA client secret rotation awaits confirmation: LifeTime cannot edit an active provider, so add a "
        "new one with these values (a new Name), activate it, delete the old one, then run "
        "`kubectl osokta confirm-rotation factory -n outsystems`.\n"
    )


def test_a_value_missing_from_the_secret_is_said_not_left_blank() -> None:
    values = {k: v for k, v in VALUES.items() if k != "desktopClientId"}
    text = render_lifetime(values, resource="factory", show_secret=False, **WHERE)
    assert " 4. Client ID for Desktop tools   (missing from the Secret)\n" in text


def test_lifetime_json_lists_every_step_and_masks_the_secret_as_null() -> None:
    data = lifetime_data(VALUES, show_secret=False, **WHERE)
    dumped = json.dumps(data)
    assert SECRET_VALUE not in dumped and "****" not in dumped
    assert data["secret"] == {"namespace": "outsystems", "name": "factory-lifetime"}
    assert data["rotationPending"] is False
    assert [s["step"] for s in data["steps"]] == list(range(1, 13))
    assert [s.get("secretKey") for s in data["steps"]] == [
        "name",
        "metadataUri",
        None,
        "desktopClientId",
        "webClientId",
        "usernameClaim",
        "scopes",
        None,
        None,
        "webClientSecret",
        None,
        None,
    ]
    assert data["steps"][2] == {
        "step": 3,
        "label": "Client ID Type",
        "action": "choose",
        "value": "Different Client ID for Desktop and Web tools",
    }
    assert data["steps"][7] == {"step": 8, "label": "Save Changes", "action": "click"}
    assert data["steps"][9] == {
        "step": 10,
        "label": "Client Secret",
        "action": "type",
        "secretKey": "webClientSecret",
        "value": None,
        "masked": True,
        "where": "Activate OpenID Connect provider",
    }
    shown = lifetime_data({**VALUES, "previousWebClientSecret": OLD_SECRET}, show_secret=True, **WHERE)
    assert shown["steps"][9]["value"] == SECRET_VALUE and shown["steps"][9]["masked"] is False
    assert shown["rotationPending"] is True
    assert OLD_SECRET not in json.dumps(shown)
    assert {s["secretKey"]: s["value"] for s in shown["steps"] if "secretKey" in s} == VALUES
