"""plan/duplicates.py: which of several apps with our marker is ours, which may be deleted, and when a
pass looks for a late twin of the app it tracks."""

from __future__ import annotations

from typing import Any

import pytest

from outsystems_okta.blueprint import Owner, ownership_marker
from outsystems_okta.blueprint.ownership import MARKER_KEY
from outsystems_okta.plan.duplicates import (
    LATE_CREATE_WINDOW,
    Settlement,
    handed_ids,
    may_have_late_twin,
    settle,
)

OWNER = Owner(namespace="outsystems", name="factory", uid="3f1c0e7a-0000-4000-8000-000000000001")
OTHER = Owner(namespace="outsystems", name="other", uid="ffffffff-0000-4000-8000-000000000002")
ROLES = ("consoles", "developmentTools")


def app(
    app_id: str,
    created: str,
    *,
    owner: Owner = OWNER,
    role: str = "consoles",
    status: str = "ACTIVE",
    client_id: str | None = None,
    marker: dict[str, Any] | None = None,
) -> dict[str, Any]:
    return {
        "id": app_id,
        "label": "OutSystems Consoles",
        "status": status,
        "created": created,
        "credentials": {"oauthClient": {"client_id": client_id or app_id}},
        "profile": {MARKER_KEY: marker if marker is not None else ownership_marker(owner, role)},
    }


OLD = app("0oaOld", "2026-01-01T10:00:00.000Z")
NEW = app("0oaNew", "2026-01-01T10:00:05.000Z")


def ids(settlement: Settlement) -> tuple[str | None, tuple[str, ...], tuple[str, ...]]:
    keep = None if settlement.keep is None else str(settlement.keep["id"])
    return keep, settlement.remove, settlement.leave


# --- settle -----------------------------------------------------------------------------------------


def test_no_marked_app_keeps_nothing() -> None:
    assert ids(settle([], OWNER, "consoles", tracked_id=None, handed=set())) == (None, (), ())
    foreign = app("0oaF", "2026-01-01T00:00:00.000Z", owner=OTHER)
    assert ids(settle([foreign], OWNER, "consoles", tracked_id=None, handed=set())) == (None, (), ())


def test_a_single_app_is_kept_and_nothing_removed() -> None:
    assert ids(settle([OLD], OWNER, "consoles", tracked_id=None, handed=set())) == ("0oaOld", (), ())


def test_the_tracked_app_is_kept_and_a_late_older_twin_removed() -> None:
    # The lost create landed first (older), the next pass's create is what status tracks.
    handed = {"0oaNew"}
    settlement = settle([OLD, NEW], OWNER, "consoles", tracked_id="0oaNew", handed=handed)
    assert ids(settlement) == ("0oaNew", ("0oaOld",), ())


def test_without_status_the_app_the_secret_names_is_kept() -> None:
    handed = {"0oaNew"}  # the Secret's webClientId (the status write was lost)
    settlement = settle([OLD, NEW], OWNER, "consoles", tracked_id=None, handed=handed)
    assert ids(settlement) == ("0oaNew", ("0oaOld",), ())


def test_a_client_id_other_than_the_app_id_counts_as_handed() -> None:
    custom = app("0oaNew", "2026-01-01T10:00:05.000Z", client_id="lifetime-client")
    settlement = settle([OLD, custom], OWNER, "consoles", tracked_id=None, handed={"lifetime-client"})
    assert ids(settlement) == ("0oaNew", ("0oaOld",), ())


def test_with_nothing_handed_the_oldest_is_kept_and_the_others_removed() -> None:
    third = app("0oaThird", "2026-01-01T10:00:09.000Z")
    settlement = settle([third, NEW, OLD], OWNER, "consoles", tracked_id=None, handed=set())
    assert ids(settlement) == ("0oaOld", ("0oaNew", "0oaThird"), ())


def test_an_app_lifetime_was_handed_is_never_removed() -> None:
    # Status tracks one app, the Secret names the other (a person must look): both stay.
    settlement = settle([OLD, NEW], OWNER, "consoles", tracked_id="0oaNew", handed={"0oaNew", "0oaOld"})
    assert ids(settlement) == ("0oaNew", (), ("0oaOld",))


