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

from dataclasses import dataclass

# Drift timers fire spread over 80-100 % of --drift-interval (jitter): a TTL as long as that spread lets
# the passes of one drift round share about one snapshot; a shorter one would scan several times a round.
DRIFT_SPREAD = 0.2
# Never keep a snapshot longer than this (a hand edit in Okta is seen within it, plus the drift interval).
MAX_TTL = 120.0


def snapshot_ttl(drift_interval: float, *, cap: float = MAX_TTL) -> float:
    """How long a snapshot may be used, in seconds: the drift timers' spread, at most `cap`."""
    return max(0.0, min(DRIFT_SPREAD * drift_interval, cap))


@dataclass(frozen=True)
class Window:
    """Which snapshots one pass may use; `now` is when the pass opened its Okta client."""

    now: float
    ttl: float
    # When this integration's previous pass ended in this process; None: none did.
    previous_end: float | None
    # A person asked for this pass: nothing older than the pass itself.
    fresh: bool

    def admits(self, started: float) -> bool:
        """Whether a snapshot started at `started` (same clock) may serve this pass."""
        if started < self.now - self.ttl or (self.fresh and started < self.now):
            return False
        # Strictly after: with a coarse clock, a snapshot started in the previous pass's last tick may
        # predate that pass's last write.
        return self.previous_end is None or started > self.previous_end
