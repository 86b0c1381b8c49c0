"""Access policies and rules of the `default` authorization server over the Management API, the
server's lifecycle, and the hooks that seed them."""

from __future__ import annotations

from typing import Any

import httpx

from outsystems_okta_sandbox.okta import OktaSandbox

from .conftest import DEVELOPER, create_app, error_of, native_app, web_app

POLICIES = "/api/v1/authorizationServers/default/policies"


def policy_body(name: str, clients: list[str] | None = None, **extra: Any) -> dict[str, Any]:
    return {
        "type": "OAUTH_AUTHORIZATION_POLICY",
        "name": name,
        "description": f"{name} description",
        "conditions": {"clients": {"include": clients or ["ALL_CLIENTS"]}},
        **extra,
    }


def rule_body(name: str, **extra: Any) -> dict[str, Any]:
    return {
        "type": "RESOURCE_ACCESS",
        "name": name,
        "conditions": {
            "people": {"groups": {"include": ["EVERYONE"]}},
            "grantTypes": {"include": ["authorization_code", "refresh_token"]},
            "scopes": {"include": ["openid", "email", "profile", "offline_access"]},
        },
        **extra,
    }


async def test_a_new_org_has_the_default_policy_and_rule(
    client: httpx.AsyncClient, sandbox: OktaSandbox
) -> None:
    [policy] = (await client.get(POLICIES)).json()
    assert {k: policy[k] for k in ("type", "name", "status", "priority", "system", "conditions")} == {
        "type": "OAUTH_AUTHORIZATION_POLICY",
        "name": "Default Policy",
        "status": "ACTIVE",
        "priority": 1,
        "system": False,
        "conditions": {"clients": {"include": ["ALL_CLIENTS"]}},
    }
    assert policy["id"].startswith("00p") and len(policy["id"]) == 20
    assert set(policy["_links"]) == {"self", "deactivate", "rules"}
    assert policy["_links"]["rules"]["href"] == f"{sandbox.url}{POLICIES}/{policy['id']}/rules"
    [rule] = (await client.get(f"{POLICIES}/{policy['id']}/rules")).json()
    assert (
        rule["name"] == "Default Policy Rule" and rule["type"] == "RESOURCE_ACCESS" and rule["priority"] == 1
    )
    assert rule["conditions"] == {
        "people": {
            "users": {"include": [], "exclude": []},
            "groups": {"include": ["EVERYONE"], "exclude": []},
        },
        "grantTypes": {"include": ["implicit", "client_credentials", "authorization_code", "password"]},
        "scopes": {"include": ["*"]},
    }
    assert rule["actions"] == {
        "token": {
            "accessTokenLifetimeMinutes": 60,
            "refreshTokenLifetimeMinutes": 0,
            "refreshTokenWindowMinutes": 10080,
        }
    }
    sandbox.reset()
    [again] = (await client.get(POLICIES)).json()
    assert again["name"] == "Default Policy"


async def test_policy_crud_and_lifecycle(client: httpx.AsyncClient) -> None:
    web = await create_app(client, web_app())
    native = await create_app(client, native_app())
    clients = [
        web["credentials"]["oauthClient"]["client_id"],
        native["credentials"]["oauthClient"]["client_id"],
    ]
    created = await client.post(POLICIES, json=policy_body("OutSystems", clients))
    assert created.status_code == 201, created.text
    policy = created.json()
    assert policy["priority"] == 2 and policy["status"] == "ACTIVE"  # no priority: the bottom
    assert policy["conditions"]["clients"]["include"] == clients
    url = f"{POLICIES}/{policy['id']}"
    assert (await client.get(url)).json() == policy

    assert (await client.post(f"{url}/lifecycle/deactivate")).status_code == 204
    inactive = (await client.get(url)).json()
    assert inactive["status"] == "INACTIVE" and "activate" in inactive["_links"]
    assert (await client.post(f"{url}/lifecycle/activate")).status_code == 204

    replaced = await client.put(url, json={**policy, "name": "OutSystems factory", "priority": 1})
    assert replaced.status_code == 200 and replaced.json()["name"] == "OutSystems factory"
    assert [(p["name"], p["priority"]) for p in (await client.get(POLICIES)).json()] == [
        ("OutSystems factory", 1),
        ("Default Policy", 2),
    ]
    assert (await client.delete(url)).status_code == 204
    assert [(p["name"], p["priority"]) for p in (await client.get(POLICIES)).json()] == [
        ("Default Policy", 1)
    ]
    missing = await client.get(url)
    assert missing.status_code == 404 and error_of(missing)[0] == "E0000007"


