"""Events the operator posts: who posted them, and what they say."""

from __future__ import annotations

import json
import socket
import time
from typing import Any

import kubernetes
import pytest

from outsystems_okta_sandbox.stack import Stack
from tests.e2e.conftest import NAME, NAMESPACE, Okta, resource

pytestmark = pytest.mark.e2e

COMPONENT = "outsystems-okta-operator"


def events(stack: Stack) -> list[dict[str, Any]]:
    core = kubernetes.client.CoreV1Api(stack.api)
    raw = core.list_namespaced_event(NAMESPACE, _preload_content=False)
    items: list[dict[str, Any]] = json.loads(raw.data).get("items") or []
    return [e for e in items if e["involvedObject"].get("name") == NAME]


def wait_for_events(stack: Stack, *reasons: str, timeout: float = 15.0) -> list[dict[str, Any]]:
    # Kopf posts Events in the background: they may land a moment after the status.
    deadline = time.monotonic() + timeout
    while True:
        found = events(stack)
        if set(reasons) <= {e["reason"] for e in found} or time.monotonic() > deadline:
            return found
        time.sleep(0.1)


def test_events_come_from_the_operator_and_name_groups(stack: Stack, okta: Okta) -> None:
    stack.create_credentials(NAMESPACE)
    stack.start_operator()
    stack.apply(resource(stack.okta_url, access={"groups": ["OutSystems IT"]}))
    stack.wait_ready(NAMESPACE, NAME)
    found = wait_for_events(stack, "OktaGroupAssigned", "Reconciled")

    assert {"OktaAppCreated", "OktaGroupAssigned", "SecretWritten", "Reconciled"} <= {
        e["reason"] for e in found
    }
    for event in found:  # ours and Kopf's own ("Handler ... succeeded") alike
        assert event["source"] == {"component": COMPONENT}, event
        assert event["reportingComponent"] == COMPONENT, event
        assert event["reportingInstance"] == socket.gethostname(), event
        assert event["metadata"]["name"].startswith(f"{COMPONENT}-"), event
    group = f'"OutSystems IT" ({okta.group_id("OutSystems IT")})'
    assigned = sorted(e["message"] for e in found if e["reason"] == "OktaGroupAssigned")
    assert assigned == [
        f"Assigned group {group} to Okta app 'OutSystems Consoles'",
        f"Assigned group {group} to Okta app 'OutSystems Development Tools'",
    ]
