"""`outsystems-okta run --okta-timeout SECONDS`: parsed, and refused before anything starts when unusable."""

from __future__ import annotations

import pytest

from outsystems_okta.cli import main, parser


def test_the_default_is_thirty_seconds() -> None:
    assert parser().parse_args(["run", "--all-namespaces"]).okta_timeout == 30.0
    assert parser().parse_args(["run", "-A", "--okta-timeout", "2.5"]).okta_timeout == 2.5


@pytest.mark.parametrize("value", ["0", "-1", "nan"])
def test_a_timeout_that_is_not_positive_is_refused(value: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["run", "--all-namespaces", "--okta-timeout", value]) == 2
    assert "--okta-timeout must be > 0 seconds" in capsys.readouterr().err
