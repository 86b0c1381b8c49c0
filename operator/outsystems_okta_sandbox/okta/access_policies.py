"""One authorization server's access policies and their rules: the CRUD and lifecycle operations of
`/api/v1/authorizationServers/{authServerId}/policies[/{policyId}[/rules[/{ruleId}]]]`.

Validation and priority placement live in `policies.py`; what exists elsewhere in the org (apps'
client ids, groups, users) is asked through the `Directory` the store is given.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from . import ids
from .errors import not_found
from .policies import (
    ALL_CLIENTS,
    DEFAULT_TOKEN_ACTION,
    EVERYONE,
    POLICY_TYPE,
    RULE_TYPE,
    PolicyRecord,
    RuleRecord,
    normalize_policy,
    normalize_rule,
    place,
    renumber,
)

POLICY_PREFIX = "00p"
RULE_PREFIX = "0pr"

# The scopes every custom authorization server has (the OIDC reserved scopes plus device_sso, as
# its discovery document lists them); the sandbox has no custom-scope API.
SERVER_SCOPES = ("openid", "profile", "email", "address", "phone", "offline_access", "device_sso")


class Directory(Protocol):
    def client_exists(self, client_id: str) -> bool: ...
    def group_exists(self, group_id: str) -> bool: ...
    def user_exists(self, user_id: str) -> bool: ...


@dataclass(frozen=True)
class SeededPolicy:
    """What a new org's `default` server ships with: "a basic access policy and rule, which you can
    edit" (API reference, Working with the Default Authorization Server). Names, clients, people,
    grants, scopes and token lifetimes are the reference's own `default` server rule object
    (self link `/authorizationServers/default/policies/.../rules/...`) and the SPEC examples
    `AuthorizationServerPolicyRule` (l.33533) and `CreateAuthorizationServerPolicyRequest`."""

    policy: dict[str, Any]
    rule: dict[str, Any]


DEFAULT_SERVER_POLICY = SeededPolicy(
    policy={
        "type": POLICY_TYPE,
        "name": "Default Policy",
        "description": "Default policy description",
        "status": "ACTIVE",
        "priority": 1,
        "conditions": {"clients": {"include": [ALL_CLIENTS]}},
    },
    rule={
        "type": RULE_TYPE,
        "name": "Default Policy Rule",
        "status": "ACTIVE",
        "priority": 1,
        "conditions": {
            "people": {"users": {"include": [], "exclude": []}, "groups": {"include": [EVERYONE]}},
            "grantTypes": {"include": ["implicit", "client_credentials", "authorization_code", "password"]},
            "scopes": {"include": ["*"]},
        },
        "actions": {"token": dict(DEFAULT_TOKEN_ACTION)},
    },
)


class PolicyStore:
    def __init__(self, server_id: str, directory: Directory) -> None:
        self.server_id = server_id
        self._directory = directory
        self.policies: list[PolicyRecord] = []  # in priority order

    # ---- policies -------------------------------------------------------------------------------

    def all(self) -> list[PolicyRecord]:
        return list(self.policies)

    def get(self, policy_id: str) -> PolicyRecord:
        for policy in self.policies:
            if policy.id == policy_id:
                return policy
        raise not_found(policy_id, "AuthorizationServerPolicy")

    def create(self, body: Any) -> PolicyRecord:
        data = normalize_policy(body, client_exists=self._directory.client_exists)
        now = ids.timestamp()
        policy = PolicyRecord(
            id=ids.okta_id(POLICY_PREFIX),
            name=data.name,
            description=data.description,
            status=data.status,
            priority=0,
            system=False,
            created=now,
            last_updated=now,
            clients=data.clients,
        )
        place(self.policies, policy, data.priority)
        return policy

    def replace(self, policy_id: str, body: Any) -> PolicyRecord:
        policy = self.get(policy_id)
        data = normalize_policy(
            body, client_exists=self._directory.client_exists, current_status=policy.status
        )
        policy.name, policy.description = data.name, data.description
        policy.status, policy.clients = data.status, data.clients
        policy.last_updated = ids.timestamp()
        if data.priority is not None:
            place(self.policies, policy, data.priority)
        return policy

    def delete(self, policy_id: str) -> None:
        self.policies.remove(self.get(policy_id))
        renumber(self.policies)

    def set_status(self, policy_id: str, status: str) -> None:
        policy = self.get(policy_id)
        if policy.status != status:
            policy.status = status
            policy.last_updated = ids.timestamp()

    # ---- rules ----------------------------------------------------------------------------------

    def get_rule(self, policy_id: str, rule_id: str) -> RuleRecord:
        for rule in self.get(policy_id).rules:
            if rule.id == rule_id:
                return rule
        raise not_found(rule_id, "AuthorizationServerPolicyRule")

    def create_rule(self, policy_id: str, body: Any) -> RuleRecord:
        policy = self.get(policy_id)
        data = normalize_rule(
            body,
            group_exists=self._directory.group_exists,
            user_exists=self._directory.user_exists,
            scopes=SERVER_SCOPES,
        )
        now = ids.timestamp()
        rule = RuleRecord(
            id=ids.okta_id(RULE_PREFIX),
            name=data.name,
            status=data.status,
            priority=0,
            system=False,
            created=now,
            last_updated=now,
            conditions=data.conditions,
            actions=data.actions,
        )
        place(policy.rules, rule, data.priority)
        return rule

    def replace_rule(self, policy_id: str, rule_id: str, body: Any) -> RuleRecord:
        policy = self.get(policy_id)
        rule = self.get_rule(policy_id, rule_id)
        data = normalize_rule(
            body,
            group_exists=self._directory.group_exists,
            user_exists=self._directory.user_exists,
            scopes=SERVER_SCOPES,
            current=rule,
        )
        rule.name, rule.status = data.name, data.status
        rule.conditions, rule.actions = data.conditions, data.actions
        rule.last_updated = ids.timestamp()
        if data.priority is not None:
            place(policy.rules, rule, data.priority)
        return rule

    def delete_rule(self, policy_id: str, rule_id: str) -> None:
        policy = self.get(policy_id)
        policy.rules.remove(self.get_rule(policy_id, rule_id))
        renumber(policy.rules)

    def set_rule_status(self, policy_id: str, rule_id: str, status: str) -> None:
        rule = self.get_rule(policy_id, rule_id)
        if rule.status != status:
            rule.status = status
            rule.last_updated = ids.timestamp()

    # ---- seeding (reset and test hooks) ---------------------------------------------------------

    def replace_all(self, documents: list[dict[str, Any]]) -> list[PolicyRecord]:
        """Drop every policy, then create each document (a policy body plus an optional `rules`
        list of rule bodies) in order; all-or-nothing."""
        saved = self.policies
        self.policies = []
        try:
            for document in documents:
                body = {key: value for key, value in document.items() if key != "rules"}
                policy = self.create(body)
                for rule in document.get("rules") or []:
                    self.create_rule(policy.id, rule)
        except Exception:
            self.policies = saved
            raise
        return list(self.policies)

    def seed_default(self) -> None:
        self.replace_all([{**DEFAULT_SERVER_POLICY.policy, "rules": [DEFAULT_SERVER_POLICY.rule]}])
