"""The cluster state and the API server's rules for writing it, independent of HTTP.

Objects go in and out in the *served* form (the apiVersion of the request); they are stored once, in
the storage version. Every method raises `ApiError` as the API server would answer.

What happens on writes, as in kube-apiserver:
* create: name or generateName, the namespace must exist and not be terminating, server-assigned
  `uid`, `creationTimestamp`, `resourceVersion` (one global counter), `generation: 1` (CRs, CRDs);
  `status` is dropped when the status subresource is enabled; 409 AlreadyExists.
* update (PUT) and patch: 409 Conflict on a stale `metadata.resourceVersion`; server fields cannot
  be changed; the main resource ignores `status` and `/status` changes only `status` (when the
  status subresource is enabled); `generation` +1 when anything outside metadata (and status, with
  the subresource) changed; no new finalizers once `deletionTimestamp` is set; a write that changes
  nothing is a no-op (no new resourceVersion, no watch event).
* custom objects: pruned, defaulted and validated against the served version's schema (schema.py),
  then its CEL rules (cel.py; on `/status` writes only the rules under `status`);
  `fieldValidation=Strict` rejects unknown fields, `Warn` (default) answers a warning.
* delete: with finalizers, `deletionTimestamp` is set and the object stays until the last finalizer
  is removed; then controllers run (garbage.py).
"""

from __future__ import annotations

import base64
import binascii
import copy
import datetime
import random
import re
import uuid
from collections.abc import Callable, Mapping
from typing import Any

from . import cel, crds, errors, garbage, patching, schema
from .errors import FieldError
from .resources import CRD_CLEANUP_FINALIZER, Registry, ResourceType
from .selectors import parse_field_selector, parse_label_selector
from .store import Key, ObjectStore
from .validation import validate_metadata

SERVER_META_FIELDS = (
    "uid",
    "creationTimestamp",
    "deletionTimestamp",
    "deletionGracePeriodSeconds",
    "generation",
    "selfLink",
    "managedFields",
)
INITIAL_NAMESPACES = ("default", "kube-system", "kube-public", "kube-node-lease")
_OMITTED_WHEN_EMPTY = frozenset({"labels", "annotations", "finalizers", "ownerReferences", "managedFields"})
PROTECTED_NAMESPACES = frozenset({"default", "kube-system", "kube-public"})
_CONFIG_KEY = re.compile(r"^[-._a-zA-Z0-9]+$")
# Core v1 Event <-> events.k8s.io/v1 Event field names (the same objects in one storage).
_EVENT_FIELDS = (
    ("involvedObject", "regarding"),
    ("message", "note"),
    ("reportingComponent", "reportingController"),
    ("source", "deprecatedSource"),
    ("firstTimestamp", "deprecatedFirstTimestamp"),
    ("lastTimestamp", "deprecatedLastTimestamp"),
    ("count", "deprecatedCount"),
)


def now() -> str:
    return datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _random_suffix() -> str:
    return "".join(random.choices("bcdfghjklmnpqrstvwxz2456789", k=5))


def _is(rt: ResourceType, group: str, plural: str) -> bool:
    return rt.group == group and rt.plural == plural


