"""Groups (Everyone, search/filter/q, create) and app ↔ group assignments."""

from __future__ import annotations

import httpx

from outsystems_okta_sandbox.okta import OktaSandbox

from .conftest import SEED_GROUPS, create_app, error_of, web_app


async def _group_id(client: httpx.AsyncClient, name: str) -> str:
    response = await client.get("/api/v1/groups", params={"search": f'profile.name eq "{name}"'})
    [group] = response.json()
    return str(group["id"])


async def test_everyone_is_built_in_and_seeds_are_okta_groups(client: httpx.AsyncClient) -> None:
    groups = (await client.get("/api/v1/groups")).json()
    assert [(g["profile"]["name"], g["type"]) for g in groups] == [
        ("Everyone", "BUILT_IN"),
        *((name, "OKTA_GROUP") for name in SEED_GROUPS),
    ]
    built_in = (await client.get("/api/v1/groups", params={"filter": 'type eq "BUILT_IN"'})).json()
    assert [g["profile"]["name"] for g in built_in] == ["Everyone"]
    assert all(g["id"].startswith("00g") and len(g["id"]) == 20 for g in groups)


async def test_search_eq_is_an_exact_match_but_q_is_a_prefix(client: httpx.AsyncClient) -> None:
    exact = (
        await client.get("/api/v1/groups", params={"search": 'profile.name eq "OutSystems Admins"'})
    ).json()
    assert [g["profile"]["name"] for g in exact] == ["OutSystems Admins"]
    none = (await client.get("/api/v1/groups", params={"search": 'profile.name eq "OutSystems"'})).json()
    assert none == []
    case = (
        await client.get("/api/v1/groups", params={"search": 'profile.name eq "outsystems admins"'})
    ).json()
    assert case == []
    prefix = (await client.get("/api/v1/groups", params={"q": "outsystems"})).json()
    assert [g["profile"]["name"] for g in prefix] == list(SEED_GROUPS)
    starts = (await client.get("/api/v1/groups", params={"search": 'profile.name sw "OutSystems A"'})).json()
    assert [g["profile"]["name"] for g in starts] == ["OutSystems Admins"]
    bad = await client.get("/api/v1/groups", params={"search": 'profile.name eq "unterminated'})
    assert bad.status_code == 400 and error_of(bad)[0] == "E0000031"


async def test_create_group_the_okta_way(client: httpx.AsyncClient, sandbox: OktaSandbox) -> None:
    response = await client.post(
        "/api/v1/groups", json={"profile": {"name": "LifeTime Admins", "description": "LT"}}
    )
    assert response.status_code == 200
    group = response.json()
    assert group["type"] == "OKTA_GROUP" and group["profile"] == {
        "name": "LifeTime Admins",
        "description": "LT",
    }
    assert await _group_id(client, "LifeTime Admins") == group["id"]
    duplicate = await client.post("/api/v1/groups", json={"profile": {"name": "LifeTime Admins"}})
    assert duplicate.status_code == 400 and error_of(duplicate)[1] == "Api validation failed: name"
    blank = await client.post("/api/v1/groups", json={"profile": {}})
    assert blank.status_code == 400
    hook_group = sandbox.add_group("From Python")
    assert await _group_id(client, "From Python") == hook_group["id"]


async def test_groups_page_with_links(client: httpx.AsyncClient, sandbox: OktaSandbox) -> None:
    for i in range(4):
        sandbox.add_group(f"Extra {i}")
    names: list[str] = []
    url: str | None = "/api/v1/groups?limit=3"
    while url:
        response = await client.get(url)
        names += [g["profile"]["name"] for g in response.json()]
        url = response.links.get("next", {}).get("url")
    assert names == ["Everyone", *SEED_GROUPS, *(f"Extra {i}" for i in range(4))]


async def test_assignment_lifecycle(client: httpx.AsyncClient, sandbox: OktaSandbox) -> None:
    app = await create_app(client, web_app())
    everyone = await _group_id(client, "Everyone")
    url = f"/api/v1/apps/{app['id']}/groups/{everyone}"

    assigned = await client.put(url)  # body-less: httpx sends Content-Length: 0
    assert assigned.status_code == 200
    body = assigned.json()
    assert body["id"] == everyone and body["priority"] == 0 and body["profile"] == {}
    assert body["_links"]["group"]["href"] == f"{sandbox.url}/api/v1/groups/{everyone}"

    again = await client.put(url, json={"priority": 3})
    assert again.status_code == 200 and again.json()["priority"] == 3

    fetched = await client.get(url, params={"expand": "group"})
    assert fetched.status_code == 200
    assert fetched.json()["_embedded"]["group"]["profile"]["name"] == "Everyone"

    listed = (await client.get(f"/api/v1/apps/{app['id']}/groups")).json()
    assert [item["id"] for item in listed] == [everyone]

    assert (await client.delete(url)).status_code == 204
    assert (await client.get(url)).status_code == 404
    assert (await client.get(f"/api/v1/apps/{app['id']}/groups")).json() == []


