"""Cross-cutting behaviour: auth, the 411 rule, headers, rate limits, faults, lost responses,
latency, the request log, authorization servers/discovery, and the /__sandbox/ hooks over HTTP."""

from __future__ import annotations

import asyncio
import time
from urllib.parse import urlsplit

import httpx
import pytest

from outsystems_okta_sandbox.okta import OktaSandbox

from .conftest import TOKEN, create_app, error_of, native_app, web_app


async def _raw(url: str, request: bytes) -> tuple[int, bytes]:
    """Send bytes as-is (httpx always adds Content-Length) and return (status, raw response)."""
    parts = urlsplit(url)
    assert parts.hostname is not None and parts.port is not None
    reader, writer = await asyncio.open_connection(parts.hostname, parts.port)
    writer.write(request)
    await writer.drain()
    data = await asyncio.wait_for(reader.read(), timeout=5)
    writer.close()
    await writer.wait_closed()
    return int(data.split(b" ", 2)[1]), data


# ---- auth and headers ---------------------------------------------------------------------------


@pytest.mark.parametrize("header", [None, "SSWS wrong-token", f"Bearer {TOKEN}", TOKEN])
async def test_requests_without_the_api_token_are_401(
    anonymous: httpx.AsyncClient, sandbox: OktaSandbox, header: str | None
) -> None:
    headers = {"Authorization": header} if header else {}
    response = await anonymous.get("/api/v1/apps", headers=headers)
    assert response.status_code == 401
    assert error_of(response) == ("E0000011", "Invalid token provided", [])
    assert response.headers["X-Okta-Request-Id"]
    assert "X-Rate-Limit-Remaining" in response.headers
    assert sandbox.requests[-1].status == 401
    assert sandbox.state.apps == {}


async def test_every_api_response_has_request_id_and_rate_limit_headers(client: httpx.AsyncClient) -> None:
    first = await client.get("/api/v1/apps")
    second = await client.get("/api/v1/apps/0oaDOESNOTEXIST00000")
    ids = {first.headers["X-Okta-Request-Id"], second.headers["X-Okta-Request-Id"]}
    assert len(ids) == 2
    for response in (first, second):
        assert int(response.headers["X-Rate-Limit-Limit"]) > 0
        assert int(response.headers["X-Rate-Limit-Remaining"]) < int(response.headers["X-Rate-Limit-Limit"])
        reset = int(response.headers["X-Rate-Limit-Reset"])
        assert time.time() - 1 <= reset <= time.time() + 61
    assert first.headers["X-Rate-Limit-Limit"] == "100"  # the scarce /api/v1/apps bucket
    assert second.headers["X-Rate-Limit-Limit"] == "600"  # /api/v1/apps/{id}


async def test_unknown_endpoints_and_methods(client: httpx.AsyncClient) -> None:
    missing = await client.get("/api/v1/nothing-here")
    assert missing.status_code == 404 and error_of(missing)[0] == "E0000007"
    wrong_method = await client.patch("/api/v1/apps")
    assert wrong_method.status_code == 405 and error_of(wrong_method)[0] == "E0000022"


# ---- the 411 rule -------------------------------------------------------------------------------


async def test_post_or_put_without_content_length_is_411(
    client: httpx.AsyncClient, sandbox: OktaSandbox
) -> None:
    app = await create_app(client, web_app(), activate="false")
    host = urlsplit(sandbox.url).netloc
    request = (
        f"POST /api/v1/apps/{app['id']}/lifecycle/activate HTTP/1.1\r\nHost: {host}\r\n"
        f"Authorization: SSWS {TOKEN}\r\nAccept: application/json\r\nConnection: close\r\n\r\n"
    ).encode()
    status, raw = await _raw(sandbox.url, request)
    assert status == 411 and b"X-Okta-Request-Id" in raw
    assert sandbox.state.apps[app["id"]].status == "INACTIVE"

    with_length = request.replace(b"Connection: close", b"Content-Length: 0\r\nConnection: close")
    status, _ = await _raw(sandbox.url, with_length)
    assert status == 200
    assert sandbox.state.apps[app["id"]].status == "ACTIVE"

    # a well-behaved client (httpx sends Content-Length: 0 on body-less POST/PUT) never sees a 411
    assert (await client.post(f"/api/v1/apps/{app['id']}/lifecycle/deactivate")).status_code == 200


