"""The wake registry: one slot per integration, shared by the operator's handlers (Kopf's per-object
memo is a shallow copy of the operator memo, so the registry object in it is the same for all)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from outsystems_okta.schedule.observed import fingerprint

Key = tuple[str, str]  # (namespace, name)

_UNKNOWN = object()
# A write of this Secret failed half-way: the next event must wake, even during a pass.
_UNSURE = object()


@dataclass
class Slot:
    """One integration's scheduler state: a set `wake` asks for a pass as soon as possible; many wakes
    before the pass starts make one pass."""

    wake: asyncio.Event = field(default_factory=asyncio.Event)
    # A pass is in progress: it reads every Secret it depends on, so a Secret it has not read yet needs
    # no wake (the pass will see the new state).
    running: bool = False
    # The pass about to run was asked for (a wake: a change of the resource or of a Secret), not due on
    # a timer (the first pass, a back-off, drift): it then reads Okta afresh (okta.shared_reads).
    woken: bool = False


def watched_secrets(namespace: str, name: str, spec: Mapping[str, Any]) -> list[Key]:
    """The Secrets a change of which needs a pass: the credentials Secret and the output Secret."""
    okta = spec.get("okta") if isinstance(spec.get("okta"), Mapping) else {}
    ref = okta.get("credentialsSecretRef") if isinstance(okta, Mapping) else None
    keys: list[Key] = []
    if isinstance(ref, Mapping) and isinstance(ref.get("name"), str) and ref["name"]:
        keys.append((namespace, ref["name"]))
    output = spec.get("secretName")
    # The same default as IntegrationSpec.output_secret_name.
    keys.append((namespace, output if isinstance(output, str) and output else f"{name}-lifetime"))
    return list(dict.fromkeys(keys))


class Wakes:
    def __init__(self) -> None:
        self._slots: dict[Key, Slot] = {}
        # What each integration's last pass read or wrote of each Secret (a digest of its data; None:
        # absent), keyed (integration, Secret): integrations sharing a credentials Secret each need the
        # change they have not seen yet, whatever another one's pass read meanwhile.
        self._seen: dict[tuple[Key, Key], object] = {}

    def slot(self, key: Key) -> Slot:
        return self._slots.setdefault(key, Slot())

    def wake(self, key: Key) -> None:
        self.slot(key).wake.set()

    def forget(self, key: Key) -> None:
        self._slots.pop(key, None)
        for seen in [seen for seen in self._seen if seen[0] == key]:
            del self._seen[seen]

    def saw(self, integration: Key, key: Key, secret: Mapping[str, Any] | None) -> None:
        self._seen[integration, key] = fingerprint(secret)

    def unsure(self, integration: Key, key: Key) -> None:
        """A write failed half-way: the next event for this Secret must wake the integration."""
        self._seen[integration, key] = _UNSURE

    def secret_event(
        self, key: Key, secret: Mapping[str, Any] | None, dependants: Iterable[Key], *, listed: bool = False
    ) -> list[Key]:
        """A watch event for a Secret (None: deleted): wake each integration it concerns, unless the
        Secret is as that integration's last pass saw it. Returns the integrations woken.

        `listed`: the event comes from a listing (at startup, or when the watch is re-established), not
        from a change. It wakes only when a pass saw the Secret otherwise: a Secret no pass has read yet
        will be read by the first pass, which runs at once or when the back-off kept in status runs out
        (waking it would cut that back-off short after every restart)."""
        digest = fingerprint(secret)
        woken: list[Key] = []
        for integration in dependants:
            seen = self._seen.get((integration, key), _UNKNOWN)
            if seen == digest or (listed and seen is _UNKNOWN):
                continue
            slot = self.slot(integration)
            if seen is _UNKNOWN and slot.running:
                # The running pass has not read it yet: it will see the new state.
                continue
            slot.wake.set()
            woken.append(integration)
        return woken
