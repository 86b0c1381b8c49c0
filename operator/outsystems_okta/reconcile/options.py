"""How a reconcile pass behaves: the knobs the handlers set and tests replace (clock, waits, loopback)."""

from __future__ import annotations

import asyncio
import datetime
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from outsystems_okta.plan.backoff import Backoff


def utc_now() -> str:
    return datetime.datetime.now(datetime.UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


@dataclass(frozen=True)
class Options:
    # Accept a plain-http orgUrl on loopback (the sandbox); never on any other host.
    allow_insecure_loopback: bool = False
    now: Callable[[], str] = utc_now
    # Okta is eventually consistent: an app can answer 404 for a moment after its creation, or stay
    # ACTIVE for a moment after its deactivation. Look again after this long before concluding.
    recheck_delay: float = 2.0
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep
    # How the delay before the next attempt grows with consecutive failures of the same reason.
    backoff: Backoff = field(default_factory=Backoff)
