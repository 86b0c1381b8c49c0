"""The app sign-in policy, read from the app's own JSON: which one an app uses, when to assign, refusals."""

from __future__ import annotations

from typing import Any

import pytest

from outsystems_okta.plan.sign_in_policy import (
    assigned_message,
    assigned_policy_id,
    needs_assignment,
    policy_refusal,
    unsupported_message,
)

ORG = "https://acme.okta.com"
WANTED = "rst7xus97faIAgmti1d7"


def app(href: Any = f"{ORG}/api/v1/policies/{WANTED}") -> dict[str, Any]:
    links: dict[str, Any] = {"self": {"href": f"{ORG}/api/v1/apps/0oa1"}}
    if href is not ...:
        links["accessPolicy"] = {"href": href}
    return {"id": "0oa1", "label": "OutSystems Consoles", "_links": links}


@pytest.mark.parametrize(
    ("href", "expected"),
    [
        (f"{ORG}/api/v1/policies/{WANTED}", WANTED),
        (f"{ORG}/api/v1/policies/{WANTED}/", WANTED),
        (f"{ORG}/api/v1/policies/{WANTED}?expand=rules", WANTED),
        ("https://acme.okta.com:8443/api/v1/policies/rst1", "rst1"),
        (..., None),
        (None, None),
        ("", None),
        (42, None),
    ],
)
def test_assigned_policy_id(href: Any, expected: str | None) -> None:
    assert assigned_policy_id(app(href)) == expected


@pytest.mark.parametrize(
    "observed", [{}, {"_links": None}, {"_links": {"accessPolicy": "x"}}, {"_links": []}]
)
def test_assigned_policy_id_of_odd_json_is_none(observed: dict[str, Any]) -> None:
    assert assigned_policy_id(observed) is None


def test_needs_assignment() -> None:
    assert needs_assignment(None, app()) is False  # the spec names none: an admin's choice stays
    assert needs_assignment(None, None) is False
    assert needs_assignment(WANTED, None) is True  # an app to create
    assert needs_assignment(WANTED, app()) is False
    assert needs_assignment(WANTED, app(f"{ORG}/api/v1/policies/rstOTHER")) is True
    assert needs_assignment(WANTED, app(...)) is True


def test_policy_refusals() -> None:
    assert policy_refusal(WANTED, {"id": WANTED, "type": "ACCESS_POLICY", "name": "IT"}) is None
    missing = policy_refusal(WANTED, None)
    assert missing is not None and missing.startswith(
        f"spec.okta.signInPolicyId names {WANTED}, but Okta has no"
    )
    assert "Nothing was written to Okta" in missing
    wrong = policy_refusal(WANTED, {"id": WANTED, "type": "OKTA_SIGN_ON", "name": "Default Policy"})
    assert wrong == (
        f"spec.okta.signInPolicyId names {WANTED} ('Default Policy'), a OKTA_SIGN_ON policy, not an app "
        "sign-in policy (ACCESS_POLICY); nothing was written to Okta"
    )
    typeless = policy_refusal(WANTED, {"id": WANTED})
    assert typeless is not None and "a typeless policy" in typeless


def test_messages() -> None:
    assert "only in Okta Identity Engine orgs" in unsupported_message(WANTED, "OutSystems Consoles", "0oa1")
    assert assigned_message(WANTED, "IT", "OutSystems Consoles", "0oa1", "rstOLD") == (
        f"Okta app 'OutSystems Consoles' (0oa1) now uses app sign-in policy 'IT' ({WANTED}), "
        "instead of rstOLD"
    )
    assert (
        assigned_message(WANTED, None, "X", "0oa2", None)
        == f"Okta app 'X' (0oa2) now uses app sign-in policy {WANTED}"
    )
