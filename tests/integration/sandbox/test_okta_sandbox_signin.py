"""Users sign in to the sandbox's authorization server the way LifeTime (Consoles app, client
secret) and Service Studio (Development Tools app, PKCE) do, over HTTP, with what Okta enforces."""

from __future__ import annotations

import base64
import hashlib
import time
from typing import Any

import httpx
import pytest
from joserfc import jwt
from joserfc.jwk import KeySet

from outsystems_okta_sandbox.okta import OktaSandbox
from outsystems_okta_sandbox.okta.authorize import NOT_ASSIGNED, POLICY_FAILED
from outsystems_okta_sandbox.okta.signin import Metadata, _verify_id_token, refresh, sign_in

from .conftest import ADMIN, DEVELOPER, OUTSIDER
from .signin_fixtures import (
    NATIVE_REDIRECT,
    WEB_REDIRECT,
    Factory,
    authorize,
    make_factory,
    redirect_params,
    token,
)


@pytest.fixture
async def factory(client: httpx.AsyncClient) -> Factory:
    return await make_factory(client)


async def _keys(anonymous: httpx.AsyncClient) -> KeySet:
    return KeySet.import_key_set((await anonymous.get("/oauth2/default/v1/keys")).json())


def _rule(**conditions: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "type": "RESOURCE_ACCESS",
        "name": "OutSystems sign-in",
        "conditions": {
            "people": {"groups": {"include": ["EVERYONE"]}},
            "grantTypes": {"include": ["authorization_code", "refresh_token"]},
            "scopes": {"include": ["openid", "email", "profile", "offline_access"]},
        },
    }
    body["conditions"].update(conditions)
    return body


def _policy(clients: list[str], *rules: dict[str, Any], name: str = "OutSystems") -> dict[str, Any]:
    return {
        "type": "OAUTH_AUTHORIZATION_POLICY",
        "name": name,
        "description": "OutSystems factory sign-in",
        "conditions": {"clients": {"include": clients}},
        "rules": list(rules),
    }


# ---- the two apps sign in -----------------------------------------------------------------------


async def test_consoles_app_signs_in_with_its_client_secret(
    sandbox: OktaSandbox, factory: Factory, anonymous: httpx.AsyncClient
) -> None:
    result = await sign_in(
        sandbox.url,
        "default",
        factory.web_client,
        WEB_REDIRECT,
        DEVELOPER,
        client_secret=factory.web_secret,
        pkce=False,
    )
    assert result.ok, result.describe()
    issuer = f"{sandbox.url}/oauth2/default"
    claims = result.id_claims
    assert claims["iss"] == issuer and claims["aud"] == factory.web_client
    assert claims["preferred_username"] == DEVELOPER and claims["email"] == DEVELOPER
    assert claims["name"] == "Dev One" and claims["sub"].startswith("00u")
    assert result.tokens["token_type"] == "Bearer" and result.tokens["expires_in"] == 3600
    assert result.tokens["scope"] == "openid email profile offline_access"
    assert result.refresh_token and "." not in result.refresh_token  # opaque

    access = jwt.decode(result.tokens["access_token"], await _keys(anonymous), algorithms=["RS256"]).claims
    assert access["iss"] == issuer and access["aud"] == "api://default"
    assert access["cid"] == factory.web_client and access["uid"] == claims["sub"]
    assert access["sub"] == DEVELOPER and access["scp"] == ["openid", "email", "profile", "offline_access"]
    assert access["exp"] - access["iat"] == 3600


async def test_client_secret_post_works_and_a_wrong_secret_does_not(
    sandbox: OktaSandbox, factory: Factory
) -> None:
    args = (sandbox.url, "default", factory.web_client, WEB_REDIRECT, DEVELOPER)
    posted = await sign_in(
        *args, client_secret=factory.web_secret, pkce=False, client_auth="client_secret_post"
    )
    assert posted.ok, posted.describe()
    wrong = await sign_in(*args, client_secret="x" * 40, pkce=False)
    assert (wrong.step, wrong.status, wrong.error) == ("token", 401, "invalid_client")
    assert wrong.error_description == (
        "Client authentication failed. Either the client or the client credentials are invalid."
    )


async def test_development_tools_app_signs_in_with_pkce(sandbox: OktaSandbox, factory: Factory) -> None:
    result = await sign_in(sandbox.url, "default", factory.native_client, NATIVE_REDIRECT, DEVELOPER)
    assert result.ok, result.describe()
    assert result.id_claims["aud"] == factory.native_client
    assert result.id_claims["preferred_username"] == DEVELOPER
    assert result.refresh_token


