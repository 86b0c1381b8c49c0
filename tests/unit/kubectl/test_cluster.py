"""The plugin against API servers that misbehave: one that never answers, a proxy's HTML page, 429s and
5xx while a command waits, and kubeconfigs of the wrong shape.

The network edge is real: a loopback HTTP server that answers as a test scripts it, and the plugin's own
client (urllib3 under the official Kubernetes client) talks to it. Nothing of the plugin is replaced.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
import yaml

from outsystems_okta.kubectl.commands import main

HANG = None  # an answer that never comes
Answer = tuple[int, str, bytes] | None
PATH = "/apis/okta.outsystems.dev/v1alpha1/namespaces/team-a/outsystemsoktaintegrations/factory"


def resource(*, paused: bool) -> dict[str, Any]:
    conditions = [{"type": "Paused", "status": "True", "reason": "PausedByAnnotation"}] if paused else []
    return {
        "apiVersion": "okta.outsystems.dev/v1alpha1",
        "kind": "OutSystemsOktaIntegration",
        "metadata": {"name": "factory", "namespace": "team-a", "uid": "u-1"},
        "status": {"conditions": conditions},
    }


def ok(body: object) -> Answer:
    return (200, "application/json", json.dumps(body).encode())


class FakeApi:
    """Answers PATCH with the resource (not paused) and each GET with the next of `gets`, then `then`."""

    def __init__(self) -> None:
        self.gets: list[Answer | str] = []
        self.then: Answer | str = ok(resource(paused=True))
        self.requests: list[tuple[str, str]] = []
        self.release = threading.Event()
        api = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                api.requests.append(("GET", self.path))
                self.answer(api.gets.pop(0) if api.gets else api.then)

            def do_PATCH(self) -> None:
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                api.requests.append(("PATCH", self.path))
                self.answer(ok(resource(paused=False)))

            def answer(self, answer: Answer | str) -> None:
                if answer is HANG:
                    api.release.wait(60)
                    return
                if answer == "drop":  # the connection closes without an answer
                    self.close_connection = True
                    return
                assert not isinstance(answer, str)
                status, content_type, body = answer
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def stop(self) -> None:
        self.release.set()
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def api() -> Iterator[FakeApi]:
    fake = FakeApi()
    yield fake
    fake.stop()


def kubeconfig(path: Path, server: str) -> str:
    path.write_text(
        yaml.safe_dump(
            {
                "apiVersion": "v1",
                "kind": "Config",
                "clusters": [{"name": "c", "cluster": {"server": server}}],
                "users": [{"name": "u", "user": {"token": "t"}}],
                "contexts": [
                    {"name": "one", "context": {"cluster": "c", "user": "u", "namespace": "team-a"}}
                ],
                "current-context": "one",
            }
        )
    )
    return str(path)


def run(argv: list[str], *, limit: float = 20) -> tuple[int | None, float]:
    """main(argv) in a thread, so a plugin that hangs fails the test instead of hanging it."""
    result: list[int] = []
    start = time.monotonic()
    thread = threading.Thread(target=lambda: result.append(main(argv)), daemon=True)
    thread.start()
    thread.join(limit)
    return (result[0] if result else None), time.monotonic() - start


# ---- request timeouts -----------------------------------------------------------------------------------


def test_a_wait_ends_at_its_timeout_when_the_api_server_never_answers(
    api: FakeApi, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # The server takes the connection and the request, and never answers the GETs of the wait.
    api.then = HANG
    config = kubeconfig(tmp_path / "config", api.url)
    code, took = run(["pause", "factory", "--kubeconfig", config, "--timeout", "1"])
    assert code == 1, "the wait did not end"
    assert took < 6
    assert capsys.readouterr().err.splitlines()[-1] == (
        "error: timed out after 1s: OutSystemsOktaIntegration team-a/factory: "
        "no answer from the Kubernetes API within 1s"
    )


def test_a_wait_ends_at_its_timeout_when_the_api_server_stops_answering(
    api: FakeApi, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # A first answer says "not yet"; then the server goes silent (a proxy that lost its upstream).
    api.gets = [ok(resource(paused=False))]
    api.then = HANG
    config = kubeconfig(tmp_path / "config", api.url)
    code, took = run(["pause", "factory", "--kubeconfig", config, "--timeout", "2"])
    assert code == 1, "the wait did not end"
    assert took < 7
    err = capsys.readouterr().err
    assert err.splitlines()[0] == "factory: waiting for the operator to pause"
    assert err.splitlines()[-1].startswith("error: timed out after 2s: ")


# ---- answers that are not the API server's ------------------------------------------------------------


@pytest.mark.parametrize(
    ("answer", "kind"),
    [
        ((200, "text/html; charset=utf-8", b"<html><body>Sign in</body></html>"), "text/html; charset=utf-8"),
        ((200, "application/json", b"[]"), "application/json"),
        ((200, "application/json", b"\xff\xfe not utf-8"), "application/json"),
    ],
)
def test_an_answer_that_is_not_kubernetes_json_is_one_line_exit_1(
    answer: Answer, kind: str, api: FakeApi, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    api.then = answer
    config = kubeconfig(tmp_path / "config", api.url)
    assert main(["status", "factory", "--kubeconfig", config]) == 1
    assert capsys.readouterr().err == (
        f"error: OutSystemsOktaIntegration team-a/factory: the answer is not Kubernetes JSON ({kind}): "
        "is a proxy in the way?\n"
    )


# ---- transient errors while waiting ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("trouble", "progress"),
    [
        ((503, "application/json", b"{}"), "Kubernetes API error 503 (Service Unavailable)"),
        ((429, "application/json", b"{}"), "Kubernetes API error 429 (Too Many Requests)"),
        ((502, "text/html", b"<html>Bad Gateway</html>"), "Kubernetes API error 502 (Bad Gateway)"),
        ("drop", "cannot reach the Kubernetes API (ProtocolError)"),
    ],
)
def test_a_wait_outlasts_a_transient_error(
    trouble: Answer | str,
    progress: str,
    api: FakeApi,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    api.gets = [trouble, trouble]
    config = kubeconfig(tmp_path / "config", api.url)
    code, _ = run(["pause", "factory", "--kubeconfig", config, "--timeout", "10"])
    assert code == 0
    out, err = capsys.readouterr()
    assert out == "factory: Paused=True (PausedByAnnotation)\n"
    assert err == f"factory: OutSystemsOktaIntegration team-a/factory: {progress}\n"
    assert api.requests == [("PATCH", PATH), ("GET", PATH), ("GET", PATH), ("GET", PATH)]


def test_a_wait_that_only_meets_errors_times_out_with_the_last_one(
    api: FakeApi, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    api.then = (503, "application/json", b"{}")
    config = kubeconfig(tmp_path / "config", api.url)
    code, took = run(["pause", "factory", "--kubeconfig", config, "--timeout", "1"])
    assert code == 1 and took < 6
    assert capsys.readouterr().err.splitlines()[-1] == (
        "error: timed out after 1s: OutSystemsOktaIntegration team-a/factory: "
        "Kubernetes API error 503 (Service Unavailable)"
    )


def test_a_refusal_is_not_retried(api: FakeApi, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    api.then = (403, "application/json", b"{}")
    config = kubeconfig(tmp_path / "config", api.url)
    code, _ = run(["pause", "factory", "--kubeconfig", config, "--timeout", "10"])
    assert code == 1
    assert capsys.readouterr().err == (
        "error: OutSystemsOktaIntegration team-a/factory: Kubernetes API error 403 (Forbidden)\n"
    )
    assert api.requests == [("PATCH", PATH), ("GET", PATH)]


# ---- kubeconfigs of the wrong shape ------------------------------------------------------------------------

CONTEXT = "current-context: one\ncontexts:\n- name: one\n  context: {cluster: c, user: u}\n"


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        (
            "apiVersion: v1\nusers:\n- name: u\n  user: {token: s3cret\n",
            "not YAML (expected ',' or '}', but got '<stream end>' at line 5, column 1)",
        ),
        ("just a string\n", "not a kubeconfig (TypeError: 'str' object does not support item assignment)"),
        ("- a\n- b\n", "not a kubeconfig (TypeError: list indices must be integers or slices, not str)"),
        (
            "current-context: one\ncontexts:\n- name: one\n  context: s3cret\n",
            "not a kubeconfig (AttributeError: 'str' object has no attribute 'safe_get')",
        ),
        (
            CONTEXT
            + "clusters:\n- name: c\n  cluster: {server: 'https://h', certificate-authority-data: 'x!'}\n"
            "users:\n- name: u\n  user: {token: s3cret}\n",
            "not a kubeconfig (Error: ",  # binascii's words vary with the Python version
        ),
        (
            "\udcff\udcfe not text\n",
            "not a kubeconfig (UnicodeDecodeError: 'utf-8' codec can't decode byte 0xff in position 0: "
            "invalid start byte)",
        ),
    ],
)
def test_a_malformed_kubeconfig_is_one_line_exit_1(
    text: str, problem: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "config"
    config.write_bytes(text.encode("utf-8", "surrogateescape"))
    assert main(["status", "factory", "--kubeconfig", str(config)]) == 1
    err = capsys.readouterr().err
    assert err.startswith(f"error: cannot use the kubeconfig: {problem}") and err.endswith(")\n")
    assert len(err.splitlines()) == 1
    assert "s3cret" not in err
