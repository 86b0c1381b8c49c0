"""OktaClient behaviour against scripted responses (httpx.MockTransport): no network, no real sleeping."""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import pytest

import outsystems_okta
from outsystems_okta.okta import (
    OktaAmbiguousError,
    OktaAuthError,
    OktaClient,
    OktaForbiddenError,
    OktaNotFoundError,
    OktaProtocolError,
    OktaRateLimitedError,
    OktaUnavailableError,
    OktaValidationError,
    ResponseInfo,
    RetryPolicy,
)

ORG = "https://acme.okta.com"
TOKEN = "00SECRETtokenVALUE-abcdefghijklmnop"
DATE = "Fri, 01 Jan 2021 00:00:00 GMT"  # epoch 1609459200
EPOCH = 1609459200

Reply = httpx.Response | Exception | Callable[[httpx.Request], httpx.Response]


class FakeOkta:
    """Answers requests from a script (one entry per request; the last entry repeats) and records them."""

    def __init__(self, *script: Reply) -> None:
        self.script = list(script)
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        reply = self.script.pop(0) if len(self.script) > 1 else self.script[0]
        if isinstance(reply, Exception):
            raise reply
        if isinstance(reply, httpx.Response):
            return reply
        return reply(request)

    @property
    def paths(self) -> list[str]:
        return [f"{r.method} {r.url.raw_path.decode()}" for r in self.requests]

    def body(self, index: int = -1) -> Any:
        return json.loads(self.requests[index].content)


class Sleeps:
    def __init__(self) -> None:
        self.delays: list[float] = []

    async def __call__(self, delay: float) -> None:
        self.delays.append(delay)


def ok(data: Any = None, status: int = 200, headers: dict[str, str] | None = None) -> httpx.Response:
    if data is None:
        return httpx.Response(status, headers=headers)
    return httpx.Response(status, json=data, headers=headers)


def okta_error(status: int, code: str, summary: str, headers: dict[str, str] | None = None) -> httpx.Response:
    data = {
        "errorCode": code,
        "errorSummary": summary,
        "errorLink": code,
        "errorId": "oaeID1",
        "errorCauses": [],
    }
    return httpx.Response(status, json=data, headers=headers)


def rate_limited(reset_in: int = 5, request_id: str = "req-429", date: bool = True) -> httpx.Response:
    headers = {
        "X-Rate-Limit-Limit": "100",
        "X-Rate-Limit-Remaining": "0",
        "X-Rate-Limit-Reset": str(EPOCH + reset_in),
        "X-Okta-Request-Id": request_id,
    }
    if date:
        headers["Date"] = DATE
    return okta_error(429, "E0000047", "API call exceeded rate limit due to too many requests.", headers)


@pytest.fixture
def sleeps() -> Sleeps:
    return Sleeps()


@pytest.fixture
def infos() -> list[ResponseInfo]:
    return []


MakeClient = Callable[..., OktaClient]


@pytest.fixture
async def make(sleeps: Sleeps, infos: list[ResponseInfo]) -> AsyncIterator[MakeClient]:
    clients: list[OktaClient] = []

    def factory(fake: FakeOkta, **kwargs: Any) -> OktaClient:
        kwargs.setdefault("sleep", sleeps)
        kwargs.setdefault("rng", lambda: 0.5)
        kwargs.setdefault("clock", lambda: float(EPOCH - 1000))  # deliberately off: Date header wins
        kwargs.setdefault("on_response", infos.append)
        client = OktaClient(ORG, TOKEN, transport=httpx.MockTransport(fake), **kwargs)
        clients.append(client)
        return client

    yield factory
    for client in clients:
        await client.aclose()


APP = {
    "id": "0oa1",
    "name": "oidc_client",
    "label": "OutSystems Consoles",
    "status": "ACTIVE",
    "signOnMode": "OPENID_CONNECT",
    "futureField": {"nested": [1, 2, {"x": None}]},
    "credentials": {
        "oauthClient": {"client_id": "0oa1", "token_endpoint_auth_method": "client_secret_basic"}
    },
    "settings": {"oauthClient": {"redirect_uris": ["https://b", "https://a"], "unknownSetting": True}},
}


# -- construction, headers, repr -------------------------------------------------------------------


