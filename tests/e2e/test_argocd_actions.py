"""End to end: the Argo CD resource actions (deploy/argocd/actions) drive the real operator.

Each step does what argocd-server does for an action: discovery on the live object, the action's Lua
on it, and the merge patch between the two sent to the API server; then the operator must react as
the annotation says. The live objects in each state are also what the shipped testdata must look like.
"""

from __future__ import annotations

from typing import Any

import pytest

from outsystems_okta.api.constants import GROUP, PLURAL, VERSION
from outsystems_okta_sandbox.stack import Stack
from tests.e2e.conftest import NAME, NAMESPACE, REPO, Okta, assert_no_secret_leaks, resource
from tests.unit.argocd.argocd_lua import load_yaml, merge_patch, plain, run_action, run_discovery

pytestmark = pytest.mark.e2e

TESTDATA = REPO / "deploy" / "argocd" / "testdata"


def live(stack: Stack) -> dict[str, Any]:
    obj = stack.get(NAMESPACE, NAME)
    assert obj is not None
    return obj


def offered(obj: dict[str, Any]) -> set[str]:
    return {name for name, action in run_discovery(obj).items() if not action.get("disabled", False)}


def run(stack: Stack, name: str) -> str | None:
    """Run one action as argocd-server does; returns the annotation value it set (None: removed)."""
    obj = live(stack)
    assert name in offered(obj), f"{name} is not offered: {run_discovery(obj)}"
    patch = merge_patch(plain(obj), run_action(name, obj))
    assert set(patch) == {"metadata"} and set(patch["metadata"]) == {"annotations"}, patch
    ((_, value),) = patch["metadata"]["annotations"].items()
    stack.custom.patch_namespaced_custom_object(GROUP, VERSION, NAMESPACE, PLURAL, NAME, patch)
    return value if value is None else str(value)


def condition(obj: dict[str, Any] | None, kind: str) -> dict[str, Any]:
    conditions = ((obj or {}).get("status") or {}).get("conditions") or []
    return next((c for c in conditions if c["type"] == kind), {})


def rotation(obj: dict[str, Any] | None) -> dict[str, Any]:
    return dict(((obj or {}).get("status") or {}).get("clientSecretRotation") or {})


def test_every_action_through_the_operator(stack: Stack, okta: Okta) -> None:
    stack.create_credentials(NAMESPACE)
    stack.start_operator()
    stack.apply(resource(stack.okta_url, environments=1))
    stack.wait_ready(NAMESPACE, NAME)
    assert offered(live(stack)) == {"reconcile-now", "pause", "rotate-client-secret"}

    value = run(stack, "reconcile-now")
    stack.wait_for(
        NAMESPACE, NAME, lambda o: (o or {}).get("status", {}).get("lastHandledReconcileAt") == value
    )

    run(stack, "pause")
    paused = stack.wait_for(NAMESPACE, NAME, lambda o: condition(o, "Paused").get("status") == "True")
    assert offered(paused) == {"reconcile-now", "resume", "rotate-client-secret"}
    run(stack, "resume")
    resumed = stack.wait_for(NAMESPACE, NAME, lambda o: condition(o, "Paused").get("status") == "False")
    assert offered(resumed) == {"reconcile-now", "pause", "rotate-client-secret"}

    requested = run(stack, "rotate-client-secret")
    assert "rotate-client-secret" not in offered(live(stack)), "not offered again while it waits"
    awaiting = stack.wait_for(
        NAMESPACE,
        NAME,
        lambda o: (
            rotation(o).get("phase") == "AwaitingConfirmation" and rotation(o).get("requested") == requested
        ),
    )
    assert offered(awaiting) == {"reconcile-now", "pause", "confirm-client-secret-rotation"}
    assert f"'{requested}'" in run_discovery(awaiting)["confirm-client-secret-rotation"]["displayName"]

    assert run(stack, "confirm-client-secret-rotation") == requested
    completed = stack.wait_for(NAMESPACE, NAME, lambda o: rotation(o).get("phase") == "Completed")
    assert offered(completed) == {"reconcile-now", "pause", "rotate-client-secret"}
    secrets = okta.state()["secrets"]
    app_id = completed["status"]["consoles"]["appId"]
    assert len(secrets.get(app_id, []) if isinstance(secrets, dict) else secrets) == 1, "old one deleted"

    # The shipped testdata for the same state has the shape the operator writes.
    sample = load_yaml(TESTDATA / "healthy-rotation-completed.yaml")
    assert set(sample["status"]["clientSecretRotation"]) == set(rotation(completed))
    assert set(sample["status"]) == set(completed["status"])
    assert_no_secret_leaks(stack, okta)
