"""The OAuth service app auth flow (okta/auth.py) over httpx.MockTransport: assertion and proof claims,
the nonce retries, the token cache, refusals, and that no key or token shows in a repr or message."""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qsl

import httpx
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from joserfc import jwt
from joserfc.jwk import ECKey, RSAKey, import_key

from outsystems_okta.okta import (
    OktaAuthError,
    OktaClient,
    OktaClientPool,
    OktaProtocolError,
    OktaUnavailableError,
    Pacing,
    ResponseInfo,
    RetryPolicy,
)
from outsystems_okta.okta.auth import ASSERTION_TYPE, DPoPKey, TokenCache, htu
from outsystems_okta.okta.credentials import InvalidCredentials, ServiceApp, SswsToken, service_app
from outsystems_okta.okta.readonly import read_only_client

ORG = "https://acme.okta.com"
TOKEN_URL = ORG + "/oauth2/v1/token"
SCOPES = ("okta.apps.read", "okta.apps.manage")
FAST = RetryPolicy(base_delay=0.0, max_delay=0.0, rate_limit_jitter=0.0)


def pem_of(key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey) -> str:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()


RSA_KEY = rsa.generate_private_key(65537, 2048)
RSA_PEM = pem_of(RSA_KEY)
RSA_PUBLIC = RSAKey.import_key(RSA_PEM).as_dict(private=False)


def decode(token: str, key: Any, alg: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """Header and claims, after verifying the signature (a broken signature raises)."""
    decoded = jwt.decode(token, import_key(key) if isinstance(key, dict) else key, algorithms=[alg])
    return dict(decoded.header), dict(decoded.claims)


def b64sha(value: str) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(value.encode()).digest()).rstrip(b"=").decode()


class FakeOkta:
    """A token endpoint and an API that record what they got; `token_answers` scripts the token endpoint."""

    def __init__(self) -> None:
        self.token_requests: list[httpx.Request] = []
        self.api_requests: list[httpx.Request] = []
        self.token_answers: list[Callable[[httpx.Request], httpx.Response]] = []
        self.api_answers: list[Callable[[httpx.Request], httpx.Response]] = []
        self.issued = 0

    def handler(self, request: httpx.Request) -> httpx.Response:
        # A snapshot: an auth flow may re-send the same Request object with new headers.
        request = httpx.Request(
            request.method, request.url, headers=request.headers.copy(), content=request.read()
        )
        if request.url.path == "/oauth2/v1/token":
            self.token_requests.append(request)
            if self.token_answers:
                return self.token_answers.pop(0)(request)
            return self.issue(request)
        self.api_requests.append(request)
        if self.api_answers:
            return self.api_answers.pop(0)(request)
        return httpx.Response(200, json=[])

    def issue(self, request: httpx.Request, expires_in: int = 3600) -> httpx.Response:
        self.issued += 1
        return httpx.Response(
            200,
            json={
                "token_type": "DPoP",
                "expires_in": expires_in,
                "access_token": f"at-{self.issued}",
                "scope": "",
            },
        )


def nonce_please(request: httpx.Request) -> httpx.Response:
    return httpx.Response(
        400,
        json={
            "error": "use_dpop_nonce",
            "error_description": "Authorization server requires nonce in DPoP proof.",
        },
        headers={"DPoP-Nonce": "n-1"},
    )


class Clock:
    def __init__(self) -> None:
        self.now = 1_900_000_000.0

    def __call__(self) -> float:
        return self.now


def app(pem: str = RSA_PEM, key_id: str | None = "kid-1") -> ServiceApp:
    return service_app("0oaSERVICE", pem, key_id, SCOPES)


def client(fake: FakeOkta, creds: ServiceApp | None = None, **kwargs: Any) -> OktaClient:
    kwargs.setdefault("token_cache", TokenCache())
    kwargs.setdefault("retry", FAST)
    return OktaClient(ORG, creds or app(), transport=httpx.MockTransport(fake.handler), **kwargs)


def form(request: httpx.Request) -> dict[str, str]:
    return dict(parse_qsl(request.content.decode()))


# -- the token request ------------------------------------------------------------------------------


