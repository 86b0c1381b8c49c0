"""kubectl (a real client-go client) against the emulator: apply (client- and server-side), get,
patch, wait, delete. kubectl validates server-side (fieldValidation=Strict) via /openapi/v3."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from outsystems_okta_sandbox.kubernetes import KubeSandbox

pytestmark = pytest.mark.skipif(shutil.which("kubectl") is None, reason="kubectl is not installed")


@pytest.fixture
def kubectl(kubeconfig: Path, tmp_path: Path) -> Any:
    def run(*args: str, stdin: str | None = None, check: bool = True) -> subprocess.CompletedProcess[str]:
        command = ["kubectl", "--kubeconfig", str(kubeconfig), "--cache-dir", str(tmp_path / "cache"), *args]
        result = subprocess.run(command, input=stdin, capture_output=True, text=True, timeout=30)
        if check and result.returncode != 0:
            raise AssertionError(f"{' '.join(args)} failed: {result.stderr}")
        return result

    return run


def test_kubectl_apply_get_patch_wait_delete(
    kubectl: Any, sandbox: KubeSandbox, widget_crd: dict[str, Any], widget: Any, tmp_path: Path
) -> None:
    crd_file = tmp_path / "crd.yaml"
    crd_file.write_text(yaml.safe_dump(widget_crd))
    assert "created" in kubectl("apply", "-f", str(crd_file)).stdout
    kubectl("wait", "--for=condition=Established", "crd/widgets.sandbox.example.com", "--timeout=10s")

    manifest = widget("w1")
    manifest["metadata"]["labels"] = {"app": "demo"}
    assert (
        "widget.sandbox.example.com/w1 created"
        in kubectl("apply", "-f", "-", stdin=json.dumps(manifest)).stdout
    )
    manifest["spec"]["color"] = "blue"
    assert "configured" in kubectl("apply", "-f", "-", stdin=json.dumps(manifest)).stdout
    assert "unchanged" in kubectl("apply", "-f", "-", stdin=json.dumps(manifest)).stdout
    stored = sandbox.get("widgets", "w1", "default")
    assert stored is not None
    assert stored["spec"] == {"color": "blue", "size": 3, "options": {"retries": 5}}
    assert "kubectl.kubernetes.io/last-applied-configuration" in stored["metadata"]["annotations"]

    # Server-side printing: the CRD's additionalPrinterColumns; short names resolve.
    table = kubectl("get", "wd", "-l", "app=demo").stdout.split()
    assert table[:4] == ["NAME", "COLOR", "READY", "w1"]
    as_yaml = yaml.safe_load(kubectl("get", "widget", "w1", "-o", "yaml").stdout)
    assert as_yaml["metadata"]["generation"] == 2

    kubectl("patch", "wd", "w1", "--type=merge", "-p", '{"spec":{"size":5}}')
    status = '{"status":{"conditions":[{"type":"Ready","status":"True"}]}}'
    kubectl("patch", "wd", "w1", "--subresource=status", "--type=merge", "-p", status)
    kubectl("wait", "--for=condition=Ready", "widget/w1", "--timeout=10s")
    assert "True" in kubectl("get", "wd", "w1").stdout

    # Server-side validation: unknown fields and schema violations are refused.
    bad = widget("w2", color="pink", bogus=1)
    refused = kubectl("apply", "-f", "-", stdin=json.dumps(bad), check=False)
    assert refused.returncode != 0
    assert 'unknown field "spec.bogus"' in refused.stderr
    del bad["spec"]["bogus"]
    refused = kubectl("apply", "-f", "-", stdin=json.dumps(bad), check=False)
    assert 'spec.color: Unsupported value: "pink"' in refused.stderr

    applied = kubectl("apply", "--server-side", "-f", "-", stdin=json.dumps(widget("w3")))
    assert "serverside-applied" in applied.stdout

    assert 'widget.sandbox.example.com "w1" deleted' in kubectl("delete", "widget", "w1").stdout
    assert sandbox.get("widgets", "w1", "default") is None
    assert "No resources found" in kubectl("get", "wd", "-l", "app=demo").stderr


def test_kubectl_builtin_kinds(kubectl: Any, sandbox: KubeSandbox) -> None:
    secret = {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s1"}, "stringData": {"a": "b"}}
    kubectl("apply", "-f", "-", stdin=json.dumps(secret))
    secret["stringData"] = {"a": "c"}
    assert "configured" in kubectl("apply", "-f", "-", stdin=json.dumps(secret)).stdout
    stored = sandbox.get("secret", "s1", "default")
    assert stored is not None and stored["data"] == {"a": "Yw=="}
    header, row = kubectl("get", "secrets").stdout.splitlines()[:2]
    assert header.split() == ["NAME", "TYPE", "DATA", "AGE"]
    assert row.split()[:3] == ["s1", "Opaque", "1"]
    assert "default" in kubectl("get", "namespaces").stdout
    # `kubectl create <kind>` sends protobuf: decoded for Namespace, Secret, ConfigMap, ServiceAccount.
    kubectl("create", "namespace", "team")
    kubectl("create", "secret", "generic", "token", "-n", "team", "--from-literal=token=xyz")
    kubectl("create", "configmap", "settings", "-n", "team", "--from-literal=mode=demo")
    created = sandbox.get("secrets", "token", "team")
    assert created is not None and created["data"] == {"token": "eHl6"} and created["type"] == "Opaque"
    config_map = sandbox.get("configmaps", "settings", "team")
    assert config_map is not None and config_map["data"] == {"mode": "demo"}
    kubectl("delete", "namespace", "team")
    assert sandbox.get("namespaces", "team") is None
    assert sandbox.get("secrets", "token", "team") is None
