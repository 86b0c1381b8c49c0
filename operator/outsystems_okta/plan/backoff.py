"""How long to wait before the next attempt after a failed pass: consecutive failures of the same
reason back off exponentially, so a broken org or a missing role is not hammered at a fixed rate.

Counting is per reason: a different failure starts again at the first delay, because it is a new
problem (and often the sign that the person fixing the old one made progress). Okta's own rate-limit
reset is kept as it is: Okta says exactly when its bucket refills.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from outsystems_okta.plan.conditions import READY, TRANSIENT, Reason, find


@dataclass(frozen=True)
class Backoff:
    # First delay after a transient failure (5xx, unreachable org, unexpected error); doubles per
    # consecutive failure of the same reason up to `max_delay`.
    base: float = 15.0
    max_delay: float = 600.0
    # A failure a person has to fix outside the resource (a Secret, an Okta role or group) starts this
    # many times slower: a change of a watched Secret or of the spec triggers a pass at once anyway.
    external_factor: float = 4.0

    def delay(self, reason: Reason, attempts: int, hint: float | None) -> float | None:
        """Seconds until attempt `attempts + 1`, given the routine's own suggestion `hint`.

        `hint` None means a retry cannot help (the spec must change): no scheduled retry. A rate limit
        (and a budget wait) keeps the bucket's reset. Otherwise the first delay is `base` for a
        TRANSIENT reason and `base * external_factor` for one a person must fix; it doubles per attempt
        up to `max_delay`.
        """
        if hint is None:
            return None
        if reason in (Reason.OKTA_RATE_LIMITED, Reason.OKTA_BUDGET_WAIT):
            return hint  # when the bucket refills: Okta's reset, or the pacer's
        first = self.base if reason in TRANSIENT else self.base * self.external_factor
        exponent = min(max(attempts, 1) - 1, 32)  # 2**32 is far beyond any cap
        return min(first * 2.0**exponent, self.max_delay)


def failed_attempts(previous_status: Mapping[str, Any], reason: Reason) -> int:
    """This failure's number in a run of consecutive failures of the same reason (1 for a new one)."""
    ready = find(previous_status.get("conditions"), READY)
    count = previous_status.get("failedAttempts")
    if ready is None or ready.get("status") != "False" or ready.get("reason") != reason.value:
        return 1
    if not isinstance(count, int) or isinstance(count, bool) or count < 1:
        return 1
    return count + 1


def attempt_time(now: str, delay: float) -> str:
    """RFC 3339 time `delay` seconds after `now` (itself RFC 3339, as Options.now gives it)."""
    start = datetime.datetime.fromisoformat(now.replace("Z", "+00:00"))
    when = start + datetime.timedelta(seconds=delay)
    return when.astimezone(datetime.UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def seconds_until(when: object, now: datetime.datetime) -> float | None:
    """Seconds from `now` to the RFC 3339 time `when` (negative when past); None if `when` is no time."""
    if not isinstance(when, str) or not when:
        return None
    try:
        moment = datetime.datetime.fromisoformat(when.replace("Z", "+00:00"))
    except ValueError:
        return None
    if moment.tzinfo is None:
        return None
    return (moment - now).total_seconds()
