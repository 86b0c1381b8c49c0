"""deploy/argocd: the Argo CD health check (run the way Argo CD runs it) and the argocd-cm snippet.

Argo CD runs an argocd-cm health script in gopher-lua (Lua 5.1) with only the package, base and table
libraries and a reduced `os` (`util/lua/lua.go`, `runLua`: `SkipOpenLibs` unless `useOpenLibs`). The
object becomes the global `obj` (`decodeValue`: maps are tables, lists are 1-based arrays, numbers are
Lua numbers, nulls are absent) and the script's returned table is read as `{status, message}`.
`run_health` does the same in lupa's Lua 5.1 with the same libraries.
"""

from __future__ import annotations

import copy
import json
import shutil
import subprocess
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import kopf
import pytest
import yaml
from lupa import lua51
from tests.unit.argocd.argocd_lua import ARGOCD, load_yaml, new_runtime, to_lua

from outsystems_okta.api.constants import ANNOTATION_PREFIX, FINALIZER, GROUP, KIND
from outsystems_okta.api.rotation import RotationPhase
from outsystems_okta.handlers import OperatorConfig, build_registry
from outsystems_okta.plan.conditions import HEALTHY, TERMINAL, TRANSIENT, Reason

HEALTH_LUA = ARGOCD / "health.lua"
HEALTH_TEST = ARGOCD / "health_test.yaml"
CM_PATCH = ARGOCD / "argocd-cm-patch.yaml"
HEALTH_KEY = f"resource.customizations.health.{GROUP}_{KIND}"
IGNORE_KEY = f"resource.customizations.ignoreResourceUpdates.{GROUP}_{KIND}"

VALID_STATUSES = {"Healthy", "Progressing", "Degraded", "Suspended", "Missing", "Unknown"}


def run_health(obj: Mapping[str, Any], script: str | None = None) -> dict[str, str]:
    lua = new_runtime()
    lua.globals().obj = to_lua(lua, obj)
    result = lua.execute(script if script is not None else HEALTH_LUA.read_text())
    assert result is not None and lupa_type(result) == "table", "the script must return a table"
    health = {str(k): v for k, v in result.items()}
    assert set(health) <= {"status", "message"}, health
    assert health.get("status") in VALID_STATUSES, health
    assert isinstance(health.get("message"), str), health
    return {"status": str(health["status"]), "message": str(health["message"])}


def lupa_type(value: Any) -> str:
    return str(lua51.lua_type(value))


# --- health_test.yaml, exactly as Argo CD's resource_customizations tests run it ---------------------


def _health_tests() -> list[dict[str, Any]]:
    tests: list[dict[str, Any]] = load_yaml(HEALTH_TEST)["tests"]
    return tests


@pytest.mark.parametrize("case", _health_tests(), ids=lambda case: Path(case["inputPath"]).stem)
def test_health_test_yaml_case(case: dict[str, Any]) -> None:
    obj = load_yaml(ARGOCD / case["inputPath"])
    assert run_health(obj) == case["healthStatus"]


def test_every_testdata_file_is_a_case_and_every_state_is_covered() -> None:
    paths = {case["inputPath"] for case in _health_tests()}
    on_disk = {f"testdata/{path.name}" for path in (ARGOCD / "testdata").glob("*.yaml")}
    assert paths == on_disk
    statuses = {case["healthStatus"]["status"] for case in _health_tests()}
    assert statuses == {"Healthy", "Progressing", "Degraded", "Suspended"}
    for case in _health_tests():
        obj = load_yaml(ARGOCD / case["inputPath"])
        assert (obj["apiVersion"], obj["kind"]) == (f"{GROUP}/v1alpha1", KIND)
        # Named after the state they show, like Argo CD's own testdata.
        stem = Path(case["inputPath"]).stem
        assert stem.split("-")[0] in {case["healthStatus"]["status"].lower(), "terminating"}


# --- every reason, built from the operator's own classification --------------------------------------


