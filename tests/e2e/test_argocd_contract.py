"""The Argo CD contract, end to end: the operator never writes what Argo CD owns on the resource, and its
output Secret is a child of the resource, never an Argo CD-tracked object.

Argo CD owns a resource's spec, its labels and its `argocd.argoproj.io/*` and
`kubectl.kubernetes.io/last-applied-configuration` annotations; an operator write to any of them makes the
Application OutOfSync (and a sync undoes it). The operator may write `status` (through the subresource),
its finalizer and Kopf's bookkeeping annotations under `okta.outsystems.dev/`, which
deploy/argocd/argocd-cm-patch.yaml tells Argo CD to ignore.

Three views, each catching what the others might miss:
- the objects: what the resource looks like after each phase, compared to what the test applied;
- every stored version of the resource (the emulator keeps each one): no operator write changed
  spec, labels or Argo CD's annotations, even transiently;
- every operator request body (the emulator's request log): only status writes and metadata patches
  of our finalizer and our annotations.
The test's own writes go through a client with its own User-Agent, so "not the test" is "the operator"
(Kopf sends `kopf/<version>`; the official client the operator uses for Secrets sends
`OpenAPI-Generator/...`).
"""

from __future__ import annotations

import copy
import itertools
import json
from collections.abc import Iterator, Mapping
from typing import Any

import kubernetes
import pytest
import yaml

from outsystems_okta.api.constants import ANNOTATION_PREFIX, FINALIZER, GROUP, KIND, PLURAL, VERSION
from outsystems_okta_sandbox.stack import Stack
from tests.e2e.conftest import NAME, NAMESPACE, REPO, Okta, resource

pytestmark = pytest.mark.e2e

SECRET = f"{NAME}-lifetime"
TEST_AGENT = "argocd-contract-test/1.0"
TRACKING_ID = f"factory-app:{GROUP}/{KIND}:{NAMESPACE}/{NAME}"
INSTANCE_LABEL = "app.kubernetes.io/instance"
LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration"
ARGO_PREFIX = "argocd.argoproj.io/"
OUR_PREFIX = f"{ANNOTATION_PREFIX}/"
WRITES = {"POST", "PUT", "PATCH", "DELETE"}
IGNORE_KEY = f"resource.customizations.ignoreResourceUpdates.{GROUP}_{KIND}"


def argo_owned(meta: Mapping[str, Any]) -> dict[str, Any]:
    """The parts of a resource's metadata Argo CD owns: labels and its tracking/last-applied annotations."""
    annotations = meta.get("annotations") or {}
    return {
        "labels": dict(meta.get("labels") or {}),
        "annotations": {
            key: value
            for key, value in annotations.items()
            if key.startswith(ARGO_PREFIX) or key == LAST_APPLIED
        },
    }


def as_argo_applies(body: dict[str, Any]) -> dict[str, Any]:
    """The manifest as an Argo CD sync (client-side apply, annotation+label tracking) sends it."""
    manifest = copy.deepcopy(body)
    manifest["metadata"]["labels"] = {INSTANCE_LABEL: "factory-app"}
    manifest["metadata"]["annotations"] = {f"{ARGO_PREFIX}tracking-id": TRACKING_ID}
    last_applied = json.dumps(manifest, separators=(",", ":"), sort_keys=True)
    manifest["metadata"]["annotations"][LAST_APPLIED] = last_applied + "\n"
    return manifest


def assert_contains(applied: Any, stored: Any, path: str = "spec") -> None:
    """Every value the test applied is stored unchanged (the API server may add defaults, nothing else)."""
    if isinstance(applied, Mapping):
        assert isinstance(stored, Mapping), path
        for key, value in applied.items():
            assert key in stored, f"{path}.{key} was dropped"
            assert_contains(value, stored[key], f"{path}.{key}")
    else:
        assert stored == applied, f"{path} changed: applied {applied!r}, stored {stored!r}"


def ignored_annotation_keys() -> set[str]:
    """Annotation keys the shipped ignoreResourceUpdates names explicitly (jsonPointers)."""
    cm = yaml.safe_load((REPO / "deploy" / "argocd" / "argocd-cm-patch.yaml").read_text())
    rules = yaml.safe_load(cm["data"][IGNORE_KEY])
    base = "/metadata/annotations/"
    return {
        pointer[len(base) :].replace("~1", "/").replace("~0", "~")
        for pointer in rules["jsonPointers"]
        if pointer.startswith(base)
    }


