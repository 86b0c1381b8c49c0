"""plan/backoff.py: consecutive failures of one reason back off; a new reason starts again."""

from __future__ import annotations

import datetime
from typing import Any

import pytest

from outsystems_okta.plan.backoff import Backoff, attempt_time, failed_attempts, seconds_until
from outsystems_okta.plan.conditions import TERMINAL, TRANSIENT, Reason

NOW = datetime.datetime(2026, 12, 2, 10, 0, 0, tzinfo=datetime.UTC)


def status(reason: str, ready: str = "False", attempts: Any = 3) -> dict[str, Any]:
    return {"failedAttempts": attempts, "conditions": [{"type": "Ready", "status": ready, "reason": reason}]}


@pytest.mark.parametrize(
    ("attempts", "delay"), [(1, 15), (2, 30), (3, 60), (4, 120), (5, 240), (6, 480), (7, 600), (50, 600)]
)
def test_transient_failures_double_from_15s_to_10_minutes(attempts: int, delay: float) -> None:
    assert Backoff().delay(Reason.OKTA_UNREACHABLE, attempts, 15.0) == delay


@pytest.mark.parametrize(
    "reason", sorted(TRANSIENT - {Reason.OKTA_RATE_LIMITED, Reason.OKTA_BUDGET_WAIT}), ids=str
)
def test_every_transient_reason_starts_at_the_base(reason: Reason) -> None:
    assert Backoff(base=2.0).delay(reason, 1, 15.0) == 2.0
    assert Backoff(base=2.0).delay(reason, 3, 15.0) == 8.0


@pytest.mark.parametrize(("attempts", "delay"), [(1, 60), (2, 120), (3, 240), (4, 480), (5, 600), (9, 600)])
def test_failures_a_person_must_fix_still_poll_slower(attempts: int, delay: float) -> None:
    assert Backoff().delay(Reason.OKTA_FORBIDDEN, attempts, 60.0) == delay


@pytest.mark.parametrize("reason", sorted(TERMINAL), ids=str)
def test_no_hint_means_no_scheduled_retry(reason: Reason) -> None:
    # The spec must change (InvalidSpec, OktaRejected...): only a change or the drift interval helps.
    assert Backoff().delay(reason, 4, None) is None


@pytest.mark.parametrize("attempts", [1, 2, 8])
def test_a_rate_limit_keeps_oktas_reset(attempts: int) -> None:
    assert Backoff().delay(Reason.OKTA_RATE_LIMITED, attempts, 42.5) == 42.5


@pytest.mark.parametrize("attempts", [1, 2, 8])
def test_a_budget_wait_keeps_the_buckets_reset(attempts: int) -> None:
    # Pacing is not failing: the next pass comes when the share is back, not later and later.
    assert Backoff().delay(Reason.OKTA_BUDGET_WAIT, attempts, 42.5) == 42.5


def test_nonsense_attempt_counts_are_the_first_attempt() -> None:
    assert Backoff().delay(Reason.OKTA_UNAVAILABLE, 0, 15.0) == 15.0
    assert Backoff().delay(Reason.OKTA_UNAVAILABLE, 10**6, 15.0) == 600.0


def test_the_same_reason_counts_on() -> None:
    assert failed_attempts(status("OktaUnreachable"), Reason.OKTA_UNREACHABLE) == 4


@pytest.mark.parametrize(
    "previous",
    [
        status("OktaUnavailable"),  # another reason: a new problem
        status("OktaUnreachable", ready="True"),  # it worked in between
        status("OktaUnreachable", attempts=None),  # status from before back-off existed
        status("OktaUnreachable", attempts=0),
        status("OktaUnreachable", attempts="3"),
        status("OktaUnreachable", attempts=True),
        {},
    ],
    ids=["other-reason", "ready", "no-count", "zero", "text", "bool", "no-status"],
)
def test_anything_else_starts_at_one(previous: dict[str, Any]) -> None:
    assert failed_attempts(previous, Reason.OKTA_UNREACHABLE) == 1


def test_attempt_time_is_rfc3339_utc_in_whole_seconds() -> None:
    assert attempt_time("2026-12-02T10:00:00Z", 15.0) == "2026-12-02T10:00:15Z"
    assert attempt_time("2026-12-02T23:59:59Z", 600.4) == "2026-12-03T00:09:59Z"


@pytest.mark.parametrize(
    ("when", "expected"),
    [
        ("2026-12-02T10:00:15Z", 15.0),
        ("2026-12-02T09:59:00Z", -60.0),
        ("2026-12-02T11:00:00+01:00", 0.0),
        ("2026-12-02T10:00:15", None),  # no zone: not a time the operator wrote
        ("soon", None),
        ("", None),
        (None, None),
        (15, None),
    ],
)
def test_seconds_until(when: object, expected: float | None) -> None:
    assert seconds_until(when, NOW) == expected
