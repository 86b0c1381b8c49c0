"""The request log: one entry per `/api/v1` call."""

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