class Cluster:
    def __init__(self, store: ObjectStore | None = None) -> None:
        self.registry = Registry()
        self.store = store if store is not None else ObjectStore()
        namespaces = self.type("", "v1", "namespaces")
        for name in INITIAL_NAMESPACES:
            self.create(namespaces, None, {"metadata": {"name": name}})

    # --- types & forms -------------------------------------------------------------------------------

    def type(self, group: str, version: str, plural: str) -> ResourceType:
        rt = self.registry.lookup(group, version, plural)
        if rt is None:
            raise errors.path_not_found()
        return rt

    def _storage_type(self, rt: ResourceType) -> ResourceType:
        return self.registry.storage_type(rt.storage) or rt

    def to_served(self, rt: ResourceType, stored: Mapping[str, Any]) -> dict[str, Any]:
        obj = copy.deepcopy(dict(stored))
        if _is(rt, "events.k8s.io", "events"):
            for old, new in _EVENT_FIELDS:
                if old in obj:
                    obj[new] = obj.pop(old)
        obj["apiVersion"] = rt.api_version
        obj["kind"] = rt.kind
        return {"apiVersion": obj.pop("apiVersion"), "kind": obj.pop("kind"), **obj}

    def to_storage(self, rt: ResourceType, served: Mapping[str, Any]) -> dict[str, Any]:
        obj = copy.deepcopy(dict(served))
        if _is(rt, "events.k8s.io", "events"):
            for old, new in _EVENT_FIELDS:
                if new in obj:
                    obj[old] = obj.pop(new)
        st = self._storage_type(rt)
        obj["apiVersion"] = st.api_version
        obj["kind"] = st.kind
        return obj

    def key(self, rt: ResourceType, namespace: str | None, name: str) -> Key:
        return (rt.storage, namespace if rt.namespaced else None, name)

    def _load(self, rt: ResourceType, namespace: str | None, name: str) -> dict[str, Any]:
        stored = self.store.get(*self.key(rt, namespace, name))
        if stored is None:
            raise errors.not_found(rt.group, rt.plural, name)
        return stored

    # --- reading -------------------------------------------------------------------------------------

    def get(self, rt: ResourceType, namespace: str | None, name: str) -> dict[str, Any]:
        return self.to_served(rt, self._load(rt, namespace, name))

    def list_objects(
        self,
        rt: ResourceType,
        namespace: str | None,
        label_selector: str | None = None,
        field_selector: str | None = None,
    ) -> list[dict[str, Any]]:
        labels_match = parse_label_selector(label_selector)
        fields_match = parse_field_selector(field_selector, rt.field_selectors)
        items = []
        for _, stored in self.store.items(
            rt.storage, namespace if rt.namespaced else None, copy_bodies=False
        ):
            obj = self.to_served(rt, stored)
            if labels_match(obj) and fields_match(obj):
                items.append(obj)
        return items

    # --- creating ------------------------------------------------------------------------------------

    def create(
        self,
        rt: ResourceType,
        namespace: str | None,
        body: Any,
        *,
        dry_run: bool = False,
        field_validation: str = "",
    ) -> tuple[dict[str, Any], list[str]]:
        obj = self._prepare_body(rt, body)
        meta = obj["metadata"]
        if rt.namespaced:
            if meta.get("namespace") and namespace and meta["namespace"] != namespace:
                raise errors.bad_request(
                    "the namespace of the provided object does not match the namespace sent on the request"
                )
            namespace = namespace or meta.get("namespace")
            if not namespace:
                raise errors.bad_request("the namespace of the object is required")
            meta["namespace"] = namespace
        else:
            meta.pop("namespace", None)
            namespace = None
        if not meta.get("name"):
            if not meta.get("generateName"):
                raise errors.invalid(
                    rt.group,
                    rt.kind,
                    "",
                    [
                        FieldError(
                            "metadata.name", "FieldValueRequired", detail="name or generateName is required"
                        )
                    ],
                )
            meta["name"] = f"{meta['generateName']}{_random_suffix()}"
        name = str(meta["name"])
        if meta.get("resourceVersion"):
            raise errors.internal("resourceVersion should not be set on objects to be created")
        for field in SERVER_META_FIELDS:
            meta.pop(field, None)
        if rt.namespaced and namespace is not None:
            self._check_namespace_open(rt, namespace, name)
        if rt.custom:
            self._check_crd_not_terminating(rt)
            if rt.has_status_subresource:
                obj.pop("status", None)

        warnings = self._admit(rt, obj, None, field_validation, None)
        key = self.key(rt, namespace, name)
        if self.store.get(*key) is not None:
            raise errors.already_exists(rt.group, rt.plural, name)

        meta["uid"] = str(uuid.uuid4())
        meta["creationTimestamp"] = now()
        if rt.has_generation:
            meta["generation"] = 1
        if _is(rt, "apiextensions.k8s.io", "customresourcedefinitions"):
            meta["finalizers"] = [*(meta.get("finalizers") or []), CRD_CLEANUP_FINALIZER]
            obj["status"] = crds.status_for(obj, now(), None)
        if dry_run:
            meta["resourceVersion"] = str(self.store.resource_version)
            return self.to_served(rt, obj), warnings
        meta["resourceVersion"] = str(self.store.next_rv())
        stored = self.to_storage(rt, obj)
        self.store.put(key, stored, "ADDED")
        self._stored_hook(key, stored)
        self.run_controllers()
        return self.to_served(rt, stored), warnings

    def _prepare_body(self, rt: ResourceType, body: Any) -> dict[str, Any]:
        if not isinstance(body, dict):
            raise errors.bad_request(
                f"{rt.kind} in version {rt.version!r} cannot be handled as a {rt.kind}: "
                "the body must be a JSON object"
            )
        obj = copy.deepcopy(body)
        api_version = obj.get("apiVersion")
        if api_version and api_version != rt.api_version:
            raise errors.bad_request(
                f"the API version in the data ({api_version}) does not match "
                f"the expected API version ({rt.api_version})"
            )
        kind = obj.get("kind")
        if kind and kind != rt.kind:
            raise errors.bad_request(
                f"the kind in the data ({kind}) does not match the expected kind ({rt.kind})"
            )
        obj["apiVersion"] = rt.api_version
        obj["kind"] = rt.kind
        meta = obj.setdefault("metadata", {})
        if not isinstance(meta, dict):
            raise errors.bad_request("metadata must be an object")
        for field in list(meta):
            if field not in schema.OBJECT_META_FIELDS:
                del meta[field]
            elif field in _OMITTED_WHEN_EMPTY and meta[field] in ([], {}, None):
                del meta[field]  # ObjectMeta's `omitempty`: empty lists and maps are not kept
        return obj

    def _check_namespace_open(self, rt: ResourceType, namespace: str, name: str) -> None:
        ns = self.store.get(self.type("", "v1", "namespaces").storage, None, namespace)
        if ns is None:
            raise errors.not_found("", "namespaces", namespace)
        if ns["metadata"].get("deletionTimestamp"):
            raise errors.forbidden(
                rt.group,
                rt.plural,
                name,
                f"unable to create new content in namespace {namespace} because it is being terminated",
            )

    def _crd_of(self, rt: ResourceType) -> dict[str, Any] | None:
        return self.store.get(
            self.type("apiextensions.k8s.io", "v1", "customresourcedefinitions").storage,
            None,
            f"{rt.plural}.{rt.group}",
        )

    def _check_crd_not_terminating(self, rt: ResourceType) -> None:
        crd = self._crd_of(rt)
        if crd is not None and crd["metadata"].get("deletionTimestamp"):
            raise errors.method_not_allowed(
                "create not allowed while custom resource definition is terminating"
            )

    # --- admission: per-kind rules, schemas, metadata ------------------------------------------------

    def _admit(
        self,
        rt: ResourceType,
        obj: dict[str, Any],
        old: dict[str, Any] | None,
        field_validation: str,
        subresource: str | None,
    ) -> list[str]:
        """Normalise and validate an object about to be stored; return warnings."""
        warnings: list[str] = []
        name = str(obj["metadata"].get("name", ""))
        field_errors: list[FieldError] = []
        if rt.custom and rt.schema is not None:
            removed = schema.prune(obj, rt.schema)
            unknown = [path for path in removed if not path.startswith("metadata.")]
            if unknown and field_validation == "Strict":
                quoted = ", ".join(f'unknown field "{path}"' for path in unknown)
                raise errors.bad_request(
                    f'{rt.kind} in version "{rt.version}" cannot be handled as a {rt.kind}: '
                    f"strict decoding error: {quoted}"
                )
            if field_validation in ("", "Warn"):
                warnings += [f'unknown field "{path}"' for path in unknown]
            schema.apply_defaults(obj, rt.schema)
            field_errors += schema.validate(obj, rt.schema)
        elif _is(rt, "", "secrets") or _is(rt, "", "configmaps"):
            field_errors += self._admit_config(rt, obj, old)
        elif _is(rt, "", "namespaces"):
            spec = obj.setdefault("spec", {})
            if old is None:
                spec.setdefault("finalizers", ["kubernetes"])
                obj["status"] = {"phase": "Active"}
            obj["metadata"].setdefault("labels", {})["kubernetes.io/metadata.name"] = name
        elif _is(rt, "apiextensions.k8s.io", "customresourcedefinitions"):
            field_errors += crds.normalize(obj)
            if not field_errors and old is not None:
                obj["status"] = crds.status_for(obj, now(), obj.get("status"))
        field_errors += validate_metadata(obj["metadata"], dns_label_name=_is(rt, "", "namespaces"))
        if rt.custom and rt.schema is not None:
            # After the schema, as the API server's strategy does; a `/status` write keeps the stored
            # spec, whose rules a ratcheting API server would only warn about.
            field_errors += cel.validate(obj, old, rt.schema, field_errors, only=subresource)
        if field_errors:
            raise errors.invalid(rt.group, rt.kind, name, field_errors)
        return warnings

    def _admit_config(
        self, rt: ResourceType, obj: dict[str, Any], old: dict[str, Any] | None
    ) -> list[FieldError]:
        field_errors: list[FieldError] = []
        if _is(rt, "", "secrets"):
            data = dict(obj.get("data") or {})
            for key, value in (obj.pop("stringData", None) or {}).items():
                data[key] = base64.b64encode(str(value).encode()).decode()
            for value in data.values():
                try:
                    base64.b64decode(str(value), validate=True)
                except (binascii.Error, ValueError):
                    raise errors.bad_request(
                        'Secret in version "v1" cannot be handled as a Secret: '
                        "illegal base64 data at input byte 0"
                    ) from None
            if data:
                obj["data"] = data
            else:
                obj.pop("data", None)
            obj.setdefault("type", "Opaque")
            if old is not None and old.get("type", "Opaque") != obj["type"]:
                field_errors.append(
                    FieldError("type", "FieldValueInvalid", obj["type"], "field is immutable")
                )
        keys = [*(obj.get("data") or {}), *(obj.get("binaryData") or {})]
        for key in keys:
            if not _CONFIG_KEY.match(key):
                field_errors.append(
                    FieldError(
                        f"data[{key}]",
                        "FieldValueInvalid",
                        key,
                        "a valid config key must consist of alphanumeric characters, '-', '_' or '.' "
                        "(e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is "
                        "'[-._a-zA-Z0-9]+')",
                    )
                )
        if old is not None and old.get("immutable"):
            for field in ("data", "binaryData"):
                if old.get(field) != obj.get(field):
                    field_errors.append(
                        FieldError(
                            field, "FieldValueForbidden", detail="field is immutable when `immutable` is set"
                        )
                    )
            if not obj.get("immutable"):
                field_errors.append(
                    FieldError(
                        "immutable",
                        "FieldValueForbidden",
                        detail="field is immutable when `immutable` is set",
                    )
                )
        return field_errors

    # --- updating ------------------------------------------------------------------------------------

    def replace(
        self,
        rt: ResourceType,
        namespace: str | None,
        name: str,
        body: Any,
        *,
        subresource: str | None = None,
        dry_run: bool = False,
        field_validation: str = "",
    ) -> tuple[dict[str, Any], list[str]]:
        return self._update(rt, namespace, name, body, subresource, dry_run, field_validation)

    def patch(
        self,
        rt: ResourceType,
        namespace: str | None,
        name: str,
        content_type: str,
        patch: Any,
        *,
        subresource: str | None = None,
        dry_run: bool = False,
        field_validation: str = "",
        field_manager: str | None = None,
    ) -> tuple[dict[str, Any], list[str], bool]:
        """Apply a patch; the last item says whether the object was created (server-side apply)."""
        if content_type == patching.APPLY_PATCH:
            if not field_manager:
                raise errors.bad_request("PATCH, fieldManager is required for apply requests")
            if not isinstance(patch, dict):
                raise errors.bad_request("the apply configuration must be an object")
            if self.store.get(*self.key(rt, namespace, name)) is None and subresource is None:
                applied = copy.deepcopy(patch)
                applied.setdefault("metadata", {})["name"] = name
                obj, warnings = self.create(
                    rt, namespace, applied, dry_run=dry_run, field_validation=field_validation or "Strict"
                )
                return obj, warnings, True
            current = self.get(rt, namespace, name)
            new = patching.apply_merge(current, patch)
        else:
            current = self.get(rt, namespace, name)
            if content_type == patching.MERGE_PATCH:
                if not isinstance(patch, dict):
                    raise errors.bad_request("the merge patch must be a JSON object")
                new = patching.merge_patch(current, patch)
            elif content_type == patching.JSON_PATCH:
                new = patching.json_patch(current, patch)
            elif content_type == patching.STRATEGIC_MERGE_PATCH and not rt.custom:
                new = patching.strategic_merge_patch(current, patch)
            else:
                accepted = [patching.JSON_PATCH, patching.MERGE_PATCH, patching.APPLY_PATCH]
                if not rt.custom:
                    accepted.insert(2, patching.STRATEGIC_MERGE_PATCH)
                raise errors.unsupported_media_type(content_type, accepted)
        obj, warnings = self._update(rt, namespace, name, new, subresource, dry_run, field_validation)
        return obj, warnings, False

    def _update(
        self,
        rt: ResourceType,
        namespace: str | None,
        name: str,
        body: Any,
        subresource: str | None,
        dry_run: bool,
        field_validation: str,
    ) -> tuple[dict[str, Any], list[str]]:
        if subresource not in (None, "status") or (subresource == "status" and not rt.has_status_subresource):
            raise errors.path_not_found()
        key = self.key(rt, namespace, name)
        old_stored = self._load(rt, namespace, name)
        old = self.to_served(rt, old_stored)
        obj = self._prepare_body(rt, body)
        meta = obj["metadata"]
        old_meta = old["metadata"]
        if meta.get("name", name) != name:
            raise errors.bad_request(
                f"the name of the object ({meta['name']}) does not match the name on the URL ({name})"
            )
        meta["name"] = name
        if rt.namespaced:
            if meta.get("namespace", namespace) != namespace:
                raise errors.bad_request(
                    "the namespace of the provided object does not match the namespace sent on the request"
                )
            meta["namespace"] = namespace
        else:
            meta.pop("namespace", None)
        if meta.get("resourceVersion") and str(meta["resourceVersion"]) != old_meta["resourceVersion"]:
            raise errors.conflict(rt.group, rt.plural, name)
        for field in SERVER_META_FIELDS:
            if field in old_meta:
                meta[field] = copy.deepcopy(old_meta[field])
            else:
                meta.pop(field, None)
        meta["resourceVersion"] = old_meta["resourceVersion"]

        if subresource == "status":
            new = copy.deepcopy(old)
            if "status" in obj:
                new["status"] = obj["status"]
            else:
                new.pop("status", None)
            obj = new
        elif rt.has_status_subresource:
            if "status" in old:
                obj["status"] = copy.deepcopy(old["status"])
            else:
                obj.pop("status", None)

        if old_meta.get("deletionTimestamp"):
            added = [
                f
                for f in obj["metadata"].get("finalizers") or []
                if f not in (old_meta.get("finalizers") or [])
            ]
            if added:
                listed = ", ".join(f'"{f}"' for f in added)
                raise errors.invalid(
                    rt.group,
                    rt.kind,
                    name,
                    [
                        FieldError(
                            "metadata.finalizers",
                            "FieldValueForbidden",
                            detail=f"no new finalizers can be added if the object is being deleted, "
                            f"found new finalizers []string{{{listed}}}",
                        )
                    ],
                )

        warnings = self._admit(rt, obj, old, field_validation, subresource)
        if rt.has_generation and self._spec_changed(rt, old, obj):
            obj["metadata"]["generation"] = int(old_meta.get("generation") or 0) + 1
        if obj == old:
            return old, warnings  # a no-op: no new resourceVersion, no event
        if dry_run:
            return obj, warnings
        obj["metadata"]["resourceVersion"] = str(self.store.next_rv())
        stored = self.to_storage(rt, obj)
        self.store.put(key, stored, "MODIFIED", old_stored)
        self._stored_hook(key, stored)
        self._finalize_if_released(key, stored)
        self.run_controllers()
        return self.to_served(rt, stored), warnings

    @staticmethod
    def _spec_changed(rt: ResourceType, old: Mapping[str, Any], new: Mapping[str, Any]) -> bool:
        ignored = {"metadata", "apiVersion", "kind"}
        if rt.has_status_subresource:
            ignored.add("status")
        return {k: v for k, v in old.items() if k not in ignored} != {
            k: v for k, v in new.items() if k not in ignored
        }

    # --- deleting ------------------------------------------------------------------------------------

    def delete(
        self,
        rt: ResourceType,
        namespace: str | None,
        name: str,
        options: Mapping[str, Any] | None = None,
        *,
        dry_run: bool = False,
    ) -> dict[str, Any]:
        """Delete (or start deleting) an object; answer what the API server answers:
        the object while finalizers hold it (and for custom objects), else a Success Status."""
        options = options or {}
        stored = self._load(rt, namespace, name)
        meta = stored["metadata"]
        preconditions = options.get("preconditions") or {}
        if preconditions.get("uid") and preconditions["uid"] != meta.get("uid"):
            raise errors.conflict(
                rt.group,
                rt.plural,
                name,
                f"Precondition failed: UID in precondition: {preconditions['uid']}, "
                f"UID in object meta: {meta.get('uid')}",
            )
        if preconditions.get("resourceVersion") and preconditions["resourceVersion"] != meta.get(
            "resourceVersion"
        ):
            raise errors.conflict(
                rt.group,
                rt.plural,
                name,
                f"Precondition failed: ResourceVersion in precondition: {preconditions['resourceVersion']}, "
                f"ResourceVersion in object meta: {meta.get('resourceVersion')}",
            )
        if _is(rt, "", "namespaces") and name in PROTECTED_NAMESPACES:
            raise errors.forbidden("", "namespaces", name, "this namespace may not be deleted")
        propagation = str(options.get("propagationPolicy") or "")
        if not propagation and options.get("orphanDependents") is not None:
            propagation = "Orphan" if options["orphanDependents"] else "Background"
        if dry_run:
            return self.to_served(rt, stored)
        key = self.key(rt, namespace, name)
        still_there = self.delete_stored(key, propagation or "Background")
        self.run_controllers()
        current = self.store.get(*key)
        if still_there and current is not None:
            return self.to_served(rt, current)
        if rt.custom:
            return self.to_served(rt, stored)
        return {
            "kind": "Status",
            "apiVersion": "v1",
            "metadata": {},
            "status": "Success",
            "details": {"name": name, "group": rt.group, "kind": rt.plural, "uid": meta.get("uid")},
        }

    def delete_collection(
        self,
        rt: ResourceType,
        namespace: str | None,
        label_selector: str | None,
        field_selector: str | None,
        options: Mapping[str, Any] | None = None,
        *,
        dry_run: bool = False,
    ) -> list[dict[str, Any]]:
        items = self.list_objects(rt, namespace, label_selector, field_selector)
        for item in items:
            meta = item["metadata"]
            if not dry_run:
                self.delete(rt, meta.get("namespace"), meta["name"], options)
        return items

    def delete_stored(self, key: Key, propagation: str = "Background") -> bool:
        """Delete a stored object by the rules; return True if it stays (finalizers) or False if gone."""
        stored = self.store.get(*key)
        if stored is None:
            return False
        meta = stored["metadata"]
        if meta.get("deletionTimestamp"):
            return True
        new = copy.deepcopy(stored)
        new_meta = new["metadata"]
        finalizers = list(new_meta.get("finalizers") or [])
        if propagation == "Foreground" and garbage.FOREGROUND not in finalizers:
            finalizers.append(garbage.FOREGROUND)
        if propagation == "Orphan" and garbage.ORPHAN not in finalizers:
            finalizers.append(garbage.ORPHAN)
        storage, _, _ = key
        is_namespace = storage.group == "" and storage.plural == "namespaces"
        if not finalizers and not (is_namespace and (new.get("spec") or {}).get("finalizers")):
            self._remove(key, stored)
            return False
        if finalizers:
            new_meta["finalizers"] = finalizers
        new_meta["deletionTimestamp"] = now()
        new_meta["deletionGracePeriodSeconds"] = 0
        if new_meta.get("generation"):
            new_meta["generation"] = int(new_meta["generation"]) + 1
        if is_namespace:
            new.setdefault("status", {})["phase"] = "Terminating"
        new_meta["resourceVersion"] = str(self.store.next_rv())
        self.store.put(key, new, "MODIFIED", stored)
        return True

    def modify_stored(self, key: Key, change: Callable[[dict[str, Any]], None]) -> None:
        """Change a stored object as a controller would (a new resourceVersion if anything changed)."""
        stored = self.store.get(*key)
        if stored is None:
            return
        new = copy.deepcopy(stored)
        change(new)
        if new == stored:
            return
        new["metadata"]["resourceVersion"] = str(self.store.next_rv())
        self.store.put(key, new, "MODIFIED", stored)
        self._finalize_if_released(key, new)

    def _finalize_if_released(self, key: Key, stored: Mapping[str, Any]) -> None:
        meta = stored["metadata"]
        storage, _, _ = key
        spec_finalizers = (
            (stored.get("spec") or {}).get("finalizers") if storage.plural == "namespaces" else None
        )
        if (
            meta.get("deletionTimestamp")
            and not meta.get("finalizers")
            and not (storage.group == "" and spec_finalizers)
        ):
            self._remove(key, stored)

    def _remove(self, key: Key, stored: Mapping[str, Any]) -> None:
        last = copy.deepcopy(dict(stored))
        last["metadata"]["resourceVersion"] = str(self.store.next_rv())
        self.store.remove(key, last)
        storage, _, name = key
        if storage.group == "apiextensions.k8s.io" and storage.plural == "customresourcedefinitions":
            self.registry.uninstall(name)

    def _stored_hook(self, key: Key, stored: Mapping[str, Any]) -> None:
        storage, _, _ = key
        if storage.group == "apiextensions.k8s.io" and storage.plural == "customresourcedefinitions":
            self.registry.install(stored)

    def run_controllers(self) -> None:
        garbage.run_controllers(self)

    # --- conveniences for tests ----------------------------------------------------------------------

    def resolve(self, name: str) -> ResourceType:
        try:
            return self.registry.resolve(name)
        except KeyError:
            raise errors.path_not_found() from None
