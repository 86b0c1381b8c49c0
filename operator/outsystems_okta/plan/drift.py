"""Drift you can see: what differs between Okta and the spec, and what a pass restored. Pure.

- `drift_items`: the differences a read-only pass (managementPolicy Observe, or a paused resource)
  found, from the same survey records `outsystems-okta plan --live` prints, so both say the same.
- `synced`: the Synced condition for them.
- `corrections`: which of a Manage pass's writes count as drift corrections. Only a pass at the
  generation that was already Ready counts: then the spec did not change, so every write put back
  something someone changed in Okta. A pass after a spec change writes because of the spec.

Values are shown as JSON, cut to a bounded length; a field holding a secret is never shown (Okta
does not return one with an app, and the planned fields hold none: this is a second guard).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from outsystems_okta.api.status import MAX_DRIFT_ITEMS, MAX_DRIFT_VALUE
from outsystems_okta.blueprint import MARKER_KEY
from outsystems_okta.plan.access_policies import PolicyView, RuleView
from outsystems_okta.plan.conditions import READY, Reason
from outsystems_okta.plan.managed_policy import DesiredPolicy, DesiredRule, needs_activation, rule_drift
from outsystems_okta.plan.preview import Action, AppPreview

# Field names of drift and corrections beside the apps' own dotted Okta fields.
APP = "app"
STATUS = "status"
GROUPS = "groups"
SIGN_IN_POLICY = "signInPolicy"
# The access policy kept under accessPolicy Manage, as the "app" of its drift and corrections.
ACCESS_POLICY = "accessPolicy"
# The ownership marker is the operator's bookkeeping, not the spec: Observe never writes it, so an
# adopted app would always "differ" there.
_NOT_DRIFT = frozenset({f"profile.{MARKER_KEY}"})

IN_SYNC = "InSync"
DRIFTED = "Drifted"


@dataclass(frozen=True)
class DriftItem:
    app: str
    field: str
    wanted: str
    found: str

    def as_status(self) -> dict[str, str]:
        return {"app": self.app, "field": self.field, "wanted": self.wanted, "found": self.found}


def shown(value: Any) -> str:
    """A value as status.drift shows it: JSON (a string as itself), at most MAX_DRIFT_VALUE characters."""
    text = (
        "(none)" if value is None else value if isinstance(value, str) else json.dumps(value, sort_keys=True)
    )
    if len(text) > MAX_DRIFT_VALUE:
        text = text[: MAX_DRIFT_VALUE - 3] + "..."
    return text


def _secret_field(name: str) -> bool:
    return "secret" in name.lower()


def app_drift(app: AppPreview) -> list[DriftItem]:
    """The differences of one app, in the order the plan lists them (stable from pass to pass)."""
    role = app.role
    if app.action is Action.REFUSED:
        return [DriftItem(role, APP, "present", shown(f"{app.reason}: {app.refusal}"))]
    if app.action is Action.CREATE:
        return [DriftItem(role, APP, "present", "absent")]
    items = [
        DriftItem(role, change.name, shown(change.after), shown(change.before))
        for change in app.changes
        if change.name not in _NOT_DRIFT and not _secret_field(change.name)
    ]
    if app.activate:
        items.append(DriftItem(role, STATUS, "ACTIVE", "INACTIVE"))
    if app.sign_in_policy is not None:
        items.append(
            DriftItem(role, SIGN_IN_POLICY, shown(app.sign_in_policy.after), shown(app.sign_in_policy.before))
        )
    items += [DriftItem(role, GROUPS, f"{group} assigned", "not assigned") for group in app.assign]
    items += [DriftItem(role, GROUPS, "not assigned", f"{group} assigned") for group in app.unassign]
    return items


def _listed(values: Iterable[str]) -> str:
    return shown(sorted(values))


def _people(rule: RuleView) -> str:
    people: dict[str, list[str]] = {"groups.include": sorted(rule.groups_include)}
    for key, values in (
        ("groups.exclude", rule.groups_exclude),
        ("users.include", rule.users_include),
        ("users.exclude", rule.users_exclude),
    ):
        if values:
            people[key] = sorted(values)
    return shown(people)


def access_policy_drift(
    policy: PolicyView | None,
    want: DesiredPolicy,
    rule: RuleView | None,
    want_rule: DesiredRule | None,
) -> list[DriftItem]:
    """How the access policy the operator keeps (accessPolicy Manage) differs, field by field.

    The fields are those a Manage pass restores (plan/managed_policy.py); priority and the rule's
    token lifetimes are not kept, so not drift. `want_rule` None: no group resolved yet, no rule wanted.
    """
    if policy is None:
        return [DriftItem(ACCESS_POLICY, "policy", shown(want.name), "absent")]
    items: list[DriftItem] = []
    if policy.name != want.name:
        items.append(DriftItem(ACCESS_POLICY, "name", shown(want.name), shown(policy.name)))
    if policy.description != want.description:
        items.append(
            DriftItem(ACCESS_POLICY, "description", shown(want.description), shown(policy.description))
        )
    if set(policy.clients) != set(want.clients):
        items.append(DriftItem(ACCESS_POLICY, "clients", _listed(want.clients), _listed(policy.clients)))
    if needs_activation(policy.status):
        items.append(DriftItem(ACCESS_POLICY, STATUS, "ACTIVE", shown(policy.status)))
    if want_rule is None:
        return items
    if rule is None:
        return [*items, DriftItem(ACCESS_POLICY, "rule", shown(want_rule.name), "absent")]
    wanted_people = _people(
        RuleView(id="", name="", status="", priority=0, groups_include=want_rule.groups_include)
    )
    values = {
        "name": (shown(want_rule.name), shown(rule.name)),
        "grant types": (_listed(want_rule.grant_types), _listed(rule.grant_types)),
        "scopes": (_listed(want_rule.scopes), _listed(rule.scopes)),
        "people": (wanted_people, _people(rule)),
    }
    for name in rule_drift(rule, want_rule):
        wanted, found = values[name]
        items.append(DriftItem(ACCESS_POLICY, f"rule.{name}", wanted, found))
    if needs_activation(rule.status):
        items.append(DriftItem(ACCESS_POLICY, f"rule.{STATUS}", "ACTIVE", shown(rule.status)))
    return items


def drift_items(apps: Iterable[AppPreview]) -> list[DriftItem]:
    return [item for app in apps for item in app_drift(app)]


def status_drift(items: Sequence[DriftItem]) -> list[dict[str, str]]:
    """status.drift: the first MAX_DRIFT_ITEMS differences (Synced's message gives the count)."""
    return [item.as_status() for item in items[:MAX_DRIFT_ITEMS]]


def synced(items: Sequence[DriftItem]) -> tuple[bool, str, str]:
    """Synced (status, reason, message) for the differences found."""
    if not items:
        return True, IN_SYNC, "Okta matches the spec"
    fields = list(dict.fromkeys(f"{item.app}/{item.field}" for item in items))
    shown_fields = ", ".join(fields[:10]) + (f" and {len(fields) - 10} more" if len(fields) > 10 else "")
    return (
        False,
        DRIFTED,
        f"{len(items)} difference(s) between Okta and the spec (status.drift): {shown_fields}",
    )


def corrections_count(previous_ready: Mapping[str, Any] | None, generation: int | None) -> bool:
    """Whether this pass's writes are drift corrections: the last pass was Ready for this very generation."""
    if previous_ready is None or previous_ready.get("type", READY) != READY:
        return False
    return (
        previous_ready.get("status") == "True"
        # Reconciled, not Observed: Observe wrote nothing, so it proves nothing about Okta matching.
        and previous_ready.get("reason") == Reason.RECONCILED.value
        and previous_ready.get("observedGeneration") == generation
    )


def correction_fields(restored: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
    """(app, field) pairs restored in a pass, each once, in the order written."""
    return list(dict.fromkeys((app, field) for app, field in restored if not _secret_field(field)))


def correction_message(fields: Sequence[tuple[str, str]]) -> str:
    names = ", ".join(f"{app}/{field}" for app, field in fields)
    return f"Restored what was changed in Okta (the spec did not change): {names}"


def last_correction(fields: Sequence[tuple[str, str]], generation: int | None, now: str) -> dict[str, Any]:
    return {
        "time": now,
        "generation": generation,
        "fields": [f"{app}/{field}" for app, field in fields][:MAX_DRIFT_ITEMS],
    }
