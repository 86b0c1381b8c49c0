"""Decoding of the Kubernetes protobuf encoding for the few built-in kinds kubectl creates with it.

`kubectl create secret|configmap|namespace|serviceaccount` send `application/vnd.kubernetes.protobuf`
(the `k8s\\0` magic, a `runtime.Unknown` envelope, the object's generated proto message). These kinds
are decoded here into their JSON form; any other protobuf body answers 415, as before. Responses are
always JSON, which those clients accept (`Accept: application/vnd.kubernetes.protobuf,application/json`).
"""

from __future__ import annotations

import base64
from collections.abc import Callable
from typing import Any

from . import errors

MAGIC = b"k8s\x00"
Fields = list[tuple[int, Any]]


def _varint(buf: bytes, i: int) -> tuple[int, int]:
    result = shift = 0
    while True:
        if i >= len(buf):
            raise ValueError("truncated varint")
        byte = buf[i]
        i += 1
        result |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return result, i
        shift += 7


def _fields(buf: bytes) -> Fields:
    fields: Fields = []
    i = 0
    while i < len(buf):
        key, i = _varint(buf, i)
        number, wire_type = key >> 3, key & 7
        value: Any
        if wire_type == 0:
            value, i = _varint(buf, i)
        elif wire_type == 2:
            length, i = _varint(buf, i)
            value = buf[i : i + length]
            i += length
        elif wire_type == 1:
            value, i = buf[i : i + 8], i + 8
        elif wire_type == 5:
            value, i = buf[i : i + 4], i + 4
        else:
            raise ValueError(f"unsupported wire type {wire_type}")
        fields.append((number, value))
    return fields


def _text(value: bytes) -> str:
    return value.decode()


def _map(entries: list[bytes], decode_value: Callable[[bytes], Any]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for entry in entries:
        parts = dict(_fields(entry))
        result[_text(parts.get(1, b""))] = decode_value(parts.get(2, b""))
    return result


def _repeated(fields: Fields, number: int) -> list[Any]:
    return [value for n, value in fields if n == number]


def _one(fields: Fields, number: int) -> Any:
    values = _repeated(fields, number)
    return values[-1] if values else None


def _owner_reference(buf: bytes) -> dict[str, Any]:
    fields = _fields(buf)
    ref: dict[str, Any] = {}
    for number, key in ((5, "apiVersion"), (1, "kind"), (3, "name"), (4, "uid")):
        if (value := _one(fields, number)) is not None:
            ref[key] = _text(value)
    for number, key in ((6, "controller"), (7, "blockOwnerDeletion")):
        if (value := _one(fields, number)) is not None:
            ref[key] = bool(value)
    return ref


def _object_meta(buf: bytes) -> dict[str, Any]:
    fields = _fields(buf)
    meta: dict[str, Any] = {}
    for number, key in (
        (1, "name"),
        (2, "generateName"),
        (3, "namespace"),
        (5, "uid"),
        (6, "resourceVersion"),
    ):
        if value := _one(fields, number):
            meta[key] = _text(value)
    if labels := _repeated(fields, 11):
        meta["labels"] = _map(labels, _text)
    if annotations := _repeated(fields, 12):
        meta["annotations"] = _map(annotations, _text)
    if refs := _repeated(fields, 13):
        meta["ownerReferences"] = [_owner_reference(ref) for ref in refs]
    if finalizers := _repeated(fields, 14):
        meta["finalizers"] = [_text(f) for f in finalizers]
    return meta


def _b64(value: bytes) -> str:
    return base64.b64encode(value).decode()


def _secret(fields: Fields) -> dict[str, Any]:
    obj: dict[str, Any] = {}
    if data := _repeated(fields, 2):
        obj["data"] = _map(data, _b64)
    if kind := _one(fields, 3):
        obj["type"] = _text(kind)
    if string_data := _repeated(fields, 4):
        obj["stringData"] = _map(string_data, _text)
    if _one(fields, 5):
        obj["immutable"] = True
    return obj


def _config_map(fields: Fields) -> dict[str, Any]:
    obj: dict[str, Any] = {}
    if data := _repeated(fields, 2):
        obj["data"] = _map(data, _text)
    if binary := _repeated(fields, 3):
        obj["binaryData"] = _map(binary, _b64)
    if _one(fields, 4):
        obj["immutable"] = True
    return obj


def _namespace(fields: Fields) -> dict[str, Any]:
    spec = _one(fields, 2)
    finalizers = [_text(f) for f in _repeated(_fields(spec), 1)] if spec else []
    return {"spec": {"finalizers": finalizers}} if finalizers else {}


def _service_account(fields: Fields) -> dict[str, Any]:
    automount = _one(fields, 4)
    return {} if automount is None else {"automountServiceAccountToken": bool(automount)}


_KINDS: dict[tuple[str, str], Callable[[Fields], dict[str, Any]]] = {
    ("v1", "Secret"): _secret,
    ("v1", "ConfigMap"): _config_map,
    ("v1", "Namespace"): _namespace,
    ("v1", "ServiceAccount"): _service_account,
}


def decode(body: bytes, accepted: list[str]) -> dict[str, Any]:
    """Decode a protobuf-encoded object of a supported kind; 415 for anything else."""
    try:
        if not body.startswith(MAGIC):
            raise ValueError("no k8s protobuf magic")
        envelope = _fields(body[len(MAGIC) :])
        type_meta = _fields(_one(envelope, 1) or b"")
        api_version = _text(_one(type_meta, 1) or b"")
        kind = _text(_one(type_meta, 2) or b"")
        decoder = _KINDS.get((api_version, kind))
        if decoder is None:
            raise errors.unsupported_media_type("application/vnd.kubernetes.protobuf", accepted)
        message = _fields(_one(envelope, 2) or b"")
        obj: dict[str, Any] = {"apiVersion": api_version, "kind": kind}
        obj["metadata"] = _object_meta(_one(message, 1) or b"")
        obj.update(decoder(message))
        return obj
    except (ValueError, UnicodeDecodeError) as exc:
        raise errors.bad_request(f"the protobuf body could not be decoded: {exc}") from None
