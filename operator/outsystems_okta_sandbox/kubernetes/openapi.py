"""A minimal OpenAPI v3 discovery (`/openapi/v3`, `/openapi/v3/apis/<group>/<version>`).

It lists, per group/version, the resource paths and their operations with the
`x-kubernetes-group-version-kind` extension and the `fieldValidation` query parameter. That is what
kubectl (1.27+) checks to validate server-side (`fieldValidation=Strict`) instead of downloading
the full schemas, so `kubectl apply` works without `--validate=false`. Custom resources carry
their CRD schema in `components.schemas` (enough for `kubectl explain` to find the kind). No
strategic-merge content is advertised, so kubectl falls back to its compiled-in types for the
built-ins and to JSON merge patches for custom resources, as with a real server.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from . import errors
from .resources import Registry, ResourceType

_QUERY_PARAMETERS = ("fieldValidation", "fieldManager", "dryRun", "pretty")


def _gv_path(group: str, version: str) -> str:
    return f"apis/{group}/{version}" if group else f"api/{version}"


def _schema_name(rt: ResourceType) -> str:
    group = ".".join(reversed(rt.group.split("."))) if rt.group else "io.k8s.api.core"
    return f"{group}.{rt.version}.{rt.kind}"


def _operation(rt: ResourceType, action: str) -> dict[str, Any]:
    return {
        "operationId": f"{action}{rt.kind}",
        "x-kubernetes-action": action,
        "x-kubernetes-group-version-kind": {"group": rt.group, "version": rt.version, "kind": rt.kind},
        "parameters": [
            {"name": name, "in": "query", "schema": {"type": "string"}} for name in _QUERY_PARAMETERS
        ],
        "responses": {"200": {"description": "OK"}},
    }


def group_version_document(registry: Registry, group: str, version: str) -> dict[str, Any]:
    types = registry.in_group_version(group, version)
    if not types:
        raise errors.path_not_found()
    paths: dict[str, Any] = {}
    schemas: dict[str, Any] = {}
    for rt in types:
        base = f"/{_gv_path(group, version)}"
        scoped = f"{base}/namespaces/{{namespace}}/{rt.plural}" if rt.namespaced else f"{base}/{rt.plural}"
        paths[scoped] = {"get": _operation(rt, "list"), "post": _operation(rt, "post")}
        paths[f"{scoped}/{{name}}"] = {
            "get": _operation(rt, "get"),
            "put": _operation(rt, "put"),
            "patch": _operation(rt, "patch"),
            "delete": _operation(rt, "delete"),
        }
        for sub in sorted(rt.subresources):
            paths[f"{scoped}/{{name}}/{sub}"] = {
                "get": _operation(rt, "get"),
                "put": _operation(rt, "put"),
                "patch": _operation(rt, "patch"),
            }
        if rt.namespaced:
            paths[f"{base}/{rt.plural}"] = {"get": _operation(rt, "list")}
        if rt.schema is not None:
            schemas[_schema_name(rt)] = {
                **rt.schema,
                "x-kubernetes-group-version-kind": [
                    {"group": rt.group, "version": rt.version, "kind": rt.kind}
                ],
            }
    return {
        "openapi": "3.0.0",
        "info": {"title": "Kubernetes", "version": "v1.32.0"},
        "paths": paths,
        "components": {"schemas": schemas},
    }


def index(registry: Registry) -> dict[str, Any]:
    group_versions = {("", "v1")} | {(g, v) for g, versions in registry.groups().items() for v in versions}
    paths = {}
    for group, version in sorted(group_versions):
        document = json.dumps(group_version_document(registry, group, version), sort_keys=True)
        digest = hashlib.sha512(document.encode()).hexdigest()[:64].upper()
        gv_path = _gv_path(group, version)
        paths[gv_path] = {"serverRelativeURL": f"/openapi/v3/{gv_path}?hash={digest}"}
    return {"paths": paths}


def serve(registry: Registry, rest: list[str]) -> dict[str, Any]:
    """Answer `/openapi/v3` (rest=[]) or `/openapi/v3/api/v1`, `/openapi/v3/apis/<g>/<v>`."""
    if not rest:
        return index(registry)
    if rest[0] == "api" and len(rest) == 2:
        return group_version_document(registry, "", rest[1])
    if rest[0] == "apis" and len(rest) == 3:
        return group_version_document(registry, rest[1], rest[2])
    raise errors.path_not_found()
