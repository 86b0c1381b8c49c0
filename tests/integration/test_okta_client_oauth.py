"""OktaClient with an OAuth 2.0 service app against the sandbox's org authorization server, over real
HTTP: every call the operator makes succeeds with private_key_jwt + DPoP, and the sandbox refuses each
kind of bad assertion, proof or token (a sandbox that accepted anything would prove nothing)."""

from __future__ import annotations

import hashlib
import time
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from joserfc.jwk import RSAKey

from outsystems_okta.okta import OktaAuthError, OktaClient, OktaForbiddenError
from outsystems_okta.okta.access_policies import AccessPolicy
from outsystems_okta.okta.auth import ASSERTION_TYPE, DPoPKey, TokenCache, b64url, client_assertion, sign_jwt
from outsystems_okta.okta.credentials import ServiceApp, service_app
from outsystems_okta_sandbox.okta import OktaSandbox

TOKEN = "00sandboxTOKEN-oauth-5b2d4c6e8a0b"
CLIENT_ID = "0oaSERVICEAPP"
ALL_SCOPES = [
    "okta.apps.read",
    "okta.apps.manage",
    "okta.groups.read",
    "okta.authorizationServers.read",
    "okta.authorizationServers.manage",
    "okta.policies.read",
]
KEY = rsa.generate_private_key(65537, 2048)
PEM = KEY.private_bytes(
    serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
).decode()
JWK = RSAKey.import_key(PEM).as_dict(private=False) | {"kid": "kid-1"}


def creds(scopes: list[str] = ALL_SCOPES, pem: str = PEM, key_id: str | None = "kid-1") -> ServiceApp:
    return service_app(CLIENT_ID, pem, key_id, tuple(scopes))


@pytest.fixture
async def sandbox() -> AsyncIterator[OktaSandbox]:
    sb = OktaSandbox(token=TOKEN, groups=["OutSystems Developers"])
    await sb.start()
    sb.add_service_app(CLIENT_ID, JWK, ALL_SCOPES)
    yield sb
    await sb.stop()


def oauth_client(sandbox: OktaSandbox, credentials: ServiceApp | None = None) -> OktaClient:
    return OktaClient(sandbox.url, credentials or creds(), token_cache=TokenCache())


def web_app(label: str) -> dict[str, Any]:
    return {
        "name": "oidc_client",
        "label": label,
        "signOnMode": "OPENID_CONNECT",
        "credentials": {"oauthClient": {"token_endpoint_auth_method": "client_secret_basic"}},
        "settings": {
            "oauthClient": {
                "application_type": "web",
                "grant_types": ["authorization_code"],
                "response_types": ["code"],
                "consent_method": "TRUSTED",
                "redirect_uris": ["https://dev.acme.com/cb"],
            }
        },
    }


async def test_every_call_the_operator_makes_works_with_a_service_app(sandbox: OktaSandbox) -> None:
    policy = sandbox.add_sign_in_policy("OutSystems")
    async with oauth_client(sandbox) as okta:
        created = await okta.create_app(web_app("OutSystems Consoles"))
        app_id = created["id"]
        fetched = await okta.get_app(app_id)
        assert [a["id"] for a in await okta.list_apps(q="OutSystems")] == [app_id]
        fetched["label"] = "OutSystems Consoles 2"
        assert (await okta.replace_app(app_id, fetched))["label"] == "OutSystems Consoles 2"
        secrets = await okta.list_client_secrets(app_id)
        second = await okta.create_client_secret(app_id)
        await okta.deactivate_client_secret(app_id, secrets[0]["id"])
        await okta.delete_client_secret(app_id, secrets[0]["id"])
        assert [s["id"] for s in await okta.list_client_secrets(app_id)] == [second["id"]]
        group = await okta.find_group("OutSystems Developers")
        assert group is not None
        await okta.assign_group(app_id, group["id"])
        assert [g["id"] for g in await okta.list_app_groups(app_id)] == [group["id"]]
        await okta.unassign_group(app_id, group["id"])
        assert (await okta.get_policy(policy["id"]))["id"] == policy["id"]
        await okta.assign_app_policy(app_id, policy["id"])
        assert (await okta.get_authorization_server("default"))["id"] == "default"
        policies = await okta.list_access_policies("default")
        assert policies
        await okta.list_access_policy_rules("default", policies[0].id or "")
        made = await okta.create_access_policy(
            "default",
            AccessPolicy.model_validate(
                {
                    "type": "OAUTH_AUTHORIZATION_POLICY",
                    "name": "OutSystems",
                    "description": "OutSystems apps",
                    "priority": 1,
                    "conditions": {
                        "clients": {"include": [created["credentials"]["oauthClient"]["client_id"]]}
                    },
                }
            ),
        )
        await okta.delete_access_policy("default", made.id or "")
        await okta.deactivate_app(app_id)
        await okta.activate_app(app_id)
        await okta.deactivate_app(app_id)
        await okta.delete_app(app_id)
    # One token for all of it (cached), fetched after one use_dpop_nonce round.
    assert [(e.path, e.status) for e in sandbox.oauth_requests] == [
        ("/oauth2/v1/token", 400),
        ("/oauth2/v1/token", 200),
    ]
    assert all(r.status < 400 for r in sandbox.requests), [(r.path, r.status) for r in sandbox.requests]
    assert all(r.request_headers.get("DPoP") for r in sandbox.requests)


