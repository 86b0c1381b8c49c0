"""Kopf's peering against the emulator: the kopf.dev CRDs from crds/ install and are discovered, a
peering object's status takes Kopf's merge patches (a key per operator, `null` to drop one) on the main
resource (these CRDs have no status subresource), watchers see every keep-alive, and two real Kopf
processes with different priorities leave exactly one handling the widgets."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from outsystems_okta_sandbox.kubernetes import KubeSandbox

REPO = Path(__file__).resolve().parents[3]
OPERATOR = Path(__file__).with_name("kopf_widget_operator.py")
CRDS = "/apis/apiextensions.k8s.io/v1/customresourcedefinitions"
CLUSTER_PEERING = "/apis/kopf.dev/v1/clusterkopfpeerings"
MERGE = {"Content-Type": "application/merge-patch+json"}


def wait_for(condition: Callable[[], Any], timeout: float = 15.0, what: str = "") -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if result := condition():
            return result
        time.sleep(0.05)
    raise AssertionError(f"Timed out waiting for {what or condition}")


@pytest.fixture
def peering_crds(http: httpx.Client) -> None:
    for name in ("clusterkopfpeerings.kopf.dev.yaml", "kopfpeerings.kopf.dev.yaml"):
        response = http.post(CRDS, json=yaml.safe_load((REPO / "crds" / name).read_text()))
        assert response.status_code == 201, response.text


def test_the_peering_crds_are_discovered_with_their_scopes(http: httpx.Client, peering_crds: None) -> None:
    resources = {r["name"]: r for r in http.get("/apis/kopf.dev/v1").json()["resources"]}
    assert resources["clusterkopfpeerings"]["namespaced"] is False
    assert resources["kopfpeerings"]["namespaced"] is True
    assert "clusterkopfpeerings/status" not in resources, "Kopf's CRDs declare no status subresource"
    assert {"list", "watch", "patch"} <= set(resources["kopfpeerings"]["verbs"])


def test_keep_alives_merge_into_the_status_and_null_drops_a_peer(
    http: httpx.Client, peering_crds: None
) -> None:
    created = http.post(
        CLUSTER_PEERING,
        json={"apiVersion": "kopf.dev/v1", "kind": "ClusterKopfPeering", "metadata": {"name": "p"}},
    )
    assert created.status_code == 201, created.text
    url = f"{CLUSTER_PEERING}/p"
    # What Kopf's touch() sends: the main resource, since there is no status subresource.
    assert http.patch(f"{url}/status", json={"status": {}}, headers=MERGE).status_code == 404
    a = {"priority": -5, "lifetime": 4, "lastseen": "2026-12-02T02:00:00+00:00"}
    b = {"priority": 7, "lifetime": 4, "lastseen": "2026-12-02T02:00:01+00:00"}
    assert http.patch(url, json={"status": {"a": a}}, headers=MERGE).status_code == 200
    patched = http.patch(url, json={"status": {"b": b}}, headers=MERGE)
    assert patched.json()["status"] == {"a": a, "b": b}, "a peer's keep-alive keeps the others"
    # Numbers stay integers (a priority from a start time in microseconds is beyond int32).
    big = {**a, "priority": -1_796_177_366_731_428}
    assert http.patch(url, json={"status": {"a": big}}, headers=MERGE).json()["status"]["a"] == big
    dropped = http.patch(url, json={"status": {"a": None}}, headers=MERGE)
    assert dropped.json()["status"] == {"b": b}, "an exiting or dead peer is removed with null"


def test_a_watch_sees_every_keep_alive(http: httpx.Client, sandbox: KubeSandbox, peering_crds: None) -> None:
    http.post(
        CLUSTER_PEERING,
        json={"apiVersion": "kopf.dev/v1", "kind": "ClusterKopfPeering", "metadata": {"name": "p"}},
    )
    listed = http.get(CLUSTER_PEERING).json()
    version = listed["metadata"]["resourceVersion"]
    events: list[dict[str, Any]] = []
    with (
        httpx.Client(base_url=sandbox.url, timeout=10) as watcher,
        watcher.stream(
            "GET",
            CLUSTER_PEERING,
            params={"watch": "true", "resourceVersion": version, "timeoutSeconds": "2"},
        ) as stream,
    ):
        for priority in (1, 2):
            http.patch(f"{CLUSTER_PEERING}/p", json={"status": {"x": {"priority": priority}}}, headers=MERGE)
        for line in stream.iter_lines():
            if line:
                events.append(yaml.safe_load(line))
            if len(events) == 2:
                break
    assert [(e["type"], e["object"]["status"]["x"]["priority"]) for e in events] == [
        ("MODIFIED", 1),
        ("MODIFIED", 2),
    ]


@pytest.fixture
def kopf_pair(
    kubeconfig: Path, tmp_path: Path, crd: dict[str, Any], peering_crds: None, http: httpx.Client
) -> Iterator[dict[int, Path]]:
    """Two `kopf run --peering p` processes of the widget operator, priority 2 acting first, then
    priority 1; one log each."""
    http.post(
        CLUSTER_PEERING,
        json={"apiVersion": "kopf.dev/v1", "kind": "ClusterKopfPeering", "metadata": {"name": "p"}},
    )
    env = {**os.environ, "KUBECONFIG": str(kubeconfig)}
    env.pop("KUBERNETES_SERVICE_HOST", None)
    processes, logs = [], {}
    for priority in (2, 1):
        logs[priority] = tmp_path / f"kopf-{priority}.log"
        command = [
            sys.executable,
            "-m",
            "kopf",
            "run",
            "-A",
            "--peering",
            "p",
            "--priority",
            str(priority),
            "--verbose",
            str(OPERATOR),
        ]
        with logs[priority].open("w") as output:
            processes.append(
                subprocess.Popen(
                    command,
                    env={**env, "POD_ID": f"kopf-{priority}"},
                    cwd=tmp_path,
                    stdout=output,
                    stderr=subprocess.STDOUT,
                )
            )
        if priority == 2:
            # One after the other: an operator that reads the peering before any other keep-alive is
            # in it acts until it sees one (Kopf's behaviour, not what this test is about).
            wait_for(lambda: "Resuming operations" in logs[2].read_text(), what="priority 2 to act")
    try:
        yield logs
    finally:
        for process in processes:
            process.send_signal(signal.SIGINT)
        for process in processes:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def test_two_kopf_processes_only_the_higher_priority_handles(
    http: httpx.Client, sandbox: KubeSandbox, kopf_pair: dict[int, Path], widget: Any, widgets_url: str
) -> None:
    wait_for(
        lambda: (
            {"kopf-1", "kopf-2"} <= set((sandbox.get("clusterkopfpeerings", "p") or {}).get("status") or {})
        ),
        what="both keep-alives",
    )
    assert http.post(widgets_url, json=widget("w1")).status_code == 201
    wait_for(
        lambda: (sandbox.get("widgets", "w1", "default") or {}).get("status", {}).get("phase") == "Ready",
        what="the widget handled",
    )
    time.sleep(0.5)  # let a second handler, if any, show up
    assert kopf_pair[2].read_text().count("CREATE-HANDLER-RAN for w1") == 1
    assert "CREATE-HANDLER-RAN" not in kopf_pair[1].read_text()
    assert "Resuming operations" not in kopf_pair[1].read_text()
