"""A real Kopf operator (a subprocess: `python -m kopf run --standalone -A`) converges against the
emulator as against a cluster: the create handler runs exactly once, writes status and a Secret,
the delete handler runs through Kopf's finalizer, and deletion completes (the Secret is GC'd). Two of
them in one peering (`--peering p`, different priorities): only the higher priority handles."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from outsystems_okta_sandbox.kubernetes import KubeSandbox

OPERATOR = Path(__file__).with_name("kopf_widget_operator.py")


def wait_for(condition: Callable[[], Any], timeout: float = 15.0, what: str = "") -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if result := condition():
            return result
        time.sleep(0.05)
    raise AssertionError(f"Timed out waiting for {what or condition}")


@contextlib.contextmanager
def kopf_run(kubeconfig: Path, log: Path, *options: str, pod_id: str | None = None) -> Iterator[Path]:
    """`python -m kopf run -A --verbose <options> kopf_widget_operator.py`, its output in `log`."""
    env = {**os.environ, "KUBECONFIG": str(kubeconfig)}
    env.pop("KUBERNETES_SERVICE_HOST", None)  # never the in-cluster config
    if pod_id is not None:
        env["POD_ID"] = pod_id  # Kopf's name for it in a peering
    command = [sys.executable, "-m", "kopf", "run", "-A", "--verbose", *options, str(OPERATOR)]
    with log.open("w") as output:
        process = subprocess.Popen(command, env=env, cwd=log.parent, stdout=output, stderr=subprocess.STDOUT)
    try:
        yield log
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture
def operator_log(kubeconfig: Path, tmp_path: Path, crd: dict[str, Any]) -> Iterator[Path]:
    with kopf_run(kubeconfig, tmp_path / "kopf.log", "--standalone") as log:
        yield log


def test_kopf_operator_converges(
    sandbox: KubeSandbox, http: httpx.Client, operator_log: Path, widget: Any, widgets_url: str
) -> None:
    def log() -> str:
        return operator_log.read_text()

    wait_for(
        lambda: "/widgets" in " ".join(r.path for r in sandbox.requests if r.verb == "watch"), what="a watch"
    )
    assert http.post(widgets_url, json=widget("w1")).status_code == 201

    def converged() -> bool:
        obj = sandbox.get("widgets", "w1", "default")
        secret = sandbox.get("secrets", "w1-creds", "default")
        return bool(obj and obj.get("status", {}).get("phase") == "Ready" and secret)

    wait_for(converged, what="status and secret")
    wait_for(lambda: "Handler 'create_widget' succeeded" in log(), what="the handler's success")
    time.sleep(0.5)  # let any spurious re-run show up
    assert log().count("CREATE-HANDLER-RAN for w1") == 1

    obj = sandbox.get("widgets", "w1", "default")
    assert obj is not None
    assert obj["metadata"]["finalizers"] == ["sandbox.example.com/finalizer"]
    secret = sandbox.get("secrets", "w1-creds", "default")
    assert secret is not None
    assert secret["data"] == {"color": "cmVk"}
    assert secret["metadata"]["ownerReferences"][0]["uid"] == obj["metadata"]["uid"]
    events = sandbox.objects("events", "default")
    assert [event["reason"] for event in events] == ["SecretCreated"]
    assert "inconsistencies" not in log()  # Kopf saw every patch applied as sent

    assert http.delete(f"{widgets_url}/w1").status_code == 200
    wait_for(lambda: sandbox.get("widgets", "w1", "default") is None, what="the deletion to complete")
    assert sandbox.get("secrets", "w1-creds", "default") is None  # garbage-collected
    assert log().count("DELETE-HANDLER-RAN for w1") == 1
    assert log().count("CREATE-HANDLER-RAN for w1") == 1

    # What the operator did, as RBAC would need to allow it.
    rules = {
        (rule["apiGroups"][0], rule["resources"][0]): set(rule["verbs"]) for rule in sandbox.rbac_rules()
    }
    assert {"list", "watch", "patch"} <= rules[("sandbox.example.com", "widgets")]
    assert "patch" in rules[("sandbox.example.com", "widgets/status")]
    assert "create" in rules[("", "secrets")]
    assert "create" in rules[("", "events")]


def test_in_one_peering_only_the_higher_priority_handles(
    kubeconfig: Path,
    tmp_path: Path,
    crd: dict[str, Any],
    peering_crds: str,
    sandbox: KubeSandbox,
    http: httpx.Client,
    widget: Any,
    widgets_url: str,
) -> None:
    def peering(priority: int) -> contextlib.AbstractContextManager[Path]:
        log = tmp_path / f"kopf-{priority}.log"
        return kopf_run(
            kubeconfig, log, "--peering", "p", "--priority", str(priority), pod_id=f"kopf-{priority}"
        )

    def keep_alives() -> set[str]:
        return set((sandbox.get("clusterkopfpeerings", "p") or {}).get("status") or {})

    with peering(2) as high:
        # One after the other: an operator that reads the peering before any other keep-alive is in
        # it acts until it sees one (Kopf's start-up window, not what this test is about).
        wait_for(
            lambda: "Resuming operations" in high.read_text() and "kopf-2" in keep_alives(), what="2 acting"
        )
        with peering(1) as low:
            wait_for(lambda: {"kopf-1", "kopf-2"} <= keep_alives(), what="both keep-alives")
            assert http.post(widgets_url, json=widget("w1")).status_code == 201
            wait_for(
                lambda: (
                    (sandbox.get("widgets", "w1", "default") or {}).get("status", {}).get("phase") == "Ready"
                ),
                what="the widget handled",
            )
            time.sleep(0.5)  # let a second handler, if any, show up
            assert high.read_text().count("CREATE-HANDLER-RAN for w1") == 1
            assert "CREATE-HANDLER-RAN" not in low.read_text()
            assert "Resuming operations" not in low.read_text()