# ---- rate limits --------------------------------------------------------------------------------


async def test_rate_limit_429_then_recovery(client: httpx.AsyncClient, sandbox: OktaSandbox) -> None:
    app = await create_app(client, native_app())
    sandbox.set_rate_limit(2, window_seconds=1)
    ok = [await client.get("/api/v1/apps") for _ in range(2)]
    assert [r.headers["X-Rate-Limit-Remaining"] for r in ok] == ["1", "0"]
    assert all(r.headers["X-Rate-Limit-Limit"] == "2" for r in ok)

    limited = await client.get("/api/v1/apps")
    assert limited.status_code == 429
    assert error_of(limited) == ("E0000047", "API call exceeded rate limit due to too many requests.", [])
    assert limited.headers["X-Rate-Limit-Remaining"] == "0"
    reset = int(limited.headers["X-Rate-Limit-Reset"])
    assert time.time() - 1 <= reset <= time.time() + 2

    # another bucket has its own counter
    assert (await client.get(f"/api/v1/apps/{app['id']}")).status_code == 200

    await asyncio.sleep(max(reset - time.time(), 0) + 0.05)  # what a client should do with Reset
    recovered = await client.get("/api/v1/apps")
    assert recovered.status_code == 200 and recovered.headers["X-Rate-Limit-Remaining"] == "1"

    sandbox.set_rate_limit(None)
    assert [(await client.get("/api/v1/apps")).status_code for _ in range(5)] == [200] * 5


async def test_rate_limit_for_one_bucket(client: httpx.AsyncClient, sandbox: OktaSandbox) -> None:
    sandbox.set_rate_limit(1, bucket="/api/v1/apps", window_seconds=1)
    app = await create_app(client, web_app())  # POST /api/v1/apps uses the budget
    assert (await client.post(f"/api/v1/apps/{app['id']}/lifecycle/deactivate")).status_code == 429
    assert (await client.get(f"/api/v1/apps/{app['id']}")).status_code == 200  # /api/v1/apps/{id}
    groups = await client.get("/api/v1/groups")
    assert groups.status_code == 200 and groups.headers["X-Rate-Limit-Limit"] == "600"
    assert [r.status for r in sandbox.requests if r.bucket == "/api/v1/apps"] == [200, 429]


async def test_constructor_rate_limit() -> None:
    okta = OktaSandbox(token="t" * 20, rate_limit_per_minute=1, rate_limit_window_seconds=1)
    url = await okta.start()
    try:
        async with httpx.AsyncClient(base_url=url, headers={"Authorization": f"SSWS {'t' * 20}"}) as http:
            assert (await http.get("/api/v1/groups")).status_code == 200
            assert (await http.get("/api/v1/groups")).status_code == 429
    finally:
        await okta.stop()


# ---- faults, lost responses, latency ------------------------------------------------------------


async def test_injected_faults_leave_state_untouched(client: httpx.AsyncClient, sandbox: OktaSandbox) -> None:
    sandbox.inject_fault(503, count=2, method="POST", path_prefix="/api/v1/apps")
    for _ in range(2):
        response = await client.post("/api/v1/apps", json=web_app())
        assert response.status_code == 503
        assert error_of(response)[0] == "E0000010"
        assert response.headers["X-Okta-Request-Id"]
    assert sandbox.state.apps == {}
    assert (await client.get("/api/v1/apps")).status_code == 200  # GET doesn't match
    assert (await client.post("/api/v1/apps", json=web_app())).status_code == 200
    assert [(r.method, r.status, r.injected) for r in sandbox.requests] == [
        ("POST", 503, True),
        ("POST", 503, True),
        ("GET", 200, False),
        ("POST", 200, False),
    ]


async def test_injected_429_looks_like_okta(client: httpx.AsyncClient, sandbox: OktaSandbox) -> None:
    sandbox.inject_fault(429)
    response = await client.get("/api/v1/groups")
    assert response.status_code == 429 and error_of(response)[0] == "E0000047"
    assert response.headers["X-Rate-Limit-Remaining"] == "0"


