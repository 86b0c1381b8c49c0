"""`outsystems-okta run --peering NAME [--priority N] [--peering-lifetime S]`: the options, parsed."""

from __future__ import annotations

import time

import pytest

from outsystems_okta.cli import main, parser, peering_option
from outsystems_okta.peering import DEFAULT_LIFETIME, MIN_LIFETIME, Peering, start_priority


def option(*args: str) -> Peering | str | None:
    return peering_option(parser().parse_args(["run", "--all-namespaces", *args]))


def test_without_peering_the_operator_runs_standalone() -> None:
    assert option() is None
    assert option("--standalone") is None


def test_peering_defaults_to_a_start_time_priority_and_a_20s_lifetime() -> None:
    before = start_priority(time.time_ns())
    joined = option("--peering", "osokta")
    after = start_priority(time.time_ns())
    assert isinstance(joined, Peering)
    assert joined.name == "osokta"
    assert joined.lifetime == DEFAULT_LIFETIME == 20
    # Started between `before` and `after`: earlier is higher, so `before` is the upper bound.
    assert after <= joined.priority <= before


def test_explicit_priority_and_lifetime_are_taken_as_given() -> None:
    assert option("--peering", "p", "--priority", "7", "--peering-lifetime", "5") == Peering("p", 7, 5)
    assert option("--peering", "p", "--priority", "-3") == Peering("p", -3, DEFAULT_LIFETIME)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--priority", "1"], "--priority and --peering-lifetime go with --peering"),
        (["--peering-lifetime", "9"], "--priority and --peering-lifetime go with --peering"),
        (["--peering", "p", "--standalone"], "--standalone and --peering exclude each other"),
        (["--peering", "p", "--peering-lifetime", "1"], f"at least {MIN_LIFETIME} seconds"),
    ],
)
def test_options_that_do_not_fit_are_refused_before_kopf_starts(
    args: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    refusal = option(*args)
    assert isinstance(refusal, str) and message in refusal
    assert main(["run", "--all-namespaces", *args]) == 2
    assert f"error: {refusal}" in capsys.readouterr().err


def test_start_priority_orders_processes_oldest_first_to_the_microsecond() -> None:
    now = 1_796_000_000_000_000_000  # ns, December 2026
    assert start_priority(now) > start_priority(now + 1_000)
    assert start_priority(now) == start_priority(now + 999)  # below a microsecond: same priority
    assert start_priority(now) == -1_796_000_000_000_000
    assert abs(start_priority(now)) < 2**63  # stored by Kubernetes as an int64
