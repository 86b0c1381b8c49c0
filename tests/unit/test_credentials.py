"""Whether a stored token can go into an `Authorization: SSWS` header, and what to say when not
(reconcile/credentials.py: pure functions, no Secret read here)."""

from __future__ import annotations

import pytest

from outsystems_okta.reconcile.credentials import MAX_TOKEN_LENGTH, token_problem

GOOD = "00" + "aB3_-" * 8  # 42 characters, the shape of an Okta API token


@pytest.mark.parametrize("token", [GOOD, "x", "a" * MAX_TOKEN_LENGTH, "00-_.~+/="])
def test_a_printable_ascii_token_is_fine(token: str) -> None:
    assert token_problem(token) is None


@pytest.mark.parametrize(
    ("token", "problem"),
    [
        (
            "a" * (MAX_TOKEN_LENGTH + 1),
            f"it is {MAX_TOKEN_LENGTH + 1} characters long; an Okta API token has 42",
        ),
        (GOOD * 5000, f"it is {42 * 5000} characters long; an Okta API token has 42"),
        (GOOD + "é", "it has characters that are not ASCII"),
        ("\u200b" + GOOD, "it has characters that are not ASCII"),
        (GOOD + "\ufffd", "it has characters that are not ASCII"),
        ("00ab cd", "it has spaces or control characters"),
        (GOOD + "\t", "it has spaces or control characters"),
        (GOOD + "\x00", "it has spaces or control characters"),
        (GOOD + "\x7f", "it has spaces or control characters"),
    ],
)
def test_a_token_that_cannot_travel_is_described_without_quoting_it(token: str, problem: str) -> None:
    assert token_problem(token) == problem
    assert GOOD not in problem