async def test_token_request_is_client_credentials_with_a_signed_assertion_for_the_token_endpoint() -> None:
    fake, clock = FakeOkta(), Clock()
    async with client(fake, clock=clock) as okta:
        await okta.list_apps()
    (request,) = fake.token_requests
    sent = form(request)
    assert request.method == "POST"
    assert request.headers["content-type"] == "application/x-www-form-urlencoded"
    assert sent["grant_type"] == "client_credentials"
    assert sent["scope"] == "okta.apps.read okta.apps.manage"
    assert sent["client_assertion_type"] == ASSERTION_TYPE
    header, claims = decode(sent["client_assertion"], RSA_PUBLIC, "RS256")
    assert header["alg"] == "RS256" and header["kid"] == "kid-1"
    assert claims["iss"] == claims["sub"] == "0oaSERVICE"
    assert claims["aud"] == TOKEN_URL
    assert claims["iat"] == int(clock.now)
    assert 0 < claims["exp"] - clock.now <= 300
    assert len(claims["jti"]) >= 16
    assert "client_secret" not in sent


async def test_ec_keys_sign_es256_assertions_and_no_kid_means_no_kid_header() -> None:
    key = ec.generate_private_key(ec.SECP256R1())
    fake = FakeOkta()
    async with client(fake, app(pem_of(key), key_id=None)) as okta:
        await okta.list_apps()
    header, claims = decode(
        form(fake.token_requests[0])["client_assertion"],
        ECKey.import_key(pem_of(key)).as_dict(private=False),
        "ES256",
    )
    assert header["alg"] == "ES256" and "kid" not in header
    assert claims["sub"] == "0oaSERVICE"


async def test_token_request_carries_a_dpop_proof_of_the_process_key_not_the_client_key() -> None:
    fake, clock, dpop = FakeOkta(), Clock(), DPoPKey()
    async with client(fake, clock=clock, dpop_key=dpop) as okta:
        await okta.list_apps()
    proof = fake.token_requests[0].headers["DPoP"]
    header, claims = decode(proof, dpop.jwk, "ES256")
    assert header["typ"] == "dpop+jwt" and header["alg"] == "ES256"
    assert header["jwk"] == dpop.jwk and "d" not in header["jwk"]
    assert header["jwk"]["kty"] == "EC"  # never the service app's RSA key
    assert claims["htm"] == "POST" and claims["htu"] == TOKEN_URL and claims["iat"] == int(clock.now)
    assert "nonce" not in claims and "ath" not in claims
    assert import_key(dict[str, Any](dpop.jwk)).thumbprint() == dpop.thumbprint  # RFC 7638


async def test_use_dpop_nonce_is_answered_with_the_nonce_and_a_new_assertion() -> None:
    fake = FakeOkta()
    fake.token_answers = [nonce_please]
    async with client(fake) as okta:
        await okta.list_apps()
    first, second = fake.token_requests
    _, first_proof = decode(first.headers["DPoP"], _jwk(first), "ES256")
    _, second_proof = decode(second.headers["DPoP"], _jwk(second), "ES256")
    assert "nonce" not in first_proof and second_proof["nonce"] == "n-1"
    assert first_proof["jti"] != second_proof["jti"]
    _, a1 = decode(form(first)["client_assertion"], RSA_PUBLIC, "RS256")
    _, a2 = decode(form(second)["client_assertion"], RSA_PUBLIC, "RS256")
    assert a1["jti"] != a2["jti"]  # Okta spends the first assertion even when it asks for a nonce
    assert len(fake.api_requests) == 1


async def test_the_nonce_is_remembered_for_the_next_token_request() -> None:
    fake, clock = FakeOkta(), Clock()
    fake.token_answers = [nonce_please, lambda r: fake.issue(r, expires_in=120)]
    async with client(fake, clock=clock) as okta:
        await okta.list_apps()
        clock.now += 100
        await okta.list_apps()
    assert len(fake.token_requests) == 3
    _, third = decode(fake.token_requests[2].headers["DPoP"], _jwk(fake.token_requests[2]), "ES256")
    assert third["nonce"] == "n-1"


def _jwk(request: httpx.Request) -> dict[str, Any]:
    header = json.loads(base64.urlsafe_b64decode(request.headers["DPoP"].split(".")[0] + "=="))
    return dict(header["jwk"])


