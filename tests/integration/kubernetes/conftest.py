"""Fixtures: a fresh Kubernetes API emulator per test, served over HTTP from a background thread.

This folder deliberately has no `__init__.py`: with pytest's default import mode it would become a
top-level package named `kubernetes` and shadow the official client. Hence the unique `test_kube_*`
file names, and helpers offered as fixtures rather than importable modules.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from outsystems_okta_sandbox.kubernetes import KubeSandbox, background_sandbox

GROUP = "sandbox.example.com"
WIDGETS = f"/apis/{GROUP}/v1/namespaces/default/widgets"

WIDGET_CRD: dict[str, Any] = {
    "apiVersion": "apiextensions.k8s.io/v1",
    "kind": "CustomResourceDefinition",
    "metadata": {"name": f"widgets.{GROUP}"},
    "spec": {
        "group": GROUP,
        "scope": "Namespaced",
        "names": {"plural": "widgets", "singular": "widget", "kind": "Widget", "shortNames": ["wd"]},
        "versions": [
            {
                "name": "v1",
                "served": True,
                "storage": True,
                "subresources": {"status": {}},
                "additionalPrinterColumns": [
                    {"name": "Color", "type": "string", "jsonPath": ".spec.color"},
                    {
                        "name": "Ready",
                        "type": "string",
                        "jsonPath": '.status.conditions[?(@.type=="Ready")].status',
                    },
                ],
                "schema": {
                    "openAPIV3Schema": {
                        "type": "object",
                        "properties": {
                            "spec": {
                                "type": "object",
                                "required": ["color"],
                                "properties": {
                                    "color": {"type": "string", "enum": ["red", "green", "blue"]},
                                    "size": {"type": "integer", "default": 3, "minimum": 1, "maximum": 10},
                                    "owner": {"type": "string", "maxLength": 8},
                                    "options": {
                                        "type": "object",
                                        "default": {},
                                        "properties": {"retries": {"type": "integer", "default": 5}},
                                    },
                                    "environments": {
                                        "type": "array",
                                        "maxItems": 3,
                                        "x-kubernetes-list-type": "map",
                                        "x-kubernetes-list-map-keys": ["name"],
                                        "items": {
                                            "type": "object",
                                            "required": ["name", "hostname"],
                                            "properties": {
                                                "name": {"type": "string", "minLength": 1},
                                                "hostname": {"type": "string", "pattern": "^[a-z0-9.-]+$"},
                                            },
                                        },
                                    },
                                    "tags": {
                                        "type": "array",
                                        "x-kubernetes-list-type": "set",
                                        "items": {"type": "string"},
                                    },
                                    "extra": {"type": "object", "x-kubernetes-preserve-unknown-fields": True},
                                },
                            },
                            "status": {
                                "type": "object",
                                "properties": {
                                    "phase": {"type": "string"},
                                    "conditions": {
                                        "type": "array",
                                        "items": {
                                            "type": "object",
                                            "x-kubernetes-preserve-unknown-fields": True,
                                        },
                                    },
                                },
                            },
                        },
                    }
                },
            }
        ],
    },
}


def make_widget(name: str, **spec: Any) -> dict[str, Any]:
    return {
        "apiVersion": f"{GROUP}/v1",
        "kind": "Widget",
        "metadata": {"name": name},
        "spec": {"color": "red", **spec},
    }


@pytest.fixture
def sandbox() -> Iterator[KubeSandbox]:
    with background_sandbox() as started:
        yield started


@pytest.fixture
def http(sandbox: KubeSandbox) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=sandbox.url, timeout=10) as client:
        yield client


@pytest.fixture
def crd(http: httpx.Client) -> dict[str, Any]:
    """The Widget CRD, installed."""
    response = http.post(
        "/apis/apiextensions.k8s.io/v1/customresourcedefinitions", json=copy.deepcopy(WIDGET_CRD)
    )
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


@pytest.fixture
def widget() -> Callable[..., dict[str, Any]]:
    """A factory of Widget bodies: `widget("w1", size=4)` (color red unless given)."""
    return make_widget


@pytest.fixture
def widget_crd() -> dict[str, Any]:
    """The Widget CRD body (a fresh copy), not installed."""
    return copy.deepcopy(WIDGET_CRD)


@pytest.fixture
def widgets_url() -> str:
    """The collection URL of Widgets in the `default` namespace."""
    return WIDGETS


@pytest.fixture
def kubeconfig(sandbox: KubeSandbox, tmp_path: Path) -> Path:
    return sandbox.write_kubeconfig(tmp_path / "kubeconfig")


REPO = Path(__file__).resolve().parents[3]
CLUSTER_PEERINGS = "/apis/kopf.dev/v1/clusterkopfpeerings"


@pytest.fixture
def peering_crds(http: httpx.Client) -> str:
    """Kopf's peering CRDs from crds/, installed, and a ClusterKopfPeering `p`; its URL."""
    for name in ("clusterkopfpeerings.kopf.dev.yaml", "kopfpeerings.kopf.dev.yaml"):
        response = http.post(
            "/apis/apiextensions.k8s.io/v1/customresourcedefinitions",
            json=yaml.safe_load((REPO / "crds" / name).read_text()),
        )
        assert response.status_code == 201, response.text
    peering = {"apiVersion": "kopf.dev/v1", "kind": "ClusterKopfPeering", "metadata": {"name": "p"}}
    assert http.post(CLUSTER_PEERINGS, json=peering).status_code == 201
    return f"{CLUSTER_PEERINGS}/p"
