"""Discovery: what kube-apiserver answers at /version, /api, /apis, and how CRDs appear and vanish."""

from __future__ import annotations

from typing import Any

import httpx


def test_version_and_core_discovery(http: httpx.Client) -> None:
    # A real server reports its version and serves the core group at /api/v1 with groupVersion "v1".
    assert http.get("/version").json()["major"] == "1"
    assert http.get("/api").json()["versions"] == ["v1"]
    core = http.get("/api/v1").json()
    assert core["kind"] == "APIResourceList"
    assert core["groupVersion"] == "v1"
    names = {resource["name"]: resource for resource in core["resources"]}
    assert {"namespaces", "secrets", "events", "configmaps", "namespaces/status"} <= set(names)
    assert names["namespaces"]["namespaced"] is False
    assert names["secrets"]["namespaced"] is True
    assert names["secrets"]["kind"] == "Secret"
    assert "watch" in names["secrets"]["verbs"]


def test_builtin_groups_are_served(http: httpx.Client) -> None:
    # Real servers serve apiextensions, events.k8s.io and coordination among their groups.
    groups = {group["name"]: group for group in http.get("/apis").json()["groups"]}
    assert {"apiextensions.k8s.io", "events.k8s.io", "coordination.k8s.io"} <= set(groups)
    assert groups["events.k8s.io"]["preferredVersion"]["groupVersion"] == "events.k8s.io/v1"
    crds = http.get("/apis/apiextensions.k8s.io/v1").json()
    assert [r["name"] for r in crds["resources"]] == [
        "customresourcedefinitions",
        "customresourcedefinitions/status",
    ]
    assert http.get("/apis/nonexistent.example.com").status_code == 404


def test_crd_installation_makes_the_resource_discoverable_and_servable(
    http: httpx.Client, widget_crd: dict[str, Any]
) -> None:
    # Before the CRD exists, the group is unknown and its URLs answer 404.
    assert http.get("/apis/sandbox.example.com/v1").status_code == 404
    assert http.get("/apis/sandbox.example.com/v1/widgets").status_code == 404

    created = http.post("/apis/apiextensions.k8s.io/v1/customresourcedefinitions", json=widget_crd)
    assert created.status_code == 201
    # The apiextensions controllers accept the names and establish the CRD.
    conditions = {c["type"]: c["status"] for c in created.json()["status"]["conditions"]}
    assert conditions == {"NamesAccepted": "True", "Established": "True"}
    assert created.json()["status"]["acceptedNames"]["kind"] == "Widget"

    groups = {group["name"]: group for group in http.get("/apis").json()["groups"]}
    assert groups["sandbox.example.com"]["preferredVersion"]["version"] == "v1"
    group = http.get("/apis/sandbox.example.com").json()
    assert group["kind"] == "APIGroup"
    resources = {r["name"]: r for r in http.get("/apis/sandbox.example.com/v1").json()["resources"]}
    assert set(resources) == {"widgets", "widgets/status"}
    assert resources["widgets"]["kind"] == "Widget"
    assert resources["widgets"]["singularName"] == "widget"
    assert resources["widgets"]["shortNames"] == ["wd"]
    assert resources["widgets"]["namespaced"] is True
    assert resources["widgets/status"]["verbs"] == ["get", "patch", "update"]

    listing = http.get("/apis/sandbox.example.com/v1/widgets")
    assert listing.status_code == 200
    assert listing.json()["kind"] == "WidgetList"


def test_crd_versions_share_one_storage(http: httpx.Client, widget_crd: dict[str, Any]) -> None:
    # A CRD may serve several versions of the same objects (conversion strategy None: only the
    # apiVersion changes); the preferred version is the most stable one.
    v1 = widget_crd["spec"]["versions"][0]
    widget_crd["spec"]["versions"] = [{**v1, "name": "v1alpha1", "storage": False}, v1]
    assert (
        http.post("/apis/apiextensions.k8s.io/v1/customresourcedefinitions", json=widget_crd).status_code
        == 201
    )
    group = http.get("/apis/sandbox.example.com").json()
    assert [v["version"] for v in group["versions"]] == ["v1", "v1alpha1"]
    assert group["preferredVersion"]["version"] == "v1"

    body = {"apiVersion": "sandbox.example.com/v1alpha1", "kind": "Widget", "metadata": {"name": "w"}}
    body["spec"] = {"color": "red"}
    assert (
        http.post("/apis/sandbox.example.com/v1alpha1/namespaces/default/widgets", json=body).status_code
        == 201
    )
    as_v1 = http.get("/apis/sandbox.example.com/v1/namespaces/default/widgets/w").json()
    assert as_v1["apiVersion"] == "sandbox.example.com/v1"
    assert as_v1["spec"] == {"color": "red", "size": 3, "options": {"retries": 5}}


