"""Long-lived Okta clients, one per org and credentials, shared by every reconcile pass.

A client per pass would build a fresh TLS context and connection pool each time: slower, a new TLS
handshake with Okta for every pass, and memory the allocator does not give back. The pool keys on the
org URL and a digest of the credentials (a rotated token or key gets a new client; the key itself is
never part of a dict key that could end up in a log) and closes the clients it evicts
once nobody uses them. Each client paces itself (`pacer.py`), so every integration on one org shares
one budget and one concurrency cap.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

from .client import OktaClient
from .credentials import Credentials, as_credentials


class OktaClientPool:
    def __init__(
        self, factory: Callable[[str, str | Credentials], OktaClient], max_clients: int = 32
    ) -> None:
        self._factory = factory
        self._max = max_clients
        self._clients: OrderedDict[tuple[str, str], OktaClient] = OrderedDict()
        self._in_use: dict[OktaClient, int] = {}
        self._retired: set[OktaClient] = set()

    def __len__(self) -> int:
        return len(self._clients)

    @asynccontextmanager
    async def connect(self, org_url: str, token: str | Credentials) -> AsyncIterator[OktaClient]:
        key = (org_url, as_credentials(token).digest)
        client = self._clients.get(key)
        if client is None:
            client = self._clients[key] = self._factory(org_url, token)
        self._clients.move_to_end(key)
        self._in_use[client] = self._in_use.get(client, 0) + 1
        try:
            await self._evict()
            yield client
        finally:
            self._in_use[client] -= 1
            if self._in_use[client] == 0:
                del self._in_use[client]
                if client in self._retired:
                    self._retired.discard(client)
                    await client.aclose()

    async def _evict(self) -> None:
        while len(self._clients) > self._max:
            _, oldest = self._clients.popitem(last=False)
            if oldest in self._in_use:
                self._retired.add(oldest)  # closed by its last user
            else:
                await oldest.aclose()

    async def aclose(self) -> None:
        clients = [*self._clients.values(), *self._retired]
        self._clients.clear()
        self._retired.clear()
        for client in clients:
            await client.aclose()
