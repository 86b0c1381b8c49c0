"""Access policies and rules of a custom authorization server: records, validation, priorities.

Shapes follow the SPEC (`AuthorizationServerPolicy` l.64426, `AuthorizationServerPolicyRule`
l.64495, `AuthorizationServerPolicyRuleRequest` requires name, conditions, type) and the retired
Authorization Servers API reference (okta-developer-docs
`docs/reference/api/authorization-servers/index.md` @ 789cd023, "Policy properties", "Rule
properties", "Actions object", "Condition properties").

Priorities: "When you create a policy or rule and assign a priority that's already in use, Okta
automatically shifts the existing rule down by one. Okta also shifts those below it down by one" and
"If you don't include a priority value, Okta assumes that you want the rule at the bottom"
(developer.okta.com/docs/guides/policy-rule-prioritization). Authorization-server policies are in
neither column of that guide's v1/v2 table; like every policy whose priorities start at 1, the
sandbox keeps them sequential (1..N, no gaps): a delete closes the gap, a priority past the end
lands at the end. The admin console adds a rule "to the lowest priority of the rules in that
policy" (help.okta.com, Create access policies), the same as an API create without `priority`.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, Protocol, TypeVar

from .errors import ValidationErrors, malformed_body
from .oidc import GRANT_TYPES

POLICY_TYPE = "OAUTH_AUTHORIZATION_POLICY"
RULE_TYPE = "RESOURCE_ACCESS"
ALL_CLIENTS = "ALL_CLIENTS"
EVERYONE = "EVERYONE"
STATUSES = ("ACTIVE", "INACTIVE")
WILDCARD_SCOPE = "*"

# The grants a rule may name: the reference's "Accepted grantTypes: authorization_code,
# interaction_code, password, refresh_token or client_credentials" plus those Terraform's
# okta_auth_server_policy_rule documents (implicit and the Early Access URN grants): every grant an app
# may have but the Auth0-style MFA ones.
RULE_GRANT_TYPES = frozenset(g for g in GRANT_TYPES if not g.startswith("http://auth0.com/"))

# Actions object: "accessTokenLifetimeMinutes: minimum five minutes, maximum one day;
# refreshTokenLifetimeMinutes: minimum access token lifetime; refreshTokenWindowMinutes: minimum
# 10 minutes, maximum of five years" (0 lifetime = unlimited, as in Okta's own default rule).
ACCESS_MINUTES = (5, 1440)
WINDOW_MINUTES = (10, 2_628_000)
DEFAULT_TOKEN_ACTION = {
    "accessTokenLifetimeMinutes": 60,
    "refreshTokenLifetimeMinutes": 0,
    "refreshTokenWindowMinutes": 10080,
}


@dataclass
class RuleRecord:
    id: str
    name: str
    status: str
    priority: int
    system: bool
    created: str
    last_updated: str
    conditions: dict[str, Any]
    actions: dict[str, Any]

    def _list(self, *path: str) -> list[str]:
        node: Any = self.conditions
        for key in path:
            node = node.get(key, {}) if isinstance(node, dict) else {}
        return list(node) if isinstance(node, list) else []

    @property
    def grant_types(self) -> list[str]:
        return self._list("grantTypes", "include")

    @property
    def scopes(self) -> list[str]:
        return self._list("scopes", "include")

    @property
    def users_included(self) -> list[str]:
        return self._list("people", "users", "include")

    @property
    def users_excluded(self) -> list[str]:
        return self._list("people", "users", "exclude")

    @property
    def groups_included(self) -> list[str]:
        return self._list("people", "groups", "include")

    @property
    def groups_excluded(self) -> list[str]:
        return self._list("people", "groups", "exclude")

    def token_minutes(self, key: str) -> int:
        value = self.actions.get("token", {}).get(key, DEFAULT_TOKEN_ACTION[key])
        return int(value)


@dataclass
class PolicyRecord:
    id: str
    name: str
    description: str
    status: str
    priority: int
    system: bool
    created: str
    last_updated: str
    clients: list[str]
    rules: list[RuleRecord] = field(default_factory=list)

    def applies_to(self, client_id: str) -> bool:
        return ALL_CLIENTS in self.clients or client_id in self.clients


class Ordered(Protocol):
    priority: int


OrderedT = TypeVar("OrderedT", bound=Ordered)


def place(items: list[OrderedT], item: OrderedT, priority: int | None) -> None:
    """Put `item` at `priority` (1-based; None = last), shifting the others; renumber 1..N."""
    if item in items:
        items.remove(item)
    index = len(items) if priority is None else min(max(priority, 1), len(items) + 1) - 1
    items.insert(index, item)
    renumber(items)


def renumber(items: list[OrderedT]) -> None:
    for position, item in enumerate(items, start=1):
        item.priority = position


# ---- request bodies -----------------------------------------------------------------------------


@dataclass
class PolicyInput:
    name: str
    description: str
    status: str
    priority: int | None
    clients: list[str]


@dataclass
class RuleInput:
    name: str
    status: str
    priority: int | None
    conditions: dict[str, Any]
    actions: dict[str, Any]


def _object(body: Any) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise malformed_body("The request body must be a JSON object.")
    return body


def _priority(body: dict[str, Any], errors: ValidationErrors) -> int | None:
    value = body.get("priority")
    if value is None:
        return None
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        errors.add("priority", "Priority must be a positive integer")
        return None
    return value


def _status(body: dict[str, Any], errors: ValidationErrors, current: str | None) -> str:
    value = body.get("status", current or "ACTIVE")
    if value not in STATUSES:
        errors.add("status", "Not one of the allowed values (ACTIVE, INACTIVE).")
        return current or "ACTIVE"
    return str(value)


def _strings(value: Any) -> list[str] | None:
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        return None
    return list(dict.fromkeys(value))


def normalize_policy(
    body: Any, *, client_exists: Callable[[str], bool], current_status: str | None = None
) -> PolicyInput:
    """A create/replace body → what the sandbox stores, or 400 E0000001 naming every problem."""
    data = _object(body)
    errors = ValidationErrors()
    kind = data.get("type", POLICY_TYPE)
    if kind != POLICY_TYPE:
        errors.add("type", f"Not one of the allowed values ({POLICY_TYPE}).")
    name = data.get("name")
    if not isinstance(name, str) or not name.strip():
        errors.blank("name")
    elif len(name) > 100:
        errors.add("name", "size must be between 1 and 100")
    # Required for create or update (the reference's Policy properties table; SPEC maxLength 255).
    description = data.get("description")
    if not isinstance(description, str) or not description.strip():
        errors.blank("description")
    elif len(description) > 255:
        errors.add("description", "size must be between 1 and 255")
    status = _status(data, errors, current_status)
    priority = _priority(data, errors)
    conditions = data.get("conditions")
    clients: list[str] = []
    include = conditions.get("clients", {}).get("include") if isinstance(conditions, dict) else None
    parsed = _strings(include) if include is not None else None
    if parsed is None or not parsed:
        errors.add("conditions.clients.include", "At least one client (or ALL_CLIENTS) must be included")
    else:
        clients = parsed
        if ALL_CLIENTS in clients and len(clients) > 1:
            errors.add("conditions.clients.include", "ALL_CLIENTS can't be combined with specific clients")
        for client in clients:
            if client != ALL_CLIENTS and not client_exists(client):
                errors.add("conditions.clients.include", f"Invalid client id: {client}")
    errors.raise_if_any()
    return PolicyInput(str(name), str(description), status, priority, clients)


def normalize_rule(
    body: Any,
    *,
    group_exists: Callable[[str], bool],
    user_exists: Callable[[str], bool],
    scopes: Iterable[str],
    current: RuleRecord | None = None,
) -> RuleInput:
    """A create/replace body → conditions and actions as Okta returns them, or 400 E0000001."""
    data = _object(body)
    errors = ValidationErrors()
    kind = data.get("type")
    if kind is None and current is None:
        errors.blank("type")  # SPEC AuthorizationServerPolicyRuleRequest: required name, conditions, type
    elif kind is not None and kind != RULE_TYPE:
        errors.add("type", f"Not one of the allowed values ({RULE_TYPE}).")
    name = data.get("name")
    if not isinstance(name, str) or not name.strip():
        errors.blank("name")
    status = _status(data, errors, current.status if current else None)
    priority = _priority(data, errors)

    raw = data.get("conditions")
    if raw is None and current is not None:
        conditions = copy.deepcopy(current.conditions)  # "Required for update: False"
    elif not isinstance(raw, dict):
        errors.blank("conditions")
        conditions = {}
    else:
        conditions = _conditions(raw, errors, group_exists, user_exists, set(scopes))
    actions = _actions(data.get("actions"), errors)
    errors.raise_if_any()
    return RuleInput(str(name), status, priority, conditions, actions)


def _include_exclude(
    node: Any, where: str, errors: ValidationErrors, exists: Callable[[str], bool], special: str | None
) -> dict[str, list[str]]:
    result: dict[str, list[str]] = {"include": [], "exclude": []}
    if node is None:
        return result
    if not isinstance(node, dict):
        errors.add(where, "must be an object with include and exclude lists")
        return result
    for key in ("include", "exclude"):
        if node.get(key) is None:
            continue
        values = _strings(node[key])
        if values is None:
            errors.add(f"{where}.{key}", "must be a list of ids")
            continue
        for value in values:
            if value != special and not exists(value):
                errors.add(f"{where}.{key}", f"Invalid id: {value}")
        result[key] = values
    return result


def _conditions(
    raw: dict[str, Any],
    errors: ValidationErrors,
    group_exists: Callable[[str], bool],
    user_exists: Callable[[str], bool],
    known_scopes: set[str],
) -> dict[str, Any]:
    people = raw.get("people") or {}
    if not isinstance(people, dict):
        errors.add("conditions.people", "must be an object")
        people = {}
    users = _include_exclude(people.get("users"), "conditions.people.users", errors, user_exists, None)
    groups = _include_exclude(
        people.get("groups"), "conditions.people.groups", errors, group_exists, EVERYONE
    )
    grants = _strings((raw.get("grantTypes") or {}).get("include"))
    if not grants:
        errors.add("conditions.grantTypes.include", "At least one grant type must be included")
        grants = []
    for grant in grants:
        if grant not in RULE_GRANT_TYPES:
            errors.add("conditions.grantTypes.include", f"Invalid grant type: {grant}")
    scopes = _strings((raw.get("scopes") or {}).get("include"))
    if not scopes:
        errors.add("conditions.scopes.include", "At least one scope (or *) must be included")
        scopes = []
    for scope in scopes:
        if scope != WILDCARD_SCOPE and scope not in known_scopes:
            errors.add("conditions.scopes.include", f"Invalid scope: {scope}")
    return {
        "people": {"users": users, "groups": groups},
        "grantTypes": {"include": grants},
        "scopes": {"include": scopes},
    }


def _minutes(token: dict[str, Any], key: str, errors: ValidationErrors) -> int:
    value = token.get(key, DEFAULT_TOKEN_ACTION[key])
    if not isinstance(value, int) or isinstance(value, bool):
        errors.add(f"actions.token.{key}", "must be an integer")
        return DEFAULT_TOKEN_ACTION[key]
    return value


def _actions(raw: Any, errors: ValidationErrors) -> dict[str, Any]:
    if raw is None:
        raw = {}
    if not isinstance(raw, dict) or not isinstance(raw.get("token", {}), dict):
        errors.add("actions", "must be an object")
        return {"token": dict(DEFAULT_TOKEN_ACTION)}
    token = raw.get("token", {})
    access = _minutes(token, "accessTokenLifetimeMinutes", errors)
    refresh = _minutes(token, "refreshTokenLifetimeMinutes", errors)
    window = _minutes(token, "refreshTokenWindowMinutes", errors)
    if not ACCESS_MINUTES[0] <= access <= ACCESS_MINUTES[1]:
        errors.add("actions.token.accessTokenLifetimeMinutes", "must be between 5 and 1440 minutes")
    if refresh != 0 and refresh < access:
        errors.add("actions.token.refreshTokenLifetimeMinutes", "must be at least the access token lifetime")
    if not WINDOW_MINUTES[0] <= window <= WINDOW_MINUTES[1]:
        errors.add("actions.token.refreshTokenWindowMinutes", "must be between 10 and 2628000 minutes")
    elif refresh != 0 and window > refresh:
        errors.add("actions.token.refreshTokenWindowMinutes", "must not exceed the refresh token lifetime")
    action: dict[str, Any] = {
        "accessTokenLifetimeMinutes": access,
        "refreshTokenLifetimeMinutes": refresh,
        "refreshTokenWindowMinutes": window,
    }
    hook = token.get("inlineHook")
    if isinstance(hook, dict) and isinstance(hook.get("id"), str):
        action["inlineHook"] = {"id": hook["id"]}
    return {"token": action}
