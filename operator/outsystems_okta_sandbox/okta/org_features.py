"""What the emulated org's Okta plan includes, and the org-wide policies (`/api/v1/policies`) the
operator touches: the app sign-in policies of Identity Engine.

- API Access Management: custom authorization servers, `default` included, exist only with this paid
  add-on. Without it Okta answers "401 E0000015 You do not have permission to access the feature you
  are requesting" on the authorization-server API and on the custom servers' OAuth endpoints (Okta
  support, "401 Permissions Error during Log in to an OIDC App or when Configuring a Custom
  Authorization Server").
- Identity Engine: app sign-in policies (`type: ACCESS_POLICY`, ids `rst...`) and the app's
  `_links.accessPolicy` exist only there; "All new apps, except for API service apps, start with the
  shared default policy" (help.okta.com, "Assign apps to an app sign-in policy").
  `assignApplicationPolicy` is Identity Engine only (OpenAPI `x-okta-lifecycle.SKUs`). What a Classic
  Engine org answers to it is not documented; the sandbox answers 401 E0000015, Okta's code for a
  feature the org lacks, and shows no ACCESS_POLICY (404), as Terraform's provider expects of a
  Classic org (no `_links.accessPolicy`).
- A policy id that is not an app sign-in policy in `assignApplicationPolicy` answers 404 (the
  OpenAPI declares 403, 404 and 429 only).
"""

from __future__ import annotations

from dataclasses import dataclass

from . import ids
from .errors import OktaError, not_found

ACCESS_POLICY = "ACCESS_POLICY"
OKTA_SIGN_ON = "OKTA_SIGN_ON"


def feature_not_enabled() -> OktaError:
    return OktaError(401, "E0000015", "You do not have permission to access the feature you are requesting")


@dataclass
class OrgFeatures:
    api_access_management: bool = True
    identity_engine: bool = True


@dataclass
class PolicyRecord:
    id: str
    type: str
    name: str
    description: str
    priority: int
    system: bool
    created: str
    last_updated: str
    status: str = "ACTIVE"


class OrgPolicies:
    """The org's policies the sandbox knows: its app sign-in policies and its global session policy."""

    def __init__(self) -> None:
        self.policies: dict[str, PolicyRecord] = {}
        self._seed_ids: dict[str, str] = {}
        self.default_access_policy = ""
        self.reset()

    def reset(self) -> None:
        """The seeded org: the default global session policy and the shared default app sign-in policy
        (same ids after a reset, like seeded groups)."""
        self.policies.clear()
        self._add(
            OKTA_SIGN_ON, "Default Policy", "The default policy applies in all situations.", system=True
        )
        seeded = self._add(ACCESS_POLICY, "Default Policy", "The default app sign-in policy", system=True)
        self.default_access_policy = seeded.id

    def _add(self, kind: str, name: str, description: str, *, system: bool = False) -> PolicyRecord:
        key = f"{kind}/{name}"
        prefix = "rst" if kind == ACCESS_POLICY else "00p"
        policy_id = (self._seed_ids.get(key) if system else None) or ids.okta_id(prefix)
        if system:
            self._seed_ids[key] = policy_id
        now = ids.timestamp()
        priority = 1 + sum(1 for policy in self.policies.values() if policy.type == kind)
        record = PolicyRecord(policy_id, kind, name, description, priority, system, now, now)
        self.policies[policy_id] = record
        return record

    def add_access_policy(self, name: str, description: str = "") -> PolicyRecord:
        if not name.strip():
            raise ValueError("a policy needs a name")
        return self._add(ACCESS_POLICY, name, description)

    def get(self, policy_id: str, *, identity_engine: bool) -> PolicyRecord:
        policy = self.policies.get(policy_id)
        if policy is None or (policy.type == ACCESS_POLICY and not identity_engine):
            raise not_found(policy_id, "Policy")
        return policy

    def access_policy(self, policy_id: str) -> PolicyRecord:
        policy = self.policies.get(policy_id)
        if policy is None or policy.type != ACCESS_POLICY:
            raise not_found(policy_id, "Policy")
        return policy
