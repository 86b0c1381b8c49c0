"""End to end: after Ready, people really sign in; when the policies would refuse them, the resource says so.

The operator process runs against both emulators; users then sign in through the Okta sandbox's
authorize/token/keys endpoints with the sign-in helper, the way LifeTime and Service Center do
(Consoles app, client secret, every environment's Service Center callback) and the way Service Studio
does (Development Tools app, PKCE, `servicestudio://auth`). The helper verifies each ID token against
the server's keys (signature, issuer, audience, expiry, nonce).
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from outsystems_okta.blueprint import consoles_redirect_uris
from outsystems_okta_sandbox.okta.signin import SignInResult, refresh, sign_in
from outsystems_okta_sandbox.stack import Stack
from tests.e2e.conftest import NAME, NAMESPACE, Okta, resource, secret_values

pytestmark = pytest.mark.e2e

SECRET = f"{NAME}-lifetime"
MEMBER = "it.admin@acme.com"
OUTSIDER = "dev.only@acme.com"
SERVICE_STUDIO = "servicestudio://auth"
POLICY_FAILED = "Policy evaluation failed for this request, please check the policy configurations."


def condition(obj: dict[str, Any] | None, type_: str) -> dict[str, Any]:
    conditions = ((obj or {}).get("status") or {}).get("conditions") or []
    return next((c for c in conditions if c["type"] == type_), {})


def seed_people(okta: Okta) -> None:
    okta.hook("users", {"login": MEMBER, "groups": ["OutSystems IT"]})
    okta.hook("users", {"login": OUTSIDER, "groups": ["OutSystems Developers"]})


def callbacks(environments: int) -> list[str]:
    """Service Center's callback on LifeTime and on every environment, as the operator registers them."""
    return consoles_redirect_uris("lifetime.acme.com", [f"env{i}.acme.com" for i in range(environments)])


def sign_in_everywhere(stack: Stack, user: str, environments: int) -> dict[str, SignInResult]:
    """One sign-in per Service Center callback (Consoles, with the secret) and one for Service Studio."""
    values = secret_values(stack.read_secret(NAMESPACE, SECRET))

    async def run() -> dict[str, SignInResult]:
        results: dict[str, SignInResult] = {}
        for uri in callbacks(environments):
            results[uri] = await sign_in(
                stack.okta_url,
                "default",
                values["webClientId"],
                uri,
                user,
                client_secret=values["webClientSecret"],
                pkce=False,
            )
        results[SERVICE_STUDIO] = await sign_in(
            stack.okta_url, "default", values["desktopClientId"], SERVICE_STUDIO, user
        )
        return results

    return asyncio.run(run())


def refreshed(stack: Stack, uri: str, result: SignInResult) -> SignInResult:
    values = secret_values(stack.read_secret(NAMESPACE, SECRET))
    assert result.refresh_token, f"no refresh token for {uri}"
    if uri == SERVICE_STUDIO:
        return asyncio.run(
            refresh(stack.okta_url, "default", values["desktopClientId"], result.refresh_token)
        )
    return asyncio.run(
        refresh(
            stack.okta_url,
            "default",
            values["webClientId"],
            result.refresh_token,
            client_secret=values["webClientSecret"],
        )
    )


def assert_everyone_in(stack: Stack, environments: int) -> None:
    values = secret_values(stack.read_secret(NAMESPACE, SECRET))
    results = sign_in_everywhere(stack, MEMBER, environments)
    assert len(results) == environments + 2  # LifeTime, each environment, Service Studio
    for uri, result in results.items():
        assert result.ok, f"{uri}: {result.describe()}"
        client = values["desktopClientId"] if uri == SERVICE_STUDIO else values["webClientId"]
        # The helper checked the signature against the JWKS; these say whom it was for.
        assert result.id_claims["aud"] == client
        assert result.id_claims["preferred_username"] == MEMBER
        assert result.id_claims["iss"] == values["metadataUri"].removesuffix(
            "/.well-known/openid-configuration"
        )
        again = refreshed(stack, uri, result)
        assert again.ok and again.access_token, f"refresh for {uri}: {again.describe()}"


