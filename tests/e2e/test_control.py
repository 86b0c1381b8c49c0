"""Control: pause, Observe only, and drift corrections you can see, with the real operator process.

Every scenario checks Okta's own request log (the sandbox records each call) and the output Secret,
not just what the operator says about itself.
"""

from __future__ import annotations

import time
from typing import Any

import pytest

from outsystems_okta.api.constants import (
    ANNOTATION_PAUSED,
    ANNOTATION_RECONCILE_REQUESTED_AT,
    GROUP,
    PLURAL,
    VERSION,
)
from outsystems_okta_sandbox.stack import Stack
from tests.e2e.conftest import NAME, NAMESPACE, Okta, free_port, resource
from tests.e2e.test_adoption import hand_made_apps, okta_api
from tests.e2e.test_events import events, wait_for_events
from tests.e2e.test_metrics import scrape

pytestmark = pytest.mark.e2e

SECRET = f"{NAME}-lifetime"
REDIRECTS = "settings.oauthClient.redirect_uris"
IT = {"groups": ["OutSystems IT"]}


def _annotate(stack: Stack, annotations: dict[str, str | None]) -> None:
    stack.custom.patch_namespaced_custom_object(
        GROUP, VERSION, NAMESPACE, PLURAL, NAME, {"metadata": {"annotations": annotations}}
    )


def _request_pass(stack: Stack) -> None:
    _annotate(stack, {ANNOTATION_RECONCILE_REQUESTED_AT: str(time.time())})


def condition(obj: dict[str, Any] | None, type_: str) -> dict[str, Any]:
    conditions = ((obj or {}).get("status") or {}).get("conditions") or []
    return next((c for c in conditions if c["type"] == type_), {})


def drift(obj: dict[str, Any] | None) -> list[dict[str, str]]:
    return list(((obj or {}).get("status") or {}).get("drift") or [])


def _passes(okta: Okta) -> int:
    # Every pass that reads Okta starts with the authorization server.
    return sum(1 for r in okta.requests() if "/authorizationServers/" in r["path"] and r["method"] == "GET")


