"""The benchmark report, docs/benchmarks.md: every figure beside its baseline, each target met or missed.

The targets are declared once, in TARGETS; the table and the verdicts read them.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from benchmarks.measure import BI_QUERIES, RATIO_REPEATS, machine


@dataclass(frozen=True)
class Target:
    text: str  # as the report's table shows it
    size: str | None  # the seed set it is judged on (None: the largest measured)
    limit: float
    at_least: bool = False  # met when the figure is at least the limit (otherwise: below it)

    def met(self, figure: float) -> bool:
        return figure >= self.limit if self.at_least else figure <= self.limit


TARGETS = {
    "load": Target("≥ 0.8×", None, 0.8, at_least=True),
    "refresh_over_dbt": Target("≤ 1.5× at 1M", "1m", 1.5),
    "peak_memory_mib": Target("< 4096 at 10M", "10m", 4096),
    "bi_query_median_ms": Target("median < 100 at 10M", "10m", 100),
    "consistency_share": Target("< 10 % of the full refresh", None, 0.10),
}


def write_report(results: list[dict], path: Path) -> None:
    lines = [
        "# Benchmarks",
        "",
        f"Measured {datetime.now(UTC):%Y-%m-%d} on one machine ({machine()}), all figures in one run of "
        "`make bench` on the synthetic seed sets of `make bench-data` (benchmarks/generate.py). Timings are wall "
        "clock; memory is the peak resident memory of the refresh's whole process tree. Up to 1M rows the full "
        f"refresh and the plain dbt build are medians of {RATIO_REPEATS} alternated runs (the refresh's profile is "
        "its median run's); at 10M, one run each.",
        "",
        "| | " + " | ".join(f"{r['size']} ({r['rows']:,} rows)" for r in results) + " | target |",
        "|---|" + "---|" * len(results) + "---|",
    ]

    def row(label: str, values: list[str], target: str = "") -> None:
        lines.append(f"| {label} | " + " | ".join(values) + f" | {target} |")

    row("load: loader, median of 3 (s)", [f"{r['load_loader_s']:.2f}" for r in results])
    row("load: DuckDB alone, median of 3 (s)", [f"{r['load_duckdb_alone_s']:.2f}" for r in results])
    row("load throughput / DuckDB's", [f"{r['load_ratio']:.2f}×" for r in results], TARGETS["load"].text)
    row(
        "input contracts (s per million rows)",
        [f"{r['contracts_s_per_million']:.1f}" for r in results],
        "no full table in pandas",
    )
    row("full refresh (s)", [f"{r['full_refresh_s']:.1f}" for r in results])
    row("plain dbt build (s)", [f"{r['dbt_build_s']:.1f}" for r in results])
    row(
        "full refresh / dbt build",
        [f"{r['full_refresh_s'] / r['dbt_build_s']:.2f}×" for r in results],
        TARGETS["refresh_over_dbt"].text,
    )
    row("consistency models and their tests, in the plain build (s)", [f"{r['consistency_s']:.1f}" for r in results])
    row(
        "consistency / full refresh",
        [f"{100 * r['consistency_s'] / r['full_refresh_s']:.1f} %" for r in results],
        TARGETS["consistency_share"].text,
    )
    row("models' SQL run directly in DuckDB (s)", [f"{r['direct_sql_s']:.1f}" for r in results])
    row("full refresh / direct SQL", [f"{r['full_refresh_s'] / r['direct_sql_s']:.1f}×" for r in results])
    row("no-op refresh (s)", [f"{r['noop_refresh_s']:.1f}" for r in results], "rebuilds nothing")
    row("one file changed, sources.csv (s)", [f"{r['one_file_changed_refresh_s']:.1f}" for r in results])
    row(
        "peak memory of the refresh (MiB)",
        [f"{r['full_refresh_peak_rss_mib']:.0f}" for r in results],
        TARGETS["peak_memory_mib"].text,
    )
    for name in BI_QUERIES:
        key = f"query_{name}"
        row(
            f"BI query: {name}, median / p95 (ms)",
            [f"{r[key]['median_ms']:.1f} / {r[key]['p95_ms']:.1f}" for r in results],
            TARGETS["bi_query_median_ms"].text,
        )
    lines += ["", "## Targets", ""] + _verdicts(results)
    lines += ["", "## Where the full refresh's time goes (seconds)", ""]
    groups = list(results[0]["full_refresh_profile_s"])
    lines.append("| | " + " | ".join(r["size"] for r in results) + " |")
    lines.append("|---|" + "---|" * len(results))
    for group in groups:
        lines.append(f"| {group} | " + " | ".join(f"{r['full_refresh_profile_s'][group]:.1f}" for r in results) + " |")
    lines += ["", "Raw figures:", "", "```json", json.dumps(results, indent=1), "```", ""]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines))


def _verdicts(results: list[dict]) -> list[str]:
    """Each target, met or not, in a sentence with its figure; a missed one with what the profile says about it."""
    by_size = {r["size"]: r for r in results}
    lines = []
    largest = results[-1]
    ratio, target = largest["load_ratio"], TARGETS["load"]
    lines.append(
        f"- Loading at {ratio:.2f}× DuckDB's own CSV reading at {largest['size']}: "
        f"{_verdict(target, ratio)} (target {target.limit}×)."
    )
    target = TARGETS["refresh_over_dbt"]
    if target.size in by_size:
        r = by_size[target.size]
        profile = r["full_refresh_profile_s"]
        dbt_step = profile["dbt build, with Dagster's handling of its events"]
        others = {k: v for k, v in profile.items() if not k.startswith("dbt build")}
        refresh_ratio = r["full_refresh_s"] / r["dbt_build_s"]
        verdict = _verdict(target, refresh_ratio)
        lines.append(
            f"- Full refresh at {target.size} rows {refresh_ratio:.2f}× the plain dbt build: {verdict} "
            f"(target {target.limit}×). "
            + (
                ""
                if verdict == "met"
                else f"The refresh's dbt step, in which Dagster also records each model and test as a "
                f"materialization or asset check, takes {dbt_step:.1f} s against the plain build's "
                f"{r['dbt_build_s']:.1f} s. The rest is work a plain dbt build does not do: "
                + ", ".join(f"{v:.1f} s {k}" for k, v in sorted(others.items(), key=lambda kv: -kv[1]) if v >= 0.5)
                + f". Together that is {sum(others.values()):.1f} s, more than the "
                f"{(target.limit - 1) * r['dbt_build_s']:.1f} s the target leaves for it; process start and "
                "end (Python importing Dagster, dagster-dbt and the definitions) costs the same at every size."
            )
        )
    lines.append(
        f"- No-op refresh: {largest['noop_refresh_s']:.1f} s at {largest['size']}, rebuilding nothing (it compares "
        "the seed files' checksums with the last publication and stops)."
    )
    target = TARGETS["peak_memory_mib"]
    if target.size in by_size:
        peak = by_size[target.size]["full_refresh_peak_rss_mib"]
        lines.append(
            f"- Peak memory of the {target.size} refresh {peak:.0f} MiB: {_verdict(target, peak)} "
            f"(target under {target.limit:.0f} MiB)."
        )
    target = TARGETS["bi_query_median_ms"]
    if target.size in by_size:
        worst = max(by_size[target.size][f"query_{name}"]["median_ms"] for name in BI_QUERIES)
        lines.append(
            f"- Slowest BI query median at {target.size} {worst:.1f} ms: {_verdict(target, worst)} "
            f"(target under {target.limit:.0f} ms)."
        )
    target = TARGETS["consistency_share"]
    share = largest["consistency_s"] / largest["full_refresh_s"]
    lines.append(
        f"- The consistency rules (every rule type's model, the findings, the bridge and their tests) take "
        f"{largest['consistency_s']:.1f} s at {largest['size']}, {100 * share:.1f} % of the full refresh: "
        f"{_verdict(target, share)} (target under {100 * target.limit:.0f} %)."
    )
    lines.append(
        "- Input contracts never hold more than one batch of about 200,000 rows in pandas (two while the "
        "next is fetched)."
    )
    return lines


def _verdict(target: Target, figure: float) -> str:
    return "met" if target.met(figure) else "missed"
