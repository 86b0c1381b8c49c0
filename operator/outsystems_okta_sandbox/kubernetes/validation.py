"""Object metadata validation as the API server does it for every kind: names, labels, annotations,
ownerReferences."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

from .errors import FieldError

_DNS_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
_DNS_SUBDOMAIN = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
_QUALIFIED_NAME = re.compile(r"^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$")
_LABEL_VALUE = re.compile(r"^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$")
TOTAL_ANNOTATION_SIZE_LIMIT = 256 * 1024

DNS_LABEL_MESSAGE = (
    "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start "
    "and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is "
    "'[a-z0-9]([-a-z0-9]*[a-z0-9])?')"
)
DNS_SUBDOMAIN_MESSAGE = (
    "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must "
    "start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is "
    "'[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"
)


def validate_name(name: str, *, dns_label: bool) -> list[FieldError]:
    if dns_label:
        if len(name) > 63:
            return [
                FieldError("metadata.name", "FieldValueInvalid", name, "must be no more than 63 characters")
            ]
        if not _DNS_LABEL.match(name):
            return [FieldError("metadata.name", "FieldValueInvalid", name, DNS_LABEL_MESSAGE)]
    else:
        if len(name) > 253:
            return [
                FieldError("metadata.name", "FieldValueInvalid", name, "must be no more than 253 characters")
            ]
        if not _DNS_SUBDOMAIN.match(name):
            return [FieldError("metadata.name", "FieldValueInvalid", name, DNS_SUBDOMAIN_MESSAGE)]
    return []


def _validate_qualified_key(key: str, path: str) -> list[FieldError]:
    prefix, slash, name = key.rpartition("/")
    errors: list[FieldError] = []
    if slash and (not prefix or len(prefix) > 253 or not _DNS_SUBDOMAIN.match(prefix)):
        errors.append(FieldError(path, "FieldValueInvalid", key, "prefix part " + DNS_SUBDOMAIN_MESSAGE))
    if not name or len(name) > 63 or not _QUALIFIED_NAME.match(name):
        errors.append(
            FieldError(
                path,
                "FieldValueInvalid",
                key,
                "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end "
                "with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for "
                "validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')",
            )
        )
    return errors


def validate_metadata(meta: Mapping[str, Any], *, dns_label_name: bool) -> list[FieldError]:
    errors: list[FieldError] = []
    if name := meta.get("name"):
        errors += validate_name(str(name), dns_label=dns_label_name)
    labels = meta.get("labels") or {}
    if not isinstance(labels, Mapping):
        return [*errors, FieldError("metadata.labels", "FieldValueInvalid", labels, "must be a map")]
    for key, value in labels.items():
        errors += _validate_qualified_key(key, "metadata.labels")
        if not isinstance(value, str) or len(value) > 63 or not _LABEL_VALUE.match(value):
            errors.append(
                FieldError(
                    "metadata.labels",
                    "FieldValueInvalid",
                    value,
                    "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' "
                    "or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or "
                    "'my_value',  or '12345', regex used for validation is "
                    "'(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')"
                    if isinstance(value, str) and len(value) <= 63
                    else "must be no more than 63 characters",
                )
            )
    annotations = meta.get("annotations") or {}
    if not isinstance(annotations, Mapping):
        return [
            *errors,
            FieldError("metadata.annotations", "FieldValueInvalid", annotations, "must be a map"),
        ]
    size = 0
    for key, value in annotations.items():
        errors += _validate_qualified_key(key.lower(), "metadata.annotations")
        if not isinstance(value, str):
            errors.append(
                FieldError(f"metadata.annotations[{key}]", "FieldValueTypeInvalid", value, "must be a string")
            )
            continue
        size += len(key) + len(value.encode())
    if size > TOTAL_ANNOTATION_SIZE_LIMIT:
        errors.append(
            FieldError(
                "metadata.annotations",
                "FieldValueTooLong",
                "",
                f"must have at most {TOTAL_ANNOTATION_SIZE_LIMIT} bytes",
            )
        )
    for i, ref in enumerate(meta.get("ownerReferences") or []):
        path = f"metadata.ownerReferences[{i}]"
        if not isinstance(ref, Mapping):
            errors.append(FieldError(path, "FieldValueInvalid", ref, "must be an object"))
            continue
        for field in ("apiVersion", "kind", "name", "uid"):
            if not ref.get(field):
                errors.append(
                    FieldError(
                        f"{path}.{field}",
                        "FieldValueInvalid",
                        ref.get(field, ""),
                        f"{field} must not be empty",
                    )
                )
    controllers = [
        ref for ref in meta.get("ownerReferences") or [] if isinstance(ref, Mapping) and ref.get("controller")
    ]
    if len(controllers) > 1:
        errors.append(
            FieldError(
                "metadata.ownerReferences",
                "FieldValueInvalid",
                json.dumps(controllers),
                "Only one reference can have Controller set to true",
            )
        )
    finalizers = meta.get("finalizers") or []
    if not isinstance(finalizers, list) or not all(isinstance(f, str) for f in finalizers):
        errors.append(
            FieldError("metadata.finalizers", "FieldValueInvalid", finalizers, "must be a list of strings")
        )
    return errors
