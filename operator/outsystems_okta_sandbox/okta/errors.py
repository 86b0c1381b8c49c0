"""Okta's `Error` response bodies and the exception the emulator raises to produce them.

Shape (SPEC `Error`): ``{errorCode, errorSummary, errorLink, errorId, errorCauses: [{errorSummary}]}``.
Codes and summaries follow Okta's published error-code list (notes §5).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from .ids import random_token


class OktaError(Exception):
    """An Okta API error: HTTP status plus the `Error` body fields."""

    def __init__(self, status: int, code: str, summary: str, causes: Sequence[str] = ()) -> None:
        super().__init__(f"{status} {code}: {summary}")
        self.status = status
        self.code = code
        self.summary = summary
        self.causes = list(causes)

    def body(self, error_id: str | None = None) -> dict[str, Any]:
        return error_body(self.code, self.summary, self.causes, error_id)


def new_error_id() -> str:
    """Okta error ids look like ``oaeJ5tZqvB0SFuJ-AxZqTFoRQ`` (25 characters)."""
    return "oae" + random_token(22)


def error_body(
    code: str, summary: str, causes: Sequence[str] = (), error_id: str | None = None
) -> dict[str, Any]:
    return {
        "errorCode": code,
        "errorSummary": summary,
        "errorLink": code,
        "errorId": error_id or new_error_id(),
        "errorCauses": [{"errorSummary": cause} for cause in causes],
    }


# ---- the errors the emulator uses ----------------------------------------------------------------


def validation_failed(subject: str, causes: Sequence[str]) -> OktaError:
    """400 E0000001 ``Api validation failed: <subject>`` with one cause per problem."""
    return OktaError(400, "E0000001", f"Api validation failed: {subject}", causes)


def field_error(field: str, message: str) -> OktaError:
    """400 E0000001 for a single field problem."""
    return validation_failed(field, [f"{field}: {message}"])


class ValidationErrors:
    """Collects field problems the way Okta reports them: summary names the first field."""

    def __init__(self) -> None:
        self.fields: list[str] = []
        self.causes: list[str] = []

    def add(self, field: str, message: str) -> None:
        self.fields.append(field)
        self.causes.append(f"{field}: {message}")

    def add_plain(self, field: str, message: str) -> None:
        """A cause whose text already names the field (as in Okta's client_secret errors)."""
        self.fields.append(field)
        self.causes.append(message)

    def blank(self, field: str) -> None:
        self.add(field, "The field cannot be left blank")

    def __bool__(self) -> bool:
        return bool(self.causes)

    def raise_if_any(self) -> None:
        if self.causes:
            raise validation_failed(self.fields[0], self.causes)


def malformed_body(detail: str | None = None) -> OktaError:
    return OktaError(400, "E0000003", "The request body was not well-formed.", [detail] if detail else [])


def not_found(resource_id: str, kind: str) -> OktaError:
    return OktaError(404, "E0000007", f"Not found: Resource not found: {resource_id} ({kind})")


def invalid_token() -> OktaError:
    return OktaError(401, "E0000011", "Invalid token provided")


def access_denied() -> OktaError:
    return OktaError(403, "E0000006", "You do not have permission to perform the requested action")


def delete_app_forbidden() -> OktaError:
    return OktaError(
        403,
        "E0000056",
        "Delete application forbidden.",
        ["The application must be deactivated before deletion."],
    )


def method_not_allowed() -> OktaError:
    return OktaError(405, "E0000022", "The endpoint does not support the provided HTTP method")


def length_required() -> OktaError:
    # Okta documents the 411 but not its body; keep the Error shape so clients can parse it.
    return OktaError(
        411,
        "E0000003",
        "The request body was not well-formed.",
        ["Length Required: a PUT or POST request needs a Content-Length header or a body."],
    )


def rate_limited() -> OktaError:
    return OktaError(429, "E0000047", "API call exceeded rate limit due to too many requests.")


def invalid_search(detail: str) -> OktaError:
    return OktaError(400, "E0000031", "Invalid search criteria.", [detail])


def secret_mediation(message: str) -> OktaError:
    """The client-secret API reports its rule violations under this subject (SPEC examples)."""
    return validation_failed("OAuth2ClientSecretMediated", [message])


_FAULT_ERRORS: dict[int, tuple[str, str]] = {
    400: ("E0000003", "The request body was not well-formed."),
    401: ("E0000011", "Invalid token provided"),
    403: ("E0000006", "You do not have permission to perform the requested action"),
    404: ("E0000007", "Not found: Resource not found"),
    405: ("E0000022", "The endpoint does not support the provided HTTP method"),
    429: ("E0000047", "API call exceeded rate limit due to too many requests."),
    500: ("E0000009", "Internal Server Error"),
    503: ("E0000010", "Service is in read only mode"),
}


def fault_error(status: int, code: str | None = None, summary: str | None = None) -> OktaError:
    """The error an injected fault answers with: Okta's code for that status unless overridden."""
    default_code, default_summary = _FAULT_ERRORS.get(status, ("E0000009", "Internal Server Error"))
    return OktaError(status, code or default_code, summary or default_summary)


# ---- the OAuth 2.0 endpoints' errors (`/oauth2/{id}/v1/...`) ----------------------------------


class OAuthError(Exception):
    """An RFC 6749 error: ``{"error", "error_description"}`` (OAUTHSPEC `OAuthError`), as a JSON body
    from `/token`, as query parameters on a redirect from `/authorize`, or on Okta's error page."""

    def __init__(self, error: str, description: str, status: int = 400) -> None:
        super().__init__(f"{error}: {description}")
        self.error = error
        self.description = description
        self.status = status

    def body(self) -> dict[str, str]:
        return {"error": self.error, "error_description": self.description}
