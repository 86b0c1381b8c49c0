"""Kopf's peering against the emulator, at the HTTP level: the kopf.dev CRDs from crds/ install and are
discovered, a peering object's status takes Kopf's merge patches (a key per operator, `null` to drop
one) on the main resource (these CRDs have no status subresource), and a watch sees every keep-alive.
Two real Kopf processes in one peering: test_kube_kopf.py."""

from __future__ import annotations

from typing import Any

import httpx
import yaml

from outsystems_okta_sandbox.kubernetes import KubeSandbox

MERGE = {"Content-Type": "application/merge-patch+json"}


def test_the_peering_crds_are_discovered_with_their_scopes(http: httpx.Client, peering_crds: str) -> None:
    resources = {r["name"]: r for r in http.get("/apis/kopf.dev/v1").json()["resources"]}
    assert resources["clusterkopfpeerings"]["namespaced"] is False
    assert resources["kopfpeerings"]["namespaced"] is True
    assert "clusterkopfpeerings/status" not in resources, "Kopf's CRDs declare no status subresource"
    assert {"list", "watch", "patch"} <= set(resources["kopfpeerings"]["verbs"])


def test_keep_alives_merge_into_the_status_and_null_drops_a_peer(
    http: httpx.Client, peering_crds: str
) -> None:
    url = peering_crds
    # What Kopf's touch() sends goes to the main resource, since there is no status subresource.
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


def test_a_watch_sees_every_keep_alive(http: httpx.Client, sandbox: KubeSandbox, peering_crds: str) -> None:
    collection = peering_crds.rsplit("/", 1)[0]
    version = http.get(collection).json()["metadata"]["resourceVersion"]
    events: list[dict[str, Any]] = []
    params = {"watch": "true", "resourceVersion": version, "timeoutSeconds": "2"}
    with (
        httpx.Client(base_url=sandbox.url, timeout=10) as watcher,
        watcher.stream("GET", collection, params=params) as stream,
    ):
        for priority in (1, 2):
            http.patch(peering_crds, json={"status": {"x": {"priority": priority}}}, headers=MERGE)
        for line in stream.iter_lines():
            if line:
                events.append(yaml.safe_load(line))
            if len(events) == 2:
                break
    assert [(e["type"], e["object"]["status"]["x"]["priority"]) for e in events] == [
        ("MODIFIED", 1),
        ("MODIFIED", 2),
    ]