async def test_a_missing_scope_is_refused_like_okta_with_403_e0000006(sandbox: OktaSandbox) -> None:
    async with oauth_client(sandbox, creds(["okta.apps.read"])) as okta:
        assert await okta.list_apps() == []
        with pytest.raises(OktaForbiddenError, match="E0000006"):
            await okta.create_app(web_app("x"))
        with pytest.raises(OktaForbiddenError, match="E0000006"):
            await okta.find_group("OutSystems Developers")
    assert [r.status for r in sandbox.requests] == [200, 403, 403]


async def test_scopes_not_granted_to_the_app_are_refused_at_the_token_endpoint(sandbox: OktaSandbox) -> None:
    sandbox.add_service_app(CLIENT_ID, JWK, ["okta.apps.read"])
    async with oauth_client(sandbox, creds(["okta.apps.read", "okta.apps.manage"])) as okta:
        with pytest.raises(OktaAuthError, match=r"invalid_scope.*okta\.apps\.manage"):
            await okta.list_apps()
    assert sandbox.requests == []


async def test_a_key_okta_does_not_know_is_refused(sandbox: OktaSandbox) -> None:
    other = rsa.generate_private_key(65537, 2048).private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    async with oauth_client(sandbox, creds(pem=other.decode(), key_id=None)) as okta:
        with pytest.raises(OktaAuthError, match=r"invalid_client.*signature is invalid") as caught:
            await okta.list_apps()
    assert "PRIVATE" not in str(caught.value)
    assert sandbox.requests == []


# -- each refusal, with hand-made requests -------------------------------------------------------------


class Raw:
    """Builds token requests and API calls piece by piece, so each one can be wrong in one way."""

    def __init__(self, sandbox: OktaSandbox) -> None:
        self.sandbox = sandbox
        self.token_url = sandbox.url + "/oauth2/v1/token"
        self.dpop = DPoPKey()
        self.app = creds()
        self.http = httpx.AsyncClient()

    def assertion(self, **override: Any) -> str:
        now = int(time.time())
        claims = {
            "iss": CLIENT_ID,
            "sub": CLIENT_ID,
            "aud": self.token_url,
            "iat": now,
            "exp": now + 300,
            "jti": b64url(hashlib.sha256(str(time.perf_counter_ns()).encode()).digest()),
        } | override
        return sign_jwt(
            {"alg": "RS256", "kid": "kid-1"}, {k: v for k, v in claims.items() if v is not None}, KEY
        )

    async def token(
        self,
        *,
        assertion: str | None = None,
        proof: str | bool | None = True,
        scope: str = "okta.apps.read",
        **form: str,
    ) -> httpx.Response:
        body = {
            "grant_type": "client_credentials",
            "scope": scope,
            "client_assertion_type": ASSERTION_TYPE,
            "client_assertion": assertion or client_assertion(self.app, self.token_url, time.time()),
        } | form
        headers = {}
        if proof is True:
            headers["DPoP"] = self.dpop.proof(
                "POST", self.token_url, time.time(), nonce=self.sandbox.org_auth.nonce
            )
        elif isinstance(proof, str):
            headers["DPoP"] = proof
        return await self.http.post(self.token_url, data=body, headers=headers)

    async def access_token(self, scope: str = "okta.apps.read") -> str:
        response = await self.token(scope=scope)
        assert response.status_code == 200, response.text
        return str(response.json()["access_token"])

    async def api(self, token: str, proof: str | None) -> httpx.Response:
        headers = {"Authorization": f"DPoP {token}", "Accept": "application/json"}
        if proof is not None:
            headers["DPoP"] = proof
        return await self.http.get(self.sandbox.url + "/api/v1/apps", headers=headers)


