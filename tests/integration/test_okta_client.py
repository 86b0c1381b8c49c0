"""OktaClient against the Okta sandbox over real HTTP on loopback (no mocks between them).

Faults, lost responses, latency and rate limits are switched on through the sandbox's `/__sandbox/`
HTTP hooks; `sandbox.requests` tells what actually reached the server.
"""

from __future__ import annotations

import asyncio
import copy
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import httpx
import pytest

from outsystems_okta.okta import (
    OktaAuthError,
    OktaClient,
    OktaForbiddenError,
    OktaNotFoundError,
    OktaRateLimitedError,
    OktaUnavailableError,
    OktaUnreachableError,
    OktaValidationError,
    ResponseInfo,
    RetryPolicy,
    bucket_for,
)
from outsystems_okta_sandbox.okta import OktaSandbox

TOKEN = "00sandboxTOKEN-7f3c9a1e5b2d4c6e8a0b"
FAST = RetryPolicy(base_delay=0.01, max_delay=0.05, rate_limit_jitter=0.1)

Hook = Callable[[str, dict[str, Any]], Awaitable[None]]


def web_app(label: str, **extra: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "name": "oidc_client",
        "label": label,
        "signOnMode": "OPENID_CONNECT",
        "credentials": {"oauthClient": {"token_endpoint_auth_method": "client_secret_basic"}},
        "profile": {
            "managedBy": "outsystems-okta-operator/ns/factory",
            "uid": "1234",
            "nested": {"k": [1, 2]},
        },
        "settings": {
            "oauthClient": {
                "application_type": "web",
                "grant_types": ["authorization_code", "refresh_token"],
                "response_types": ["code"],
                "consent_method": "TRUSTED",
                "redirect_uris": ["https://dev.acme.com/cb", "https://a.acme.com/cb"],
                "post_logout_redirect_uris": ["https://dev.acme.com/out"],
            },
            "notes": {"admin": "managed by an operator"},
        },
    }
    body.update(extra)
    return body


@pytest.fixture
async def sandbox() -> AsyncIterator[OktaSandbox]:
    sb = OktaSandbox(token=TOKEN, rate_limit_per_minute=None, groups=["OutSystems IT", "Everyone"])
    await sb.start("127.0.0.1", 0)
    yield sb
    await sb.stop()


@pytest.fixture
def infos() -> list[ResponseInfo]:
    return []


@pytest.fixture
async def okta(sandbox: OktaSandbox, infos: list[ResponseInfo]) -> AsyncIterator[OktaClient]:
    async with OktaClient(sandbox.url, TOKEN, retry=FAST, timeout=5.0, on_response=infos.append) as client:
        yield client


@pytest.fixture
async def hook(sandbox: OktaSandbox) -> AsyncIterator[Hook]:
    async with httpx.AsyncClient(base_url=sandbox.url) as http:

        async def call(name: str, payload: dict[str, Any]) -> None:
            response = await http.post(f"/__sandbox/{name}", json=payload)
            assert response.status_code == 200, response.text

        yield call