async def test_sends_auth_accept_content_type_and_user_agent(make: MakeClient) -> None:
    fake = FakeOkta(ok(APP))
    await make(fake).get_app("0oa1")
    req = fake.requests[0]
    assert req.headers["Authorization"] == f"SSWS {TOKEN}"
    assert req.headers["Accept"] == "application/json"
    assert req.headers["Content-Type"] == "application/json"
    assert req.headers["User-Agent"] == (
        f"outsystems-okta-operator/{outsystems_okta.__version__} httpx/{httpx.__version__}"
    )
    assert "X-Okta-Retry-Count" not in req.headers
    assert str(req.url) == f"{ORG}/api/v1/apps/0oa1"


async def test_repr_shows_the_org_only(make: MakeClient) -> None:
    client = make(FakeOkta(ok({})))
    assert repr(client) == f"OktaClient(org_url='{ORG}')"
    assert TOKEN not in repr(vars(client))
    assert client.org_url == ORG


async def test_context_manager_closes() -> None:
    async with OktaClient(ORG, TOKEN, transport=httpx.MockTransport(FakeOkta(ok(APP)))) as client:
        assert (await client.get_app("0oa1"))["id"] == "0oa1"
    assert client._http.is_closed


def test_timeouts_are_set_on_every_phase() -> None:
    client = OktaClient(ORG, TOKEN, timeout=20.0)
    timeout = client._http.timeout
    assert (timeout.connect, timeout.read, timeout.write, timeout.pool) == (10.0, 20.0, 20.0, 20.0)
    assert client._http.follow_redirects is False


@pytest.mark.parametrize(
    "url", ["acme.okta.com", "ftp://acme.okta.com", "https://acme.okta.com/oauth2", "https://u:p@acme.okta.com",
            "https://acme.okta.com?x=1", "https://", "https://acme.okta.com:99999"],
)  # fmt: skip
def test_rejects_bad_org_urls(url: str) -> None:
    with pytest.raises(ValueError):
        OktaClient(url, TOKEN)


def test_trailing_slash_is_tolerated() -> None:
    assert OktaClient(ORG + "/", TOKEN).org_url == ORG


@pytest.mark.parametrize("token", ["", "with space", "line\nbreak", "tök"])
def test_rejects_bad_tokens_without_echoing_them(token: str) -> None:
    with pytest.raises(ValueError) as info:
        OktaClient(ORG, token)
    if token:
        assert token not in str(info.value)


# -- applications ----------------------------------------------------------------------------------


@pytest.mark.parametrize(("activate", "query"), [(True, "activate=true"), (False, "activate=false")])
async def test_create_app(make: MakeClient, activate: bool, query: str) -> None:
    fake = FakeOkta(ok({**APP, "credentials": {"oauthClient": {"client_secret": "s3cr3t"}}}))
    body = {"name": "oidc_client", "label": "L", "signOnMode": "OPENID_CONNECT"}
    created = await make(fake).create_app(body, activate=activate)
    assert created["credentials"]["oauthClient"]["client_secret"] == "s3cr3t"
    assert fake.paths == [f"POST /api/v1/apps?{query}"]
    assert fake.body() == body


async def test_get_app_not_found(make: MakeClient) -> None:
    fake = FakeOkta(okta_error(404, "E0000007", "Not found: Resource not found: nope (AppInstance)"))
    with pytest.raises(OktaNotFoundError) as info:
        await make(fake).get_app("nope")
    exc = info.value
    assert (exc.status, exc.error_code, exc.error_id) == (404, "E0000007", "oaeID1")
    assert exc.operation == "getApplication"
    assert str(exc) == "Okta 404 E0000007: Not found: Resource not found: nope (AppInstance) (errorId oaeID1)"
    assert len(fake.requests) == 1  # 4xx is not retried


@pytest.mark.parametrize(
    ("app_id", "raw"), [("0oa/../x", "/api/v1/apps/0oa%2F..%2Fx"), ("a b?c#d", "/api/v1/apps/a%20b%3Fc%23d")]
)
async def test_path_ids_are_escaped(make: MakeClient, app_id: str, raw: str) -> None:
    fake = FakeOkta(ok(APP))
    await make(fake).get_app(app_id)
    assert fake.requests[0].url.raw_path.decode() == raw


@pytest.mark.parametrize("bad", ["", ".", ".."])
async def test_path_ids_that_would_change_the_path_are_refused(make: MakeClient, bad: str) -> None:
    fake = FakeOkta(ok(APP))
    with pytest.raises(ValueError):
        await make(fake).get_app(bad)
    assert fake.requests == []