async def test_a_public_client_must_use_pkce_and_prove_it(
    sandbox: OktaSandbox, factory: Factory, anonymous: httpx.AsyncClient
) -> None:
    without = await sign_in(
        sandbox.url, "default", factory.native_client, NATIVE_REDIRECT, DEVELOPER, pkce=False
    )
    assert (without.step, without.status, without.error) == ("authorize", 400, "invalid_request")
    assert without.error_description == "PKCE code challenge is required by the application."

    verifier = "v" * 50
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).decode().rstrip("=")
    base = {"client_id": factory.native_client, "redirect_uri": NATIVE_REDIRECT, "login_hint": DEVELOPER}
    plain = await authorize(
        sandbox, anonymous, **base, code_challenge=challenge, code_challenge_method="plain"
    )
    assert redirect_params(plain)["error"] == "invalid_request"

    def code() -> dict[str, str]:
        return {
            "grant_type": "authorization_code",
            "client_id": factory.native_client,
            "redirect_uri": NATIVE_REDIRECT,
        }

    response = await authorize(
        sandbox, anonymous, **base, code_challenge=challenge, code_challenge_method="S256"
    )
    wrong = await token(
        sandbox, anonymous, {**code(), "code": redirect_params(response)["code"], "code_verifier": "w" * 50}
    )
    assert wrong.status_code == 400
    assert wrong.json() == {"error": "invalid_grant", "error_description": "PKCE verification failed."}

    response = await authorize(
        sandbox, anonymous, **base, code_challenge=challenge, code_challenge_method="S256"
    )
    missing = await token(sandbox, anonymous, {**code(), "code": redirect_params(response)["code"]})
    assert missing.status_code == 400 and missing.json()["error"] == "invalid_request"

    response = await authorize(
        sandbox, anonymous, **base, code_challenge=challenge, code_challenge_method="S256"
    )
    good = await token(
        sandbox, anonymous, {**code(), "code": redirect_params(response)["code"], "code_verifier": verifier}
    )
    assert good.status_code == 200 and good.headers["Cache-Control"] == "no-store"


# ---- codes --------------------------------------------------------------------------------------


async def test_codes_are_single_use_short_lived_and_bound_to_client_and_redirect(
    sandbox: OktaSandbox, factory: Factory, anonymous: httpx.AsyncClient
) -> None:
    auth = (factory.web_client, factory.web_secret)
    base = {"client_id": factory.web_client, "redirect_uri": WEB_REDIRECT, "login_hint": DEVELOPER}

    async def code() -> str:
        return redirect_params(await authorize(sandbox, anonymous, **base))["code"]

    def exchange(value: str, redirect: str = WEB_REDIRECT) -> dict[str, str]:
        return {"grant_type": "authorization_code", "code": value, "redirect_uri": redirect}

    value = await code()
    assert (await token(sandbox, anonymous, exchange(value), auth)).status_code == 200
    reused = await token(sandbox, anonymous, exchange(value), auth)
    assert reused.json() == {
        "error": "invalid_grant",
        "error_description": "The authorization code is invalid or has expired.",
    }

    value = await code()
    sandbox.state.grants.codes[value].expires_at = time.time() - 1  # past its 300 s
    assert (await token(sandbox, anonymous, exchange(value), auth)).json()["error"] == "invalid_grant"

    value = await code()
    other = await token(sandbox, anonymous, exchange(value, WEB_REDIRECT + "?x=1"), auth)
    assert other.status_code == 400 and other.json()["error"] == "invalid_grant"

    value = await code()
    stolen = await token(sandbox, anonymous, {**exchange(value), "client_id": factory.native_client})
    assert stolen.status_code == 400 and "another client" in stolen.json()["error_description"]


# ---- refresh ------------------------------------------------------------------------------------


