"""with_condition: metav1.Condition semantics for the Ready condition."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest

from outsystems_okta.plan.conditions import HEALTHY, READY, TERMINAL, TRANSIENT, Reason, find, with_condition

T0 = "2024-01-01T00:00:00Z"
T1 = "2024-01-01T00:05:00Z"


def ready(
    conditions: list[dict[str, Any]] | None,
    status: bool,
    *,
    reason: str = Reason.RECONCILED,
    message: str = "ok",
    generation: int | None = 3,
    now: str = T1,
) -> list[dict[str, Any]]:
    return with_condition(
        conditions, type_=READY, status=status, reason=reason, message=message, generation=generation, now=now
    )


def test_first_condition() -> None:
    assert ready(None, True, now=T0) == [
        {
            "type": "Ready",
            "status": "True",
            "reason": "Reconciled",
            "message": "ok",
            "lastTransitionTime": T0,
            "observedGeneration": 3,
        }
    ]
    assert ready([], False, reason=Reason.INVALID_SPEC, now=T0)[0]["status"] == "False"


def test_transition_time_kept_when_status_unchanged() -> None:
    before = ready(None, False, reason=Reason.OKTA_UNAVAILABLE, message="working", generation=1, now=T0)
    after = ready(before, False, reason=Reason.OKTA_RATE_LIMITED, message="slow down", generation=2, now=T1)
    assert after == [
        {
            "type": "Ready",
            "status": "False",
            "reason": "OktaRateLimited",
            "message": "slow down",
            "lastTransitionTime": T0,
            "observedGeneration": 2,
        }
    ]


@pytest.mark.parametrize(("old", "new"), [(True, False), (False, True)])
def test_transition_time_moves_when_status_flips(old: bool, new: bool) -> None:
    before = ready(None, old, now=T0)
    assert ready(before, new, now=T1)[0]["lastTransitionTime"] == T1


def test_transition_time_moves_from_unknown() -> None:
    before = [{"type": "Ready", "status": "Unknown", "reason": "Pending", "lastTransitionTime": T0}]
    assert ready(before, True, now=T1)[0]["lastTransitionTime"] == T1


def test_missing_transition_time_is_filled_in() -> None:
    before = [{"type": "Ready", "status": "True", "reason": "Reconciled"}]
    assert ready(before, True, now=T1)[0]["lastTransitionTime"] == T1


def test_other_condition_types_are_kept_untouched() -> None:
    stalled = {
        "type": "Stalled",
        "status": "False",
        "reason": "Fine",
        "message": "",
        "lastTransitionTime": T0,
    }
    custom = {"type": "AcmeAudit", "status": "True", "reason": "Seen", "lastTransitionTime": T0, "x": 1}
    before = [copy.deepcopy(stalled), ready(None, True, now=T0)[0], copy.deepcopy(custom)]
    after = ready(before, False, reason=Reason.OKTA_UNAVAILABLE, now=T1)
    assert [c["type"] for c in after] == ["Ready", "AcmeAudit", "Stalled"]
    assert after[1] == custom
    assert after[2] == stalled
    assert after[0]["status"] == "False"


def test_ready_sorted_first_and_the_rest_by_type() -> None:
    before = [
        {"type": "Zeta", "status": "True", "reason": "R", "lastTransitionTime": T0},
        {"type": "Alpha", "status": "True", "reason": "R", "lastTransitionTime": T0},
    ]
    assert [c["type"] for c in ready(before, True)] == ["Ready", "Alpha", "Zeta"]


def test_setting_another_type_keeps_ready() -> None:
    before = ready(None, True, now=T0)
    after = with_condition(
        before, type_="Stalled", status=True, reason="Stuck", message="m", generation=3, now=T1
    )
    assert [c["type"] for c in after] == ["Ready", "Stalled"]
    assert after[0] == before[0]
    assert after[1]["lastTransitionTime"] == T1


def test_exactly_one_condition_per_type_even_from_a_list_with_duplicates() -> None:
    before = [ready(None, True, now=T0)[0], ready(None, True, now=T0)[0]]
    after = ready(before, True, now=T1)
    assert len(after) == 1
    assert after[0]["lastTransitionTime"] == T0


def test_observed_generation() -> None:
    assert ready(None, True, generation=7)[0]["observedGeneration"] == 7
    assert ready(None, True, generation=0)[0]["observedGeneration"] == 0
    assert "observedGeneration" not in ready(None, True, generation=None)[0]
    # A stale observedGeneration from the previous condition is not carried over.
    before = ready(None, True, generation=5)
    assert "observedGeneration" not in ready(before, True, generation=None)[0]


def test_inputs_are_not_mutated() -> None:
    other = {"type": "Other", "status": "True", "reason": "R", "lastTransitionTime": T0}
    before = [ready(None, True, now=T0)[0], other]
    snapshot = copy.deepcopy(before)
    after = ready(before, False, now=T1)
    assert before == snapshot
    after[1]["status"] = "False"
    assert other["status"] == "True"


def test_reason_is_written_as_its_string_value() -> None:
    condition = ready(None, False, reason=Reason.OKTA_AUTH_SERVER_NOT_FOUND)[0]
    assert condition["reason"] == "OktaAuthorizationServerNotFound"
    assert json.dumps(condition["reason"]) == '"OktaAuthorizationServerNotFound"'


def test_find() -> None:
    conditions = ready([{"type": "Other", "status": "True", "reason": "R", "lastTransitionTime": T0}], True)
    found = find(conditions)
    assert found is not None and found["type"] == "Ready"
    assert find(conditions, "Other") is not None
    assert find(conditions, "Missing") is None
    assert find(None) is None
    assert find([]) is None


def test_reasons_are_camel_case_values() -> None:
    for reason in Reason:
        assert reason.value[0].isupper()
        assert reason.value.isalnum(), reason


@pytest.mark.parametrize(
    "reason",
    [
        Reason.INVALID_SPEC,
        Reason.INSECURE_ORG_URL,
        Reason.CREDENTIALS_NOT_FOUND,
        Reason.OKTA_AUTH_FAILED,
        Reason.OKTA_FORBIDDEN,
        Reason.OKTA_GROUP_NOT_FOUND,
        Reason.OKTA_AUTH_SERVER_NOT_FOUND,
        Reason.OKTA_REJECTED,
        Reason.SECRET_CONFLICT,
    ],
)
def test_terminal_reasons(reason: Reason) -> None:
    assert reason in TERMINAL


@pytest.mark.parametrize(
    "reason",
    [
        Reason.RECONCILED,
        Reason.OKTA_RATE_LIMITED,
        Reason.OKTA_UNAVAILABLE,
    ],
)
def test_transient_reasons_are_not_terminal(reason: Reason) -> None:
    # A retry fixes these by itself: they must not stop the operator from trying again.
    assert reason not in TERMINAL


def test_every_reason_is_classified() -> None:
    assert TRANSIENT.isdisjoint(TERMINAL)
    # Paused is only a pass's outcome (metrics, logs): a paused pass leaves Ready as it was.
    assert set(Reason) == HEALTHY | TERMINAL | TRANSIENT | {Reason.PAUSED}


def test_unknown_status_for_a_condition_that_cannot_be_computed() -> None:
    unknown = with_condition(
        None,
        type_="AuthorizationServerReady",
        status=None,
        reason="PoliciesNotReadable",
        message="cannot read",
        generation=2,
        now=T0,
    )
    assert unknown[0]["status"] == "Unknown"
    again = with_condition(
        unknown,
        type_="AuthorizationServerReady",
        status=None,
        reason="PoliciesNotReadable",
        message="x",
        generation=3,
        now=T1,
    )
    assert again[0]["lastTransitionTime"] == T0
    known = with_condition(
        again,
        type_="AuthorizationServerReady",
        status=True,
        reason="SignInAllowed",
        message="ok",
        generation=3,
        now=T1,
    )
    assert (known[0]["status"], known[0]["lastTransitionTime"]) == ("True", T1)
    # Ready sorts first, whatever else is there.
    both = with_condition(
        known, type_=READY, status=True, reason="Reconciled", message="ok", generation=3, now=T1
    )
    assert [c["type"] for c in both] == ["Ready", "AuthorizationServerReady"]