async def test_replace_app_round_trips_every_field(make: MakeClient) -> None:
    fake = FakeOkta(ok(APP), lambda req: ok(json.loads(req.content)))
    client = make(fake)
    app = await client.get_app("0oa1")
    app["label"] = "New label"
    replaced = await client.replace_app("0oa1", app)
    sent = fake.body()
    assert sent == {**APP, "label": "New label"}
    assert list(sent["settings"]["oauthClient"]["redirect_uris"]) == ["https://b", "https://a"]
    assert replaced == sent
    assert fake.paths[-1] == "PUT /api/v1/apps/0oa1"


async def test_replace_app_refuses_a_client_secret(make: MakeClient) -> None:
    fake = FakeOkta(ok(APP))
    body = {
        **APP,
        "credentials": {"oauthClient": {"client_id": "0oa1", "client_secret": "hunter2-secret-value"}},
    }
    with pytest.raises(ValueError, match="client_secret") as info:
        await make(fake).replace_app("0oa1", body)
    assert "hunter2-secret-value" not in str(info.value)
    assert fake.requests == []


async def test_lifecycle_posts_carry_content_length(make: MakeClient) -> None:
    fake = FakeOkta(ok(None))
    client = make(fake)
    await client.activate_app("0oa1")
    await client.deactivate_app("0oa1")
    assert fake.paths == [
        "POST /api/v1/apps/0oa1/lifecycle/activate",
        "POST /api/v1/apps/0oa1/lifecycle/deactivate",
    ]
    assert all(r.headers["Content-Length"] == "0" for r in fake.requests)


async def test_delete_app_tolerates_404(make: MakeClient) -> None:
    fake = FakeOkta(ok(None, 204), okta_error(404, "E0000007", "Not found"))
    client = make(fake)
    await client.delete_app("0oa1")
    await client.delete_app("0oa1")
    assert fake.paths == ["DELETE /api/v1/apps/0oa1"] * 2


async def test_delete_active_app_is_forbidden(make: MakeClient) -> None:
    fake = FakeOkta(
        httpx.Response(
            403,
            json={
                "errorCode": "E0000056",
                "errorSummary": "Delete application forbidden.",
                "errorId": "oaeQ9",
                "errorCauses": [{"errorSummary": "The application must be deactivated before deletion."}],
            },
        )
    )
    with pytest.raises(OktaForbiddenError) as info:
        await make(fake).delete_app("0oa1")
    assert info.value.error_code == "E0000056"
    assert str(info.value).startswith("Okta 403 E0000056: Delete application forbidden.")
    assert info.value.causes == ("The application must be deactivated before deletion.",)


async def test_validation_error(make: MakeClient) -> None:
    fake = FakeOkta(okta_error(400, "E0000001", "Api validation failed: label"))
    with pytest.raises(OktaValidationError):
        await make(fake).create_app({})
    assert len(fake.requests) == 1


async def test_list_client_secrets(make: MakeClient) -> None:
    secrets = [{"id": "ocs1", "status": "ACTIVE", "client_secret": "abc", "secret_hash": "h"}]
    fake = FakeOkta(ok(secrets))
    assert await make(fake).list_client_secrets("0oa1") == secrets
    assert fake.paths == ["GET /api/v1/apps/0oa1/credentials/secrets"]


async def test_client_secret_lifecycle_paths(make: MakeClient) -> None:
    created = {
        "id": "ocs2",
        "status": "ACTIVE",
        "client_secret": "def",
        "created": "2026-12-02T00:00:00.000Z",
    }
    fake = FakeOkta(ok(created, 201), ok({"id": "ocs1", "status": "INACTIVE"}), ok(status=204))
    client = make(fake)
    assert await client.create_client_secret("0oa1") == created
    assert fake.body(0) == {}  # a system-generated secret: never one of ours in a request
    await client.deactivate_client_secret("0oa1", "ocs1")
    await client.delete_client_secret("0oa1", "ocs1")
    assert fake.paths == [
        "POST /api/v1/apps/0oa1/credentials/secrets",
        "POST /api/v1/apps/0oa1/credentials/secrets/ocs1/lifecycle/deactivate",
        "DELETE /api/v1/apps/0oa1/credentials/secrets/ocs1",
    ]


async def test_deleting_a_secret_already_gone_is_fine(make: MakeClient) -> None:
    fake = FakeOkta(okta_error(404, "E0000007", "Not found: Resource not found: ocs1 (OAuth2ClientSecret)"))
    await make(fake).delete_client_secret("0oa1", "ocs1")


