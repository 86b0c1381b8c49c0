"""A factory's two apps on the sandbox, ready for sign-in: what the operator would have made."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import httpx

from outsystems_okta_sandbox.okta import OktaSandbox

from .conftest import create_app, native_app, web_app

WEB_REDIRECT = "https://dev.example.com/ServiceCenter/CentralizedLogin_AuthCodeFlow_TokenPart.aspx"
NATIVE_REDIRECT = "servicestudio://auth"


@dataclass
class Factory:
    web: dict[str, Any]
    native: dict[str, Any]
    groups: dict[str, str]  # name → id

    @property
    def web_client(self) -> str:
        return str(self.web["credentials"]["oauthClient"]["client_id"])

    @property
    def web_secret(self) -> str:
        return str(self.web["credentials"]["oauthClient"]["client_secret"])

    @property
    def native_client(self) -> str:
        return str(self.native["credentials"]["oauthClient"]["client_id"])


async def make_factory(
    client: httpx.AsyncClient, *, assign: tuple[str, ...] = ("OutSystems Developers",), **web: Any
) -> Factory:
    web_body = web_app()
    web_body["settings"]["oauthClient"].update(web)
    created_web = await create_app(client, web_body)
    created_native = await create_app(client, native_app())
    groups = {g["profile"]["name"]: g["id"] for g in (await client.get("/api/v1/groups")).json()}
    for name in assign:
        for app in (created_web, created_native):
            response = await client.put(f"/api/v1/apps/{app['id']}/groups/{groups[name]}")
            assert response.status_code == 200, response.text
    return Factory(created_web, created_native, groups)


async def authorize(sandbox: OktaSandbox, http: httpx.AsyncClient, **params: str) -> httpx.Response:
    """A raw GET /v1/authorize on the `default` server (no redirect following)."""
    query = {"response_type": "code", "scope": "openid profile email offline_access", "state": "s1", **params}
    return await http.get(f"{sandbox.url}/oauth2/default/v1/authorize", params=query, follow_redirects=False)


def redirect_params(response: httpx.Response) -> dict[str, str]:
    assert response.status_code == 302, response.text
    return dict(parse_qsl(urlsplit(response.headers["Location"]).query))


async def token(
    sandbox: OktaSandbox, http: httpx.AsyncClient, data: dict[str, str], auth: tuple[str, str] | None = None
) -> httpx.Response:
    return await http.post(f"{sandbox.url}/oauth2/default/v1/token", data=data, auth=auth)
