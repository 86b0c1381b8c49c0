"""Conformance: the sandbox's request and response bodies validate against Okta's OpenAPI spec.

Skipped (with the reason) when the spec isn't available; see `openapi_conformance.py`.
"""

from __future__ import annotations

import copy
from typing import Any

import httpx
import pytest

from outsystems_okta_sandbox.okta import OktaSandbox

from .conftest import create_app, native_app, web_app
from .openapi_conformance import (
    APP_OPERATIONS,
    POLICY_OPERATIONS,
    SIGN_IN_POLICY_OPERATIONS,
    OktaSpec,
    management_spec,
    oauth_schemas,
    spec_missing_reason,
)


@pytest.fixture(scope="session")
def okta_spec() -> OktaSpec:
    reason = spec_missing_reason()
    if reason is not None:
        pytest.skip(reason)
    return management_spec()


def _assert_conforms(spec: OktaSpec, sandbox: OktaSandbox, expected_operations: set[str]) -> None:
    problems: list[str] = []
    seen: set[str] = set()
    for record in sandbox.requests:
        op = spec.operation_for(record.method, record.path)
        if op is not None:
            seen.add(op.operation_id)
        problems += [str(problem) for problem in spec.check(record)]
    assert not problems, "\n".join(problems)
    assert expected_operations <= seen, f"not exercised: {sorted(expected_operations - seen)}"


async def test_happy_paths_conform(
    okta_spec: OktaSpec, client: httpx.AsyncClient, sandbox: OktaSandbox
) -> None:
    web = await create_app(client, web_app())
    native = await create_app(client, native_app())
    inactive = await create_app(client, web_app("Staged"), activate="false")
    app_url = f"/api/v1/apps/{web['id']}"

    await client.get("/api/v1/apps", params={"limit": "1"})
    await client.get("/api/v1/apps", params={"q": "OutSystems", "filter": 'status eq "ACTIVE"'})
    fetched = (await client.get(app_url)).json()
    fetched["settings"]["oauthClient"]["redirect_uris"].append("https://qa.example.com/ServiceCenter/x.aspx")
    assert (await client.put(app_url, json=fetched)).status_code == 200  # GET → modify → PUT
    native_body = native_app()
    native_body["settings"]["oauthClient"]["consent_method"] = "REQUIRED"  # required on replace
    assert (await client.put(f"/api/v1/apps/{native['id']}", json=native_body)).status_code == 200

    secrets = f"{app_url}/credentials/secrets"
    await client.get(secrets)
    second = (await client.post(secrets, json={})).json()
    await client.get(f"{secrets}/{second['id']}")
    await client.post(f"{secrets}/{second['id']}/lifecycle/deactivate")
    await client.post(f"{secrets}/{second['id']}/lifecycle/activate")
    await client.post(f"{secrets}/{second['id']}/lifecycle/deactivate")
    assert (await client.delete(f"{secrets}/{second['id']}")).status_code == 204
    byo = await client.post(secrets, json={"client_secret": "b" * 40, "status": "INACTIVE"})
    assert byo.status_code == 201

    groups = (await client.get("/api/v1/groups")).json()
    await client.get("/api/v1/groups", params={"search": 'profile.name eq "Everyone"'})
    await client.get("/api/v1/groups", params={"filter": 'type eq "BUILT_IN"', "limit": "1"})
    await client.get("/api/v1/groups", params={"q": "Out"})
    added = (
        await client.post("/api/v1/groups", json={"profile": {"name": "QA", "description": "QA team"}})
    ).json()
    await client.get(f"/api/v1/groups/{added['id']}")

    everyone = groups[0]["id"]
    await client.put(f"{app_url}/groups/{everyone}")
    await client.put(f"{app_url}/groups/{added['id']}", json={"priority": 1, "profile": {"k": "v"}})
    await client.get(f"{app_url}/groups/{everyone}")
    await client.get(f"/api/v1/groups/{everyone}/apps")
    await client.get(f"/api/v1/groups/{added['id']}/apps", params={"limit": "1"})
    await client.get(f"{app_url}/groups/{everyone}", params={"expand": "group"})
    await client.get(f"{app_url}/groups", params={"limit": "20"})
    assert (await client.delete(f"{app_url}/groups/{added['id']}")).status_code == 204

    await client.get("/api/v1/authorizationServers")
    await client.get("/api/v1/authorizationServers/default")

    await client.post(f"{app_url}/lifecycle/deactivate")
    await client.post(f"/api/v1/apps/{inactive['id']}/lifecycle/activate")
    assert (await client.delete(app_url)).status_code == 204

    assert all(r.status < 400 for r in sandbox.requests)
    _assert_conforms(okta_spec, sandbox, set(APP_OPERATIONS))


