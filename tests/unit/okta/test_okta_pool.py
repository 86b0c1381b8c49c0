"""The client pool: one long-lived client per org and token; evicted clients closed once idle."""

from __future__ import annotations

import httpx

from outsystems_okta.okta import OktaClient, OktaClientPool


def make_pool(max_clients: int = 2) -> tuple[OktaClientPool, list[OktaClient]]:
    made: list[OktaClient] = []

    def factory(org_url: str, token: str) -> OktaClient:
        client = OktaClient(
            org_url, token, transport=httpx.MockTransport(lambda r: httpx.Response(200, json={}))
        )
        made.append(client)
        return client

    return OktaClientPool(factory, max_clients=max_clients), made


def closed(client: OktaClient) -> bool:
    return client.is_closed


async def test_same_org_and_token_reuse_one_client() -> None:
    pool, made = make_pool()
    async with pool.connect("https://a.okta.com", "token-one-abc") as first:
        pass
    async with pool.connect("https://a.okta.com", "token-one-abc") as second:
        assert second is first
    assert len(made) == 1 and not closed(first)


async def test_a_rotated_token_gets_its_own_client() -> None:
    pool, made = make_pool()
    async with pool.connect("https://a.okta.com", "token-one-abc") as first:
        pass
    async with pool.connect("https://a.okta.com", "token-two-xyz") as second:
        assert second is not first
    assert len(made) == 2


async def test_eviction_closes_idle_clients_and_waits_for_busy_ones() -> None:
    pool, made = make_pool(max_clients=1)
    async with pool.connect("https://a.okta.com", "token-one-abc") as busy:
        async with pool.connect("https://b.okta.com", "token-two-xyz"):
            assert not closed(busy), "a client in use must not be closed under its user"
        assert len(pool) == 1
    assert closed(busy), "the evicted client closes when its last user leaves"
    async with pool.connect("https://c.okta.com", "token-three-q") as third:
        assert third is made[2]
    assert closed(made[1])


async def test_aclose_closes_everything() -> None:
    pool, made = make_pool()
    async with pool.connect("https://a.okta.com", "token-one-abc"):
        pass
    async with pool.connect("https://b.okta.com", "token-two-xyz"):
        pass
    await pool.aclose()
    assert all(closed(c) for c in made) and len(pool) == 0
