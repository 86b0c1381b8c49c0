"""Apps API semantics: create, get, list/paging, full-replace PUT, lifecycle, delete."""

from __future__ import annotations

import asyncio
import copy
import re

import httpx

from outsystems_okta_sandbox.okta import OktaSandbox

from .conftest import create_app, error_of, native_app, web_app

APP_ID = re.compile(r"^0oa[A-Za-z0-9]{17}$")


async def test_create_web_app_gets_server_made_id_and_a_secret(
    client: httpx.AsyncClient, sandbox: OktaSandbox
) -> None:
    app = await create_app(client, web_app())
    assert APP_ID.match(app["id"])
    assert app["status"] == "ACTIVE"
    assert app["name"] == "oidc_client"
    assert app["created"] == app["lastUpdated"]
    oauth = app["credentials"]["oauthClient"]
    assert oauth["client_id"] == app["id"]
    assert len(oauth["client_secret"]) >= 40
    assert oauth["token_endpoint_auth_method"] == "client_secret_basic"
    assert app["settings"]["oauthClient"]["consent_method"] == "TRUSTED"
    assert app["profile"] == web_app()["profile"]
    assert (
        app["_links"]["deactivate"]["href"] == f"{sandbox.url}/api/v1/apps/{app['id']}/lifecycle/deactivate"
    )
    # the secret is also a client-secret object
    [secret] = sandbox.state.apps[app["id"]].secrets
    assert secret.value == oauth["client_secret"] and secret.status == "ACTIVE"


async def test_create_native_app_is_a_public_client_without_secret(
    client: httpx.AsyncClient, sandbox: OktaSandbox
) -> None:
    app = await create_app(client, native_app())
    oauth = app["credentials"]["oauthClient"]
    assert "client_secret" not in oauth
    assert oauth["pkce_required"] is True
    assert sandbox.state.apps[app["id"]].secrets == []
    secrets = await client.get(f"/api/v1/apps/{app['id']}/credentials/secrets")
    assert secrets.status_code == 200 and secrets.json() == []


async def test_given_client_id_and_secret_are_kept(client: httpx.AsyncClient) -> None:
    body = web_app()
    body["credentials"]["oauthClient"].update(client_id="outsystems-consoles", client_secret="s" * 48)
    app = await create_app(client, body)
    assert app["credentials"]["oauthClient"]["client_id"] == "outsystems-consoles"
    assert app["credentials"]["oauthClient"]["client_secret"] == "s" * 48
    again = await client.post("/api/v1/apps", json=body)
    assert again.status_code == 400
    assert error_of(again)[1] == "Api validation failed: client_id"


async def test_labels_are_not_unique(client: httpx.AsyncClient, sandbox: OktaSandbox) -> None:
    first = await create_app(client, web_app("Same label"))
    second = await create_app(client, web_app("Same label"))
    assert first["id"] != second["id"]
    assert (
        first["credentials"]["oauthClient"]["client_id"] != second["credentials"]["oauthClient"]["client_id"]
    )
    assert len(sandbox.state.apps) == 2


async def test_activate_false_creates_inactive_app(client: httpx.AsyncClient) -> None:
    app = await create_app(client, web_app(), activate="false")
    assert app["status"] == "INACTIVE"
    assert "activate" in app["_links"] and "deactivate" not in app["_links"]


async def test_create_validation_errors_are_okta_e0000001(client: httpx.AsyncClient) -> None:
    body = web_app()
    del body["label"]
    del body["settings"]["oauthClient"]["redirect_uris"]
    body["settings"]["oauthClient"]["response_types"] = ["token"]
    response = await client.post("/api/v1/apps", json=body)
    assert response.status_code == 400
    code, summary, causes = error_of(response)
    assert code == "E0000001"
    assert summary == "Api validation failed: label"
    assert "label: The field cannot be left blank" in causes
    assert any(cause.startswith("redirect_uris:") for cause in causes)
    assert any(cause.startswith("response_types:") for cause in causes)

    no_grants = web_app()
    del no_grants["settings"]["oauthClient"]["grant_types"]
    response = await client.post("/api/v1/apps", json=no_grants)
    assert error_of(response)[2] == ["grant_types: The field cannot be left blank"]

    bad_enum = web_app()
    bad_enum["credentials"]["oauthClient"]["token_endpoint_auth_method"] = "magic"
    response = await client.post("/api/v1/apps", json=bad_enum)
    assert response.status_code == 400 and error_of(response)[1].endswith("token_endpoint_auth_method")

    public_without_pkce = native_app()
    public_without_pkce["credentials"]["oauthClient"]["pkce_required"] = False
    response = await client.post("/api/v1/apps", json=public_without_pkce)
    assert response.status_code == 400 and error_of(response)[1].endswith("pkce_required")

    short_secret = web_app()
    short_secret["credentials"]["oauthClient"]["client_secret"] = "short"
    response = await client.post("/api/v1/apps", json=short_secret)
    assert error_of(response)[2] == ["client_secret: 'client_secret' must be at least '14' characters long."]


