"""What to tell a user when the org, rather than the spec, stops a pass: a feature the org's Okta plan
lacks (401 E0000015), or an admin role the API token's user lacks (403 on a read that needs more than
the app-admin permissions).

Keyed by Okta's operationId (the Okta client stamps it on every error), so the same words reach the
Ready condition, the Warning Event and `outsystems-okta plan --live`. Sources for each claim:
- E0000015 without API Access Management: Okta support, "401 Permissions Error during Log in to an
  OIDC App or when Configuring a Custom Authorization Server" ("Okta HTTP 401 E0000015 You do not have
  permission to access the feature you are requesting"; custom authorization servers, `default`
  included, need the API Access Management feature; the org authorization server does not).
- Roles: help.okta.com "API Access Management administrators" (create authorization servers, access
  policies, ...), "Application administrators" (add and configure apps, assign user access, view
  users and groups), "Organization administrators" (cannot manage applications or authorization
  servers), Okta support "How to grant an Okta administrator permission to create and manage OpenID
  Connect applications"; the Okta scopes are those the OpenAPI spec names for each operation.
"""

from __future__ import annotations

# operationIds of the calls that need more than apps and groups.
AUTHORIZATION_SERVER_READS = frozenset(
    {
        "getAuthorizationServer",
        "listAuthorizationServers",
        "listAuthorizationServerPolicies",
        "getAuthorizationServerPolicy",
        "listAuthorizationServerPolicyRules",
        "getAuthorizationServerPolicyRule",
    }
)
SIGN_IN_POLICY_CALLS = frozenset({"getPolicy", "assignApplicationPolicy"})

API_ACCESS_MANAGEMENT = (
    "This Okta org lacks API Access Management, the paid Okta add-on that custom authorization servers "
    "(the 'default' one included) need, and the OutSystems page configures LifeTime with a custom "
    "authorization server. The API token was accepted: ask Okta (or your Okta account team) to enable "
    "API Access Management for this org; nothing was written to Okta"
)
IDENTITY_ENGINE = (
    "App sign-in policies exist only in Okta Identity Engine orgs: remove spec.okta.signInPolicyId on a "
    "Classic Engine org (the apps then use the org's sign-on rules)"
)
AUTHORIZATION_SERVER_ROLES = (
    "The API token's admin may not read authorization servers (Okta scope "
    "okta.authorizationServers.read): give that admin the Super Administrator or the API Access "
    "Management Administrator role, or a custom admin role that can view authorization servers "
    "(the App Administrator role alone does not include it)"
)
SIGN_IN_POLICY_ROLES = (
    "The API token's admin may not read app sign-in policies or assign one to an app (Okta scopes "
    "okta.policies.read, okta.apps.manage): give that admin the Super Administrator role, or a custom "
    "admin role that can view authentication policies and manage both apps"
)


def feature_not_enabled(operation: str | None) -> str:
    """What a 401 E0000015 from `operation` means for this operator."""
    if operation in AUTHORIZATION_SERVER_READS:
        return API_ACCESS_MANAGEMENT
    if operation in SIGN_IN_POLICY_CALLS:
        return IDENTITY_ENGINE
    return "This Okta org's plan lacks a feature that call needs (Okta E0000015)"


def forbidden(operation: str | None) -> str | None:
    """The admin roles a 403 from `operation` calls for, when they are not the usual app-admin ones."""
    if operation in AUTHORIZATION_SERVER_READS:
        return AUTHORIZATION_SERVER_ROLES
    if operation in SIGN_IN_POLICY_CALLS:
        return SIGN_IN_POLICY_ROLES
    return None


def explained(okta_message: str, explanation: str | None) -> str:
    """Okta's own words (code, summary, errorId) first, then what they mean here."""
    return f"{okta_message}. {explanation}" if explanation else okta_message