# --- the three views ---------------------------------------------------------------------------------


def history(stack: Stack) -> list[dict[str, Any]]:
    """Every stored version of the resource, oldest first (the emulator keeps each write's result)."""
    versions = stack.kube.emulator.objects[f"{GROUP}/{VERSION}/{PLURAL}", NAMESPACE, NAME].history
    return [copy.deepcopy(dict(v)) for v in list(versions) if v is not None]


def method(request: Any) -> str:
    return str(getattr(request.method, "value", request.method))


def header(request: Any, name: str) -> str:
    headers = {str(k).lower(): str(v) for k, v in dict(request.headers).items()}
    return headers.get(name.lower(), "")


def operator_requests(stack: Stack, plural: str) -> list[Any]:
    """The operator's write requests to one resource type, with bodies (kmock's request log)."""
    return [
        request
        for request in list(stack.kube.emulator)
        if request.resource is not None
        and request.resource.plural == plural
        and method(request) in WRITES
        and header(request, "User-Agent") != TEST_AGENT
    ]


def assert_metadata_only(request: Any) -> None:
    """A write to the resource itself (not /status): only our finalizer and our annotations."""
    content_type = header(request, "Content-Type").split(";")[0].strip()
    body = request.data
    where = (
        f"{method(request)} {request.url.path} ({content_type}) by {header(request, 'User-Agent')}: {body}"
    )
    assert method(request) == "PATCH", f"the operator must only patch the resource: {where}"
    if content_type == "application/json-patch+json":
        assert isinstance(body, list), where
        for op in body:
            path = str(op["path"])
            if op["op"] == "test":
                assert path == "/metadata/resourceVersion", where
            elif path == "/metadata/finalizers" or path.startswith("/metadata/finalizers/"):
                if "value" in op:
                    value = op["value"]
                    assert value in (FINALIZER, [FINALIZER]), where
            else:
                assert path.startswith("/metadata/annotations/" + OUR_PREFIX.replace("/", "~1")), where
    else:
        assert content_type == "application/merge-patch+json", where
        assert isinstance(body, dict) and set(body) == {"metadata"}, where
        meta = body["metadata"]
        assert set(meta) <= {"annotations", "finalizers"}, where
        assert all(key.startswith(OUR_PREFIX) for key in meta.get("annotations") or {}), where
        assert set(meta.get("finalizers") or []) <= {FINALIZER}, where


def assert_status_only(request: Any) -> None:
    body = request.data
    where = f"{method(request)} {request.url.path}: {body}"
    assert method(request) == "PATCH", where
    if isinstance(body, list):
        for op in body:
            assert (
                op["path"] == "/metadata/resourceVersion"
                if op["op"] == "test"
                else (op["path"] == "/status" or op["path"].startswith("/status/"))
            ), where
    else:
        assert isinstance(body, dict) and set(body) == {"status"}, where


def assert_operator_writes_keep_argo_metadata(stack: Stack, test_versions: set[str]) -> set[str]:
    """Checks the request log and the version history; returns the annotation keys the operator added."""
    # The request log: verbs and subresources first, then each body.
    recorded = [
        r
        for r in stack.kube.requests
        if r.resource == PLURAL and r.method in WRITES and r.user_agent != TEST_AGENT
    ]
    assert recorded, "the operator never wrote the resource: nothing was tested"
    assert {(r.verb, r.subresource) for r in recorded} <= {("patch", None), ("patch", "status")}, recorded
    requests = operator_requests(stack, PLURAL)
    assert len(requests) == len(recorded)
    for request in requests:
        if request.subresource == "status":
            assert_status_only(request)
        else:
            assert request.subresource is None, request
            assert_metadata_only(request)

    # The stored versions: whatever the operator wrote, spec, labels and Argo CD's annotations stayed.
    added: set[str] = set()
    versions = history(stack)
    assert versions[0]["metadata"]["resourceVersion"] in test_versions, "the first version is the test's"
    for before, after in itertools.pairwise(versions):
        rv = after["metadata"]["resourceVersion"]
        if rv in test_versions:
            continue  # the test's own apply
        where = f"resourceVersion {rv}"
        assert after["spec"] == before["spec"], f"{where}: the operator changed the spec"
        assert argo_owned(after["metadata"]) == argo_owned(before["metadata"]), (
            f"{where}: the operator changed labels or Argo CD's annotations"
        )
        old = before["metadata"].get("annotations") or {}
        new = after["metadata"].get("annotations") or {}
        changed = {key for key in old.keys() | new.keys() if old.get(key) != new.get(key)}
        assert all(key.startswith(OUR_PREFIX) for key in changed), f"{where}: {changed}"
        added |= set(new) - set(old)
        finalizers = set(before["metadata"].get("finalizers") or []) ^ set(
            after["metadata"].get("finalizers") or []
        )
        assert finalizers <= {FINALIZER}, f"{where}: finalizers {finalizers}"
    return added


