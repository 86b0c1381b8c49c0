"""What the client reports about each HTTP exchange with Okta (fed to metrics by the caller)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ResponseInfo:
    """One HTTP attempt: retries are reported one by one.

    operation: Okta's operationId, e.g. "createApplication".
    status: HTTP status, or None when the attempt failed at the transport (timeout, connection error).
    rate_limit_remaining: `X-Rate-Limit-Remaining` of the response, when present.
    elapsed: seconds from sending the request to having read the whole response (or failing).
    bucket: Okta rate-limit bucket of the request (see `buckets.bucket_for`).
    attempt: 1 for the first try, 2 for the first retry, ...
    rate_limit_limit: `X-Rate-Limit-Limit` of the response, when present.
    paced: seconds this attempt waited for the operator's share of its bucket before it was sent.
    """

    operation: str
    method: str
    status: int | None
    rate_limit_remaining: int | None
    elapsed: float
    bucket: str = ""
    attempt: int = 1
    rate_limit_limit: int | None = None
    paced: float = 0.0
