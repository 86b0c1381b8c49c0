"""The controllers of kube-controller-manager that matter for operators, run after every write:

* garbage collection by `ownerReferences` (matched by owner `uid`): a dependent whose owners are all
  gone is deleted; dangling references are dropped while another owner remains; an owner reference
  to another namespace counts as absent (as in Kubernetes); references to kinds that are not served
  here are left alone (the real collector cannot resolve them either);
* `propagationPolicy: Foreground` (the `foregroundDeletion` finalizer) and `Orphan` (`orphan`);
* the namespace controller: a terminating namespace deletes its content, then goes away;
* the CRD finalizer: a deleted CRD deletes its custom objects, then goes away and stops being served.

Deletions here are prompt (in the same request that removed the owner), but still "background"
in the Kubernetes sense: the owner is gone before its dependents are.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

from .resources import CRD_CLEANUP_FINALIZER, Registry
from .store import Key, ObjectStore

FOREGROUND = "foregroundDeletion"
ORPHAN = "orphan"


class Controlled(Protocol):
    """What the controllers need from the cluster."""

    registry: Registry
    store: ObjectStore

    def delete_stored(self, key: Key, propagation: str = "Background") -> bool: ...

    def modify_stored(self, key: Key, change: Callable[[dict[str, Any]], None]) -> None: ...


def run_controllers(cluster: Controlled, max_passes: int = 100) -> None:
    """Repeat the controllers' passes until nothing changes any more."""
    for _ in range(max_passes):
        if not _one_pass(cluster):
            break


def _one_pass(cluster: Controlled) -> bool:
    entries = list(cluster.store.items(copy_bodies=False))
    by_uid: dict[str, tuple[Key, dict[str, Any]]] = {}
    for key, body in entries:
        if uid := body["metadata"].get("uid"):
            by_uid[uid] = (key, body)

    def dependents_of(uid: str) -> list[tuple[Key, dict[str, Any]]]:
        return [
            (key, body)
            for key, body in entries
            if any(ref.get("uid") == uid for ref in body["metadata"].get("ownerReferences") or [])
        ]

    for key, body in entries:
        meta = body["metadata"]
        if not meta.get("deletionTimestamp"):
            continue
        finalizers = meta.get("finalizers") or []
        uid = meta.get("uid", "")

        if ORPHAN in finalizers:
            for dep_key, _ in dependents_of(uid):
                cluster.modify_stored(dep_key, _drop_owner_refs({uid}))
            cluster.modify_stored(key, _drop_finalizer(ORPHAN))
            return True

        if FOREGROUND in finalizers:
            dependents = dependents_of(uid)
            pending = [dep for dep in dependents if not dep[1]["metadata"].get("deletionTimestamp")]
            for dep_key, _ in pending:
                cluster.delete_stored(dep_key, "Foreground")
            if not dependents:
                cluster.modify_stored(key, _drop_finalizer(FOREGROUND))
            if pending or not dependents:
                return True

        storage, _, name = key
        if storage.group == "" and storage.plural == "namespaces":
            content = list(cluster.store.items(namespace=name, copy_bodies=False))
            for dep_key, dep in content:
                if not dep["metadata"].get("deletionTimestamp"):
                    cluster.delete_stored(dep_key)
            if not content and (body.get("spec") or {}).get("finalizers"):
                cluster.modify_stored(key, _finalize_namespace)
                return True
            if any(not dep["metadata"].get("deletionTimestamp") for _, dep in content):
                return True

        if storage.group == "apiextensions.k8s.io" and CRD_CLEANUP_FINALIZER in finalizers:
            types = cluster.registry.custom_types(name)
            instances = list(cluster.store.items(types[0].storage, copy_bodies=False)) if types else []
            for dep_key, dep in instances:
                if not dep["metadata"].get("deletionTimestamp"):
                    cluster.delete_stored(dep_key)
            if not instances:
                cluster.modify_stored(key, _drop_finalizer(CRD_CLEANUP_FINALIZER))
                return True
            if any(not dep["metadata"].get("deletionTimestamp") for _, dep in instances):
                return True

    changed = False
    for key, body in entries:
        refs = body["metadata"].get("ownerReferences") or []
        if not refs:
            continue
        absent = {ref.get("uid") for ref in refs if _is_absent(cluster, key, ref, by_uid)}
        if not absent:
            continue
        if len(absent) == len({ref.get("uid") for ref in refs}):
            if not body["metadata"].get("deletionTimestamp"):
                cluster.delete_stored(key)
                changed = True
        else:
            cluster.modify_stored(key, _drop_owner_refs({uid for uid in absent if uid}))
            changed = True
    return changed


def _is_absent(
    cluster: Controlled, dependent: Key, ref: dict[str, Any], by_uid: dict[str, tuple[Key, dict[str, Any]]]
) -> bool:
    owner_type = cluster.registry.by_kind(str(ref.get("apiVersion", "")), str(ref.get("kind", "")))
    if owner_type is None:
        return False  # an unresolvable kind: the real collector leaves it alone too
    found = by_uid.get(str(ref.get("uid", "")))
    if found is None:
        return True
    (_, owner_namespace, _), _ = found
    _, dependent_namespace, _ = dependent
    if owner_type.namespaced:
        # A namespaced owner must be in the dependent's namespace; a cluster-scoped dependent cannot have one.
        return dependent_namespace is None or owner_namespace != dependent_namespace
    return False


def _drop_owner_refs(uids: set[str]) -> Callable[[dict[str, Any]], None]:
    def change(body: dict[str, Any]) -> None:
        meta = body["metadata"]
        refs = [ref for ref in meta.get("ownerReferences") or [] if ref.get("uid") not in uids]
        if refs:
            meta["ownerReferences"] = refs
        else:
            meta.pop("ownerReferences", None)

    return change


def _drop_finalizer(finalizer: str) -> Callable[[dict[str, Any]], None]:
    def change(body: dict[str, Any]) -> None:
        meta = body["metadata"]
        finalizers = [f for f in meta.get("finalizers") or [] if f != finalizer]
        if finalizers:
            meta["finalizers"] = finalizers
        else:
            meta.pop("finalizers", None)

    return change


def _finalize_namespace(body: dict[str, Any]) -> None:
    body.setdefault("spec", {})["finalizers"] = []
