"""Okta error bodies become typed exceptions with readable, token-free messages."""

from __future__ import annotations

import json

import pytest

from outsystems_okta.okta import (
    OktaAuthError,
    OktaError,
    OktaForbiddenError,
    OktaNotFoundError,
    OktaRateLimitedError,
    OktaUnavailableError,
    OktaValidationError,
)
from outsystems_okta.okta.errors import error_from_response, format_message, parse_error_body


def body(code: str, summary: str, causes: list[str] | None = None, error_id: str = "oaeX1") -> bytes:
    data = {
        "errorCode": code,
        "errorSummary": summary,
        "errorLink": code,
        "errorId": error_id,
        "errorCauses": [{"errorSummary": c} for c in causes or []],
    }
    return json.dumps(data).encode()


@pytest.mark.parametrize(
    ("status", "code", "cls"),
    [
        (400, "E0000001", OktaValidationError),
        (400, "E0000003", OktaValidationError),
        (401, "E0000011", OktaAuthError),
        (403, "E0000006", OktaForbiddenError),
        (403, "E0000056", OktaForbiddenError),
        (404, "E0000007", OktaNotFoundError),
        (429, "E0000047", OktaRateLimitedError),
        (500, "E0000009", OktaUnavailableError),
        (503, "E0000100", OktaUnavailableError),
        (405, "E0000022", OktaError),
        (411, "E0000000", OktaError),
    ],
)
def test_status_maps_to_class(status: int, code: str, cls: type[OktaError]) -> None:
    exc = error_from_response(status, body(code, "x"))
    assert type(exc) is cls
    assert exc.status == status
    assert exc.error_code == code


def test_fields_and_message_format() -> None:
    exc = error_from_response(
        403,
        body("E0000056", "Delete application forbidden.", ["The application must be deactivated."], "oae123"),
        request_id="req-1",
        operation="deleteApplication",
    )
    assert isinstance(exc, OktaForbiddenError)
    assert exc.error_summary == "Delete application forbidden."
    assert exc.error_id == "oae123"
    assert exc.causes == ("The application must be deactivated.",)
    assert exc.request_id == "req-1"
    assert exc.operation == "deleteApplication"
    assert str(exc) == (
        "Okta 403 E0000056: Delete application forbidden. [The application must be deactivated.] "
        "(errorId oae123)"
    )
    assert repr(exc) == f"OktaForbiddenError({str(exc)!r})"


def test_message_without_causes_matches_the_documented_shape() -> None:
    exc = error_from_response(403, body("E0000056", "Delete application forbidden.", error_id="oaeAbC"))
    assert str(exc) == "Okta 403 E0000056: Delete application forbidden. (errorId oaeAbC)"


def test_rate_limited_and_unavailable_extras() -> None:
    rl = error_from_response(429, body("E0000047", "API call exceeded rate limit"), retry_after=12.5)
    assert isinstance(rl, OktaRateLimitedError)
    assert rl.retry_after == 12.5
    un = error_from_response(502, b"", reason="Bad Gateway", maybe_applied=True)
    assert isinstance(un, OktaUnavailableError)
    assert un.maybe_applied is True
    assert str(un) == "Okta 502: Bad Gateway"


def test_non_json_body_is_excerpted() -> None:
    html = b"<html>\n<body>  upstream   connect error  </body></html>" + b"x" * 500
    exc = error_from_response(503, html, reason="Service Unavailable")
    assert exc.error_code is None
    assert str(exc).startswith(
        "Okta 503: Service Unavailable (non-JSON body: '<html> <body> upstream connect"
    )
    assert len(str(exc)) < 300


def test_json_that_is_not_an_okta_error() -> None:
    exc = error_from_response(400, b'{"error": "invalid_request"}', reason="Bad Request")
    assert isinstance(exc, OktaValidationError)
    assert exc.error_code is None
    assert "invalid_request" in str(exc)
    assert error_from_response(404, b"[1, 2]").error_code is None


def test_malformed_causes_are_tolerated() -> None:
    raw = json.dumps({"errorCode": "E0000001", "errorSummary": "bad", "errorCauses": [{"x": 1}, "plain", 3]})
    assert error_from_response(400, raw.encode()).causes == ("plain",)
    raw = json.dumps({"errorCode": "E0000001", "errorCauses": "nope"})
    exc = error_from_response(400, raw.encode())
    assert exc.causes == ()
    assert str(exc) == "Okta 400 E0000001"


def test_redact_is_applied_to_wire_text() -> None:
    secret = "00abcdefghijklmnop"
    exc = error_from_response(
        401,
        f"token {secret} is bad".encode(),
        redact=lambda t: t.replace(secret, "<redacted>"),
    )
    assert secret not in str(exc)
    assert secret not in repr(exc)
    assert "<redacted>" in str(exc)
    exc = error_from_response(
        400, body("E0000001", f"bad {secret}", [f"cause {secret}"]), redact=lambda t: t.replace(secret, "*")
    )
    assert secret not in str(exc)
    assert exc.causes == ("cause *",)


def test_parse_error_body_and_format_message() -> None:
    assert parse_error_body(b"") is None
    assert parse_error_body(b"\xff\xfe") is None
    assert parse_error_body(b'"str"') is None
    assert format_message(None, None, "ReadTimeout", None) == "Okta: ReadTimeout"
