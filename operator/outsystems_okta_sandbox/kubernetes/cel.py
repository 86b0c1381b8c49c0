"""CRD validation rules (`x-kubernetes-validations`), evaluated with cel-python as kube-apiserver does
with cel-go.

What follows the API server (k8s.io/apiextensions-apiserver, `pkg/apiserver/schema/cel/validation.go`
and `pkg/registry/customresource/strategy.go`, read at kubernetes/kubernetes master):
* every rule is evaluated at the schema node that declares it, `self` bound to that node's value, on
  every level of the structural schema (properties, items, additionalProperties, allOf); null values
  are not evaluated; at the resource root `self` also has apiVersion, kind and metadata.name;
* a rule that uses `oldSelf` (a transition rule) runs only on update and only where an old value
  correlates: object properties by name, additionalProperties by key, items of list-type `map` lists
  by their keys (never items of other lists);
* a rule that does not hold answers `field.Invalid(path, <schema type>, message)`, so users read
  `spec.environments[0].hostname: Invalid value: "string": <message>`; `message` is trimmed and
  defaults to `failed rule: <rule>`; `messageExpression` wins when it evaluates to a non-empty
  one-line string; `reason` FieldValueForbidden/Required/Duplicate pick the other error types;
  `fieldPath` moves the error to a child field;
* an evaluation error answers `<error> evaluating rule: <message or rule>`;
* CEL rules are skipped when the schema validation already found a "blocking" error (unsupported enum
  value, required, too long, too many, wrong type): then one `<nil>: Invalid value: "null": some
  validation rules were not checked ...` error is added instead (`hasBlockingErr`).

Not emulated: the runtime cost budget (rules here are evaluated in full), `optionalOldSelf` and
ratcheting (an unchanged invalid value is an error here, a warning on a ratcheting API server), and
the Kubernetes CEL libraries cel-python lacks (`lowerAscii`, `split`, `indexOf`, `url`, `quantity`,
...): a rule calling one fails loudly with a 500 naming the function rather than passing silently.
cel-python's `matches` uses google-re2, the same regex engine as the API server.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import celpy
import lark
from celpy.adapter import json_to_cel
from celpy.celparser import CELParseError
from celpy.celtypes import BoolType
from celpy.evaluation import CELEvalError

from . import errors
from .errors import FieldError
from .schema import Schema, child, index, map_key

# `hasBlockingErr`: after these schema errors the API server does not evaluate CEL rules at all.
BLOCKING_REASONS = frozenset(
    {
        "FieldValueNotSupported",
        "FieldValueRequired",
        "FieldValueTooLong",
        "FieldValueTooMany",
        "FieldValueTypeInvalid",
    }
)
NOT_CHECKED = FieldError(
    "<nil>",
    "FieldValueInvalid",
    "null",  # Go prints a nil bad value as the quoted string "null" (field.Error.ErrorBody)
    "some validation rules were not checked because the object was invalid; "
    "correct the existing errors to complete validation",
)
_ENVIRONMENT = celpy.Environment()
_NO_SUCH_MEMBER = re.compile(r"no such member in mapping: '([^']*)'")


@dataclass(frozen=True)
class _Compiled:
    program: celpy.Runner
    uses_old_self: bool


@functools.cache
def _compile(expression: str) -> _Compiled:
    tree = _ENVIRONMENT.compile(expression)
    identifiers = {str(token) for token in tree.scan_values(lambda t: isinstance(t, lark.Token))}
    return _Compiled(_ENVIRONMENT.program(tree), "oldSelf" in identifiers)


def check_rules(schema: Any, path: str) -> list[FieldError]:
    """Rules anywhere in a CRD's schema that do not compile (paths as `schema.check_structural`'s)."""
    if not isinstance(schema, Mapping):
        return []
    found = _compile_errors(schema, path)
    for key, sub in (schema.get("properties") or {}).items():
        found += check_rules(sub, f"{path}.properties[{key}]")
    for key in ("items", "additionalProperties"):
        found += check_rules(schema.get(key), child(path, key))
    for i, sub in enumerate(schema.get("allOf") or []):
        found += check_rules(sub, f"{path}.allOf[{i}]")
    return found


def _compile_errors(schema: Mapping[str, Any], path: str) -> list[FieldError]:
    found: list[FieldError] = []
    for i, rule in enumerate(schema.get("x-kubernetes-validations") or []):
        where = f"{path}.x-kubernetes-validations[{i}]"
        if not isinstance(rule, Mapping) or not isinstance(rule.get("rule"), str) or not rule["rule"].strip():
            found.append(FieldError(f"{where}.rule", "FieldValueRequired"))
            continue
        for key in ("rule", "messageExpression"):
            if isinstance(rule.get(key), str) and rule[key].strip():
                try:
                    _compile(rule[key])
                except CELParseError as exc:
                    detail = f"compilation failed: {str(exc).strip()}"
                    found.append(FieldError(f"{where}.{key}", "FieldValueInvalid", rule[key], detail))
        if rule.get("optionalOldSelf"):
            raise errors.internal(f"{where}: optionalOldSelf is not emulated")
    return found


def has_rules(schema: Any) -> bool:
    if not isinstance(schema, Mapping):
        return False
    if schema.get("x-kubernetes-validations"):
        return True
    subs = [
        *(schema.get("properties") or {}).values(),
        schema.get("items"),
        schema.get("additionalProperties"),
    ]
    return any(has_rules(sub) for sub in [*subs, *(schema.get("allOf") or [])])


def validate(
    obj: Mapping[str, Any],
    old: Mapping[str, Any] | None,
    schema: Schema,
    schema_errors: list[FieldError],
    *,
    only: str | None = None,
) -> list[FieldError]:
    """CEL rule violations of a custom object about to be stored (after pruning and defaulting).

    `schema_errors` are the errors found so far (schema and metadata): a blocking one stops here.
    `only` limits the rules to one top-level field: the status subresource passes "status", since the
    rest of the object is the stored one (a ratcheting API server would only warn about it).
    """
    if not has_rules(schema):
        return []  # no validator is built for a schema without rules: nothing to skip either
    if any(error.reason in BLOCKING_REASONS for error in schema_errors):
        return [NOT_CHECKED]
    found: list[FieldError] = []
    if only is None:
        root = {key: value for key, value in obj.items()}
        # At the root, `self.metadata` offers only name and generateName (model.WithTypeAndObjectMeta).
        meta = obj.get("metadata") or {}
        root["metadata"] = {k: meta[k] for k in ("name", "generateName") if k in meta}
        _rules_at(root, old, schema, "<nil>", found)  # the root's field path is nil, printed "<nil>"
    properties: Mapping[str, Any] = schema.get("properties") or {}
    for key, value in obj.items():
        if key in ("apiVersion", "kind", "metadata") or key not in properties:
            continue
        if only is not None and key != only:
            continue
        _walk(value, (old or {}).get(key), properties[key], key, found)
    return found


def _walk(value: Any, old: Any, schema: Mapping[str, Any], path: str, found: list[FieldError]) -> None:
    if value is None:
        return  # rules validate non-null values only
    _rules_at(value, old, schema, path, found)
    for sub in schema.get("allOf") or []:
        if isinstance(sub, Mapping):
            _walk(value, old, sub, path, found)
    if isinstance(value, dict):
        properties: Mapping[str, Any] = schema.get("properties") or {}
        additional = schema.get("additionalProperties")
        old_map = old if isinstance(old, dict) else {}
        for key, item in value.items():
            if key in properties:
                _walk(item, old_map.get(key), properties[key], child(path, key), found)
            elif isinstance(additional, Mapping):
                _walk(item, old_map.get(key), additional, map_key(path, key), found)
    elif isinstance(value, list) and isinstance(items := schema.get("items"), Mapping):
        old_items = _correlated_items(value, old, schema)
        for i, item in enumerate(value):
            _walk(item, old_items[i], items, index(path, i), found)


def _correlated_items(value: list[Any], old: Any, schema: Mapping[str, Any]) -> list[Any]:
    """The old value of each item: only list-type `map` items correlate, by their keys."""
    if schema.get("x-kubernetes-list-type") != "map" or not isinstance(old, list):
        return [None] * len(value)
    keys = list(schema.get("x-kubernetes-list-map-keys") or [])

    def key_of(item: Any) -> tuple[Any, ...] | None:
        return tuple(item.get(k) for k in keys) if isinstance(item, dict) else None

    by_key = {key_of(item): item for item in old if isinstance(item, dict)}
    return [by_key.get(key_of(item)) for item in value]


def _rules_at(value: Any, old: Any, schema: Mapping[str, Any], path: str, found: list[FieldError]) -> None:
    type_name = str(schema.get("type") or "")
    for rule in schema.get("x-kubernetes-validations") or []:
        compiled = _compile(rule["rule"])
        if compiled.uses_old_self and old is None:
            continue  # transition rules need a correlated old value (updates only)
        activation = {"self": json_to_cel(value)}
        if compiled.uses_old_self:
            activation["oldSelf"] = json_to_cel(old)
        result = _evaluate(compiled, activation, rule)
        if isinstance(result, FieldError):
            found.append(FieldError(path, result.reason, type_name, result.detail))
            continue
        if result is True:
            continue
        where = path
        if rule.get("fieldPath"):
            where = child("" if path == "<nil>" else path, str(rule["fieldPath"]).lstrip("."))
        detail = _message_expression(rule, activation) or _message_or_default(rule)
        found.append(_error_for_reason(where, type_name, detail, rule.get("reason")))


def _evaluate(compiled: _Compiled, activation: dict[str, Any], rule: Mapping[str, Any]) -> bool | FieldError:
    try:
        result = compiled.program.evaluate(activation)
    except CELEvalError as exc:
        problem = str(exc.args[0] if exc.args else exc)
        if problem.startswith("undeclared reference"):
            # cel-go would know the name (a Kubernetes library function): never let the rule pass.
            missing = exc.args[2][0] if len(exc.args) > 2 and exc.args[2] else problem
            raise errors.internal(
                f"the sandbox's CEL (cel-python) cannot evaluate {rule['rule']!r}: unknown name {missing!r}"
            ) from None
        # cel-python says "no such member in mapping: 'x'" where cel-go says "no such key: x".
        problem = _NO_SUCH_MEMBER.sub(r"no such key: \1", problem)
        detail = f"{problem} evaluating rule: {_rule_error_string(rule)}"
        return FieldError("", "FieldValueInvalid", None, detail)
    if not isinstance(result, BoolType):
        # The API server refuses a non-bool rule when the CRD is written; here it shows at evaluation.
        detail = f"rule did not evaluate to a bool evaluating rule: {_rule_error_string(rule)}"
        return FieldError("", "FieldValueInvalid", None, detail)
    return bool(result)


def _message_expression(rule: Mapping[str, Any], activation: dict[str, Any]) -> str | None:
    """`messageExpression`'s value, or None when it fails (the API server then logs and falls back)."""
    expression = rule.get("messageExpression")
    if not isinstance(expression, str) or not expression.strip():
        return None
    try:
        result = _compile(expression).program.evaluate(activation)
    except CELEvalError:
        return None
    if not isinstance(result, str):  # cel-python's `+` of strings answers a plain str
        return None
    text = str(result).strip()
    return text if text and "\n" not in text else None


def _message_or_default(rule: Mapping[str, Any]) -> str:
    message = str(rule.get("message") or "").strip()
    return message or f"failed rule: {str(rule['rule']).strip()}"


def _rule_error_string(rule: Mapping[str, Any]) -> str:
    return str(rule.get("message") or "").strip() or str(rule["rule"]).strip()


def _error_for_reason(path: str, type_name: str, detail: str, reason: Any) -> FieldError:
    # fieldErrorForReason: Duplicate carries no detail, Forbidden and Required no value.
    match reason:
        case "FieldValueForbidden":
            return FieldError(path, "FieldValueForbidden", detail=detail)
        case "FieldValueRequired":
            return FieldError(path, "FieldValueRequired", detail=detail)
        case "FieldValueDuplicate":
            return FieldError(path, "FieldValueDuplicate", type_name)
    return FieldError(path, "FieldValueInvalid", type_name, detail)