async def test_the_two_secret_limit_is_a_validation_error_and_not_retried(
    make: MakeClient, sleeps: Sleeps
) -> None:
    limit = okta_error(400, "E0000001", "Api validation failed: OAuth2ClientSecretMediated")
    fake = FakeOkta(limit)
    with pytest.raises(OktaValidationError) as info:
        await make(fake).create_client_secret("0oa1")
    assert info.value.operation == "createOAuth2ClientSecret"
    assert len(fake.requests) == 1 and sleeps.delays == []


@pytest.mark.parametrize(
    "failure",
    [
        httpx.Response(503, text="unavailable"),
        httpx.ReadTimeout("read timed out"),
        httpx.RemoteProtocolError("Server disconnected without sending a response."),
    ],
)
async def test_a_secret_create_is_not_retried_once_the_request_may_have_landed(
    make: MakeClient, sleeps: Sleeps, failure: Reply
) -> None:
    fake = FakeOkta(failure, ok({"id": "ocs2"}, 201))
    with pytest.raises(OktaUnavailableError) as info:
        await make(fake).create_client_secret("0oa1")
    assert info.value.maybe_applied is True and info.value.operation == "createOAuth2ClientSecret"
    assert len(fake.requests) == 1


async def test_a_secret_deactivate_is_retried(make: MakeClient) -> None:
    fake = FakeOkta(httpx.ReadTimeout("slow"), ok({"id": "ocs1", "status": "INACTIVE"}))
    await make(fake).deactivate_client_secret("0oa1", "ocs1")
    assert len(fake.requests) == 2


@pytest.mark.parametrize("bad", ["", ".", ".."])
async def test_secret_ids_that_would_change_the_path_are_refused(make: MakeClient, bad: str) -> None:
    fake = FakeOkta(ok(status=204))
    with pytest.raises(ValueError):
        await make(fake).delete_client_secret("0oa1", bad)
    assert fake.requests == []


async def test_a_secret_id_is_one_encoded_segment(make: MakeClient) -> None:
    fake = FakeOkta(ok(status=204))
    await make(fake).delete_client_secret("0oa1", "a/b")
    assert fake.paths == ["DELETE /api/v1/apps/0oa1/credentials/secrets/a%2Fb"]


async def test_get_authorization_server(make: MakeClient) -> None:
    server = {"id": "default", "issuer": f"{ORG}/oauth2/default"}
    fake = FakeOkta(ok(server))
    assert await make(fake).get_authorization_server("default") == server
    assert fake.paths == ["GET /api/v1/authorizationServers/default"]


@pytest.mark.parametrize(
    ("reply", "call"),
    [
        (httpx.Response(200, content=b"<html>"), "get"),
        (ok([1]), "get"),
        (ok({"id": 1}), "list"),
        (ok([1, 2]), "list"),
        (ok(None), "get"),
    ],
)
async def test_unexpected_success_bodies(make: MakeClient, reply: httpx.Response, call: str) -> None:
    client = make(FakeOkta(reply))
    with pytest.raises(OktaProtocolError):
        if call == "get":
            await client.get_app("0oa1")
        else:
            await client.list_client_secrets("0oa1")


# -- pagination ------------------------------------------------------------------------------------


def page(items: list[dict[str, Any]], next_url: str | None) -> httpx.Response:
    links = [f'<{ORG}/api/v1/apps?limit=2>; rel="self"']
    if next_url:
        links.append(f'<{next_url}>; rel="next"')
    return httpx.Response(200, json=items, headers=[("link", v) for v in links])


async def test_list_apps_follows_next_links_to_the_end(make: MakeClient) -> None:
    fake = FakeOkta(
        page([{"id": "a"}, {"id": "b"}], f"{ORG}/api/v1/apps?after=b&limit=2&q=Out"),
        page([{"id": "c"}, {"id": "d"}], f"{ORG}/api/v1/apps?after=d&limit=2&q=Out"),
        page([{"id": "e"}], None),
    )
    apps = await make(fake).list_apps(q="Out", filter='status eq "ACTIVE"', limit=2)
    assert [a["id"] for a in apps] == ["a", "b", "c", "d", "e"]
    first = fake.requests[0].url
    assert first.path == "/api/v1/apps"
    assert dict(first.params) == {"limit": "2", "q": "Out", "filter": 'status eq "ACTIVE"'}
    # next links are opaque: followed verbatim
    assert [str(r.url) for r in fake.requests[1:]] == [
        f"{ORG}/api/v1/apps?after=b&limit=2&q=Out",
        f"{ORG}/api/v1/apps?after=d&limit=2&q=Out",
    ]
    assert all(r.headers["Authorization"] == f"SSWS {TOKEN}" for r in fake.requests)