async def test_app_lifecycle_round_trip(okta: OktaClient, sandbox: OktaSandbox) -> None:
    created = await okta.create_app(web_app("OutSystems Consoles"))
    app_id = created["id"]
    assert created["status"] == "ACTIVE"
    assert created["credentials"]["oauthClient"]["client_secret"]

    fetched = await okta.get_app(app_id)
    assert "client_secret" not in fetched["credentials"]["oauthClient"]
    assert fetched["profile"] == web_app("x")["profile"]

    # Full replace: send back everything we read (fields this code knows nothing about included).
    original = copy.deepcopy(fetched)
    fetched["label"] = "OutSystems Consoles (renamed)"
    await okta.replace_app(app_id, fetched)
    after = await okta.get_app(app_id)
    for key in original.keys() - {"label", "lastUpdated"}:
        assert after[key] == original[key], key
    assert after["label"] == "OutSystems Consoles (renamed)"
    assert after["settings"]["oauthClient"]["redirect_uris"] == [
        "https://dev.acme.com/cb",
        "https://a.acme.com/cb",
    ]

    # The create response carries the secret: PUT-ing it back is refused before anything is sent.
    sent_before = len(sandbox.requests)
    with pytest.raises(ValueError, match="client_secret"):
        await okta.replace_app(app_id, created)
    assert len(sandbox.requests) == sent_before

    with pytest.raises(OktaForbiddenError) as forbidden:
        await okta.delete_app(app_id)
    assert forbidden.value.error_code == "E0000056"
    assert str(forbidden.value).startswith("Okta 403 E0000056: Delete application forbidden.")

    await okta.deactivate_app(app_id)
    assert (await okta.get_app(app_id))["status"] == "INACTIVE"
    await okta.activate_app(app_id)
    assert (await okta.get_app(app_id))["status"] == "ACTIVE"
    await okta.deactivate_app(app_id)
    await okta.delete_app(app_id)
    with pytest.raises(OktaNotFoundError) as missing:
        await okta.get_app(app_id)
    assert missing.value.error_code == "E0000007"
    await okta.delete_app(app_id)  # already gone: fine


async def test_create_inactive(okta: OktaClient) -> None:
    created = await okta.create_app(web_app("Inactive"), activate=False)
    assert created["status"] == "INACTIVE"
    await okta.delete_app(created["id"])


async def test_list_apps_pages_through_everything(okta: OktaClient, sandbox: OktaSandbox) -> None:
    ids = [(await okta.create_app(web_app(f"OutSystems app {n}")))["id"] for n in range(7)]
    await okta.create_app(web_app("Something else"))
    sandbox.clear_requests()

    listed = await okta.list_apps(q="OutSystems app", limit=2)
    assert [a["id"] for a in listed] == ids
    pages = [r for r in sandbox.requests if r.path == "/api/v1/apps"]
    assert len(pages) == 4
    assert all(r.query.get("q") == "OutSystems app" and r.query.get("limit") == "2" for r in pages)
    assert [bool(r.query.get("after")) for r in pages] == [False, True, True, True]

    assert len(await okta.list_apps()) == 8
    active = await okta.list_apps(filter='status eq "ACTIVE"', limit=3)
    assert len(active) == 8


async def test_429_is_waited_out_then_succeeds(okta: OktaClient, sandbox: OktaSandbox, hook: Hook) -> None:
    app_id = (await okta.create_app(web_app("Rate limited")))["id"]
    await hook("rate-limit", {"per_minute": 2, "window_seconds": 1.0, "bucket": "/api/v1/apps/{id}"})
    sandbox.clear_requests()

    loop = asyncio.get_running_loop()
    started = loop.time()
    for _ in range(3):
        await okta.get_app(app_id)
    assert loop.time() - started < 5

    statuses = [r.status for r in sandbox.requests]
    assert statuses == [200, 200, 429, 200]
    limited, retried = sandbox.requests[2], sandbox.requests[3]
    assert retried.request_headers.get("X-Okta-Retry-For") == limited.request_id
    assert retried.request_headers.get("X-Okta-Retry-Count") == "1"
    assert okta.rate_limit_remaining["/api/v1/apps/{id}"] == 1


async def test_429_beyond_the_bound_raises_at_once(
    okta: OktaClient, sandbox: OktaSandbox, hook: Hook
) -> None:
    app_id = (await okta.create_app(web_app("Long window")))["id"]
    await hook("rate-limit", {"per_minute": 1, "window_seconds": 300, "bucket": "/api/v1/apps/{id}"})
    await okta.get_app(app_id)
    with pytest.raises(OktaRateLimitedError) as info:
        await okta.get_app(app_id)
    assert 240 < info.value.retry_after <= 302
    assert info.value.error_code == "E0000047"
    assert [r.status for r in sandbox.requests if r.method == "GET"] == [200, 429]


