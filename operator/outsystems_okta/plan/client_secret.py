"""Which of an app's client secrets goes to LifeTime.

Okta lets an app hold two secrets (rotation: add a new one, move the clients, deactivate the old one).
The one LifeTime already has is kept while it is ACTIVE, so a second secret added in Okta causes no
churn. Otherwise the newest ACTIVE secret wins: in a rotation it is the one that survives when the old
one is deactivated.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class SecretChoice:
    value: str
    secret_id: str | None
    active: int  # how many ACTIVE secrets the app has

    def __repr__(self) -> str:  # the value must never reach a log through a repr
        return f"SecretChoice(secret_id={self.secret_id!r}, active={self.active})"


def choose_client_secret(listed: Sequence[Mapping[str, Any]], *, kept: str | None) -> SecretChoice | None:
    """The secret for LifeTime among `GET .../credentials/secrets`, or None when none is ACTIVE.

    `kept` is the value the Secret holds for this very client ID (None when it holds none).
    """
    active = [s for s in listed if s.get("status") == "ACTIVE" and s.get("client_secret")]
    if not active:
        return None
    chosen = next((s for s in active if kept is not None and s["client_secret"] == kept), None)
    if chosen is None:
        chosen = max(active, key=lambda s: (str(s.get("created", "")), str(s.get("id", ""))))
    secret_id = chosen.get("id")
    return SecretChoice(
        value=str(chosen["client_secret"]),
        secret_id=str(secret_id) if secret_id else None,
        active=len(active),
    )
