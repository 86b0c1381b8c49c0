"""Object lifecycle rules of kube-apiserver: server-assigned metadata, generation, the status
subresource, optimistic concurrency (409), patch formats, and the Status bodies of errors."""

from __future__ import annotations

from typing import Any

import httpx

MERGE = {"Content-Type": "application/merge-patch+json"}
JSON_PATCH = {"Content-Type": "application/json-patch+json"}
STRATEGIC = {"Content-Type": "application/strategic-merge-patch+json"}
SECRETS = "/api/v1/namespaces/default/secrets"


def test_server_assigns_uid_resource_version_timestamps_and_generation(
    http: httpx.Client, crd: dict[str, Any], widget: Any, widgets_url: str
) -> None:
    response = http.post(widgets_url, json=widget("w1"))
    assert response.status_code == 201  # POST answers 201 Created
    first = response.json()["metadata"]
    second = http.post(widgets_url, json=widget("w2")).json()["metadata"]
    assert first["uid"] != second["uid"]
    assert first["creationTimestamp"].endswith("Z")
    assert first["generation"] == 1
    # One global, monotonic resourceVersion (across all kinds), as strings.
    assert (
        int(second["resourceVersion"])
        > int(first["resourceVersion"])
        > int(crd["metadata"]["resourceVersion"])
    )
    # Clients cannot set server-owned fields.
    patched = http.patch(
        f"{widgets_url}/w1", json={"metadata": {"uid": "forged", "generation": 42}}, headers=MERGE
    ).json()
    assert patched["metadata"]["uid"] == first["uid"]
    assert patched["metadata"]["generation"] == 1


def test_generation_changes_only_with_the_spec(
    http: httpx.Client, crd: dict[str, Any], widget: Any, widgets_url: str
) -> None:
    http.post(widgets_url, json=widget("w1"))
    url = f"{widgets_url}/w1"
    labelled = http.patch(url, json={"metadata": {"labels": {"a": "b"}}}, headers=MERGE).json()
    assert labelled["metadata"]["generation"] == 1  # metadata changes do not count
    status = http.patch(f"{url}/status", json={"status": {"phase": "Ready"}}, headers=MERGE).json()
    assert status["metadata"]["generation"] == 1  # status writes never bump it
    spec = http.patch(url, json={"spec": {"size": 5}}, headers=MERGE).json()
    assert spec["metadata"]["generation"] == 2
    same = http.patch(url, json={"spec": {"size": 5}}, headers=MERGE).json()
    assert same["metadata"]["generation"] == 2
    # A write that changes nothing does not even get a new resourceVersion.
    assert same["metadata"]["resourceVersion"] == spec["metadata"]["resourceVersion"]


def test_status_subresource_separates_status_from_the_rest(
    http: httpx.Client, crd: dict[str, Any], widget: Any, widgets_url: str
) -> None:
    body = widget("w1")
    body["status"] = {"phase": "Forged"}
    created = http.post(widgets_url, json=body).json()
    assert "status" not in created  # status on create is dropped
    url = f"{widgets_url}/w1"
    # The main resource ignores status changes...
    ignored = http.patch(url, json={"status": {"phase": "Ready"}, "spec": {"size": 4}}, headers=MERGE).json()
    assert "status" not in ignored
    assert ignored["spec"]["size"] == 4
    # ...and /status changes only status.
    written = http.patch(
        f"{url}/status", json={"status": {"phase": "Ready"}, "spec": {"size": 9}}, headers=MERGE
    ).json()
    assert written["status"] == {"phase": "Ready"}
    assert written["spec"]["size"] == 4
    # PUT to /status works the same way; GET /status returns the whole object.
    written["status"] = {"phase": "Done"}
    written["spec"]["size"] = 1
    replaced = http.put(f"{url}/status", json=written).json()
    assert replaced["status"] == {"phase": "Done"}
    assert replaced["spec"]["size"] == 4
    assert http.get(f"{url}/status").json()["spec"]["size"] == 4


def test_status_subresource_is_404_where_not_declared(http: httpx.Client) -> None:
    http.post(SECRETS, json={"metadata": {"name": "s1"}})
    assert http.get(f"{SECRETS}/s1/status").status_code == 404


