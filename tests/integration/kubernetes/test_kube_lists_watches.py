"""Lists and watches as kube-apiserver serves them: kinds, resourceVersions, selectors, pagination,
watch resumption from a resourceVersion, timeouts, bookmarks, 410 Gone."""

from __future__ import annotations

import json
import time
from typing import Any

import httpx
import pytest

from outsystems_okta_sandbox.kubernetes import KubeSandbox

MERGE = {"Content-Type": "application/merge-patch+json"}
SECRETS = "/api/v1/namespaces/default/secrets"


def watch(http: httpx.Client, url: str, count: int | None = None, **params: Any) -> list[dict[str, Any]]:
    """Run a watch until `count` events arrived (or the server ends it after timeoutSeconds)."""
    params = {"watch": "true", "timeoutSeconds": "1" if count is None else "5", **params}
    events: list[dict[str, Any]] = []
    with http.stream("GET", url, params=params) as response:
        assert response.status_code == 200
        assert response.headers["Content-Type"].startswith("application/json")
        for line in response.iter_lines():
            if line:
                events.append(json.loads(line))
            if count is not None and len(events) >= count:
                break
    return events


def names(events: list[dict[str, Any]]) -> list[tuple[str, str]]:
    return [(event["type"], event["object"]["metadata"].get("name", "")) for event in events]


@pytest.fixture
def labelled(http: httpx.Client) -> None:
    for name, labels in [
        ("a", {"app": "x", "tier": "db"}),
        ("b", {"app": "x"}),
        ("c", {"app": "y"}),
        ("d", {}),
    ]:
        assert http.post(SECRETS, json={"metadata": {"name": name, "labels": labels}}).status_code == 201


def test_lists_carry_kind_api_version_and_resource_version(http: httpx.Client, labelled: None) -> None:
    listing = http.get(SECRETS).json()
    assert listing["kind"] == "SecretList"
    assert listing["apiVersion"] == "v1"
    assert int(listing["metadata"]["resourceVersion"]) >= max(
        int(item["metadata"]["resourceVersion"]) for item in listing["items"]
    )
    assert [item["metadata"]["name"] for item in listing["items"]] == ["a", "b", "c", "d"]


@pytest.mark.parametrize(
    ("selector", "expected"),
    [
        ("app=x", ["a", "b"]),
        ("app==x,tier=db", ["a"]),
        ("app!=x", ["c", "d"]),
        ("app in (x, y)", ["a", "b", "c"]),
        ("app notin (x)", ["c", "d"]),
        ("tier", ["a"]),
        ("!app", ["d"]),
    ],
)
def test_label_selectors(http: httpx.Client, labelled: None, selector: str, expected: list[str]) -> None:
    items = http.get(SECRETS, params={"labelSelector": selector}).json()["items"]
    assert [item["metadata"]["name"] for item in items] == expected


def test_field_selectors(http: httpx.Client, labelled: None) -> None:
    items = http.get(SECRETS, params={"fieldSelector": "metadata.name=b"}).json()["items"]
    assert [item["metadata"]["name"] for item in items] == ["b"]
    items = http.get("/api/v1/secrets", params={"fieldSelector": "metadata.namespace!=default"}).json()[
        "items"
    ]
    assert items == []
    unsupported = http.get(SECRETS, params={"fieldSelector": "spec.foo=bar"})
    assert unsupported.status_code == 400
    assert unsupported.json()["message"] == "field label not supported: spec.foo"


def test_lists_across_namespaces_and_pagination(http: httpx.Client, labelled: None) -> None:
    http.post("/api/v1/namespaces", json={"metadata": {"name": "other"}})
    http.post("/api/v1/namespaces/other/secrets", json={"metadata": {"name": "z"}})
    everything = http.get("/api/v1/secrets").json()["items"]
    assert [(i["metadata"]["namespace"], i["metadata"]["name"]) for i in everything][-1] == ("other", "z")
    assert len(everything) == 5
    page = http.get("/api/v1/secrets", params={"limit": "2"}).json()
    assert len(page["items"]) == 2
    assert page["metadata"]["remainingItemCount"] == 3
    seen = [item["metadata"]["name"] for item in page["items"]]
    while page["metadata"].get("continue"):
        page = http.get(
            "/api/v1/secrets", params={"limit": "2", "continue": page["metadata"]["continue"]}
        ).json()
        seen += [item["metadata"]["name"] for item in page["items"]]
    assert seen == ["a", "b", "c", "d", "z"]


def test_watch_without_resource_version_starts_with_existing_objects(
    http: httpx.Client, labelled: None
) -> None:
    events = watch(http, SECRETS, 2, labelSelector="app=x")
    assert names(events) == [("ADDED", "a"), ("ADDED", "b")]


