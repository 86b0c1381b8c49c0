"""Test hooks under `/__sandbox/` (not Okta; no auth, not logged, not rate limited).

POST   /__sandbox/faults          {"status": 503, "count": 1, "method": "PUT", "path_prefix": "/api/v1/apps",
                                   "errorCode": "E...", "errorSummary": "...",
                                   "rateLimitHeaders": false}   (all but status optional; the last: a
                                  429 without X-Rate-Limit-* headers, so no reset to wait for)
DELETE /__sandbox/faults          drop queued faults and lost-response rules, latency back to 0
POST   /__sandbox/lose-responses  {"count": 1, "method": "POST", "path_prefix": "/api/v1/apps",
                                   "apply_after": 2.5 | "status": 502}   (either optional: the call is
                                  applied that many seconds after the drop; or applied, then answered
                                  with that error instead of dropped; default: applied, then dropped)
POST   /__sandbox/latency         {"seconds": 0.5}   every call, until DELETE /__sandbox/faults; or
                                  {"seconds": 2, "count": 1, "method": "POST", "path_prefix": "/api/v1/apps"}
                                  only the next matching calls (applied after the wait all the same)
POST   /__sandbox/rate-limit      {"per_minute": 5 | null, "window_seconds": 2, "bucket": "/api/v1/apps"}
GET    /__sandbox/requests        [{"method", "path", "query", "status", "bucket", "requestId",
                                    "lost", "injected"}, ...]
DELETE /__sandbox/requests        clear the log
GET    /__sandbox/state           {"apps", "secrets", "groups", "assignments", "authorizationServers",
                                   "policies": {serverId: [policy + "rules"]}, "users"}
POST   /__sandbox/reset           back to the seeded org, no faults, empty logs, initial rate limit
POST   /__sandbox/groups          {"name": "...", "description": "..."} → the Group
POST   /__sandbox/users           {"login": "jane@example.com", "groups": ["OutSystems IT" | group id],
                                   "email", "firstName", "lastName"} → the User (+ "groupIds")
PUT    /__sandbox/authorization-servers/{id}/policies
                                  [{policy body..., "rules": [rule body, ...]}, ...] → replaces every
                                  policy of the server (validated like the API; all or nothing)
POST   /__sandbox/authorization-servers/{id}/status   {"status": "ACTIVE" | "INACTIVE"}
POST   /__sandbox/features        {"apiAccessManagement": false, "identityEngine": false} (either optional)
                                  → what the org's plan now includes (until the next reset)
POST   /__sandbox/service-apps    {"clientId": "0oa...", "jwk": {public JWK, "kid" optional},
                                   "scopes": ["okta.apps.read", ...]} → an API service app that
                                  may get tokens (private_key_jwt + DPoP, /oauth2/v1/token) with those scopes
POST   /__sandbox/sign-in-policies  {"name": "...", "description": "..."} → a new app sign-in policy
POST   /__sandbox/apps/{appId}/secrets/{secretId}/created  {"created": "2026-01-01T00:00:00Z"}
                                  → the client secret, now made then (for a schedule by secret age)

A read the API token may not make is an injected fault: POST /__sandbox/faults {"status": 403,
"count": 100, "path_prefix": "/api/v1/authorizationServers/default/policies"}.
"""

from __future__ import annotations

import json
from typing import Any

from aiohttp import web

from .errors import OktaError
from .httpio import runtime

hooks = web.RouteTableDef()


class HookError(ValueError):
    pass


async def _payload(request: web.Request) -> dict[str, Any]:
    raw = await request.read()
    if not raw.strip():
        return {}
    try:
        data = json.loads(raw)
    except ValueError as exc:
        raise HookError(f"invalid JSON: {exc}") from exc
    if not isinstance(data, dict):
        raise HookError("the body must be a JSON object")
    return data


def _int(data: dict[str, Any], key: str, default: int | None = None) -> int:
    value = data.get(key, default)
    if not isinstance(value, int) or isinstance(value, bool):
        raise HookError(f"'{key}' must be an integer")
    return value