def test_conflicts_answer_409(http: httpx.Client, crd: dict[str, Any], widget: Any, widgets_url: str) -> None:
    created = http.post(widgets_url, json=widget("w1")).json()
    duplicate = http.post(widgets_url, json=widget("w1"))
    assert duplicate.status_code == 409
    assert duplicate.json()["reason"] == "AlreadyExists"
    assert duplicate.json()["message"] == 'widgets.sandbox.example.com "w1" already exists'

    url = f"{widgets_url}/w1"
    http.patch(url, json={"spec": {"size": 4}}, headers=MERGE)
    stale = dict(created, spec={"color": "blue"})
    response = http.put(url, json=stale)  # PUT with an old resourceVersion
    assert response.status_code == 409
    assert response.json()["reason"] == "Conflict"
    assert response.json()["message"] == (
        'Operation cannot be fulfilled on widgets.sandbox.example.com "w1": '
        "the object has been modified; please apply your changes to the latest version and try again"
    )
    stale_patch = {
        "metadata": {"resourceVersion": created["metadata"]["resourceVersion"]},
        "spec": {"size": 2},
    }
    assert http.patch(url, json=stale_patch, headers=MERGE).status_code == 409

    # PUT without a resourceVersion is an unconditional update; with the current one it succeeds.
    current = http.get(url).json()
    current["spec"]["color"] = "green"
    assert http.put(url, json=current).status_code == 200
    del current["metadata"]["resourceVersion"]
    current["spec"]["color"] = "blue"
    assert http.put(url, json=current).json()["spec"]["color"] == "blue"


def test_json_patch_with_test_operations(
    http: httpx.Client, crd: dict[str, Any], widget: Any, widgets_url: str
) -> None:
    # Kopf guards its finalizer patches with a `test` of /metadata/resourceVersion.
    rv = http.post(widgets_url, json=widget("w1")).json()["metadata"]["resourceVersion"]
    url = f"{widgets_url}/w1"
    ops = [
        {"op": "test", "path": "/metadata/resourceVersion", "value": rv},
        {"op": "add", "path": "/metadata/finalizers", "value": ["example.com/f"]},
    ]
    patched = http.patch(url, json=ops, headers=JSON_PATCH)
    assert patched.status_code == 200
    assert patched.json()["metadata"]["finalizers"] == ["example.com/f"]
    again = http.patch(url, json=ops, headers=JSON_PATCH)  # the resourceVersion moved on
    assert again.status_code == 422
    assert "test failed" in again.json()["message"]
    removal = [
        {"op": "remove", "path": "/metadata/finalizers/0"},
        {"op": "replace", "path": "/spec/size", "value": 6},
    ]
    patched = http.patch(url, json=removal, headers=JSON_PATCH).json()
    assert "finalizers" not in patched["metadata"]  # empty metadata lists are omitted
    assert patched["spec"]["size"] == 6
    assert (
        http.patch(url, json=[{"op": "remove", "path": "/spec/nope"}], headers=JSON_PATCH).status_code == 422
    )


def test_patch_formats_per_kind(
    http: httpx.Client, crd: dict[str, Any], widget: Any, widgets_url: str
) -> None:
    # Custom resources take merge and JSON patches; strategic merge is for built-in kinds only (415).
    http.post(widgets_url, json=widget("w1"))
    response = http.patch(f"{widgets_url}/w1", json={"spec": {"size": 2}}, headers=STRATEGIC)
    assert response.status_code == 415
    assert response.json()["reason"] == "UnsupportedMediaType"
    http.post(
        SECRETS, json={"metadata": {"name": "s1", "finalizers": ["a.example.com/x"]}, "data": {"a": "YQ=="}}
    )
    patched = http.patch(
        f"{SECRETS}/s1",
        json={"metadata": {"finalizers": ["b.example.com/y"]}, "data": {"b": "Yg=="}},
        headers=STRATEGIC,
    ).json()
    assert patched["data"] == {"a": "YQ==", "b": "Yg=="}
    assert patched["metadata"]["finalizers"] == ["a.example.com/x", "b.example.com/y"]  # patchStrategy=merge


def test_not_found_is_a_status_object(http: httpx.Client, crd: dict[str, Any], widgets_url: str) -> None:
    response = http.get(f"{widgets_url}/missing")
    assert response.status_code == 404
    assert response.json() == {
        "kind": "Status",
        "apiVersion": "v1",
        "metadata": {},
        "status": "Failure",
        "message": 'widgets.sandbox.example.com "missing" not found',
        "reason": "NotFound",
        "code": 404,
        "details": {"name": "missing", "group": "sandbox.example.com", "kind": "widgets"},
    }
    assert http.patch(f"{widgets_url}/missing", json={}, headers=MERGE).status_code == 404
    assert http.delete(f"{widgets_url}/missing").status_code == 404
    assert http.get("/api/v1/namespaces/default/nonsense").json()["reason"] == "NotFound"


