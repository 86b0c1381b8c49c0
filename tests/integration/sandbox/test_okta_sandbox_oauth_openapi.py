"""Conformance: every OAuth exchange of a sign-in (and of its refusals) against `oauth-minimal.yaml`."""

from __future__ import annotations

import copy

import httpx
import pytest

from outsystems_okta_sandbox.okta import OktaSandbox
from outsystems_okta_sandbox.okta.signin import refresh, sign_in

from .conftest import DEVELOPER, OUTSIDER
from .oauth_conformance import OAUTH_OPERATIONS, OAuthSpec, oauth_spec
from .signin_fixtures import NATIVE_REDIRECT, WEB_REDIRECT, authorize, make_factory, token


@pytest.fixture(scope="session")
def spec() -> OAuthSpec:
    loaded = oauth_spec()
    if loaded is None:
        pytest.skip("oauth-minimal.yaml not found (see openapi_conformance.spec_dir)")
    return loaded


async def test_sign_in_exchanges_conform(
    spec: OAuthSpec, sandbox: OktaSandbox, client: httpx.AsyncClient, anonymous: httpx.AsyncClient
) -> None:
    factory = await make_factory(client)
    web = await sign_in(
        sandbox.url,
        "default",
        factory.web_client,
        WEB_REDIRECT,
        DEVELOPER,
        client_secret=factory.web_secret,
        pkce=False,
    )
    native = await sign_in(sandbox.url, "default", factory.native_client, NATIVE_REDIRECT, DEVELOPER)
    assert web.ok and native.ok and web.refresh_token
    assert (
        await refresh(
            sandbox.url, "default", factory.web_client, web.refresh_token, client_secret=factory.web_secret
        )
    ).ok
    await anonymous.get(
        "/oauth2/default/v1/userinfo", headers={"Authorization": f"Bearer {native.access_token}"}
    )
    await anonymous.get("/oauth2/default/v1/userinfo", headers={"Authorization": "Bearer nope"})
    await anonymous.get("/oauth2/default/.well-known/oauth-authorization-server")

    # refusals: error page, error redirect, sign-in page, token errors, an unavailable server
    await authorize(sandbox, anonymous, client_id=factory.web_client, redirect_uri="https://elsewhere/")
    await authorize(
        sandbox, anonymous, client_id=factory.web_client, redirect_uri=WEB_REDIRECT, login_hint=OUTSIDER
    )
    await authorize(sandbox, anonymous, client_id=factory.web_client, redirect_uri=WEB_REDIRECT)
    form = {"grant_type": "authorization_code", "code": "nope", "redirect_uri": WEB_REDIRECT}
    await token(sandbox, anonymous, form)
    await token(sandbox, anonymous, form, (factory.web_client, factory.web_secret))
    await token(
        sandbox,
        anonymous,
        {"grant_type": "refresh_token", "refresh_token": "x", "client_id": factory.native_client},
    )
    sandbox.set_auth_server_status("default", "INACTIVE")
    await anonymous.get("/oauth2/default/.well-known/openid-configuration")

    statuses = sorted({(e.path.rsplit("/", 1)[-1], e.status) for e in sandbox.oauth_requests})
    assert ("authorize", 200) in statuses and ("authorize", 400) in statuses and ("token", 401) in statuses
    problems: list[str] = []
    seen: set[str] = set()
    for exchange in sandbox.oauth_requests:
        op = spec.operation_for(exchange.method, exchange.path)
        if op is not None:
            seen.add(op.operation_id)
        problems += [str(problem) for problem in spec.check(exchange)]
    assert not problems, "\n".join(problems)
    assert seen == set(OAUTH_OPERATIONS)


async def test_the_oauth_checker_is_not_vacuous(
    spec: OAuthSpec, sandbox: OktaSandbox, client: httpx.AsyncClient
) -> None:
    factory = await make_factory(client)
    assert (await sign_in(sandbox.url, "default", factory.native_client, NATIVE_REDIRECT, DEVELOPER)).ok
    _, auth, tok, _ = sandbox.oauth_requests
    assert list(spec.check(auth)) == [] and list(spec.check(tok)) == []

    odd_query = copy.deepcopy(auth)
    odd_query.query["sandbox_user"] = DEVELOPER
    del odd_query.query["state"]
    messages = [str(p) for p in spec.check(odd_query)]
    assert any("'sandbox_user' is not declared" in m for m in messages)
    assert any("'state' is missing" in m for m in messages)
    bad_method = copy.deepcopy(auth)
    bad_method.query["code_challenge_method"] = "plain"
    assert any("plain" in str(p) for p in spec.check(bad_method))

    no_code = copy.deepcopy(tok)
    assert no_code.form is not None
    del no_code.form["code"]
    assert any("'code' is a required property" in str(p) for p in spec.check(no_code))
    bad_body = copy.deepcopy(tok)
    bad_body.response_body["token_type"] = "MAC"
    assert any("MAC" in str(p) for p in spec.check(bad_body))
    undeclared = copy.deepcopy(tok)
    undeclared.status = 418
    assert any("not declared" in str(p) for p in spec.check(undeclared))
