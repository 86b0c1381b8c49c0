"""deploy/argocd/actions: Argo CD resource actions, run the way Argo CD runs them (`argocd_lua`).

Argo CD's contract (`util/lua/lua.go`): `discovery.lua` returns a table of action name ->
`{disabled, displayName, ...}`; a disabled action is shown greyed out. `action.lua` returns the modified
`obj`, and argocd-server sends `jsonpatch.CreateMergePatch(live, returned)` as a merge patch
(`server/application/application.go`, `patchResource`), to `/status` as well when status changed. So
every action here must return the object with exactly one annotation changed: the patch is then
`{"metadata": {"annotations": {<key>: <value or null>}}}` and nothing else.
"""

from __future__ import annotations

import copy
import datetime
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest
from lupa.lua51 import LuaError
from tests.unit.argocd.argocd_lua import (
    ACTIONS_DIR,
    ARGOCD,
    action_lua,
    load_yaml,
    merge_patch,
    plain,
    run_action,
    run_discovery,
)

from outsystems_okta.api.constants import (
    ANNOTATION_CONFIRM_ROTATION,
    ANNOTATION_PAUSED,
    ANNOTATION_RECONCILE_REQUESTED_AT,
    ANNOTATION_ROTATE_CLIENT_SECRET,
    DAY2_ANNOTATIONS,
    GROUP,
    KIND,
    MAX_REQUEST_LENGTH,
)

DISCOVERY_LUA = ACTIONS_DIR / "discovery.lua"
ACTION_TEST = ACTIONS_DIR / "action_test.yaml"
CM_PATCH = ARGOCD / "argocd-cm-patch.yaml"
ACTIONS_KEY = f"resource.customizations.actions.{GROUP}_{KIND}"

# The annotation each action sets, and the value: "fresh" (a new timestamp), "true", None (removed),
# or "requested" (status.clientSecretRotation.requested).
ACTIONS = {
    "reconcile-now": (ANNOTATION_RECONCILE_REQUESTED_AT, "fresh"),
    "pause": (ANNOTATION_PAUSED, "true"),
    "resume": (ANNOTATION_PAUSED, None),
    "rotate-client-secret": (ANNOTATION_ROTATE_CLIENT_SECRET, "fresh"),
    "confirm-client-secret-rotation": (ANNOTATION_CONFIRM_ROTATION, "requested"),
}
TESTDATA = sorted((ARGOCD / "testdata").glob("*.yaml"))


def offered(obj: Mapping[str, Any]) -> set[str]:
    return {name for name, action in run_discovery(obj).items() if not action.get("disabled", False)}


def only_annotation_patch(before: Mapping[str, Any], after: Mapping[str, Any]) -> tuple[str, Any]:
    """The one annotation an action changed, and its new value (None: removed); fails on anything else."""
    patch = merge_patch(plain(before), after)
    assert set(patch) == {"metadata"}, patch
    assert set(patch["metadata"]) == {"annotations"}, patch
    changes = patch["metadata"]["annotations"]
    if not isinstance(changes, dict):  # the whole map was added: it had none
        assert "annotations" not in before["metadata"], patch
        changes = dict(changes)
    assert len(changes) == 1, patch
    ((key, value),) = changes.items()
    return key, value


def _healthy() -> dict[str, Any]:
    obj: dict[str, Any] = copy.deepcopy(load_yaml(ARGOCD / "testdata" / "healthy.yaml"))
    return obj


def _with(obj: dict[str, Any], **annotations: str) -> dict[str, Any]:
    obj["metadata"].setdefault("annotations", {}).update(annotations)
    return obj


def _rotation(phase: str, requested: str = "r1", handled: str | None = "r1") -> dict[str, Any]:
    obj = _healthy()
    record: dict[str, Any] = {"phase": phase, "requested": requested, "trigger": "Annotation"}
    if handled is not None:
        record["handledAnnotation"] = handled
        obj["metadata"]["annotations"][ANNOTATION_ROTATE_CLIENT_SECRET] = handled
    obj["status"]["clientSecretRotation"] = record
    return obj


# --- action_test.yaml, Argo CD's own format, on the objects captured from the operator ---------------


def _discovery_tests() -> list[dict[str, Any]]:
    tests: list[dict[str, Any]] = load_yaml(ACTION_TEST)["discoveryTests"]
    return tests


@pytest.mark.parametrize("case", _discovery_tests(), ids=lambda case: Path(case["inputPath"]).stem)
def test_action_test_yaml_discovery_case(case: dict[str, Any]) -> None:
    obj = load_yaml(ACTIONS_DIR / case["inputPath"])
    expected = {entry["name"]: {k: v for k, v in entry.items() if k != "name"} for entry in case["result"]}
    assert run_discovery(obj) == expected