async def test_list_apps_defaults_to_the_maximum_page_size(make: MakeClient) -> None:
    fake = FakeOkta(page([], None))
    assert await make(fake).list_apps() == []
    assert fake.paths == ["GET /api/v1/apps?limit=200"]


@pytest.mark.parametrize("limit", [0, 201, -1])
async def test_list_apps_rejects_bad_limits(make: MakeClient, limit: int) -> None:
    with pytest.raises(ValueError):
        await make(FakeOkta(page([], None))).list_apps(limit=limit)


async def test_relative_next_links_are_resolved(make: MakeClient) -> None:
    fake = FakeOkta(page([{"id": "a"}], "/api/v1/apps?after=a"), page([{"id": "b"}], None))
    assert [a["id"] for a in await make(fake).list_apps()] == ["a", "b"]
    assert str(fake.requests[1].url) == f"{ORG}/api/v1/apps?after=a"


@pytest.mark.parametrize(
    "foreign",
    ["https://evil.example/api/v1/apps?after=a", "http://acme.okta.com/api/v1/apps?after=a",
     "https://acme.okta.com:8443/api/v1/apps?after=a", "https://acme.okta.com@evil.example/api/v1/apps"],
)  # fmt: skip
async def test_next_links_to_another_origin_are_refused(make: MakeClient, foreign: str) -> None:
    fake = FakeOkta(page([{"id": "a"}], foreign), page([], None))
    with pytest.raises(OktaProtocolError, match="another origin"):
        await make(fake).list_apps()
    assert len(fake.requests) == 1


async def test_pagination_loops_are_detected(make: MakeClient) -> None:
    fake = FakeOkta(page([{"id": "a"}], f"{ORG}/api/v1/apps?after=a"))
    with pytest.raises(OktaProtocolError, match="loop"):
        await make(fake).list_apps()
    assert len(fake.requests) == 2


# -- groups ----------------------------------------------------------------------------------------


def group(gid: str, name: str, type_: str = "OKTA_GROUP") -> dict[str, Any]:
    return {"id": gid, "type": type_, "profile": {"name": name, "description": None}}


async def test_find_group_searches_by_exact_profile_name(make: MakeClient) -> None:
    fake = FakeOkta(ok([group("00g0", "outsystems it"), group("00g1", "OutSystems IT")]))
    found = await make(fake).find_group("OutSystems IT")
    assert found is not None and found["id"] == "00g1"
    assert fake.requests[0].url.path == "/api/v1/groups"
    assert fake.requests[0].url.params["search"] == 'profile.name eq "OutSystems IT"'


async def test_find_group_escapes_quotes_and_backslashes(make: MakeClient) -> None:
    fake = FakeOkta(ok([]))
    assert await make(fake).find_group('A "q" \\ b') is None
    assert fake.requests[0].url.params["search"] == 'profile.name eq "A \\"q\\" \\\\ b"'


async def test_find_group_prefers_okta_groups_then_fails_on_ambiguity(make: MakeClient) -> None:
    fake = FakeOkta(ok([group("00gA", "Dup", "APP_GROUP"), group("00gO", "Dup")]))
    found = await make(fake).find_group("Dup")
    assert found is not None and found["id"] == "00gO"
    fake = FakeOkta(ok([group("00g1", "Dup"), group("00g2", "Dup")]))
    with pytest.raises(OktaAmbiguousError, match="00g1, 00g2"):
        await make(fake).find_group("Dup")


async def test_find_group_follows_pages(make: MakeClient) -> None:
    second = f"{ORG}/api/v1/groups?after=00g1&search=x"
    fake = FakeOkta(
        httpx.Response(200, json=[group("00g1", "Other")], headers={"link": f'<{second}>; rel="next"'}),
        ok([group("00g2", "Wanted")]),
    )
    found = await make(fake).find_group("Wanted")
    assert found is not None and found["id"] == "00g2"


async def test_list_app_groups_can_embed_the_groups(make: MakeClient) -> None:
    fake = FakeOkta(ok([{"id": "00g1", "_embedded": {"group": {"id": "00g1"}}}]))
    listed = await make(fake).list_app_groups("0oa1", expand="group")
    assert listed[0]["_embedded"]["group"]["id"] == "00g1"
    assert fake.paths == ["GET /api/v1/apps/0oa1/groups?limit=200&expand=group"]