async def test_malformed_json_is_e0000003(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/api/v1/apps", content=b"{not json", headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 400
    assert error_of(response)[0] == "E0000003"


async def test_get_unknown_app_is_404(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/v1/apps/0oaDOESNOTEXIST00000")
    assert response.status_code == 404
    code, summary, _ = error_of(response)
    assert code == "E0000007"
    assert summary == "Not found: Resource not found: 0oaDOESNOTEXIST00000 (AppInstance)"


async def test_get_never_returns_the_client_secret(client: httpx.AsyncClient) -> None:
    app = await create_app(client, web_app())
    fetched = (await client.get(f"/api/v1/apps/{app['id']}")).json()
    assert "client_secret" not in fetched["credentials"]["oauthClient"]
    listed = (await client.get("/api/v1/apps")).json()
    assert all("client_secret" not in item["credentials"]["oauthClient"] for item in listed)
    expected = copy.deepcopy(app)
    expected["credentials"]["oauthClient"].pop("client_secret")
    assert fetched == expected


async def test_put_is_a_full_replace(client: httpx.AsyncClient, sandbox: OktaSandbox) -> None:
    app = await create_app(client, web_app())
    await asyncio.sleep(0.002)  # lastUpdated has millisecond resolution
    body = web_app("Renamed")
    del body["profile"]
    del body["settings"]["oauthClient"]["post_logout_redirect_uris"]
    body.update(id="0oaIGNORED", status="INACTIVE", created="2000-01-01T00:00:00.000Z", name="ignored")
    response = await client.put(f"/api/v1/apps/{app['id']}", json=body)
    assert response.status_code == 200, response.text
    replaced = response.json()
    assert (
        replaced["id"] == app["id"] and replaced["status"] == "ACTIVE" and replaced["name"] == "oidc_client"
    )
    assert replaced["created"] == app["created"]
    assert replaced["lastUpdated"] > app["lastUpdated"]
    assert replaced["label"] == "Renamed"
    assert "profile" not in replaced
    assert "post_logout_redirect_uris" not in replaced["settings"]["oauthClient"]
    # Okta returns the current secret on update for secret-based auth methods
    assert (
        replaced["credentials"]["oauthClient"]["client_secret"]
        == app["credentials"]["oauthClient"]["client_secret"]
    )
    fetched = (await client.get(f"/api/v1/apps/{app['id']}")).json()
    assert "profile" not in fetched and fetched["label"] == "Renamed"


async def test_put_keeps_refresh_token_settings_when_omitted(client: httpx.AsyncClient) -> None:
    body = web_app()
    body["settings"]["oauthClient"]["refresh_token"] = {"rotation_type": "ROTATE", "leeway": 10}
    app = await create_app(client, body)
    replaced = (await client.put(f"/api/v1/apps/{app['id']}", json=web_app())).json()
    assert replaced["settings"]["oauthClient"]["refresh_token"] == {"rotation_type": "ROTATE", "leeway": 10}


async def test_put_without_consent_method_is_400(client: httpx.AsyncClient) -> None:
    app = await create_app(client, web_app())
    fetched = (await client.get(f"/api/v1/apps/{app['id']}")).json()
    del fetched["settings"]["oauthClient"]["consent_method"]
    response = await client.put(f"/api/v1/apps/{app['id']}", json=fetched)
    assert response.status_code == 400
    assert error_of(response)[2] == ["consent_method: The field cannot be left blank"]


async def test_put_round_trip_of_a_get_is_accepted(client: httpx.AsyncClient) -> None:
    app = await create_app(client, native_app())
    fetched = (await client.get(f"/api/v1/apps/{app['id']}")).json()
    fetched["settings"]["oauthClient"]["redirect_uris"].append("servicestudiox11://auth")
    response = await client.put(f"/api/v1/apps/{app['id']}", json=fetched)
    assert response.status_code == 200, response.text
    assert response.json()["settings"]["oauthClient"]["redirect_uris"][-1] == "servicestudiox11://auth"
    assert response.json()["profile"] == native_app()["profile"]


async def test_put_cannot_change_client_id(client: httpx.AsyncClient) -> None:
    app = await create_app(client, web_app())
    body = web_app()
    body["credentials"]["oauthClient"]["client_id"] = "another-client-id"
    response = await client.put(f"/api/v1/apps/{app['id']}", json=body)
    assert response.status_code == 400
    assert error_of(response)[1] == "Api validation failed: client_id"


async def test_put_with_client_secret_makes_it_the_active_secret(
    client: httpx.AsyncClient, sandbox: OktaSandbox
) -> None:
    app = await create_app(client, web_app())
    body = web_app()
    body["credentials"]["oauthClient"]["client_secret"] = "N" * 50
    replaced = (await client.put(f"/api/v1/apps/{app['id']}", json=body)).json()
    assert replaced["credentials"]["oauthClient"]["client_secret"] == "N" * 50
    secrets = (await client.get(f"/api/v1/apps/{app['id']}/credentials/secrets")).json()
    assert [(s["status"], s["client_secret"]) for s in secrets] == [("ACTIVE", "N" * 50)]


async def test_put_unknown_app_is_404(client: httpx.AsyncClient) -> None:
    response = await client.put("/api/v1/apps/0oaDOESNOTEXIST00000", json=web_app())
    assert response.status_code == 404 and error_of(response)[0] == "E0000007"


async def test_delete_active_app_is_forbidden_until_deactivated(client: httpx.AsyncClient) -> None:
    app = await create_app(client, web_app())
    url = f"/api/v1/apps/{app['id']}"
    forbidden = await client.delete(url)
    assert forbidden.status_code == 403
    assert error_of(forbidden) == (
        "E0000056",
        "Delete application forbidden.",
        ["The application must be deactivated before deletion."],
    )
    deactivated = await client.post(f"{url}/lifecycle/deactivate")
    assert deactivated.status_code == 200 and deactivated.json() == {}
    assert (await client.get(url)).json()["status"] == "INACTIVE"
    deleted = await client.delete(url)
    assert deleted.status_code == 204 and deleted.content == b""
    assert (await client.get(url)).status_code == 404
    assert (await client.delete(url)).status_code == 404


async def test_activate_lifecycle(client: httpx.AsyncClient) -> None:
    app = await create_app(client, web_app(), activate="false")
    response = await client.post(f"/api/v1/apps/{app['id']}/lifecycle/activate")
    assert response.status_code == 200 and response.json() == {}
    assert (await client.get(f"/api/v1/apps/{app['id']}")).json()["status"] == "ACTIVE"
    assert (await client.post("/api/v1/apps/0oaDOESNOTEXIST00000/lifecycle/activate")).status_code == 404


async def test_list_pages_with_link_headers(client: httpx.AsyncClient, sandbox: OktaSandbox) -> None:
    created = [(await create_app(client, web_app(f"App {i}")))["id"] for i in range(5)]
    seen: list[str] = []
    url: str | None = f"{sandbox.url}/api/v1/apps?limit=2"
    pages = 0
    while url is not None:
        response = await client.get(url)
        assert response.status_code == 200
        links = response.headers.get_list("link")
        assert any(link.endswith('rel="self"') and link.startswith(f"<{sandbox.url}/") for link in links)
        seen += [item["id"] for item in response.json()]
        url = response.links.get("next", {}).get("url")
        if url is not None:
            assert url.startswith(f"{sandbox.url}/api/v1/apps?") and "after=" in url and "limit=2" in url
        pages += 1
    assert pages == 3
    assert seen == created
    everything = await client.get("/api/v1/apps")
    assert [item["id"] for item in everything.json()] == created
    assert "next" not in everything.links


async def test_list_q_and_filter(client: httpx.AsyncClient) -> None:
    consoles = await create_app(client, web_app("OutSystems Consoles"))
    old = await create_app(client, web_app("OutSystems Consoles (old)"), activate="false")
    tools = await create_app(client, native_app("OutSystems Development Tools"))
    await create_app(client, web_app("Other"))

    q = await client.get("/api/v1/apps", params={"q": "outsystems con"})
    assert [item["id"] for item in q.json()] == [consoles["id"], old["id"]]  # prefix, case-insensitive
    active = await client.get("/api/v1/apps", params={"filter": 'status eq "ACTIVE"', "q": "OutSystems"})
    assert [item["id"] for item in active.json()] == [consoles["id"], tools["id"]]
    by_name = await client.get("/api/v1/apps", params={"filter": 'name eq "oidc_client"'})
    assert len(by_name.json()) == 4
    combined = await client.get(
        "/api/v1/apps", params={"filter": f'status eq "INACTIVE" or id eq "{tools["id"]}"'}
    )
    assert {item["id"] for item in combined.json()} == {old["id"], tools["id"]}
    unsupported = await client.get("/api/v1/apps", params={"filter": 'label eq "Other"'})
    assert unsupported.status_code == 400 and error_of(unsupported)[0] == "E0000031"


async def test_profile_is_free_json(client: httpx.AsyncClient) -> None:
    profile = {"managedBy": "x", "nested": {"list": [1, 2.5, None, True], "empty": {}}, "n": 0}
    app = await create_app(client, web_app(profile=profile))
    assert app["profile"] == profile
    assert (await client.get(f"/api/v1/apps/{app['id']}")).json()["profile"] == profile