def _optional_str(data: dict[str, Any], key: str) -> str | None:
    value = data.get(key)
    if value is not None and not isinstance(value, str):
        raise HookError(f"'{key}' must be a string")
    return value


def _optional_number(data: dict[str, Any], key: str) -> float | None:
    value = data.get(key)
    if value is None:
        return None
    if not isinstance(value, int | float) or isinstance(value, bool):
        raise HookError(f"'{key}' must be a number")
    return float(value)


@web.middleware
async def hook_errors(request: web.Request, handler: Any) -> web.StreamResponse:
    if not request.path.startswith("/__sandbox/"):
        response: web.StreamResponse = await handler(request)
        return response
    try:
        response = await handler(request)
    except (HookError, ValueError) as exc:
        return web.json_response({"error": str(exc)}, status=400)
    except OktaError as exc:
        return web.json_response(exc.body(), status=exc.status)
    return response


@hooks.post("/__sandbox/faults")
async def add_fault(request: web.Request) -> web.Response:
    data = await _payload(request)
    runtime(request).inject_fault(
        _int(data, "status"),
        _int(data, "count", 1),
        method=_optional_str(data, "method"),
        path_prefix=_optional_str(data, "path_prefix"),
        error_code=_optional_str(data, "errorCode"),
        error_summary=_optional_str(data, "errorSummary"),
        rate_limit_headers=_optional_bool(data, "rateLimitHeaders") is not False,
    )
    return web.json_response({"queued": len(runtime(request).faults.faults)})


@hooks.delete("/__sandbox/faults")
async def clear_faults(request: web.Request) -> web.Response:
    runtime(request).faults.clear()
    return web.json_response({})


@hooks.post("/__sandbox/lose-responses")
async def lose_responses(request: web.Request) -> web.Response:
    data = await _payload(request)
    runtime(request).lose_responses(
        _int(data, "count", 1),
        method=_optional_str(data, "method"),
        path_prefix=_optional_str(data, "path_prefix"),
        apply_after=_optional_number(data, "apply_after") or 0.0,
        answer=None if data.get("status") is None else _int(data, "status"),
    )
    return web.json_response({"queued": len(runtime(request).faults.losses)})


@hooks.post("/__sandbox/latency")
async def set_latency(request: web.Request) -> web.Response:
    data = await _payload(request)
    seconds = _optional_number(data, "seconds")
    if seconds is None:
        raise HookError("'seconds' is required")
    if any(key in data for key in ("count", "method", "path_prefix")):
        runtime(request).slow_down(
            seconds,
            _int(data, "count", 1),
            method=_optional_str(data, "method"),
            path_prefix=_optional_str(data, "path_prefix"),
        )
        return web.json_response({"seconds": seconds, "queued": len(runtime(request).faults.slow)})
    runtime(request).set_latency(seconds)
    return web.json_response({"seconds": seconds})


@hooks.post("/__sandbox/rate-limit")
async def set_rate_limit(request: web.Request) -> web.Response:
    data = await _payload(request)
    if "per_minute" not in data:
        raise HookError("'per_minute' is required (an integer or null)")
    per_minute = None if data["per_minute"] is None else _int(data, "per_minute")
    rt = runtime(request)
    rt.set_rate_limit(
        per_minute,
        window_seconds=_optional_number(data, "window_seconds"),
        bucket=_optional_str(data, "bucket"),
    )
    limiter = rt.limiter
    return web.json_response(
        {
            "per_minute": limiter.per_minute,
            "window_seconds": limiter.window_seconds,
            "buckets": dict(limiter.overrides),
        }
    )


@hooks.get("/__sandbox/requests")
async def list_requests(request: web.Request) -> web.Response:
    return web.json_response([item.to_json() for item in runtime(request).requests])


@hooks.delete("/__sandbox/requests")
async def clear_requests(request: web.Request) -> web.Response:
    runtime(request).clear_requests()
    return web.json_response({})


@hooks.get("/__sandbox/state")
async def dump_state(request: web.Request) -> web.Response:
    return web.json_response(runtime(request).dump_state())


@hooks.post("/__sandbox/reset")
async def reset(request: web.Request) -> web.Response:
    runtime(request).reset()
    return web.json_response({})


