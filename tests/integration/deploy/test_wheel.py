"""The operator's wheel (what the Dockerfile installs) holds the product and nothing of the sandbox."""

from __future__ import annotations

import ast
import email
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from outsystems_okta.cli import parser
from outsystems_okta.kubectl.commands import COMMANDS

REPO = Path(__file__).resolve().parents[3]
PIP_WHEEL = [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation"]
SANDBOX_ONLY = ("kmock", "aiohttp", "outsystems_okta_sandbox", "celpy")


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> zipfile.ZipFile:
    # Built from what the Dockerfile copies into its build stage, in a scratch folder: the same inputs
    # as the image, and no build/ or egg-info left in the checkout.
    source = tmp_path_factory.mktemp("source")
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(REPO / name, source / name)
    shutil.copytree(REPO / "operator", source / "operator", ignore=shutil.ignore_patterns("__pycache__"))
    out = tmp_path_factory.mktemp("wheel")
    # The build backend (setuptools) comes from the test dependency group: no download, as in CI.
    subprocess.run(
        [*PIP_WHEEL, "--wheel-dir", str(out), str(source)],
        check=True,
        capture_output=True,
        timeout=300,
    )
    (path,) = out.glob("outsystems_okta_operator-*.whl")
    return zipfile.ZipFile(path)


def _modules(wheel: zipfile.ZipFile) -> list[str]:
    return [name for name in wheel.namelist() if name.endswith(".py")]


def test_holds_only_the_product_package(wheel: zipfile.ZipFile) -> None:
    tops = {name.split("/")[0] for name in wheel.namelist()}
    assert tops == {"outsystems_okta", "outsystems_okta_operator-0.1.0.dist-info"}, tops
    names = wheel.namelist()
    assert not [n for n in names if "sandbox" in n or "emulator" in n], "an emulator module in the wheel"
    assert "outsystems_okta/py.typed" in names
    assert "outsystems_okta/examples/integration.yaml" in names


def test_no_module_imports_emulator_code(wheel: zipfile.ZipFile) -> None:
    offenders = []
    for name in _modules(wheel):
        tree = ast.parse(wheel.read(name), name)
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                imported = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                imported = [node.module]
            else:
                continue
            offenders += [f"{name}: {m}" for m in imported if m.split(".")[0] in SANDBOX_ONLY]
    assert not offenders, offenders


def test_metadata_declares_no_emulator_or_test_dependency(wheel: zipfile.ZipFile) -> None:
    (metadata,) = [n for n in wheel.namelist() if n.endswith(".dist-info/METADATA")]
    message = email.message_from_bytes(wheel.read(metadata))
    requires = [
        r.split(";")[0].split("=")[0].split("<")[0].split(">")[0].strip().lower()
        for r in message.get_all("Requires-Dist") or []
    ]
    assert set(requires) == {
        "kopf",
        "kubernetes",
        "httpx",
        "pydantic",
        "pyyaml",
        "prometheus-client",
        "cryptography",
    }
    assert not message.get_all("Provides-Extra")
    (entry_points,) = [n for n in wheel.namelist() if n.endswith(".dist-info/entry_points.txt")]
    scripts = wheel.read(entry_points).decode()
    assert "outsystems-okta = outsystems_okta.cli:main" in scripts
    # kubectl finds a plugin by its name on PATH: installing the package installs `kubectl osokta`.
    assert "kubectl-osokta = outsystems_okta.kubectl.commands:main" in scripts
    assert "sandbox" not in scripts


def test_the_product_command_offers_run_plan_crd_and_the_kubectl_plugins_commands_only() -> None:
    subcommands = next(a for a in parser()._actions if a.dest == "command")
    assert set(subcommands.choices) == {"run", "plan", "crd", *COMMANDS}