def test_watch_resumes_after_a_resource_version(http: httpx.Client, sandbox: KubeSandbox) -> None:
    first = http.post(SECRETS, json={"metadata": {"name": "one"}}).json()
    since = first["metadata"]["resourceVersion"]
    http.post(SECRETS, json={"metadata": {"name": "two"}})
    http.patch(f"{SECRETS}/one", json={"metadata": {"labels": {"k": "v"}}}, headers=MERGE)
    http.delete(f"{SECRETS}/two")
    events = watch(http, SECRETS, 3, resourceVersion=since)
    assert names(events) == [("ADDED", "two"), ("MODIFIED", "one"), ("DELETED", "two")]
    versions = [int(event["object"]["metadata"]["resourceVersion"]) for event in events]
    assert versions == sorted(versions) and versions[0] > int(since)
    # After a compaction, an old resourceVersion is "too old": 410 Gone as an ERROR event.
    sandbox.emulator.cluster.store.compact()
    events = watch(http, SECRETS, 1, resourceVersion=since)
    assert events[0]["type"] == "ERROR"
    assert events[0]["object"]["code"] == 410


def test_watch_streams_live_changes_until_its_timeout(http: httpx.Client, sandbox: KubeSandbox) -> None:
    import threading

    def later() -> None:
        time.sleep(0.2)
        sandbox.create({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "live"}})

    threading.Thread(target=later).start()
    started = time.monotonic()
    events = watch(http, SECRETS, resourceVersion=str(sandbox.emulator.cluster.store.resource_version))
    elapsed = time.monotonic() - started
    assert names(events) == [("ADDED", "live")]
    assert 0.9 < elapsed < 3.0  # the server closes the stream after timeoutSeconds=1


def test_watch_with_selectors_sees_objects_enter_and_leave(http: httpx.Client) -> None:
    start = http.post(SECRETS, json={"metadata": {"name": "s"}}).json()["metadata"]["resourceVersion"]
    http.patch(f"{SECRETS}/s", json={"metadata": {"labels": {"app": "x"}}}, headers=MERGE)
    http.patch(f"{SECRETS}/s", json={"data": {"k": "dg=="}}, headers=MERGE)
    http.patch(f"{SECRETS}/s", json={"metadata": {"labels": {"app": "y"}}}, headers=MERGE)
    events = watch(http, SECRETS, 3, resourceVersion=start, labelSelector="app=x")
    assert names(events) == [("ADDED", "s"), ("MODIFIED", "s"), ("DELETED", "s")]


def test_watch_bookmarks_and_initial_events(sandbox: KubeSandbox, http: httpx.Client, labelled: None) -> None:
    sandbox.emulator.bookmark_interval = 0.1
    events = watch(
        http, SECRETS, 4, sendInitialEvents="true", allowWatchBookmarks="true", labelSelector="app=y"
    )
    assert names(events[:2]) == [("ADDED", "c"), ("BOOKMARK", "")]
    assert events[1]["object"]["metadata"]["annotations"] == {"k8s.io/initial-events-end": "true"}
    assert events[1]["object"]["kind"] == "Secret"
    assert len([event for event in events if event["type"] == "BOOKMARK"]) >= 3  # periodic ones follow


def test_watch_of_cluster_wide_custom_resources(
    http: httpx.Client, crd: dict[str, Any], widget: Any, widgets_url: str
) -> None:
    since = http.get("/apis/sandbox.example.com/v1/widgets").json()["metadata"]["resourceVersion"]
    http.post("/api/v1/namespaces", json={"metadata": {"name": "other"}})
    http.post(widgets_url, json=widget("w1"))
    http.post("/apis/sandbox.example.com/v1/namespaces/other/widgets", json=widget("w2"))
    events = watch(http, "/apis/sandbox.example.com/v1/widgets", 2, resourceVersion=since)
    assert [(e["object"]["metadata"]["namespace"], e["object"]["metadata"]["name"]) for e in events] == [
        ("default", "w1"),
        ("other", "w2"),
    ]
    assert all(event["object"]["kind"] == "Widget" for event in events)
    assert names(watch(http, widgets_url, 1, resourceVersion=since)) == [("ADDED", "w1")]


def test_events_are_one_resource_in_two_api_groups(http: httpx.Client) -> None:
    core = {
        "metadata": {"generateName": "w1."},
        "involvedObject": {"kind": "Widget", "name": "w1", "namespace": "default"},
        "reason": "Created",
        "message": "It works",
        "type": "Normal",
    }
    http.post("/api/v1/namespaces/default/events", json=core)
    newer = http.get("/apis/events.k8s.io/v1/namespaces/default/events").json()["items"]
    assert newer[0]["note"] == "It works"
    assert newer[0]["regarding"]["name"] == "w1"
    assert newer[0]["apiVersion"] == "events.k8s.io/v1"
    selected = http.get("/api/v1/events", params={"fieldSelector": "involvedObject.name=w1,reason=Created"})
    assert len(selected.json()["items"]) == 1
