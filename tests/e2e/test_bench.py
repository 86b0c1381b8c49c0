"""`make bench`'s driver still measures: one integration, a first convergence and one drift pass."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.e2e

REPO = Path(__file__).resolve().parents[2]


def test_bench_run_reports_calls_passes_and_memory(tmp_path: Path) -> None:
    out = tmp_path / "latest.json"
    command = [sys.executable, "bench/run.py", "--sizes", "1", "--latencies", "0", "--drift-interval", "3"]
    printed = subprocess.run(
        [*command, "--out", str(out)], cwd=REPO, check=True, capture_output=True, text=True, timeout=120
    ).stdout
    [scenario] = json.loads(out.read_text())["scenarios"]
    first, drift = scenario["first_convergence"], scenario["drift_pass"]
    assert first["passes"] == 1 and first["writes"] > 0 and first["total"] == sum(first["by_bucket"].values())
    assert drift["passes"] >= 1 and drift["writes"] == 0 and drift["reads"] > 0
    assert 0 < scenario["apply_to_ready_s"]["median"] <= scenario["seconds_until_all_ready"]
    assert scenario["rss_mib"]["idle"]["median"] > 20
    assert "| 1 x 4, 0 ms |" in printed
