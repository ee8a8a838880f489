"""Synthetic but realistic seed sets for benchmarks: provinces, monthly periods, several sources per figure.

    .venv/bin/python -m benchmarks.generate 10k 1m 10m      (make bench-data)

Each set is a complete seed folder (data/bench/<size>/seeds/) that passes the input contracts: 300 indicators of
every quantity kind, China and its 31 provincial divisions, three sources reporting each figure, a mix of units
(EFLOPS and PFLOPS, tokens and trillion tokens, ...) and qualifiers, and planted conflicts: one figure in about
every 50,000 disagrees with the other sources, for the cross-source rule to find. Everything is arithmetic on the row
number, so the same size always gives the same bytes.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import duckdb

from orchestration.warehouse.settings import REPO_ROOT

SIZES = {"10k": 10_000, "1m": 1_000_000, "10m": 10_000_000}
INDICATORS = 300
SOURCES = 3
PROVINCES = [
    "CN-AH",
    "CN-BJ",
    "CN-CQ",
    "CN-FJ",
    "CN-GD",
    "CN-GS",
    "CN-GX",
    "CN-GZ",
    "CN-HA",
    "CN-HB",
    "CN-HE",
    "CN-HI",
    "CN-HL",
    "CN-HN",
    "CN-JL",
    "CN-JS",
    "CN-JX",
    "CN-LN",
    "CN-NM",
    "CN-NX",
    "CN-QH",
    "CN-SC",
    "CN-SD",
    "CN-SH",
    "CN-SN",
    "CN-SX",
    "CN-TJ",
    "CN-XJ",
    "CN-XZ",
    "CN-YN",
    "CN-ZJ",
]
GEOGRAPHIES = ["CN", *PROVINCES]
CONFLICT_EVERY = 50_021  # a prime, so conflicts fall on every kind of figure
QUOTE_EVERY = 100  # figures that came from a report's text, with their quotes

# kind -> (canonical unit, reported units with how many of them make the level, period type, lowest, highest)
KINDS = [
    ("computing_capacity", "EFLOPS", [("EFLOPS", 1), ("PFLOPS", 1000)], "stock", 0, None),
    ("ratio", "percent", [("percent", 1)], "rate", 0, 100),
    ("token_rate", "tokens_per_day", [("trillion_tokens_per_day", 1)], "rate", 0, None),
    ("token_count", "tokens", [("trillion_tokens", 1), ("tokens", 1e12)], "flow", 0, None),
    ("data_volume", "bytes", [("EB", 1)], "flow", 0, None),
    ("currency", "CNY", [("trillion_CNY", 1)], "flow", 0, None),
    ("count", "count", [("count", 1000)], "stock", 0, None),
]


def generate(size: str, root: Path) -> Path:
    """Write the seed set of the given size into <root>/<size>/seeds/ and return that folder."""
    rows = SIZES[size]
    seeds = root / size / "seeds"
    if seeds.exists():
        shutil.rmtree(seeds)
    seeds.mkdir(parents=True)
    for catalog in ("units.csv", "unit_spellings.csv", "bases.csv", "bodies.csv"):
        shutil.copyfile(REPO_ROOT / "seeds" / catalog, seeds / catalog)
    _write_small_files(seeds)
    with duckdb.connect() as connection:
        connection.execute("set preserve_insertion_order = true")
        connection.execute(_observations_sql(rows), [str(seeds / "observations.csv")])
        connection.execute(_quotes_sql(rows), [str(seeds / "observation_quotes.csv")])
    return seeds


def _write_small_files(seeds: Path) -> None:
    geographies = ["geography_code,name,level,parent_code", "CN,China,country,"]
    geographies += [f"{code},Province {code[3:]},province,CN" for code in PROVINCES]
    (seeds / "geographies.csv").write_text("\n".join(geographies) + "\n")

    sources = ["source_id,title,outlet,language,event,published_on,source_kind,url,accessed_on,quotes_source_id,note"]
    sources += [
        f"bench_source_{n},Synthetic statistical yearbook {n},Synthetic publisher {n},en,,2026-0{n}-15,"
        "official_statistics,,,,"
        for n in range(1, SOURCES + 1)
    ]
    (seeds / "sources.csv").write_text("\n".join(sources) + "\n")

    indicators = ["indicator_code,name,description,quantity_kind,canonical_unit,min_value,max_value"]
    for n in range(INDICATORS):
        kind, canonical, _, _, lowest, highest = KINDS[n % len(KINDS)]
        indicators.append(
            f"bench_{kind}_{n:03d},Synthetic {kind} {n},A synthetic {kind} indicator,{kind},{canonical},"
            f"{lowest},{'' if highest is None else highest}"
        )
    (seeds / "indicators.csv").write_text("\n".join(indicators) + "\n")
    aliases = ["alias,indicator_code,language"] + [
        f"synthetic alias {n},bench_{KINDS[n % len(KINDS)][0]}_{n:03d},en" for n in range(3)
    ]
    (seeds / "indicator_aliases.csv").write_text("\n".join(aliases) + "\n")

    ratio_indicator = f"bench_ratio_{1:03d}"
    rules = [
        "rule_id,rule_type,severity,subject_indicator_code,reference_indicator_code,factor_indicator_code,"
        "geography_code,period_start,period_end,open_bound_factor,description,explanation",
        f"bench_cross_source_{ratio_indicator},cross_source_agreement,warn,{ratio_indicator},,,CN-GD,,,,"
        "Sources agree on a synthetic share.,A planted conflict.",
        "bench_capacity_within_total,part_within_whole,warn,bench_computing_capacity_007,bench_computing_capacity_000,,"
        "CN,2000-01-31,2000-01-31,,One synthetic capacity stays within another.,A planted conflict.",
        # Relations with no period or geography: evaluated on every figure of their subject, everywhere.
        "bench_capacity_within_total_everywhere,part_within_whole,warn,bench_computing_capacity_007,"
        "bench_computing_capacity_000,bench_ratio_001,,,,,One capacity stays within another everywhere.,Synthetic.",
        "bench_share_everywhere,share_of_total,warn,bench_computing_capacity_007,bench_computing_capacity_000,"
        "bench_ratio_008,,,,,A capacity is a share of another everywhere.,Synthetic.",
        "bench_growth_everywhere,growth_consistency,warn,bench_ratio_001,bench_computing_capacity_000,,,,,1.5,"
        "A synthetic growth rate agrees with its levels everywhere.,Synthetic.",
        "bench_tokens_everywhere,cumulative_within_rate_bounds,warn,bench_token_count_003,bench_token_rate_002,,,,,1.5,"
        "A synthetic flow fits its daily rates everywhere.,Synthetic.",
        "bench_published_before,reported_before_publication,warn,,,,,,,,No figure ends after its source.,Synthetic.",
    ]
    rules = [f"{rules[0]},same_page", *(f"{rule}," for rule in rules[1:])]  # no rule is limited to one page
    (seeds / "consistency_rules.csv").write_text("\n".join(rules) + "\n")


def _observations_sql(rows: int) -> str:
    kinds = len(KINDS)
    unit_cases = "\n".join(
        f"when {k} then [{', '.join(repr(u) for u, _ in units)}][1 + (i // 7) % {len(units)}]"
        for k, (_, _, units, _, _, _) in enumerate(KINDS)
    )
    scale_cases = "\n".join(f"when '{unit}' then {scale}" for _, _, units, _, _, _ in KINDS for unit, scale in units)
    period_cases = "\n".join(f"when {k} then '{period}'" for k, (_, _, _, period, _, _) in enumerate(KINDS))
    kind_names = "\n".join(f"when {k} then '{name}'" for k, (name, *_) in enumerate(KINDS))
    geographies = "[" + ", ".join(repr(g) for g in GEOGRAPHIES) + "]"
    return f"""
    copy (
        with
        numbered as (
            select
                i,
                i % {INDICATORS} as indicator,
                (i // {INDICATORS}) % {len(GEOGRAPHIES)} as geography,
                (i // {INDICATORS * len(GEOGRAPHIES)}) % {SOURCES} as source,
                i // {INDICATORS * len(GEOGRAPHIES) * SOURCES} as month
            from range({rows}) as t(i)
        ),
        described as (
            select
                *,
                indicator % {kinds} as kind,
                cast(date '2000-01-01' + to_months(month) as date) as month_start,
                -- the same figure from every source: a level that depends on indicator, geography and month
                1 + ((indicator * 7919 + geography * 104729 + month * 1299709) % 9000) / 100.0 as level
            from numbered
        ),
        valued as (
            select
                *,
                case kind {unit_cases} end as unit_code,
                level * case when i % {CONFLICT_EVERY} = 0 and source = 1 then 1.5 else 1 end as planted_level
            from described
        )
        select
            'obs-' || lpad(cast(i as varchar), 9, '0') as observation_id,
            'bench_' || case kind {kind_names} end || '_' || lpad(cast(indicator as varchar), 3, '0')
                as indicator_code,
            {geographies}[geography + 1] as geography_code,
            'bench_source_' || cast(source + 1 as varchar) as source_id,
            case when case kind {period_cases} end = 'stock' then last_day(month_start) else month_start end
                as period_start,
            last_day(month_start) as period_end,
            case kind {period_cases} end as period_type,
            i % 5 = 0 as period_inferred,
            round(case when kind = 1 then least(planted_level, 100) else planted_level end
                * case unit_code {scale_cases} end, 2) as value,
            unit_code,
            case when i % 97 = 0 then 'about' when i % 89 = 0 then 'more_than' else 'exact' end as qualifier,
            'unspecified' as basis_code,
            'unattributed' as body_code,
            month > 300 as is_forecast,
            cast(null as varchar) as value_as_written,
            cast(null as varchar) as unit_as_written,
            cast(null as varchar) as erratum,
            cast(null as varchar) as note
        from valued
        order by i
    ) to $1 (format csv, header true)
    """


def _quotes_sql(rows: int) -> str:
    """One figure in QUOTE_EVERY taken from a report's text, with its sentence and offsets (observation_quotes.csv)."""
    return f"""
    copy (
        select
            'obs-' || lpad(cast(i as varchar), 9, '0') as observation_id,
            'The synthetic report states figure ' || cast(i as varchar) || ' in this sentence.' as quote,
            i * 10 as quote_start,
            i * 10 + length(quote) as quote_end
        from range(0, {rows}, {QUOTE_EVERY}) as t(i)
        order by i
    ) to $1 (format csv, header true)
    """


def main(argv: list[str]) -> None:
    root = REPO_ROOT / "data" / "bench"
    for size in argv or ["10k", "1m", "10m"]:
        if size not in SIZES:
            raise SystemExit(f"unknown size {size!r}; expected one of {', '.join(SIZES)}")
        seeds = generate(size, root)
        print(f"{size}: {seeds} ({(seeds / 'observations.csv').stat().st_size / 1e6:.0f} MB of observations)")


if __name__ == "__main__":
    main(sys.argv[1:])
