"""Which resource a log line is about, for lines not written through Kopf's per-object logger.

Kopf's handler `logger` tags each record with `k8s_ref`; Kopf's formatters turn that into the
`object` field of JSON lines and the `[namespace/name]` prefix of text lines. The Okta client, the
reconcile routine and the libraries under them log through module loggers instead, and one Okta
client serves every resource of an org, so the resource cannot live on the client: it lives in a
context variable that a handler sets around its pass (asyncio gives every task its own copy, and
`asyncio.to_thread` carries it into threads), and a filter on the output handler copies it onto the
records that have none.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

# The attribute Kopf's formatters read (kopf._core.actions.loggers); Kopf's own records already carry it.
REF_ATTRIBUTE = "k8s_ref"

_current: ContextVar[Mapping[str, Any] | None] = ContextVar("outsystems_okta_resource", default=None)


@contextmanager
def about(ref: Mapping[str, Any]) -> Iterator[None]:
    """Every log record made in this task (and the tasks it starts) inside the block names `ref`.

    `ref` has the shape of a Kubernetes object reference: apiVersion, kind, namespace, name, uid.
    """
    token = _current.set(dict(ref))
    try:
        yield
    finally:
        _current.reset(token)


class ResourceFilter(logging.Filter):
    """Adds the current resource to records that do not name one; never drops a record."""

    def filter(self, record: logging.LogRecord) -> bool:
        ref = _current.get()
        if ref is not None and not hasattr(record, REF_ATTRIBUTE):
            setattr(record, REF_ATTRIBUTE, ref)
        return True


def install(logger: logging.Logger | None = None) -> None:
    """Put the filter on every handler of `logger` (the root logger by default).

    On the handlers, not the logger: a logger's filters see only the records made on that very
    logger, while a handler's see every record propagated to it from `outsystems_okta.*`, httpx, ...
    """
    target = logger or logging.getLogger()
    for handler in target.handlers:
        if not any(isinstance(f, ResourceFilter) for f in handler.filters):
            handler.addFilter(ResourceFilter())
