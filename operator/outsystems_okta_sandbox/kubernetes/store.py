"""Object storage on kmock's `ObjectsArray` (each object keeps its history), plus the change log.

Every write gets the next value of one global, monotonic `resourceVersion` and is appended to an
event log that watches read from (so a watch can resume from any resourceVersion still in the log;
older ones answer 410 Gone, as after an etcd compaction).

Stored bodies are never mutated in place: every write stores a fresh dict. Readers on other threads
(tests) therefore see consistent snapshots; writers must run on the server's event loop.
"""

from __future__ import annotations

import asyncio
import collections
import copy
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import kmock

Key = tuple[kmock.resource, str | None, str]  # storage resource, namespace, name


@dataclass(frozen=True)
class ChangeEvent:
    """One change in the log: what a watch turns into ADDED/MODIFIED/DELETED."""

    rv: int
    type: str  # ADDED, MODIFIED, DELETED
    storage: kmock.resource
    namespace: str | None
    name: str
    obj: dict[str, Any]  # the stored body after the change (for DELETED: the last state)
    old: dict[str, Any] | None  # the stored body before the change (for MODIFIED and DELETED)


class ObjectStore:
    def __init__(self, objects: kmock.ObjectsArray | None = None, log_size: int = 10_000) -> None:
        self.objects = objects if objects is not None else kmock.ObjectsArray()
        self._rv = 1000
        self._log: collections.deque[ChangeEvent] = collections.deque(maxlen=log_size)
        self._compacted_rv = self._rv  # watches from before this answer 410 Gone
        self._changed = asyncio.Event()
        self.closed = False

    # --- versions ---

    @property
    def resource_version(self) -> int:
        return self._rv

    def next_rv(self) -> int:
        self._rv += 1
        return self._rv

    # --- reading ---

    def get(self, storage: kmock.resource, namespace: str | None, name: str) -> dict[str, Any] | None:
        key = (storage, namespace, name)
        if key not in self.objects:
            return None
        obj = self.objects[key]
        return None if obj.deleted else copy.deepcopy(obj.raw)

    def items(
        self, storage: kmock.resource | None = None, namespace: str | None = None, *, copy_bodies: bool = True
    ) -> Iterator[tuple[Key, dict[str, Any]]]:
        """Live objects, optionally of one storage resource and one namespace (sorted by ns/name).
        With `copy_bodies=False`, the bodies are the stored ones: read them, never change them."""
        found: list[tuple[Key, dict[str, Any]]] = []
        for key, obj in list(self.objects.items()):
            res, ns, _ = key
            if storage is not None and res != storage:
                continue
            if namespace is not None and ns != namespace:
                continue
            if not obj.deleted:
                found.append((key, copy.deepcopy(obj.raw) if copy_bodies else obj.raw))
        found.sort(key=lambda item: (item[0][1] or "", item[0][2]))
        yield from found

    # --- writing ---

    def put(self, key: Key, body: dict[str, Any], event_type: str, old: dict[str, Any] | None = None) -> None:
        storage, namespace, name = key
        body = copy.deepcopy(body)
        if key in self.objects:
            self.objects[key].history.append(body)
        else:
            self.objects[key] = body
        self._emit(
            ChangeEvent(
                int(body["metadata"]["resourceVersion"]), event_type, storage, namespace, name, body, old
            )
        )

    def remove(self, key: Key, last: dict[str, Any]) -> None:
        storage, namespace, name = key
        old = self.get(*key)
        self.objects[key].delete()
        last = copy.deepcopy(last)
        self._emit(
            ChangeEvent(
                int(last["metadata"]["resourceVersion"]), "DELETED", storage, namespace, name, last, old
            )
        )

    def _emit(self, event: ChangeEvent) -> None:
        if self._log.maxlen is not None and len(self._log) == self._log.maxlen:
            self._compacted_rv = self._log[0].rv
        self._log.append(event)
        self._notify()

    def _notify(self) -> None:
        changed, self._changed = self._changed, asyncio.Event()
        changed.set()

    # --- watching ---

    def events_since(self, rv: int) -> list[ChangeEvent] | None:
        """Events after `rv`, or None if `rv` is older than the retained log (410 Gone)."""
        if rv < self._compacted_rv:
            return None
        return [event for event in self._log if event.rv > rv]

    @property
    def changed(self) -> asyncio.Event:
        """An event set at the next change: take it *before* reading, then wait on it."""
        return self._changed

    def compact(self) -> None:
        """Forget the change log, like an etcd compaction: older watches get 410 Gone."""
        self._log.clear()
        self._compacted_rv = self._rv

    def close(self) -> None:
        """End all watches (the server is stopping)."""
        self.closed = True
        self._notify()

    def reopen(self) -> None:
        """Serve watches again (the server is starting, maybe on another event loop)."""
        self.closed = False
        self._changed = asyncio.Event()
