"""aiohttp handlers for an authorization server's lifecycle and its access policies and rules
(SPEC l.6620-7150: `activateAuthorizationServer` ... `deactivateAuthorizationServerPolicyRule`).

Creates answer 201, lifecycle operations and deletes 204 with no body, as the SPEC declares.
"""

from __future__ import annotations

from aiohttp import web

from . import render
from .access_policies import PolicyStore
from .httpio import json_body, no_content, respond, runtime

policy_routes = web.RouteTableDef()

SERVER = "/api/v1/authorizationServers/{authServerId}"
POLICIES = SERVER + "/policies"
POLICY = POLICIES + "/{policyId}"
RULES = POLICY + "/rules"
RULE = RULES + "/{ruleId}"


def _store(request: web.Request) -> PolicyStore:
    return runtime(request).state.get_auth_server(request.match_info["authServerId"]).policies


def _ids(request: web.Request) -> tuple[str, str]:
    return request.match_info["authServerId"], request.match_info["policyId"]


@policy_routes.post(SERVER + "/lifecycle/activate")
async def activate_authorization_server(request: web.Request) -> web.Response:
    runtime(request).state.set_auth_server_status(request.match_info["authServerId"], "ACTIVE")
    return no_content(request)


@policy_routes.post(SERVER + "/lifecycle/deactivate")
async def deactivate_authorization_server(request: web.Request) -> web.Response:
    runtime(request).state.set_auth_server_status(request.match_info["authServerId"], "INACTIVE")
    return no_content(request)


# ---- policies -----------------------------------------------------------------------------------


@policy_routes.get(POLICIES)
async def list_authorization_server_policies(request: web.Request) -> web.Response:
    base, server_id = runtime(request).base_url, request.match_info["authServerId"]
    return respond(request, [render.policy(server_id, item, base) for item in _store(request).all()])


@policy_routes.post(POLICIES)
async def create_authorization_server_policy(request: web.Request) -> web.Response:
    store = _store(request)
    policy = store.create(json_body(request))
    return respond(request, render.policy(store.server_id, policy, runtime(request).base_url), status=201)


@policy_routes.get(POLICY)
async def get_authorization_server_policy(request: web.Request) -> web.Response:
    server_id, policy_id = _ids(request)
    policy = _store(request).get(policy_id)
    return respond(request, render.policy(server_id, policy, runtime(request).base_url))


@policy_routes.put(POLICY)
async def replace_authorization_server_policy(request: web.Request) -> web.Response:
    server_id, policy_id = _ids(request)
    store = _store(request)
    store.get(policy_id)  # 404 before body validation
    policy = store.replace(policy_id, json_body(request))
    return respond(request, render.policy(server_id, policy, runtime(request).base_url))


@policy_routes.delete(POLICY)
async def delete_authorization_server_policy(request: web.Request) -> web.Response:
    _store(request).delete(request.match_info["policyId"])
    return no_content(request)


@policy_routes.post(POLICY + "/lifecycle/activate")
async def activate_authorization_server_policy(request: web.Request) -> web.Response:
    _store(request).set_status(request.match_info["policyId"], "ACTIVE")
    return no_content(request)


@policy_routes.post(POLICY + "/lifecycle/deactivate")
async def deactivate_authorization_server_policy(request: web.Request) -> web.Response:
    _store(request).set_status(request.match_info["policyId"], "INACTIVE")
    return no_content(request)


# ---- rules --------------------------------------------------------------------------------------


@policy_routes.get(RULES)
async def list_authorization_server_policy_rules(request: web.Request) -> web.Response:
    server_id, policy_id = _ids(request)
    base = runtime(request).base_url
    rules = _store(request).get(policy_id).rules
    return respond(request, [render.rule(server_id, policy_id, item, base) for item in rules])


@policy_routes.post(RULES)
async def create_authorization_server_policy_rule(request: web.Request) -> web.Response:
    server_id, policy_id = _ids(request)
    store = _store(request)
    store.get(policy_id)
    rule = store.create_rule(policy_id, json_body(request))
    return respond(request, render.rule(server_id, policy_id, rule, runtime(request).base_url), status=201)


@policy_routes.get(RULE)
async def get_authorization_server_policy_rule(request: web.Request) -> web.Response:
    server_id, policy_id = _ids(request)
    rule = _store(request).get_rule(policy_id, request.match_info["ruleId"])
    return respond(request, render.rule(server_id, policy_id, rule, runtime(request).base_url))


@policy_routes.put(RULE)
async def replace_authorization_server_policy_rule(request: web.Request) -> web.Response:
    server_id, policy_id = _ids(request)
    rule_id = request.match_info["ruleId"]
    store = _store(request)
    store.get_rule(policy_id, rule_id)  # 404 before body validation
    rule = store.replace_rule(policy_id, rule_id, json_body(request))
    return respond(request, render.rule(server_id, policy_id, rule, runtime(request).base_url))


@policy_routes.delete(RULE)
async def delete_authorization_server_policy_rule(request: web.Request) -> web.Response:
    _store(request).delete_rule(request.match_info["policyId"], request.match_info["ruleId"])
    return no_content(request)


@policy_routes.post(RULE + "/lifecycle/activate")
async def activate_authorization_server_policy_rule(request: web.Request) -> web.Response:
    _store(request).set_rule_status(request.match_info["policyId"], request.match_info["ruleId"], "ACTIVE")
    return no_content(request)


@policy_routes.post(RULE + "/lifecycle/deactivate")
async def deactivate_authorization_server_policy_rule(request: web.Request) -> web.Response:
    _store(request).set_rule_status(request.match_info["policyId"], request.match_info["ruleId"], "INACTIVE")
    return no_content(request)
