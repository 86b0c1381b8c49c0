"""Structural OpenAPI v3 schemas of CustomResourceDefinitions: pruning, defaulting, validation.

This follows what kube-apiserver does with `openAPIV3Schema` of the served version, in its order:
unknown fields are pruned (unless `x-kubernetes-preserve-unknown-fields`), nulls of non-nullable fields
are dropped, `default`s are applied, then the object is validated. Errors are worded like the API
server's (`spec.envs[1].host: Invalid value: "x": spec.envs[1].host in body should match '^a'`).

`x-kubernetes-validations` (CEL rules) are evaluated after this validation, by `cel.py`. Validation
ratcheting (tolerating unchanged invalid fields on update) is not implemented: every write is
validated in full.
"""

from __future__ import annotations

import base64
import binascii
import copy
import datetime
import ipaddress
import json
import re
import uuid
from collections.abc import Mapping
from typing import Any

from .errors import FieldError, render_value

Schema = Mapping[str, Any]

# metadata fields kept by the API server (unknown ones are silently dropped from every object).
OBJECT_META_FIELDS = frozenset(
    {
        "name",
        "generateName",
        "namespace",
        "selfLink",
        "uid",
        "resourceVersion",
        "generation",
        "creationTimestamp",
        "deletionTimestamp",
        "deletionGracePeriodSeconds",
        "labels",
        "annotations",
        "ownerReferences",
        "finalizers",
        "managedFields",
    }
)
_ROOT_FIELDS = ("apiVersion", "kind", "metadata")


# --- paths -------------------------------------------------------------------------------------------


