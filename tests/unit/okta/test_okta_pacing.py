"""BudgetBook: the share of each Okta bucket spent per window and when the next request may go."""

from __future__ import annotations

import math

import pytest

from outsystems_okta.okta.pacing import FIRST_ANSWER_POLL, RESET_MARGIN, BudgetBook, allowed_per_window

APPS = "/api/v1/apps"
GROUPS = "/api/v1/groups"
RESET = 1_700_000_060.0  # Okta's raw X-Rate-Limit-Reset of the first window


def answer(
    book: BudgetBook,
    bucket: str,
    now: float,
    *,
    limit: int = 100,
    remaining: int,
    reset: float = RESET,
    reset_in: float = 60.0,
) -> None:
    book.observe(bucket, now, limit=limit, remaining=remaining, reset=reset, reset_in=reset_in)


def go_through(book: BudgetBook, bucket: str, now: float, limit: int = 100, reset_in: float = 60.0) -> int:
    """Send requests one at a time (each answered before the next) while the book lets them go, as
    Okta would count them if we were alone; the number sent."""
    sent = 0
    while book.take(bucket, now) == 0:
        sent += 1
        remaining = limit - sent
        answer(book, bucket, now, limit=limit, remaining=remaining, reset_in=reset_in)
        if sent > limit:
            raise AssertionError("the book let more requests through than the bucket holds")
    return sent


@pytest.mark.parametrize(
    ("limit", "share", "allowed"),
    [(100, 0.5, 50), (100, 1.0, 100), (10, 0.5, 5), (20, 0.25, 5), (1, 0.5, 1), (3, 0.1, 1), (7, 0.5, 3)],
)
def test_allowed_per_window(limit: int, share: float, allowed: int) -> None:
    assert allowed_per_window(limit, share) == allowed


@pytest.mark.parametrize("share", [0.0, -0.5, 1.01, math.nan])
def test_share_out_of_range_is_refused(share: float) -> None:
    with pytest.raises(ValueError, match="budget share"):
        BudgetBook(share)
    with pytest.raises(ValueError, match="burst"):
        BudgetBook(0.5, burst=0)


def test_half_of_a_hundred_is_at_most_fifty_per_window() -> None:
    book = BudgetBook(0.5)
    assert go_through(book, APPS, now=0.0) == 50
    usage = book.usage(APPS, 0.0)
    assert usage is not None
    assert (usage.limit, usage.spent, usage.allowed, usage.share) == (100, 50, 50, 0.5)


def test_full_bucket_waits_until_the_reset() -> None:
    book = BudgetBook(0.5)
    assert go_through(book, APPS, now=10.0, reset_in=50.0) == 50
    assert book.take(APPS, 10.0) == pytest.approx(50.0 + RESET_MARGIN)
    assert book.take(APPS, 59.0) == pytest.approx(1.0 + RESET_MARGIN)


def test_window_reset_allows_the_next_share() -> None:
    book = BudgetBook(0.5)
    go_through(book, APPS, now=0.0, reset_in=60.0)
    # Past the reset the bucket is assumed fresh: another 50 go before Okta's next answer...
    sent = 0
    while book.take(APPS, 61.0) == 0:
        sent += 1
    assert sent == 50
    # ... and the new window's answers (a later raw reset) replace the old window's figures.
    for left in range(99, 49, -1):
        answer(book, APPS, 61.0, remaining=left, reset=RESET + 60, reset_in=59.0)
    usage = book.usage(APPS, 61.0)
    assert usage is not None
    assert usage.spent == 50
    assert book.take(APPS, 61.0) == pytest.approx(59.0 + RESET_MARGIN)


def test_after_a_reset_the_assumed_window_is_the_longest_seen() -> None:
    book = BudgetBook(1.0)
    assert go_through(book, APPS, now=0.0, limit=2, reset_in=2.0) == 2
    # The window ends at 2.0; nobody asks until 5.0; two fresh requests, then the assumed window (2 s).
    assert book.take(APPS, 5.0) == 0
    assert book.take(APPS, 5.0) == 0
    assert book.take(APPS, 5.0) == pytest.approx(2.0 + RESET_MARGIN)


