"""Fixtures: a fresh Okta sandbox on loopback per test, and an httpx client authorised for it."""

from __future__ import annotations

import copy
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from outsystems_okta_sandbox.okta import OktaSandbox, SeedUser

TOKEN = "00sandbox-test-token-0123456789abcdef"
SEED_GROUPS = ("OutSystems Developers", "OutSystems Admins")
DEVELOPER = "dev.one@example.com"  # in OutSystems Developers
ADMIN = "admin.one@example.com"  # in OutSystems Admins
OUTSIDER = "someone.else@example.com"  # in no group but Everyone
SEED_USERS = (
    SeedUser(DEVELOPER, groups=["OutSystems Developers"]),
    SeedUser(ADMIN, groups=["OutSystems Admins"], first_name="Ada", last_name="Admin"),
    SeedUser(OUTSIDER),
)

WEB_APP: dict[str, Any] = {
    "name": "oidc_client",
    "label": "OutSystems Consoles",
    "signOnMode": "OPENID_CONNECT",
    "credentials": {
        "oauthClient": {"token_endpoint_auth_method": "client_secret_basic", "autoKeyRotation": True}
    },
    "profile": {"managedBy": "outsystems-okta/factory/main", "uid": "5f0c4c8e-1111-2222-3333-444455556666"},
    "settings": {
        "oauthClient": {
            "application_type": "web",
            "grant_types": ["authorization_code", "refresh_token"],
            "response_types": ["code"],
            "consent_method": "TRUSTED",
            "redirect_uris": [
                "https://dev.example.com/ServiceCenter/CentralizedLogin_AuthCodeFlow_TokenPart.aspx"
            ],
            "post_logout_redirect_uris": [
                "https://dev.example.com/ServiceCenter/CentralizedLogout_CallbackEndpoint.aspx"
            ],
        }
    },
}

NATIVE_APP: dict[str, Any] = {
    "name": "oidc_client",
    "label": "OutSystems Development Tools",
    "signOnMode": "OPENID_CONNECT",
    "credentials": {"oauthClient": {"token_endpoint_auth_method": "none", "pkce_required": True}},
    "profile": {"managedBy": "outsystems-okta/factory/main"},
    "settings": {
        "oauthClient": {
            "application_type": "native",
            "grant_types": ["authorization_code", "refresh_token"],
            "response_types": ["code"],
            "redirect_uris": ["servicestudio://auth", "integrationstudio://auth"],
            "post_logout_redirect_uris": ["servicestudio://auth", "https://www.outsystems.com"],
        }
    },
}


def web_app(label: str | None = None, **overrides: Any) -> dict[str, Any]:
    body = copy.deepcopy(WEB_APP)
    if label is not None:
        body["label"] = label
    body.update(overrides)
    return body


def native_app(label: str | None = None) -> dict[str, Any]:
    body = copy.deepcopy(NATIVE_APP)
    if label is not None:
        body["label"] = label
    return body


def auth_headers(token: str = TOKEN) -> dict[str, str]:
    return {"Authorization": f"SSWS {token}", "Accept": "application/json"}


@pytest.fixture
async def sandbox() -> AsyncIterator[OktaSandbox]:
    okta = OktaSandbox(token=TOKEN, groups=SEED_GROUPS, users=SEED_USERS)
    await okta.start()
    try:
        yield okta
    finally:
        await okta.stop()


@pytest.fixture
async def client(sandbox: OktaSandbox) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=sandbox.url, headers=auth_headers(), timeout=10) as http:
        yield http


@pytest.fixture
async def anonymous(sandbox: OktaSandbox) -> AsyncIterator[httpx.AsyncClient]:
    """No Authorization header: for the hooks and the discovery documents."""
    async with httpx.AsyncClient(base_url=sandbox.url, timeout=10) as http:
        yield http


async def create_app(client: httpx.AsyncClient, body: dict[str, Any], **params: str) -> dict[str, Any]:
    response = await client.post("/api/v1/apps", json=body, params=params)
    assert response.status_code == 200, response.text
    data: dict[str, Any] = response.json()
    return data


def error_of(response: httpx.Response) -> tuple[str, str, list[str]]:
    body = response.json()
    return body["errorCode"], body["errorSummary"], [cause["errorSummary"] for cause in body["errorCauses"]]
