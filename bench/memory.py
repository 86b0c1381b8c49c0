"""Where the operator's memory goes at start: the resident memory each import adds.

    .venv/bin/python bench/memory.py [--repeat 3]

Each row is a fresh interpreter that imports the modules of the rows above it, then that row's
module, and reports the RSS it added (so a library shared by two rows counts for the first), and,
apart, a fresh interpreter importing only that module ("alone"). Medians of --repeat runs.
Not part of `make test`.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
from collections.abc import Sequence

# In the order `outsystems-okta run` comes to them: the libraries, then our package on top.
MODULES = (
    "pydantic",
    "httpx",
    "kubernetes",
    "kopf",
    "prometheus_client",
    "outsystems_okta.handlers",
)
# What the operator no longer imports unless needed (measured on top of all of MODULES): the generated
# CoreV1Api (kube/rest.py does without it) and cryptography (only for a service app's credentials).
AVOIDED = ("kubernetes.client.api.core_v1_api", "cryptography.hazmat.primitives.asymmetric.rsa")

_PROBE = """
import sys
def rss():
    for line in open('/proc/self/status'):
        if line.startswith('VmRSS:'):
            return int(line.split()[1]) / 1024
before_modules = sys.argv[1].split(',') if sys.argv[1] else []
for name in before_modules:
    __import__(name)
before = rss()
__import__(sys.argv[2])
print(rss() - before)
"""


def added_mib(before: Sequence[str], module: str) -> float:
    out = subprocess.run(
        [sys.executable, "-c", _PROBE, ",".join(before), module], check=True, capture_output=True, text=True
    )
    return float(out.stdout.strip())


def baseline_mib() -> float:
    out = subprocess.run(
        [sys.executable, "-c", _PROBE.replace("__import__(sys.argv[2])", "") + "print(rss())", "", "sys"],
        check=True,
        capture_output=True,
        text=True,
    )
    return float(out.stdout.split()[-1])


def import_costs(modules: Sequence[str], repeat: int) -> list[dict[str, object]]:
    rows: list[dict[str, object]] = []
    for index, module in enumerate(modules):
        cumulative = [added_mib(modules[:index], module) for _ in range(repeat)]
        alone = [added_mib((), module) for _ in range(repeat)]
        rows.append(
            {
                "module": module,
                "added_mib": round(statistics.median(cumulative), 1),
                "alone_mib": round(statistics.median(alone), 1),
            }
        )
    return rows


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--json", action="store_true", help="JSON instead of a Markdown table")
    args = parser.parse_args()
    rows = import_costs(MODULES, args.repeat)
    avoided = [
        {
            "module": m,
            "added_mib": round(statistics.median(added_mib(MODULES, m) for _ in range(args.repeat)), 1),
        }
        for m in AVOIDED
    ]
    base = round(baseline_mib(), 1)
    if args.json:
        print(json.dumps({"interpreter_mib": base, "imports": rows, "avoided": avoided}, indent=2))
        return
    print(f"Python interpreter alone: {base} MiB\n")
    print("| module | RSS added (after the rows above) | RSS added alone |")
    print("| --- | ---: | ---: |")
    for row in rows:
        print(f"| `{row['module']}` | {row['added_mib']} MiB | {row['alone_mib']} MiB |")
    print(f"| total | {round(sum(float(str(r['added_mib'])) for r in rows), 1)} MiB | |")
    print("\nNot imported unless needed (RSS they would add on top of the above):\n")
    for row in avoided:
        print(f"- `{row['module']}`: {row['added_mib']} MiB")


if __name__ == "__main__":
    main()