def test_missing_headers_allow_a_burst_until_data_arrives() -> None:
    book = BudgetBook(0.5, burst=10)
    # Never seen: no data; a burst may go (the pacer's concurrency cap), the next waits for an answer.
    assert all(book.take(APPS, 0.0) == 0 for _ in range(10))
    assert book.take(APPS, 0.0) == FIRST_ANSWER_POLL
    assert book.usage(APPS, 0.0) is None
    # Answers without rate-limit headers leave it so.
    for _ in range(5):
        book.observe(APPS, 0.0, limit=None, remaining=None, reset=None, reset_in=None)
    assert book.usage(APPS, 0.0) is None
    # The first answer with headers: 45 used by Okta's count, 4 still unanswered -> 49 of 50.
    answer(book, APPS, 0.0, remaining=55)
    usage = book.usage(APPS, 0.0)
    assert usage is not None
    assert usage.spent == 49
    assert book.take(APPS, 0.0) == 0
    assert book.take(APPS, 0.0) > 0


def test_an_answer_without_headers_still_counts_once_the_bucket_is_known() -> None:
    book = BudgetBook(0.5)
    assert book.take(APPS, 0.0) == 0
    answer(book, APPS, 0.0, remaining=99)
    assert book.take(APPS, 0.0) == 0
    book.observe(APPS, 0.0, limit=None, remaining=None, reset=None, reset_in=None)
    usage = book.usage(APPS, 0.0)
    assert usage is not None
    assert usage.spent == 2


def test_answers_without_headers_count_in_a_window_assumed_fresh() -> None:
    book = BudgetBook(0.5)
    go_through(book, APPS, now=0.0, limit=4, reset_in=10.0)
    # The window ended; Okta's answers stop carrying headers: our own count still holds the share.
    sent = 0
    while book.take(APPS, 11.0) == 0 and sent <= 4:
        sent += 1
        book.observe(APPS, 11.0, limit=None, remaining=None, reset=None, reset_in=None)
    assert sent == 2


def test_pending_requests_count_before_their_answers() -> None:
    book = BudgetBook(0.5)
    assert book.take(APPS, 0.0) == 0
    answer(book, APPS, 0.0, remaining=99)
    # 49 more may go at once without any answer in between, not one more.
    assert sum(1 for _ in range(60) if book.take(APPS, 0.0) == 0) == 49
    # A transport failure gives one back (it may not have reached Okta; the next answer corrects it).
    book.release(APPS)
    assert book.take(APPS, 0.0) == 0


def test_other_clients_use_of_the_bucket_counts() -> None:
    book = BudgetBook(0.5)
    assert book.take(APPS, 0.0) == 0
    # Someone else in the org has spent 60 of this window already: nothing is left for the operator.
    answer(book, APPS, 0.0, remaining=39)
    assert book.take(APPS, 0.0) == pytest.approx(60.0 + RESET_MARGIN)


def test_out_of_order_answers_keep_the_lowest_remaining() -> None:
    book = BudgetBook(0.5, burst=3)
    for _ in range(3):
        assert book.take(APPS, 0.0) == 0
    answer(book, APPS, 0.0, remaining=97)
    answer(book, APPS, 0.0, remaining=99)  # sent first, answered last
    answer(book, APPS, 0.0, remaining=98)
    usage = book.usage(APPS, 0.0)
    assert usage is not None
    assert usage.spent == 3


def test_an_answer_from_an_ended_window_is_ignored() -> None:
    book = BudgetBook(0.5)
    assert book.take(APPS, 0.0) == 0
    answer(book, APPS, 0.0, remaining=99, reset_in=10.0)
    assert book.take(APPS, 11.0) == 0  # the window ended: fresh
    assert book.take(APPS, 11.0) == 0
    # A late answer of the old window (its raw reset) says nothing about the new one.
    answer(book, APPS, 11.0, remaining=10)
    usage = book.usage(APPS, 11.0)
    assert usage is not None
    assert usage.spent == 1


def test_a_429_answer_stops_the_bucket_until_its_reset() -> None:
    book = BudgetBook(1.0)
    assert book.take(APPS, 0.0) == 0
    answer(book, APPS, 0.0, remaining=0, reset_in=30.0)
    assert book.take(APPS, 0.0) == pytest.approx(30.0 + RESET_MARGIN)


def test_buckets_are_independent() -> None:
    book = BudgetBook(0.5)
    assert go_through(book, APPS, now=0.0, limit=10) == 5
    assert book.take(APPS, 0.0) > 0
    assert go_through(book, GROUPS, now=0.0, limit=600) == 300
    assert book.take("/api/v1", 0.0) == 0


def test_a_tiny_bucket_still_moves() -> None:
    book = BudgetBook(0.1)
    assert go_through(book, APPS, now=0.0, limit=3, reset_in=1.0) == 1
    assert book.take(APPS, 0.5) == pytest.approx(0.5 + RESET_MARGIN)
    assert book.take(APPS, 1.0) == 0