def test_every_testdata_object_is_a_discovery_case() -> None:
    paths = {case["inputPath"] for case in _discovery_tests()}
    assert paths == {f"../testdata/{path.name}" for path in TESTDATA}


def _expected_offer(obj: Mapping[str, Any]) -> set[str]:
    """What should be offered, from the README's rules, written independently of the Lua."""
    annotations = obj["metadata"].get("annotations") or {}
    paused = annotations.get(ANNOTATION_PAUSED) == "true"
    record = (obj.get("status") or {}).get("clientSecretRotation")
    phase = record and record["phase"]
    rotate = annotations.get(ANNOTATION_ROTATE_CLIENT_SECRET)
    unhandled = rotate is not None and (record is None or record.get("handledAnnotation") != rotate)
    pending = phase in {"Creating", "AwaitingConfirmation", "Blocked"} or unhandled
    can_rotate = not pending and obj["spec"].get("managementPolicy") != "Observe"
    can_rotate = can_rotate and "deletionTimestamp" not in obj["metadata"]
    awaiting = phase == "AwaitingConfirmation" and annotations.get(ANNOTATION_CONFIRM_ROTATION) != (
        record and record["requested"]
    )
    return (
        {"reconcile-now", "resume" if paused else "pause"}
        | ({"rotate-client-secret"} if can_rotate else set())
        | ({"confirm-client-secret-rotation"} if awaiting else set())
    )


@pytest.mark.parametrize("path", TESTDATA, ids=lambda path: path.stem)
def test_discovery_offers_what_makes_sense_for_each_captured_state(path: Path) -> None:
    obj = load_yaml(path)
    actions = run_discovery(obj)
    assert set(actions) == set(ACTIONS), "every action is listed, disabled when it makes no sense"
    assert offered(obj) == _expected_offer(obj)
    assert all(isinstance(action["displayName"], str) for action in actions.values())


@pytest.mark.parametrize(
    ("stem", "expected"),
    [
        ("healthy", {"reconcile-now", "pause", "rotate-client-secret"}),
        ("suspended-paused", {"reconcile-now", "resume", "rotate-client-secret"}),
        (
            "healthy-rotation-awaiting-confirmation",
            {"reconcile-now", "pause", "confirm-client-secret-rotation"},
        ),
        ("healthy-rotation-completed", {"reconcile-now", "pause", "rotate-client-secret"}),
        ("progressing-rotation-creating", {"reconcile-now", "pause"}),
        ("degraded-rotation-blocked", {"reconcile-now", "pause"}),
        ("healthy-observe-drift", {"reconcile-now", "pause"}),
        ("terminating", {"reconcile-now", "pause"}),
    ],
)
def test_the_states_the_issue_names(stem: str, expected: set[str]) -> None:
    assert offered(load_yaml(ARGOCD / "testdata" / f"{stem}.yaml")) == expected


def test_confirm_shows_the_pending_value() -> None:
    obj = load_yaml(ARGOCD / "testdata" / "healthy-rotation-awaiting-confirmation.yaml")
    requested = obj["status"]["clientSecretRotation"]["requested"]
    confirm = run_discovery(obj)["confirm-client-secret-rotation"]
    assert confirm["disabled"] is False
    assert f"'{requested}'" in confirm["displayName"]


# --- each action changes exactly its annotation, on every captured state ----------------------------


def _utc_second() -> datetime.datetime:
    return datetime.datetime.now(datetime.UTC).replace(microsecond=0)


@pytest.mark.parametrize("path", TESTDATA, ids=lambda path: path.stem)
@pytest.mark.parametrize("name", sorted(ACTIONS))
def test_an_action_changes_its_annotation_and_nothing_else(name: str, path: Path) -> None:
    obj = load_yaml(path)
    before = copy.deepcopy(obj)
    annotation, value = ACTIONS[name]
    record = (obj.get("status") or {}).get("clientSecretRotation")
    if value == "requested" and (record is None or record["phase"] != "AwaitingConfirmation"):
        with pytest.raises(LuaError, match="no client secret rotation awaits confirmation"):
            run_action(name, obj)
        return
    start = _utc_second()
    after = run_action(name, obj)
    end = _utc_second()
    assert obj == before, "the input is not modified in place"
    had = (obj["metadata"].get("annotations") or {}).get(annotation)
    if value in (None, "true") and had == value:
        assert after == plain(obj), "no change at all: Argo CD sends no patch"
        return
    key, new = only_annotation_patch(obj, after)
    assert key == annotation
    if value == "fresh":
        assert isinstance(new, str) and len(new) <= MAX_REQUEST_LENGTH
        when = datetime.datetime.strptime(new, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=datetime.UTC)
        # Lua's os.date reads time(), Linux's coarse clock, which can lag a clock tick behind Python's.
        slack = datetime.timedelta(seconds=1)
        assert start - slack <= when <= end, "the current time in UTC, so a new value on every run"
        assert new != had
    elif value == "requested":
        assert new == record["requested"]
    else:
        assert new == value
    # Deep compare: with the one annotation put back, the object is the input.
    restored = copy.deepcopy(after)
    if had is None:
        restored["metadata"]["annotations"].pop(annotation)
        if not restored["metadata"]["annotations"] and "annotations" not in obj["metadata"]:
            restored["metadata"].pop("annotations")
    else:
        restored["metadata"]["annotations"][annotation] = had
    assert restored == plain(obj)


