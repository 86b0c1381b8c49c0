"""Two replicas, one actor: the settings with which an operator joins a Kopf peering.

Kopf pauses every operator that sees a live peer of higher priority, and pauses *all* of them when two
share the highest priority, so each process needs a priority of its own. Ours comes from the moment the
process started, earlier is higher ("oldest wins"): the active pod stays active for as long as it
lives, a pod started later (a replacement, the new version in a rolling upgrade) waits as the standby,
and the standby takes over when the active one exits (at once: Kopf removes its entry on a graceful
exit) or dies (after `lifetime` seconds without a keep-alive).
"""

from __future__ import annotations

from dataclasses import dataclass

# Seconds a keep-alive stays valid. Kopf renews it 5 to 10 s before it expires, so a killed operator is
# taken over within this time (Kopf's default, 60 s, would miss a 30 s takeover target).
DEFAULT_LIFETIME = 20
# Kopf renews at `lifetime - randint(5, 10)` seconds but never faster than every second.
MIN_LIFETIME = 2


def start_priority(started_ns: int) -> int:
    """The priority of a process started at `started_ns` (ns since the epoch): earlier is higher.

    Microseconds keep two pods that start together apart (equal priorities would pause both) and the
    value well inside the int64 range Kubernetes stores numbers in.
    """
    return -(started_ns // 1000)


@dataclass(frozen=True)
class Peering:
    """Join the peering object `name` (KopfPeering per watched namespace, or ClusterKopfPeering with
    --all-namespaces) with this priority; keep-alives valid for `lifetime` seconds."""

    name: str
    priority: int
    lifetime: int = DEFAULT_LIFETIME
