"""Okta's wire format for a custom authorization server, its access policies and their rules.

Typed after the SPEC's `AuthorizationServer`, `AuthorizationServerPolicy` and
`AuthorizationServerPolicyRule` (management-minimal.yaml l.64297, l.64426, l.64495; examples l.33499,
l.33533). `people.groups.exclude` and `people.users.exclude` are not in the SPEC's schemas but are in
Okta's answers and in the Authorization Servers API reference ("Condition properties"), so they are
read. Unknown fields are kept (`extra="allow"`): `PUT` replaces a whole policy or rule, so what we
send back must be what Okta gave us with only our fields changed.

The rest of the operator sees `plan.access_policies.PolicyView`/`RuleView` (`view()`) and builds
bodies from `plan.managed_policy` desires (`policy_body`, `rule_body`, `replaced_*`).
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from outsystems_okta.plan.access_policies import PolicyView, RuleView
from outsystems_okta.plan.managed_policy import DesiredPolicy, DesiredRule

POLICY_TYPE = "OAUTH_AUTHORIZATION_POLICY"
RULE_TYPE = "RESOURCE_ACCESS"


class _Wire(BaseModel):
    model_config = ConfigDict(extra="allow", populate_by_name=True)

    def body(self) -> dict[str, Any]:
        """The JSON to send: every field Okta gave, read-only ones dropped."""
        data = self.model_dump(by_alias=True, exclude_none=True, mode="json")
        for key in ("id", "created", "lastUpdated", "_links", "_embedded"):
            data.pop(key, None)
        return data


class IncludeExclude(_Wire):
    include: list[str] = Field(default_factory=list)
    exclude: list[str] = Field(default_factory=list)


class Include(_Wire):
    include: list[str] = Field(default_factory=list)


class People(_Wire):
    groups: IncludeExclude = Field(default_factory=IncludeExclude)
    users: IncludeExclude = Field(default_factory=IncludeExclude)


class RuleConditions(_Wire):
    people: People = Field(default_factory=People)
    grant_types: Include = Field(default_factory=Include, alias="grantTypes")
    scopes: Include = Field(default_factory=Include)


class AccessPolicyRule(_Wire):
    """`AuthorizationServerPolicyRule`."""

    id: str = ""
    type: str = RULE_TYPE
    name: str = ""
    status: str = "ACTIVE"
    priority: int = 0
    system: bool | None = None
    conditions: RuleConditions = Field(default_factory=RuleConditions)

    def view(self) -> RuleView:
        people = self.conditions.people
        return RuleView(
            id=self.id,
            name=self.name,
            status=self.status,
            priority=self.priority,
            grant_types=tuple(self.conditions.grant_types.include),
            scopes=tuple(self.conditions.scopes.include),
            groups_include=tuple(people.groups.include),
            groups_exclude=tuple(people.groups.exclude),
            users_include=tuple(people.users.include),
            users_exclude=tuple(people.users.exclude),
        )


class PolicyConditions(_Wire):
    clients: Include = Field(default_factory=Include)


class AccessPolicy(_Wire):
    """`AuthorizationServerPolicy`."""

    id: str = ""
    type: str = POLICY_TYPE
    name: str = ""
    description: str = ""
    status: str = "ACTIVE"
    priority: int = 0
    system: bool | None = None
    conditions: PolicyConditions = Field(default_factory=PolicyConditions)

    def view(self) -> PolicyView:
        return PolicyView(
            id=self.id,
            name=self.name,
            status=self.status,
            priority=self.priority,
            clients=tuple(self.conditions.clients.include),
            description=self.description,
        )


class AuthorizationServer(_Wire):
    """`AuthorizationServer`: the fields the operator reads."""

    id: str = ""
    name: str = ""
    issuer: str = ""
    status: str = ""


def _rule_conditions(desired: DesiredRule) -> RuleConditions:
    return RuleConditions(
        people=People(
            groups=IncludeExclude(include=list(desired.groups_include), exclude=[]),
            users=IncludeExclude(include=[], exclude=[]),
        ),
        grantTypes=Include(include=list(desired.grant_types)),
        scopes=Include(include=list(desired.scopes)),
    )


def policy_body(desired: DesiredPolicy) -> AccessPolicy:
    """A create body: ACTIVE, at the desired priority."""
    return AccessPolicy(
        name=desired.name,
        description=desired.description,
        status="ACTIVE",
        priority=desired.priority,
        conditions=PolicyConditions(clients=Include(include=list(desired.clients))),
    )


def replaced_policy(observed: AccessPolicy, desired: DesiredPolicy) -> AccessPolicy:
    """Okta's policy with our fields put back; status, priority and unknown fields as they are."""
    conditions = observed.conditions.model_copy(update={"clients": Include(include=list(desired.clients))})
    return observed.model_copy(
        update={"name": desired.name, "description": desired.description, "conditions": conditions}
    )


def rule_body(desired: DesiredRule) -> AccessPolicyRule:
    """A create body: ACTIVE, first in the policy, Okta's default token lifetimes (no `actions`)."""
    return AccessPolicyRule(
        name=desired.name, status="ACTIVE", priority=1, conditions=_rule_conditions(desired)
    )


def replaced_rule(observed: AccessPolicyRule, desired: DesiredRule) -> AccessPolicyRule:
    """Okta's rule with our name and conditions; status, priority and `actions` (lifetimes) kept."""
    return observed.model_copy(update={"name": desired.name, "conditions": _rule_conditions(desired)})