@pytest.mark.parametrize("name", ["reconcile-now", "pause", "rotate-client-secret"])
def test_an_action_on_an_object_without_annotations_adds_only_its_own(name: str) -> None:
    obj = _healthy()
    obj["metadata"].pop("annotations")
    after = run_action(name, obj)
    assert set(after["metadata"]["annotations"]) == {ACTIONS[name][0]}
    assert merge_patch(plain(obj), after) == {
        "metadata": {"annotations": {ACTIONS[name][0]: after["metadata"]["annotations"][ACTIONS[name][0]]}}
    }


def test_resume_removes_the_annotation_as_null_in_the_merge_patch() -> None:
    obj = load_yaml(ARGOCD / "testdata" / "suspended-paused.yaml")
    after = run_action("resume", obj)
    assert merge_patch(plain(obj), after) == {"metadata": {"annotations": {ANNOTATION_PAUSED: None}}}


def test_resume_on_an_object_without_annotations_changes_nothing() -> None:
    obj = _healthy()
    obj["metadata"].pop("annotations")
    assert merge_patch(plain(obj), run_action("resume", obj)) == {}


def test_the_actions_set_exactly_the_day2_annotations() -> None:
    assert {annotation for annotation, _ in ACTIONS.values()} == set(DAY2_ANNOTATIONS)
    for name, (annotation, _) in ACTIONS.items():
        assert annotation in action_lua(name)


def test_a_rotate_value_is_a_value_the_operator_never_handled() -> None:
    obj = _rotation("Completed", requested="2026-12", handled="2026-12")
    after = run_action("rotate-client-secret", obj)
    assert after["metadata"]["annotations"][ANNOTATION_ROTATE_CLIENT_SECRET] != "2026-12"


# --- discovery rules, one at a time ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "condition", "paused"),
    [
        ("true", None, True),
        ("true", "False", True),  # just set: the operator has not seen it yet
        ("True", "True", True),  # the operator lower-cases; Lua without `string` cannot
        ("True", None, False),
        ("false", None, False),
        ("false", "True", True),  # the operator has not seen the change yet: still paused
        (None, "True", False),  # removed: resuming
    ],
)
def test_pause_and_resume(value: str | None, condition: str | None, paused: bool) -> None:
    obj = _healthy()
    if value is not None:
        obj["metadata"]["annotations"][ANNOTATION_PAUSED] = value
    if condition is not None:
        obj["status"]["conditions"].append({"type": "Paused", "status": condition, "reason": "Paused"})
    assert {"pause", "resume"} & offered(obj) == ({"resume"} if paused else {"pause"})


@pytest.mark.parametrize(
    ("phase", "can_rotate"),
    [
        ("Creating", False),
        ("AwaitingConfirmation", False),
        ("Blocked", False),  # it starts by itself once Okta has room for a second secret
        ("Completed", True),
        ("Failed", True),
    ],
)
def test_rotate_not_while_one_is_pending(phase: str, can_rotate: bool) -> None:
    assert ("rotate-client-secret" in offered(_rotation(phase))) is can_rotate


def test_rotate_not_while_a_request_waits_for_the_operator() -> None:
    # Just set (by the action or by hand): no record yet, or a record for an older value.
    assert "rotate-client-secret" not in offered(_with(_healthy(), **{ANNOTATION_ROTATE_CLIENT_SECRET: "x"}))
    obj = _rotation("Completed", requested="r1", handled="r1")
    obj["metadata"]["annotations"][ANNOTATION_ROTATE_CLIENT_SECRET] = "r2"
    assert "rotate-client-secret" not in offered(obj)


