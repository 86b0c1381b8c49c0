"""API errors rendered as Kubernetes `Status` objects, with field errors worded like the API server's."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

# `field.ErrorType` of k8s.io/apimachinery: the cause reason and the words in the message.
_FIELD_ERROR_WORDS = {
    "FieldValueNotFound": "Not found",
    "FieldValueRequired": "Required value",
    "FieldValueDuplicate": "Duplicate value",
    "FieldValueInvalid": "Invalid value",
    "FieldValueNotSupported": "Unsupported value",
    "FieldValueForbidden": "Forbidden",
    "FieldValueTooLong": "Too long",
    "FieldValueTooMany": "Too many",
    "FieldValueTypeInvalid": "Invalid value",
}
# These error types never print the offending value (`field.Error.ErrorBody`).
_VALUELESS = {"FieldValueRequired", "FieldValueForbidden", "FieldValueTooLong"}


def render_value(value: Any) -> str:
    """Print a value roughly as Go's `%q`/`%v` would in a field error."""
    if isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, int | float):
        return str(value)
    return json.dumps(value, sort_keys=True, separators=(",", ":"))


@dataclass(frozen=True)
class FieldError:
    """One invalid field, as in `field.Error`: `spec.x[1].y: Invalid value: "v": detail`."""

    field: str
    reason: str = "FieldValueInvalid"
    value: Any = None
    detail: str = ""

    @property
    def body(self) -> str:
        words = _FIELD_ERROR_WORDS.get(self.reason, self.reason)
        text = words if self.reason in _VALUELESS else f"{words}: {render_value(self.value)}"
        return f"{text}: {self.detail}" if self.detail else text

    @property
    def message(self) -> str:
        return f"{self.field}: {self.body}" if self.field else self.body

    def cause(self) -> dict[str, Any]:
        return {"reason": self.reason, "message": self.body, "field": self.field}


class ApiError(Exception):
    """An error answered as a `Status` object with a non-2xx HTTP code."""

    def __init__(self, code: int, reason: str, message: str, details: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.reason = reason
        self.message = message
        self.details = details

    def status(self) -> dict[str, Any]:
        status: dict[str, Any] = {
            "kind": "Status",
            "apiVersion": "v1",
            "metadata": {},
            "status": "Failure",
            "message": self.message,
            "reason": self.reason,
            "code": self.code,
        }
        if self.details is not None:
            status["details"] = self.details
        return status


def _resource_words(group: str, plural: str) -> str:
    return f"{plural}.{group}" if group else plural


def not_found(group: str, plural: str, name: str) -> ApiError:
    return ApiError(
        404,
        "NotFound",
        f'{_resource_words(group, plural)} "{name}" not found',
        {"name": name, "group": group, "kind": plural},
    )


def path_not_found() -> ApiError:
    return ApiError(404, "NotFound", "the server could not find the requested resource", {})


def already_exists(group: str, plural: str, name: str) -> ApiError:
    return ApiError(
        409,
        "AlreadyExists",
        f'{_resource_words(group, plural)} "{name}" already exists',
        {"name": name, "group": group, "kind": plural},
    )


def conflict(group: str, plural: str, name: str, why: str = "") -> ApiError:
    why = why or "the object has been modified; please apply your changes to the latest version and try again"
    return ApiError(
        409,
        "Conflict",
        f'Operation cannot be fulfilled on {_resource_words(group, plural)} "{name}": {why}',
        {"name": name, "group": group, "kind": plural},
    )


def invalid(group: str, kind: str, name: str, errors: Sequence[FieldError]) -> ApiError:
    qualified = f"{kind}.{group}" if group else kind
    messages = [error.message for error in errors]
    aggregate = messages[0] if len(messages) == 1 else f"[{', '.join(messages)}]"
    return ApiError(
        422,
        "Invalid",
        f'{qualified} "{name}" is invalid: {aggregate}',
        {"name": name, "group": group, "kind": kind, "causes": [error.cause() for error in errors]},
    )


def unprocessable(message: str) -> ApiError:
    """A generic 422, as for JSON patches that cannot be applied (e.g. a failed `test` op)."""
    return ApiError(422, "Invalid", message, {})


def bad_request(message: str) -> ApiError:
    return ApiError(400, "BadRequest", message)


def forbidden(group: str, plural: str, name: str, why: str) -> ApiError:
    return ApiError(
        403,
        "Forbidden",
        f'{_resource_words(group, plural)} "{name}" is forbidden: {why}',
        {"name": name, "group": group, "kind": plural},
    )


def method_not_allowed(
    message: str = "the server does not allow this method on the requested resource",
) -> ApiError:
    return ApiError(405, "MethodNotAllowed", message, {})


def gone(message: str) -> ApiError:
    return ApiError(410, "Expired", message)


def unsupported_media_type(content_type: str, accepted: Sequence[str]) -> ApiError:
    return ApiError(
        415,
        "UnsupportedMediaType",
        "the body of the request was in an unknown format - accepted media types include: "
        + ", ".join(accepted),
        {"causes": [{"reason": "UnexpectedServerResponse", "message": content_type}]} if content_type else {},
    )


def unauthorized() -> ApiError:
    return ApiError(401, "Unauthorized", "Unauthorized")


def internal(message: str) -> ApiError:
    return ApiError(
        500, "InternalError", f"Internal error occurred: {message}", {"causes": [{"message": message}]}
    )