async def test_rule_crud_lifecycle_and_priorities(client: httpx.AsyncClient, sandbox: OktaSandbox) -> None:
    policy = (await client.post(POLICIES, json=policy_body("OutSystems"))).json()
    rules = f"{POLICIES}/{policy['id']}/rules"
    first = await client.post(rules, json=rule_body("first"))
    assert first.status_code == 201, first.text
    assert first.json()["priority"] == 1 and first.json()["status"] == "ACTIVE"
    assert first.json()["actions"]["token"]["accessTokenLifetimeMinutes"] == 60  # defaults filled in
    second = (await client.post(rules, json=rule_body("second"))).json()
    top = (await client.post(rules, json=rule_body("top", priority=1))).json()
    far = (await client.post(rules, json=rule_body("far", priority=99))).json()
    assert [(r["name"], r["priority"]) for r in (await client.get(rules)).json()] == [
        ("top", 1),
        ("first", 2),
        ("second", 3),
        ("far", 4),
    ]
    moved = await client.put(f"{rules}/{far['id']}", json={**far, "priority": 2})
    assert moved.status_code == 200 and moved.json()["priority"] == 2
    assert (await client.delete(f"{rules}/{top['id']}")).status_code == 204
    assert [(r["name"], r["priority"]) for r in (await client.get(rules)).json()] == [
        ("far", 1),
        ("first", 2),
        ("second", 3),
    ]
    assert (await client.post(f"{rules}/{second['id']}/lifecycle/deactivate")).status_code == 204
    got = (await client.get(f"{rules}/{second['id']}")).json()
    assert got["status"] == "INACTIVE" and "activate" in got["_links"]
    group = next(g for g in sandbox.state.groups.values() if g.name == "OutSystems Developers")
    user = sandbox.state.user_by_login(DEVELOPER)
    assert user is not None
    people = {"users": {"include": [user.id]}, "groups": {"include": [group.id], "exclude": ["EVERYONE"]}}
    narrowed = await client.put(
        f"{rules}/{second['id']}",
        json={**rule_body("second"), "conditions": {**rule_body("x")["conditions"], "people": people}},
    )
    assert narrowed.status_code == 200
    assert narrowed.json()["conditions"]["people"] == {
        "users": {"include": [user.id], "exclude": []},
        "groups": {"include": [group.id], "exclude": ["EVERYONE"]},
    }
    assert narrowed.json()["status"] == "INACTIVE"  # a PUT without status keeps it


