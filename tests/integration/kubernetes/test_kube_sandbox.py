"""The KubeSandbox conveniences: state access for tests, request records and the RBAC they imply,
bearer-token auth, kubeconfig files, scripted faults through kmock's DSL, Table output."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import aiohttp
import httpx
import pytest
import yaml

from outsystems_okta_sandbox.kubernetes import ApiError, KubeSandbox, background_sandbox

SECRETS = "/api/v1/namespaces/default/secrets"


def test_state_access_helpers(
    sandbox: KubeSandbox, http: httpx.Client, crd: dict[str, Any], widget: Any
) -> None:
    created = sandbox.create(widget("w1"))  # the same rules as a POST
    assert created["metadata"]["generation"] == 1
    assert sandbox.get("wd", "w1", "default") == created
    assert sandbox.get("widgets.sandbox.example.com", "w1", "default") == created
    assert sandbox.get("sandbox.example.com/v1/widgets", "nope", "default") is None
    sandbox.create({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s", "labels": {"a": "b"}}})
    assert [obj["metadata"]["name"] for obj in sandbox.objects("Secret", label_selector="a=b")] == ["s"]
    assert [obj["metadata"]["name"] for obj in sandbox.objects("namespaces")] == [
        "default",
        "kube-node-lease",
        "kube-public",
        "kube-system",
    ]
    with pytest.raises(ApiError) as error:
        sandbox.create(widget("w2", color="pink"))
    assert error.value.code == 422
    sandbox.delete("widget", "w1", "default")
    assert sandbox.objects("widgets") == []
    # kmock's object array keeps every version of every object, deleted ones included.
    history = sandbox.emulator.objects["sandbox.example.com/v1/widgets", "default", "w1"].history
    assert history[0] is not None and history[-1] is None


def test_requests_are_recorded_with_rbac_verbs(sandbox: KubeSandbox, http: httpx.Client) -> None:
    http.get("/api/v1")
    http.post(SECRETS, json={"metadata": {"name": "s"}})
    http.get(f"{SECRETS}/s")
    http.get(f"{SECRETS}/missing")
    with http.stream("GET", "/api/v1/secrets", params={"watch": "true"}) as response:
        assert response.status_code == 200  # recorded as soon as it starts
    http.patch(f"{SECRETS}/s", json={}, headers={"Content-Type": "application/merge-patch+json"})
    http.delete(f"{SECRETS}/s")
    records = [(r.verb, r.resource, r.namespace, r.name, r.status) for r in sandbox.requests]
    assert records == [
        ("get", None, None, None, 200),
        ("create", "secrets", "default", None, 201),
        ("get", "secrets", "default", "s", 200),
        ("get", "secrets", "default", "missing", 404),
        ("watch", "secrets", None, None, 200),
        ("patch", "secrets", "default", "s", 200),
        ("delete", "secrets", "default", "s", 200),
    ]
    assert sandbox.rbac_rules() == [
        {"apiGroups": [""], "resources": ["secrets"], "verbs": ["create", "delete", "get", "patch", "watch"]}
    ]


def test_scripted_faults_through_kmock_dsl(sandbox: KubeSandbox, http: httpx.Client) -> None:
    # kmock's DSL still takes precedence: e.g. one 503, then normal service; or throttling.
    http.post(SECRETS, json={"metadata": {"name": "s"}})
    sandbox.emulator[f"get {SECRETS}/s"][:1] << 503
    assert http.get(f"{SECRETS}/s").status_code == 503
    assert http.get(f"{SECRETS}/s").status_code == 200
    throttled = {"kind": "Status", "apiVersion": "v1", "code": 429, "reason": "TooManyRequests"}
    sandbox.emulator["patch", sandbox.emulator.resource("", "v1", "secrets")] << 429 << throttled
    response = http.patch(f"{SECRETS}/s", json={}, headers={"Content-Type": "application/merge-patch+json"})
    assert response.status_code == 429
    assert [r.status for r in sandbox.requests][-3:] == [503, 200, 429]


def test_bearer_token_auth_and_kubeconfig(tmp_path: Path) -> None:
    with background_sandbox(sandbox=KubeSandbox(token="t0ken", require_token=True)) as sandbox:
        config = yaml.safe_load(sandbox.write_kubeconfig(tmp_path / "kc", namespace="team").read_text())
        assert config["clusters"][0]["cluster"]["server"] == sandbox.url
        assert config["users"][0]["user"] == {"token": "t0ken"}
        assert config["contexts"][0]["context"]["namespace"] == "team"
        assert httpx.get(f"{sandbox.url}/api/v1/namespaces").status_code == 401
        authorized = httpx.get(f"{sandbox.url}/api/v1/namespaces", headers={"Authorization": "Bearer t0ken"})
        assert authorized.status_code == 200


def test_tables_for_kubectl(http: httpx.Client, crd: dict[str, Any], widget: Any, widgets_url: str) -> None:
    http.post(widgets_url, json=widget("w1"))
    http.patch(
        f"{widgets_url}/w1/status",
        json={"status": {"conditions": [{"type": "Ready", "status": "True"}]}},
        headers={"Content-Type": "application/merge-patch+json"},
    )
    accept = {"Accept": "application/json;as=Table;v=v1;g=meta.k8s.io,application/json"}
    table = http.get(widgets_url, headers=accept).json()
    assert table["kind"] == "Table"
    assert [column["name"] for column in table["columnDefinitions"]] == ["Name", "Color", "Ready"]
    assert table["rows"][0]["cells"] == ["w1", "red", "True"]
    assert table["rows"][0]["object"]["kind"] == "PartialObjectMetadata"
    params = {"watch": "true", "resourceVersion": "0"}
    with http.stream("GET", widgets_url, params=params, headers=accept) as response:
        event = json.loads(next(response.iter_lines()))
    assert event["object"]["kind"] == "Table"
    assert event["object"]["rows"][0]["cells"][0] == "w1"


async def test_start_and_stop_on_the_running_loop() -> None:
    # The async API: served by the caller's own event loop; stop() ends open watches promptly.
    sandbox = KubeSandbox()
    url = await sandbox.start()
    async with aiohttp.ClientSession() as session:
        async with session.get(f"{url}/api/v1/namespaces") as response:
            assert response.status == 200
        assert sandbox.get("namespaces", "default") is not None  # on the serving thread: a direct call
        async with session.get(f"{url}/api/v1/secrets", params={"watch": "true"}) as stream:
            assert stream.status == 200
            started = asyncio.get_running_loop().time()
            await sandbox.stop()
            assert await stream.read() == b""  # the stream ended, nothing was sent
            assert asyncio.get_running_loop().time() - started < 2