def assert_secret_is_a_child_not_an_argo_resource(stack: Stack, cr: Mapping[str, Any]) -> None:
    secret = stack.read_secret(NAMESPACE, SECRET)
    assert secret is not None, "the output Secret does not exist"
    meta = secret["metadata"]
    labels = meta.get("labels") or {}
    annotations = meta.get("annotations") or {}
    # Only our labels: never the resource's labels copied over (Argo CD's instance label among them).
    assert INSTANCE_LABEL not in labels, f"the Secret carries Argo CD's tracking label: {labels}"
    assert all(key == "app.kubernetes.io/managed-by" or key.startswith(OUR_PREFIX) for key in labels), labels
    assert not set(labels) & set(cr["metadata"].get("labels") or {}), labels
    for key in [*labels, *annotations]:
        assert not key.startswith(ARGO_PREFIX), f"the Secret carries Argo CD's {key}"
    assert LAST_APPLIED not in annotations
    # A child of the resource: Argo CD shows it under the resource and never prunes it.
    owners = meta.get("ownerReferences") or []
    assert len(owners) == 1, owners
    owner = owners[0]
    assert (owner["apiVersion"], owner["kind"], owner["name"], owner["uid"]) == (
        f"{GROUP}/{VERSION}",
        KIND,
        NAME,
        cr["metadata"]["uid"],
    )
    assert owner.get("controller") is True, owner
    # And no operator request ever sent Argo CD's markers for a Secret, not even transiently.
    for request in operator_requests(stack, "secrets"):
        body = request.data if isinstance(request.data, dict) else {}
        sent = body.get("metadata") or {}
        for key in [*(sent.get("labels") or {}), *(sent.get("annotations") or {})]:
            assert not key.startswith(ARGO_PREFIX) and key not in (INSTANCE_LABEL, LAST_APPLIED), request


# --- the tests ---------------------------------------------------------------------------------------


@pytest.fixture
def argo(stack: Stack) -> Iterator[kubernetes.client.ApiClient]:
    """The test's own client: plays Argo CD (and the admin), recognisable by its User-Agent."""
    client = kubernetes.config.new_client_from_config(config_file=str(stack.kubeconfig))
    client.user_agent = TEST_AGENT
    yield client
    client.close()


def _create_credentials(client: kubernetes.client.ApiClient, stack: Stack) -> None:
    kubernetes.client.CoreV1Api(client).create_namespaced_secret(
        NAMESPACE,
        {
            "apiVersion": "v1",
            "kind": "Secret",
            "metadata": {"name": "okta-api", "namespace": NAMESPACE},
            "stringData": {"apiToken": stack.okta_token},
        },
    )


