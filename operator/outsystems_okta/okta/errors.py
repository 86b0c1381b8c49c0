"""Typed exceptions for Okta Management API failures, and the mapping from an error response to them.

Okta answers errors with `{errorCode, errorSummary, errorLink, errorId, errorCauses: [{errorSummary}]}`
(OpenAPI schema `Error`). Every exception carries those fields plus the HTTP status, so callers branch on
the class (or `error_code`) and show `str(exc)` to humans: `Okta 403 E0000056: Delete application
forbidden. (errorId oae...)`. Nothing here ever sees the API token; text that comes from the wire is
passed through a `redact` function supplied by the client before it lands in a message.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any

_BODY_EXCERPT = 200


class OktaError(Exception):
    """Any failure talking to Okta. `status` is None when no HTTP response was received."""

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        error_code: str | None = None,
        error_summary: str | None = None,
        error_id: str | None = None,
        causes: tuple[str, ...] = (),
        request_id: str | None = None,
        operation: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.error_code = error_code
        self.error_summary = error_summary
        self.error_id = error_id
        self.causes = causes
        self.request_id = request_id
        self.operation = operation

    def __str__(self) -> str:
        return self.message

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.message!r})"


class OktaValidationError(OktaError):
    """400: the request was malformed or failed validation (E0000001, E0000003)."""


class OktaAuthError(OktaError):
    """401: the API token is invalid, expired or revoked (E0000011)."""


class OktaFeatureNotEnabledError(OktaError):
    """401 E0000015 "You do not have permission to access the feature you are requesting": the org's
    Okta plan lacks the feature the call needs (custom authorization servers without the API Access
    Management add-on). The token was accepted: not an `OktaAuthError`."""


# Okta's code for a feature the org does not have (developer.okta.com error codes: E0000015, 401).
FEATURE_NOT_ENABLED = "E0000015"


class OktaForbiddenError(OktaError):
    """403: not allowed, e.g. missing admin role (E0000006) or deleting an active app (E0000056)."""


class OktaNotFoundError(OktaError):
    """404: the resource does not exist (E0000007)."""


class OktaRateLimitedError(OktaError):
    """429 that the client did not (or could not within its bound) wait out.

    `retry_after` is how many seconds from now the caller should wait before trying again.
    """

    def __init__(self, message: str, *, retry_after: float, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.retry_after = retry_after


class OktaBudgetWaitError(OktaError):
    """The request was not sent: the operator's share of an Okta rate-limit bucket (`--okta-budget`)
    stayed spent for longer than the client may wait (`--okta-max-budget-wait`). Not an error of Okta's
    and no 429 was received: the pass ends so that it does not hold its resource for ever, and the
    next one resumes after `retry_after` seconds."""

    def __init__(self, message: str, *, retry_after: float, bucket: str, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.retry_after = retry_after
        self.bucket = bucket


class OktaUnavailableError(OktaError):
    """5xx, timeout or connection failure that persisted through the retries (or was not retryable).

    `maybe_applied` is True when a request may have reached Okta and taken effect even though no
    successful answer came back (e.g. a create whose response was lost): re-read Okta before redoing it.
    """

    def __init__(self, message: str, *, maybe_applied: bool = False, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.maybe_applied = maybe_applied


class OktaUnreachableError(OktaUnavailableError):
    """No HTTP answer at all because the org could not be reached: DNS failure, connection refused, TLS
    failure (httpx raises all three as `ConnectError`). Usually the orgUrl or the network is wrong, not
    Okta: a person may have to act, so it gets its own reason instead of a 5xx's OktaUnavailable.
    Nothing was sent, so nothing can have been applied."""


class OktaProtocolError(OktaError):
    """Okta (or something pretending to be it) answered in a way this client refuses to act on:
    a redirect, a pagination link to another origin, a non-JSON success body, an unexpected shape."""


class OktaAmbiguousError(OktaError):
    """A lookup by name matched more than one object, so no single answer can be trusted."""


_BY_STATUS: dict[int, type[OktaError]] = {
    400: OktaValidationError,
    401: OktaAuthError,
    403: OktaForbiddenError,
    404: OktaNotFoundError,
}


def _no_redact(text: str) -> str:
    return text


def parse_error_body(content: bytes) -> dict[str, Any] | None:
    """Okta's JSON error object, or None when the body is empty, not JSON, or not an object."""
    if not content:
        return None
    try:
        data = json.loads(content)
    except (ValueError, UnicodeDecodeError):
        return None
    return data if isinstance(data, dict) else None


def _causes(raw: object) -> tuple[str, ...]:
    if not isinstance(raw, list):
        return ()
    out: list[str] = []
    for item in raw:
        if isinstance(item, Mapping) and isinstance(item.get("errorSummary"), str):
            out.append(item["errorSummary"])
        elif isinstance(item, str):
            out.append(item)
    return tuple(out)


def _str_or_none(value: object) -> str | None:
    return value if isinstance(value, str) and value else None


def format_message(
    status: int | None,
    error_code: str | None,
    error_summary: str | None,
    error_id: str | None,
    causes: tuple[str, ...] = (),
) -> str:
    """`Okta 403 E0000056: Delete application forbidden. (errorId oae...)`."""
    head = "Okta" if status is None else f"Okta {status}"
    if error_code:
        head += f" {error_code}"
    text = f"{head}: {error_summary}" if error_summary else head
    if causes:
        text += " [" + "; ".join(causes) + "]"
    if error_id:
        text += f" (errorId {error_id})"
    return text


def error_from_response(
    status: int,
    content: bytes,
    *,
    reason: str = "",
    request_id: str | None = None,
    operation: str | None = None,
    redact: Callable[[str], str] = _no_redact,
    retry_after: float | None = None,
    maybe_applied: bool = False,
) -> OktaError:
    """Build the typed exception for a non-success HTTP response.

    429 becomes `OktaRateLimitedError` (with `retry_after`, default 0), 5xx `OktaUnavailableError`,
    400/401/403/404 their own classes, anything else the base `OktaError`.
    """
    body = parse_error_body(content)
    if body is not None and any(k in body for k in ("errorCode", "errorSummary", "errorId")):
        error_code = _str_or_none(body.get("errorCode"))
        error_summary = _str_or_none(body.get("errorSummary"))
        error_id = _str_or_none(body.get("errorId"))
        causes = _causes(body.get("errorCauses"))
    else:
        error_code = error_id = None
        causes = ()
        error_summary = reason or None
        text = content.decode("utf-8", errors="replace").strip()
        if text:
            excerpt = " ".join(text.split())[:_BODY_EXCERPT]
            error_summary = f"{error_summary or 'error'} (non-JSON body: {excerpt!r})"
    error_summary = redact(error_summary) if error_summary else None
    causes = tuple(redact(c) for c in causes)
    message = format_message(status, error_code, error_summary, error_id, causes)
    fields: dict[str, Any] = {
        "status": status,
        "error_code": error_code,
        "error_summary": error_summary,
        "error_id": error_id,
        "causes": causes,
        "request_id": request_id,
        "operation": operation,
    }
    if status == 429:
        return OktaRateLimitedError(message, retry_after=retry_after or 0.0, **fields)
    if 500 <= status <= 599:
        return OktaUnavailableError(message, maybe_applied=maybe_applied, **fields)
    cls = _BY_STATUS.get(status, OktaError)
    if status == 401 and error_code == FEATURE_NOT_ENABLED:
        cls = OktaFeatureNotEnabledError
    return cls(message, **fields)
