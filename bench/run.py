"""`make bench`: Okta calls, time to Ready and memory for 1, 10 and 100 integrations, with 0 and 100 ms
of Okta latency, against both emulators and the real operator process (a fresh one per scenario).

    .venv/bin/python bench/run.py                          # all scenarios (about 5 minutes, 2 cores)
    .venv/bin/python bench/run.py --sizes 1 10 --latencies 0
    .venv/bin/python bench/run.py --budget bench/results/budget.json   # also the 100 x 10 table
    .venv/bin/python bench/run.py --sizes 150 --latencies 0 --adopt   # each adopts two hand-made apps

Prints Markdown tables and writes everything as JSON (--out, default bench/results/latest.json).
`--budget FILE` adds the last result of `make bench-budget` (bench/budget.py --out FILE), which takes
about 12 minutes and so is not run here. Not part of `make test`: the figures depend on the machine.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import sys
from pathlib import Path
from typing import Any

import table
from scenario import Scenario, run
from workload import REPO

DEFAULT_OUT = REPO / "bench" / "results" / "latest.json"


def drift_interval(integrations: int, latency_ms: int) -> float:
    """Longer than the convergence takes on a 2-core machine (with room), so no drift pass is counted
    in it, and no longer: the run waits one interval for the drift passes."""
    return max(10.0, integrations * (0.4 + latency_ms / 250))


def machine() -> dict[str, Any]:
    return {
        "date": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "platform": platform.platform(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", type=int, nargs="+", default=[1, 10, 100])
    parser.add_argument("--latencies", type=int, nargs="+", default=[0, 100], help="Okta latency, ms")
    parser.add_argument("--environments", type=int, default=4)
    parser.add_argument(
        "--drift-interval",
        type=float,
        help="seconds (default: longer than the convergence is expected to take)",
    )
    parser.add_argument("--adopt", action="store_true", help="each integration adopts two hand-made apps")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--budget", type=Path, help="a bench/budget.py JSON result to include")
    args = parser.parse_args()

    results = []
    for latency in args.latencies:
        for size in args.sizes:
            interval = args.drift_interval or drift_interval(size, latency)
            scenario = Scenario(size, latency, args.environments, interval, adopt=args.adopt)
            print(f"running {scenario.name} ...", file=sys.stderr, flush=True)
            results.append(run(scenario))
    report: dict[str, Any] = {"machine": machine(), "scenarios": results}
    budget = None
    if args.budget is not None:
        if args.budget.is_file():
            budget = json.loads(args.budget.read_text())
            report["budget"] = budget
        else:
            print(f"no {args.budget}: run `make bench-budget` for the 100 x 10 figures", file=sys.stderr)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2) + "\n")

    m = report["machine"]
    print(f"\n{m['date']}, {m['cpus']} CPUs, Python {m['python']}; JSON: {args.out}\n")
    print(table.scenarios(results))
    if budget is not None:
        print(f"\n100 x 10 on a paced apps bucket (bench/budget.py, from {args.budget}):\n")
        print(table.budget(budget))


if __name__ == "__main__":
    main()
