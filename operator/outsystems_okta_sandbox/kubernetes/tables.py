"""Server-side printing (`Accept: application/json;as=Table;v=v1;g=meta.k8s.io`) used by `kubectl get`:
the built-ins' usual columns, and a CRD's `additionalPrinterColumns` (simple JSONPath only)."""

from __future__ import annotations

import datetime
import json
import re
from collections.abc import Callable, Mapping
from typing import Any

from .resources import ResourceType

Cell = Callable[[Mapping[str, Any]], Any]


def wants_table(accept: str) -> bool:
    return "as=Table" in accept


def human_duration(seconds: float) -> str:
    """Like `duration.HumanDuration` of apimachinery (what kubectl's AGE column shows)."""
    s = int(max(seconds, 0))
    if s < 120:
        return f"{s}s"
    minutes = s // 60
    if minutes < 10:
        return f"{minutes}m{s % 60}s" if s % 60 else f"{minutes}m"
    if minutes < 180:
        return f"{minutes}m"
    hours = minutes // 60
    if hours < 8:
        return f"{hours}h{minutes % 60}m" if minutes % 60 else f"{hours}h"
    if hours < 48:
        return f"{hours}h"
    days = hours // 24
    if days < 8:
        return f"{days}d{hours % 24}h" if hours % 24 else f"{days}d"
    if days < 365 * 2:
        return f"{days}d"
    return f"{days // 365}y"


def _age(timestamp: Any) -> str:
    if not isinstance(timestamp, str) or not timestamp:
        return "<unknown>"
    try:
        moment = datetime.datetime.fromisoformat(timestamp.replace("Z", "+00:00"))
    except ValueError:
        return "<invalid>"
    return human_duration((datetime.datetime.now(datetime.UTC) - moment).total_seconds())


_SEGMENT = re.compile(
    r"\.([A-Za-z0-9_\-]+)|\[(\d+|\*)\]|\[\?\(@\.([A-Za-z0-9_.\-]+)\s*==\s*(['\"])(.*?)\4\)\]"
)


def jsonpath(obj: Any, path: str) -> list[Any]:
    """Evaluate the subset of JSONPath used in printer columns: `.a.b`, `[0]`, `[*]`, `[?(@.k=="v")]`."""
    expression = path.strip()
    if expression.startswith("{") and expression.endswith("}"):
        expression = expression[1:-1]
    if expression.startswith("$"):
        expression = expression[1:]
    nodes = [obj]
    position = 0
    while position < len(expression):
        match = _SEGMENT.match(expression, position)
        if not match:
            return []
        position = match.end()
        key, idx, filter_key, _, filter_value = match.groups()
        found: list[Any] = []
        for node in nodes:
            if key is not None and isinstance(node, Mapping) and key in node:
                found.append(node[key])
            elif idx == "*" and isinstance(node, list):
                found.extend(node)
            elif idx is not None and idx != "*" and isinstance(node, list) and int(idx) < len(node):
                found.append(node[int(idx)])
            elif filter_key is not None and isinstance(node, list):
                found.extend(item for item in node if _equals(jsonpath(item, "." + filter_key), filter_value))
        nodes = found
    return nodes


def _equals(values: list[Any], expected: str) -> bool:
    return bool(values) and str(values[0]) == expected


def _printable(values: list[Any]) -> Any:
    if not values:
        return None
    rendered = [v if isinstance(v, str | int | float | bool) else json.dumps(v) for v in values]
    return rendered[0] if len(rendered) == 1 else ",".join(str(v) for v in rendered)


def _column(
    name: str, kind: str = "string", fmt: str = "", description: str = "", priority: int = 0
) -> dict[str, Any]:
    return {"name": name, "type": kind, "format": fmt, "description": description, "priority": priority}


def _name_cell(obj: Mapping[str, Any]) -> Any:
    return obj.get("metadata", {}).get("name", "")


def _age_cell(obj: Mapping[str, Any]) -> Any:
    return _age(obj.get("metadata", {}).get("creationTimestamp"))


def _printer_cell(path: str, *, date: bool) -> Cell:
    def cell(obj: Mapping[str, Any]) -> Any:
        value = _printable(jsonpath(obj, path))
        return _age(value) if date else value

    return cell


def _columns(rt: ResourceType) -> list[tuple[dict[str, Any], Cell]]:
    name = (_column("Name", fmt="name", description="Name must be unique within a namespace."), _name_cell)
    age = (
        _column("Age", description="CreationTimestamp is a timestamp representing the server time."),
        _age_cell,
    )
    if rt.custom:
        if not rt.printer_columns:
            return [name, age]
        columns: list[tuple[dict[str, Any], Cell]] = [name]
        for spec in rt.printer_columns:
            path = str(spec.get("jsonPath", ""))
            kind = str(spec.get("type", "string"))
            definition = _column(
                str(spec.get("name", "")),
                kind,
                str(spec.get("format", "")),
                str(spec.get("description", "")),
                int(spec.get("priority", 0)),
            )
            columns.append((definition, _printer_cell(path, date=kind == "date")))
        return columns
    match (rt.group, rt.plural):
        case ("", "secrets"):
            return [
                name,
                (_column("Type"), lambda obj: obj.get("type", "")),
                (_column("Data", "integer"), lambda obj: len(obj.get("data") or {})),
                age,
            ]
        case ("", "configmaps"):
            return [
                name,
                (
                    _column("Data", "integer"),
                    lambda obj: len(obj.get("data") or {}) + len(obj.get("binaryData") or {}),
                ),
                age,
            ]
        case ("", "namespaces"):
            return [name, (_column("Status"), lambda obj: (obj.get("status") or {}).get("phase", "")), age]
        case ("", "events"):
            return [
                (_column("Last Seen"), lambda obj: _age(obj.get("lastTimestamp") or obj.get("eventTime"))),
                (_column("Type"), lambda obj: obj.get("type", "")),
                (_column("Reason"), lambda obj: obj.get("reason", "")),
                (
                    _column("Object"),
                    lambda obj: (
                        f"{str((obj.get('involvedObject') or {}).get('kind', '')).lower()}/"
                        f"{(obj.get('involvedObject') or {}).get('name', '')}"
                    ),
                ),
                (_column("Message"), lambda obj: obj.get("message", "")),
            ]
        case ("apiextensions.k8s.io", "customresourcedefinitions"):
            return [
                name,
                (
                    _column("Created At", "date"),
                    lambda obj: obj.get("metadata", {}).get("creationTimestamp", ""),
                ),
            ]
    return [name, age]


def table(rt: ResourceType, items: list[dict[str, Any]], include_object: str) -> dict[str, Any]:
    columns = _columns(rt)
    rows = []
    for obj in items:
        row: dict[str, Any] = {"cells": [cell(obj) for _, cell in columns]}
        if include_object == "Object":
            row["object"] = obj
        elif include_object != "None":
            row["object"] = {
                "kind": "PartialObjectMetadata",
                "apiVersion": "meta.k8s.io/v1",
                "metadata": obj.get("metadata", {}),
            }
        rows.append(row)
    return {
        "kind": "Table",
        "apiVersion": "meta.k8s.io/v1",
        "metadata": {},
        "columnDefinitions": [definition for definition, _ in columns],
        "rows": rows,
    }
