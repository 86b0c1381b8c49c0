"""Which of an app's client secrets goes to LifeTime: the one it has while ACTIVE, else the newest."""

from __future__ import annotations

from typing import Any

import pytest

from outsystems_okta.plan.client_secret import SecretChoice, choose_client_secret

OLD = "old-secret-value-0123456789abcdef"
NEW = "new-secret-value-0123456789abcdef"


def secret(
    secret_id: str, value: str | None, status: str = "ACTIVE", created: str = "2030-01-01T00:00:00.000Z"
) -> dict[str, Any]:
    item: dict[str, Any] = {"id": secret_id, "status": status, "created": created, "secret_hash": "h"}
    if value is not None:
        item["client_secret"] = value
    return item


OLDER = secret("ocsOLD", OLD, created="2030-01-01T00:00:00.000Z")
NEWER = secret("ocsNEW", NEW, created="2030-06-01T00:00:00.000Z")


@pytest.mark.parametrize(
    "listed",
    [[], [secret("ocs1", OLD, status="INACTIVE")], [secret("ocs1", None)], [secret("ocs1", "")]],
    ids=["none", "inactive-only", "no-value", "empty-value"],
)
def test_no_active_secret_with_a_value_is_no_choice(listed: list[dict[str, Any]]) -> None:
    assert choose_client_secret(listed, kept=None) is None


def test_the_only_active_secret() -> None:
    assert choose_client_secret([OLDER, secret("ocsX", NEW, status="INACTIVE")], kept=None) == SecretChoice(
        OLD, "ocsOLD", 1
    )


@pytest.mark.parametrize(
    "order", [[OLDER, NEWER], [NEWER, OLDER]], ids=["listed-old-first", "listed-new-first"]
)
def test_of_two_active_secrets_the_newest_wins(order: list[dict[str, Any]]) -> None:
    assert choose_client_secret(order, kept=None) == SecretChoice(NEW, "ocsNEW", 2)


def test_the_secret_lifetime_already_has_is_kept_while_active() -> None:
    assert choose_client_secret([OLDER, NEWER], kept=OLD) == SecretChoice(OLD, "ocsOLD", 2)


def test_a_kept_secret_no_longer_active_gives_way_to_the_newest() -> None:
    inactive_old = secret("ocsOLD", OLD, status="INACTIVE")
    assert choose_client_secret([inactive_old, NEWER], kept=OLD) == SecretChoice(NEW, "ocsNEW", 1)


def test_a_kept_value_okta_does_not_know_gives_way_to_the_newest() -> None:
    assert choose_client_secret([OLDER, NEWER], kept="something-else") == SecretChoice(NEW, "ocsNEW", 2)


def test_same_creation_time_is_decided_by_id_not_by_listing_order() -> None:
    a = secret("ocsA", OLD, created="2030-01-01T00:00:00.000Z")
    b = secret("ocsB", NEW, created="2030-01-01T00:00:00.000Z")
    assert choose_client_secret([a, b], kept=None) == choose_client_secret([b, a], kept=None)


def test_the_repr_never_shows_the_value() -> None:
    choice = choose_client_secret([OLDER], kept=None)
    assert choice is not None
    assert OLD not in repr(choice) and "ocsOLD" in repr(choice)