async def test_5xx_then_success(okta: OktaClient, sandbox: OktaSandbox, hook: Hook) -> None:
    app_id = (await okta.create_app(web_app("Flaky")))["id"]
    await hook(
        "faults", {"status": 503, "count": 2, "method": "GET", "path_prefix": f"/api/v1/apps/{app_id}"}
    )
    sandbox.clear_requests()
    assert (await okta.get_app(app_id))["id"] == app_id
    assert [r.status for r in sandbox.requests] == [503, 503, 200]
    assert [r.request_headers.get("X-Okta-Retry-Count") for r in sandbox.requests] == [None, "1", "2"]


async def test_5xx_on_create_is_not_retried(okta: OktaClient, sandbox: OktaSandbox, hook: Hook) -> None:
    await hook("faults", {"status": 500, "count": 1, "method": "POST", "path_prefix": "/api/v1/apps"})
    with pytest.raises(OktaUnavailableError) as info:
        await okta.create_app(web_app("Once"))
    assert info.value.maybe_applied is True
    assert info.value.status == 500
    assert [(r.method, r.status) for r in sandbox.requests] == [("POST", 500)]


async def test_lost_create_response_is_not_retried(
    okta: OktaClient, sandbox: OktaSandbox, hook: Hook
) -> None:
    await hook("lose-responses", {"count": 1, "method": "POST", "path_prefix": "/api/v1/apps"})
    with pytest.raises(OktaUnavailableError) as info:
        await okta.create_app(web_app("Lost"))
    assert info.value.maybe_applied is True
    assert info.value.status is None
    posts = [r for r in sandbox.requests if r.method == "POST"]
    assert len(posts) == 1 and posts[0].lost
    # It was applied: exactly one app exists, which is why the caller must look before creating again.
    assert [a["label"] for a in await okta.list_apps(q="Lost")] == ["Lost"]


async def test_lost_idempotent_response_is_retried(
    okta: OktaClient, sandbox: OktaSandbox, hook: Hook
) -> None:
    app_id = (await okta.create_app(web_app("Lost deactivate")))["id"]
    await hook(
        "lose-responses", {"count": 1, "method": "POST", "path_prefix": f"/api/v1/apps/{app_id}/lifecycle"}
    )
    sandbox.clear_requests()
    await okta.deactivate_app(app_id)
    assert [r.lost for r in sandbox.requests] == [True, False]
    assert (await okta.get_app(app_id))["status"] == "INACTIVE"


async def test_timeouts(sandbox: OktaSandbox, hook: Hook) -> None:
    async with OktaClient(
        sandbox.url, TOKEN, timeout=0.3, retry=RetryPolicy(max_attempts=2, base_delay=0)
    ) as okta:
        await hook("latency", {"seconds": 0.6})
        with pytest.raises(OktaUnavailableError, match="ReadTimeout") as read:
            await okta.get_authorization_server("default")
        assert read.value.maybe_applied is False
        with pytest.raises(OktaUnavailableError) as create:
            await okta.create_app(web_app("Slow"))
        assert create.value.maybe_applied is True
        await hook("latency", {"seconds": 0})
        await asyncio.sleep(0.7)  # let the server finish what it was doing
        assert len(await okta.list_apps(q="Slow")) == 1  # sent once, never retried
        assert sum(1 for r in sandbox.requests if r.method == "POST") == 1


async def test_connection_refused(sandbox: OktaSandbox) -> None:
    url = sandbox.url
    await sandbox.stop()
    async with OktaClient(url, TOKEN, retry=RetryPolicy(max_attempts=3, base_delay=0)) as okta:
        with pytest.raises(OktaUnreachableError, match="ConnectError") as info:
            await okta.create_app(web_app("Nobody home"))
    assert info.value.maybe_applied is False
    assert info.value.status is None


