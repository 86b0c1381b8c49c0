"""Client-secret API: list/create (max 2), activate/deactivate, delete, rotation."""

from __future__ import annotations

import re

import httpx

from .conftest import create_app, error_of, native_app, web_app

MAX_SECRETS = ["You've reached the maximum number of client secrets per client."]


async def test_rotation_flow(client: httpx.AsyncClient) -> None:
    app = await create_app(client, web_app())
    base = f"/api/v1/apps/{app['id']}/credentials/secrets"
    [original] = (await client.get(base)).json()
    assert re.match(r"^ocs[A-Za-z0-9]{17}$", original["id"])
    assert original["status"] == "ACTIVE"
    assert original["client_secret"] == app["credentials"]["oauthClient"]["client_secret"]
    assert set(original["_links"]) == {"deactivate"}

    created = await client.post(base, json={})
    assert created.status_code == 201
    new = created.json()
    assert new["status"] == "ACTIVE" and len(new["client_secret"]) >= 40 and new["secret_hash"]

    third = await client.post(base, json={})
    assert third.status_code == 400
    assert error_of(third) == ("E0000001", "Api validation failed: OAuth2ClientSecretMediated", MAX_SECRETS)

    deactivated = await client.post(f"{base}/{original['id']}/lifecycle/deactivate")
    assert deactivated.status_code == 200
    assert deactivated.json()["status"] == "INACTIVE"
    assert set(deactivated.json()["_links"]) == {"activate", "delete"}

    only_active = await client.post(f"{base}/{new['id']}/lifecycle/deactivate")
    assert only_active.status_code == 400
    assert error_of(only_active)[2] == ["You can't deactivate the only active client secret."]

    delete_active = await client.delete(f"{base}/{new['id']}")
    assert delete_active.status_code == 400
    assert error_of(delete_active)[2] == [
        "You can't delete an active client secret. Deactivate the secret before deleting it."
    ]

    assert (await client.delete(f"{base}/{original['id']}")).status_code == 204
    remaining = (await client.get(base)).json()
    assert [item["id"] for item in remaining] == [new["id"]]
    # the app now echoes the new secret on update
    replaced = await client.put(f"/api/v1/apps/{app['id']}", json=web_app())
    assert replaced.json()["credentials"]["oauthClient"]["client_secret"] == new["client_secret"]


async def test_create_inactive_then_activate(client: httpx.AsyncClient) -> None:
    app = await create_app(client, web_app())
    base = f"/api/v1/apps/{app['id']}/credentials/secrets"
    created = (await client.post(base, json={"status": "INACTIVE", "client_secret": "x" * 40})).json()
    assert created["status"] == "INACTIVE" and created["client_secret"] == "x" * 40
    activated = await client.post(f"{base}/{created['id']}/lifecycle/activate")
    assert activated.status_code == 200 and activated.json()["status"] == "ACTIVE"
    fetched = await client.get(f"{base}/{created['id']}")
    assert fetched.status_code == 200 and fetched.json()["status"] == "ACTIVE"


async def test_bring_your_own_secret_rules(client: httpx.AsyncClient) -> None:
    app = await create_app(client, web_app())
    base = f"/api/v1/apps/{app['id']}/credentials/secrets"
    too_short = await client.post(base, json={"client_secret": "abc"})
    assert too_short.status_code == 400
    assert error_of(too_short)[2] == ["client_secret: 'client_secret' must be at least '14' characters long."]
    non_ascii = await client.post(base, json={"client_secret": "ü" * 20})
    assert non_ascii.status_code == 400


async def test_public_client_cannot_have_secrets(client: httpx.AsyncClient) -> None:
    app = await create_app(client, native_app())
    response = await client.post(f"/api/v1/apps/{app['id']}/credentials/secrets", json={})
    assert response.status_code == 400
    assert error_of(response)[1] == "Api validation failed: OAuth2ClientSecretMediated"


async def test_unknown_ids_are_404(client: httpx.AsyncClient) -> None:
    assert (await client.get("/api/v1/apps/0oaDOESNOTEXIST00000/credentials/secrets")).status_code == 404
    app = await create_app(client, web_app())
    response = await client.post(f"/api/v1/apps/{app['id']}/credentials/secrets/ocsNOPE/lifecycle/activate")
    assert response.status_code == 404
    assert error_of(response)[1] == "Not found: Resource not found: ocsNOPE (OAuth2ClientSecret)"


async def test_switching_to_a_public_client_drops_secrets_and_back_generates_one(
    client: httpx.AsyncClient,
) -> None:
    app = await create_app(client, web_app())
    public = web_app()
    public["credentials"]["oauthClient"] = {"token_endpoint_auth_method": "none"}
    replaced = (await client.put(f"/api/v1/apps/{app['id']}", json=public)).json()
    assert "client_secret" not in replaced["credentials"]["oauthClient"]
    assert (await client.get(f"/api/v1/apps/{app['id']}/credentials/secrets")).json() == []
    back = (await client.put(f"/api/v1/apps/{app['id']}", json=web_app())).json()
    fresh = back["credentials"]["oauthClient"]["client_secret"]
    assert fresh != app["credentials"]["oauthClient"]["client_secret"]