async def test_lost_responses_are_applied(client: httpx.AsyncClient, sandbox: OktaSandbox) -> None:
    sandbox.lose_responses(1, method="POST", path_prefix="/api/v1/apps")
    with pytest.raises(httpx.TransportError):
        await client.post("/api/v1/apps", json=web_app())
    [app] = sandbox.state.apps.values()  # created although the client never heard back
    lost = sandbox.requests[-1]
    assert lost.lost and lost.status == 200 and lost.response_body["id"] == app.id
    listed = await client.get("/api/v1/apps", params={"q": "OutSystems Consoles"})
    assert [item["id"] for item in listed.json()] == [app.id]  # how a client recovers


async def test_a_lost_call_can_be_applied_after_the_client_gave_up(
    client: httpx.AsyncClient, sandbox: OktaSandbox
) -> None:
    sandbox.lose_responses(1, method="POST", path_prefix="/api/v1/apps", apply_after=0.3)
    with pytest.raises(httpx.TransportError):
        await client.post("/api/v1/apps", json=web_app())
    listed = await client.get("/api/v1/apps", params={"q": "OutSystems Consoles"})
    assert listed.json() == [] and not sandbox.state.apps  # not there yet when the client looks
    await asyncio.sleep(0.5)
    [app] = sandbox.state.apps.values()  # and then it is
    lost = sandbox.requests[-1]
    assert lost.lost and lost.method == "POST" and lost.response_body["id"] == app.id


async def test_a_call_can_be_applied_and_answered_with_an_error(
    client: httpx.AsyncClient, sandbox: OktaSandbox
) -> None:
    sandbox.lose_responses(1, method="POST", path_prefix="/api/v1/apps", answer=502)
    response = await client.post("/api/v1/apps", json=web_app())
    assert response.status_code == 502
    [app] = sandbox.state.apps.values()  # applied all the same
    assert sandbox.requests[-1].injected and app.label == "OutSystems Consoles"


async def test_a_429_without_rate_limit_headers(client: httpx.AsyncClient, sandbox: OktaSandbox) -> None:
    sandbox.inject_fault(429, rate_limit_headers=False)
    response = await client.get("/api/v1/groups")
    assert response.status_code == 429 and "X-Rate-Limit-Reset" not in response.headers
    assert "X-Rate-Limit-Reset" in (await client.get("/api/v1/groups")).headers


async def test_a_call_a_client_timed_out_on_is_applied(
    client: httpx.AsyncClient, sandbox: OktaSandbox
) -> None:
    sandbox.slow_down(0.4, 1, method="POST", path_prefix="/api/v1/apps")
    with pytest.raises(httpx.ReadTimeout):
        await client.post("/api/v1/apps", json=web_app(), timeout=0.1)
    assert not sandbox.state.apps
    await asyncio.sleep(0.5)
    assert len(sandbox.state.apps) == 1  # Okta finished the call its client gave up on
    started = time.perf_counter()
    assert (await client.get("/api/v1/groups")).status_code == 200  # one call only
    assert time.perf_counter() - started < 0.3


async def test_lost_delete_is_applied(client: httpx.AsyncClient, sandbox: OktaSandbox) -> None:
    app = await create_app(client, web_app(), activate="false")
    sandbox.lose_responses(method="DELETE")
    with pytest.raises(httpx.TransportError):
        await client.delete(f"/api/v1/apps/{app['id']}")
    assert app["id"] not in sandbox.state.apps
    assert (await client.delete(f"/api/v1/apps/{app['id']}")).status_code == 404


async def test_latency(client: httpx.AsyncClient, sandbox: OktaSandbox) -> None:
    sandbox.set_latency(0.2)
    started = time.perf_counter()
    assert (await client.get("/api/v1/groups")).status_code == 200
    assert time.perf_counter() - started >= 0.2
    sandbox.set_latency(0)


# ---- the request log ----------------------------------------------------------------------------


