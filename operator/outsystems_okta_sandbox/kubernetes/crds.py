"""CustomResourceDefinition admission: validation and defaulting of the CRD object itself, and the
status the apiextensions controllers would report (NamesAccepted, Established)."""

from __future__ import annotations

from typing import Any

from . import cel, schema
from .errors import FieldError

_SUBRESOURCES = {"status", "scale"}


def normalize(crd: dict[str, Any]) -> list[FieldError]:
    """Fill the defaults kube-apiserver fills in a CRD and validate it; return the field errors."""
    errors: list[FieldError] = []
    spec = crd.get("spec")
    if not isinstance(spec, dict):
        return [FieldError("spec", "FieldValueRequired")]
    group = spec.get("group") or ""
    names = spec.get("names")
    if not group:
        errors.append(FieldError("spec.group", "FieldValueRequired"))
    elif "." not in group:
        errors.append(
            FieldError("spec.group", "FieldValueInvalid", group, "should be a domain with at least one dot")
        )
    if not isinstance(names, dict):
        errors.append(FieldError("spec.names", "FieldValueRequired"))
        names = {}
    plural = names.get("plural") or ""
    kind = names.get("kind") or ""
    if not plural:
        errors.append(FieldError("spec.names.plural", "FieldValueRequired"))
    elif plural != plural.lower():
        errors.append(FieldError("spec.names.plural", "FieldValueInvalid", plural, "must be lowercase"))
    if not kind:
        errors.append(FieldError("spec.names.kind", "FieldValueRequired"))
    else:
        names.setdefault("singular", kind.lower())
        names.setdefault("listKind", f"{kind}List")
    name = (crd.get("metadata") or {}).get("name")
    if plural and group and name != f"{plural}.{group}":
        errors.append(
            FieldError("metadata.name", "FieldValueInvalid", name, 'must be spec.names.plural+"."+spec.group')
        )
    if spec.get("scope") not in ("Namespaced", "Cluster"):
        errors.append(
            FieldError(
                "spec.scope",
                "FieldValueNotSupported",
                spec.get("scope", ""),
                'supported values: "Cluster", "Namespaced"',
            )
        )
    versions = spec.get("versions")
    if not isinstance(versions, list) or not versions:
        errors.append(
            FieldError(
                "spec.versions",
                "FieldValueInvalid",
                versions or [],
                "must have exactly one version marked as storage version",
            )
        )
        return errors
    if sum(1 for version in versions if isinstance(version, dict) and version.get("storage")) != 1:
        errors.append(
            FieldError(
                "spec.versions",
                "FieldValueInvalid",
                versions,
                "must have exactly one version marked as storage version",
            )
        )
    seen: set[str] = set()
    for i, version in enumerate(versions):
        path = f"spec.versions[{i}]"
        if not isinstance(version, dict) or not version.get("name"):
            errors.append(FieldError(f"{path}.name", "FieldValueRequired"))
            continue
        if version["name"] in seen:
            errors.append(FieldError(f"{path}.name", "FieldValueInvalid", version["name"], "must be unique"))
        seen.add(version["name"])
        version.setdefault("served", True)
        version.setdefault("storage", False)
        for sub in version.get("subresources") or {}:
            if sub not in _SUBRESOURCES:
                errors.append(
                    FieldError(
                        f"{path}.subresources", "FieldValueForbidden", detail=f"unknown subresource {sub!r}"
                    )
                )
        openapi = (version.get("schema") or {}).get("openAPIV3Schema")
        errors += schema.check_structural(openapi, f"{path}.schema.openAPIV3Schema")
        errors += cel.check_rules(openapi, f"{path}.schema.openAPIV3Schema")
    spec.setdefault("conversion", {"strategy": "None"})
    return errors


def status_for(crd: dict[str, Any], now: str, previous: dict[str, Any] | None) -> dict[str, Any]:
    spec = crd["spec"]
    names = spec["names"]
    storage = next(v["name"] for v in spec["versions"] if v.get("storage"))
    stored = list((previous or {}).get("storedVersions") or [])
    if storage not in stored:
        stored.append(storage)
    accepted = {
        key: names[key]
        for key in ("plural", "singular", "kind", "listKind", "shortNames", "categories")
        if key in names
    }
    since = {c.get("type"): c.get("lastTransitionTime") for c in (previous or {}).get("conditions") or []}
    return {
        "acceptedNames": accepted,
        "conditions": [
            {
                "type": "NamesAccepted",
                "status": "True",
                "reason": "NoConflicts",
                "message": "no conflicts found",
                "lastTransitionTime": since.get("NamesAccepted") or now,
            },
            {
                "type": "Established",
                "status": "True",
                "reason": "InitialNamesAccepted",
                "message": "the initial names have been accepted",
                "lastTransitionTime": since.get("Established") or now,
            },
        ],
        "storedVersions": stored,
    }
