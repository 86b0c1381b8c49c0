"""Small aiohttp helpers shared by the middleware and the handlers."""

from __future__ import annotations

import json
from typing import Any

from aiohttp import web

from .errors import OktaError, malformed_body
from .runtime import Runtime

RUNTIME: web.AppKey[Runtime] = web.AppKey("okta_sandbox_runtime", Runtime)

_NO_BODY = object()
_INVALID = object()
REQUEST_JSON: web.RequestKey[object] = web.RequestKey("okta_request_json", object)
RESPONSE_JSON: web.RequestKey[object] = web.RequestKey("okta_response_json", object)


def runtime(request: web.Request) -> Runtime:
    return request.app[RUNTIME]


def base_url(request: web.Request) -> str:
    return request.app[RUNTIME].base_url


def decode_body(raw: bytes) -> object:
    """The parsed JSON body, `_NO_BODY` for an empty body, `_INVALID` for bad JSON."""
    if not raw.strip():
        return _NO_BODY
    try:
        return json.loads(raw)
    except ValueError:
        return _INVALID


def recorded_body(parsed: object) -> Any:
    if parsed is _NO_BODY:
        return None
    if parsed is _INVALID:
        return "<invalid JSON>"
    return parsed


def json_body(request: web.Request, *, required: bool = True) -> Any:
    """The request's JSON (parsed once by the middleware); 400 E0000003 when malformed/missing."""
    parsed = request.get(REQUEST_JSON, _NO_BODY)
    if parsed is _INVALID:
        raise malformed_body()
    if parsed is _NO_BODY:
        if required:
            raise malformed_body("The request body is required.")
        return None
    return parsed


def respond(request: web.Request, data: Any, status: int = 200) -> web.Response:
    """A JSON response, remembered for the request log."""
    request[RESPONSE_JSON] = data
    return web.json_response(data, status=status)


def no_content(request: web.Request) -> web.Response:
    request[RESPONSE_JSON] = None
    return web.Response(status=204)


def error_response(request: web.Request, error: OktaError) -> web.Response:
    return respond(request, error.body(), status=error.status)