def _obj(
    *,
    generation: int = 2,
    observed: int | None = 2,
    ready: str | None = "True",
    reason: str = "Reconciled",
    message: str | None = "Okta apps and Secret 'factory-lifetime' match the spec",
    condition_generation: int | None = None,
) -> dict[str, Any]:
    obj: dict[str, Any] = copy.deepcopy(load_yaml(ARGOCD / "testdata" / "healthy.yaml"))
    obj["metadata"]["generation"] = generation
    status = obj["status"]
    if observed is None:
        status.pop("observedGeneration")
    else:
        status["observedGeneration"] = observed
    if ready is None:
        status["conditions"] = []
    else:
        condition = status["conditions"][0]
        condition.update(status=ready, reason=reason, observedGeneration=condition_generation or observed)
        if message is None:
            condition.pop("message")
        else:
            condition["message"] = message
    return obj


def test_reason_partition_is_complete() -> None:
    assert TRANSIENT.isdisjoint(TERMINAL)
    assert HEALTHY.isdisjoint(TERMINAL | TRANSIENT)
    # Paused is a pass's outcome only (metrics, logs): Ready keeps its value, the Paused condition shows it.
    assert set(Reason) == HEALTHY | TERMINAL | TRANSIENT | {Reason.PAUSED}, (
        "a new Reason: add it to TERMINAL or to TRANSIENT here, and to health.lua if terminal"
    )


@pytest.mark.parametrize("reason", sorted(TERMINAL), ids=str)
def test_terminal_reason_is_degraded(reason: Reason) -> None:
    health = run_health(_obj(ready="False", reason=reason.value, message="fix this"))
    assert health == {"status": "Degraded", "message": f"{reason.value}: fix this"}


@pytest.mark.parametrize("reason", sorted(TRANSIENT), ids=str)
def test_transient_reason_is_progressing(reason: Reason) -> None:
    health = run_health(_obj(ready="False", reason=reason.value, message="retrying in 30s"))
    assert health == {"status": "Progressing", "message": f"{reason.value}: retrying in 30s"}


@pytest.mark.parametrize(
    ("attempts", "status"),
    [(None, "Progressing"), (1, "Progressing"), (4, "Progressing"), (5, "Degraded"), (12, "Degraded")],
)
def test_an_unreachable_org_is_degraded_from_the_fifth_pass_in_a_row(
    attempts: int | None, status: str
) -> None:
    obj = _obj(ready="False", reason=Reason.OKTA_UNREACHABLE.value, message="ConnectError")
    if attempts is not None:
        obj["status"]["failedAttempts"] = attempts
    health = run_health(obj)
    suffix = f" ({attempts} passes in a row)" if status == "Degraded" else ""
    assert health == {"status": status, "message": f"OktaUnreachable: ConnectError{suffix}"}


@pytest.mark.parametrize("reason", sorted(TRANSIENT - {Reason.OKTA_UNREACHABLE}), ids=str)
def test_other_transient_reasons_stay_progressing_however_often_they_fail(reason: Reason) -> None:
    obj = _obj(ready="False", reason=reason.value, message="retrying")
    obj["status"]["failedAttempts"] = 50
    assert run_health(obj)["status"] == "Progressing"


def test_an_unreachable_org_of_an_older_generation_is_progressing() -> None:
    # The user fixed the orgUrl; the operator has not looked at the fix yet.
    obj = _obj(generation=3, observed=2, ready="False", reason=Reason.OKTA_UNREACHABLE.value)
    obj["status"]["failedAttempts"] = 9
    assert run_health(obj)["status"] == "Progressing"


@pytest.mark.parametrize("reason", sorted(TERMINAL), ids=str)
def test_terminal_reason_of_an_older_generation_is_progressing(reason: Reason) -> None:
    # The user fixed the spec; the operator has not looked at the fix yet.
    health = run_health(_obj(generation=3, observed=2, ready="False", reason=reason.value))
    assert health == {
        "status": "Progressing",
        "message": "Waiting for the operator to reconcile generation 3 (last reconciled: 2)",
    }


@pytest.mark.parametrize("ready", ["False", "Unknown"])
def test_unknown_reason_is_progressing(ready: str) -> None:
    health = run_health(_obj(ready=ready, reason="SomethingNew", message="hm"))
    assert health == {"status": "Progressing", "message": "SomethingNew: hm"}


@pytest.mark.parametrize(
    ("generation", "observed"), [(2, 2), (3, 2), (5, None)], ids=["current", "stale", "never"]
)
def test_paused_is_suspended_whatever_the_generation(generation: int, observed: int | None) -> None:
    obj = _obj(generation=generation, observed=observed)
    obj["status"]["conditions"].append(_condition("Paused", "True", "Paused", "no writes"))
    assert run_health(obj) == {"status": "Suspended", "message": "Paused: no writes"}


