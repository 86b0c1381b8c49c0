"""The day-2 annotations reach Kopf's update handlers although they share Kopf's storage prefix."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import kopf
import yaml

from outsystems_okta.api.constants import (
    ANNOTATION_CONFIRM_ROTATION,
    ANNOTATION_PAUSED,
    ANNOTATION_PREFIX,
    ANNOTATION_RECONCILE_REQUESTED_AT,
    ANNOTATION_ROTATE_CLIENT_SECRET,
    DAY2_ANNOTATIONS,
    MAX_REQUEST_LENGTH,
)
from outsystems_okta.handlers import DiffBaseStorage, ProgressStorage, day2_requests, requests_changed


def _body(annotations: dict[str, str]) -> kopf.Body:
    raw: dict[str, Any] = {
        "apiVersion": "okta.outsystems.dev/v1alpha1",
        "kind": "OutSystemsOktaIntegration",
        "metadata": {"name": "factory", "namespace": "outsystems", "annotations": annotations},
        "spec": {"environments": []},
    }
    return kopf.Body(raw)


def test_every_day2_annotation_is_under_the_api_group() -> None:
    assert set(DAY2_ANNOTATIONS) == {
        ANNOTATION_PAUSED,
        ANNOTATION_RECONCILE_REQUESTED_AT,
        ANNOTATION_ROTATE_CLIENT_SECRET,
        ANNOTATION_CONFIRM_ROTATION,
    }
    assert all(key.startswith(f"{ANNOTATION_PREFIX}/") for key in DAY2_ANNOTATIONS)


def test_kopf_alone_would_hide_the_day2_annotations() -> None:
    # Why DiffBaseStorage exists: with Kopf's marker on the object, its own storage drops them.
    annotations = {f"{ANNOTATION_PREFIX}/kopf-managed": "yes", ANNOTATION_PAUSED: "true"}
    essence = kopf.AnnotationsDiffBaseStorage(prefix=ANNOTATION_PREFIX).build(body=_body(annotations))
    assert ANNOTATION_PAUSED not in essence.get("metadata", {}).get("annotations", {})


def test_the_essence_keeps_the_day2_annotations_and_drops_kopfs_own() -> None:
    annotations = {
        f"{ANNOTATION_PREFIX}/kopf-managed": "yes",
        f"{ANNOTATION_PREFIX}/last-handled-configuration": "{}",
        f"{ANNOTATION_PREFIX}/reconcile": "{}",
        ANNOTATION_PAUSED: "true",
        ANNOTATION_RECONCILE_REQUESTED_AT: "2026-12-02T10:00:00Z",
        "argocd.argoproj.io/tracking-id": "app:okta.outsystems.dev/X:outsystems/factory",
    }
    essence = DiffBaseStorage(prefix=ANNOTATION_PREFIX).build(body=_body(annotations))
    assert essence["metadata"]["annotations"] == {
        ANNOTATION_PAUSED: "true",
        ANNOTATION_RECONCILE_REQUESTED_AT: "2026-12-02T10:00:00Z",
        "argocd.argoproj.io/tracking-id": "app:okta.outsystems.dev/X:outsystems/factory",
    }


def test_an_object_without_annotations_has_none_in_its_essence() -> None:
    essence = DiffBaseStorage(prefix=ANNOTATION_PREFIX).build(body=_body({}))
    assert "annotations" not in essence.get("metadata", {})


def test_only_a_day2_annotation_asks_for_a_pass() -> None:
    assert requests_changed(None, {ANNOTATION_RECONCILE_REQUESTED_AT: "1"})
    assert requests_changed({ANNOTATION_PAUSED: "true"}, {})
    assert requests_changed({ANNOTATION_ROTATE_CLIENT_SECRET: "a"}, {ANNOTATION_ROTATE_CLIENT_SECRET: "b"})
    assert not requests_changed(
        {"argocd.argoproj.io/tracking-id": "a"}, {"argocd.argoproj.io/tracking-id": "b"}
    )
    assert not requests_changed({ANNOTATION_PAUSED: "true"}, {ANNOTATION_PAUSED: "true", "x": "y"})
    assert not requests_changed(None, None)


def test_the_progress_storage_keeps_the_day2_annotations_when_it_clears_its_own() -> None:
    essence: Any = {
        "metadata": {
            "annotations": {
                f"{ANNOTATION_PREFIX}/reconcile": "{}",
                ANNOTATION_ROTATE_CLIENT_SECRET: "2026-12",
                "example.com/owner": "team-a",
            }
        },
        "spec": {},
    }
    cleared = ProgressStorage(prefix=ANNOTATION_PREFIX).clear(essence=essence)
    assert cleared["metadata"]["annotations"] == {
        ANNOTATION_ROTATE_CLIENT_SECRET: "2026-12",
        "example.com/owner": "team-a",
    }
    assert kopf.AnnotationsProgressStorage(prefix=ANNOTATION_PREFIX).clear(essence=essence)["metadata"][
        "annotations"
    ] == {"example.com/owner": "team-a"}


def test_a_pass_reads_only_the_day2_annotations_each_cut_to_what_status_can_echo() -> None:
    long = "x" * (MAX_REQUEST_LENGTH + 50)
    requests = day2_requests(
        {
            ANNOTATION_RECONCILE_REQUESTED_AT: long,
            ANNOTATION_PAUSED: "true",
            "example.com/owner": "team-a",
        }
    )
    assert requests == {
        ANNOTATION_RECONCILE_REQUESTED_AT: "x" * MAX_REQUEST_LENGTH,
        ANNOTATION_PAUSED: "true",
    }
    # The bound is the one the CRD puts on the status fields that echo a request.
    crd = yaml.safe_load(
        (
            Path(__file__).parents[2] / "crds" / "outsystemsoktaintegrations.okta.outsystems.dev.yaml"
        ).read_text()
    )
    status = crd["spec"]["versions"][0]["schema"]["openAPIV3Schema"]["properties"]["status"]["properties"]
    assert status["lastHandledReconcileAt"]["maxLength"] == MAX_REQUEST_LENGTH
    rotation = status["clientSecretRotation"]["properties"]
    assert rotation["requested"]["maxLength"] == MAX_REQUEST_LENGTH
    assert rotation["ignoredConfirmation"]["maxLength"] == MAX_REQUEST_LENGTH