async def test_list_app_groups_paginates(make: MakeClient) -> None:
    second = f"{ORG}/api/v1/apps/0oa1/groups?after=00g1&limit=200"
    fake = FakeOkta(
        httpx.Response(200, json=[{"id": "00g1"}], headers={"link": f'<{second}>; rel="next"'}),
        ok([{"id": "00g2"}]),
    )
    assert [g["id"] for g in await make(fake).list_app_groups("0oa1")] == ["00g1", "00g2"]
    assert fake.paths == [
        "GET /api/v1/apps/0oa1/groups?limit=200",
        "GET /api/v1/apps/0oa1/groups?after=00g1&limit=200",
    ]


async def test_assign_group_sends_an_empty_object(make: MakeClient) -> None:
    fake = FakeOkta(ok({"id": "00g1", "priority": 0}))
    assert await make(fake).assign_group("0oa1", "00g1") == {"id": "00g1", "priority": 0}
    assert fake.paths == ["PUT /api/v1/apps/0oa1/groups/00g1"]
    assert fake.requests[0].content == b"{}"
    assert fake.requests[0].headers["Content-Length"] == "2"


async def test_unassign_group_tolerates_404(make: MakeClient) -> None:
    fake = FakeOkta(ok(None, 204), okta_error(404, "E0000007", "Not found"))
    client = make(fake)
    await client.unassign_group("0oa1", "00g1")
    await client.unassign_group("0oa1", "00g1")
    assert fake.paths == ["DELETE /api/v1/apps/0oa1/groups/00g1"] * 2


# -- 429 -------------------------------------------------------------------------------------------


async def test_429_waits_for_reset_by_the_server_clock_and_retries(make: MakeClient, sleeps: Sleeps) -> None:
    fake = FakeOkta(
        rate_limited(reset_in=5, request_id="req-A"), rate_limited(reset_in=3, request_id="req-B"), ok(APP)
    )
    app = await make(fake, retry=RetryPolicy(rate_limit_jitter=1.0)).get_app("0oa1")
    assert app["id"] == "0oa1"
    assert sleeps.delays == [pytest.approx(5.5), pytest.approx(3.5)]  # reset - Date + 0.5 * jitter
    first, second, third = fake.requests
    assert "X-Okta-Retry-For" not in first.headers
    assert (second.headers["X-Okta-Retry-For"], second.headers["X-Okta-Retry-Count"]) == ("req-A", "1")
    assert (third.headers["X-Okta-Retry-For"], third.headers["X-Okta-Retry-Count"]) == ("req-B", "2")


async def test_429_without_date_uses_the_local_clock(make: MakeClient, sleeps: Sleeps) -> None:
    fake = FakeOkta(rate_limited(reset_in=7, date=False), ok(APP))
    await make(fake, clock=lambda: float(EPOCH), rng=lambda: 0.0).get_app("0oa1")
    assert sleeps.delays == [pytest.approx(7.0)]


async def test_429_longer_than_the_bound_raises_at_once(make: MakeClient, sleeps: Sleeps) -> None:
    fake = FakeOkta(rate_limited(reset_in=120), ok(APP))
    with pytest.raises(OktaRateLimitedError) as info:
        await make(fake, rng=lambda: 0.0).get_app("0oa1")
    assert info.value.retry_after == pytest.approx(120.0)
    assert info.value.status == 429
    assert info.value.error_code == "E0000047"
    assert sleeps.delays == []
    assert len(fake.requests) == 1


async def test_429_bound_is_configurable(make: MakeClient, sleeps: Sleeps) -> None:
    fake = FakeOkta(rate_limited(reset_in=10), ok(APP))
    with pytest.raises(OktaRateLimitedError):
        await make(fake, retry=RetryPolicy(max_rate_limit_wait=5.0)).get_app("0oa1")
    assert sleeps.delays == []


async def test_429_gives_up_after_max_attempts(make: MakeClient, sleeps: Sleeps) -> None:
    fake = FakeOkta(rate_limited(reset_in=2))
    with pytest.raises(OktaRateLimitedError) as info:
        await make(fake, retry=RetryPolicy(max_attempts=3, rate_limit_jitter=0.0)).get_app("0oa1")
    assert len(fake.requests) == 3
    assert sleeps.delays == [2.0, 2.0]
    assert info.value.retry_after == 2.0


async def test_429_on_create_is_retried(make: MakeClient) -> None:
    fake = FakeOkta(rate_limited(reset_in=1), ok(APP))
    assert (await make(fake).create_app({"label": "x"}))["id"] == "0oa1"
    assert len(fake.requests) == 2
    assert fake.body(0) == fake.body(1) == {"label": "x"}


# -- 5xx and transport errors ----------------------------------------------------------------------


