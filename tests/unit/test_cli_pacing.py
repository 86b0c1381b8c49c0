"""`outsystems-okta run --okta-budget SHARE --okta-concurrency N --okta-max-budget-wait S`, parsed."""

from __future__ import annotations

import pytest

from outsystems_okta.cli import main, pacing_option, parser
from outsystems_okta.okta import Pacing


def option(*args: str) -> Pacing | str:
    return pacing_option(parser().parse_args(["run", "--all-namespaces", *args]))


def test_defaults_spend_half_of_each_bucket_four_requests_at_a_time() -> None:
    assert option() == Pacing(budget=0.5, concurrency=4, max_wait=300.0)


def test_explicit_values_are_taken_as_given() -> None:
    got = option("--okta-budget", "1", "--okta-concurrency", "2", "--okta-max-budget-wait", "30")
    assert got == Pacing(budget=1.0, concurrency=2, max_wait=30.0)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--okta-budget", "0"), "budget must be > 0 and <= 1, got 0.0"),
        (("--okta-budget", "1.2"), "budget must be > 0 and <= 1, got 1.2"),
        (("--okta-budget", "nan"), "budget must be > 0 and <= 1"),
        (("--okta-concurrency", "0"), "concurrency must be >= 1, got 0"),
        (("--okta-max-budget-wait", "-1"), "wait must be > 0 seconds"),
    ],
)
def test_values_out_of_range_are_refused_before_anything_starts(
    args: tuple[str, ...], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    refused = option(*args)
    assert isinstance(refused, str)
    assert message in refused
    assert main(["run", "--all-namespaces", *args]) == 2
    assert message in capsys.readouterr().err
