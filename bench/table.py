"""The Markdown that `make bench` prints (and the README's Performance section copies)."""

from __future__ import annotations

from typing import Any


def _buckets(by_bucket: dict[str, int], per: int) -> str:
    return ", ".join(f"`{bucket}` {round(count / per, 2):g}" for bucket, count in by_bucket.items()) or "-"


def _rss(figure: dict[str, float]) -> str:
    return f"{figure['median']:g} ({figure['min']:g}-{figure['max']:g})"


def scenarios(results: list[dict[str, Any]]) -> str:
    lines = [
        "| integrations x environments, Okta latency | all Ready after | apply to Ready, median / p95 "
        "| first convergence: passes, calls (per integration; reads + writes) "
        "| ... per integration by bucket "
        "| drift: passes, calls (per pass; writes) | ... per pass by bucket "
        "| RSS MiB idle / converged / after drift: median (min-max) |",
        "| --- | ---: | ---: | --- | --- | --- | --- | --- |",
    ]
    for r in results:
        first, drift, rss = r["first_convergence"], r["drift_pass"], r["rss_mib"]
        passes = max(drift["passes"], 1)
        lines.append(
            f"| {r['integrations']} x {r['environments']}, {r['okta_latency_ms']} ms"
            f"{', adopting' if r.get('adopting') else ''} "
            f"| {r['seconds_until_all_ready']:g} s "
            f"| {r['apply_to_ready_s']['median']:g} / {r['apply_to_ready_s']['p95']:g} s "
            f"| {first['passes']}, {first['total']} "
            f"({first['per_integration']:g}; {first['reads']} + {first['writes']}) "
            f"| {_buckets(first['by_bucket'], r['integrations'])} "
            f"| {drift['passes']}, {drift['total']} ({drift['per_integration'] or 0:g}; {drift['writes']}) "
            f"| {_buckets(drift['by_bucket'], passes)} "
            f"| {_rss(rss['idle'])} / {_rss(rss['converged'])} / {_rss(rss['after_drift'])} |"
        )
    idle = [r["rss_mib"]["idle"]["median"] for r in results]
    lines.append(
        f"\nIdle RSS over the {len(idle)} operator processes: median {sorted(idle)[len(idle) // 2]:g} MiB, "
        f"{min(idle):g} to {max(idle):g} MiB."
    )
    return "\n".join(lines)


def budget(result: dict[str, Any]) -> str:
    """bench/budget.py's JSON (the 100 x 10 scenario on a paced apps bucket) as a table."""
    shares = ", ".join(f"`{b}` {s:g}" for b, s in result["peak_share_per_window"].items())
    sliding = ", ".join(f"`{b}` {s:g}" for b, s in result["peak_share_per_sliding_window"].items())
    calls = ", ".join(f"`{b}` {c}" for b, c in result["okta_calls"].items())
    rows = [
        ("integrations x environments", f"{result['integrations']} x {result['environments']}"),
        ("apps bucket (enforced by the sandbox)", result["apps_bucket"]),
        ("`--okta-budget`, `--okta-concurrency`", f"{result['okta_budget']:g}, {result['okta_concurrency']}"),
        (
            "all Ready after",
            f"{result['seconds_until_all_ready']:g} s (half after {result['seconds_until_half_ready']:g} s)",
        ),
        ("Okta calls to converge, by bucket", calls),
        ("peak share of each bucket in one Okta window", shares),
        ("... in any sliding window of that length", sliding),
        ("429s received", str(result["okta_429s"])),
        ("Ready reasons other than `Reconciled` seen", ", ".join(result["not_ready_reasons_seen"]) or "none"),
        ("seconds waited for budget (operator metric)", f"{result['operator_budget_wait_seconds']:g}"),
        (
            "operator RSS once all Ready",
            f"{result['operator_rss_mib']:g} MiB" if "operator_rss_mib" in result else "-",
        ),
    ]
    return "\n".join(["| | |", "| --- | --- |", *(f"| {k} | {v} |" for k, v in rows)])