def test_apps_of_another_resource_or_role_are_neither_kept_nor_removed() -> None:
    apps = [
        app("0oaF", "2026-01-01T00:00:00.000Z", owner=OTHER),
        app("0oaT", "2026-01-01T00:00:01.000Z", role="developmentTools"),
        OLD,
        NEW,
    ]
    settlement = settle(apps, OWNER, "consoles", tracked_id="0oaOld", handed={"0oaOld"})
    assert ids(settlement) == ("0oaOld", ("0oaNew",), ())


@pytest.mark.parametrize(
    "marker",
    [
        {"managedBy": "someone-else", "uid": OWNER.uid, "role": "consoles"},
        {"managedBy": "outsystems-okta-operator", "role": "consoles"},  # no uid
        {"managedBy": "outsystems-okta-operator", "uid": OWNER.uid},  # no role
    ],
)
def test_a_partial_marker_is_not_ours_so_never_removed(marker: dict[str, Any]) -> None:
    partial = app("0oaP", "2026-01-01T00:00:00.000Z", marker=marker)
    settlement = settle([partial, NEW], OWNER, "consoles", tracked_id="0oaNew", handed={"0oaNew"})
    assert ids(settlement) == ("0oaNew", (), ())


def test_deleted_apps_are_ignored() -> None:
    gone = app("0oaGone", "2026-01-01T00:00:00.000Z", status="DELETED")
    settlement = settle([gone, NEW], OWNER, "consoles", tracked_id="0oaNew", handed={"0oaNew"})
    assert ids(settlement) == ("0oaNew", (), ())


def test_an_inactive_twin_is_still_removed() -> None:
    # A deactivate that went through before a failed delete: the next pass finishes the job.
    inactive = app("0oaOld", "2026-01-01T10:00:00.000Z", status="INACTIVE")
    settlement = settle([inactive, NEW], OWNER, "consoles", tracked_id="0oaNew", handed={"0oaNew"})
    assert ids(settlement) == ("0oaNew", ("0oaOld",), ())


def test_the_kept_app_is_a_copy() -> None:
    settlement = settle([OLD], OWNER, "consoles", tracked_id=None, handed=set())
    assert settlement.keep is not None
    settlement.keep["label"] = "changed"
    assert OLD["label"] == "OutSystems Consoles"


# --- handed_ids --------------------------------------------------------------------------------------


def test_handed_ids_are_status_ids_and_the_secrets_client_ids() -> None:
    status = {
        "consoles": {"appId": "0oaC", "clientId": "client-c"},
        "developmentTools": {"appId": "0oaT"},
        "metadataUri": "https://acme.okta.com/...",
    }
    data = {"webClientId": "client-w", "desktopClientId": "client-d", "webClientSecret": "s3cr3t"}
    assert handed_ids(status, data, ROLES) == {"0oaC", "client-c", "0oaT", "client-w", "client-d"}


def test_handed_ids_of_nothing() -> None:
    assert handed_ids({}, {}, ROLES) == set()
    assert handed_ids({"consoles": "garbage"}, {"webClientId": ""}, ROLES) == set()


# --- may_have_late_twin -----------------------------------------------------------------------------

NOW = "2026-01-01T10:10:00Z"


def test_a_young_app_is_looked_after() -> None:
    assert may_have_late_twin({"created": "2026-01-01T10:00:00.000Z"}, NOW, adopted=False)


def test_an_old_app_costs_no_list() -> None:
    created = "2026-01-01T08:00:00.000Z"
    assert not may_have_late_twin({"created": created}, NOW, adopted=False)


def test_the_window_edge() -> None:
    assert LATE_CREATE_WINDOW == 3600.0
    assert may_have_late_twin({"created": "2026-01-01T09:10:00Z"}, NOW, adopted=False)
    assert not may_have_late_twin({"created": "2026-01-01T09:09:59Z"}, NOW, adopted=False)


def test_an_adopted_app_has_no_twin() -> None:
    assert not may_have_late_twin({"created": "2026-01-01T10:00:00.000Z"}, NOW, adopted=True)


@pytest.mark.parametrize("created", [None, "", "yesterday", 12])
def test_an_unreadable_created_is_looked_after(created: object) -> None:
    assert may_have_late_twin({"created": created}, NOW, adopted=False)


def test_a_created_without_zone_is_utc() -> None:
    assert may_have_late_twin({"created": "2026-01-01T10:00:00"}, NOW, adopted=False)