@pytest.mark.parametrize("ready", ["True", "False"])
def test_paused_wins_over_ready_whatever_its_value(ready: str) -> None:
    obj = _obj(ready=ready, reason="Reconciled" if ready == "True" else "OktaForbidden")
    obj["status"]["conditions"].append(_condition("Paused", "True", "Paused", "no writes"))
    assert run_health(obj)["status"] == "Suspended"


def test_resumed_is_not_suspended() -> None:
    obj = _obj()
    obj["status"]["conditions"].append(_condition("Paused", "False", "Resumed", "acting again"))
    assert run_health(obj)["status"] == "Healthy"


def _condition(type_: str, status: str, reason: str, message: str) -> dict[str, Any]:
    return {
        "type": type_,
        "status": status,
        "reason": reason,
        "message": message,
        "lastTransitionTime": "2026-12-02T03:00:00Z",
        "observedGeneration": 2,
    }


def test_observe_with_drift_is_healthy_and_says_what_differs() -> None:
    # Observe: the user asked the operator to look, not to fix; drift is news, not a failure.
    obj = _obj(reason="Observed", message="Observing both apps")
    obj["status"]["conditions"].append(_condition("Synced", "False", "Drifted", "2 difference(s)"))
    assert run_health(obj) == {"status": "Healthy", "message": "Observe: 2 difference(s)"}


def test_observe_in_sync_is_healthy_with_ready_message() -> None:
    obj = _obj(reason="Observed", message="Observing both apps")
    obj["status"]["conditions"].append(_condition("Synced", "True", "InSync", "Okta matches the spec"))
    assert run_health(obj) == {"status": "Healthy", "message": "Observing both apps"}


def test_observe_without_apps_is_degraded() -> None:
    obj = _obj(ready="False", reason="ObservedAppNotFound", message="no app")
    obj["status"]["conditions"].append(_condition("Synced", "False", "Drifted", "1 difference(s)"))
    assert run_health(obj) == {"status": "Degraded", "message": "ObservedAppNotFound: no app"}


def test_ready_true_and_current_is_healthy() -> None:
    health = run_health(_obj())
    assert health == {
        "status": "Healthy",
        "message": "Okta apps and Secret 'factory-lifetime' match the spec",
    }


def test_ready_true_without_a_message() -> None:
    assert run_health(_obj(message=None)) == {"status": "Healthy", "message": "Reconciled"}


def test_degraded_without_a_message_shows_the_reason() -> None:
    health = run_health(_obj(ready="False", reason="OktaForbidden", message=None))
    assert health == {"status": "Degraded", "message": "OktaForbidden"}


@pytest.mark.parametrize(
    ("generation", "observed", "expected"),
    [
        (3, 2, "Waiting for the operator to reconcile generation 3 (last reconciled: 2)"),
        (1, None, "Waiting for the operator to reconcile generation 1 (last reconciled: none)"),
        (2, 3, "Waiting for the operator to reconcile generation 2 (last reconciled: 3)"),
    ],
)
def test_ready_true_for_another_generation_is_progressing(
    generation: int, observed: int | None, expected: str
) -> None:
    health = run_health(_obj(generation=generation, observed=observed))
    assert health == {"status": "Progressing", "message": expected}


def test_a_stale_ready_condition_is_progressing() -> None:
    health = run_health(_obj(generation=3, observed=3, condition_generation=2))
    assert health == {"status": "Progressing", "message": "Waiting for the Ready condition of generation 3"}


@pytest.mark.parametrize(
    ("status", "message"),
    [
        (None, "Waiting for the operator to reconcile the resource"),
        ({}, "Waiting for the operator to reconcile the resource"),
        ({"observedGeneration": 2}, "Waiting for the operator to reconcile the resource"),
        ({"observedGeneration": 2, "conditions": []}, "Waiting for the Ready condition"),
        (
            {"observedGeneration": 2, "conditions": [{"type": "Other", "status": "True"}]},
            "Waiting for the Ready condition",
        ),
    ],
    ids=["no-status", "empty-status", "no-conditions", "empty-conditions", "no-ready"],
)
def test_not_yet_reconciled_is_progressing(status: dict[str, Any] | None, message: str) -> None:
    obj = _obj()
    obj.pop("status")
    if status is not None:
        obj["status"] = status
    assert run_health(obj) == {"status": "Progressing", "message": message}