async def test_refresh_keeps_the_same_token_for_web_apps(sandbox: OktaSandbox, factory: Factory) -> None:
    first = await sign_in(
        sandbox.url,
        "default",
        factory.web_client,
        WEB_REDIRECT,
        DEVELOPER,
        client_secret=factory.web_secret,
        pkce=False,
    )
    assert first.refresh_token
    again = await refresh(
        sandbox.url, "default", factory.web_client, first.refresh_token, client_secret=factory.web_secret
    )
    assert again.ok, again.describe()
    assert again.refresh_token == first.refresh_token  # STATIC rotation, the default for web apps
    assert again.access_token != first.access_token and again.id_claims["preferred_username"] == DEVELOPER
    narrower = await refresh(
        sandbox.url,
        "default",
        factory.web_client,
        first.refresh_token,
        client_secret=factory.web_secret,
        scopes=["openid"],
    )
    assert narrower.ok and narrower.tokens["scope"] == "openid"
    wider = await refresh(
        sandbox.url,
        "default",
        factory.web_client,
        first.refresh_token,
        client_secret=factory.web_secret,
        scopes=["phone"],
    )
    assert (wider.status, wider.error) == (400, "invalid_scope")
    stranger = await refresh(sandbox.url, "default", factory.native_client, first.refresh_token)
    assert (stranger.status, stranger.error) == (400, "invalid_grant")


async def test_rotating_refresh_tokens(sandbox: OktaSandbox, client: httpx.AsyncClient) -> None:
    factory = await make_factory(client, refresh_token={"rotation_type": "ROTATE", "leeway": 0})
    first = await sign_in(
        sandbox.url,
        "default",
        factory.web_client,
        WEB_REDIRECT,
        DEVELOPER,
        client_secret=factory.web_secret,
        pkce=False,
    )
    assert first.refresh_token
    second = await refresh(
        sandbox.url, "default", factory.web_client, first.refresh_token, client_secret=factory.web_secret
    )
    assert second.ok and second.refresh_token and second.refresh_token != first.refresh_token
    old = await refresh(
        sandbox.url, "default", factory.web_client, first.refresh_token, client_secret=factory.web_secret
    )
    assert old.error == "invalid_grant"  # no leeway: the old one is gone


async def test_no_refresh_token_without_offline_access_or_the_apps_refresh_grant(
    sandbox: OktaSandbox, client: httpx.AsyncClient
) -> None:
    factory = await make_factory(client)
    online = await sign_in(
        sandbox.url,
        "default",
        factory.web_client,
        WEB_REDIRECT,
        DEVELOPER,
        client_secret=factory.web_secret,
        pkce=False,
        scopes=["openid", "profile"],
    )
    assert online.ok and online.refresh_token is None and "email" not in online.id_claims
    no_grant = await make_factory(client, grant_types=["authorization_code"])
    offline = await sign_in(
        sandbox.url,
        "default",
        no_grant.web_client,
        WEB_REDIRECT,
        DEVELOPER,
        client_secret=no_grant.web_secret,
        pkce=False,
    )
    assert offline.ok and offline.refresh_token is None


async def test_refresh_tokens_stop_working_when_access_is_taken_away(
    sandbox: OktaSandbox, factory: Factory, client: httpx.AsyncClient
) -> None:
    args = (sandbox.url, "default", factory.web_client, WEB_REDIRECT, DEVELOPER)
    first = await sign_in(*args, client_secret=factory.web_secret, pkce=False)
    assert first.refresh_token
    group = factory.groups["OutSystems Developers"]
    assert (await client.delete(f"/api/v1/apps/{factory.web['id']}/groups/{group}")).status_code == 204
    refused = await refresh(
        sandbox.url, "default", factory.web_client, first.refresh_token, client_secret=factory.web_secret
    )
    assert (refused.status, refused.error) == (400, "invalid_grant")

    await client.put(f"/api/v1/apps/{factory.web['id']}/groups/{group}")
    second = await sign_in(*args, client_secret=factory.web_secret, pkce=False)
    assert second.refresh_token
    [policy] = (await client.get("/api/v1/authorizationServers/default/policies")).json()
    await client.post(f"/api/v1/authorizationServers/default/policies/{policy['id']}/lifecycle/deactivate")
    revoked = await refresh(
        sandbox.url, "default", factory.web_client, second.refresh_token, client_secret=factory.web_secret
    )
    assert revoked.error == "invalid_grant"


# ---- refusals at /authorize -------------------------------------------------------------------


async def test_redirect_uri_must_match_exactly(
    sandbox: OktaSandbox, factory: Factory, anonymous: httpx.AsyncClient
) -> None:
    for uri in (WEB_REDIRECT + "/", WEB_REDIRECT.upper(), "https://evil.example.com/cb"):
        result = await sign_in(
            sandbox.url,
            "default",
            factory.web_client,
            uri,
            DEVELOPER,
            client_secret=factory.web_secret,
            pkce=False,
        )
        assert (result.step, result.status, result.error) == ("authorize", 400, "invalid_request")
        assert result.error_description == (
            "The 'redirect_uri' parameter must be a Login redirect URI in the client app settings: "
            f"{sandbox.url}/admin/app/oidc_client/instance/{factory.web['id']}#tab-general"
        )
    page = await authorize(
        sandbox, anonymous, client_id=factory.web_client, redirect_uri="https://evil.example.com/"
    )
    assert page.status_code == 400 and "Location" not in page.headers  # never redirected elsewhere