def _wait_passes(okta: Okta, count: int, timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while _passes(okta) < count:
        assert time.monotonic() < deadline, f"fewer than {count} passes read Okta"
        time.sleep(0.1)


def _break_okta(stack: Stack, okta: Okta, app_id: str) -> None:
    """An admin's edits in Okta: one redirect URI left on the app, and the group unassigned."""
    app = okta_api(stack, okta, "GET", f"/api/v1/apps/{app_id}")
    app["settings"]["oauthClient"]["redirect_uris"] = app["settings"]["oauthClient"]["redirect_uris"][:1]
    app.pop("_links", None)
    okta_api(stack, okta, "PUT", f"/api/v1/apps/{app_id}", app)
    okta_api(stack, okta, "DELETE", f"/api/v1/apps/{app_id}/groups/{okta.group_id('OutSystems IT')}")


def _secret_version(stack: Stack) -> str | None:
    secret = stack.read_secret(NAMESPACE, SECRET)
    return None if secret is None else str(secret["metadata"]["resourceVersion"])


def _reasons(stack: Stack) -> list[str]:
    return [e["reason"] for e in events(stack)]


def test_pause_stops_every_write_and_resuming_converges(stack: Stack, okta: Okta) -> None:
    stack.create_credentials(NAMESPACE)
    stack.start_operator()
    stack.apply(resource(stack.okta_url, access=IT))
    obj = stack.wait_ready(NAMESPACE, NAME)
    ready_before = condition(obj, "Ready")
    consoles = obj["status"]["consoles"]["appId"]
    secret_before = _secret_version(stack)

    _annotate(stack, {ANNOTATION_PAUSED: "true"})
    obj = stack.wait_for(NAMESPACE, NAME, lambda o: condition(o, "Paused").get("status") == "True")
    assert condition(obj, "Paused")["reason"] == "Paused"

    # While paused: an admin edits Okta, and the spec gains an environment.
    _break_okta(stack, okta, consoles)
    okta.clear_requests()
    three = [{"name": f"env{i}", "hostname": f"env{i}.acme.com"} for i in range(3)]
    stack.patch_spec(NAMESPACE, NAME, {"environments": three})
    obj = stack.wait_for(
        NAMESPACE,
        NAME,
        lambda o: any(d["field"] == REDIRECTS and "env2.acme.com" in d["wanted"] for d in drift(o)),
    )
    _request_pass(stack)  # a second paused pass: still no write, and no second Paused Event
    _wait_passes(okta, 2)
    obj = stack.get(NAMESPACE, NAME)

    assert okta.writes() == [], "a paused resource wrote to Okta"
    assert _secret_version(stack) == secret_before, "a paused resource wrote the Secret"
    assert condition(obj, "Ready") == ready_before, "Ready must keep its last value while paused"
    assert obj is not None and obj["status"]["observedGeneration"] == 1
    found = {(d["app"], d["field"]) for d in drift(obj)}
    assert {("consoles", REDIRECTS), ("consoles", "groups"), ("developmentTools", REDIRECTS)} <= found
    assert condition(obj, "Synced")["status"] == "False"
    assert _reasons(stack).count("Paused") == 1

    _annotate(stack, {ANNOTATION_PAUSED: None})
    obj = stack.wait_ready(NAMESPACE, NAME)
    assert obj["metadata"]["generation"] == 2
    assert condition(obj, "Paused")["status"] == "False" and condition(obj, "Paused")["reason"] == "Resumed"
    assert condition(obj, "Synced") == {} and drift(obj) == []
    redirects = okta.app(consoles)["settings"]["oauthClient"]["redirect_uris"]
    assert any("env2.acme.com" in uri for uri in redirects)
    assert okta.group_id("OutSystems IT") in okta.assigned_group_ids(consoles)
    assert _secret_version(stack) == secret_before  # the Secret's values did not change
    found_events = wait_for_events(stack, "Resumed")
    # Writes after a spec change are not drift corrections, even with the admin's edits among them.
    assert "DriftCorrected" not in [e["reason"] for e in found_events]
    assert "lastDriftCorrection" not in obj["status"]


def test_deleting_a_paused_resource_waits_until_it_is_resumed(stack: Stack, okta: Okta) -> None:
    stack.create_credentials(NAMESPACE)
    stack.start_operator()
    stack.apply(resource(stack.okta_url, access=IT, deletionPolicy="Delete"))
    obj = stack.wait_ready(NAMESPACE, NAME)
    app_ids = {obj["status"]["consoles"]["appId"], obj["status"]["developmentTools"]["appId"]}
    _annotate(stack, {ANNOTATION_PAUSED: "true"})
    stack.wait_for(NAMESPACE, NAME, lambda o: condition(o, "Paused").get("status") == "True")
    okta.clear_requests()

    stack.delete(NAMESPACE, NAME)
    obj = stack.wait_for(
        NAMESPACE, NAME, lambda o: "Deletion waits" in condition(o, "Paused").get("message", "")
    )
    assert obj is not None and obj["metadata"].get("deletionTimestamp")
    time.sleep(1.0)
    assert stack.get(NAMESPACE, NAME) is not None, "a paused resource went without honouring deletionPolicy"
    assert okta.requests() == [], "a paused deletion called Okta"
    assert app_ids <= {a["id"] for a in okta.apps() if a["status"] != "DELETED"}
    assert "DeletionPaused" in [e["reason"] for e in wait_for_events(stack, "DeletionPaused")]

    _annotate(stack, {ANNOTATION_PAUSED: None})
    stack.wait_for(NAMESPACE, NAME, lambda o: o is None, timeout=30.0)
    assert not app_ids & {a["id"] for a in okta.apps() if a["status"] != "DELETED"}, "deletionPolicy Delete"


def test_observe_a_fresh_resource_reports_missing_apps_and_writes_nothing(stack: Stack, okta: Okta) -> None:
    stack.create_credentials(NAMESPACE)
    stack.start_operator()
    okta.clear_requests()
    stack.apply(resource(stack.okta_url, access=IT, managementPolicy="Observe"))
    obj = stack.wait_for(NAMESPACE, NAME, lambda o: condition(o, "Ready").get("status") == "False")
    assert condition(obj, "Ready")["reason"] == "ObservedAppNotFound"
    assert condition(obj, "Synced")["status"] == "False"
    assert drift(obj) == [
        {"app": "consoles", "field": "app", "wanted": "present", "found": "absent"},
        {"app": "developmentTools", "field": "app", "wanted": "present", "found": "absent"},
    ]
    assert okta.writes() == [] and okta.apps() == []
    assert stack.read_secret(NAMESPACE, SECRET) is None


def test_observe_adopted_apps_lists_every_difference_and_writes_nothing(stack: Stack, okta: Okta) -> None:
    web, native = hand_made_apps(stack, okta)
    before = {app["id"]: okta.app(app["id"]) for app in (web, native)}
    okta.clear_requests()
    stack.create_credentials(NAMESPACE)
    stack.start_operator()
    adopt = {"consolesAppId": web["id"], "developmentToolsAppId": native["id"]}
    stack.apply(resource(stack.okta_url, access=IT, managementPolicy="Observe", adopt=adopt))
    obj = stack.wait_for(NAMESPACE, NAME, lambda o: condition(o, "Synced").get("status") == "False")
    assert condition(obj, "Ready")["status"] == "True" and condition(obj, "Ready")["reason"] == "Observed"
    found = [(d["app"], d["field"]) for d in drift(obj)]
    assert ("consoles", REDIRECTS) in found and ("developmentTools", REDIRECTS) in found
    assert ("consoles", "groups") in found
    assert not any("outsystemsOktaOperator" in field for _, field in found), "the marker is not drift"
    assert okta.writes() == []
    assert {app_id: okta.app(app_id) for app_id in before} == before
    assert stack.read_secret(NAMESPACE, SECRET) is None
    secrets = {s for app in (web, native) for s in _client_secrets(stack, okta, app["id"])}
    assert secrets and not any(s in str(obj["status"]) for s in secrets)


def _client_secrets(stack: Stack, okta: Okta, app_id: str) -> list[str]:
    listed = okta_api(stack, okta, "GET", f"/api/v1/apps/{app_id}/credentials/secrets")
    return [s["client_secret"] for s in listed if s.get("client_secret")]


def test_observe_managed_apps_sees_drift_and_in_sync_after_okta_is_fixed(stack: Stack, okta: Okta) -> None:
    stack.create_credentials(NAMESPACE)
    stack.start_operator()
    stack.apply(resource(stack.okta_url, access=IT))
    obj = stack.wait_ready(NAMESPACE, NAME)
    consoles = obj["status"]["consoles"]["appId"]
    secret_before = _secret_version(stack)
    stack.patch_spec(NAMESPACE, NAME, {"managementPolicy": "Observe"})
    obj = stack.wait_ready(NAMESPACE, NAME)
    assert condition(obj, "Ready")["reason"] == "Observed" and condition(obj, "Synced")["status"] == "True"

    original = okta.app(consoles)
    _break_okta(stack, okta, consoles)
    okta.clear_requests()
    _request_pass(stack)
    obj = stack.wait_for(NAMESPACE, NAME, lambda o: condition(o, "Synced").get("status") == "False")
    assert [(d["app"], d["field"]) for d in drift(obj)] == [("consoles", REDIRECTS), ("consoles", "groups")]
    assert drift(obj)[1]["wanted"].startswith('"OutSystems IT"') and drift(obj)[1]["found"] == "not assigned"
    assert condition(obj, "Ready")["status"] == "True"  # Observe: the apps exist; Synced says they differ
    assert okta.writes() == [] and _secret_version(stack) == secret_before

    # An admin puts Okta back by hand: Synced turns True, drift is cleared.
    fixed = dict(original)
    fixed.pop("_links", None)
    okta_api(stack, okta, "PUT", f"/api/v1/apps/{consoles}", fixed)
    okta_api(stack, okta, "PUT", f"/api/v1/apps/{consoles}/groups/{okta.group_id('OutSystems IT')}", {})
    okta.clear_requests()
    _request_pass(stack)
    obj = stack.wait_for(NAMESPACE, NAME, lambda o: condition(o, "Synced").get("status") == "True")
    assert drift(obj) == [] and okta.writes() == []
    assert {"DriftObserved", "InSync"} <= {e["reason"] for e in wait_for_events(stack, "InSync")}


def test_manage_corrects_drift_and_names_the_fields(stack: Stack, okta: Okta) -> None:
    port = free_port()
    stack.create_credentials(NAMESPACE)
    stack.start_operator("--metrics-port", str(port))
    stack.apply(resource(stack.okta_url, access=IT))
    obj = stack.wait_ready(NAMESPACE, NAME)
    consoles = obj["status"]["consoles"]["appId"]
    wanted = okta.app(consoles)["settings"]["oauthClient"]["redirect_uris"]

    _break_okta(stack, okta, consoles)
    _request_pass(stack)
    obj = stack.wait_for(NAMESPACE, NAME, lambda o: "lastDriftCorrection" in ((o or {}).get("status") or {}))
    correction = obj["status"]["lastDriftCorrection"]
    assert correction["fields"] == [f"consoles/{REDIRECTS}", "consoles/groups"]
    assert correction["generation"] == 1
    assert okta.app(consoles)["settings"]["oauthClient"]["redirect_uris"] == wanted
    assert okta.group_id("OutSystems IT") in okta.assigned_group_ids(consoles)
    [event] = [e for e in wait_for_events(stack, "DriftCorrected") if e["reason"] == "DriftCorrected"]
    assert f"consoles/{REDIRECTS}" in event["message"] and "consoles/groups" in event["message"]

    counted = {
        (dict(labels)["app"], dict(labels)["field"]): value
        for labels, value in scrape(port)["outsystems_okta_drift_corrections_total"].items()
    }
    assert counted == {("consoles", REDIRECTS): 1.0, ("consoles", "groups"): 1.0}