async def test_request_log_records_buckets_and_bodies(
    client: httpx.AsyncClient, sandbox: OktaSandbox
) -> None:
    app = await create_app(client, web_app())
    app_id = app["id"]
    everyone = sandbox.dump_state()["groups"][0]["id"]
    await client.get("/api/v1/apps", params={"q": "Out"})
    await client.get(f"/api/v1/apps/{app_id}")
    await client.put(f"/api/v1/apps/{app_id}", json=web_app())
    await client.put(f"/api/v1/apps/{app_id}/groups/{everyone}")
    await client.get(f"/api/v1/apps/{app_id}/credentials/secrets")
    await client.post(f"/api/v1/apps/{app_id}/lifecycle/deactivate")
    await client.get("/api/v1/groups")
    await client.get("/api/v1/authorizationServers/default")

    log = [
        (r.method, r.path.replace(app_id, "{id}").replace(everyone, "{gid}"), r.bucket)
        for r in sandbox.requests
    ]
    assert log == [
        ("POST", "/api/v1/apps", "/api/v1/apps"),
        ("GET", "/api/v1/apps", "/api/v1/apps"),
        ("GET", "/api/v1/apps/{id}", "/api/v1/apps/{id}"),
        ("PUT", "/api/v1/apps/{id}", "/api/v1/apps/{id}"),
        ("PUT", "/api/v1/apps/{id}/groups/{gid}", "/api/v1/apps"),
        ("GET", "/api/v1/apps/{id}/credentials/secrets", "/api/v1/apps"),
        ("POST", "/api/v1/apps/{id}/lifecycle/deactivate", "/api/v1/apps"),
        ("GET", "/api/v1/groups", "/api/v1/groups"),
        ("GET", "/api/v1/authorizationServers/default", "/api/v1"),
    ]
    writes = [r for r in sandbox.requests if r.is_write]
    assert len(writes) == 4
    assert sandbox.requests[0].request_body == web_app()
    assert sandbox.requests[0].response_body["id"] == app_id
    assert sandbox.requests[1].query == {"q": "Out"}
    assert "Authorization" not in sandbox.requests[0].request_headers
    sandbox.clear_requests()
    assert sandbox.requests == []


# ---- authorization servers and discovery --------------------------------------------------------


async def test_default_authorization_server_and_discovery(
    client: httpx.AsyncClient, anonymous: httpx.AsyncClient, sandbox: OktaSandbox
) -> None:
    server = (await client.get("/api/v1/authorizationServers/default")).json()
    issuer = f"{sandbox.url}/oauth2/default"
    assert server["id"] == "default" and server["issuer"] == issuer and server["status"] == "ACTIVE"
    metadata = {link["name"]: link["href"] for link in server["_links"]["metadata"]}
    assert metadata == {
        "oauth-authorization-server": f"{issuer}/.well-known/oauth-authorization-server",
        "openid-configuration": f"{issuer}/.well-known/openid-configuration",
    }
    discovery = await anonymous.get(metadata["openid-configuration"])  # no auth needed
    assert discovery.status_code == 200
    doc = discovery.json()
    assert doc["issuer"] == issuer
    assert doc["authorization_endpoint"] == f"{issuer}/v1/authorize"
    assert doc["token_endpoint"] == f"{issuer}/v1/token"
    assert doc["jwks_uri"] == f"{issuer}/v1/keys"
    assert "offline_access" in doc["scopes_supported"]
    assert (await anonymous.get(metadata["oauth-authorization-server"])).json()["issuer"] == issuer
    assert (await anonymous.get(doc["jwks_uri"])).json()["keys"]

    missing = await client.get("/api/v1/authorizationServers/aus000000000000000")
    assert missing.status_code == 404 and error_of(missing)[0] == "E0000007"
    assert (await anonymous.get("/oauth2/nope/.well-known/openid-configuration")).status_code == 404
    assert all(not r.path.startswith("/oauth2") for r in sandbox.requests)  # only /api/v1 is logged


# ---- the hooks over HTTP ------------------------------------------------------------------------


