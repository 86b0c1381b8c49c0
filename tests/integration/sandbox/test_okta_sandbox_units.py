"""Pure pieces of the sandbox: the filter language, rate-limit buckets and windows."""

from __future__ import annotations

from typing import Any

import pytest

from outsystems_okta_sandbox.okta.filters import FilterSyntaxError, dotted, matches, parse
from outsystems_okta_sandbox.okta.ratelimit import RateLimiter, bucket_for


def _allow_all(attr: str, op: str) -> bool:
    return True


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ('profile.name eq "Team \\"Q\\" \\\\ B"', True),
        ('profile.name eq "team \\"q\\" \\\\ b"', False),  # eq is case-sensitive
        ('profile.name sw "TEAM"', True),  # sw/co are not
        ('profile.name co "\\"q\\""', True),
        ('type eq "OKTA_GROUP" and profile.name eq "x" or id eq "00g1"', True),  # and binds tighter
        ('type eq "OKTA_GROUP" and (profile.name eq "x" or id eq "00g2")', False),
        ("count gt 2 and count le 3", True),
        ("enabled eq true and missing pr", False),
        ("profile.description pr", True),
    ],
)
def test_filter_language(expression: str, expected: bool) -> None:
    obj: dict[str, Any] = {
        "id": "00g1",
        "type": "OKTA_GROUP",
        "count": 3,
        "enabled": True,
        "profile": {"name": 'Team "Q" \\ B', "description": "d"},
    }
    assert matches(parse(expression, _allow_all), lambda attr: dotted(obj, attr)) is expected


@pytest.mark.parametrize(
    "expression", ['name eq "x', "name eq", "name like 1", '(name eq "x"', 'name eq "x" "y"', ""]
)
def test_filter_syntax_errors(expression: str) -> None:
    with pytest.raises(FilterSyntaxError):
        parse(expression, _allow_all)


def test_filter_allow_list() -> None:
    with pytest.raises(FilterSyntaxError, match="Unsupported"):
        parse('label eq "x"', lambda attr, op: attr == "status")


@pytest.mark.parametrize(
    ("method", "path", "bucket"),
    [
        ("GET", "/api/v1/apps", "/api/v1/apps"),
        ("POST", "/api/v1/apps", "/api/v1/apps"),
        ("GET", "/api/v1/apps/0oa1", "/api/v1/apps/{id}"),
        ("PUT", "/api/v1/apps/0oa1", "/api/v1/apps/{id}"),
        ("DELETE", "/api/v1/apps/0oa1", "/api/v1/apps/{id}"),
        ("POST", "/api/v1/apps/0oa1/lifecycle/activate", "/api/v1/apps"),
        ("GET", "/api/v1/apps/0oa1/groups", "/api/v1/apps"),
        ("PUT", "/api/v1/apps/0oa1/groups/00g1", "/api/v1/apps"),
        ("POST", "/api/v1/apps/0oa1/credentials/secrets", "/api/v1/apps"),
        ("GET", "/api/v1/groups", "/api/v1/groups"),
        ("GET", "/api/v1/groups/00g1", "/api/v1/groups"),
        ("GET", "/api/v1/authorizationServers/default", "/api/v1"),
    ],
)
def test_buckets(method: str, path: str, bucket: str) -> None:
    assert bucket_for(method, path) == bucket


def test_rate_limit_windows_with_a_fake_clock() -> None:
    now = [1000.25]
    limiter = RateLimiter(per_minute=2, window_seconds=60, clock=lambda: now[0])
    first, second, third = (limiter.consume("/api/v1/apps") for _ in range(3))
    assert (first.allowed, first.remaining, second.remaining) == (True, 1, 0)
    assert (third.allowed, third.remaining, third.reset) == (False, 0, 1061)
    assert limiter.consume("/api/v1/groups").allowed  # separate bucket
    now[0] += 60
    assert limiter.consume("/api/v1/apps").remaining == 1  # a new window
    limiter.configure(None)
    unlimited = [limiter.consume("/api/v1/apps") for _ in range(150)]
    assert all(d.allowed for d in unlimited) and unlimited[-1].limit == 100 and unlimited[-1].remaining == 0
