"""End to end: the real operator process against the Okta sandbox and the Kubernetes emulator."""

from __future__ import annotations

import base64
import json
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import kubernetes
import pytest

from outsystems_okta_sandbox.stack import Stack

NAMESPACE = "outsystems"
NAME = "factory"
REPO = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


class Okta:
    """Test-side view of the sandbox over its HTTP test hooks."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.http = httpx.Client(base_url=url, timeout=10)

    def state(self) -> dict[str, Any]:
        response = self.http.get("/__sandbox/state")
        response.raise_for_status()
        data: dict[str, Any] = response.json()
        return data

    def apps(self) -> list[dict[str, Any]]:
        apps = self.state()["apps"]
        return list(apps.values()) if isinstance(apps, dict) else list(apps)

    def app(self, app_id: str) -> dict[str, Any]:
        return next(a for a in self.apps() if a["id"] == app_id)

    def requests(self) -> list[dict[str, Any]]:
        response = self.http.get("/__sandbox/requests")
        response.raise_for_status()
        data: list[dict[str, Any]] = response.json()
        return data

    def writes(self) -> list[dict[str, Any]]:
        return [r for r in self.requests() if r["method"] in ("POST", "PUT", "DELETE", "PATCH")]

    def clear_requests(self) -> None:
        self.http.delete("/__sandbox/requests").raise_for_status()

    def hook(self, name: str, payload: dict[str, Any]) -> None:
        self.http.post(f"/__sandbox/{name}", json=payload).raise_for_status()

    def add_group(self, name: str) -> None:
        self.hook("groups", {"name": name})

    def groups(self) -> list[dict[str, Any]]:
        groups = self.state()["groups"]
        return list(groups.values()) if isinstance(groups, dict) else list(groups)

    def group_id(self, name: str) -> str:
        return str(next(g["id"] for g in self.groups() if g["profile"]["name"] == name))

    def assigned_group_ids(self, app_id: str) -> set[str]:
        assignments = self.state()["assignments"]
        raw = assignments.get(app_id, []) if isinstance(assignments, dict) else assignments
        return {a if isinstance(a, str) else a.get("id") or a.get("groupId") for a in raw}

    def close(self) -> None:
        self.http.close()


def resource(orgurl: str, *, environments: int = 2, **spec: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "okta": {"orgUrl": orgurl, "credentialsSecretRef": {"name": "okta-api"}},
        "lifetime": {"hostname": "lifetime.acme.com"},
        "environments": [{"name": f"env{i}", "hostname": f"env{i}.acme.com"} for i in range(environments)],
    }
    body.update(spec)
    return {
        "apiVersion": "okta.outsystems.dev/v1alpha1",
        "kind": "OutSystemsOktaIntegration",
        "metadata": {"name": NAME, "namespace": NAMESPACE},
        "spec": body,
    }


def secret_values(secret: dict[str, Any] | None) -> dict[str, str]:
    assert secret is not None, "the output Secret does not exist"
    return {k: base64.b64decode(v).decode() for k, v in (secret.get("data") or {}).items()}


def _collect_events(stack: Stack) -> list[str]:
    core = kubernetes.client.CoreV1Api(stack.api)
    try:
        events = core.list_namespaced_event(NAMESPACE, _preload_content=False)
    except kubernetes.client.exceptions.ApiException:
        return []
    items = json.loads(events.data).get("items") or []
    return [f"{e.get('type')} {e.get('reason')}: {e.get('message')}" for e in items]


def _all_client_secrets(okta: Okta) -> set[str]:
    found: set[str] = set()

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "client_secret" and isinstance(value, str):
                    found.add(value)
                else:
                    walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(okta.state())
    return found


def assert_no_secret_leaks(stack: Stack, okta: Okta) -> None:
    """No token or client secret in the operator's log or in any Event the test produced."""
    secrets = {stack.okta_token, *_all_client_secrets(okta)}
    logs = dict.fromkeys([stack.operator_log, *(p.log for p in stack.processes)])
    log = "".join(path.read_text(errors="replace") for path in logs if path.exists())
    events = "\n".join(_collect_events(stack))
    for secret in secrets:
        assert secret not in log, "a secret value appears in the operator log"
        assert secret not in events, "a secret value appears in an Event"
    SCANNED.append((len(secrets), len(log), len(events)))


SCANNED: list[tuple[int, int, int]] = []


@pytest.fixture
def stack(tmp_path: Path) -> Iterator[Stack]:
    with Stack(tmp_path, groups=["OutSystems IT", "OutSystems Developers"], drift_interval=600) as running:
        running.install_crds(REPO / "crds")
        running.ensure_namespace(NAMESPACE)
        yield running


@pytest.fixture
def okta(stack: Stack) -> Iterator[Okta]:
    client = Okta(stack.okta_url)
    yield client
    try:
        stack.stop_operators()
        assert_no_secret_leaks(stack, client)
    finally:
        client.close()


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """The fault matrix (tests/e2e/test_fault_matrix.py): one line per row that ran, from the rows'
    recorded properties, so it works with any test order and across parallel workers."""
    rows = [
        (report.outcome, dict(value) if isinstance(value, dict) else {})
        for reports in terminalreporter.stats.values()
        for report in reports
        if isinstance(report, pytest.TestReport) and report.when == "call"
        for key, value in report.user_properties
        if key == "fault_matrix"
    ]
    if not rows:
        return
    terminalreporter.section("fault matrix")
    terminalreporter.write_line(
        f"{'scenario':<44} {'when':<7} {'outcome':<8} {'s to Ready':>10} {'Okta calls':>10}"
    )
    for outcome, row in sorted(rows, key=lambda item: str(item[1]["scenario"])):
        seconds = "-" if row.get("seconds") is None else f"{row['seconds']:.1f}"
        calls = "-" if row.get("calls") is None else str(row["calls"])
        terminalreporter.write_line(
            f"{row['scenario']:<44} {row['when']:<7} {outcome:<8} {seconds:>10} {calls:>10}"
        )