@pytest.mark.parametrize("reason", ["Reconciled", "OktaForbidden", "Paused"])
def test_deletion_is_pending_whatever_the_condition(reason: str) -> None:
    obj = _obj(ready="True" if reason == "Reconciled" else "False", reason=reason)
    obj["metadata"]["deletionTimestamp"] = "2026-11-27T03:02:56Z"
    obj["metadata"]["finalizers"] = [FINALIZER]
    assert run_health(obj) == {"status": "Progressing", "message": "Pending deletion"}


def test_minimal_object_does_not_fail() -> None:
    assert run_health({"apiVersion": f"{GROUP}/v1alpha1", "kind": KIND})["status"] == "Progressing"


def test_the_sandbox_is_as_strict_as_argo_cd() -> None:
    # Guards the harness itself: the string library and string methods are gone, base and table remain.
    probe = """
        local ok = pcall(function() return ("x"):upper() end)
        return {status = "Healthy", message = tostring(string == nil and math == nil and not ok
            and table.concat ~= nil and ipairs ~= nil and os.execute == nil)}
    """
    assert run_health({}, probe)["message"] == "true"


# --- the argocd-cm snippet ---------------------------------------------------------------------------


def _cm() -> dict[str, Any]:
    cm: dict[str, Any] = load_yaml(CM_PATCH)
    return cm


def test_snippet_health_lua_is_health_lua_verbatim() -> None:
    cm = _cm()
    assert (cm["apiVersion"], cm["kind"], cm["metadata"]["name"]) == ("v1", "ConfigMap", "argocd-cm")
    assert cm["data"][HEALTH_KEY] == HEALTH_LUA.read_text(), (
        "argocd-cm-patch.yaml must carry deploy/argocd/health.lua verbatim"
    )


def _ignore_rules() -> dict[str, list[str]]:
    rules: dict[str, list[str]] = yaml.safe_load(_cm()["data"][IGNORE_KEY])
    assert set(rules) <= {"jsonPointers", "jqPathExpressions", "managedFieldsManagers"}
    return rules


def kopf_annotation_keys() -> set[str]:
    """Every annotation key the operator's Kopf configuration can write on the resource."""
    registry = build_registry(OperatorConfig())
    progress = kopf.AnnotationsProgressStorage(prefix=ANNOTATION_PREFIX)
    diffbase = kopf.AnnotationsDiffBaseStorage(prefix=ANNOTATION_PREFIX)
    handler_ids = {
        handler.id
        for handler in [*registry._changing.get_all_handlers(), *registry._spawning.get_all_handlers()]
    }
    assert {"reconcile", "reconcile/spec", "scheduler", "finalize"} <= handler_ids
    keys = {key for handler_id in handler_ids for key in progress.make_keys(handler_id)}
    keys |= set(progress.make_keys(progress.touch_key))
    keys |= set(diffbase.make_keys(diffbase.key))
    keys.add(f"{ANNOTATION_PREFIX}/kopf-managed")  # Kopf's marker for a custom prefix
    return keys


def _remove_pointer(doc: dict[str, Any], pointer: str) -> None:
    """RFC 6902 `remove`; a missing path is skipped, as Argo CD skips it."""
    *parents, last = [p.replace("~1", "/").replace("~0", "~") for p in pointer.split("/")[1:]]
    node: Any = doc
    for part in parents:
        if not isinstance(node, dict) or part not in node:
            return
        node = node[part]
    if isinstance(node, dict):
        node.pop(last, None)


def _annotated(keys: set[str]) -> dict[str, Any]:
    obj: dict[str, Any] = copy.deepcopy(load_yaml(ARGOCD / "testdata" / "healthy.yaml"))
    obj["metadata"]["annotations"].update({key: "{}" for key in keys})
    return obj


KEPT = {"argocd.argoproj.io/tracking-id", "kubectl.kubernetes.io/last-applied-configuration"}


def test_kopf_keys_all_carry_our_prefix() -> None:
    keys = kopf_annotation_keys()
    assert keys and all(key.startswith(f"{ANNOTATION_PREFIX}/") for key in keys), keys


