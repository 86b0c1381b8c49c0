"""Conformance: the org authorization server's token endpoint (`POST /oauth2/v1/token`, OAUTHSPEC
operation `token`) for service apps: the form is a `TokenRequestClientCredentials`, answers are
`TokenResponseOrgAs` (200) or `OAuthError` (400/401), each checked against `oauth-minimal.yaml`."""

from __future__ import annotations

import time
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from joserfc.jwk import RSAKey

from outsystems_okta.okta import OktaAuthError, OktaClient
from outsystems_okta.okta.auth import DPoPKey, TokenCache
from outsystems_okta.okta.credentials import service_app
from outsystems_okta_sandbox.okta import OktaSandbox

from .oauth_conformance import OAuthSpec, oauth_spec

SCHEMAS = "#/components/schemas/"
KEY = rsa.generate_private_key(65537, 2048)
PEM = KEY.private_bytes(
    serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
).decode()


@pytest.fixture(scope="session")
def spec() -> OAuthSpec:
    loaded = oauth_spec()
    if loaded is None:
        pytest.skip("oauth-minimal.yaml not found (see openapi_conformance.spec_dir)")
    return loaded


def problems(spec: OAuthSpec, schema: str, value: Any, *, response: bool) -> list[str]:
    return list(spec.schemas.errors({"$ref": SCHEMAS + schema}, value, response=response))


async def test_org_token_exchanges_conform(spec: OAuthSpec, sandbox: OktaSandbox) -> None:
    jwk = RSAKey.import_key(PEM).as_dict(private=False)
    sandbox.add_service_app("0oaSVC", jwk, ["okta.apps.read"])
    good = service_app("0oaSVC", PEM, None, ("okta.apps.read",))
    async with OktaClient(sandbox.url, good, token_cache=TokenCache(), dpop_key=DPoPKey()) as okta:
        await okta.list_apps()  # 400 use_dpop_nonce, then 200
    greedy = service_app("0oaSVC", PEM, None, ("okta.apps.read", "okta.apps.manage"))
    async with OktaClient(sandbox.url, greedy, token_cache=TokenCache()) as okta:
        with pytest.raises(OktaAuthError):
            await okta.list_apps()  # 400 invalid_scope
    stranger = service_app("0oaNOBODY", PEM, None, ("okta.apps.read",))
    async with OktaClient(sandbox.url, stranger, token_cache=TokenCache()) as okta:
        with pytest.raises(OktaAuthError):
            await okta.list_apps()  # 401 invalid_client

    exchanges = [e for e in sandbox.oauth_requests if e.path == "/oauth2/v1/token"]
    assert [e.status for e in exchanges] == [400, 200, 400, 400, 401]
    found: list[str] = []
    for exchange in exchanges:
        assert exchange.form is not None and exchange.form["client_assertion"] != ""
        found += problems(spec, "TokenRequestClientCredentials", exchange.form, response=False)
        schema = "TokenResponseOrgAs" if exchange.status == 200 else "OAuthError"
        assert exchange.content_type == "application/json"
        body = dict(exchange.response_body)
        if body.get("token_type") == "DPoP":
            # The spec's TokenResponseTokenType lists only Bearer and N_A, but Okta answers DPoP-bound
            # requests with token_type DPoP (https://developer.okta.com/docs/guides/dpop/main/, and
            # RFC 9449 §5): check every other field against the spec.
            body["token_type"] = "Bearer"
        found += problems(spec, schema, body, response=True)
    assert not found, "\n".join(found)
    assert exchanges[1].response_body["token_type"] == "DPoP"


def test_the_checker_is_not_vacuous(spec: OAuthSpec) -> None:
    assert problems(spec, "TokenResponseOrgAs", {"token_type": "Mac", "expires_in": "soon"}, response=True)
    assert problems(spec, "OAuthError", {"error": 42}, response=True)
    assert problems(
        spec,
        "TokenRequestClientCredentials",
        {"grant_type": "client_credentials", "scope": 1},
        response=False,
    )
    assert not problems(
        spec, "OAuthError", {"error": "invalid_client", "error_description": str(time.time())}, response=True
    )
