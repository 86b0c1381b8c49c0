"""`make sandbox` runs `outsystems-okta-sandbox up`: ready for kubectl by hand, and gone without a trace.

Each test starts the command as a user would, in a directory of its own, with TMPDIR and HOME inside
the test's tmp_path (so nothing it or kubectl leaves behind can hide elsewhere), then stops it with a
signal and checks that no process, port or temporary file outlives it.
"""

from __future__ import annotations

import base64
import contextlib
import os
import queue
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import kubernetes
import pytest
import yaml

from outsystems_okta_sandbox.session import env_file

pytestmark = pytest.mark.e2e

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "operator" / "outsystems_okta" / "examples" / "integration.yaml"
CRD = "outsystemsoktaintegrations.okta.outsystems.dev"
NAMESPACE, NAME = "outsystems", "factory"
GROUPS = {"OutSystems IT", "OutSystems Developers"}
FILES = {"kubeconfig", "env", "integration.yaml", "operator.log"}
COMMANDS = ["source .sandbox/env", "kubectl apply -f .sandbox/integration.yaml", "kubectl get osokta -w"]
PROC = Path("/proc")


class Lines:
    """A child process's output, read on a thread so the test can wait for a line with a timeout."""

    def __init__(self, process: subprocess.Popen[str]) -> None:
        assert process.stdout is not None
        self.seen: list[str] = []
        self._queue: queue.Queue[str | None] = queue.Queue()
        stream = process.stdout

        def pump() -> None:
            for line in stream:
                self._queue.put(line.rstrip("\n"))
            self._queue.put(None)

        threading.Thread(target=pump, daemon=True).start()

    def until(self, predicate: Any, timeout: float) -> str:
        deadline = time.monotonic() + timeout
        while True:
            try:
                line = self._queue.get(timeout=max(deadline - time.monotonic(), 0.01))
            except queue.Empty:
                raise AssertionError(f"no such line within {timeout}s:\n" + "\n".join(self.seen)) from None
            if line is None:
                raise AssertionError("the output ended first:\n" + "\n".join(self.seen))
            self.seen.append(line)
            if predicate(line):
                return line

    def rest(self, timeout: float = 10) -> str:
        """Everything up to the end of the output (call once the process has exited)."""
        with contextlib.suppress(AssertionError):
            self.until(lambda _: False, timeout)
        return "\n".join(self.seen)


class Up:
    """`python -m outsystems_okta_sandbox.cli up`, started in `tmp_path/work`."""

    def __init__(self, tmp_path: Path, *args: str) -> None:
        self.cwd, self.tmp, self.home = tmp_path / "work", tmp_path / "tmp", tmp_path / "home"
        for folder in (self.cwd, self.tmp, self.home):
            folder.mkdir()
        self.env = {**os.environ, "TMPDIR": str(self.tmp), "HOME": str(self.home)}
        for inherited in ("KUBECONFIG", "KUBERNETES_SERVICE_HOST", "OKTA_ORG_URL", "OKTA_API_TOKEN"):
            self.env.pop(inherited, None)
        self.process = subprocess.Popen(
            [sys.executable, "-m", "outsystems_okta_sandbox.cli", "up", *args],
            cwd=self.cwd,
            env=self.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        self.output = Lines(self.process)
        self.children: set[int] = set()  # what it started, as last seen

    def wait_ready(self) -> list[str]:
        """The commands printed after the ready line."""
        self.output.until(lambda line: line.startswith("Ready."), timeout=30)
        self.output.until(lambda line: line.startswith("Ctrl-C"), timeout=5)
        self.children = descendants(self.process.pid)
        start = next(i for i, line in enumerate(self.output.seen) if line.startswith("Ready."))
        return [line.strip() for line in self.output.seen[start:] if line.startswith("  ")]

    def operator_pid(self) -> int:
        line = next(line for line in self.output.seen if line.startswith("Operator"))
        match = re.search(r"pid (\d+)", line)
        assert match, line
        return int(match.group(1))

    def stop(self, signum: signal.Signals) -> tuple[int, str]:
        self.process.send_signal(signum)
        try:
            code = self.process.wait(timeout=20)
        finally:
            if self.process.poll() is None:
                self.process.kill()
        return code, self.output.rest()

    def kill(self) -> None:
        """After a failure: stop it, then kill what it started and left running (by pid)."""
        if self.process.poll() is None:
            self.children |= descendants(self.process.pid)
            self.process.terminate()
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)
        for pid in self.children:
            with contextlib.suppress(OSError):
                if "outsystems_okta" in (PROC / str(pid) / "cmdline").read_text():
                    os.kill(pid, signal.SIGKILL)


