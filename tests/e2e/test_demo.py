"""`make demo` runs `outsystems-okta-sandbox demo`: it must work from a clone and never print the secret.

It runs in tmp_path, so the operator's log it keeps (`.sandbox/demo-operator.log` under the working
directory unless told otherwise) lands there and not in the checkout.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.e2e


def run_demo(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "outsystems_okta_sandbox.cli", "demo", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_demo_converges_and_masks_the_client_secret(tmp_path: Path) -> None:
    result = run_demo(tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    out = result.stdout
    assert "Ready after" in out
    # LifeTime's form in its order, as `kubectl osokta lifetime` prints it.
    fields = [
        "Name",
        "Well-known Configuration URL",
        "Client ID Type",
        "Client ID for Desktop tools",
        "Client ID for Web tools",
        "Username Claim",
        "Scopes",
    ]
    positions = [out.index(f"{number}. {field} ") for number, field in enumerate(fields, start=1)]
    assert positions == sorted(positions)
    secret_line = next(line for line in out.splitlines() if "Client Secret" in line)
    assert "********" in secret_line and "--show-secret" in secret_line
    assert "/oauth2/default/.well-known/openid-configuration" in out
    # The operator's log outlives the demo, where it says.
    assert out.rstrip().endswith("The operator's log stays at .sandbox/demo-operator.log")
    log = (tmp_path / ".sandbox" / "demo-operator.log").read_text()
    assert "Reconciled generation 1" in log


def test_demo_reveals_the_secret_only_when_asked(tmp_path: Path) -> None:
    work, log = tmp_path / "work", tmp_path / "logs" / "operator.log"
    work.mkdir()
    result = run_demo(work, "--show-secret", "--operator-log", str(log))
    assert result.returncode == 0, result.stdout + result.stderr
    secret_line = next(line for line in result.stdout.splitlines() if "Client Secret" in line)
    value = secret_line.split()[-1]
    assert "*" not in value and len(value) >= 32
    assert f"The operator's log stays at {log}" in result.stdout
    assert value not in log.read_text()
    assert list(work.iterdir()) == []


def test_demo_ends_with_a_sign_in_check_through_every_callback(tmp_path: Path) -> None:
    result = run_demo(tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    out = result.stdout
    section = out[out.index("7. Sign-in check (it.admin@acme.com, a member of 'OutSystems IT'") :]
    section = section[: section.index("8. Stopping")]
    lines = [line.strip() for line in section.splitlines()[1:] if line.strip()]
    assert lines[0].startswith("Access policies: SignInAllowed: Authorization server 'default': rule ")
    # The example's LifeTime and three environments, then Service Studio: one line each, all ok.
    places = [
        "LifeTime (lifetime.acme.com)",
        "dev (dev.acme.com)",
        "qa (qa.acme.com)",
        "prod (prod.acme.com)",
    ]
    assert [line.split(" ok: ")[0].strip() for line in lines[1:]] == [*places, "Service Studio"]
    for line in lines[1:]:
        assert line.endswith("ok: signed in as it.admin@acme.com, ID token verified, refresh ok"), line