def test_names_namespaces_and_generate_name(http: httpx.Client) -> None:
    generated = http.post(SECRETS, json={"metadata": {"generateName": "token-"}})
    assert generated.status_code == 201
    name = generated.json()["metadata"]["name"]
    assert name.startswith("token-") and len(name) == len("token-") + 5
    response = http.post(SECRETS, json={"metadata": {}})
    assert response.status_code == 422
    assert "metadata.name: Required value: name or generateName is required" in response.json()["message"]
    response = http.post(SECRETS, json={"metadata": {"name": "Not_Valid"}})
    assert response.status_code == 422
    assert (
        'metadata.name: Invalid value: "Not_Valid": a lowercase RFC 1123 subdomain'
        in response.json()["message"]
    )
    # The namespace must exist (NamespaceLifecycle admission).
    response = http.post("/api/v1/namespaces/nowhere/secrets", json={"metadata": {"name": "s"}})
    assert response.status_code == 404
    assert response.json()["message"] == 'namespaces "nowhere" not found'
    created = http.post("/api/v1/namespaces", json={"metadata": {"name": "team-a"}}).json()
    assert created["status"]["phase"] == "Active"
    assert created["metadata"]["labels"]["kubernetes.io/metadata.name"] == "team-a"
    assert http.post("/api/v1/namespaces/team-a/secrets", json={"metadata": {"name": "s"}}).status_code == 201
    mismatch = http.post(
        "/api/v1/namespaces/team-a/secrets", json={"metadata": {"name": "t", "namespace": "default"}}
    )
    assert mismatch.status_code == 400


def test_secrets_encode_string_data_and_validate_data(http: httpx.Client) -> None:
    created = http.post(
        SECRETS, json={"metadata": {"name": "s1"}, "stringData": {"password": "hunter2"}}
    ).json()
    assert created["data"] == {"password": "aHVudGVyMg=="}
    assert created["type"] == "Opaque"
    assert "stringData" not in created
    assert (
        http.post(SECRETS, json={"metadata": {"name": "s2"}, "data": {"a": "not base64!"}}).status_code == 400
    )
    assert http.patch(f"{SECRETS}/s1", json={"type": "kubernetes.io/tls"}, headers=MERGE).status_code == 422
    http.post(SECRETS, json={"metadata": {"name": "s3"}, "data": {"a": "YQ=="}, "immutable": True})
    response = http.patch(f"{SECRETS}/s3", json={"data": {"a": "Yg=="}}, headers=MERGE)
    assert response.status_code == 422
    assert "data: Forbidden: field is immutable when `immutable` is set" in response.json()["message"]


def test_dry_run_stores_nothing(http: httpx.Client) -> None:
    response = http.post(SECRETS, params={"dryRun": "All"}, json={"metadata": {"name": "s1"}})
    assert response.status_code == 201
    assert http.get(f"{SECRETS}/s1").status_code == 404


def test_server_side_apply_creates_then_merges(
    http: httpx.Client, crd: dict[str, Any], widget: Any, widgets_url: str
) -> None:
    apply = {"Content-Type": "application/apply-patch+yaml"}
    url = f"{widgets_url}/w1"
    assert (
        http.patch(url, content=b"spec: {color: red}", headers=apply).status_code == 400
    )  # needs fieldManager
    created = http.patch(url, params={"fieldManager": "me"}, json=widget("w1", size=2), headers=apply)
    assert created.status_code == 201
    updated = http.patch(url, params={"fieldManager": "me"}, json=widget("w1", color="blue"), headers=apply)
    assert updated.status_code == 200
    assert updated.json()["spec"]["color"] == "blue"


def test_non_json_bodies(http: httpx.Client) -> None:
    # CBOR is not served (415); protobuf only for what `kubectl create` sends (see test_kube_kubectl).
    assert (
        http.post(SECRETS, content=b"\xa0", headers={"Content-Type": "application/cbor"}).status_code == 415
    )
    protobuf = {"Content-Type": "application/vnd.kubernetes.protobuf"}
    assert (
        http.post(SECRETS, content=b"k8s\x00\x0a\x09\x0a\x02v1\x12\x03Pod", headers=protobuf).status_code
        == 415
    )
    assert http.post(SECRETS, content=b"garbage", headers=protobuf).status_code == 400
