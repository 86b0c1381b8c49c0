"""The real-cluster workflow cannot run here; what it installs is checked here instead."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from tests.integration.deploy.kustomize import KUBECTL, objects

from outsystems_okta.cli import parser
from outsystems_okta_sandbox.cli import parser as sandbox_parser

REPO = Path(__file__).resolve().parents[3]


@pytest.fixture(scope="module")
def rendered() -> list[dict[str, Any]]:
    if KUBECTL is None:
        pytest.skip("kubectl is not installed")
    return objects(".github/kind")


def _workflow_steps() -> str:
    workflow = yaml.safe_load((REPO / ".github" / "workflows" / "kind-e2e.yml").read_text())
    return "\n".join(str(step.get("run", "")) for step in workflow["jobs"]["kind"]["steps"])


def test_operator_and_sandbox_sidecar_share_the_pod(rendered: list[dict[str, Any]]) -> None:
    deployment = next(d for d in rendered if d["kind"] == "Deployment")
    operator, sandbox = deployment["spec"]["template"]["spec"]["containers"]
    assert operator["image"] == "outsystems-okta-operator:ci"
    run = parser().parse_args(["run", *operator["args"]])
    assert run.allow_insecure_loopback and run.all_namespaces and run.peering == "outsystems-okta-operator"
    # One replica: a standby would take over with its own, empty Okta sandbox sidecar.
    assert deployment["spec"]["replicas"] == 1
    peering = next(d for d in rendered if d["kind"] == "ClusterKopfPeering")
    assert peering["metadata"]["name"] == run.peering
    # The emulator is never in the operator's image: the sidecar runs the Dockerfile's `sandbox` target,
    # whose ENTRYPOINT is `outsystems-okta-sandbox`, so the pod only gives its arguments.
    assert sandbox["image"] == "outsystems-okta-sandbox:ci"
    assert "docker build --target sandbox -t outsystems-okta-sandbox:ci ." in _workflow_steps()
    assert "command" not in sandbox
    served = sandbox_parser().parse_args(sandbox["args"])
    assert served.command == "okta" and (served.host, served.port) == ("127.0.0.1", 8443)
    assert sandbox["securityContext"]["readOnlyRootFilesystem"] is True


def test_workflow_uses_the_overlay_and_the_sandbox_token() -> None:
    steps = _workflow_steps()
    assert "kubectl apply -k .github/kind" in steps
    # The CRDs are known before the overlay's peering object is applied.
    assert steps.index("kubectl apply -f crds/") < steps.index("kubectl apply -k .github/kind")
    assert "clusterkopfpeering outsystems-okta-operator" in steps
    sidecar_token = "kind-ci-token"
    assert f"apiToken={sidecar_token}" in steps
    assert sidecar_token in (REPO / ".github" / "kind" / "kustomization.yaml").read_text()
    assert "wait --for=condition=Ready" in steps