async def test_policy_operations_conform(
    okta_spec: OktaSpec, client: httpx.AsyncClient, sandbox: OktaSandbox
) -> None:
    web = await create_app(client, web_app())
    server = "/api/v1/authorizationServers/default"
    assert (await client.post(f"{server}/lifecycle/deactivate")).status_code == 204
    assert (await client.post(f"{server}/lifecycle/activate")).status_code == 204
    policies = f"{server}/policies"
    [default] = (await client.get(policies)).json()
    body = {
        "type": "OAUTH_AUTHORIZATION_POLICY",
        "name": "OutSystems",
        "description": "OutSystems factory sign-in",
        "priority": 1,
        "conditions": {"clients": {"include": [web["credentials"]["oauthClient"]["client_id"]]}},
    }
    created = (await client.post(policies, json=body)).json()
    url = f"{policies}/{created['id']}"
    await client.get(url)
    fetched = (await client.get(url)).json()
    assert (await client.put(url, json={**fetched, "name": "OutSystems factory"})).status_code == 200
    await client.post(f"{url}/lifecycle/deactivate")
    await client.post(f"{url}/lifecycle/activate")
    rules = f"{url}/rules"
    rule = {
        "type": "RESOURCE_ACCESS",
        "name": "Sign-in",
        "priority": 1,
        "conditions": {
            "people": {"groups": {"include": ["EVERYONE"]}},
            "grantTypes": {"include": ["authorization_code", "refresh_token"]},
            "scopes": {"include": ["openid", "email", "profile", "offline_access"]},
        },
        "actions": {"token": {"accessTokenLifetimeMinutes": 60}},
    }
    made = (await client.post(rules, json=rule)).json()
    await client.get(rules)
    rule_url = f"{rules}/{made['id']}"
    got = (await client.get(rule_url)).json()
    assert (await client.put(rule_url, json={**got, "name": "Sign-in (all)"})).status_code == 200
    await client.post(f"{rule_url}/lifecycle/deactivate")
    await client.post(f"{rule_url}/lifecycle/activate")
    assert (await client.delete(rule_url)).status_code == 204
    assert (await client.delete(url)).status_code == 204
    await client.get(f"{policies}/{default['id']}/rules")

    assert all(r.status < 400 for r in sandbox.requests), [(r.path, r.status) for r in sandbox.requests]
    error_count = len(sandbox.requests)
    await client.post(policies, json={"type": "OAUTH_AUTHORIZATION_POLICY"})  # 400
    await client.post(rules, json=rule)  # 404: the policy is gone
    await client.get(f"{policies}/00pNOSUCHPOLICY00000/rules/0prNOSUCH0000000000")
    sandbox.inject_fault(403, path_prefix=policies)
    await client.get(policies)
    assert [r.status for r in sandbox.requests[error_count:]] == [400, 404, 404, 403]
    _assert_conforms(okta_spec, sandbox, set(POLICY_OPERATIONS) | {"createApplication"})

    # The checker sees policy and rule shapes: a wrong enum, a rule request without its name.
    got_policy = next(r for r in sandbox.requests if r.method == "GET" and r.path == url)
    bad = copy.deepcopy(got_policy)
    bad.response_body["status"] = "ENABLED"
    assert any("ENABLED" in str(p) for p in okta_spec.check(bad))
    made_rule = next(r for r in sandbox.requests if r.method == "POST" and r.path == rules)
    nameless = copy.deepcopy(made_rule)
    del nameless.request_body["name"]
    assert any("'name' is a required property" in str(p) for p in okta_spec.check(nameless))


