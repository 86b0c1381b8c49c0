"""CRD structural schemas on custom objects: defaulting, pruning, and 422 validation messages
worded like kube-apiserver's (field paths such as `spec.environments[1].hostname`)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

MERGE = {"Content-Type": "application/merge-patch+json"}
pytestmark = pytest.mark.usefixtures("crd")


def test_defaults_are_applied_to_absent_fields(http: httpx.Client, widget: Any, widgets_url: str) -> None:
    # Defaults fill absent fields, including inside defaulted objects (options: {} -> retries: 5).
    created = http.post(widgets_url, json=widget("w1")).json()
    assert created["spec"] == {"color": "red", "size": 3, "options": {"retries": 5}}
    # Explicit values win; nulls of non-nullable fields are dropped and then defaulted.
    created = http.post(widgets_url, json=widget("w2", size=7, options={"retries": None})).json()
    assert created["spec"]["size"] == 7
    assert created["spec"]["options"] == {"retries": 5}


def test_unknown_fields_are_pruned_unless_preserved(
    http: httpx.Client, widget: Any, widgets_url: str
) -> None:
    body = widget("w1", bogus=1, extra={"anything": {"goes": True}})
    body["unknownTopLevel"] = 1
    body["metadata"]["unknownMeta"] = "x"
    response = http.post(widgets_url, json=body)
    assert response.status_code == 201
    created = response.json()
    assert "bogus" not in created["spec"]
    assert "unknownTopLevel" not in created
    assert "unknownMeta" not in created["metadata"]
    assert created["spec"]["extra"] == {"anything": {"goes": True}}  # x-kubernetes-preserve-unknown-fields
    # By default (fieldValidation=Warn) the API server warns about what it dropped.
    warnings = response.headers.get_list("Warning")
    assert any('unknown field \\"spec.bogus\\"' in warning for warning in warnings)


def test_strict_field_validation_rejects_unknown_fields(
    http: httpx.Client, widget: Any, widgets_url: str
) -> None:
    # What `kubectl apply` (validate=strict) asks for: unknown fields are a 400 BadRequest.
    response = http.post(widgets_url, params={"fieldValidation": "Strict"}, json=widget("w1", bogus=1))
    assert response.status_code == 400
    assert response.json()["message"] == (
        'Widget in version "v1" cannot be handled as a Widget: '
        'strict decoding error: unknown field "spec.bogus"'
    )


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        (
            {"color": "pink"},
            'spec.color: Unsupported value: "pink": supported values: "red", "green", "blue"',
        ),
        ({"size": 0}, "spec.size: Invalid value: 0: spec.size in body should be greater than or equal to 1"),
        ({"size": 11}, "spec.size: Invalid value: 11: spec.size in body should be less than or equal to 10"),
        (
            {"size": "big"},
            'spec.size: Invalid value: "string": spec.size in body must be of type integer: "string"',
        ),
        ({"owner": "much-too-long"}, "spec.owner: Too long: may not be more than 8 bytes"),
        (
            {
                "environments": [
                    {"name": "dev", "hostname": "dev.example.com"},
                    {"name": "prd", "hostname": "Bad_Host"},
                ]
            },
            'spec.environments[1].hostname: Invalid value: "Bad_Host": '
            "spec.environments[1].hostname in body should match '^[a-z0-9.-]+$'",
        ),
        ({"environments": [{"name": "dev"}]}, "spec.environments[0].hostname: Required value"),
        (
            {"environments": [{"name": "", "hostname": "a"}]},
            'spec.environments[0].name: Invalid value: "": '
            "spec.environments[0].name in body should be at least 1 chars long",
        ),
        (
            {"environments": [{"name": "a", "hostname": "a"}, {"name": "a", "hostname": "b"}]},
            'spec.environments[1]: Duplicate value: {"name":"a"}',
        ),
        (
            {"environments": [{"name": n, "hostname": "h"} for n in "abcd"]},
            "spec.environments: Too many: 4: must have at most 3 items",
        ),
        ({"tags": ["x", "y", "x"]}, 'spec.tags[2]: Duplicate value: "x"'),
    ],
)
def test_schema_violations_answer_422_naming_the_field(
    http: httpx.Client, widget: Any, widgets_url: str, spec: dict[str, Any], message: str
) -> None:
    response = http.post(widgets_url, json=widget("w1", **spec))
    assert response.status_code == 422, response.text
    status = response.json()
    assert status["kind"] == "Status"
    assert status["reason"] == "Invalid"
    assert status["code"] == 422
    assert status["message"] == f'Widget.sandbox.example.com "w1" is invalid: {message}'
    assert status["details"]["causes"][0]["field"] == message.split(":")[0]


def test_several_violations_are_listed_together(http: httpx.Client, widgets_url: str) -> None:
    body = {"apiVersion": "sandbox.example.com/v1", "kind": "Widget", "metadata": {"name": "w1"}}
    body["spec"] = {"size": 0}
    status = http.post(widgets_url, json=body).json()
    assert status["message"] == (
        'Widget.sandbox.example.com "w1" is invalid: [spec.color: Required value, '
        "spec.size: Invalid value: 0: spec.size in body should be greater than or equal to 1]"
    )
    assert [cause["field"] for cause in status["details"]["causes"]] == ["spec.color", "spec.size"]


def test_updates_and_patches_are_validated_too(http: httpx.Client, widget: Any, widgets_url: str) -> None:
    created = http.post(widgets_url, json=widget("w1")).json()
    patched = http.patch(f"{widgets_url}/w1", json={"spec": {"color": "pink"}}, headers=MERGE)
    assert patched.status_code == 422
    created["spec"]["size"] = 99
    assert http.put(f"{widgets_url}/w1", json=created).status_code == 422
    # Nothing was stored.
    assert http.get(f"{widgets_url}/w1").json()["spec"]["color"] == "red"


def test_status_is_pruned_and_validated_on_the_status_subresource(
    http: httpx.Client, widget: Any, widgets_url: str
) -> None:
    http.post(widgets_url, json=widget("w1"))
    response = http.patch(
        f"{widgets_url}/w1/status",
        json={"status": {"phase": "Ready", "kopf": {"progress": {}}}},
        headers=MERGE,
    )
    assert response.status_code == 200
    assert response.json()["status"] == {"phase": "Ready"}  # undeclared status fields are pruned
    response = http.patch(f"{widgets_url}/w1/status", json={"status": {"phase": 1}}, headers=MERGE)
    assert response.status_code == 422
    assert "status.phase: Invalid value" in response.json()["message"]