@hooks.post("/__sandbox/groups")
async def add_group(request: web.Request) -> web.Response:
    data = await _payload(request)
    name = _optional_str(data, "name")
    if not name:
        raise HookError("'name' is required")
    return web.json_response(runtime(request).add_group(name, _optional_str(data, "description")))


def _optional_strings(data: dict[str, Any], key: str) -> list[str]:
    value = data.get(key, [])
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise HookError(f"'{key}' must be a list of strings")
    return list(value)


@hooks.post("/__sandbox/users")
async def add_user(request: web.Request) -> web.Response:
    data = await _payload(request)
    login = _optional_str(data, "login")
    if not login:
        raise HookError("'login' is required")
    user = runtime(request).add_user(
        login,
        groups=_optional_strings(data, "groups"),
        email=_optional_str(data, "email"),
        first_name=_optional_str(data, "firstName"),
        last_name=_optional_str(data, "lastName"),
    )
    return web.json_response(user)


@hooks.put("/__sandbox/authorization-servers/{authServerId}/policies")
async def replace_policies(request: web.Request) -> web.Response:
    raw = await request.read()
    try:
        data = json.loads(raw)
    except ValueError as exc:
        raise HookError(f"invalid JSON: {exc}") from exc
    if not isinstance(data, list) or not all(isinstance(item, dict) for item in data):
        raise HookError("the body must be a JSON array of policies")
    for item in data:
        rules = item.get("rules", [])
        if not isinstance(rules, list) or not all(isinstance(rule, dict) for rule in rules):
            raise HookError("'rules' must be a list of rule objects")
    policies = runtime(request).replace_policies(request.match_info["authServerId"], data)
    return web.json_response(policies)


def _optional_bool(data: dict[str, Any], key: str) -> bool | None:
    value = data.get(key)
    if value is not None and not isinstance(value, bool):
        raise HookError(f"'{key}' must be true or false")
    return value


@hooks.post("/__sandbox/features")
async def set_features(request: web.Request) -> web.Response:
    data = await _payload(request)
    features = runtime(request).set_features(
        api_access_management=_optional_bool(data, "apiAccessManagement"),
        identity_engine=_optional_bool(data, "identityEngine"),
    )
    return web.json_response(features)


@hooks.post("/__sandbox/service-apps")
async def add_service_app(request: web.Request) -> web.Response:
    data = await _payload(request)
    client_id, jwk, scopes = data.get("clientId"), data.get("jwk"), data.get("scopes", [])
    if not isinstance(client_id, str) or not client_id:
        raise HookError("'clientId' is required")
    if not isinstance(jwk, dict):
        raise HookError("'jwk' must be a JSON object (a public JWK)")
    if not isinstance(scopes, list) or not all(isinstance(s, str) for s in scopes):
        raise HookError("'scopes' must be a list of strings")
    return web.json_response(runtime(request).add_service_app(client_id, jwk, scopes))


@hooks.post("/__sandbox/sign-in-policies")
async def add_sign_in_policy(request: web.Request) -> web.Response:
    data = await _payload(request)
    name = _optional_str(data, "name")
    if not name:
        raise HookError("'name' is required")
    return web.json_response(
        runtime(request).add_sign_in_policy(name, _optional_str(data, "description") or "")
    )


@hooks.post("/__sandbox/authorization-servers/{authServerId}/status")
async def set_auth_server_status(request: web.Request) -> web.Response:
    data = await _payload(request)
    status = _optional_str(data, "status")
    if status not in ("ACTIVE", "INACTIVE"):
        raise HookError("'status' must be ACTIVE or INACTIVE")
    server = runtime(request).set_auth_server_status(request.match_info["authServerId"], status)
    return web.json_response(server)


@hooks.post("/__sandbox/apps/{appId}/secrets/{secretId}/created")
async def set_secret_created(request: web.Request) -> web.Response:
    data = await _payload(request)
    created = _optional_str(data, "created")
    if not created:
        raise HookError("'created' is required (RFC 3339)")
    secret = runtime(request).set_secret_created(
        request.match_info["appId"], request.match_info["secretId"], created
    )
    return web.json_response(secret)
