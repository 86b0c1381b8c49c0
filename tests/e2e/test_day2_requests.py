"""A day-2 annotation runs a pass at once; another tool's annotation does not."""

from __future__ import annotations

import time

import pytest

from outsystems_okta.api.constants import ANNOTATION_RECONCILE_REQUESTED_AT, GROUP, PLURAL, VERSION
from outsystems_okta_sandbox.stack import Stack
from tests.e2e.conftest import NAME, NAMESPACE, Okta, resource

pytestmark = pytest.mark.e2e


def _annotate(stack: Stack, annotations: dict[str, str]) -> None:
    stack.custom.patch_namespaced_custom_object(
        GROUP, VERSION, NAMESPACE, PLURAL, NAME, {"metadata": {"annotations": annotations}}
    )


def _passes(okta: Okta) -> int:
    # Every pass starts by reading the authorization server.
    return sum(1 for r in okta.requests() if "/authorizationServers/" in r["path"] and r["method"] == "GET")


def _wait_for_pass(okta: Okta, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if _passes(okta):
            return True
        time.sleep(0.1)
    return False


def test_a_day2_annotation_runs_a_pass_and_another_annotation_does_not(stack: Stack, okta: Okta) -> None:
    stack.create_credentials(NAMESPACE)
    stack.start_operator()
    stack.apply(resource(stack.okta_url))
    stack.wait_ready(NAMESPACE, NAME)
    okta.clear_requests()

    _annotate(stack, {"example.com/owner": "team-a"})
    assert not _wait_for_pass(okta, 3.0)

    _annotate(stack, {ANNOTATION_RECONCILE_REQUESTED_AT: "2026-12-02T10:00:00Z"})
    assert _wait_for_pass(okta, 5.0)


def test_a_request_longer_than_status_can_hold_is_echoed_cut_and_status_keeps_working(
    stack: Stack, okta: Okta
) -> None:
    stack.create_credentials(NAMESPACE)
    stack.start_operator()
    stack.apply(resource(stack.okta_url))
    stack.wait_ready(NAMESPACE, NAME)
    value = "r" * 300  # an annotation may be this long; the status field that echoes it may not

    _annotate(stack, {ANNOTATION_RECONCILE_REQUESTED_AT: value})

    echoed = stack.wait_for(
        NAMESPACE, NAME, lambda obj: bool(obj and (obj.get("status") or {}).get("lastHandledReconcileAt"))
    )
    assert echoed is not None
    assert echoed["status"]["lastHandledReconcileAt"] == value[:256]
    ready = next(c for c in echoed["status"]["conditions"] if c["type"] == "Ready")
    assert ready["status"] == "True"
