"""Parsing of Kubernetes API URL paths (kmock's parser mistakes `/api/v1/namespaces/x` for a namespace
scope, so the emulator parses paths itself)."""

from __future__ import annotations

from dataclasses import dataclass

NAMESPACE_SUBRESOURCES = frozenset({"status", "finalize"})


@dataclass(frozen=True)
class ApiPath:
    """A parsed path. `endpoint` says what it is; resource fields are set for `resource` paths."""

    endpoint: str  # root, version, health, api, apis, group, groupversion, resource, openapi, other
    group: str | None = None
    version: str | None = None
    plural: str | None = None
    namespace: str | None = None
    name: str | None = None
    subresource: str | None = None
    watch_prefix: bool = False  # the legacy /watch/ path segment
    rest: tuple[str, ...] = ()  # for openapi: the segments after /openapi/v3


def parse(path: str) -> ApiPath:
    parts = [part for part in path.split("/") if part]
    if not parts:
        return ApiPath("root")
    if parts == ["version"]:
        return ApiPath("version")
    if parts[:2] == ["openapi", "v3"]:
        return ApiPath("openapi", rest=tuple(parts[2:]))
    if parts[0] in ("healthz", "livez", "readyz"):
        return ApiPath("health")
    if parts[0] == "api":
        if len(parts) == 1:
            return ApiPath("api")
        if len(parts) == 2:
            return ApiPath("groupversion", group="", version=parts[1])
        return _resource("", parts[1], parts[2:])
    if parts[0] == "apis":
        if len(parts) == 1:
            return ApiPath("apis")
        if len(parts) == 2:
            return ApiPath("group", group=parts[1])
        if len(parts) == 3:
            return ApiPath("groupversion", group=parts[1], version=parts[2])
        return _resource(parts[1], parts[2], parts[3:])
    return ApiPath("other")


def _resource(group: str, version: str, rest: list[str]) -> ApiPath:
    watch_prefix = False
    if rest and rest[0] == "watch":
        watch_prefix = True
        rest = rest[1:]
    namespace: str | None = None
    if len(rest) >= 3 and rest[0] == "namespaces" and rest[2] not in NAMESPACE_SUBRESOURCES:
        namespace = rest[1]
        rest = rest[2:]
    if not rest or len(rest) > 3:
        return ApiPath("other")
    plural = rest[0]
    name = rest[1] if len(rest) >= 2 else None
    subresource = rest[2] if len(rest) == 3 else None
    return ApiPath(
        "resource",
        group=group,
        version=version,
        plural=plural,
        namespace=namespace,
        name=name,
        subresource=subresource,
        watch_prefix=watch_prefix,
    )
