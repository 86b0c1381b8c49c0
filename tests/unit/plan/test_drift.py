"""plan/drift.py: what status.drift, Synced and a drift correction say, from the survey's records."""

from __future__ import annotations

from typing import Any

import pytest

from outsystems_okta.api.status import MAX_DRIFT_ITEMS, MAX_DRIFT_VALUE
from outsystems_okta.blueprint import Owner
from outsystems_okta.plan.access_policies import PolicyView, RuleView
from outsystems_okta.plan.apps import FieldChange
from outsystems_okta.plan.drift import (
    DriftItem,
    access_policy_drift,
    app_drift,
    correction_fields,
    correction_message,
    corrections_count,
    drift_items,
    last_correction,
    shown,
    status_drift,
    synced,
)
from outsystems_okta.plan.managed_policy import desired_policy, desired_rule
from outsystems_okta.plan.preview import Action, AppPreview

REDIRECTS = "settings.oauthClient.redirect_uris"


def _app(action: Action = Action.UPDATE, role: str = "consoles", **more: Any) -> AppPreview:
    return AppPreview(role=role, label="OutSystems Consoles", app_id="0oa1", action=action, **more)


def test_a_changed_field_shows_wanted_and_found_as_json() -> None:
    change = FieldChange(REDIRECTS, ["https://a"], ["https://a", "https://b"])
    assert app_drift(_app(changes=(change,))) == [
        DriftItem("consoles", REDIRECTS, '["https://a", "https://b"]', '["https://a"]')
    ]


def test_a_field_okta_lacks_is_found_none_and_a_string_is_itself() -> None:
    changes = (
        FieldChange("label", "Old", "New"),
        FieldChange("settings.oauthClient.refresh_token", None, {"a": 1}),
    )
    assert [(i.wanted, i.found) for i in app_drift(_app(changes=changes))] == [
        ("New", "Old"),
        ('{"a": 1}', "(none)"),
    ]


def test_the_ownership_marker_is_bookkeeping_not_drift() -> None:
    changes = (
        FieldChange("profile.outsystemsOktaOperator", None, {"uid": "u"}),
        FieldChange("label", "a", "b"),
    )
    assert [i.field for i in app_drift(_app(Action.ADOPT, changes=changes))] == ["label"]


def test_a_secret_field_is_never_shown() -> None:
    changes = (FieldChange("credentials.oauthClient.client_secret", "s3cr3t", "other"),)
    assert app_drift(_app(changes=changes)) == []


def test_a_missing_app_an_inactive_app_groups_and_sign_in_policy() -> None:
    assert app_drift(_app(Action.CREATE, role="developmentTools")) == [
        DriftItem("developmentTools", "app", "present", "absent")
    ]
    app = _app(
        Action.NONE,
        activate=True,
        sign_in_policy=FieldChange("signInPolicy", "rstOld", "rstNew"),
        assign=('"OutSystems IT" (00g1)',),
        unassign=('"Old" (00g2)',),
    )
    assert app_drift(app) == [
        DriftItem("consoles", "status", "ACTIVE", "INACTIVE"),
        DriftItem("consoles", "signInPolicy", "rstNew", "rstOld"),
        DriftItem("consoles", "groups", '"OutSystems IT" (00g1) assigned', "not assigned"),
        DriftItem("consoles", "groups", "not assigned", '"Old" (00g2) assigned'),
    ]


def test_a_refused_app_says_why() -> None:
    app = _app(Action.REFUSED, reason="OktaAppDeleted", refusal="gone")
    assert app_drift(app) == [DriftItem("consoles", "app", "present", "OktaAppDeleted: gone")]


def test_items_keep_the_app_order_then_the_field_order() -> None:
    apps = [
        _app(changes=(FieldChange("label", "a", "b"), FieldChange(REDIRECTS, [], ["x"]))),
        _app(role="developmentTools", changes=(FieldChange("label", "c", "d"),)),
    ]
    items = drift_items(apps)
    assert [(i.app, i.field) for i in items] == [
        ("consoles", "label"),
        ("consoles", REDIRECTS),
        ("developmentTools", "label"),
    ]
    assert drift_items(apps) == items  # the same survey, the same list: no status write


def test_values_and_the_list_are_bounded() -> None:
    long = "x" * (MAX_DRIFT_VALUE * 2)
    assert len(shown(long)) == MAX_DRIFT_VALUE and shown(long).endswith("...")
    items = [DriftItem("consoles", f"f{i}", "a", "b") for i in range(MAX_DRIFT_ITEMS + 5)]
    assert len(status_drift(items)) == MAX_DRIFT_ITEMS
    assert status_drift(items)[0] == {"app": "consoles", "field": "f0", "wanted": "a", "found": "b"}
    assert "69 difference(s)" in synced(items)[2] and "and 59 more" in synced(items)[2]