def test_json_pointers_remove_every_kopf_annotation_and_keep_argo_ones() -> None:
    obj = _annotated(kopf_annotation_keys())
    for pointer in _ignore_rules()["jsonPointers"]:
        _remove_pointer(obj, pointer)
    assert set(obj["metadata"]["annotations"]) == KEPT
    assert "status" not in obj
    assert obj["metadata"]["finalizers"] == [FINALIZER] and obj["spec"]


@pytest.mark.skipif(shutil.which("jq") is None, reason="jq is not installed")
def test_jq_path_expressions_remove_every_key_under_our_prefix() -> None:
    expressions = _ignore_rules()["jqPathExpressions"]
    extra = {f"{ANNOTATION_PREFIX}/some-future-handler.field", f"{ANNOTATION_PREFIX}/reconcile-Ab3x"}
    obj = _annotated(kopf_annotation_keys() | extra)
    for expression in expressions:
        # Argo CD runs each expression as `del(<expression>)` (util/argo/normalizers).
        done = subprocess.run(
            ["jq", "-c", f"del({expression})"],
            input=json.dumps(obj),
            capture_output=True,
            text=True,
            check=True,
        )
        obj = json.loads(done.stdout)
    assert set(obj["metadata"]["annotations"]) == KEPT
    assert obj["metadata"]["finalizers"] == [FINALIZER] and obj["spec"] and obj["status"]
    # No annotations at all: the expression selects nothing instead of failing.
    bare = {"metadata": {"name": "factory"}}
    for expression in expressions:
        done = subprocess.run(
            ["jq", "-c", f"del({expression})"],
            input=json.dumps(bare),
            capture_output=True,
            text=True,
            check=True,
        )
        assert json.loads(done.stdout) == bare


# --- a client secret rotation (status.clientSecretRotation) ------------------------------------------


@pytest.mark.parametrize(
    ("phase", "health"),
    [
        ("Creating", "Progressing"),
        ("AwaitingConfirmation", "Healthy"),
        ("Completed", "Healthy"),
        ("Blocked", "Degraded"),
        ("Failed", "Degraded"),
    ],
)
def test_a_rotation_phase_when_ready(phase: str, health: str) -> None:
    obj = _obj()
    obj["status"]["clientSecretRotation"] = {"phase": phase, "requested": "r1", "message": "what to do"}
    result = run_health(obj)
    assert result["status"] == health
    if phase == "AwaitingConfirmation":
        assert "okta.outsystems.dev/confirm-client-secret-rotation=r1" in result["message"]
    if health == "Degraded":
        assert result["message"] == f"ClientSecretRotation{phase}: what to do"


@pytest.mark.parametrize("phase", ["Creating", "AwaitingConfirmation", "Blocked"])
def test_a_failing_pass_wins_over_the_rotation(phase: str) -> None:
    obj = _obj(ready="False", reason="OktaUnavailable", message="Okta 503")
    obj["status"]["clientSecretRotation"] = {"phase": phase, "requested": "r1"}
    assert run_health(obj) == {"status": "Progressing", "message": "OktaUnavailable: Okta 503"}


def test_a_rotation_phase_of_an_older_generation_is_progressing() -> None:
    obj = _obj(generation=3, observed=2)
    obj["status"]["clientSecretRotation"] = {"phase": "Blocked", "requested": "r1"}
    assert run_health(obj)["status"] == "Progressing"


def test_every_rotation_phase_is_mapped() -> None:
    script = HEALTH_LUA.read_text()
    for phase in RotationPhase:
        assert phase.value in script or phase is RotationPhase.COMPLETED, phase


def test_peering_keep_alives_do_not_refresh_the_application() -> None:
    # Each operator replica rewrites its keep-alive in the peering object's status every 10 to 15 s.
    peering_crds = sorted((ARGOCD.parents[1] / "crds").glob("*kopfpeerings.kopf.dev.yaml"))
    kinds = {
        f"{crd['spec']['group']}_{crd['spec']['names']['kind']}"
        for crd in (yaml.safe_load(path.read_text()) for path in peering_crds)
    }
    assert kinds == {"kopf.dev_KopfPeering", "kopf.dev_ClusterKopfPeering"}
    for kind in kinds:
        rules = yaml.safe_load(_cm()["data"][f"resource.customizations.ignoreResourceUpdates.{kind}"])
        assert rules == {"jsonPointers": ["/status"]}