# -- API calls --------------------------------------------------------------------------------------


async def test_api_calls_carry_the_dpop_token_and_a_fresh_proof_with_ath_and_htu_without_query() -> None:
    fake, dpop = FakeOkta(), DPoPKey()
    async with client(fake, dpop_key=dpop) as okta:
        await okta.list_apps(q="OutSystems")
        await okta.list_apps(q="OutSystems")
    first, second = fake.api_requests
    assert first.headers["Authorization"] == "DPoP at-1"
    _, c1 = decode(first.headers["DPoP"], dpop.jwk, "ES256")
    _, c2 = decode(second.headers["DPoP"], dpop.jwk, "ES256")
    assert c1["htm"] == "GET" and c1["htu"] == ORG + "/api/v1/apps"
    assert c1["ath"] == b64sha("at-1")
    assert c1["jti"] != c2["jti"]
    assert htu("https://x.okta.com/a/b?c=d#e") == "https://x.okta.com/a/b"


async def test_a_resource_server_asking_for_a_nonce_gets_one_retry_with_it() -> None:
    fake, dpop = FakeOkta(), DPoPKey()
    fake.api_answers = [
        lambda r: httpx.Response(
            401,
            headers={"WWW-Authenticate": 'DPoP error="use_dpop_nonce"', "DPoP-Nonce": "rs-1"},
            json={"errorCode": "E0000011", "errorSummary": "Invalid token provided"},
        )
    ]
    async with client(fake, dpop_key=dpop) as okta:
        assert await okta.list_apps() == []
    first, second = fake.api_requests
    _, c1 = decode(first.headers["DPoP"], dpop.jwk, "ES256")
    _, c2 = decode(second.headers["DPoP"], dpop.jwk, "ES256")
    assert "nonce" not in c1 and c2["nonce"] == "rs-1"


# -- the cache --------------------------------------------------------------------------------------


async def test_the_token_is_cached_until_shortly_before_it_expires() -> None:
    fake, clock = FakeOkta(), Clock()
    async with client(fake, clock=clock) as okta:
        await okta.list_apps()
        clock.now += 3600 - 61
        await okta.list_apps()
        assert len(fake.token_requests) == 1
        clock.now += 1  # within 60 s of expiry: renewed before it can die on the way
        await okta.list_apps()
    assert len(fake.token_requests) == 2
    assert [r.headers["Authorization"] for r in fake.api_requests] == ["DPoP at-1", "DPoP at-1", "DPoP at-2"]


async def test_the_cache_is_shared_by_clients_of_the_same_org_client_and_key_only() -> None:
    fake, cache, dpop = FakeOkta(), TokenCache(), DPoPKey()
    other_key = pem_of(rsa.generate_private_key(65537, 2048))
    for creds in (app(), app(), app(other_key), service_app("0oaOTHER", RSA_PEM, "kid-1", SCOPES)):
        async with client(fake, creds, token_cache=cache, dpop_key=dpop) as okta:
            await okta.list_apps()
    assert len(fake.token_requests) == 3
    assert len(cache) == 3


async def test_a_401_on_a_cached_token_gets_one_new_token_and_one_retry() -> None:
    fake = FakeOkta()
    async with client(fake) as okta:
        await okta.list_apps()
        fake.api_answers = [lambda r: httpx.Response(401, json={"errorCode": "E0000011"})]
        assert await okta.list_apps() == []
    assert len(fake.token_requests) == 2
    assert [r.headers["Authorization"] for r in fake.api_requests] == ["DPoP at-1", "DPoP at-1", "DPoP at-2"]


async def test_a_401_on_a_brand_new_token_is_not_retried() -> None:
    fake = FakeOkta()
    fake.api_answers = [
        lambda r: httpx.Response(401, json={"errorCode": "E0000011", "errorSummary": "Invalid"})
    ]
    async with client(fake) as okta:
        with pytest.raises(OktaAuthError):
            await okta.list_apps()
    assert len(fake.token_requests) == 1 and len(fake.api_requests) == 1


# -- failures ---------------------------------------------------------------------------------------