def test_rotate_after_a_scheduled_rotation_completed() -> None:
    obj = _rotation("Completed", requested="after-days-20261202", handled=None)
    obj["status"]["clientSecretRotation"]["trigger"] = "AfterDays"
    assert "rotate-client-secret" in offered(obj)


def test_rotate_not_under_observe_nor_while_deleting() -> None:
    obj = _healthy()
    obj["spec"]["managementPolicy"] = "Observe"
    assert "rotate-client-secret" not in offered(obj)
    obj = _healthy()
    obj["metadata"]["deletionTimestamp"] = "2026-12-02T03:00:00Z"
    assert "rotate-client-secret" not in offered(obj)


@pytest.mark.parametrize("phase", ["Creating", "Completed", "Blocked", "Failed"])
def test_confirm_only_while_awaiting_confirmation(phase: str) -> None:
    assert "confirm-client-secret-rotation" not in offered(_rotation(phase))
    assert "confirm-client-secret-rotation" in offered(_rotation("AwaitingConfirmation"))


def test_confirm_not_once_given() -> None:
    obj = _rotation("AwaitingConfirmation", requested="r1")
    obj["metadata"]["annotations"][ANNOTATION_CONFIRM_ROTATION] = "r1"
    assert "confirm-client-secret-rotation" not in offered(obj)
    # A wrong value (ignored by the operator) does not count: the right one is still offered.
    obj["metadata"]["annotations"][ANNOTATION_CONFIRM_ROTATION] = "typo"
    assert "confirm-client-secret-rotation" in offered(obj)


def test_confirm_a_scheduled_rotation_with_its_value() -> None:
    obj = _rotation("AwaitingConfirmation", requested="after-days-20261202", handled=None)
    after = run_action("confirm-client-secret-rotation", obj)
    assert only_annotation_patch(obj, after) == (ANNOTATION_CONFIRM_ROTATION, "after-days-20261202")


def test_each_action_then_discovery() -> None:
    # What a person sees after clicking: the action just used is no longer offered where it would repeat.
    obj = _healthy()
    assert "resume" in offered(run_action("pause", obj))
    assert "pause" in offered(run_action("resume", run_action("pause", obj)))
    assert "rotate-client-secret" not in offered(run_action("rotate-client-secret", obj))
    awaiting = _rotation("AwaitingConfirmation")
    assert "confirm-client-secret-rotation" not in offered(
        run_action("confirm-client-secret-rotation", awaiting)
    )
    assert "reconcile-now" in offered(run_action("reconcile-now", obj))


@pytest.mark.parametrize(
    "obj",
    [
        {"apiVersion": f"{GROUP}/v1alpha1", "kind": KIND},
        {"apiVersion": f"{GROUP}/v1alpha1", "kind": KIND, "metadata": {"name": "f"}, "spec": {}},
    ],
    ids=["bare", "no-status"],
)
def test_discovery_of_a_minimal_object(obj: dict[str, Any]) -> None:
    assert offered(obj) == {"reconcile-now", "pause", "rotate-client-secret"}


def test_the_sandbox_is_as_strict_as_argo_cd() -> None:
    # Guards the harness: no string library or string methods; os only with time and date.
    probe = """
        local ok = pcall(function() return ("x"):upper() end)
        return {probe = {disabled = string == nil and math == nil and not ok and os.execute == nil
            and os.date("!%Y") ~= nil and require("os").execute == nil}}
    """
    assert run_discovery({}, probe) == {"probe": {"disabled": True}}


# --- the argocd-cm snippet carries the files verbatim -----------------------------------------------


def _cm_actions() -> dict[str, Any]:
    import yaml

    cm = load_yaml(CM_PATCH)
    actions: dict[str, Any] = yaml.safe_load(cm["data"][ACTIONS_KEY])
    return actions


def test_snippet_actions_are_the_lua_files_verbatim() -> None:
    actions = _cm_actions()
    assert set(actions) == {"discovery.lua", "definitions"}, "no mergeBuiltinActions: there are none"
    assert actions["discovery.lua"] == DISCOVERY_LUA.read_text()
    definitions = {d["name"]: d for d in actions["definitions"]}
    assert list(definitions) == list(ACTIONS), "in the order the issue lists them"
    on_disk = {path.parent.name for path in ACTIONS_DIR.glob("*/action.lua")}
    assert on_disk == set(ACTIONS)
    for name, definition in definitions.items():
        assert set(definition) == {"name", "action.lua"}
        assert definition["action.lua"] == action_lua(name), (
            f"argocd-cm-patch.yaml must carry deploy/argocd/actions/{name}/action.lua verbatim"
        )