async def test_hooks_over_http(
    client: httpx.AsyncClient, anonymous: httpx.AsyncClient, sandbox: OktaSandbox
) -> None:
    created = await anonymous.post("/__sandbox/groups", json={"name": "Hooked", "description": "via HTTP"})
    assert created.status_code == 200 and created.json()["profile"]["name"] == "Hooked"

    await anonymous.post("/__sandbox/faults", json={"status": 500, "count": 1, "method": "GET"})
    failed = await client.get("/api/v1/groups")
    assert failed.status_code == 500 and error_of(failed)[0] == "E0000009"

    await anonymous.post(
        "/__sandbox/faults",
        json={"status": 400, "path_prefix": "/api/v1/groups", "errorCode": "E0000031", "errorSummary": "x"},
    )
    assert error_of(await client.get("/api/v1/groups"))[:2] == ("E0000031", "x")

    await anonymous.post("/__sandbox/lose-responses", json={"count": 1, "method": "POST"})
    with pytest.raises(httpx.TransportError):
        await client.post("/api/v1/apps", json=web_app())

    await anonymous.post("/__sandbox/latency", json={"seconds": 0.05})
    await anonymous.post("/__sandbox/latency", json={"seconds": 0})

    limited = await anonymous.post("/__sandbox/rate-limit", json={"per_minute": 1, "window_seconds": 1})
    assert limited.json() == {"per_minute": 1, "window_seconds": 1.0, "buckets": {}}
    await client.get("/api/v1/groups")
    assert (await client.get("/api/v1/groups")).status_code == 429
    await anonymous.post("/__sandbox/rate-limit", json={"per_minute": None})

    log = (await anonymous.get("/__sandbox/requests")).json()
    assert [(e["method"], e["status"], e["lost"], e["injected"]) for e in log] == [
        ("GET", 500, False, True),
        ("GET", 400, False, True),
        ("POST", 200, True, False),
        ("GET", 200, False, False),
        ("GET", 429, False, False),
    ]
    assert set(log[0]) == {"method", "path", "query", "status", "bucket", "requestId", "lost", "injected"}
    assert (await anonymous.delete("/__sandbox/requests")).status_code == 200
    assert (await anonymous.get("/__sandbox/requests")).json() == []

    state = (await anonymous.get("/__sandbox/state")).json()
    assert set(state) == {
        "apps",
        "secrets",
        "groups",
        "assignments",
        "authorizationServers",
        "policies",
        "users",
        "orgPolicies",
        "features",
    }
    [app] = state["apps"]
    assert state["secrets"][app["id"]][0]["status"] == "ACTIVE"
    assert "Hooked" in [g["profile"]["name"] for g in state["groups"]]

    everyone_before = state["groups"][0]["id"]
    assert (await anonymous.post("/__sandbox/reset")).status_code == 200
    state = (await anonymous.get("/__sandbox/state")).json()
    assert state["apps"] == [] and "Hooked" not in [g["profile"]["name"] for g in state["groups"]]
    assert state["groups"][0]["id"] == everyone_before  # seeded ids survive a reset

    bad = await anonymous.post("/__sandbox/faults", json={"count": 1})
    assert bad.status_code == 400 and "status" in bad.json()["error"]
    assert (await anonymous.post("/__sandbox/faults", json={"status": 200})).status_code == 400
    assert (await anonymous.post("/__sandbox/latency", content=b"nope")).status_code == 400


# ---- the CLI entry point ------------------------------------------------------------------------


async def test_serve_forever_until_cancelled(capsys: pytest.CaptureFixture[str]) -> None:
    import socket

    from outsystems_okta_sandbox.okta import serve_forever

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    task = asyncio.create_task(serve_forever("127.0.0.1", port, "cli-token", groups=["CLI Group"]))
    url = f"http://127.0.0.1:{port}"
    async with httpx.AsyncClient(base_url=url, headers={"Authorization": "SSWS cli-token"}) as http:
        for _ in range(100):
            try:
                response = await http.get("/api/v1/groups", params={"q": "CLI"})
                break
            except httpx.ConnectError:
                await asyncio.sleep(0.02)
        assert [g["profile"]["name"] for g in response.json()] == ["CLI Group"]
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert url in capsys.readouterr().out
    with pytest.raises(httpx.ConnectError):
        async with httpx.AsyncClient() as http:
            await http.get(f"{url}/api/v1/groups")