def test_crd_deletion_removes_the_resource_and_its_objects(
    http: httpx.Client, crd: dict[str, Any], widget: Any, widgets_url: str
) -> None:
    assert http.post(widgets_url, json=widget("w1")).status_code == 201
    # A CRD carries the cleanup finalizer: deleting it deletes its custom objects first.
    assert "customresourcecleanup.apiextensions.k8s.io" in crd["metadata"]["finalizers"]
    deleted = http.delete(
        "/apis/apiextensions.k8s.io/v1/customresourcedefinitions/widgets.sandbox.example.com"
    )
    assert deleted.status_code == 200
    assert (
        http.get(
            "/apis/apiextensions.k8s.io/v1/customresourcedefinitions/widgets.sandbox.example.com"
        ).status_code
        == 404
    )
    assert "sandbox.example.com" not in {group["name"] for group in http.get("/apis").json()["groups"]}
    assert http.get("/apis/sandbox.example.com/v1").status_code == 404
    assert http.get(f"{widgets_url}/w1").status_code == 404


def test_crd_deletion_waits_for_finalizers_of_its_objects(
    http: httpx.Client, crd: dict[str, Any], widget: Any, widgets_url: str
) -> None:
    body = widget("w1")
    body["metadata"]["finalizers"] = ["example.com/hold"]
    assert http.post(widgets_url, json=body).status_code == 201
    crd_url = "/apis/apiextensions.k8s.io/v1/customresourcedefinitions/widgets.sandbox.example.com"
    http.delete(crd_url)
    # The CRD stays (terminating) while an object's finalizer holds, and new objects are refused.
    assert http.get(crd_url).json()["metadata"]["deletionTimestamp"]
    assert http.get(f"{widgets_url}/w1").json()["metadata"]["deletionTimestamp"]
    assert http.post(widgets_url, json=widget("w2")).status_code == 405
    patch = {"metadata": {"finalizers": None}}
    released = http.patch(
        f"{widgets_url}/w1", json=patch, headers={"Content-Type": "application/merge-patch+json"}
    )
    assert released.status_code == 200
    assert http.get(crd_url).status_code == 404


def test_invalid_crds_are_rejected(http: httpx.Client, widget_crd: dict[str, Any]) -> None:
    # A CRD's name must be <plural>.<group>, and its schema must be structural (types everywhere).
    wrong_name = {**widget_crd, "metadata": {"name": "gadgets.sandbox.example.com"}}
    response = http.post("/apis/apiextensions.k8s.io/v1/customresourcedefinitions", json=wrong_name)
    assert response.status_code == 422
    assert 'metadata.name: Invalid value: "gadgets.sandbox.example.com"' in response.json()["message"]

    schema = widget_crd["spec"]["versions"][0]["schema"]["openAPIV3Schema"]
    del schema["properties"]["spec"]["properties"]["size"]["type"]
    response = http.post("/apis/apiextensions.k8s.io/v1/customresourcedefinitions", json=widget_crd)
    assert response.status_code == 422
    assert (
        "spec.versions[0].schema.openAPIV3Schema.properties[spec].properties[size].type: Required value"
        in response.json()["message"]
    )


def test_openapi_v3_advertises_server_side_field_validation(http: httpx.Client, crd: dict[str, Any]) -> None:
    # kubectl looks for the fieldValidation parameter of the PATCH operations in /openapi/v3
    # to validate server-side; the CRD's schema is published for `kubectl explain`.
    index = http.get("/openapi/v3").json()["paths"]
    assert {"api/v1", "apis/sandbox.example.com/v1"} <= set(index)
    document = http.get(index["apis/sandbox.example.com/v1"]["serverRelativeURL"]).json()
    operation = document["paths"]["/apis/sandbox.example.com/v1/namespaces/{namespace}/widgets/{name}"][
        "patch"
    ]
    assert operation["x-kubernetes-group-version-kind"]["kind"] == "Widget"
    assert "fieldValidation" in {p["name"] for p in operation["parameters"]}
    assert "com.example.sandbox.v1.Widget" in document["components"]["schemas"]


def test_objects_survive_a_change_of_the_storage_version(
    http: httpx.Client, crd: dict[str, Any], widget: Any, widgets_url: str
) -> None:
    assert http.post(widgets_url, json=widget("w1")).status_code == 201
    current = http.get(
        "/apis/apiextensions.k8s.io/v1/customresourcedefinitions/widgets.sandbox.example.com"
    ).json()
    v1 = current["spec"]["versions"][0]
    current["spec"]["versions"] = [{**v1, "storage": False}, {**v1, "name": "v2", "storage": True}]
    updated = http.put(
        f"/apis/apiextensions.k8s.io/v1/customresourcedefinitions/{current['metadata']['name']}", json=current
    )
    assert updated.status_code == 200
    assert updated.json()["status"]["storedVersions"] == ["v1", "v2"]
    assert updated.json()["metadata"]["generation"] == 2
    as_v2 = http.get("/apis/sandbox.example.com/v2/namespaces/default/widgets/w1").json()
    assert as_v2["apiVersion"] == "sandbox.example.com/v2"
    assert http.get(f"{widgets_url}/w1").json()["metadata"]["uid"] == as_v2["metadata"]["uid"]
