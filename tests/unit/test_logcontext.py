"""The resource a pass is about reaches the log lines of the shared Okta client, task by task."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from outsystems_okta import logcontext
from outsystems_okta.okta import OktaClient

TOKEN = "00SECRETtokenVALUE-logcontext-abcdef"


def ref(name: str) -> dict[str, Any]:
    return {
        "apiVersion": "okta.outsystems.dev/v1alpha1",
        "kind": "OutSystemsOktaIntegration",
        "namespace": "outsystems",
        "name": name,
        "uid": f"uid-{name}",
    }


class Records(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)

    def refs(self, needle: str) -> list[Any]:
        return [getattr(r, "k8s_ref", None) for r in self.records if needle in r.getMessage()]


@pytest.fixture
def records() -> Iterator[Records]:
    # A handler of our own on the client's logger: the filter works on whichever handler it is put on.
    handler = Records()
    target = logging.getLogger("outsystems_okta")
    previous = target.level
    target.addHandler(handler)
    target.setLevel(logging.DEBUG)
    logcontext.install(target)
    yield handler
    target.removeHandler(handler)
    target.setLevel(previous)


class FlakyOkta:
    """Fails every path once with a 503, then answers: one retry line per call."""

    def __init__(self) -> None:
        self.seen: set[str] = set()

    def __call__(self, request: httpx.Request) -> httpx.Response:
        if request.url.path not in self.seen:
            self.seen.add(request.url.path)
            return httpx.Response(
                503, json={"errorCode": "E0000009", "errorSummary": "Internal Server Error"}
            )
        if request.url.path.endswith("/secrets"):
            return httpx.Response(200, json=[])
        return httpx.Response(200, json={"id": "0oa1"})


async def test_each_task_names_its_own_resource_on_the_shared_clients_retry_lines(records: Records) -> None:
    both_inside = asyncio.Barrier(2)

    async def no_wait(_: float) -> None:
        await asyncio.sleep(0)

    async with OktaClient(
        "https://acme.okta.com", TOKEN, transport=httpx.MockTransport(FlakyOkta()), sleep=no_wait
    ) as shared:

        async def pass_of(name: str, call: Any) -> None:
            with logcontext.about(ref(name)):
                # Both resources are inside their block before either talks to Okta: a context kept
                # anywhere but per task would name the wrong one on at least one line.
                await both_inside.wait()
                await call(shared)

        await asyncio.gather(
            pass_of("factory-a", lambda okta: okta.get_app("0oa1")),
            pass_of("factory-b", lambda okta: okta.list_client_secrets("0oa1")),
        )

    assert records.refs("Okta getApplication GET: HTTP 503; retry 1/") == [ref("factory-a")]
    assert records.refs("Okta listOAuth2ClientSecrets GET: HTTP 503; retry 1/") == [ref("factory-b")]
    assert all(TOKEN not in r.getMessage() for r in records.records)


def test_a_line_outside_any_pass_names_no_resource(records: Records) -> None:
    log = logging.getLogger("outsystems_okta.test")
    with logcontext.about(ref("factory")):
        log.warning("inside")
    log.warning("after")
    assert records.refs("inside") == [ref("factory")]
    assert records.refs("after") == [None]


def test_a_line_that_already_names_a_resource_keeps_it(records: Records) -> None:
    # Kopf's handler logger tags its own lines; the filter must not overwrite them.
    log = logging.getLogger("outsystems_okta.test")
    with logcontext.about(ref("factory")):
        log.warning("tagged", extra={"k8s_ref": ref("other")})
    assert records.refs("tagged") == [ref("other")]


def test_install_twice_filters_once() -> None:
    target = logging.getLogger("outsystems_okta.test.install")
    handler = logging.NullHandler()
    target.addHandler(handler)
    try:
        logcontext.install(target)
        logcontext.install(target)
        assert len(handler.filters) == 1
    finally:
        target.removeHandler(handler)
