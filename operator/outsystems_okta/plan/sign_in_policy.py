"""The app sign-in policy both apps use (`spec.okta.signInPolicyId`), without a read of its own.

Okta shows the policy an app uses as a link in the app's own JSON, `_links.accessPolicy.href`
(`https://<org>/api/v1/policies/<policyId>`; OpenAPI `ApplicationLinks.accessPolicy`), and an app is
moved to another one with `PUT /api/v1/apps/{appId}/policies/{policyId}` (`assignApplicationPolicy`,
204, Identity Engine only). Terraform's provider reads the policy the same way (`path.Base` of that
href in `okta_app_signon_policy`), and treats an app without the link as an org (or app) without app
sign-in policies: Classic Engine orgs have none in the API. So the drift check costs no call: the
pass reads both apps anyway.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

# Okta's `type` of an app sign-in (authentication) policy.
ACCESS_POLICY = "ACCESS_POLICY"


def assigned_policy_id(app: Mapping[str, Any]) -> str | None:
    """The id of the app sign-in policy an app (Okta's JSON) uses, or None when Okta shows none."""
    links = app.get("_links")
    link = links.get("accessPolicy") if isinstance(links, Mapping) else None
    href = link.get("href") if isinstance(link, Mapping) else None
    if not isinstance(href, str) or not href:
        return None
    policy_id = href.split("?", 1)[0].rstrip("/").rsplit("/", 1)[-1]
    return policy_id or None


def needs_assignment(wanted: str | None, app: Mapping[str, Any] | None) -> bool:
    """Whether a pass must assign the wanted policy: to an app to create, or one using another policy.

    Nothing to do when the spec names no policy: the apps keep whatever policy they have.
    """
    if wanted is None:
        return False
    return app is None or assigned_policy_id(app) != wanted


def policy_refusal(wanted: str, policy: Mapping[str, Any] | None) -> str | None:
    """Why the policy `spec.okta.signInPolicyId` names cannot be assigned (None when it can).

    `policy` is `GET /api/v1/policies/{id}`, None when Okta answered 404.
    """
    where = f"spec.okta.signInPolicyId names {wanted}"
    if policy is None:
        return (
            f"{where}, but Okta has no such policy; check the id (Security > Authentication Policies > "
            "App sign-in > the policy, the id in the address). Classic Engine orgs have no app sign-in "
            "policies at all. Nothing was written to Okta"
        )
    kind = policy.get("type")
    if kind != ACCESS_POLICY:
        name = policy.get("name")
        named = f" ({name!r})" if isinstance(name, str) else ""
        return (
            f"{where}{named}, a {kind or 'typeless'} policy, not an app sign-in policy ({ACCESS_POLICY}); "
            "nothing was written to Okta"
        )
    return None


def unsupported_message(wanted: str, label: object, app_id: str) -> str:
    """An app whose JSON shows no sign-in policy: the org has none to assign (Classic Engine)."""
    return (
        f"spec.okta.signInPolicyId names {wanted}, but Okta shows no app sign-in policy on app "
        f"{label!r} ({app_id}): app sign-in policies exist only in Okta Identity Engine orgs; remove "
        "spec.okta.signInPolicyId on a Classic Engine org"
    )


def assigned_message(
    wanted: str, policy_name: str | None, label: object, app_id: str, previous: str | None
) -> str:
    named = f"{policy_name!r} ({wanted})" if policy_name else wanted
    was = f", instead of {previous}" if previous else ""
    return f"Okta app {label!r} ({app_id}) now uses app sign-in policy {named}{was}"
