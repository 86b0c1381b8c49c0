"""The official `kubernetes` Python client against the emulator, through a kubeconfig file:
CustomObjectsApi and CoreV1Api CRUD, errors as ApiException, and a watch."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from kubernetes import client, config, watch
from kubernetes.client.exceptions import ApiException

from outsystems_okta_sandbox.kubernetes import KubeSandbox

GROUP, VERSION, PLURAL = "sandbox.example.com", "v1", "widgets"


@pytest.fixture
def api_client(kubeconfig: Path) -> Iterator[client.ApiClient]:
    api = config.new_client_from_config(config_file=str(kubeconfig))
    try:
        yield api
    finally:
        api.close()


def test_custom_objects_crud(api_client: client.ApiClient, widget_crd: dict[str, Any], widget: Any) -> None:
    extensions = client.ApiextensionsV1Api(api_client)
    extensions.create_custom_resource_definition(copy.deepcopy(widget_crd))
    crds = extensions.list_custom_resource_definition()
    assert [item.metadata.name for item in crds.items] == ["widgets.sandbox.example.com"]

    api = client.CustomObjectsApi(api_client)
    created = api.create_namespaced_custom_object(GROUP, VERSION, "default", PLURAL, widget("w1"))
    assert created["metadata"]["generation"] == 1  # 201 with the created object (not None)
    fetched = api.get_namespaced_custom_object(GROUP, VERSION, "default", PLURAL, "w1")
    assert fetched["spec"]["size"] == 3

    patched = api.patch_namespaced_custom_object(
        GROUP, VERSION, "default", PLURAL, "w1", {"spec": {"size": 4}}
    )
    assert patched["metadata"]["generation"] == 2
    status = api.patch_namespaced_custom_object_status(
        GROUP, VERSION, "default", PLURAL, "w1", {"status": {"phase": "Ready"}}
    )
    assert status["status"] == {"phase": "Ready"}
    status["spec"]["color"] = "green"
    replaced = api.replace_namespaced_custom_object(GROUP, VERSION, "default", PLURAL, "w1", status)
    assert replaced["spec"]["color"] == "green"

    listed = api.list_cluster_custom_object(GROUP, VERSION, PLURAL, label_selector="")
    assert [item["metadata"]["name"] for item in listed["items"]] == ["w1"]

    with pytest.raises(ApiException) as conflict:
        api.replace_namespaced_custom_object(GROUP, VERSION, "default", PLURAL, "w1", status)  # stale
    assert conflict.value.status == 409

    with pytest.raises(ApiException) as invalid:
        api.create_namespaced_custom_object(GROUP, VERSION, "default", PLURAL, widget("w2", color="pink"))
    assert invalid.value.status == 422
    assert "spec.color: Unsupported value" in str(invalid.value.body)

    api.delete_namespaced_custom_object(GROUP, VERSION, "default", PLURAL, "w1")
    with pytest.raises(ApiException) as missing:
        api.get_namespaced_custom_object(GROUP, VERSION, "default", PLURAL, "w1")
    assert missing.value.status == 404


def test_core_v1_secrets_crud(api_client: client.ApiClient, sandbox: KubeSandbox) -> None:
    core = client.CoreV1Api(api_client)
    body = client.V1Secret(
        metadata=client.V1ObjectMeta(name="creds", labels={"app": "demo"}),
        string_data={"client_secret": "s3cr3t"},
    )
    created = core.create_namespaced_secret("default", body)
    assert created.data == {"client_secret": "czNjcjN0"}
    assert created.metadata.uid
    # The built-in client patches with a strategic merge patch.
    patched = core.patch_namespaced_secret("creds", "default", {"metadata": {"annotations": {"a": "b"}}})
    assert patched.metadata.annotations == {"a": "b"}
    assert patched.metadata.labels == {"app": "demo"}
    listed = core.list_namespaced_secret("default", label_selector="app=demo")
    assert [item.metadata.name for item in listed.items] == ["creds"]
    assert listed.metadata.resource_version
    with pytest.raises(ApiException) as duplicate:
        core.create_namespaced_secret("default", body)
    assert duplicate.value.status == 409
    status = core.delete_namespaced_secret("creds", "default")
    assert (status["status"] if isinstance(status, dict) else status.status) == "Success"
    assert sandbox.get("secrets", "creds", "default") is None
    namespaces = core.list_namespace()
    assert "default" in [item.metadata.name for item in namespaces.items]


def test_client_watch_sees_changes(api_client: client.ApiClient, sandbox: KubeSandbox) -> None:
    core = client.CoreV1Api(api_client)
    rv = core.list_namespaced_secret("default").metadata.resource_version
    core.create_namespaced_secret("default", client.V1Secret(metadata=client.V1ObjectMeta(name="one")))
    core.delete_namespaced_secret("one", "default")
    watcher = watch.Watch()
    seen = []
    for event in watcher.stream(
        core.list_namespaced_secret, "default", resource_version=rv, timeout_seconds=5
    ):
        seen.append((event["type"], event["object"].metadata.name))
        if len(seen) == 2:
            watcher.stop()
    assert seen == [("ADDED", "one"), ("DELETED", "one")]
