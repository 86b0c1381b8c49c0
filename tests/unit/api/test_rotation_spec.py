"""spec.clientSecretRotation: parse_spec and the generated CRD agree on afterDays' bounds."""

from __future__ import annotations

from typing import Any

import pytest

from outsystems_okta.api.crd import custom_resource_definition
from outsystems_okta.api.rotation import MAX_AFTER_DAYS, MIN_AFTER_DAYS
from outsystems_okta.api.spec import SpecError, parse_spec
from outsystems_okta.plan.outputs import LifeTimeValues

BASE: dict[str, Any] = {
    "okta": {"orgUrl": "https://acme.okta.com", "credentialsSecretRef": {"name": "okta-api"}},
    "lifetime": {"hostname": "lifetime.acme.com"},
    "environments": [{"name": "dev", "hostname": "dev.acme.com"}],
}


def test_after_days_is_optional() -> None:
    assert parse_spec(BASE).client_secret_rotation.after_days is None
    assert parse_spec({**BASE, "clientSecretRotation": {}}).client_secret_rotation.after_days is None


@pytest.mark.parametrize("days", [MIN_AFTER_DAYS, 90, MAX_AFTER_DAYS])
def test_after_days_in_bounds(days: int) -> None:
    assert (
        parse_spec({**BASE, "clientSecretRotation": {"afterDays": days}}).client_secret_rotation.after_days
        == days
    )


@pytest.mark.parametrize("days", [0, -1, MAX_AFTER_DAYS + 1, "30", 1.5, True])
def test_after_days_out_of_bounds_or_not_an_integer(days: Any) -> None:
    with pytest.raises(SpecError, match=r"spec\.clientSecretRotation\.afterDays"):
        parse_spec({**BASE, "clientSecretRotation": {"afterDays": days}})


def test_unknown_rotation_field() -> None:
    with pytest.raises(SpecError, match="unknown field"):
        parse_spec({**BASE, "clientSecretRotation": {"days": 3}})


def test_the_crd_has_the_same_bounds() -> None:
    version = custom_resource_definition()["spec"]["versions"][0]
    schema = version["schema"]["openAPIV3Schema"]["properties"]["spec"]["properties"]["clientSecretRotation"]
    after_days = schema["properties"]["afterDays"]
    assert after_days["type"] == "integer"
    assert (after_days["minimum"], after_days["maximum"]) == (MIN_AFTER_DAYS, MAX_AFTER_DAYS)
    status = version["schema"]["openAPIV3Schema"]["properties"]["status"]["properties"][
        "clientSecretRotation"
    ]
    assert status["properties"]["phase"]["enum"] == [
        "Creating",
        "AwaitingConfirmation",
        "Completed",
        "Blocked",
        "Failed",
    ]


def test_previous_web_client_secret_only_while_set() -> None:
    values = LifeTimeValues("https://m", "0oaW", "new", "0oaD")
    assert "previousWebClientSecret" not in values.as_data()
    rotating = LifeTimeValues("https://m", "0oaW", "new", "0oaD", previous_web_client_secret="old")
    assert rotating.as_data()["previousWebClientSecret"] == "old"
    assert "old" not in repr(rotating) and "new" not in repr(rotating).replace("LifeTimeValues", "")