async def test_a_refused_client_is_an_auth_error_that_names_the_client_and_okta_reason() -> None:
    fake = FakeOkta()
    fake.token_answers = [
        lambda r: httpx.Response(
            401,
            json={
                "error": "invalid_client",
                "error_description": "The client_assertion signature is invalid.",
            },
        )
    ]
    async with client(fake) as okta:
        with pytest.raises(OktaAuthError) as caught:
            await okta.list_apps()
    message = str(caught.value)
    assert "invalid_client" in message and "signature is invalid" in message and "0oaSERVICE" in message
    assert "PRIVATE KEY" not in message and RSA_PEM.splitlines()[1] not in message
    assert fake.api_requests == []


async def test_token_endpoint_5xx_is_retried_with_a_new_assertion_each_time() -> None:
    fake = FakeOkta()
    fake.token_answers = [lambda r: httpx.Response(503), lambda r: httpx.Response(503)]
    slept: list[float] = []

    async def sleep(seconds: float) -> None:
        slept.append(seconds)

    async with client(fake, sleep=sleep) as okta:
        assert await okta.list_apps() == []
    jtis = [decode(form(r)["client_assertion"], RSA_PUBLIC, "RS256")[1]["jti"] for r in fake.token_requests]
    assert len(jtis) == 3 and len(set(jtis)) == 3
    assert len(slept) == 2


async def test_a_token_that_is_not_dpop_bound_is_refused() -> None:
    fake = FakeOkta()
    fake.token_answers = [
        lambda r: httpx.Response(200, json={"token_type": "Bearer", "access_token": "x", "expires_in": 3600})
    ]
    async with client(fake) as okta:
        with pytest.raises(OktaProtocolError, match="DPoP"):
            await okta.list_apps()


async def test_ssws_tokens_still_go_as_ssws_headers() -> None:
    fake = FakeOkta()
    async with OktaClient(ORG, "00abcdefghij", transport=httpx.MockTransport(fake.handler)) as okta:
        await okta.list_apps()
    assert fake.api_requests[0].headers["Authorization"] == "SSWS 00abcdefghij"
    assert "DPoP" not in fake.api_requests[0].headers and fake.token_requests == []


async def test_the_read_only_client_may_ask_for_a_token_but_still_never_writes() -> None:
    fake = FakeOkta()
    okta = read_only_client(ORG, app(), inner=httpx.MockTransport(fake.handler), token_cache=TokenCache())
    async with okta:
        assert await okta.list_apps() == []
        with pytest.raises(Exception, match="only reads"):
            await okta.activate_app("0oa1")
    assert len(fake.token_requests) == 1
    assert [r.method for r in fake.api_requests] == ["GET"]


# -- credentials ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("pem", "expected"),
    [
        ("not a key", "not an unencrypted PEM private key"),
        (RSA_PEM.replace("A", "B", 40), "not an unencrypted PEM private key"),
        (pem_of(rsa.generate_private_key(65537, 1024)), "1024 bits"),
        (pem_of(ec.generate_private_key(ec.SECP256K1())), "secp256k1"),
        (
            RSA_KEY.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.BestAvailableEncryption(b"pw"),
            ).decode(),
            "not an unencrypted PEM private key",
        ),
    ],
)
def test_unusable_keys_are_refused_without_echoing_them(pem: str, expected: str) -> None:
    with pytest.raises(InvalidCredentials, match=expected) as caught:
        service_app("0oaSERVICE", pem, None, SCOPES)
    body = [line for line in pem.splitlines() if line and not line.startswith("-----")]
    assert not any(line[:20] in str(caught.value) for line in body)


@pytest.mark.parametrize(("client_id", "key_id"), [("", None), ("a b", None), ("0oa", ""), ("0oa", "k 1")])
def test_client_id_and_key_id_must_be_header_safe(client_id: str, key_id: str | None) -> None:
    with pytest.raises(InvalidCredentials):
        service_app(client_id, RSA_PEM, key_id, SCOPES)


async def test_no_key_or_token_in_any_repr() -> None:
    fake = FakeOkta()
    creds = app()
    okta = client(fake, creds)
    async with okta:
        await okta.list_apps()
    pool = OktaClientPool(lambda url, c: OktaClient(url, c, transport=httpx.MockTransport(fake.handler)))
    async with pool.connect(ORG, creds):
        pass
    texts = [
        repr(creds),
        str(creds),
        repr(okta),
        repr(okta._auth),
        repr(SswsToken("00abcdefghij")),
        repr(pool._clients),
    ]
    secret_bits = [RSA_PEM.splitlines()[1][:20], "at-1", "00abcdefghij"]
    assert not [(t, s) for t in texts for s in secret_bits if s in t]
    assert "0oaSERVICE" in repr(creds)
    await pool.aclose()