async def test_5xx_is_retried_with_full_jitter_backoff(make: MakeClient, sleeps: Sleeps) -> None:
    fake = FakeOkta(
        okta_error(503, "E0000100", "Search unavailable", {"X-Okta-Request-Id": "r1"}),
        httpx.Response(502, text="bad gateway"),
        okta_error(500, "E0000009", "Internal Server Error"),
        ok(APP),
    )
    assert (await make(fake, rng=lambda: 1.0).get_app("0oa1"))["id"] == "0oa1"
    assert sleeps.delays == [pytest.approx(0.2), pytest.approx(0.4), pytest.approx(0.8)]
    assert fake.requests[1].headers["X-Okta-Retry-For"] == "r1"
    assert [r.headers.get("X-Okta-Retry-Count") for r in fake.requests] == [None, "1", "2", "3"]


async def test_5xx_exhausted_raises_unavailable(make: MakeClient, sleeps: Sleeps) -> None:
    fake = FakeOkta(okta_error(503, "E0000100", "Search unavailable"))
    with pytest.raises(OktaUnavailableError) as info:
        await make(fake).get_app("0oa1")
    assert (info.value.status, info.value.error_code) == (503, "E0000100")
    assert info.value.maybe_applied is False  # a GET changes nothing
    assert len(fake.requests) == 4
    assert len(sleeps.delays) == 3


async def test_idempotent_writes_retry_5xx_and_report_maybe_applied(make: MakeClient) -> None:
    fake = FakeOkta(okta_error(500, "E0000009", "Internal Server Error"))
    with pytest.raises(OktaUnavailableError) as info:
        await make(fake, retry=RetryPolicy(max_attempts=2)).deactivate_app("0oa1")
    assert len(fake.requests) == 2
    assert info.value.maybe_applied is True


async def test_delete_retried_after_lost_response_treats_404_as_done(make: MakeClient) -> None:
    fake = FakeOkta(httpx.ReadTimeout("read timed out"), okta_error(404, "E0000007", "Not found"))
    await make(fake).delete_app("0oa1")
    assert len(fake.requests) == 2


@pytest.mark.parametrize(
    "failure",
    [
        okta_error(500, "E0000009", "Internal Server Error"),
        httpx.Response(503, text="unavailable"),
        httpx.ReadTimeout("read timed out"),
        httpx.RemoteProtocolError("Server disconnected without sending a response."),
        httpx.ReadError("connection reset"),
        httpx.WriteTimeout("write timed out"),
    ],
)
async def test_create_is_not_retried_once_the_request_may_have_landed(
    make: MakeClient, sleeps: Sleeps, failure: Reply
) -> None:
    fake = FakeOkta(failure, ok(APP))
    with pytest.raises(OktaUnavailableError) as info:
        await make(fake).create_app({"label": "x"})
    assert info.value.maybe_applied is True
    assert info.value.operation == "createApplication"
    assert len(fake.requests) == 1
    assert sleeps.delays == []


@pytest.mark.parametrize(
    "failure", [httpx.ConnectError("refused"), httpx.ConnectTimeout("slow"), httpx.PoolTimeout("pool")]
)
async def test_create_is_retried_when_the_request_never_left(make: MakeClient, failure: Exception) -> None:
    fake = FakeOkta(failure, failure, ok(APP))
    assert (await make(fake).create_app({"label": "x"}))["id"] == "0oa1"
    assert len(fake.requests) == 3


async def test_create_connect_errors_exhausted_are_not_maybe_applied(make: MakeClient) -> None:
    fake = FakeOkta(httpx.ConnectError("refused"))
    with pytest.raises(OktaUnavailableError) as info:
        await make(fake).create_app({"label": "x"})
    assert info.value.maybe_applied is False
    assert info.value.status is None
    assert "ConnectError" in str(info.value)
    assert len(fake.requests) == 4


async def test_transport_errors_on_reads_and_puts_are_retried(make: MakeClient, sleeps: Sleeps) -> None:
    fake = FakeOkta(httpx.ReadTimeout("t"), httpx.ConnectError("c"), ok(APP))
    assert (await make(fake, rng=lambda: 0.0).replace_app("0oa1", {"label": "x"}))["id"] == "0oa1"
    assert len(fake.requests) == 3
    assert sleeps.delays == [0.0, 0.0]
    assert fake.requests[1].headers["X-Okta-Retry-Count"] == "1"
    assert "X-Okta-Retry-For" not in fake.requests[1].headers


