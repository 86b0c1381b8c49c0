"""When a pass may use a read another pass made (the shared reads of one org, `okta/shared_reads.py`).

A pass may use a snapshot (the org's app scan, a group's assigned apps, a group lookup, an
authorization server with its policies and rules) only when the snapshot was *started*

- after this integration's previous pass ended: the pass then always sees its own earlier writes,
  including a create whose answer was lost, so a shared read can never make a duplicate app (a fresh
  process remembers no pass, and every snapshot it takes is newer than anything written before it
  started);
- no longer than the TTL ago: an admin's hand edit is seen within that time;
- not before the pass itself started, when a person asked for the pass (a spec change, the
  reconcile-now annotation, a Secret they edited): such a pass reads Okta afresh.
"""

from __future__ import annotations

# Drift timers fire spread over 80-100 % of --drift-interval (jitter): a TTL as long as that spread lets
# the passes of one drift round share about one snapshot; a shorter one would scan several times a round.
DRIFT_SPREAD = 0.2
# Never keep a snapshot longer than this (a hand edit in Okta is seen within it, plus the drift interval).
MAX_TTL = 120.0


def snapshot_ttl(drift_interval: float, *, cap: float = MAX_TTL) -> float:
    """How long a snapshot may be used, in seconds: the drift timers' spread, at most `cap`."""
    return max(0.0, min(DRIFT_SPREAD * drift_interval, cap))


def not_before(now: float, ttl: float, previous_end: float | None, *, fresh: bool) -> float:
    """The earliest start (monotonic seconds) of a snapshot this pass may use."""
    if fresh:
        return now
    oldest = now - ttl
    return oldest if previous_end is None else max(oldest, previous_end)


def usable(started: float, earliest: float) -> bool:
    """Whether a snapshot started at `started` may serve a pass whose earliest is `earliest`."""
    return started >= earliest