@pytest.fixture
def started(tmp_path: Path) -> Any:
    running: list[Up] = []

    def start(*args: str) -> Up:
        running.append(Up(tmp_path, *args))
        return running[-1]

    yield start
    for up in running:  # only after a failure: the tests stop it themselves
        up.kill()


def read_env(path: Path) -> dict[str, str]:
    exports = {}
    for line in path.read_text().splitlines():
        name, _, value = line.removeprefix("export ").partition("=")
        assert line.startswith("export ") and value, line
        exports[name] = value
    return exports


def descendants(pid: int) -> set[int]:
    """Every process below `pid` (empty where there is no /proc to read)."""
    parents: dict[int, int] = {}
    for stat in PROC.glob("[0-9]*/stat"):
        try:
            # The command name (in parentheses) may hold spaces: the parent pid is 2nd after it.
            parents[int(stat.parent.name)] = int(stat.read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
    found: set[int] = set()
    frontier = {pid}
    while frontier:
        frontier = {child for child, parent in parents.items() if parent in frontier} - found
        found |= frontier
    return found


def refused(url: str) -> bool:
    parts = urlsplit(url)
    try:
        with socket.create_connection((parts.hostname, parts.port), timeout=2):
            return False
    except ConnectionRefusedError:
        return True


def ports(sandbox: Path) -> list[str]:
    kubeconfig = yaml.safe_load((sandbox / "kubeconfig").read_text())
    return [read_env(sandbox / "env")["OKTA_ORG_URL"], kubeconfig["clusters"][0]["cluster"]["server"]]


def assert_stops_cleanly(up: Up, sandbox: Path, signum: signal.Signals) -> str:
    """Stop it with `signum`; nothing it started may outlive it. Returns its whole output."""
    operator = up.operator_pid()
    children = up.children if PROC.is_dir() else {operator}
    assert operator in children
    urls = ports(sandbox)
    assert not any(refused(url) for url in urls), "the emulators are not listening"

    code, output = up.stop(signum)

    assert code == 0, output
    assert "Stopped." in output
    assert not [pid for pid in children if (PROC / str(pid)).exists()], "a process is left"
    with pytest.raises(ProcessLookupError):
        os.kill(operator, 0)
    assert all(refused(url) for url in urls), "a port is still open"
    assert list(up.tmp.iterdir()) == [], "a temporary file or folder is left"
    assert {p.name for p in sandbox.iterdir()} == FILES
    return output


def api_client(sandbox: Path) -> Any:
    return kubernetes.config.new_client_from_config(config_file=str(read_env(sandbox / "env")["KUBECONFIG"]))


def wait_ready(custom: Any, timeout: float = 20) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        obj: dict[str, Any] = custom.get_namespaced_custom_object(
            "okta.outsystems.dev", "v1alpha1", NAMESPACE, "outsystemsoktaintegrations", NAME
        )
        status = obj.get("status") or {}
        if status.get("observedGeneration") == obj["metadata"]["generation"] and any(
            c["type"] == "Ready" and c["status"] == "True" for c in status.get("conditions") or []
        ):
            return obj
        time.sleep(0.1)
    raise AssertionError(f"not Ready within {timeout}s: {obj.get('status')}")


def test_up_prepares_the_sandbox_and_sigterm_stops_everything(started: Any) -> None:
    up = started()
    assert up.wait_ready() == COMMANDS
    sandbox = up.cwd / ".sandbox"
    assert {p.name for p in sandbox.iterdir()} == FILES

    env = read_env(sandbox / "env")
    assert set(env) == {"KUBECONFIG", "OKTA_ORG_URL", "OKTA_API_TOKEN"}
    assert env["KUBECONFIG"] == str(sandbox / "kubeconfig")  # absolute, for a shell anywhere
    token = env["OKTA_API_TOKEN"]

    api = api_client(sandbox)
    core = kubernetes.client.CoreV1Api(api)
    custom = kubernetes.client.CustomObjectsApi(api)
    try:
        crd = kubernetes.client.ApiextensionsV1Api(api).read_custom_resource_definition(CRD)
        assert crd.spec.names.short_names == ["osokta"]
        assert core.read_namespace(NAMESPACE).status.phase == "Active"
        secret = core.read_namespaced_secret("okta-api", NAMESPACE)
        assert base64.b64decode(secret.data["apiToken"]).decode() == token

        groups = httpx.get(
            f"{env['OKTA_ORG_URL']}/api/v1/groups", headers={"Authorization": f"SSWS {token}"}, timeout=10
        )
        groups.raise_for_status()
        assert {g["profile"]["name"] for g in groups.json()} >= GROUPS

        # The packaged example, pointed at this sandbox; nothing else changed.
        integration = yaml.safe_load((sandbox / "integration.yaml").read_text())
        expected = yaml.safe_load(EXAMPLE.read_text())
        expected["spec"]["okta"]["orgUrl"] = env["OKTA_ORG_URL"]
        assert integration == expected
        assert set(integration["spec"]["access"]["groups"]) <= GROUPS

        custom.create_namespaced_custom_object(
            "okta.outsystems.dev", "v1alpha1", NAMESPACE, "outsystemsoktaintegrations", integration
        )
        obj = wait_ready(custom)
        assert obj["status"]["secretName"] == f"{NAME}-lifetime"
    finally:
        api.close()

    output = assert_stops_cleanly(up, sandbox, signal.SIGTERM)
    log = (sandbox / "operator.log").read_text()
    assert "Reconciled generation 1" in log
    assert token not in output and token not in log


def test_ctrl_c_stops_everything_and_a_rerun_reuses_the_folder(started: Any, tmp_path: Path) -> None:
    sandbox = tmp_path / "elsewhere"  # outside the working directory: printed as an absolute path
    sandbox.mkdir()
    (sandbox / "operator.log").write_text("a line from an earlier run\n")
    up = started("--dir", str(sandbox))
    commands = up.wait_ready()
    assert commands[:2] == [f"source {sandbox}/env", f"kubectl apply -f {sandbox}/integration.yaml"]
    assert "earlier run" not in (sandbox / "operator.log").read_text()

    assert_stops_cleanly(up, sandbox, signal.SIGINT)
    assert list(up.cwd.iterdir()) == []


@pytest.mark.skipif(
    shutil.which("kubectl") is None or shutil.which("bash") is None,
    reason="kubectl (or bash) is not installed",
)
def test_the_printed_commands_work(started: Any) -> None:
    up = started()
    source, apply, watch = up.wait_ready()

    def shell(command: str) -> list[str]:
        return ["bash", "-c", f"{source} && {command}"]

    applied = subprocess.run(
        shell(apply), cwd=up.cwd, env=up.env, capture_output=True, text=True, timeout=30, check=False
    )
    assert applied.returncode == 0, applied.stderr
    assert applied.stdout.strip() == f"outsystemsoktaintegration.okta.outsystems.dev/{NAME} created"

    watcher = subprocess.Popen(
        shell(f"exec {watch}"),
        cwd=up.cwd,
        env=up.env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        lines = Lines(watcher)
        header = lines.until(lambda line: line.startswith("NAME"), timeout=20)
        assert header.split() == ["NAME", "READY", "REASON", "ENVIRONMENTS", "WEB", "CLIENT", "ID", "AGE"]
        row = lines.until(lambda line: line.split()[:3] == [NAME, "True", "Reconciled"], timeout=20)
        assert row.split()[3] == "3"
    finally:
        watcher.kill()
        watcher.wait(10)

    assert_stops_cleanly(up, up.cwd / ".sandbox", signal.SIGTERM)


@pytest.mark.skipif(shutil.which("bash") is None, reason="bash is not installed")
def test_the_env_file_quotes_for_the_shell(tmp_path: Path) -> None:
    kubeconfig = tmp_path / "it's a dir" / "kubeconfig"
    values = {"KUBECONFIG": str(kubeconfig), "OKTA_ORG_URL": "http://127.0.0.1:1", "OKTA_API_TOKEN": "a$b c"}
    env = tmp_path / "env"
    env.write_text(env_file(kubeconfig, values["OKTA_ORG_URL"], values["OKTA_API_TOKEN"]))
    printed = subprocess.run(
        ["bash", "-c", f'source "{env}" && printf "%s\\n" "$KUBECONFIG" "$OKTA_ORG_URL" "$OKTA_API_TOKEN"'],
        env={"PATH": os.environ.get("PATH", "")},
        capture_output=True,
        text=True,
        check=True,
    )
    assert printed.stdout.splitlines() == list(values.values())
