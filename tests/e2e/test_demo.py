"""`make demo` runs `outsystems-okta-sandbox demo`: it must work from a clone and never print the secret."""

from __future__ import annotations

import subprocess
import sys

import pytest

pytestmark = pytest.mark.e2e


def run_demo(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "outsystems_okta_sandbox.cli", "demo", *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_demo_converges_and_masks_the_client_secret() -> None:
    result = run_demo()
    assert result.returncode == 0, result.stdout + result.stderr
    out = result.stdout
    assert "Ready after" in out
    for field in (
        "Client Id for Web tools",
        "Client Id for Desktop tools",
        "OpenID Connect metadata document",
    ):
        assert field in out
    secret_line = next(line for line in out.splitlines() if "Client Secret" in line)
    assert "************" in secret_line and "--show-secret" in secret_line
    assert "/oauth2/default/.well-known/openid-configuration" in out


def test_demo_reveals_the_secret_only_when_asked() -> None:
    result = run_demo("--show-secret")
    assert result.returncode == 0, result.stdout + result.stderr
    secret_line = next(line for line in result.stdout.splitlines() if "Client Secret" in line)
    value = secret_line.split()[-1]
    assert "*" not in value and len(value) >= 32