async def test_assigning_unknown_group_or_app_is_404(client: httpx.AsyncClient) -> None:
    app = await create_app(client, web_app())
    unknown_group = await client.put(f"/api/v1/apps/{app['id']}/groups/00gDOESNOTEXIST00000")
    assert unknown_group.status_code == 404
    assert error_of(unknown_group)[1] == "Not found: Resource not found: 00gDOESNOTEXIST00000 (UserGroup)"
    everyone = await _group_id(client, "Everyone")
    unknown_app = await client.put(f"/api/v1/apps/0oaDOESNOTEXIST00000/groups/{everyone}")
    assert unknown_app.status_code == 404


async def test_assignments_page_with_links(client: httpx.AsyncClient, sandbox: OktaSandbox) -> None:
    app = await create_app(client, web_app())
    group_ids = [sandbox.add_group(f"Team {i:02d}")["id"] for i in range(25)]
    for group_id in group_ids:
        assert (await client.put(f"/api/v1/apps/{app['id']}/groups/{group_id}")).status_code == 200

    first = await client.get(f"/api/v1/apps/{app['id']}/groups")  # Okta's default page is 20
    assert len(first.json()) == 20 and "next" in first.links
    seen: list[str] = []
    url: str | None = f"/api/v1/apps/{app['id']}/groups?limit=10"
    pages = 0
    while url:
        response = await client.get(url)
        seen += [item["id"] for item in response.json()]
        url = response.links.get("next", {}).get("url")
        pages += 1
    assert pages == 3 and seen == group_ids
    assert [
        i["priority"] for i in (await client.get(f"/api/v1/apps/{app['id']}/groups?limit=200")).json()
    ] == list(range(25))


async def test_deleting_an_app_drops_its_assignments(client: httpx.AsyncClient, sandbox: OktaSandbox) -> None:
    app = await create_app(client, web_app(), activate="false")
    everyone = await _group_id(client, "Everyone")
    await client.put(f"/api/v1/apps/{app['id']}/groups/{everyone}")
    assert (await client.delete(f"/api/v1/apps/{app['id']}")).status_code == 204
    assert sandbox.dump_state()["assignments"] == {}
    assert (await client.get(f"/api/v1/apps/{app['id']}/groups")).status_code == 404


async def test_a_groups_apps_are_listed_in_pages_and_follow_assignments(client: httpx.AsyncClient) -> None:
    # listAssignedApplicationsForGroup: what the operator reads to know assignments per group.
    group = await _group_id(client, "OutSystems Admins")
    apps = [await create_app(client, web_app(f"App {i:02d}")) for i in range(23)]
    other = await create_app(client, web_app("Not assigned"))
    for app in apps:
        assert (await client.put(f"/api/v1/apps/{app['id']}/groups/{group}")).status_code == 200

    first = await client.get(f"/api/v1/groups/{group}/apps")  # the spec's default page is 20
    assert len(first.json()) == 20 and "next" in first.links
    assert first.json()[0]["settings"]["oauthClient"]["redirect_uris"]  # whole apps, as listApplications
    seen: list[str] = []
    url: str | None = f"/api/v1/groups/{group}/apps?limit=10"
    while url:
        response = await client.get(url)
        seen += [item["id"] for item in response.json()]
        url = response.links.get("next", {}).get("url")
    assert seen == [app["id"] for app in apps] and other["id"] not in seen

    await client.delete(f"/api/v1/apps/{apps[0]['id']}/groups/{group}")
    after = (await client.get(f"/api/v1/groups/{group}/apps", params={"limit": "200"})).json()
    assert [app["id"] for app in after] == [app["id"] for app in apps[1:]]
    missing = await client.get("/api/v1/groups/00gNoSuchGroup000000/apps")
    assert missing.status_code == 404 and error_of(missing)[0] == "E0000007"
