"""Deletion as Kubernetes does it: finalizers, ownerReference garbage collection (background,
foreground, orphan), namespace termination."""

from __future__ import annotations

from typing import Any

import httpx

MERGE = {"Content-Type": "application/merge-patch+json"}
SECRETS = "/api/v1/namespaces/default/secrets"


def owner_ref(obj: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {
        "apiVersion": obj["apiVersion"],
        "kind": obj["kind"],
        "name": obj["metadata"]["name"],
        "uid": obj["metadata"]["uid"],
        **extra,
    }


def test_finalizers_hold_deletion_until_removed(
    http: httpx.Client, crd: dict[str, Any], widget: Any, widgets_url: str
) -> None:
    body = widget("w1")
    body["metadata"]["finalizers"] = ["example.com/a", "example.com/b"]
    created = http.post(widgets_url, json=body).json()
    url = f"{widgets_url}/w1"

    deleting = http.delete(url)
    assert deleting.status_code == 200
    held = deleting.json()
    assert held["metadata"]["deletionTimestamp"]
    assert held["metadata"]["generation"] == created["metadata"]["generation"] + 1  # as for CRs
    assert http.get(url).json()["metadata"]["deletionTimestamp"] == held["metadata"]["deletionTimestamp"]
    assert http.delete(url).status_code == 200  # deleting again changes nothing

    # No new finalizers once the object is being deleted.
    response = http.patch(
        url, json={"metadata": {"finalizers": ["example.com/a", "example.com/b", "x.com/c"]}}, headers=MERGE
    )
    assert response.status_code == 422
    assert (
        "metadata.finalizers: Forbidden: no new finalizers can be added if the object is being deleted"
        in (response.json()["message"])
    )
    # Spec changes are still allowed while finalizers hold.
    assert http.patch(url, json={"spec": {"size": 2}}, headers=MERGE).status_code == 200

    http.patch(url, json={"metadata": {"finalizers": ["example.com/b"]}}, headers=MERGE)
    assert http.get(url).status_code == 200
    last = http.patch(url, json={"metadata": {"finalizers": []}}, headers=MERGE)
    assert last.status_code == 200  # the final state is answered...
    assert http.get(url).status_code == 404  # ...and the object is gone


def test_deletion_without_finalizers_is_immediate(http: httpx.Client) -> None:
    created = http.post(SECRETS, json={"metadata": {"name": "s1"}}).json()
    response = http.delete(f"{SECRETS}/s1")
    assert response.status_code == 200
    # Built-in kinds answer a Success Status for an immediate deletion.
    assert response.json()["status"] == "Success"
    assert response.json()["details"]["uid"] == created["metadata"]["uid"]
    assert http.get(f"{SECRETS}/s1").status_code == 404
    # The name can be reused: a new object with a new uid.
    again = http.post(SECRETS, json={"metadata": {"name": "s1"}}).json()
    assert again["metadata"]["uid"] != created["metadata"]["uid"]


def test_delete_preconditions(http: httpx.Client) -> None:
    created = http.post(SECRETS, json={"metadata": {"name": "s1"}}).json()
    stale = {"preconditions": {"resourceVersion": "1"}}
    assert http.request("DELETE", f"{SECRETS}/s1", json=stale).status_code == 409
    fresh = {"preconditions": {"uid": created["metadata"]["uid"]}}
    assert http.request("DELETE", f"{SECRETS}/s1", json=fresh).status_code == 200


def test_dependents_are_garbage_collected_when_the_owner_is_gone(
    http: httpx.Client, crd: dict[str, Any], widget: Any, widgets_url: str
) -> None:
    body = widget("w1")
    body["metadata"]["finalizers"] = ["example.com/f"]
    owner = http.post(widgets_url, json=body).json()
    dependent = {"metadata": {"name": "w1-creds", "ownerReferences": [owner_ref(owner, controller=True)]}}
    assert http.post(SECRETS, json=dependent).status_code == 201
    unrelated = http.post(SECRETS, json={"metadata": {"name": "other"}}).json()

    http.delete(f"{widgets_url}/w1")
    assert http.get(f"{SECRETS}/w1-creds").status_code == 200  # the owner still exists (terminating)
    http.patch(f"{widgets_url}/w1", json={"metadata": {"finalizers": None}}, headers=MERGE)
    assert http.get(f"{SECRETS}/w1-creds").status_code == 404  # collected with the owner's removal
    assert http.get(f"{SECRETS}/other").json()["metadata"]["uid"] == unrelated["metadata"]["uid"]


def test_dependents_with_absent_or_foreign_owners(http: httpx.Client) -> None:
    owner = http.post(SECRETS, json={"metadata": {"name": "owner"}}).json()
    ghost = owner_ref(owner, uid="00000000-0000-0000-0000-000000000000")
    # An owner that does not exist (by uid): the collector deletes the dependent.
    http.post(SECRETS, json={"metadata": {"name": "orphaned", "ownerReferences": [ghost]}})
    assert http.get(f"{SECRETS}/orphaned").status_code == 404
    # One owner gone, one present: only the dangling reference is dropped.
    both = {"metadata": {"name": "shared", "ownerReferences": [owner_ref(owner), ghost]}}
    http.post(SECRETS, json=both)
    assert http.get(f"{SECRETS}/shared").json()["metadata"]["ownerReferences"] == [owner_ref(owner)]
    # A namespaced owner in another namespace counts as absent.
    http.post("/api/v1/namespaces", json={"metadata": {"name": "elsewhere"}})
    foreign = {"metadata": {"name": "foreign", "ownerReferences": [owner_ref(owner)]}}
    http.post("/api/v1/namespaces/elsewhere/secrets", json=foreign)
    assert http.get("/api/v1/namespaces/elsewhere/secrets/foreign").status_code == 404
    # Owners of kinds not served here are left alone (the real collector cannot resolve them either).
    unknown = {"apiVersion": "apps/v1", "kind": "Deployment", "name": "d", "uid": "1234"}
    http.post(SECRETS, json={"metadata": {"name": "kept", "ownerReferences": [unknown]}})
    assert http.get(f"{SECRETS}/kept").status_code == 200


def test_garbage_collection_cascades_and_respects_dependent_finalizers(http: httpx.Client) -> None:
    root = http.post(SECRETS, json={"metadata": {"name": "root"}}).json()
    child = http.post(
        SECRETS,
        json={
            "metadata": {
                "name": "child",
                "ownerReferences": [owner_ref(root)],
                "finalizers": ["example.com/f"],
            }
        },
    ).json()
    http.post(SECRETS, json={"metadata": {"name": "grandchild", "ownerReferences": [owner_ref(child)]}})
    http.delete(f"{SECRETS}/root")
    assert http.get(f"{SECRETS}/child").json()["metadata"]["deletionTimestamp"]  # held by its finalizer
    assert http.get(f"{SECRETS}/grandchild").status_code == 200
    http.patch(f"{SECRETS}/child", json={"metadata": {"finalizers": None}}, headers=MERGE)
    assert http.get(f"{SECRETS}/child").status_code == 404
    assert http.get(f"{SECRETS}/grandchild").status_code == 404


def test_foreground_and_orphan_propagation(http: httpx.Client) -> None:
    owner = http.post(SECRETS, json={"metadata": {"name": "owner"}}).json()
    http.post(
        SECRETS,
        json={
            "metadata": {
                "name": "dep",
                "ownerReferences": [owner_ref(owner)],
                "finalizers": ["example.com/f"],
            }
        },
    )
    # Foreground: the owner waits (foregroundDeletion finalizer) until its dependents are gone.
    held = http.request("DELETE", f"{SECRETS}/owner", json={"propagationPolicy": "Foreground"}).json()
    assert held["metadata"]["finalizers"] == ["foregroundDeletion"]
    assert http.get(f"{SECRETS}/dep").json()["metadata"]["deletionTimestamp"]
    http.patch(f"{SECRETS}/dep", json={"metadata": {"finalizers": None}}, headers=MERGE)
    assert http.get(f"{SECRETS}/dep").status_code == 404
    assert http.get(f"{SECRETS}/owner").status_code == 404

    # Orphan: the dependents stay, without the reference to the deleted owner.
    owner = http.post(SECRETS, json={"metadata": {"name": "owner"}}).json()
    http.post(SECRETS, json={"metadata": {"name": "dep", "ownerReferences": [owner_ref(owner)]}})
    http.delete(f"{SECRETS}/owner", params={"propagationPolicy": "Orphan"})
    assert http.get(f"{SECRETS}/owner").status_code == 404
    assert "ownerReferences" not in http.get(f"{SECRETS}/dep").json()["metadata"]


def test_namespace_termination_deletes_its_content(http: httpx.Client) -> None:
    http.post("/api/v1/namespaces", json={"metadata": {"name": "team"}})
    http.post("/api/v1/namespaces/team/secrets", json={"metadata": {"name": "a"}})
    held = {"metadata": {"name": "b", "finalizers": ["example.com/f"]}}
    http.post("/api/v1/namespaces/team/secrets", json=held)
    terminating = http.delete("/api/v1/namespaces/team").json()
    assert terminating["status"]["phase"] == "Terminating"
    assert http.get("/api/v1/namespaces/team/secrets/a").status_code == 404
    assert http.get("/api/v1/namespaces/team").json()["status"]["phase"] == "Terminating"
    refused = http.post("/api/v1/namespaces/team/secrets", json={"metadata": {"name": "c"}})
    assert refused.status_code == 403
    http.patch("/api/v1/namespaces/team/secrets/b", json={"metadata": {"finalizers": None}}, headers=MERGE)
    assert http.get("/api/v1/namespaces/team").status_code == 404
    assert http.delete("/api/v1/namespaces/default").status_code == 403  # cannot be deleted


def test_delete_collection_by_label(http: httpx.Client) -> None:
    for name, app in [("a", "x"), ("b", "x"), ("c", "y")]:
        http.post(SECRETS, json={"metadata": {"name": name, "labels": {"app": app}}})
    deleted = http.delete(SECRETS, params={"labelSelector": "app=x"}).json()
    assert [item["metadata"]["name"] for item in deleted["items"]] == ["a", "b"]
    assert [item["metadata"]["name"] for item in http.get(SECRETS).json()["items"]] == ["c"]
