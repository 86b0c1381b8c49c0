"""The request logs: one entry per `/api/v1` call, and one per call to the OAuth endpoints."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


@dataclass
class RecordedRequest:
    method: str
    path: str
    query: dict[str, str]
    bucket: str
    request_id: str
    status: int = 0
    request_body: Any = None
    response_body: Any = None
    lost: bool = False  # applied to state, but the connection was dropped before any response
    injected: bool = False  # answered by an injected fault, state untouched
    started: float = 0.0
    request_headers: dict[str, str] = field(default_factory=dict)  # minus Authorization

    @property
    def is_write(self) -> bool:
        return self.method in WRITE_METHODS

    def to_json(self, *, bodies: bool = False) -> dict[str, Any]:
        data: dict[str, Any] = {
            "method": self.method,
            "path": self.path,
            "query": dict(self.query),
            "status": self.status,
            "bucket": self.bucket,
            "requestId": self.request_id,
            "lost": self.lost,
            "injected": self.injected,
        }
        if bodies:
            data["requestBody"] = self.request_body
            data["responseBody"] = self.response_body
        return data


# What the OAuth log must never hold in clear: credentials, grants and tokens.
SECRET_FIELDS = frozenset(
    {
        "client_secret",
        "client_assertion",
        "code",
        "code_verifier",
        "refresh_token",
        "access_token",
        "id_token",
        "password",
    }
)
REDACTED = "<redacted>"


def redact(values: dict[str, Any]) -> dict[str, Any]:
    return {key: REDACTED if key in SECRET_FIELDS else value for key, value in values.items()}


@dataclass
class OAuthExchange:
    """One call to an authorization server's `/oauth2/{id}/...` endpoints, secrets redacted."""

    method: str
    path: str
    query: dict[str, str]
    form: dict[str, str] | None = None
    status: int = 0
    location: str | None = None  # a redirect's target, its `code` redacted
    response_body: Any = None
    content_type: str = ""