def child(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def index(path: str, i: int) -> str:
    return f"{path}[{i}]"


def map_key(path: str, key: str) -> str:
    return f"{path}[{key}]"


# --- pruning -----------------------------------------------------------------------------------------


def prune(obj: dict[str, Any], schema: Schema) -> list[str]:
    """Drop unknown fields from a custom object in place; return the paths of what was dropped."""
    removed: list[str] = []
    meta = obj.get("metadata")
    if isinstance(meta, dict):
        for key in list(meta):
            if key not in OBJECT_META_FIELDS:
                del meta[key]
                removed.append(child("metadata", key))
    properties = schema.get("properties") or {}
    for key in list(obj):
        if key in _ROOT_FIELDS:
            continue
        if key in properties:
            if obj[key] is None and not properties[key].get("nullable"):
                del obj[key]
            else:
                obj[key] = _prune(obj[key], properties[key], key, removed)
        elif not schema.get("x-kubernetes-preserve-unknown-fields"):
            del obj[key]
            removed.append(key)
    return removed


def _prune(value: Any, schema: Schema, path: str, removed: list[str]) -> Any:
    if schema.get("x-kubernetes-int-or-string"):
        return value
    if isinstance(value, dict):
        properties: Mapping[str, Any] = schema.get("properties") or {}
        additional = schema.get("additionalProperties")
        preserve = bool(schema.get("x-kubernetes-preserve-unknown-fields"))
        embedded = bool(schema.get("x-kubernetes-embedded-resource"))
        for key in list(value):
            if embedded and key in ("apiVersion", "kind"):
                continue
            if embedded and key == "metadata" and isinstance(value[key], dict):
                for meta_key in list(value[key]):
                    if meta_key not in OBJECT_META_FIELDS:
                        del value[key][meta_key]
                        removed.append(child(child(path, key), meta_key))
                continue
            if key in properties:
                sub = properties[key]
                if value[key] is None and not sub.get("nullable"):
                    del value[key]
                else:
                    value[key] = _prune(value[key], sub, child(path, key), removed)
            elif isinstance(additional, Mapping):
                if value[key] is None and not additional.get("nullable"):
                    del value[key]
                else:
                    value[key] = _prune(value[key], additional, map_key(path, key), removed)
            elif not preserve and additional is not True:
                del value[key]
                removed.append(child(path, key))
        return value
    if isinstance(value, list):
        items = schema.get("items")
        if isinstance(items, Mapping):
            return [_prune(item, items, index(path, i), removed) for i, item in enumerate(value)]
    return value


# --- defaulting --------------------------------------------------------------------------------------


def apply_defaults(obj: dict[str, Any], schema: Schema) -> None:
    """Fill in `default`s of absent fields in place (root-level metadata/apiVersion/kind untouched)."""
    properties: Mapping[str, Any] = schema.get("properties") or {}
    for key, sub in properties.items():
        if key in _ROOT_FIELDS:
            continue
        if key not in obj and "default" in sub:
            obj[key] = copy.deepcopy(sub["default"])
        if key in obj:
            obj[key] = _default(obj[key], sub)


def _default(value: Any, schema: Schema) -> Any:
    if isinstance(value, dict):
        properties: Mapping[str, Any] = schema.get("properties") or {}
        for key, sub in properties.items():
            if key not in value and "default" in sub:
                value[key] = copy.deepcopy(sub["default"])
        additional = schema.get("additionalProperties")
        for key in list(value):
            if key in properties:
                value[key] = _default(value[key], properties[key])
            elif isinstance(additional, Mapping):
                value[key] = _default(value[key], additional)
    elif isinstance(value, list):
        items = schema.get("items")
        if isinstance(items, Mapping):
            return [_default(item, items) for item in value]
    return value


# --- validation --------------------------------------------------------------------------------------


def validate(obj: Mapping[str, Any], schema: Schema) -> list[FieldError]:
    """Validate a custom object (after pruning and defaulting) against the root schema."""
    body = {key: val for key, val in obj.items() if key not in _ROOT_FIELDS}
    root = {
        **schema,
        "properties": {k: v for k, v in (schema.get("properties") or {}).items() if k not in _ROOT_FIELDS},
    }
    root["required"] = [key for key in schema.get("required") or [] if key not in _ROOT_FIELDS]
    return _validate(body, root, "")


def _type_name(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "object"
    return type(value).__name__


def _is_type(value: Any, expected: str) -> bool:
    match expected:
        case "object":
            return isinstance(value, dict)
        case "array":
            return isinstance(value, list)
        case "string":
            return isinstance(value, str)
        case "boolean":
            return isinstance(value, bool)
        case "integer":
            return (isinstance(value, int) and not isinstance(value, bool)) or (
                isinstance(value, float) and value.is_integer()
            )
        case "number":
            return isinstance(value, int | float) and not isinstance(value, bool)
    return True


def _in_body(path: str) -> str:
    return f"{path or 'body'} in body"


def _validate(value: Any, schema: Schema, path: str) -> list[FieldError]:
    errors: list[FieldError] = []
    if value is None:
        if schema.get("nullable") or not schema.get("type"):
            return errors
        return [_type_error(path, value, schema["type"])]

    if schema.get("x-kubernetes-int-or-string"):
        if not (isinstance(value, str) or _is_type(value, "integer")):
            errors.append(_type_error(path, value, "integer-or-string"))
            return errors
    elif (expected := schema.get("type")) and not _is_type(value, expected):
        return [_type_error(path, value, expected)]

    if "enum" in schema and value not in schema["enum"]:
        supported = ", ".join(render_value(v) for v in schema["enum"])
        errors.append(FieldError(path, "FieldValueNotSupported", value, f"supported values: {supported}"))

    if isinstance(value, str):
        errors += _validate_string(value, schema, path)
    elif isinstance(value, int | float) and not isinstance(value, bool):
        errors += _validate_number(value, schema, path)
    elif isinstance(value, list):
        errors += _validate_array(value, schema, path)
    elif isinstance(value, dict):
        errors += _validate_object(value, schema, path)

    errors += _validate_junctors(value, schema, path)
    return errors


def _type_error(path: str, value: Any, expected: str) -> FieldError:
    actual = _type_name(value)
    return FieldError(
        path,
        "FieldValueTypeInvalid",
        actual,
        f"{_in_body(path)} must be of type {expected}: {render_value(actual)}",
    )


def _validate_string(value: str, schema: Schema, path: str) -> list[FieldError]:
    errors: list[FieldError] = []
    if (max_length := schema.get("maxLength")) is not None and len(value) > max_length:
        errors.append(
            FieldError(path, "FieldValueTooLong", value, f"may not be more than {max_length} bytes")
        )
    if (min_length := schema.get("minLength")) is not None and len(value) < min_length:
        errors.append(
            FieldError(
                path,
                "FieldValueInvalid",
                value,
                f"{_in_body(path)} should be at least {min_length} chars long",
            )
        )
    if (pattern := schema.get("pattern")) is not None and not re.search(pattern, value):
        errors.append(
            FieldError(path, "FieldValueInvalid", value, f"{_in_body(path)} should match '{pattern}'")
        )
    if (fmt := schema.get("format")) and not _check_format(value, fmt):
        errors.append(
            FieldError(
                path,
                "FieldValueInvalid",
                value,
                f"{_in_body(path)} must be of type {fmt}: {render_value(value)}",
            )
        )
    return errors


_HOSTNAME_RE = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$", re.IGNORECASE)
_EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+$")
_URI_RE = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.-]*:[^\s]*|/[^\s]*)$")


