"""The bad-input corpus (tests/corpus), end to end: the pass-time cases marked `e2e` through the real
operator process, one namespace per case, all at once. Each ends Ready=False with its reason, one
Warning Event, no Okta write and no traceback in the operator's log; the operator keeps running."""

from __future__ import annotations

import base64
import json
import time
from typing import Any

import kubernetes
import pytest

from outsystems_okta_sandbox.stack import Stack
from tests.corpus import CREDENTIALS, Case, load, token_value
from tests.e2e.conftest import Okta

pytestmark = pytest.mark.e2e

CASES = [case for case in load() if case.e2e]
TIMEOUT = 20.0


def _namespace(case: Case) -> str:
    return f"corpus-{case.id}"[:63]


def _arrange(stack: Stack, case: Case) -> None:
    namespace = _namespace(case)
    stack.ensure_namespace(namespace)
    core = kubernetes.client.CoreV1Api(stack.api)
    stored = token_value(case, stack.okta_token)
    if stored is not None:
        key = case.credentials.get("key", "apiToken")
        core.create_namespaced_secret(
            namespace,
            {
                "apiVersion": "v1",
                "kind": "Secret",
                "metadata": {"name": CREDENTIALS, "namespace": namespace},
                "data": {key: base64.b64encode(stored).decode()},
            },
        )
    for other in case.secrets:
        core.create_namespaced_secret(
            namespace,
            {
                "apiVersion": "v1",
                "kind": "Secret",
                "metadata": {"name": other["name"], "namespace": namespace},
                "stringData": {"config": "not the operator's"},
            },
        )
    stack.apply(
        {
            "apiVersion": "okta.outsystems.dev/v1alpha1",
            "kind": "OutSystemsOktaIntegration",
            "metadata": {"name": case.name, "namespace": namespace},
            "spec": case.spec(stack.okta_url),
        }
    )


def _ready(stack: Stack, case: Case) -> dict[str, Any]:
    obj = stack.get(_namespace(case), case.name) or {}
    conditions = (obj.get("status") or {}).get("conditions") or []
    return next((c for c in conditions if c["type"] == "Ready"), {})


def _warnings(stack: Stack, case: Case) -> list[tuple[str, str]]:
    core = kubernetes.client.CoreV1Api(stack.api)
    raw = core.list_namespaced_event(_namespace(case), _preload_content=False)
    items: list[dict[str, Any]] = json.loads(raw.data).get("items") or []
    return [
        (e["reason"], e["message"])
        for e in items
        if e.get("type") == "Warning" and e["involvedObject"].get("name") == case.name
    ]


def test_the_operator_refuses_each_case_with_its_reason_and_one_event(stack: Stack, okta: Okta) -> None:
    assert len(CASES) >= 4
    stack.start_operator()
    for case in CASES:
        _arrange(stack, case)

    deadline = time.monotonic() + TIMEOUT
    pending = list(CASES)
    while pending and time.monotonic() < deadline:
        stack.check_operator_alive()
        pending = [c for c in pending if _ready(stack, c).get("reason") != c.expect["reason"]]
        time.sleep(0.1)
    assert pending == [], {c.id: _ready(stack, c) for c in pending}

    for case in CASES:
        ready = _ready(stack, case)
        assert ready["status"] == "False", case.id
        for fragment in case.messages():
            assert fragment in ready["message"], (case.id, ready["message"])
        # Kopf posts Events in the background: give the last ones a moment.
        events = _warnings(stack, case)
        for _ in range(50):
            if events:
                break
            time.sleep(0.1)
            events = _warnings(stack, case)
        assert events == [(case.expect["reason"], ready["message"])], case.id
    assert okta.writes() == []
    assert all(r["method"] == "GET" for r in okta.requests())
    stack.check_operator_alive()
    log = stack.operator_log.read_text(errors="replace")
    assert "Traceback" not in log
    assert "Reconcile failed unexpectedly" not in log