async def test_inactive_or_unknown_client_is_refused(
    sandbox: OktaSandbox, factory: Factory, client: httpx.AsyncClient
) -> None:
    await client.post(f"/api/v1/apps/{factory.web['id']}/lifecycle/deactivate")
    for client_id in (factory.web_client, "0oaNOSUCHCLIENT00000"):
        result = await sign_in(
            sandbox.url, "default", client_id, WEB_REDIRECT, DEVELOPER, client_secret="s" * 40, pkce=False
        )
        assert (result.status, result.error, result.error_description) == (
            400,
            "invalid_client",
            "Invalid value for 'client_id' parameter.",
        )


async def test_the_user_must_be_assigned_through_a_group(
    sandbox: OktaSandbox, factory: Factory, client: httpx.AsyncClient
) -> None:
    for user in (ADMIN, OUTSIDER):
        result = await sign_in(sandbox.url, "default", factory.native_client, NATIVE_REDIRECT, user)
        assert (result.step, result.status, result.error) == ("authorize", 302, "access_denied")
        assert result.error_description == NOT_ASSIGNED
    await client.put(f"/api/v1/apps/{factory.native['id']}/groups/{factory.groups['Everyone']}")
    assert (await sign_in(sandbox.url, "default", factory.native_client, NATIVE_REDIRECT, OUTSIDER)).ok


async def test_a_user_added_by_the_hook_signs_in_through_the_group(
    sandbox: OktaSandbox, factory: Factory, anonymous: httpx.AsyncClient
) -> None:
    added = await anonymous.post(
        "/__sandbox/users", json={"login": "new.dev@example.com", "groups": ["OutSystems Developers"]}
    )
    assert added.status_code == 200 and added.json()["groupIds"] == [factory.groups["OutSystems Developers"]]
    assert (
        await sign_in(sandbox.url, "default", factory.native_client, NATIVE_REDIRECT, "new.dev@example.com")
    ).ok
    duplicate = await anonymous.post("/__sandbox/users", json={"login": "NEW.dev@example.com"})
    assert duplicate.status_code == 400 and duplicate.json()["errorCode"] == "E0000001"
    unknown_group = await anonymous.post(
        "/__sandbox/users", json={"login": "x@example.com", "groups": ["Nope"]}
    )
    assert unknown_group.status_code == 404


async def test_unknown_users_and_missing_login_hint_get_the_sign_in_page(
    sandbox: OktaSandbox, factory: Factory, anonymous: httpx.AsyncClient
) -> None:
    nobody = await sign_in(
        sandbox.url, "default", factory.native_client, NATIVE_REDIRECT, "nobody@example.com"
    )
    assert (nobody.status, nobody.error, nobody.error_description) == (
        200,
        "sign_in_page",
        "Unable to sign in",
    )
    base = {"client_id": factory.web_client, "redirect_uri": WEB_REDIRECT}
    page = await authorize(sandbox, anonymous, **base)
    assert page.status_code == 200 and "login_hint" in page.text
    silent = redirect_params(await authorize(sandbox, anonymous, **base, prompt="none"))
    assert silent == {
        "state": "s1",
        "error": "login_required",
        "error_description": "The client specified not to prompt, but the user is not logged in.",
    }


async def test_scope_response_type_and_state_errors_are_redirected(
    sandbox: OktaSandbox, factory: Factory, anonymous: httpx.AsyncClient
) -> None:
    base = {"client_id": factory.web_client, "redirect_uri": WEB_REDIRECT, "login_hint": DEVELOPER}
    unknown = redirect_params(await authorize(sandbox, anonymous, **base, scope="openid groups"))
    assert unknown == {
        "state": "s1",
        "error": "invalid_scope",
        "error_description": "One or more scopes are not configured for the authorization server resource.",
    }
    no_openid = redirect_params(await authorize(sandbox, anonymous, **base, scope="profile email"))
    assert no_openid["error"] == "invalid_scope" and "'openid' scope" in no_openid["error_description"]
    token_flow = redirect_params(await authorize(sandbox, anonymous, **base, response_type="token"))
    assert token_flow["error"] == "unsupported_response_type"
    mode = redirect_params(await authorize(sandbox, anonymous, **base, response_mode="form_post"))
    assert mode["error"] == "unsupported_response_mode"
    fragment = await authorize(sandbox, anonymous, **base, response_mode="fragment")
    assert fragment.status_code == 302 and "#code=" in fragment.headers["Location"]


