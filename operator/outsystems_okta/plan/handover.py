"""The LifeTime handover: what a person types into LifeTime's provider form, in the form's order.

LifeTime has no API for its OpenID Connect provider, so the last step stays manual. One definition of
the form (OutSystems' "Configuring LifeTime authentication": the fields of "Add OpenId Connect
Provider", then Save Changes, then the "Activate OpenID Connect provider" pop-up that asks for the
client secret) feeds both the `LifeTimeHandover` Event and `kubectl osokta lifetime`, so the two can
never disagree.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

from outsystems_okta.plan.lockout import LIFETIME_KEYS

WHERE = "LifeTime > User Management > Authentication Settings > Add OpenId Connect Provider"
CLIENT_ID_TYPE = "Different Client ID for Desktop and Web tools"
CLEAR_PASSWORDS = "Clear all local user's passwords now (Recommended)"


class Action(StrEnum):
    TYPE = "type"  # enter a value in a field
    CHOOSE = "choose"  # pick an option
    CLICK = "click"  # press a button
    TICK = "tick"  # tick a checkbox


@dataclass(frozen=True)
class Step:
    """One thing to do in LifeTime, in order: a field with its Secret key, or a button or checkbox."""

    label: str
    action: Action
    # The Secret key holding the value to type; None for an option or a button.
    key: str | None = None
    # The option to pick (Action.CHOOSE).
    option: str | None = None
    # The value must never be shown unless asked (the client secret).
    secret: bool = False
    # The "Activate OpenID Connect provider" pop-up rather than the form itself.
    dialog: bool = False
    hint: str = ""


HANDOVER: tuple[Step, ...] = (
    Step("Name", Action.TYPE, key="name", hint="any name; a new one for each new provider"),
    Step("Well-known Configuration URL", Action.TYPE, key="metadataUri", hint="then click Test"),
    Step("Client ID Type", Action.CHOOSE, option=CLIENT_ID_TYPE),
    Step("Client ID for Desktop tools", Action.TYPE, key="desktopClientId"),
    Step("Client ID for Web tools", Action.TYPE, key="webClientId"),
    Step("Username Claim", Action.TYPE, key="usernameClaim", hint="Okta needs preferred_username"),
    Step("Scopes", Action.TYPE, key="scopes", hint="openid, email and profile are always on"),
    Step("Save Changes", Action.CLICK),
    Step("Activate", Action.CLICK),
    Step("Client Secret", Action.TYPE, key="webClientSecret", secret=True, dialog=True),
    Step(CLEAR_PASSWORDS, Action.TICK, dialog=True),
    Step("Activate and Log Out", Action.CLICK, dialog=True),
)

# The LifeTime label of each value that LifeTime's provider holds and cannot change in place.
LABEL_OF_KEY = {step.key: step.label for step in HANDOVER if step.key is not None}

MASK = "********"
# Kopf's (and the API server's customary) bound on an Event message.
MAX_EVENT_MESSAGE = 1024


def changed_labels(changed: Sequence[str]) -> tuple[str, ...]:
    """The LifeTime fields of changed Secret keys, in the form's order."""
    return tuple(step.label for step in HANDOVER if step.key is not None and step.key in changed)


def handover_due(before: Mapping[str, str], changes: Sequence[str], *, recorded: bool) -> bool:
    """Whether to post the handover: LifeTime's values changed, or this is the Secret's first write.

    First means no LifeTime value in the Secret and none recorded in status (status.secretName): a
    Secret someone deleted and the operator put back, or a status write lost after the Secret was
    written, holds the values LifeTime already has, so they need no second handover.
    """
    return bool(changes) or (not recorded and not any(before.get(key) for key in LIFETIME_KEYS))


def _instruction(step: Step) -> str:
    if step.action is Action.CHOOSE:
        return f"{step.label} = {step.option}"
    if step.action is Action.TYPE:
        hint = " (click Test)" if step.key == "metadataUri" else ""
        return f"{step.label} = {step.key}{hint}"
    if step.action is Action.TICK:
        return f"tick '{step.label}'"
    return step.label


def handover_message(*, resource: str, namespace: str, secret_name: str, changed: Sequence[str] = ()) -> str:
    """The `LifeTimeHandover` Event: which LifeTime fields take which Secret key, in the form's order.

    It names Secret keys, never values (one of them is the client secret), so it fits an Event's 1024
    characters whatever the values are. `changed` empty: the first values LifeTime needs.
    """
    form = "; ".join(_instruction(s) for s in HANDOVER if not s.dialog and s.action is not Action.CLICK)
    clicks = [s for s in HANDOVER if s.action is Action.CLICK or s.dialog]
    then = ", ".join(_instruction(s) for s in clicks)
    if changed:
        head = (
            f"LifeTime needs new values ({', '.join(changed_labels(changed))}) from Secret {secret_name!r}: "
            "it cannot edit an active provider, so add a new one."
        )
    else:
        head = f"LifeTime's provider values are in Secret {secret_name!r}."
    body = f"{head} In {WHERE}, set in order: {form}. Then {then}."
    command = f"{body} `kubectl osokta lifetime {resource} -n {namespace}` prints the values."
    # Kopf cuts a longer Event message in its middle, which would lose the form's order.
    return command if len(command) <= MAX_EVENT_MESSAGE else f"{body} `kubectl osokta lifetime` prints them."