async def test_dns_failure_is_unreachable() -> None:
    # .invalid never resolves (RFC 6761).
    async with OktaClient("https://acme.invalid", TOKEN, retry=RetryPolicy(max_attempts=1)) as okta:
        with pytest.raises(OktaUnreachableError, match="ConnectError"):
            await okta.get_app("0oa1")


async def test_tls_failure_is_unreachable(sandbox: OktaSandbox) -> None:
    # https to a plain-http port: the TLS handshake fails before any request is sent.
    https = sandbox.url.replace("http://", "https://")
    async with OktaClient(https, TOKEN, retry=RetryPolicy(max_attempts=2, base_delay=0)) as okta:
        with pytest.raises(OktaUnreachableError, match="ConnectError"):
            await okta.get_app("0oa1")
    assert sandbox.requests == []


async def test_a_5xx_is_unavailable_not_unreachable(okta: OktaClient, hook: Hook) -> None:
    await hook("faults", {"status": 503, "count": 9, "method": "GET", "path_prefix": "/api/v1/apps/0oa1"})
    with pytest.raises(OktaUnavailableError) as info:
        await okta.get_app("0oa1")
    assert not isinstance(info.value, OktaUnreachableError)


async def test_bad_token(sandbox: OktaSandbox, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    bad = "00WRONGtoken-0123456789abcdefABCDEF"
    async with OktaClient(sandbox.url, bad) as okta:
        assert bad not in repr(okta)
        with pytest.raises(OktaAuthError) as info:
            await okta.get_app("0oa1")
    exc = info.value
    assert (exc.status, exc.error_code) == (401, "E0000011")
    assert str(exc).startswith("Okta 401 E0000011: Invalid token provided (errorId oae")
    for text in (str(exc), repr(exc), repr(vars(exc)), caplog.text):
        assert bad not in text
        assert TOKEN not in text
    assert len(sandbox.requests) == 1  # 401 is not retried


async def test_groups(okta: OktaClient, sandbox: OktaSandbox, hook: Hook) -> None:
    app_id = (await okta.create_app(web_app("Grouped")))["id"]
    it = await okta.find_group("OutSystems IT")
    assert it is not None and it["profile"]["name"] == "OutSystems IT"
    assert await okta.find_group("OutSystems") is None
    assert await okta.find_group("outsystems it") is None
    await hook("groups", {"name": 'Team "Quoted" \\ Backslash'})
    quoted = await okta.find_group('Team "Quoted" \\ Backslash')
    assert quoted is not None
    everyone = await okta.find_group("Everyone")
    assert everyone is not None
    assert await okta.find_group("Everyone", type_="BUILT_IN") == everyone
    assert await okta.find_group("OutSystems IT", type_="BUILT_IN") is None

    assignment = await okta.assign_group(app_id, it["id"])
    assert assignment["id"] == it["id"]
    assert (await okta.assign_group(app_id, it["id"]))["id"] == it["id"]  # idempotent
    await okta.assign_group(app_id, quoted["id"])
    assert sorted(g["id"] for g in await okta.list_app_groups(app_id)) == sorted([it["id"], quoted["id"]])
    expanded = await okta.list_app_groups(app_id, expand="group")
    assert {g["id"]: g["_embedded"]["group"]["profile"]["name"] for g in expanded} == {
        it["id"]: "OutSystems IT",
        quoted["id"]: 'Team "Quoted" \\ Backslash',
    }

    await okta.unassign_group(app_id, quoted["id"])
    await okta.unassign_group(app_id, quoted["id"])  # not assigned any more: fine
    assert [g["id"] for g in await okta.list_app_groups(app_id)] == [it["id"]]
    puts = [r for r in sandbox.requests if r.method == "PUT" and "/groups/" in r.path]
    assert all(r.request_body == {} for r in puts)


async def test_client_secrets(okta: OktaClient) -> None:
    created = await okta.create_app(web_app("With secret"))
    secrets = await okta.list_client_secrets(created["id"])
    assert len(secrets) == 1
    assert secrets[0]["status"] == "ACTIVE"
    assert secrets[0]["client_secret"] == created["credentials"]["oauthClient"]["client_secret"]


async def test_client_secret_lifecycle_and_the_two_secret_limit(
    okta: OktaClient, sandbox: OktaSandbox
) -> None:
    app_id = (await okta.create_app(web_app("Rotating")))["id"]
    (first,) = await okta.list_client_secrets(app_id)
    second = await okta.create_client_secret(app_id)
    assert second["status"] == "ACTIVE" and second["client_secret"] not in ("", first["client_secret"])
    assert second["id"] != first["id"] and second["created"]
    assert [s["id"] for s in await okta.list_client_secrets(app_id)] == [first["id"], second["id"]]

    # Okta keeps two secret objects per app: the third is refused (400 E0000001), and not retried.
    sandbox.clear_requests()
    with pytest.raises(OktaValidationError) as limit:
        await okta.create_client_secret(app_id)
    assert limit.value.status == 400 and limit.value.error_code == "E0000001"
    assert limit.value.causes == ("You've reached the maximum number of client secrets per client.",)
    assert [r.method for r in sandbox.requests] == ["POST"]

    # An ACTIVE secret cannot be deleted; the only ACTIVE one cannot be deactivated.
    with pytest.raises(OktaValidationError):
        await okta.delete_client_secret(app_id, first["id"])
    await okta.deactivate_client_secret(app_id, first["id"])
    await okta.deactivate_client_secret(app_id, first["id"])  # already INACTIVE: fine
    with pytest.raises(OktaValidationError) as only:
        await okta.deactivate_client_secret(app_id, second["id"])
    assert only.value.causes == ("You can't deactivate the only active client secret.",)
    await okta.delete_client_secret(app_id, first["id"])
    await okta.delete_client_secret(app_id, first["id"])  # already gone (404): fine
    assert [(s["id"], s["status"]) for s in await okta.list_client_secrets(app_id)] == [
        (second["id"], "ACTIVE")
    ]


async def test_a_lost_secret_create_is_not_retried(okta: OktaClient, sandbox: OktaSandbox) -> None:
    app_id = (await okta.create_app(web_app("Lost secret")))["id"]
    sandbox.lose_responses(1, method="POST", path_prefix=f"/api/v1/apps/{app_id}/credentials/secrets")
    with pytest.raises(OktaUnavailableError) as lost:
        await okta.create_client_secret(app_id)
    assert lost.value.maybe_applied
    assert len(await okta.list_client_secrets(app_id)) == 2, "Okta made it; the client did not try again"


async def test_authorization_server(okta: OktaClient, sandbox: OktaSandbox) -> None:
    server = await okta.get_authorization_server("default")
    assert server["issuer"] == f"{sandbox.url}/oauth2/default"
    with pytest.raises(OktaNotFoundError):
        await okta.get_authorization_server("nope")


async def test_telemetry_and_buckets_agree_with_the_sandbox(
    okta: OktaClient, sandbox: OktaSandbox, infos: list[ResponseInfo]
) -> None:
    app_id = (await okta.create_app(web_app("Metered")))["id"]
    await okta.get_app(app_id)
    await okta.list_apps(limit=1)
    await okta.list_client_secrets(app_id)
    await okta.find_group("OutSystems IT")
    await okta.get_authorization_server("default")
    assert len(infos) == len(sandbox.requests)
    for info, record in zip(infos, sandbox.requests, strict=True):
        assert info.status == record.status
        assert info.method == record.method
        assert info.bucket == record.bucket == bucket_for(record.method, record.path)
    assert set(okta.rate_limit_remaining) == {
        "/api/v1/apps",
        "/api/v1/apps/{id}",
        "/api/v1/groups",
        "/api/v1",
    }
    assert [i.operation for i in infos][:2] == ["createApplication", "getApplication"]
