"""Resource types the emulator serves: the built-ins and those defined by CustomResourceDefinitions."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import kmock

STANDARD_VERBS = ("create", "delete", "deletecollection", "get", "list", "patch", "update", "watch")
STATUS_VERBS = ("get", "patch", "update")
CRD_CLEANUP_FINALIZER = "customresourcecleanup.apiextensions.k8s.io"


@dataclass(frozen=True)
class ResourceType:
    """One served group/version/plural and what the API server knows about it."""

    group: str
    version: str
    plural: str
    kind: str
    namespaced: bool
    singular: str = ""
    short_names: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    verbs: tuple[str, ...] = STANDARD_VERBS
    subresources: frozenset[str] = frozenset()
    # The version whose objects are stored (custom resources are stored once, served in all versions).
    storage_group: str | None = None
    storage_version: str | None = None
    storage_plural: str | None = None
    custom: bool = False  # served from a CustomResourceDefinition
    has_generation: bool = False  # metadata.generation is maintained (CRs, CRDs)
    schema: Mapping[str, Any] | None = field(default=None, compare=False, hash=False)  # openAPIV3Schema
    printer_columns: tuple[Mapping[str, Any], ...] = field(default=(), compare=False, hash=False)
    field_selectors: tuple[str, ...] = ()  # beyond metadata.name and metadata.namespace

    @property
    def api_version(self) -> str:
        return f"{self.group}/{self.version}" if self.group else self.version

    @property
    def group_version(self) -> str:
        return self.api_version

    @property
    def list_kind(self) -> str:
        return f"{self.kind}List"

    @property
    def group_resource(self) -> str:
        """The `plural.group` spelling used in messages and kubectl (`secrets`, `widgets.example.com`)."""
        return f"{self.plural}.{self.group}" if self.group else self.plural

    @property
    def storage(self) -> kmock.resource:
        """The key of the storage: objects live there whichever version they were written in."""
        return kmock.resource(
            self.storage_group if self.storage_group is not None else self.group,
            self.storage_version or self.version,
            self.storage_plural or self.plural,
        )

    @property
    def has_status_subresource(self) -> bool:
        return "status" in self.subresources

    def names(self) -> set[str]:
        """All the names kubectl would accept for it: plural, singular, kind, short names."""
        names = {self.plural, self.singular or self.kind.lower(), self.kind.lower(), *self.short_names}
        return {name.lower() for name in names} | {f"{name}.{self.group}" for name in names if self.group}


_VERSION_RE = re.compile(r"^v(\d+)(?:(alpha|beta)(\d+))?$")


def version_priority(version: str) -> tuple[int, int, int, str]:
    """Sort key for Kubernetes-style versions: GA > beta > alpha, higher numbers first, then others."""
    match = _VERSION_RE.match(version)
    if not match:
        return (3, 0, 0, version)
    major, stage, minor = match.groups()
    stage_rank = {None: 0, "beta": 1, "alpha": 2}[stage]
    return (stage_rank, -int(major), -int(minor or 0), "")


def sort_versions(versions: Iterable[str]) -> list[str]:
    return sorted(set(versions), key=version_priority)


def _builtin(
    group: str,
    version: str,
    plural: str,
    kind: str,
    *,
    namespaced: bool = True,
    short_names: tuple[str, ...] = (),
    categories: tuple[str, ...] = (),
    subresources: Iterable[str] = (),
    has_generation: bool = False,
    field_selectors: tuple[str, ...] = (),
    storage: tuple[str, str, str] | None = None,
) -> ResourceType:
    return ResourceType(
        group=group,
        version=version,
        plural=plural,
        kind=kind,
        singular=kind.lower(),
        namespaced=namespaced,
        short_names=short_names,
        categories=categories,
        subresources=frozenset(subresources),
        has_generation=has_generation,
        field_selectors=field_selectors,
        storage_group=storage[0] if storage else None,
        storage_version=storage[1] if storage else None,
        storage_plural=storage[2] if storage else None,
    )


_EVENT_FIELDS = (
    "involvedObject.kind",
    "involvedObject.namespace",
    "involvedObject.name",
    "involvedObject.uid",
    "involvedObject.apiVersion",
    "involvedObject.resourceVersion",
    "involvedObject.fieldPath",
    "reason",
    "reportingComponent",
    "source",
    "type",
)

BUILTINS: tuple[ResourceType, ...] = (
    _builtin(
        "",
        "v1",
        "namespaces",
        "Namespace",
        namespaced=False,
        short_names=("ns",),
        subresources=("status", "finalize"),
        field_selectors=("status.phase",),
    ),
    _builtin("", "v1", "secrets", "Secret", field_selectors=("type",)),
    _builtin("", "v1", "configmaps", "ConfigMap", short_names=("cm",)),
    _builtin("", "v1", "serviceaccounts", "ServiceAccount", short_names=("sa",)),
    _builtin("", "v1", "events", "Event", short_names=("ev",), field_selectors=_EVENT_FIELDS),
    _builtin(
        "events.k8s.io",
        "v1",
        "events",
        "Event",
        short_names=("ev",),
        storage=("", "v1", "events"),
        field_selectors=(
            "regarding.kind",
            "regarding.namespace",
            "regarding.name",
            "regarding.uid",
            "reason",
            "reportingController",
            "type",
        ),
    ),
    _builtin("coordination.k8s.io", "v1", "leases", "Lease"),
    _builtin(
        "apiextensions.k8s.io",
        "v1",
        "customresourcedefinitions",
        "CustomResourceDefinition",
        namespaced=False,
        short_names=("crd", "crds"),
        categories=("api-extensions",),
        subresources=("status",),
        has_generation=True,
    ),
)


def types_from_crd(crd: Mapping[str, Any]) -> list[ResourceType]:
    """The resource types a (valid, already normalised) CRD serves: one per served version."""
    spec = crd["spec"]
    names = spec["names"]
    group = spec["group"]
    versions = spec["versions"]
    # Objects stay where they were first stored even if the storage version changes later
    # (kube-apiserver keeps them readable in every served version: conversion strategy None).
    current_storage = next(v["name"] for v in versions if v.get("storage"))
    storage_version = ((crd.get("status") or {}).get("storedVersions") or [current_storage])[0]
    result: list[ResourceType] = []
    for version in versions:
        if not version.get("served", True):
            continue
        subresources = set((version.get("subresources") or {}).keys())
        schema = (version.get("schema") or {}).get("openAPIV3Schema")
        selectable = tuple(
            str(item.get("jsonPath", "")).lstrip(".") for item in version.get("selectableFields") or []
        )
        result.append(
            ResourceType(
                group=group,
                version=version["name"],
                plural=names["plural"],
                kind=names["kind"],
                singular=names.get("singular") or names["kind"].lower(),
                namespaced=spec.get("scope") == "Namespaced",
                short_names=tuple(names.get("shortNames") or ()),
                categories=tuple(names.get("categories") or ()),
                subresources=frozenset(subresources),
                storage_group=group,
                storage_version=storage_version,
                storage_plural=names["plural"],
                custom=True,
                has_generation=True,
                schema=schema,
                printer_columns=tuple(version.get("additionalPrinterColumns") or ()),
                field_selectors=selectable,
            )
        )
    return result


class Registry:
    """All resource types currently served, looked up by group/version/plural or by any name."""

    def __init__(self) -> None:
        self._builtins: list[ResourceType] = list(BUILTINS)
        self._custom: dict[str, list[ResourceType]] = {}  # CRD name -> its served types

    def all(self) -> list[ResourceType]:
        return [*self._builtins, *(rt for types in self._custom.values() for rt in types)]

    def lookup(self, group: str, version: str, plural: str) -> ResourceType | None:
        for rt in self.all():
            if rt.group == group and rt.version == version and rt.plural == plural:
                return rt
        return None

    def storage_type(self, storage: kmock.resource) -> ResourceType | None:
        """The type whose version is the storage version (used to interpret stored objects)."""
        for rt in self.all():
            if rt.storage == storage and rt.version == storage.version and rt.group == storage.group:
                return rt
        # A custom resource whose storage version is no longer served: any type of that storage will do.
        for rt in self.all():
            if rt.storage == storage:
                return rt
        return None

    def by_kind(self, api_version: str, kind: str) -> ResourceType | None:
        group, _, version = api_version.rpartition("/")
        for rt in self.all():
            if rt.group == group and rt.version == version and rt.kind == kind:
                return rt
        # Another version of the same group & kind shares the storage (ownerReferences may use any).
        for rt in self.all():
            if rt.group == group and rt.kind == kind:
                return rt
        return None

    def resolve(self, name: str) -> ResourceType:
        """Find a type by any kubectl-like name: `secrets`, `secret`, `Secret`, `crd`, `widgets.example.com`,
        `example.com/v1/widgets`, `v1/secrets`. Prefers the preferred version of the group."""
        if "/" in name:
            parsed = kmock.resource(name)
            for rt in self.all():
                if (rt.group, rt.version, rt.plural) == (parsed.group, parsed.version, parsed.plural):
                    return rt
            raise KeyError(name)
        lowered = name.lower()
        candidates = [rt for rt in self.all() if lowered in rt.names()]
        if not candidates:
            raise KeyError(name)
        # Prefer the core group (like kubectl), then the preferred version.
        candidates.sort(key=lambda rt: (rt.group != "", rt.group, version_priority(rt.version)))
        return candidates[0]

    def groups(self) -> dict[str, list[str]]:
        """Served API groups (without the core group) and their versions, preferred first."""
        versions: dict[str, set[str]] = {}
        for rt in self.all():
            if rt.group:
                versions.setdefault(rt.group, set()).add(rt.version)
        return {group: sort_versions(vs) for group, vs in sorted(versions.items())}

    def in_group_version(self, group: str, version: str) -> list[ResourceType]:
        return [rt for rt in self.all() if rt.group == group and rt.version == version]

    def custom_types(self, crd_name: str) -> list[ResourceType]:
        return list(self._custom.get(crd_name, []))

    def install(self, crd: Mapping[str, Any]) -> None:
        self._custom[crd["metadata"]["name"]] = types_from_crd(crd)

    def uninstall(self, crd_name: str) -> None:
        self._custom.pop(crd_name, None)