def _check_format(value: str, fmt: str) -> bool:
    try:
        match fmt:
            case "date-time":
                datetime.datetime.fromisoformat(value.replace("Z", "+00:00"))
            case "date":
                datetime.date.fromisoformat(value)
            case "uuid":
                uuid.UUID(value)
            case "ipv4":
                ipaddress.IPv4Address(value)
            case "ipv6":
                ipaddress.IPv6Address(value)
            case "hostname":
                return len(value) <= 253 and bool(_HOSTNAME_RE.match(value))
            case "email":
                return bool(_EMAIL_RE.match(value))
            case "uri":
                return bool(_URI_RE.match(value))
            case "byte":
                base64.b64decode(value, validate=True)
    except (ValueError, binascii.Error):
        return False
    return True


def _validate_number(value: float, schema: Schema, path: str) -> list[FieldError]:
    errors: list[FieldError] = []
    if (minimum := schema.get("minimum")) is not None:
        exclusive = bool(schema.get("exclusiveMinimum"))
        if value < minimum or (exclusive and value == minimum):
            words = "greater than" if exclusive else "greater than or equal to"
            errors.append(
                FieldError(path, "FieldValueInvalid", value, f"{_in_body(path)} should be {words} {minimum}")
            )
    if (maximum := schema.get("maximum")) is not None:
        exclusive = bool(schema.get("exclusiveMaximum"))
        if value > maximum or (exclusive and value == maximum):
            words = "less than" if exclusive else "less than or equal to"
            errors.append(
                FieldError(path, "FieldValueInvalid", value, f"{_in_body(path)} should be {words} {maximum}")
            )
    if (multiple := schema.get("multipleOf")) and value % multiple:
        errors.append(
            FieldError(
                path, "FieldValueInvalid", value, f"{_in_body(path)} should be a multiple of {multiple}"
            )
        )
    return errors


def _validate_array(value: list[Any], schema: Schema, path: str) -> list[FieldError]:
    errors: list[FieldError] = []
    if (max_items := schema.get("maxItems")) is not None and len(value) > max_items:
        errors.append(
            FieldError(path, "FieldValueTooMany", len(value), f"must have at most {max_items} items")
        )
    if (min_items := schema.get("minItems")) is not None and len(value) < min_items:
        errors.append(
            FieldError(
                path,
                "FieldValueInvalid",
                len(value),
                f"{_in_body(path)} should have at least {min_items} items",
            )
        )
    items = schema.get("items")
    if isinstance(items, Mapping):
        for i, item in enumerate(value):
            errors += _validate(item, items, index(path, i))
    list_type = schema.get("x-kubernetes-list-type")
    if list_type == "set":
        seen: list[Any] = []
        for i, item in enumerate(value):
            if item in seen:
                errors.append(FieldError(index(path, i), "FieldValueDuplicate", item))
            seen.append(item)
    elif list_type == "map":
        keys = list(schema.get("x-kubernetes-list-map-keys") or [])
        seen_keys: list[dict[str, Any]] = []
        for i, item in enumerate(value):
            if not isinstance(item, dict):
                continue
            key = {k: item.get(k) for k in keys}
            if key in seen_keys:
                errors.append(FieldError(index(path, i), "FieldValueDuplicate", key))
            seen_keys.append(key)
    return errors