async def test_error_responses_conform(
    okta_spec: OktaSpec, client: httpx.AsyncClient, anonymous: httpx.AsyncClient, sandbox: OktaSandbox
) -> None:
    """Every error the sandbox produces is an `Error` body (and declared ones match the operation)."""
    app = await create_app(client, web_app())
    app_url = f"/api/v1/apps/{app['id']}"
    missing_redirects = web_app()
    del missing_redirects["settings"]["oauthClient"]["redirect_uris"]  # schema-valid, rule-invalid
    statuses = [
        (await client.post("/api/v1/apps", json=missing_redirects)).status_code,
        (await client.get("/api/v1/apps/0oaDOESNOTEXIST00000")).status_code,
        (await client.delete(app_url)).status_code,
        (await anonymous.get("/api/v1/apps")).status_code,
        (await client.post(f"{app_url}/credentials/secrets", json={})).status_code,
        (await client.post(f"{app_url}/credentials/secrets", json={})).status_code,
        (await client.get(f"{app_url}/groups/00gDOESNOTEXIST00000")).status_code,
        (await client.get("/api/v1/authorizationServers/nope")).status_code,
    ]
    sandbox.inject_fault(503, method="PUT")
    statuses.append((await client.put(app_url, json=web_app())).status_code)
    sandbox.set_rate_limit(0, window_seconds=1)
    statuses.append((await client.get("/api/v1/groups")).status_code)
    assert statuses == [400, 404, 403, 401, 201, 400, 404, 404, 503, 429]
    _assert_conforms(
        okta_spec, sandbox, {"createApplication", "deleteApplication", "createOAuth2ClientSecret"}
    )


async def test_every_error_body_matches_the_error_schema(
    okta_spec: OktaSpec, client: httpx.AsyncClient, sandbox: OktaSandbox
) -> None:
    """Including errors for requests outside the spec (unknown paths, bad JSON, 405, 411)."""
    await client.get("/api/v1/nothing")
    await client.patch("/api/v1/apps")
    await client.post("/api/v1/apps", content=b"{", headers={"Content-Type": "application/json"})
    await client.get("/api/v1/apps", params={"filter": "label sw 'x'"})
    for status in (400, 401, 403, 404, 429, 500, 502, 503, 504):
        sandbox.inject_fault(status)
        await client.get("/api/v1/groups")
    errors = [r for r in sandbox.requests if r.status >= 400]
    assert len(errors) == 13
    problems = [
        f"{r.method} {r.path} {r.status}: {message}"
        for r in errors
        for message in okta_spec.schemas.errors(
            okta_spec.schemas.component("Error"), r.response_body, response=True
        )
    ]
    assert not problems, "\n".join(problems)
    assert all(
        set(r.response_body) == {"errorCode", "errorSummary", "errorLink", "errorId", "errorCauses"}
        for r in errors
    )


async def test_discovery_documents_conform(okta_spec: OktaSpec, anonymous: httpx.AsyncClient) -> None:
    schemas = oauth_schemas()
    if schemas is None:
        pytest.skip("oauth-minimal.yaml not found next to the management spec")
    documents: dict[str, Any] = {
        "OidcMetadata": (await anonymous.get("/oauth2/default/.well-known/openid-configuration")).json(),
        "OAuthMetadata": (
            await anonymous.get("/oauth2/default/.well-known/oauth-authorization-server")
        ).json(),
    }
    problems = [
        f"{name}: {message}"
        for name, document in documents.items()
        for message in schemas.errors(schemas.component(name), document, response=True)
    ]
    assert not problems, "\n".join(problems)


def test_spec_location_is_overridable(monkeypatch: pytest.MonkeyPatch, tmp_path: Any) -> None:
    from . import openapi_conformance

    monkeypatch.setenv("OKTA_OPENAPI_DIR", str(tmp_path))
    reason = openapi_conformance.spec_missing_reason()
    assert reason is not None and str(tmp_path) in reason and "OKTA_OPENAPI_DIR" in reason