async def test_the_access_policy_decides(
    sandbox: OktaSandbox, factory: Factory, client: httpx.AsyncClient
) -> None:
    async def web(user: str = DEVELOPER) -> Any:
        return await sign_in(
            sandbox.url,
            "default",
            factory.web_client,
            WEB_REDIRECT,
            user,
            client_secret=factory.web_secret,
            pkce=False,
        )

    def refused(result: Any) -> bool:
        return (result.error, result.error_description) == ("access_denied", POLICY_FAILED)

    cases: list[tuple[str, list[dict[str, Any]]]] = [
        ("no policy at all", []),
        ("a policy for another client only", [_policy([factory.native_client], _rule())]),
        ("a policy without rules", [_policy(["ALL_CLIENTS"])]),
        (
            "grant not allowed",
            [_policy(["ALL_CLIENTS"], _rule(grantTypes={"include": ["client_credentials"]}))],
        ),
        (
            "scope not allowed",
            [_policy(["ALL_CLIENTS"], _rule(scopes={"include": ["openid", "profile", "email"]}))],
        ),
        (
            "group not allowed",
            [
                _policy(
                    ["ALL_CLIENTS"],
                    _rule(people={"groups": {"include": [factory.groups["OutSystems Admins"]]}}),
                )
            ],
        ),
        (
            "group excluded",
            [
                _policy(
                    [factory.web_client],
                    _rule(
                        people={
                            "groups": {
                                "include": ["EVERYONE"],
                                "exclude": [factory.groups["OutSystems Developers"]],
                            }
                        }
                    ),
                )
            ],
        ),
    ]
    for label, policies in cases:
        sandbox.replace_policies("default", policies)
        assert refused(await web()), label

    sandbox.replace_policies(
        "default",
        [
            _policy(
                [factory.web_client, factory.native_client],
                _rule(people={"groups": {"include": [factory.groups["OutSystems Developers"]]}}),
            )
        ],
    )
    assert (await web()).ok

    # Rules are tried in priority order and the first match decides: here, its token lifetime.
    short = _rule(people={"users": {"include": [sandbox.state.user_by_login(DEVELOPER).id]}})  # type: ignore[union-attr]
    short["actions"] = {"token": {"accessTokenLifetimeMinutes": 5}}
    sandbox.replace_policies("default", [_policy(["ALL_CLIENTS"], _rule(), short)])
    assert (await web()).tokens["expires_in"] == 3600
    rules = sandbox.state.auth_servers["default"].policies.policies[0].rules
    assert [r.priority for r in rules] == [1, 2]
    [policy] = (await client.get("/api/v1/authorizationServers/default/policies")).json()
    moved = await client.put(
        f"/api/v1/authorizationServers/default/policies/{policy['id']}/rules/{rules[1].id}",
        json={**short, "priority": 1},
    )
    assert moved.status_code == 200, moved.text
    assert (await web()).tokens["expires_in"] == 300

    # An inactive rule or policy is skipped; evaluation goes on to the next policy.
    await client.post(f"/api/v1/authorizationServers/default/policies/{policy['id']}/lifecycle/deactivate")
    assert refused(await web())
    await client.post(
        "/api/v1/authorizationServers/default/policies",
        json={k: v for k, v in _policy(["ALL_CLIENTS"]).items() if k != "rules"},
    )
    assert refused(await web())  # a policy with no rule matches nobody


async def test_an_inactive_server_signs_nobody_in(
    sandbox: OktaSandbox, factory: Factory, client: httpx.AsyncClient, anonymous: httpx.AsyncClient
) -> None:
    assert (await client.post("/api/v1/authorizationServers/default/lifecycle/deactivate")).status_code == 204
    server = (await client.get("/api/v1/authorizationServers/default")).json()
    assert server["status"] == "INACTIVE" and "activate" in server["_links"]
    result = await sign_in(sandbox.url, "default", factory.native_client, NATIVE_REDIRECT, DEVELOPER)
    assert (result.step, result.status, result.error) == ("discovery", 404, "E0000007")
    assert (await authorize(sandbox, anonymous, client_id=factory.native_client)).status_code == 404
    assert (
        await anonymous.post("/__sandbox/authorization-servers/default/status", json={"status": "ACTIVE"})
    ).status_code == 200
    assert (await sign_in(sandbox.url, "default", factory.native_client, NATIVE_REDIRECT, DEVELOPER)).ok