def test_synced() -> None:
    assert synced([]) == (True, "InSync", "Okta matches the spec")
    state, reason, message = synced(
        [DriftItem("consoles", "groups", "x", "y"), DriftItem("consoles", "groups", "z", "y")]
    )
    assert (state, reason) == (False, "Drifted")
    assert message == "2 difference(s) between Okta and the spec (status.drift): consoles/groups"


def _ready(status: str, generation: int | None) -> dict[str, Any]:
    return {"type": "Ready", "status": status, "reason": "Reconciled", "observedGeneration": generation}


@pytest.mark.parametrize(
    ("previous", "generation", "counts"),
    [
        (_ready("True", 3), 3, True),  # same spec as the last success: only drift can cause writes
        (_ready("True", 2), 3, False),  # the spec changed since
        (_ready("False", 3), 3, False),  # the last pass did not converge: writes may finish its work
        (None, 1, False),  # the first pass
        ({**_ready("True", 3), "reason": "Observed"}, 3, False),  # Observe wrote nothing
    ],
)
def test_only_writes_at_the_generation_already_ready_are_corrections(
    previous: dict[str, Any] | None, generation: int, counts: bool
) -> None:
    assert corrections_count(previous, generation) is counts


def test_correction_fields_once_each_in_write_order_and_never_a_secret() -> None:
    restored = [
        ("consoles", "groups"),
        ("consoles", REDIRECTS),
        ("consoles", "groups"),
        ("x", "client_secret"),
    ]
    fields = correction_fields(restored)
    assert fields == [("consoles", "groups"), ("consoles", REDIRECTS)]
    assert correction_message(fields) == (
        f"Restored what was changed in Okta (the spec did not change): consoles/groups, consoles/{REDIRECTS}"
    )
    assert last_correction(fields, 4, "2030-01-01T00:00:00Z") == {
        "time": "2030-01-01T00:00:00Z",
        "generation": 4,
        "fields": ["consoles/groups", f"consoles/{REDIRECTS}"],
    }


OWNER = Owner("outsystems", "factory", "uid-1")
WANT = desired_policy(OWNER, ["0oaC", "0oaT"])
WANT_RULE = desired_rule(["00g1"])


def _policy(**changes: Any) -> PolicyView:
    fields: dict[str, Any] = {
        "id": "00p1",
        "name": WANT.name,
        "status": "ACTIVE",
        "priority": 1,
        "clients": ("0oaT", "0oaC"),
        "description": WANT.description,
    }
    return PolicyView(**{**fields, **changes})


def _rule(**changes: Any) -> RuleView:
    fields: dict[str, Any] = {
        "id": "0pr1",
        "name": WANT_RULE.name,
        "status": "ACTIVE",
        "priority": 1,
        "grant_types": WANT_RULE.grant_types,
        "scopes": tuple(reversed(WANT_RULE.scopes)),
        "groups_include": ("00g1",),
    }
    return RuleView(**{**fields, **changes})


def test_a_kept_access_policy_as_wanted_is_no_drift() -> None:
    # Order inside lists means nothing to Okta; priority is not kept.
    assert access_policy_drift(_policy(priority=7), WANT, _rule(), WANT_RULE) == []


def test_a_missing_access_policy_or_rule() -> None:
    assert access_policy_drift(None, WANT, None, WANT_RULE) == [
        DriftItem("accessPolicy", "policy", WANT.name, "absent")
    ]
    assert access_policy_drift(_policy(), WANT, None, WANT_RULE) == [
        DriftItem("accessPolicy", "rule", WANT_RULE.name, "absent")
    ]
    assert access_policy_drift(_policy(), WANT, None, None) == []  # no group resolved: no rule wanted


def test_every_kept_field_of_policy_and_rule() -> None:
    policy = _policy(name="Renamed", description="mine", clients=("0oaC", "0oaX"), status="INACTIVE")
    rule = _rule(
        name="Other",
        grant_types=("authorization_code", "implicit"),
        scopes=("openid",),
        groups_include=("EVERYONE",),
        users_exclude=("00u1",),
        status="INACTIVE",
    )
    assert [(i.field, i.wanted, i.found) for i in access_policy_drift(policy, WANT, rule, WANT_RULE)] == [
        ("name", WANT.name, "Renamed"),
        ("description", WANT.description, "mine"),
        ("clients", '["0oaC", "0oaT"]', '["0oaC", "0oaX"]'),
        ("status", "ACTIVE", "INACTIVE"),
        ("rule.name", "OutSystems sign-in", "Other"),
        ("rule.grant types", '["authorization_code"]', '["authorization_code", "implicit"]'),
        ("rule.scopes", '["email", "offline_access", "openid", "profile"]', '["openid"]'),
        (
            "rule.people",
            '{"groups.include": ["00g1"]}',
            '{"groups.include": ["EVERYONE"], "users.exclude": ["00u1"]}',
        ),
        ("rule.status", "ACTIVE", "INACTIVE"),
    ]
