"""`make bench`: Okta calls, time to Ready and memory for 1, 10 and 100 integrations with Okta answering
at once, and 1, 10 and 50 with 100 ms of Okta latency, against both emulators and the real operator
process (a fresh one per scenario).

    .venv/bin/python bench/run.py                          # those six (about 5 minutes, 2 cores)
    .venv/bin/python bench/run.py --sizes 1 10 --latencies 0
    .venv/bin/python bench/run.py --budget bench/results/budget.json   # also the 100 x 10 table
    .venv/bin/python bench/run.py --sizes 100 --latencies 0 --adopt   # each adopts two hand-made apps

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
# (integrations, Okta latency in ms): 50 rather than 100 with latency keeps `make bench` near 5 minutes.
DEFAULT_SCENARIOS = ((1, 0), (10, 0), (100, 0), (1, 100), (10, 100), (50, 100))


def drift_interval(integrations: int, latency_ms: int) -> float:
    """Longer than the convergence takes on a 2-core machine (with room), so no drift pass is counted
    in it, and no longer: the run waits one interval for the drift passes."""
    return max(10.0, integrations * (0.8 + latency_ms / 200))


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
    parser.add_argument("--sizes", type=int, nargs="+", help="integrations (default: see DEFAULT_SCENARIOS)")
    parser.add_argument("--latencies", type=int, nargs="+", help="Okta latency, ms (default: 0 and 100)")
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

    if args.sizes is None and args.latencies is None:
        plan = list(DEFAULT_SCENARIOS)
    else:
        plan = [(size, latency) for latency in args.latencies or [0] for size in args.sizes or [1, 10, 100]]
    results = []
    for size, latency in plan:
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
