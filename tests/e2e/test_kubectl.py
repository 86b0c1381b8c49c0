"""The kubectl experience: printer columns, `kubectl wait` on Ready, and `kubectl explain`."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from outsystems_okta_sandbox.stack import Stack
from tests.e2e.conftest import NAME, NAMESPACE, Okta, resource

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(shutil.which("kubectl") is None, reason="kubectl is not installed"),
]


def kubectl(stack: Stack, cache: Path, *args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["kubectl", "--kubeconfig", str(stack.kubeconfig), "--cache-dir", str(cache), *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def test_wait_get_and_explain(stack: Stack, okta: Okta, tmp_path: Path) -> None:
    cache = tmp_path / "kube-cache"
    stack.create_credentials(NAMESPACE)
    stack.apply(resource(stack.okta_url, environments=3))
    # `kubectl wait` is started before the operator, so it must really wait for the condition.
    waiter = subprocess.Popen(
        [
            "kubectl",
            "--kubeconfig",
            str(stack.kubeconfig),
            "--cache-dir",
            str(cache / "wait"),
            "-n",
            NAMESPACE,
            "wait",
            "--for=condition=Ready",
            f"osokta/{NAME}",
            "--timeout=60s",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    stack.start_operator()
    out, err = waiter.communicate(timeout=90)
    assert waiter.returncode == 0, err
    assert "condition met" in out

    listed = kubectl(stack, cache, "-n", NAMESPACE, "get", "osokta")
    assert listed.returncode == 0, listed.stderr
    header, row = listed.stdout.splitlines()[:2]
    assert header.split() == ["NAME", "READY", "REASON", "ENVIRONMENTS", "WEB", "CLIENT", "ID", "AGE"]
    client_id = (stack.get(NAMESPACE, NAME) or {})["status"]["consoles"]["clientId"]
    assert row.split()[:5] == [NAME, "True", "Reconciled", "3", client_id]

    explained = kubectl(stack, cache, "explain", "osokta.spec.environments")
    assert explained.returncode == 0, explained.stderr
    assert "LifeTime excluded" in explained.stdout
    assert "hostname" in explained.stdout
