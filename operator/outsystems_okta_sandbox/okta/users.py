"""The sandbox's people: users who sign in, and the groups they belong to.

Okta puts every user in the built-in `Everyone` group ("All users in your organization"), so
membership of Everyone is implied and never stored. A user reaches an app through a group assigned
to that app (the sandbox has no direct user assignment), which is what Okta checks before it lets
anyone sign in: "User is not assigned to the client application."
(https://github.com/tailscale/tailscale/issues/3334 shows Okta's `access_denied` redirect with it).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from . import ids
from .errors import ValidationErrors

USER_PREFIX = "00u"
# Okta's login is an email-like username (`user@example.com`); the sandbox only needs it unique.
_LOGIN = re.compile(r"^[^\s@]+@[^\s@]+$")


@dataclass(frozen=True)
class SeedUser:
    """A user the sandbox starts with (kept across resets, like the seeded groups)."""

    login: str
    groups: Sequence[str] = ()
    email: str | None = None
    first_name: str | None = None
    last_name: str | None = None


@dataclass
class UserRecord:
    id: str
    login: str
    email: str
    first_name: str
    last_name: str
    created: str
    status: str = "ACTIVE"
    group_ids: list[str] = field(default_factory=list)

    @property
    def name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()


def new_user_id() -> str:
    return ids.okta_id(USER_PREFIX)


def check_user_fields(login: Any, email: Any, first_name: Any, last_name: Any) -> None:
    """E0000001 for the profile fields Okta requires to be well-formed (login and email)."""
    errors = ValidationErrors()
    if not isinstance(login, str) or not login.strip():
        errors.blank("login")
    elif not _LOGIN.match(login):
        errors.add("login", "Username must be in the form of an email address")
    if email is not None and (not isinstance(email, str) or not _LOGIN.match(email)):
        errors.add("email", "Does not match required pattern")
    for key, value in (("firstName", first_name), ("lastName", last_name)):
        if value is not None and not isinstance(value, str):
            errors.add(key, "must be a string")
    errors.raise_if_any()


def default_names(login: str) -> tuple[str, str]:
    """`jane.doe@example.com` → ("Jane", "Doe"), so every seeded user has a displayable `name`."""
    local = login.split("@", 1)[0]
    parts = [part for part in re.split(r"[._-]+", local) if part]
    if not parts:
        return local, ""
    return parts[0].capitalize(), " ".join(part.capitalize() for part in parts[1:])
