"""A read-only Okta client for `outsystems-okta plan --live`: it can look at an org, never change it.

The guard sits in the transport, under everything the client does: a request whose method is not GET
(or HEAD) is refused before a byte of it is sent, whatever code asked for it, retries included. The
one POST it lets through is a service app's token request (`/oauth2/v1/token`): it changes nothing in
the org, and without it a service app could not read at all.
"""

from __future__ import annotations

from typing import Any

import httpx

from .auth import TOKEN_PATH
from .client import OktaClient
from .credentials import Credentials
from .errors import OktaProtocolError

READ_METHODS = frozenset({"GET", "HEAD"})


class OktaReadOnlyError(OktaProtocolError):
    """A write was attempted through a read-only client; nothing was sent."""


class ReadOnlyTransport(httpx.AsyncBaseTransport):
    """Passes GET and HEAD to `inner`; refuses every other method without sending it."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self._inner = inner

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if request.method not in READ_METHODS and not (
            request.method == "POST" and request.url.path == TOKEN_PATH
        ):
            raise OktaReadOnlyError(
                f"Okta: refused to send {request.method} {request.url.path}: this client only reads",
                operation=request.method,
            )
        return await self._inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self._inner.aclose()


def read_only_client(
    org_url: str, token: str | Credentials, *, inner: httpx.AsyncBaseTransport | None = None, **options: Any
) -> OktaClient:
    """An OktaClient that can only read. `inner` is the transport under the guard (default: HTTP)."""
    transport = ReadOnlyTransport(inner if inner is not None else httpx.AsyncHTTPTransport())
    return OktaClient(org_url, token, transport=transport, **options)
