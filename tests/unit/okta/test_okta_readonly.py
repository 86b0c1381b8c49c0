"""The read-only Okta client of `plan --live`: a write never leaves the process, whatever asks for it."""

from __future__ import annotations

import json

import httpx
import pytest

from outsystems_okta.okta import OktaReadOnlyError, read_only_client

TOKEN = "00readonly-TOKEN-0123456789abcdef"
ORG = "https://acme.okta.com"


class Recorder:
    def __init__(self) -> None:
        self.sent: list[tuple[str, str]] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.sent.append((request.method, request.url.path))
        if request.url.path.endswith("/groups") or request.url.path == "/api/v1/apps":
            return httpx.Response(200, json=[])
        return httpx.Response(200, json={"id": "0oa1", "label": "x"})


@pytest.fixture
def recorder() -> Recorder:
    return Recorder()


async def test_reads_go_through(recorder: Recorder) -> None:
    async with read_only_client(ORG, TOKEN, inner=httpx.MockTransport(recorder)) as okta:
        assert (await okta.get_app("0oa1"))["id"] == "0oa1"
        assert await okta.list_apps(q="OutSystems") == []
    assert recorder.sent == [("GET", "/api/v1/apps/0oa1"), ("GET", "/api/v1/apps")]


@pytest.mark.parametrize(
    ("call", "method"),
    [
        (lambda okta: okta.create_app({"label": "x"}), "POST"),
        (lambda okta: okta.replace_app("0oa1", {"label": "x"}), "PUT"),
        (lambda okta: okta.activate_app("0oa1"), "POST"),
        (lambda okta: okta.deactivate_app("0oa1"), "POST"),
        (lambda okta: okta.delete_app("0oa1"), "DELETE"),
        (lambda okta: okta.assign_group("0oa1", "00g1"), "PUT"),
        (lambda okta: okta.unassign_group("0oa1", "00g1"), "DELETE"),
    ],
    ids=["create", "replace", "activate", "deactivate", "delete", "assign", "unassign"],
)
async def test_every_write_is_refused_before_it_is_sent(
    recorder: Recorder, call: object, method: str
) -> None:
    async with read_only_client(ORG, TOKEN, inner=httpx.MockTransport(recorder)) as okta:
        with pytest.raises(OktaReadOnlyError) as caught:
            await call(okta)  # type: ignore[operator]
    assert recorder.sent == [], "nothing may reach the network"
    assert str(caught.value).startswith(f"Okta: refused to send {method} /api/v1/apps")
    assert str(caught.value).endswith(": this client only reads")
    assert TOKEN not in str(caught.value)


async def test_a_refused_write_is_not_retried(recorder: Recorder) -> None:
    slept: list[float] = []

    async def sleep(seconds: float) -> None:
        slept.append(seconds)

    async with read_only_client(ORG, TOKEN, inner=httpx.MockTransport(recorder), sleep=sleep) as okta:
        with pytest.raises(OktaReadOnlyError):
            await okta.replace_app("0oa1", {"label": "x"})
    assert slept == [] and recorder.sent == []


async def test_a_raw_request_through_the_clients_own_http_pool_is_refused_too(recorder: Recorder) -> None:
    # Even code that bypasses OktaClient's methods and uses its httpx client directly cannot write.
    async with read_only_client(ORG, TOKEN, inner=httpx.MockTransport(recorder)) as okta:
        http = okta._http  # the guard is below the client, so reaching past it changes nothing
        with pytest.raises(OktaReadOnlyError):
            await http.post("/api/v1/apps", content=json.dumps({}).encode())
        with pytest.raises(OktaReadOnlyError):
            await http.patch("/api/v1/apps/0oa1/groups/00g1")
    assert recorder.sent == []