async def test_transport_errors_exhausted(make: MakeClient) -> None:
    fake = FakeOkta(httpx.ReadTimeout("t"))
    with pytest.raises(OktaUnavailableError, match="ReadTimeout") as info:
        await make(fake, retry=RetryPolicy(max_attempts=2)).replace_app("0oa1", {})
    assert info.value.maybe_applied is True
    assert isinstance(info.value.__cause__, httpx.ReadTimeout)


async def test_single_attempt_policy_never_sleeps(make: MakeClient, sleeps: Sleeps) -> None:
    fake = FakeOkta(httpx.ConnectError("c"))
    with pytest.raises(OktaUnavailableError):
        await make(fake, retry=RetryPolicy(max_attempts=1)).get_app("0oa1")
    assert sleeps.delays == []


# -- redirects, auth, secrecy ----------------------------------------------------------------------


async def test_redirects_are_errors_and_never_followed(make: MakeClient) -> None:
    fake = FakeOkta(httpx.Response(302, headers={"Location": "https://evil.example/steal"}), ok(APP))
    with pytest.raises(OktaProtocolError, match="redirect") as info:
        await make(fake).get_app("0oa1")
    assert info.value.status == 302
    assert len(fake.requests) == 1


async def test_bad_token_never_leaks(make: MakeClient, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    echo = httpx.Response(401, text=f"Invalid token provided: SSWS {TOKEN}")
    fake = FakeOkta(okta_error(401, "E0000011", "Invalid token provided"), echo)
    client = make(fake)
    with pytest.raises(OktaAuthError) as info:
        await client.get_app("0oa1")
    assert str(info.value) == "Okta 401 E0000011: Invalid token provided (errorId oaeID1)"
    with pytest.raises(OktaAuthError) as info2:
        await client.get_app("0oa1")
    for exc in (info.value, info2.value):
        assert TOKEN not in str(exc)
        assert TOKEN not in repr(exc)
        assert TOKEN not in repr(vars(exc))
    assert "<redacted>" in str(info2.value)
    assert TOKEN not in caplog.text
    assert len(fake.requests) == 2


async def test_retry_logs_do_not_carry_the_token(make: MakeClient, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    fake = FakeOkta(httpx.ConnectError(f"boom {TOKEN}"), rate_limited(1), ok(APP))
    await make(fake).get_app("0oa1")
    assert "retry" in caplog.text
    assert TOKEN not in caplog.text


# -- telemetry -------------------------------------------------------------------------------------


async def test_on_response_reports_every_attempt(make: MakeClient, infos: list[ResponseInfo]) -> None:
    fake = FakeOkta(
        httpx.ConnectError("c"), rate_limited(1), ok(APP, headers={"X-Rate-Limit-Remaining": "41"})
    )
    await make(fake).get_app("0oa1")
    assert [(i.operation, i.method, i.status, i.rate_limit_remaining, i.attempt) for i in infos] == [
        ("getApplication", "GET", None, None, 1),
        ("getApplication", "GET", 429, 0, 2),
        ("getApplication", "GET", 200, 41, 3),
    ]
    assert all(i.bucket == "/api/v1/apps/{id}" and i.elapsed >= 0 for i in infos)


async def test_rate_limit_remaining_is_tracked_per_bucket(make: MakeClient) -> None:
    fake = FakeOkta(
        ok(APP, headers={"X-Rate-Limit-Remaining": "99"}),
        ok([], headers={"X-Rate-Limit-Remaining": "17"}),
        ok(APP, headers={"X-Rate-Limit-Remaining": "98"}),
        ok({}, headers={"X-Rate-Limit-Remaining": "not-a-number"}),
    )
    client = make(fake)
    assert client.rate_limit_remaining == {}
    await client.get_app("0oa1")
    await client.list_app_groups("0oa1")
    await client.get_app("0oa1")
    await client.get_authorization_server("default")
    assert client.rate_limit_remaining == {"/api/v1/apps/{id}": 98, "/api/v1/apps": 17}
    snapshot = client.rate_limit_remaining
    assert isinstance(snapshot, dict)
    snapshot["/api/v1/apps"] = 0  # a copy: callers cannot corrupt the client's view
    assert client.rate_limit_remaining["/api/v1/apps"] == 17


async def test_a_failing_metrics_hook_does_not_break_calls(make: MakeClient) -> None:
    def boom(_: ResponseInfo) -> None:
        raise RuntimeError("metrics down")

    assert (await make(FakeOkta(ok(APP)), on_response=boom).get_app("0oa1"))["id"] == "0oa1"
