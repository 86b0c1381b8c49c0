"""Label selectors (`a=b,c!=d,e in (x,y),!f`) and field selectors (`metadata.name=x`)."""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from typing import Any

from . import errors

Predicate = Callable[[Mapping[str, Any]], bool]

_SET_RE = re.compile(r"^\s*([A-Za-z0-9_./-]+)\s+(in|notin)\s+\(([^)]*)\)\s*$")
_EQ_RE = re.compile(r"^\s*([A-Za-z0-9_./-]+)\s*(==|=|!=)\s*([A-Za-z0-9_.-]*)\s*$")
_EXISTS_RE = re.compile(r"^\s*(!?)\s*([A-Za-z0-9_./-]+)\s*$")


def _split_requirements(selector: str) -> list[str]:
    """Split on commas that are not inside `(...)` sets."""
    parts: list[str] = []
    depth = 0
    current = ""
    for char in selector:
        if char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        if char == "," and depth == 0:
            parts.append(current)
            current = ""
        else:
            current += char
    parts.append(current)
    return [part for part in parts if part.strip()]


@dataclass(frozen=True)
class _Requirement:
    key: str
    operator: str  # =, !=, in, notin, exists, !exists
    values: frozenset[str] = frozenset()

    def check(self, labels: Mapping[str, str]) -> bool:
        match self.operator:
            case "=":
                return self.key in labels and labels[self.key] in self.values
            case "!=" | "notin":
                return labels.get(self.key) not in self.values
            case "in":
                return labels.get(self.key) in self.values
            case "exists":
                return self.key in labels
        return self.key not in labels


def parse_label_selector(selector: str | None) -> Predicate:
    """A predicate over objects for a label selector string; 400 BadRequest if it does not parse."""
    if not selector:
        return lambda obj: True
    requirements: list[_Requirement] = []
    for requirement in _split_requirements(selector):
        if match := _SET_RE.match(requirement):
            key, operator, raw_values = match.groups()
            values = frozenset(value.strip() for value in raw_values.split(",") if value.strip())
            requirements.append(_Requirement(key, operator, values))
        elif match := _EQ_RE.match(requirement):
            key, operator, value = match.groups()
            requirements.append(_Requirement(key, "!=" if operator == "!=" else "=", frozenset({value})))
        elif match := _EXISTS_RE.match(requirement):
            negation, key = match.groups()
            requirements.append(_Requirement(key, "!exists" if negation else "exists"))
        else:
            raise errors.bad_request(f"unable to parse requirement: {requirement.strip()!r}")

    def predicate(obj: Mapping[str, Any]) -> bool:
        labels = (obj.get("metadata") or {}).get("labels") or {}
        return all(requirement.check(labels) for requirement in requirements)

    return predicate


def field_value(obj: Mapping[str, Any], path: str) -> str:
    """The string form a field selector compares against ('' when absent)."""
    node: Any = obj
    for part in path.split("."):
        if not isinstance(node, Mapping) or part not in node:
            return ""
        node = node[part]
    if isinstance(node, bool):
        return "true" if node else "false"
    if node is None:
        return ""
    if isinstance(node, Mapping):  # e.g. Event's `source` compares its component
        return str(node.get("component", ""))
    return str(node)


def parse_field_selector(selector: str | None, supported: Collection[str]) -> Predicate:
    """A predicate for a field selector; fields outside `supported` (plus metadata.name/namespace) are
    rejected with 400 `field label not supported`, as the API server does."""
    if not selector:
        return lambda obj: True
    allowed = {"metadata.name", "metadata.namespace", *supported}
    checks: list[tuple[str, bool, str]] = []  # path, equality, value
    for requirement in _split_requirements(selector):
        match = re.match(r"^\s*([A-Za-z0-9_.\-/]+)\s*(==|=|!=)\s*(.*?)\s*$", requirement)
        if not match:
            raise errors.bad_request(f"invalid selector: '{selector}'; can't understand '{requirement}'")
        path, operator, value = match.groups()
        if path not in allowed:
            raise errors.bad_request(f"field label not supported: {path}")
        checks.append((path, operator != "!=", value))
    return lambda obj: all((field_value(obj, path) == value) == equal for path, equal, value in checks)