async def test_the_pool_keeps_one_client_per_credentials_digest() -> None:
    made: list[object] = []

    def factory(url: str, creds: str | ServiceApp | SswsToken) -> OktaClient:
        made.append(creds)
        return OktaClient(url, creds, transport=httpx.MockTransport(FakeOkta().handler))

    pool = OktaClientPool(factory)
    other = pem_of(rsa.generate_private_key(65537, 2048))
    for creds in (app(), app(), app(other), service_app("0oaSERVICE", RSA_PEM, "kid-1", ("okta.apps.read",))):
        async with pool.connect(ORG, creds):
            pass
    assert len(made) == 3  # same client and key: one; a new key or other scopes: a new client
    await pool.aclose()


async def test_a_create_is_retried_after_a_token_endpoint_5xx_since_it_was_never_sent() -> None:
    fake = FakeOkta()
    fake.token_answers = [lambda r: httpx.Response(503)]
    fake.api_answers = [lambda r: httpx.Response(200, json={"id": "0oa1"})]

    async def sleep(seconds: float) -> None:
        pass

    async with client(fake, sleep=sleep) as okta:
        assert (await okta.create_app({"label": "x"}))["id"] == "0oa1"
    assert len(fake.token_requests) == 2 and [r.method for r in fake.api_requests] == ["POST"]


async def test_a_create_whose_own_5xx_may_have_applied_is_still_not_retried() -> None:
    fake = FakeOkta()
    fake.api_answers = [lambda r: httpx.Response(503)]
    async with client(fake) as okta:
        with pytest.raises(OktaUnavailableError) as caught:
            await okta.create_app({"label": "x"})
    assert caught.value.maybe_applied and len(fake.api_requests) == 1


def test_the_cache_forgets_tokens_past_their_refresh_time() -> None:
    cache = TokenCache()
    cache.put(("u", "a", "k"), "t1", 3600, now=0)
    cache.put(("u", "b", "k"), "t2", 120, now=0)
    assert cache.get(("u", "b", "k"), now=59) == "t2" and cache.get(("u", "b", "k"), now=60) is None
    cache.put(("u", "c", "k"), "t3", 3600, now=100)
    assert len(cache) == 2 and cache.get(("u", "a", "k"), now=100) == "t1"
    assert "t1" not in repr(cache)


async def test_a_token_endpoint_429_is_not_booked_against_the_api_bucket() -> None:
    # The token endpoint has its own rate limit: its 429 says nothing of /api/v1/apps, so neither the
    # budget books nor the telemetry may take its headers for that bucket's.
    fake = FakeOkta()
    clock = Clock()
    exhausted = {
        "X-Rate-Limit-Limit": "600",
        "X-Rate-Limit-Remaining": "0",
        "X-Rate-Limit-Reset": str(int(clock.now) + 30),
    }
    fake.token_answers = [lambda r: httpx.Response(429, json={"errorCode": "E0000047"}, headers=exhausted)]
    fake.api_answers = [
        lambda r: httpx.Response(
            200,
            json=[],
            headers={
                "X-Rate-Limit-Limit": "100",
                "X-Rate-Limit-Remaining": "99",
                "X-Rate-Limit-Reset": str(int(clock.now) + 60),
            },
        )
    ]
    infos: list[ResponseInfo] = []

    async def sleep(seconds: float) -> None:
        clock.now += seconds

    async with client(
        fake, clock=clock, sleep=sleep, on_response=infos.append, pacing=Pacing(budget=0.5, concurrency=1)
    ) as okta:
        assert await okta.list_apps() == []
    assert [(i.status, i.rate_limit_limit, i.rate_limit_remaining) for i in infos] == [
        (429, None, None),
        (200, 100, 99),
    ]
    # The retry was not held back by the token endpoint's exhausted window.
    assert [i.paced for i in infos] == [0.0, 0.0]