async def test_the_checker_is_not_vacuous(
    okta_spec: OktaSpec, client: httpx.AsyncClient, sandbox: OktaSandbox
) -> None:
    """Corrupt recorded exchanges and make sure each layer notices."""
    app = await create_app(client, web_app())
    await client.get(f"/api/v1/apps/{app['id']}/credentials/secrets")
    create, secrets = sandbox.requests
    assert list(okta_spec.check(create)) == [] and list(okta_spec.check(secrets)) == []

    # OIDC-only fields: caught by the explicit discriminator check (openapi-core sees `Application`)
    bad_app = copy.deepcopy(create)
    bad_app.response_body["settings"]["oauthClient"]["grant_types"] = "authorization_code"
    assert any("grant_types" in str(p) for p in okta_spec.check(bad_app))
    wrong_name = copy.deepcopy(create)
    wrong_name.request_body["name"] = "bookmark"
    assert any("request" in str(p) and "bookmark" in str(p) for p in okta_spec.check(wrong_name))

    # base-schema problems: caught by both layers
    bad_secret = copy.deepcopy(secrets)
    bad_secret.response_body[0]["status"] = "REVOKED"
    problems = [str(p) for p in okta_spec.check(bad_secret)]
    assert any("openapi-core" in p for p in problems) and any("REVOKED" in p for p in problems)

    # an undeclared success status and a non-Error error body
    odd = copy.deepcopy(secrets)
    odd.status = 202
    assert any("not declared" in str(p) for p in okta_spec.check(odd))
    not_an_error = copy.deepcopy(secrets)
    not_an_error.status, not_an_error.response_body = 404, {"errorCode": 7}
    assert any("errorCode" in str(p) for p in okta_spec.check(not_an_error))


async def test_sign_in_policy_operations_conform(
    okta_spec: OktaSpec, client: httpx.AsyncClient, sandbox: OktaSandbox
) -> None:
    app = await create_app(client, web_app())
    default = app["_links"]["accessPolicy"]["href"].rsplit("/", 1)[-1]
    assert default.startswith("rst")
    policy = sandbox.add_sign_in_policy("OutSystems IT sign-in")

    fetched = await client.get(f"/api/v1/policies/{policy['id']}")
    assert (fetched.status_code, fetched.json()["type"]) == (200, "ACCESS_POLICY")
    moved = await client.put(f"/api/v1/apps/{app['id']}/policies/{policy['id']}")
    assert (moved.status_code, moved.content) == (204, b"")
    after = (await client.get(f"/api/v1/apps/{app['id']}")).json()
    assert after["_links"]["accessPolicy"]["href"] == f"{sandbox.url}/api/v1/policies/{policy['id']}"
    statuses = [
        (await client.get("/api/v1/policies/rst0nosuchpolicy000")).status_code,
        (await client.put(f"/api/v1/apps/{app['id']}/policies/rst0nosuchpolicy000")).status_code,
        (await client.put(f"/api/v1/apps/0oaDOESNOTEXIST00000/policies/{policy['id']}")).status_code,
    ]
    assert statuses == [404, 404, 404]
    _assert_conforms(okta_spec, sandbox, set(SIGN_IN_POLICY_OPERATIONS) | {"createApplication"})


async def test_an_org_without_the_features_answers_e0000015_in_okta_s_error_shape(
    okta_spec: OktaSpec, client: httpx.AsyncClient, sandbox: OktaSandbox
) -> None:
    app = await create_app(client, web_app())
    sandbox.set_features(api_access_management=False, identity_engine=False)
    answers = [
        await client.get("/api/v1/authorizationServers/default"),
        await client.get("/api/v1/authorizationServers/default/policies"),
        await client.get("/oauth2/default/.well-known/openid-configuration"),
        await client.put(f"/api/v1/apps/{app['id']}/policies/{sandbox.state.policies.default_access_policy}"),
    ]
    for answer in answers:
        body = answer.json()
        assert (answer.status_code, body["errorCode"]) == (401, "E0000015"), answer.request.url
        assert body["errorSummary"] == "You do not have permission to access the feature you are requesting"
    # No app sign-in policy is visible in a Classic Engine org, and a new app carries no link to one.
    assert (
        await client.get(f"/api/v1/policies/{sandbox.state.policies.default_access_policy}")
    ).status_code == 404
    classic = await create_app(client, web_app("Classic"))
    assert "accessPolicy" not in classic["_links"]
    _assert_conforms(okta_spec, sandbox, {"getAuthorizationServer", "assignApplicationPolicy", "getPolicy"})
