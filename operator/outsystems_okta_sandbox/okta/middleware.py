"""What every `/api/v1` call goes through: latency, auth, the 411 rule, injected faults, rate
limits, lost responses, the `X-Okta-Request-Id`/`X-Rate-Limit-*` headers and the request log."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable

from aiohttp import hdrs, web

from . import errors
from .errors import OktaError
from .httpio import REQUEST_JSON, RESPONSE_JSON, decode_body, error_response, recorded_body, runtime
from .ids import random_token
from .org_features import feature_not_enabled
from .ratelimit import Decision, bucket_for
from .recording import RecordedRequest
from .service_apps import DPoPRefused

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

logger = logging.getLogger(__name__)

API_PREFIX = "/api/v1"
# Custom authorization servers: only with the API Access Management add-on (org_features).
AUTHORIZATION_SERVERS = "/api/v1/authorizationServers"
MAX_RECORDED = 50_000  # oldest entries go first; keeps a long-running demo sandbox bounded


def is_api(path: str) -> bool:
    return path == API_PREFIX or path.startswith(API_PREFIX + "/")


def _needs_length(request: web.Request) -> bool:
    """Okta: "Any PUT or POST request without a Content-Length header or a body returns a 411"."""
    if request.method not in (hdrs.METH_POST, hdrs.METH_PUT):
        return False
    chunked = "chunked" in request.headers.get(hdrs.TRANSFER_ENCODING, "").lower()
    return hdrs.CONTENT_LENGTH not in request.headers and not chunked


def _translate(exc: web.HTTPException, request: web.Request) -> OktaError:
    if exc.status == 405:
        return errors.method_not_allowed()
    if exc.status == 404:
        return errors.not_found(request.path, request.method)
    return OktaError(exc.status, "E0000009", exc.reason or "Internal Server Error")


# Calls applied after their connection was dropped (lose-responses with apply_after), kept referenced
# until they ran.
_DEFERRED: set[asyncio.Task[None]] = set()


def _drop_then_apply(
    request: web.Request, handler: Handler, record: RecordedRequest, delay: float
) -> web.StreamResponse:
    """Drop the connection now and apply the call `delay` seconds later, as an Okta that was still
    working on a call its client had given up on; it is logged (lost) once applied."""
    rt = runtime(request)
    record.lost = True

    async def apply() -> None:
        await asyncio.sleep(delay)
        try:
            applied = await handler(request)
            record.status = applied.status
        except OktaError as error:
            record.status = error.status
        except Exception:  # a sandbox bug: keep the traceback in the log
            logger.exception("Okta sandbox failed on a deferred %s %s", request.method, request.path)
            record.status = 500
        record.response_body = request.get(RESPONSE_JSON)
        rt.requests.append(record)

    task = asyncio.get_running_loop().create_task(apply())
    _DEFERRED.add(task)
    task.add_done_callback(_DEFERRED.discard)
    if request.transport is not None:
        request.transport.abort()
    return web.Response(status=504)  # never reaches the client: the connection is gone


@web.middleware
async def okta_api(request: web.Request, handler: Handler) -> web.StreamResponse:
    if not is_api(request.path):
        return await handler(request)
    rt = runtime(request)
    bucket = bucket_for(request.method, request.path)
    record = RecordedRequest(
        method=request.method,
        path=request.path,
        query=dict(request.query),
        bucket=bucket,
        request_id=random_token(27),
        started=time.time(),
        request_headers={k: v for k, v in request.headers.items() if k.lower() != "authorization"},
    )
    decision: Decision | None = None
    lose = False
    rate_limit_headers = True
    response: web.StreamResponse
    try:
        try:
            parsed = decode_body(await request.read())
        except web.HTTPException as exc:  # e.g. 413 for a body over client_max_size
            raise _translate(exc, request) from exc
        request[REQUEST_JSON] = parsed
        record.request_body = recorded_body(parsed)
        slow = rt.faults.latency + rt.faults.take_slow(request.method, request.path)
        if slow > 0:
            # aiohttp does not cancel a handler whose client went away: a call the client timed out on
            # is still applied.
            await asyncio.sleep(slow)
        authorization = request.headers.get(hdrs.AUTHORIZATION, "")
        if authorization[:5].lower() == "dpop ":
            # An API service app's access token: proof, binding and scope checked (service_apps).
            rt.org_auth.authenticate(
                authorization,
                request.headers.get("DPoP"),
                request.method,
                rt.base_url + request.rel_url.raw_path,
                request.path,
            )
        elif authorization != f"SSWS {rt.token}":
            raise errors.invalid_token()
        if _needs_length(request):
            raise errors.length_required()
        if request.path.startswith(AUTHORIZATION_SERVERS) and not rt.state.features.api_access_management:
            raise feature_not_enabled()
        fault = rt.faults.take_fault(request.method, request.path)
        if fault is not None:
            record.injected = True
            rate_limit_headers = fault.rate_limit_headers
            if fault.status == 429:
                decision = rt.limiter.exhausted(bucket)
            raise errors.fault_error(fault.status, fault.error_code, fault.error_summary)
        decision = rt.limiter.consume(bucket)
        if not decision.allowed:
            raise errors.rate_limited()
        loss = rt.faults.take_loss(request.method, request.path)
        lose = loss is not None and loss.answer is None
        if loss is not None and loss.apply_after > 0:
            return _drop_then_apply(request, handler, record, loss.apply_after)
        try:
            response = await handler(request)
        except web.HTTPException as exc:
            raise _translate(exc, request) from exc
        if loss is not None and loss.answer is not None:
            # Applied; the answer is an error all the same.
            record.lost = record.injected = True
            raise errors.fault_error(loss.answer)
    except OktaError as error:
        response = error_response(request, error)
    except DPoPRefused as refused:
        response = error_response(request, refused.error)
        response.headers[hdrs.WWW_AUTHENTICATE] = refused.challenge
        if refused.nonce is not None:
            response.headers["DPoP-Nonce"] = refused.nonce
    except Exception as exc:  # a sandbox bug: answer like Okta's 500 and keep the traceback in the log
        logger.exception("Okta sandbox failed on %s %s", request.method, request.path)
        response = error_response(request, OktaError(500, "E0000009", "Internal Server Error", [repr(exc)]))

    decision = decision or rt.limiter.peek(bucket)
    response.headers["X-Okta-Request-Id"] = record.request_id
    if rate_limit_headers:
        response.headers.update(decision.headers())
    record.status = response.status
    record.response_body = request.get(RESPONSE_JSON)
    rt.requests.append(record)
    if len(rt.requests) > MAX_RECORDED:
        del rt.requests[: len(rt.requests) - MAX_RECORDED]
    if lose:
        # Applied to state; now drop the connection so the client never sees a response.
        record.lost = True
        if request.transport is not None:
            request.transport.abort()
    return response
