"""`Link` header parsing (RFC 8288) and the same-origin rule for following pagination links.

Okta paginates with `link: <https://{org}/api/v1/apps?after=...&limit=20>; rel="next"` and tells
clients to treat the URL as opaque. We follow it, but only to the org we were configured with: the
API token is attached to every request, so a `next` link to another host would leak it.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from urllib.parse import urlsplit

_DEFAULT_PORTS = {"http": 80, "https": 443}


def _split_outside(text: str, sep: str) -> Iterator[str]:
    """Split on `sep` except inside `<...>` or a quoted string (backslash escapes honoured)."""
    buf: list[str] = []
    in_angle = in_quote = escaped = False
    for ch in text:
        if escaped:
            buf.append(ch)
            escaped = False
            continue
        if in_quote:
            if ch == "\\":
                escaped = True
            elif ch == '"':
                in_quote = False
            buf.append(ch)
            continue
        if in_angle:
            if ch == ">":
                in_angle = False
            buf.append(ch)
            continue
        if ch == "<":
            in_angle = True
        elif ch == '"':
            in_quote = True
        elif ch == sep:
            yield "".join(buf)
            buf = []
            continue
        buf.append(ch)
    yield "".join(buf)


def _unquote(value: str) -> str:
    value = value.strip()
    if len(value) >= 2 and value[0] == value[-1] == '"':
        inner = value[1:-1]
        out: list[str] = []
        it = iter(inner)
        for ch in it:
            out.append(next(it, "") if ch == "\\" else ch)
        return "".join(out)
    return value


def parse_link_header(values: str | Iterable[str]) -> list[tuple[str, dict[str, str]]]:
    """Every link in one or more `Link` header values, as `(uri, params)` in order.

    Parameter names are lower-cased; malformed entries (no `<uri>`) are skipped.
    """
    if isinstance(values, str):
        values = [values]
    links: list[tuple[str, dict[str, str]]] = []
    for value in values:
        for entry in _split_outside(value, ","):
            entry = entry.strip()
            if not entry.startswith("<"):
                continue
            end = entry.find(">")
            if end < 0:
                continue
            uri = entry[1:end].strip()
            params: dict[str, str] = {}
            for part in _split_outside(entry[end + 1 :], ";"):
                name, eq, raw = part.partition("=")
                name = name.strip().lower()
                if name:
                    params.setdefault(name, _unquote(raw) if eq else "")
            links.append((uri, params))
    return links


def find_rel(values: str | Iterable[str], rel: str) -> str | None:
    """The URI of the first link whose `rel` (a space-separated list) contains `rel`, or None."""
    rel = rel.lower()
    for uri, params in parse_link_header(values):
        if rel in params.get("rel", "").lower().split():
            return uri
    return None


def origin(url: str) -> tuple[str, str, int | None]:
    """(scheme, host, port) with the default port filled in; host lower-cased."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    try:
        port = parts.port
    except ValueError:
        port = None
    return scheme, (parts.hostname or "").lower(), port if port is not None else _DEFAULT_PORTS.get(scheme)


def same_origin(url: str, base: str) -> bool:
    """True when `url` has the same scheme, host and port as `base` (and has a host at all)."""
    target = origin(url)
    return bool(target[1]) and target == origin(base)
