"""Never lock LifeTime out: what to say when an app LifeTime relies on is gone, or its values change.

LifeTime's OpenID Connect provider cannot be edited once active; a new client ID or client secret means
adding a new provider by hand. So an app this resource manages that vanished from Okta is not silently
replaced (unless spec.missingAppPolicy says Recreate), and whenever a value LifeTime holds changes in
the Secret, a Warning says what LifeTime needs and how.
"""

from __future__ import annotations

from collections.abc import Mapping

from outsystems_okta.blueprint import AppRole, DesiredApp
from outsystems_okta.plan.adoption import adopt_field, page_name

# Secret keys whose values LifeTime's provider holds and cannot change in place. Client IDs may be
# named in messages; a client secret never is.
LIFETIME_KEYS = ("webClientId", "webClientSecret", "desktopClientId")
_SECRET_KEYS = frozenset({"webClientSecret"})

# The LifeTime field that holds each app's client ID.
_LIFETIME_FIELD = {
    AppRole.CONSOLES: "Client ID for Web tools",
    AppRole.DEVELOPMENT_TOOLS: "Client ID for Desktop tools",
}

HOW_TO_UPDATE_LIFETIME = (
    "As LifeTime cannot edit an active provider, give it the new values by adding a new OpenID Connect "
    "provider (LifeTime > User Management > Authentication Settings) with the values in Secret {secret!r}, "
    "activating it and removing the old one"
)


def missing_app_message(
    desired: DesiredApp, app_id: str, *, adopted: bool, named_by_spec: bool, secret_name: str
) -> str:
    """The OktaAppDeleted message: an app recorded in status that Okta no longer has.

    An adopted app had its own label, which is gone with it: the message then names its role instead.
    """
    field = _LIFETIME_FIELD[AppRole(desired.role)]
    what = f"the {page_name(desired.role)} app" if adopted and not desired.label_set else repr(desired.label)
    head = (
        f"Okta app {app_id} ({what}) is gone from Okta; LifeTime's provider still holds it as "
        f"{field}, so signing in fails until LifeTime is given a new app's client ID. "
    )
    if named_by_spec:
        fix = (
            f"The operator does not replace an app {adopt_field(desired.role)} names: name another app "
            "there, or remove it to let spec.missingAppPolicy: Recreate create one"
        )
    else:
        fix = (
            "The operator did not create a replacement (spec.missingAppPolicy: Stop): set "
            "spec.missingAppPolicy: Recreate to create one, or "
            f"{adopt_field(desired.role)} to adopt another app"
        )
    return head + fix + ". " + HOW_TO_UPDATE_LIFETIME.format(secret=secret_name)


def recreating_message(desired: DesiredApp, app_id: str) -> str:
    return (
        f"Okta app {app_id} ({desired.label!r}) is gone; creating a new one (spec.missingAppPolicy: Recreate)"
    )


def lifetime_changes(before: Mapping[str, str], after: Mapping[str, str]) -> tuple[str, ...]:
    """The LifeTime values the Secret held (non-empty) and now holds differently."""
    return tuple(key for key in LIFETIME_KEYS if before.get(key) and before.get(key) != after.get(key))


def lifetime_update_message(
    secret_name: str, changed: tuple[str, ...], before: Mapping[str, str], after: Mapping[str, str]
) -> str:
    """The Warning when values LifeTime holds changed: which ones (client IDs shown, never a secret)."""
    parts = [
        key if key in _SECRET_KEYS else f"{key} {before.get(key)} -> {after.get(key)}" for key in changed
    ]
    return (
        f"LifeTime must be updated: Secret {secret_name!r} holds a new {', '.join(parts)}. "
        + HOW_TO_UPDATE_LIFETIME.format(secret=secret_name)
    )