async def test_policy_and_rule_validation_errors(client: httpx.AsyncClient) -> None:
    bad_policy = await client.post(POLICIES, json={"type": "OAUTH_AUTHORIZATION_POLICY", "conditions": {}})
    code, summary, causes = error_of(bad_policy)
    assert bad_policy.status_code == 400 and code == "E0000001" and summary == "Api validation failed: name"
    assert causes[:2] == [
        "name: The field cannot be left blank",
        "description: The field cannot be left blank",
    ]
    unknown_client = await client.post(POLICIES, json=policy_body("x", ["0oaNOSUCHCLIENT00000"]))
    assert "Invalid client id: 0oaNOSUCHCLIENT00000" in error_of(unknown_client)[2][0]
    mixed = await client.post(POLICIES, json=policy_body("x", ["ALL_CLIENTS", "whatever"]))
    assert mixed.status_code == 400

    [policy] = (await client.get(POLICIES)).json()
    rules = f"{POLICIES}/{policy['id']}/rules"
    body = rule_body("bad")
    body["conditions"]["grantTypes"] = {"include": ["magic"]}
    body["conditions"]["scopes"] = {"include": ["openid", "groups"]}
    body["conditions"]["people"] = {"groups": {"include": ["00gNOSUCHGROUP000000"]}}
    body["actions"] = {"token": {"accessTokenLifetimeMinutes": 2, "refreshTokenWindowMinutes": 5}}
    response = await client.post(rules, json=body)
    code, _, causes = error_of(response)
    assert response.status_code == 400 and code == "E0000001"
    assert causes == [
        "conditions.people.groups.include: Invalid id: 00gNOSUCHGROUP000000",
        "conditions.grantTypes.include: Invalid grant type: magic",
        "conditions.scopes.include: Invalid scope: groups",
        "actions.token.accessTokenLifetimeMinutes: must be between 5 and 1440 minutes",
        "actions.token.refreshTokenWindowMinutes: must be between 10 and 2628000 minutes",
    ]
    no_type = await client.post(rules, json={k: v for k, v in rule_body("t").items() if k != "type"})
    assert error_of(no_type)[1] == "Api validation failed: type"
    not_json = await client.post(rules, content=b"[", headers={"Content-Type": "application/json"})
    assert not_json.status_code == 400 and error_of(not_json)[0] == "E0000003"
    assert (await client.get(f"{rules}/0prNOSUCHRULE0000000")).status_code == 404
    assert (await client.get("/api/v1/authorizationServers/nope/policies")).status_code == 404


async def test_a_token_that_may_not_read_policies_gets_403(
    client: httpx.AsyncClient, anonymous: httpx.AsyncClient
) -> None:
    fault = {"status": 403, "count": 100, "path_prefix": "/api/v1/authorizationServers/default/policies"}
    assert (await anonymous.post("/__sandbox/faults", json=fault)).status_code == 200
    denied = await client.get(POLICIES)
    assert denied.status_code == 403 and error_of(denied)[0] == "E0000006"
    assert (await client.get("/api/v1/authorizationServers/default")).status_code == 200  # the server itself


async def test_hooks_replace_policies_and_set_the_server_status(
    anonymous: httpx.AsyncClient, client: httpx.AsyncClient, sandbox: OktaSandbox
) -> None:
    seeded = await anonymous.put(
        "/__sandbox/authorization-servers/default/policies",
        json=[{**policy_body("Only"), "rules": [rule_body("a"), rule_body("b", priority=1)]}],
    )
    assert seeded.status_code == 200, seeded.text
    [policy] = seeded.json()
    assert [r["name"] for r in policy["rules"]] == ["b", "a"]
    assert [p["name"] for p in (await client.get(POLICIES)).json()] == ["Only"]
    assert [r.path for r in sandbox.requests] == [POLICIES]  # the hook made no logged API call

    invalid = await anonymous.put(
        "/__sandbox/authorization-servers/default/policies",
        json=[{**policy_body("Broken"), "rules": [{"name": "x"}]}],
    )
    assert invalid.status_code == 400 and invalid.json()["errorCode"] == "E0000001"
    assert [p["name"] for p in (await client.get(POLICIES)).json()] == ["Only"]  # all or nothing
    assert (
        await anonymous.put("/__sandbox/authorization-servers/default/policies", json={})
    ).status_code == 400

    off = await anonymous.post("/__sandbox/authorization-servers/default/status", json={"status": "INACTIVE"})
    assert off.status_code == 200 and off.json()["status"] == "INACTIVE"
    assert (
        await anonymous.post("/__sandbox/authorization-servers/default/status", json={"status": "OFF"})
    ).status_code == 400
    assert (
        await anonymous.post("/__sandbox/authorization-servers/nope/status", json={"status": "ACTIVE"})
    ).status_code == 404
    state = (await anonymous.get("/__sandbox/state")).json()
    assert state["authorizationServers"][0]["status"] == "INACTIVE"
    assert [p["name"] for p in state["policies"]["default"]] == ["Only"]
    assert DEVELOPER in [u["profile"]["login"] for u in state["users"]]
