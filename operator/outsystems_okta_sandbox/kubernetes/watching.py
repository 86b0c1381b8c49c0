"""Watch streams: one JSON event per line, from a resourceVersion, filtered like a list.

* `resourceVersion` unset or "0": synthetic ADDED events for what exists, then changes;
  a specific resourceVersion: only the changes after it (410 Gone as an ERROR event if it is older
  than the retained change log, as after an etcd compaction).
* `sendInitialEvents=true`: the initial ADDED events, then a BOOKMARK annotated
  `k8s.io/initial-events-end: "true"` (when bookmarks are allowed).
* `allowWatchBookmarks=true`: a BOOKMARK every `bookmark_interval` seconds.
* `timeoutSeconds`: the server closes the stream after that long (default: `default_timeout`).
* Selectors apply to both sides of a change: an object that stops matching is sent as DELETED, one
  that starts matching as ADDED (as the API server's watch cache does).
* The stream ends when the resource stops being served (its CRD is deleted) or the server stops.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from . import errors
from .cluster import Cluster
from .resources import ResourceType
from .selectors import parse_field_selector, parse_label_selector
from .store import ChangeEvent

Writer = Callable[[dict[str, Any]], Awaitable[None]]


class Watch:
    def __init__(
        self,
        cluster: Cluster,
        rt: ResourceType,
        namespace: str | None,
        name: str | None,
        params: Mapping[str, str],
        *,
        bookmark_interval: float,
        default_timeout: float,
    ) -> None:
        """Parse and check the parameters (raising ApiError before any byte is streamed)."""
        self.cluster = cluster
        self.rt = rt
        self.namespace = namespace if rt.namespaced else None
        labels = parse_label_selector(params.get("labelSelector"))
        fields = parse_field_selector(params.get("fieldSelector"), rt.field_selectors)
        self.matches: Callable[[Mapping[str, Any]], bool] = lambda obj: (
            labels(obj) and fields(obj) and (name is None or obj.get("metadata", {}).get("name") == name)
        )
        self.bookmarks = params.get("allowWatchBookmarks") in ("true", "1")
        self.send_initial = params.get("sendInitialEvents") in ("true", "1")
        self.bookmark_interval = bookmark_interval
        try:
            timeout = float(params.get("timeoutSeconds") or 0)
        except ValueError:
            raise errors.bad_request(f"invalid timeoutSeconds: {params['timeoutSeconds']!r}") from None
        self.timeout = timeout or default_timeout  # 0 means the server's default, as in kube-apiserver
        since = params.get("resourceVersion", "")
        self.too_old = False
        self.initial: list[dict[str, Any]] = []
        if since in ("", "0") or self.send_initial:
            self.start_rv = cluster.store.resource_version
            self.initial = [obj for obj in cluster.list_objects(rt, self.namespace) if self.matches(obj)]
        else:
            try:
                self.start_rv = int(since)
            except ValueError:
                raise errors.bad_request(f'invalid resource version: "{since}"') from None
            self.too_old = cluster.store.events_since(self.start_rv) is None

    def _gone(self, rv: int) -> dict[str, Any]:
        status = errors.gone(
            f"too old resource version: {rv} ({self.cluster.store.resource_version})"
        ).status()
        return {"type": "ERROR", "object": status}

    def _bookmark(self, rv: int, initial_end: bool = False) -> dict[str, Any]:
        meta: dict[str, Any] = {"resourceVersion": str(rv)}
        if initial_end:
            meta["annotations"] = {"k8s.io/initial-events-end": "true"}
        return {
            "type": "BOOKMARK",
            "object": {"kind": self.rt.kind, "apiVersion": self.rt.api_version, "metadata": meta},
        }

    def _translate(self, event: ChangeEvent) -> dict[str, Any] | None:
        if event.storage != self.rt.storage:
            return None
        if self.namespace is not None and event.namespace != self.namespace:
            return None
        new = self.cluster.to_served(self.rt, event.obj)
        old = self.cluster.to_served(self.rt, event.old) if event.old is not None else None
        new_match = self.matches(new)
        old_match = old is not None and self.matches(old)
        if event.type == "ADDED":
            return {"type": "ADDED", "object": new} if new_match else None
        if event.type == "DELETED":
            return {"type": "DELETED", "object": new} if new_match or old_match else None
        if new_match and old_match:
            return {"type": "MODIFIED", "object": new}
        if new_match:
            return {"type": "ADDED", "object": new}
        if old_match:
            return {"type": "DELETED", "object": new}
        return None

    def _still_served(self) -> bool:
        return self.cluster.registry.lookup(self.rt.group, self.rt.version, self.rt.plural) is not None

    async def run(
        self, write: Writer, transform: Callable[[dict[str, Any]], dict[str, Any]] | None = None
    ) -> None:
        """Stream the events; `transform` may rewrite ADDED/MODIFIED/DELETED objects (e.g. to Tables)."""
        if transform is not None:
            plain_write = write

            async def write(event: dict[str, Any]) -> None:
                if event["type"] in ("ADDED", "MODIFIED", "DELETED"):
                    event = {"type": event["type"], "object": transform(event["object"])}
                await plain_write(event)

        store = self.cluster.store
        if self.too_old:
            await write(self._gone(self.start_rv))
            return
        for obj in self.initial:
            await write({"type": "ADDED", "object": obj})
        if self.send_initial and self.bookmarks:
            await write(self._bookmark(self.start_rv, initial_end=True))

        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.timeout
        next_bookmark = loop.time() + self.bookmark_interval
        last_rv = self.start_rv
        while True:
            changed = store.changed  # taken before reading, so that no change is missed
            scanned_rv = store.resource_version
            events = store.events_since(last_rv)
            if events is None:
                await write(self._gone(last_rv))
                return
            translated = [out for event in events if (out := self._translate(event)) is not None]
            last_rv = max(last_rv, scanned_rv)
            for out in translated:
                await write(out)
            if store.closed or not self._still_served():
                return
            current = loop.time()
            if current >= deadline:
                return
            if self.bookmarks and current >= next_bookmark:
                await write(self._bookmark(last_rv))
                next_bookmark = current + self.bookmark_interval
            wake_at = min(deadline, next_bookmark) if self.bookmarks else deadline
            if changed.is_set():
                continue
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(changed.wait(), timeout=max(0.0, wake_at - loop.time()))
