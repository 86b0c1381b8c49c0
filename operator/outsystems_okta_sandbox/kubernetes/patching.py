"""Patch formats the API server accepts: JSON merge patch, JSON patch, strategic merge patch."""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

from . import errors

MERGE_PATCH = "application/merge-patch+json"
JSON_PATCH = "application/json-patch+json"
STRATEGIC_MERGE_PATCH = "application/strategic-merge-patch+json"
APPLY_PATCH = "application/apply-patch+yaml"

# Fields of the built-in types that strategic merge patches merge instead of replacing.
# A list of primitives merged as a set, or a list of objects merged by a key.
_PRIMITIVE_MERGE_FIELDS = {"finalizers"}
_MERGE_KEYS = {"ownerReferences": "uid", "conditions": "type", "subjects": "name"}


def merge_patch(target: Any, patch: Any) -> Any:
    """RFC 7386: objects merge recursively, `null` deletes, everything else replaces."""
    if not isinstance(patch, dict):
        return copy.deepcopy(patch)
    result = copy.deepcopy(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            result.pop(key, None)
        else:
            result[key] = merge_patch(result.get(key), value)
    return result


def apply_merge(target: Any, applied: Any) -> Any:
    """An approximation of server-side apply: the applied config merged in, lists replaced, nulls kept."""
    if not isinstance(applied, dict) or not isinstance(target, dict):
        return copy.deepcopy(applied)
    result = copy.deepcopy(target)
    for key, value in applied.items():
        result[key] = apply_merge(result.get(key), value)
    return result


# --- JSON patch (RFC 6902) ------------------------------------------------------------------------


def _unescape(token: str) -> str:
    return token.replace("~1", "/").replace("~0", "~")


def _split(pointer: str) -> list[str]:
    if pointer == "":
        return []
    if not pointer.startswith("/"):
        raise errors.bad_request(f"invalid JSON pointer: {pointer!r}")
    return [_unescape(token) for token in pointer[1:].split("/")]


def _walk(doc: Any, tokens: list[str], pointer: str) -> Any:
    node = doc
    for token in tokens:
        if isinstance(node, dict) and token in node:
            node = node[token]
        elif isinstance(node, list) and token.isdigit() and int(token) < len(node):
            node = node[int(token)]
        else:
            raise errors.unprocessable(
                f"the server rejected our request due to an error in our request: "
                f'doc is missing path: "{pointer}": missing value'
            )
    return node


def _container(doc: Any, tokens: list[str], pointer: str) -> Any:
    return _walk(doc, tokens[:-1], pointer)


def _get(doc: Any, pointer: str) -> Any:
    return _walk(doc, _split(pointer), pointer)


def _add(doc: Any, pointer: str, value: Any) -> Any:
    tokens = _split(pointer)
    if not tokens:
        return value
    parent = _container(doc, tokens, pointer)
    last = tokens[-1]
    if isinstance(parent, dict):
        parent[last] = value
    elif isinstance(parent, list):
        if last == "-":
            parent.append(value)
        elif last.isdigit() and int(last) <= len(parent):
            parent.insert(int(last), value)
        else:
            raise errors.unprocessable(
                f"the server rejected our request due to an error in our request: "
                f'add operation does not apply: doc is missing path: "{pointer}"'
            )
    else:
        raise errors.unprocessable(
            f"the server rejected our request due to an error in our request: "
            f'doc is missing path: "{pointer}"'
        )
    return doc


def _remove(doc: Any, pointer: str) -> Any:
    tokens = _split(pointer)
    if not tokens:
        raise errors.unprocessable(
            "the server rejected our request due to an error in our request: cannot remove the root"
        )
    parent = _container(doc, tokens, pointer)
    last = tokens[-1]
    if isinstance(parent, dict) and last in parent:
        del parent[last]
    elif isinstance(parent, list) and last.isdigit() and int(last) < len(parent):
        del parent[int(last)]
    else:
        raise errors.unprocessable(
            f"the server rejected our request due to an error in our request: "
            f"unable to remove nonexistent key: {last}: missing value"
        )
    return doc


def json_patch(target: Any, operations: Any) -> Any:
    """RFC 6902 with all six operations. A failed `test` answers 422 as kube-apiserver does."""
    if not isinstance(operations, list):
        raise errors.bad_request("json: cannot unmarshal object into Go value of type jsonpatch.Patch")
    doc = copy.deepcopy(target)
    for operation in operations:
        if not isinstance(operation, Mapping) or "op" not in operation or "path" not in operation:
            raise errors.bad_request(f"invalid JSON patch operation: {operation!r}")
        op = operation["op"]
        path = operation["path"]
        match op:
            case "add":
                doc = _add(doc, path, copy.deepcopy(operation.get("value")))
            case "remove":
                doc = _remove(doc, path)
            case "replace":
                _get(doc, path)  # must exist
                doc = _remove(doc, path) if _split(path) else doc
                doc = _add(doc, path, copy.deepcopy(operation.get("value")))
            case "move":
                value = copy.deepcopy(_get(doc, operation["from"]))
                doc = _remove(doc, operation["from"])
                doc = _add(doc, path, value)
            case "copy":
                doc = _add(doc, path, copy.deepcopy(_get(doc, operation["from"])))
            case "test":
                if _get(doc, path) != operation.get("value"):
                    raise errors.unprocessable(
                        f"the server rejected our request due to an error in our request: "
                        f"testing value {path} failed: test failed"
                    )
            case _:
                raise errors.bad_request(f"Unexpected kind: {op}")
    return doc


# --- strategic merge patch (built-in types only) --------------------------------------------------


def strategic_merge_patch(target: Any, patch: Any, field: str = "") -> Any:
    """A strategic merge patch for the built-in kinds served here (Secret, ConfigMap, Namespace...).

    Maps merge as in a merge patch; `finalizers` merge as a set and `ownerReferences`/`conditions` by
    their keys (as their Go struct tags say); other lists are replaced. The `$patch`,
    `$deleteFromPrimitiveList/` and `$setElementOrder/` directives are honoured or skipped.
    """
    if not isinstance(patch, dict):
        return copy.deepcopy(patch)
    if patch.get("$patch") == "replace":
        return {k: copy.deepcopy(v) for k, v in patch.items() if k != "$patch"}
    if patch.get("$patch") == "delete":
        return None
    result = copy.deepcopy(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if key in ("$patch", "$retainKeys") or key.startswith("$setElementOrder/"):
            continue
        if key.startswith("$deleteFromPrimitiveList/"):
            name = key.split("/", 1)[1]
            if isinstance(result.get(name), list) and isinstance(value, list):
                result[name] = [item for item in result[name] if item not in value]
            continue
        if value is None:
            result.pop(key, None)
        elif isinstance(value, list) and isinstance(result.get(key), list):
            result[key] = _merge_list(key, result[key], value)
        else:
            result[key] = strategic_merge_patch(result.get(key), value, key)
    return result


def _merge_list(field: str, current: list[Any], patch: list[Any]) -> list[Any]:
    if field in _PRIMITIVE_MERGE_FIELDS:
        merged = list(current)
        merged += [item for item in patch if item not in merged]
        return merged
    merge_key = _MERGE_KEYS.get(field)
    if merge_key is None or not all(isinstance(item, dict) for item in [*current, *patch]):
        return copy.deepcopy(patch)
    result = [copy.deepcopy(item) for item in current]
    for item in patch:
        position = next(
            (i for i, old in enumerate(result) if old.get(merge_key) == item.get(merge_key)), None
        )
        if item.get("$patch") == "delete":
            if position is not None:
                del result[position]
        elif position is None:
            result.append({k: v for k, v in item.items() if not k.startswith("$")})
        else:
            result[position] = strategic_merge_patch(result[position], item)
    return result