def test_operator_leaves_argo_cd_metadata_and_spec_alone(
    stack: Stack, okta: Okta, argo: kubernetes.client.ApiClient
) -> None:
    custom = kubernetes.client.CustomObjectsApi(argo)
    _create_credentials(argo, stack)
    stack.start_operator()

    # Phase 1: Argo CD syncs the resource; the operator converges.
    git = resource(stack.okta_url)
    first = as_argo_applies(git)
    created = custom.create_namespaced_custom_object(GROUP, VERSION, NAMESPACE, PLURAL, first)
    test_versions = {created["metadata"]["resourceVersion"]}
    ready = stack.wait_ready(NAMESPACE, NAME)
    assert argo_owned(ready["metadata"]) == argo_owned(first["metadata"])
    assert ready["spec"] == created["spec"]
    assert_contains(first["spec"], ready["spec"])

    # Phase 2: a commit adds an environment; Argo CD sends the spec and the new last-applied together.
    git["spec"]["environments"].append({"name": "prod", "hostname": "prod.acme.com"})
    second = as_argo_applies(git)
    change = {
        "metadata": {"annotations": {LAST_APPLIED: second["metadata"]["annotations"][LAST_APPLIED]}},
        "spec": second["spec"],
    }
    patched = custom.patch_namespaced_custom_object(GROUP, VERSION, NAMESPACE, PLURAL, NAME, change)
    test_versions.add(patched["metadata"]["resourceVersion"])
    assert patched["metadata"]["generation"] == 2
    final = stack.wait_ready(NAMESPACE, NAME)
    assert final["status"]["environments"] == 3
    stack.stop_operator()  # freeze the logs: every operator write is in them now
    final = stack.get(NAMESPACE, NAME) or {}

    # (a) Argo CD's metadata byte-identical to the last apply; spec exactly as the API server stored it.
    assert argo_owned(final["metadata"]) == argo_owned(second["metadata"])
    assert final["metadata"]["labels"] == {INSTANCE_LABEL: "factory-app"}
    assert final["metadata"]["annotations"][f"{ARGO_PREFIX}tracking-id"] == TRACKING_ID
    assert final["spec"] == patched["spec"]
    assert_contains(second["spec"], final["spec"])
    assert final["metadata"]["finalizers"] == [FINALIZER]

    # (b) every operator write: status, or our finalizer/annotations; no version changed Argo CD's parts.
    added = assert_operator_writes_keep_argo_metadata(stack, test_versions)
    assert added, "Kopf wrote no annotations at all: nothing was tested"
    not_ignored = added - ignored_annotation_keys()
    assert not not_ignored, (
        f"annotations Kopf writes that argocd-cm-patch.yaml does not ignore: {not_ignored}"
    )

    # (c) the Secret: a controller-owned child with only our labels.
    assert_secret_is_a_child_not_an_argo_resource(stack, final)


def test_failing_reconcile_keeps_argo_cd_metadata_and_its_retry_bookkeeping_is_ignored(
    stack: Stack, okta: Okta, argo: kubernetes.client.ApiClient
) -> None:
    # No credentials: the reconcile fails and the operator schedules a retry. It records it in status
    # (failedAttempts, nextAttemptTime), not in an annotation as a Kopf retry did, so the Application
    # sees no metadata churn; whatever Kopf still writes must not touch Argo CD's parts.
    custom = kubernetes.client.CustomObjectsApi(argo)
    stack.start_operator()
    applied = as_argo_applies(resource(stack.okta_url))
    created = custom.create_namespaced_custom_object(GROUP, VERSION, NAMESPACE, PLURAL, applied)

    def retry_scheduled(obj: dict[str, Any] | None) -> bool:
        status = (obj or {}).get("status") or {}
        conditions = status.get("conditions") or []
        return bool(status.get("nextAttemptTime")) and any(
            c.get("reason") == "CredentialsNotFound" for c in conditions
        )

    stack.wait_for(NAMESPACE, NAME, retry_scheduled)
    stack.stop_operator()
    final = stack.get(NAMESPACE, NAME) or {}
    assert argo_owned(final["metadata"]) == argo_owned(applied["metadata"])
    assert final["spec"] == created["spec"]

    added = assert_operator_writes_keep_argo_metadata(stack, {created["metadata"]["resourceVersion"]})
    assert not any(key.startswith(f"{OUR_PREFIX}reconcile") for key in added), "a Kopf retry was recorded"
    assert added <= ignored_annotation_keys(), added - ignored_annotation_keys()
    assert stack.read_secret(NAMESPACE, SECRET) is None
    assert okta.requests() == []


def test_shipped_testdata_is_shaped_like_what_the_operator_writes(
    stack: Stack, okta: Okta, argo: kubernetes.client.ApiClient
) -> None:
    # deploy/argocd/testdata/healthy.yaml was captured from this stack; keep its shape honest.
    custom = kubernetes.client.CustomObjectsApi(argo)
    _create_credentials(argo, stack)
    stack.start_operator()
    applied = as_argo_applies(resource(stack.okta_url, access={"groups": ["OutSystems IT"]}))
    custom.create_namespaced_custom_object(GROUP, VERSION, NAMESPACE, PLURAL, applied)
    live = stack.wait_ready(NAMESPACE, NAME)
    sample = yaml.safe_load((REPO / "deploy" / "argocd" / "testdata" / "healthy.yaml").read_text())

    def shape(node: Any) -> Any:
        if isinstance(node, Mapping):
            return {key: shape(value) for key, value in node.items()}
        if isinstance(node, list):
            return [shape(node[0])] if node else []
        return type(node).__name__

    assert shape(live["status"]) == shape(sample["status"])
    assert set(sample["metadata"]) == set(live["metadata"]) - {
        "labels"
    }  # the sample uses annotation tracking
    assert set(live["metadata"]["annotations"]) == set(sample["metadata"]["annotations"])
