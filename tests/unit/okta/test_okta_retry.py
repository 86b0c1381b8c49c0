"""RetryPolicy arithmetic and the header parsers it relies on."""

from __future__ import annotations

import math

import pytest

from outsystems_okta.okta.retry import RetryPolicy, parse_http_date, parse_int, parse_reset


def test_defaults_match_the_documented_policy() -> None:
    policy = RetryPolicy()
    assert (policy.max_attempts, policy.base_delay, policy.max_delay) == (4, 0.2, 5.0)
    assert policy.max_rate_limit_wait == 60.0


@pytest.mark.parametrize(
    ("failures", "ceiling"),
    [(1, 0.2), (2, 0.4), (3, 0.8), (4, 1.6), (5, 3.2), (6, 5.0), (60, 5.0), (10_000, 5.0)],
)
def test_backoff_is_exponential_and_capped(failures: int, ceiling: float) -> None:
    policy = RetryPolicy()
    assert policy.backoff_delay(failures, 0.0) == 0.0
    assert policy.backoff_delay(failures, 1.0) == pytest.approx(ceiling)
    assert policy.backoff_delay(failures, 0.5) == pytest.approx(ceiling / 2)


def test_backoff_clamps_a_misbehaving_random_source() -> None:
    policy = RetryPolicy()
    assert policy.backoff_delay(1, -3.0) == 0.0
    assert policy.backoff_delay(1, 7.0) == pytest.approx(0.2)
    assert policy.backoff_delay(1, math.nan) == 0.0


def test_rate_limit_delay_waits_until_reset_plus_jitter() -> None:
    policy = RetryPolicy(rate_limit_jitter=1.0)
    assert policy.rate_limit_delay(1_000_010.0, 1_000_000.0, 0.0) == pytest.approx(10.0)
    assert policy.rate_limit_delay(1_000_010.0, 1_000_000.0, 0.5) == pytest.approx(10.5)


def test_rate_limit_delay_never_negative_and_has_a_fallback() -> None:
    policy = RetryPolicy(rate_limit_jitter=0.0)
    assert policy.rate_limit_delay(100.0, 200.0, 0.9) == 0.0  # reset already passed
    assert policy.rate_limit_delay(None, 200.0, 0.9) == 1.0


@pytest.mark.parametrize(
    "kwargs",
    [{"max_attempts": 0}, {"base_delay": -1}, {"max_delay": -1}, {"max_rate_limit_wait": -1},
     {"rate_limit_jitter": -0.1}],
)  # fmt: skip
def test_policy_rejects_nonsense(kwargs: dict[str, float]) -> None:
    with pytest.raises(ValueError):
        RetryPolicy(**kwargs)  # type: ignore[arg-type]


def test_parse_reset() -> None:
    assert parse_reset("1609459200") == 1609459200.0
    assert parse_reset(" 1609459200 ") == 1609459200.0
    assert parse_reset(None) is None
    assert parse_reset("soon") is None
    assert parse_reset("0") is None
    assert parse_reset("inf") is None


def test_parse_http_date() -> None:
    assert parse_http_date("Fri, 01 Jan 2021 00:00:00 GMT") == 1609459200.0
    assert parse_http_date("Fri, 01 Jan 2021 00:00:00 -0000") == 1609459200.0
    assert parse_http_date(None) is None
    assert parse_http_date("") is None
    assert parse_http_date("yesterday") is None


def test_parse_int() -> None:
    assert parse_int("42") == 42
    assert parse_int(None) is None
    assert parse_int("4.2") is None