@pytest.fixture
async def raw(sandbox: OktaSandbox) -> AsyncIterator[Raw]:
    r = Raw(sandbox)
    yield r
    await r.http.aclose()


async def test_a_good_hand_made_token_request_and_call_pass(raw: Raw) -> None:
    token = await raw.access_token()
    url = raw.sandbox.url + "/api/v1/apps"
    response = await raw.api(token, raw.dpop.proof("GET", url, time.time(), access_token=token))
    assert response.status_code == 200
    assert response.json() == []


def oauth_error(response: httpx.Response) -> tuple[int, str, str]:
    body = response.json()
    return response.status_code, body["error"], body["error_description"]


@pytest.mark.parametrize(
    ("override", "description"),
    [
        ({"aud": "https://elsewhere.okta.com/oauth2/v1/token"}, "audience claim"),
        ({"exp": int(time.time()) - 10}, "expired"),
        ({"exp": int(time.time()) + 7200}, "too far in the future"),
        ({"sub": "0oaSOMEONE"}, "sub claim"),
        ({"iss": "0oaUNKNOWN", "sub": "0oaUNKNOWN"}, "not known"),
        ({"jti": None}, "jti"),
    ],
)
async def test_bad_assertions_are_refused(raw: Raw, override: dict[str, Any], description: str) -> None:
    status, error, text = oauth_error(await raw.token(assertion=raw.assertion(**override)))
    assert (status, error) == (401, "invalid_client")
    assert description in text


async def test_a_forged_assertion_signature_is_refused(raw: Raw) -> None:
    head, body, _ = raw.assertion().split(".")
    forged = sign_jwt({"alg": "RS256", "kid": "kid-1"}, {"x": 1}, rsa.generate_private_key(65537, 2048))
    status, error, text = oauth_error(await raw.token(assertion=f"{head}.{body}.{forged.split('.')[2]}"))
    assert (status, error) == (401, "invalid_client") and "signature" in text


async def test_an_assertion_is_accepted_once(raw: Raw) -> None:
    assertion = raw.assertion()
    assert (await raw.token(assertion=assertion)).status_code == 200
    status, error, text = oauth_error(await raw.token(assertion=assertion))
    assert (status, error) == (401, "invalid_client") and "already been used" in text


async def test_other_grants_and_client_authentication_are_refused(raw: Raw) -> None:
    assert oauth_error(await raw.token(grant_type="password"))[1] == "unsupported_grant_type"
    assert oauth_error(await raw.token(client_assertion_type="basic"))[:2] == (401, "invalid_client")
    assert oauth_error(await raw.token(scope=""))[1] == "invalid_scope"


async def test_token_requests_need_a_dpop_proof_with_the_current_nonce(raw: Raw) -> None:
    assert oauth_error(await raw.token(proof=None))[1:] == (
        "invalid_dpop_proof",
        "The DPoP proof JWT header is missing.",
    )
    without = await raw.token(proof=raw.dpop.proof("POST", raw.token_url, time.time()))
    assert oauth_error(without)[:2] == (400, "use_dpop_nonce")
    assert without.headers["DPoP-Nonce"] == raw.sandbox.org_auth.nonce
    stale = await raw.token(proof=raw.dpop.proof("POST", raw.token_url, time.time(), nonce="old"))
    assert oauth_error(stale)[1] == "use_dpop_nonce"