def _validate_object(value: dict[str, Any], schema: Schema, path: str) -> list[FieldError]:
    errors: list[FieldError] = []
    for key in schema.get("required") or []:
        if key not in value:
            errors.append(FieldError(child(path, key), "FieldValueRequired"))
    if (max_props := schema.get("maxProperties")) is not None and len(value) > max_props:
        errors.append(
            FieldError(path, "FieldValueTooMany", len(value), f"must have at most {max_props} items")
        )
    if (min_props := schema.get("minProperties")) is not None and len(value) < min_props:
        errors.append(
            FieldError(
                path,
                "FieldValueInvalid",
                len(value),
                f"{_in_body(path)} should have at least {min_props} properties",
            )
        )
    properties: Mapping[str, Any] = schema.get("properties") or {}
    additional = schema.get("additionalProperties")
    for key, item in value.items():
        if key in properties:
            errors += _validate(item, properties[key], child(path, key))
        elif isinstance(additional, Mapping):
            errors += _validate(item, additional, map_key(path, key))
    return errors


def _validate_junctors(value: Any, schema: Schema, path: str) -> list[FieldError]:
    errors: list[FieldError] = []
    for sub in schema.get("allOf") or []:
        errors += _validate(value, sub, path)
    if (any_of := schema.get("anyOf")) and not any(not _validate(value, sub, path) for sub in any_of):
        errors.append(
            FieldError(path, "FieldValueInvalid", value, "must validate at least one schema (anyOf)")
        )
    if one_of := schema.get("oneOf"):
        matching = sum(1 for sub in one_of if not _validate(value, sub, path))
        if matching != 1:
            errors.append(
                FieldError(path, "FieldValueInvalid", value, "must validate one and only one schema (oneOf)")
            )
    if (negated := schema.get("not")) is not None and not _validate(value, negated, path):
        errors.append(FieldError(path, "FieldValueInvalid", value, "must not validate the schema (not)"))
    return errors


# --- structural-schema checks of a CRD ------------------------------------------------------------


def check_structural(schema: Any, path: str) -> list[FieldError]:
    """The main rules a CRD's schema must follow to be accepted (a subset of kube-apiserver's)."""
    if not isinstance(schema, Mapping):
        return [FieldError(path, "FieldValueRequired", detail="schemas are required")]
    errors: list[FieldError] = []
    if schema.get("type") != "object":
        errors.append(
            FieldError(
                child(path, "type"), "FieldValueInvalid", schema.get("type", ""), "must be object at the root"
            )
        )
    errors += _check_node(schema, path, root=True)
    return errors


def _check_node(schema: Mapping[str, Any], path: str, *, root: bool = False) -> list[FieldError]:
    errors: list[FieldError] = []
    int_or_string = bool(schema.get("x-kubernetes-int-or-string"))
    preserve = bool(schema.get("x-kubernetes-preserve-unknown-fields"))
    if not schema.get("type") and not int_or_string and not preserve:
        errors.append(
            FieldError(
                child(path, "type"),
                "FieldValueRequired",
                detail="must not be empty for specified object fields",
            )
        )
    if schema.get("uniqueItems") is True:
        errors.append(
            FieldError(
                child(path, "uniqueItems"),
                "FieldValueForbidden",
                detail="uniqueItems cannot be set to true since the runtime complexity becomes quadratic",
            )
        )
    if "properties" in schema and isinstance(schema.get("additionalProperties"), Mapping | bool):
        errors.append(
            FieldError(
                child(path, "additionalProperties"),
                "FieldValueForbidden",
                detail="additionalProperties and properties are mutual exclusive",
            )
        )
    if schema.get("type") == "array" and not isinstance(schema.get("items"), Mapping):
        errors.append(FieldError(child(path, "items"), "FieldValueRequired", detail="must be specified"))
    if schema.get("x-kubernetes-list-type") == "map" and not schema.get("x-kubernetes-list-map-keys"):
        errors.append(
            FieldError(
                child(path, "x-kubernetes-list-map-keys"),
                "FieldValueRequired",
                detail='must not be empty if x-kubernetes-list-type is "map"',
            )
        )
    if "default" in schema and not root:
        default_errors = _validate(copy.deepcopy(schema["default"]), schema, "")
        for error in default_errors:
            errors.append(
                FieldError(child(path, "default"), "FieldValueInvalid", schema["default"], error.message)
            )
    for key, sub in (schema.get("properties") or {}).items():
        if isinstance(sub, Mapping):
            errors += _check_node(sub, f"{path}.properties[{key}]")
    if isinstance(items := schema.get("items"), Mapping):
        errors += _check_node(items, child(path, "items"))
    if isinstance(additional := schema.get("additionalProperties"), Mapping):
        errors += _check_node(additional, child(path, "additionalProperties"))
    return errors


def canonical_json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"))