def test_a_member_signs_in_through_every_callback_and_an_outsider_is_refused(
    stack: Stack, okta: Okta
) -> None:
    seed_people(okta)
    stack.create_credentials(NAMESPACE)
    stack.start_operator()
    stack.apply(resource(stack.okta_url, access={"groups": ["OutSystems IT"]}))
    obj = stack.wait_ready(NAMESPACE, NAME)

    authz = condition(obj, "AuthorizationServerReady")
    assert (authz["status"], authz["reason"]) == ("True", "SignInAllowed")
    assert authz["observedGeneration"] == obj["metadata"]["generation"]
    assert_everyone_in(stack, environments=2)

    for uri, result in sign_in_everywhere(stack, OUTSIDER, environments=2).items():
        assert (result.step, result.error, result.error_description) == (
            "authorize",
            "access_denied",
            "User is not assigned to the client application.",
        ), uri


def test_a_restrictive_policy_is_reported_refuses_the_same_way_and_manage_lets_them_in(
    stack: Stack, okta: Okta
) -> None:
    seed_people(okta)
    # An admin narrowed the default server: no offline_access, so LifeTime's request matches no rule.
    narrow = {
        "type": "OAUTH_AUTHORIZATION_POLICY",
        "name": "Narrow",
        "description": "No refresh tokens",
        "conditions": {"clients": {"include": ["ALL_CLIENTS"]}},
        "rules": [
            {
                "type": "RESOURCE_ACCESS",
                "name": "Short sessions",
                "conditions": {
                    "people": {"groups": {"include": ["EVERYONE"]}},
                    "grantTypes": {"include": ["authorization_code"]},
                    "scopes": {"include": ["openid", "email", "profile"]},
                },
            }
        ],
    }
    okta.http.put("/__sandbox/authorization-servers/default/policies", json=[narrow]).raise_for_status()
    # Kopf holds a spec change made while the failed pass waits for its retry (EXTERNAL_FIX_DELAY, 60 s);
    # the drift timer takes the new spec sooner, so this test need not wait a minute.
    stack.drift_interval = 2.0
    stack.create_credentials(NAMESPACE)
    stack.start_operator()
    stack.apply(resource(stack.okta_url, access={"groups": ["OutSystems IT"]}, deletionPolicy="Delete"))

    obj = stack.wait_for(NAMESPACE, NAME, lambda o: condition(o, "Ready").get("reason") == "ScopeNotAllowed")
    ready, authz = condition(obj, "Ready"), condition(obj, "AuthorizationServerReady")
    assert ready["status"] == "False" and authz["status"] == "False"
    assert ready["message"] == authz["message"]
    assert authz["message"] == (
        "Sign-in through authorization server 'default' would fail: both apps: rule \"Short sessions\" "
        'of policy "Narrow" does not allow scope offline_access (LifeTime asks for openid email profile '
        "offline_access)"
    )
    # The Secret is written all the same: the admin can set LifeTime up while the policy is fixed.
    for uri, result in sign_in_everywhere(stack, MEMBER, environments=2).items():
        assert (result.error, result.error_description) == ("access_denied", POLICY_FAILED), uri

    stack.patch_spec(NAMESPACE, NAME, {"okta": {"accessPolicy": "Manage"}})
    obj = stack.wait_ready(NAMESPACE, NAME)
    authz = condition(obj, "AuthorizationServerReady")
    assert authz["status"] == "True" and '"OutSystems sign-in"' in authz["message"]
    assert obj["status"]["accessPolicy"]["policyId"]
    assert_everyone_in(stack, environments=2)
    assert not any(r.ok for r in sign_in_everywhere(stack, OUTSIDER, environments=2).values())

    # deletionPolicy Delete: our policy goes with the apps; the admin's narrow policy stays.
    stack.delete(NAMESPACE, NAME)
    stack.wait_for(NAMESPACE, NAME, lambda o: o is None)
    assert [p["name"] for p in okta.state()["policies"]["default"]] == ["Narrow"]
    assert okta.apps() == []
