"""App labels and group names (patterns.APP_LABEL, GROUP_NAME): what a person types is accepted, what
Okta would refuse as blank, or could never match, is not."""

from __future__ import annotations

import pytest

from outsystems_okta.api import patterns

FINE = ["OutSystems Consoles", "a", "Ünïcödé Factory (prod)", "IT-Ops / EMEA", "x" * 100, "Team  Two"]
REFUSED = [
    "",
    " ",
    "   ",
    " OutSystems",
    "OutSystems ",
    "Out\nSystems",
    "Out\tSystems",
    "Out\x00",
    "\x7f",
    "a\r",
]


@pytest.mark.parametrize("shape", [patterns.APP_LABEL, patterns.GROUP_NAME], ids=["label", "group"])
def test_display_names(shape: patterns.Shape) -> None:
    assert [value for value in FINE if not shape.fits(value)] == []
    assert [value for value in REFUSED if shape.fits(value)] == []


def test_the_bounds_are_oktas() -> None:
    assert patterns.APP_LABEL.max_length == 100
    assert patterns.GROUP_NAME.max_length == 255