@pytest.mark.parametrize(
    ("make", "description"),
    [
        (lambda r: r.dpop.proof("GET", r.token_url, time.time(), nonce=r.sandbox.org_auth.nonce), "htm"),
        (
            lambda r: r.dpop.proof(
                "POST",
                r.sandbox.url + "/oauth2/default/v1/token",
                time.time(),
                nonce=r.sandbox.org_auth.nonce,
            ),
            "htu",
        ),
        (
            lambda r: r.dpop.proof("POST", r.token_url, time.time() - 600, nonce=r.sandbox.org_auth.nonce),
            "iat",
        ),
        (lambda r: "not.a.jwt", "not a JWT"),
        (
            lambda r: sign_jwt(
                {"typ": "JWT", "alg": "ES256", "jwk": r.dpop.jwk},
                {"htm": "POST", "htu": r.token_url, "iat": int(time.time()), "jti": "j"},
                r.dpop._key,
            ),
            "typ",
        ),
        (
            lambda r: sign_jwt(
                {"typ": "dpop+jwt", "alg": "ES256", "jwk": DPoPKey().jwk},
                {
                    "htm": "POST",
                    "htu": r.token_url,
                    "iat": int(time.time()),
                    "jti": "j2",
                    "nonce": r.sandbox.org_auth.nonce,
                },
                r.dpop._key,
            ),
            "signature",
        ),
    ],
)
async def test_bad_token_request_proofs_are_refused(raw: Raw, make: Any, description: str) -> None:
    status, error, text = oauth_error(await raw.token(proof=make(raw)))
    assert (status, error) == (400, "invalid_dpop_proof")
    assert description in text


async def test_a_reused_proof_is_refused(raw: Raw) -> None:
    proof = raw.dpop.proof("POST", raw.token_url, time.time(), nonce=raw.sandbox.org_auth.nonce)
    assert (await raw.token(proof=proof)).status_code == 200
    assert "already been used" in oauth_error(await raw.token(proof=proof))[2]


def challenge(response: httpx.Response) -> str:
    assert response.status_code == 401
    assert response.json()["errorCode"] == "E0000011"
    return response.headers["WWW-Authenticate"]


async def test_api_calls_need_a_proof_bound_to_the_token(raw: Raw) -> None:
    token = await raw.access_token()
    url = raw.sandbox.url + "/api/v1/apps"
    now = time.time()
    assert "missing" in challenge(await raw.api(token, None))
    assert "ath" in challenge(await raw.api(token, raw.dpop.proof("GET", url, now)))
    assert "ath" in challenge(await raw.api(token, raw.dpop.proof("GET", url, now, access_token="other")))
    assert "bound" in challenge(await raw.api(token, DPoPKey().proof("GET", url, now, access_token=token)))
    assert "htm" in challenge(await raw.api(token, raw.dpop.proof("POST", url, now, access_token=token)))
    assert "htu" in challenge(
        await raw.api(token, raw.dpop.proof("GET", url + "/x", now, access_token=token))
    )
    assert "iat" in challenge(await raw.api(token, raw.dpop.proof("GET", url, now - 600, access_token=token)))
    reused = raw.dpop.proof("GET", url, now, access_token=token)
    assert (await raw.api(token, reused)).status_code == 200
    assert "already been used" in challenge(await raw.api(token, reused))
    unknown = await raw.api("not-a-token", raw.dpop.proof("GET", url, now, access_token="not-a-token"))
    assert 'error="invalid_token"' in challenge(unknown)


async def test_an_ssws_token_still_works_and_a_wrong_one_does_not(sandbox: OktaSandbox) -> None:
    async with OktaClient(sandbox.url, TOKEN) as okta:
        assert await okta.list_apps() == []
    async with OktaClient(sandbox.url, TOKEN + "x") as okta:
        with pytest.raises(OktaAuthError):
            await okta.list_apps()


async def test_the_client_answers_a_resource_server_nonce_request(sandbox: OktaSandbox) -> None:
    sandbox.org_auth.require_api_nonce = True
    async with oauth_client(sandbox) as okta:
        assert await okta.list_apps() == []
        assert await okta.list_apps() == []
    statuses = [r.status for r in sandbox.requests]
    assert statuses == [401, 200, 200]  # asked once; the nonce is then sent from the start


async def test_a_revoked_token_is_replaced_once(sandbox: OktaSandbox) -> None:
    async with oauth_client(sandbox) as okta:
        await okta.list_apps()
        sandbox.org_auth.revoke_all()
        assert await okta.list_apps() == []
    assert [r.status for r in sandbox.requests] == [200, 401, 200]
    assert [e.status for e in sandbox.oauth_requests] == [400, 200, 200]