# ---- token endpoint client authentication, userinfo, the helper's checks, the log ----------------


async def test_token_endpoint_client_authentication_errors(
    sandbox: OktaSandbox, factory: Factory, anonymous: httpx.AsyncClient
) -> None:
    form = {"grant_type": "authorization_code", "code": "nope", "redirect_uri": WEB_REDIRECT}
    none = await token(sandbox, anonymous, form)
    assert none.status_code == 401 and none.json() == {
        "error": "invalid_client",
        "error_description": "No client credentials found",
    }
    both = await token(
        sandbox,
        anonymous,
        {**form, "client_secret": factory.web_secret},
        (factory.web_client, factory.web_secret),
    )
    assert both.status_code == 400 and both.json()["error"] == "invalid_request"
    password = await token(
        sandbox, anonymous, {**form, "grant_type": "password"}, (factory.web_client, factory.web_secret)
    )
    assert password.json() == {
        "error": "unsupported_grant_type",
        "error_description": "The grant type in the request isn't supported.",
    }
    bad_code = await token(sandbox, anonymous, form, (factory.web_client, factory.web_secret))
    assert bad_code.status_code == 400 and bad_code.json()["error"] == "invalid_grant"


async def test_userinfo(sandbox: OktaSandbox, factory: Factory, anonymous: httpx.AsyncClient) -> None:
    result = await sign_in(sandbox.url, "default", factory.native_client, NATIVE_REDIRECT, DEVELOPER)
    info = await anonymous.get(
        "/oauth2/default/v1/userinfo", headers={"Authorization": f"Bearer {result.access_token}"}
    )
    assert info.status_code == 200
    assert info.json() == {
        "sub": result.id_claims["sub"],
        "name": "Dev One",
        "preferred_username": DEVELOPER,
        "given_name": "Dev",
        "family_name": "One",
        "email": DEVELOPER,
        "email_verified": True,
    }
    assert (
        await anonymous.get("/oauth2/default/v1/userinfo", headers={"Authorization": "Bearer x.y.z"})
    ).status_code == 401


async def test_the_helper_rejects_an_id_token_for_someone_else(
    sandbox: OktaSandbox, factory: Factory
) -> None:
    result = await sign_in(sandbox.url, "default", factory.native_client, NATIVE_REDIRECT, DEVELOPER)
    assert result.id_token
    issuer = f"{sandbox.url}/oauth2/default"
    metadata = Metadata(issuer, f"{issuer}/v1/authorize", f"{issuer}/v1/token", f"{issuer}/v1/keys")
    async with httpx.AsyncClient() as http:
        assert (
            await _verify_id_token(http, metadata, result.id_token, factory.native_client, None)
            == result.id_claims
        )
        assert "aud" in str(await _verify_id_token(http, metadata, result.id_token, factory.web_client, None))
        assert "nonce" in str(
            await _verify_id_token(http, metadata, result.id_token, factory.native_client, "n")
        )
        forged = result.id_token[:-4] + ("AAAA" if not result.id_token.endswith("AAAA") else "BBBB")
        assert "signature" in str(await _verify_id_token(http, metadata, forged, factory.native_client, None))
        elsewhere = Metadata(
            "https://elsewhere", metadata.authorization_endpoint, metadata.token_endpoint, metadata.jwks_uri
        )
        assert "iss" in str(
            await _verify_id_token(http, elsewhere, result.id_token, factory.native_client, None)
        )


async def test_the_oauth_log_holds_no_secrets(sandbox: OktaSandbox, factory: Factory) -> None:
    result = await sign_in(
        sandbox.url,
        "default",
        factory.web_client,
        WEB_REDIRECT,
        DEVELOPER,
        client_secret=factory.web_secret,
        pkce=False,
    )
    assert result.ok
    paths = [(e.method, e.path.rsplit("/", 1)[-1], e.status) for e in sandbox.oauth_requests]
    assert paths == [
        ("GET", "openid-configuration", 200),
        ("GET", "authorize", 302),
        ("POST", "token", 200),
        ("GET", "keys", 200),
    ]
    logged = repr(sandbox.oauth_requests)
    for secret in (factory.web_secret, result.access_token, result.id_token, result.refresh_token):
        assert secret and secret not in logged
    assert "code=%3Credacted%3E" in str(sandbox.oauth_requests[1].location)
