"""Cursor pagination with RFC 8288 `Link` headers, the way Okta pages collections.

Okta: "If there are multiple pages of results, the header contains a `next` link. Treat the link as
an opaque value (follow it, don't parse it)"; the last page has only the `self` link.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import TypeVar
from urllib.parse import urlencode

from .errors import field_error

T = TypeVar("T")


def parse_limit(raw: str | None, *, default: int | None, maximum: int) -> int | None:
    """`limit` query value; None means "everything" (listApplications' default of -1)."""
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise field_error("limit", "must be an integer") from None
    if value <= 0:
        return default
    return min(value, maximum)


def page(
    items: Sequence[T], *, position: Callable[[T], int], after: int | None, limit: int | None
) -> tuple[list[T], T | None]:
    """One page of `items` (already sorted by `position`) after the cursor position.

    Returns the page and, when more items follow, the page's last item (the next cursor).
    """
    rest = [item for item in items if after is None or position(item) > after]
    if limit is None or len(rest) <= limit:
        return rest, None
    chunk = rest[:limit]
    return chunk, chunk[-1]


def link_headers(base: str, path: str, query: Mapping[str, str], next_cursor: str | None) -> list[str]:
    """`Link` header values: always `self`, plus `next` (same query, new `after`) when more remain."""
    links = [f'<{_url(base, path, query)}>; rel="self"']
    if next_cursor is not None:
        following = {key: value for key, value in query.items() if key != "after"}
        following["after"] = next_cursor
        links.append(f'<{_url(base, path, following)}>; rel="next"')
    return links


def _url(base: str, path: str, query: Mapping[str, str]) -> str:
    encoded = urlencode(list(query.items()))
    return f"{base}{path}?{encoded}" if encoded else f"{base}{path}"
