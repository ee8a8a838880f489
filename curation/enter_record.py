"""Enter the public record's verified rows into the seeds, as a curator would: each page a source, each row a figure.

    .venv/bin/python curation/enter_record.py path/to/public-record.csv

Reads the record (one row per figure as one page prints it), this folder's curation log (`public-record.csv`: which
rows were verified against a stored copy of their page), its pages (`pages.csv`: each page's title as its stored copy
prints it, blank where the copy shows none) and its indicator map (`indicators.csv`), then:

- adds each page as a source (`seeds/sources.csv`: outlet, language, the date the page gives, its address, the day
  it was checked), the catalog rows the figures need (indicators, geographies, units), and
- hands the figures to `accept` (orchestration/proposals/accepting.py) as a reviewed proposals file, so that they
  enter through the input contracts exactly as a curator's reviewed rows do: nothing is written unless every seed
  file's contract holds with them added;
- marks each row of the log `entered` with its observation_id, or `left_out` with the reason.

Run again, it replaces what it entered before (the figures whose ids start `pr`, the sources it named). The rules that
turn a row into a figure (period, unit, basis, body, erratum) are the tables below, each with why.
"""

from __future__ import annotations

import argparse
import calendar
import csv
import re
import shutil
import sys
import tempfile
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlparse

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from orchestration.proposals.accepting import accept  # noqa: E402
from orchestration.proposals.writing import columns  # noqa: E402

CURATION = REPO / "curation"
SEEDS = REPO / "seeds"
RECORD_ID = re.compile(r"^pr\d{4}-")

# Rows kept out although their page was verified: not a figure of a geography this warehouse covers, or no date to
# place it on (the log says so; reasons in the project's words).
OUT_OF_SCOPE = {
    "PR0003": "the capacity of 25 projects started in the clusters, not a geography's total",
    "PR0004": "the racks of 25 projects started in the clusters, not a geography's total",
    "PR0026": "a bound stated for four provinces at once, not a figure of one geography",
    "PR0126": "a supply target between two places, not a figure of a geography",
    "PR0147": "a company's own capacity, not a geography's",
    "PR0166": "an expectation with no year: nothing to place it on in time",
    "PR0191": "one company's daily token calls, not a geography's",
    "PR0237": "one site's capacity, the node's total not given",
    "PR0245": "one platform's weekly count, not national consumption",
}

# Rows of the article the seeds' own figures were read from (its address is ccpc_2025's): already figures of the seeds.
SEEDS_OWN = {
    "PR0205": "nda24-total-capacity-2024",
    "PR0206": "ccpc25-intelligent-capacity-2025-06",
    "PR0207": "ccpc25-intelligent-capacity-2024-end",
    "PR0208": "nda24-intelligent-share-2024",
    "PR0209": "ccpc25-innovative-projects",
}

# TRAP notes that are not errata: the page prints the figure right in its own usage (Taiwanese 兆 and 千兆, the
# Portuguese thousands point) or misleads only in the story it tells around a right figure.
NOT_ERRATA = {"PR0180", "PR0182", "PR0206", "PR0214"}

# Where the stored page differs from the record, the figure enters as the page prints it (the log's reason).
AS_ON_PAGE = {"PR0224": {"qualifier": "exact"}}

# The record's indicator names whose catalog indicator depends on the row, not the name alone.
ROW_INDICATORS = {
    "PR0081": "total_computing_growth",  # 9.4 % over half a year (end 2022 to June 2023): not a yearly rate
}

GEOGRAPHIES = {
    "CN": "CN",
    "world": "WORLD",
    "US": "US",
    "8 national hubs": "CN-HUBS",
    "10 national data-centre clusters": "CN-CLUSTERS",
    "Qingyang cluster (Gansu hub)": "CN-GS-QINGYANG",
    "central and western China": "CN-CENTRAL-WEST",
    "western China": "CN-WEST",
    "top-20 cities": "CN-TOP20",
    "Gui'an New Area (Guizhou hub)": "CN-GZ-GUIAN",
    "Guizhou": "CN-GZ",
    "Inner Mongolia": "CN-NM",
}
NEW_GEOGRAPHIES = [
    ("WORLD", "World", "world", ""),
    ("US", "United States", "country", "WORLD"),
    ("CN-HUBS", "The eight national computing hubs together", "hub_group", "CN"),
    ("CN-CLUSTERS", "The ten national data-centre clusters together", "hub_group", "CN"),
    ("CN-GS-QINGYANG", "Qingyang data-centre cluster", "cluster", "CN-HUB-GS"),
    ("CN-GZ-GUIAN", "Gui'an New Area", "cluster", "CN-HUB-GZ"),
    ("CN-CENTRAL-WEST", "Central and western China", "region", "CN"),
    ("CN-WEST", "Western China", "region", "CN"),
    ("CN-TOP20", "China's twenty leading cities for computing", "region", "CN"),
    ("CN-GZ", "Guizhou province", "province", "CN"),
    ("CN-NM", "Inner Mongolia autonomous region", "province", "CN"),
]

# The record's canonical unit -> the warehouse's, and the units of each that a figure may be stored in. A figure is
# stored in the largest of its units that writes it with no more digits than the page printed (1085萬 racks: 10.85
# million), so that the precision the warehouse reads from it is the page's, not finer.
CANONICAL_UNITS = {
    "EFLOPS": "EFLOPS",
    "percent": "percent",
    "percentage_points": "percentage_points",
    "count": "count",
    "bytes": "bytes",
    "CNY": "CNY",
    "USD": "USD",
    "tokens_per_day": "tokens_per_day",
    "tokens": "tokens",
    "ratio": "multiple",
}
NEW_UNITS = [
    ("thousand", "thousand", "count", "count", "1e3"),
    ("ten_thousand", "ten thousand (万)", "count", "count", "1e4"),
    ("hundred_million_CNY", "hundred million yuan (亿元)", "currency", "CNY", "1e8"),
    ("million", "million", "count", "count", "1e6"),
    ("billion_tokens_per_day", "billion tokens per day", "token_rate", "tokens_per_day", "1e9"),
    ("billion_tokens", "billion tokens", "token_count", "tokens", "1e9"),
    ("billion_USD", "billion US dollars", "currency_usd", "USD", "1e9"),
    ("percentage_points", "percentage points", "ratio_change", "percentage_points", "1"),
]

SPELLED = {"EFLOPS": ("exaflops",), "PFLOPS": ("petaflops", "pflops"), "ZFLOPS": ("zettaflops",)}

BASES = [  # the record's basis, by its first words -> bases.csv; anything else describes a scope: unspecified
    ("NDA survey", "nda_survey"),
    ("device-side", "device_side"),
    ("infrastructure-side", "infrastructure_side"),
    ("unspecified (MIIT); equals CAICT infrastructure-side", "infrastructure_side"),
    ("data-centre computing", "infrastructure_side"),
    ("computing facilities", "infrastructure_side"),
    ("in use", "infrastructure_side"),
    ("FP16", "fp16"),
    ("unspecified on page (FP16 per", "fp16"),
    ("unspecified on this page (FP16 per", "fp16"),
    ("FP32", "fp32"),
    ("FP64", "fp64"),
    ("IDC", "idc_estimate"),
    ("SIC/Inspur", "idc_estimate"),
]

BODIES = [  # the record's attribution, by its first words -> bodies.csv (first match wins)
    ("SCMP calculation", "media"),
    ("Global Digital Economy Conference 2024 (CAICT", "caict"),
    ("Global Digital Economy Conference", "gdec"),
    ("2023 China Computing Power Conference (MIIT)", "miit"),
    ("2025 China Computing Power Conference", "ccpc"),
    ("conference", "ccpc"),
    ("CAICT", "caict"),
    ("NDA", "nda"),
    ("national data authorities", "nda"),
    ("NDRC", "ndrc"),
    ("MIIT and five other", "miit_joint"),
    ("six", "miit_joint"),
    ("MIIT", "miit"),
    ("IDC and Inspur", "idc_inspur"),
    ("IDC", "idc"),
    ("State Information Center", "sic"),
    ("CCID", "ccid"),
    ("National Bureau of Statistics", "nbs"),
    ("Chinese Academy of Engineering", "cae"),
    ("Chinese Institute of New Generation AI", "cingai"),
    ("Askci", "askci"),
    ("China Telecom", "china_telecom"),
    ("SuperComputing Network", "sugon"),
    ("Morgan Stanley", "morgan_stanley"),
    ("JPMorgan", "jpmorgan"),
    ("OpenRouter", "openrouter"),
    ("Qingyang", "local_government"),
    ("Guizhou", "local_government"),
    ("Inner Mongolia", "local_government"),
    ("Zhongwei", "local_government"),
    ("People's Daily", "media"),
    ("数智元", "media"),
    ("(CCTV", "media"),
    ("(state media", "media"),
    ("CAICT official", "caict"),
    ("officials", "unattributed"),
    ("industry forecast", "unattributed"),
    ("(unattributed", "unattributed"),
]


@dataclass(frozen=True)
class Indicator:
    name: str
    description: str
    quantity_kind: str
    canonical_unit: str
    minimum: str = "0"
    maximum: str = ""
    over_a_window: bool = False  # a total or a change over a period, not a level on a day


PERCENT = ("ratio", "percent")
GROWTH = {"quantity_kind": "ratio", "canonical_unit": "percent", "minimum": "-100", "over_a_window": True}
SHARE = {"quantity_kind": "ratio", "canonical_unit": "percent", "maximum": "100"}
NEW_INDICATORS = {
    "data_production": Indicator(
        "Data produced", "Data generated over the year", "data_volume", "bytes", over_a_window=True
    ),
    "data_production_growth_yoy": Indicator("Data production growth", "Year-on-year growth of data produced", **GROWTH),
    "data_production_per_capita": Indicator(
        "Data produced per person",
        "Data generated over the year per inhabitant",
        "data_volume",
        "bytes",
        over_a_window=True,
    ),
    "data_storage_volume": Indicator(
        "Data stored", "Data actually held in storage (the NDA survey)", "data_volume", "bytes"
    ),
    "world_computing_share": Indicator(
        "Share of world computing", "China's computing capacity as a share of the world's", **SHARE
    ),
    "intelligent_computing_world_share": Indicator(
        "Share of world intelligent computing",
        "China's intelligent computing capacity as a share of the world's",
        **SHARE,
    ),
    "computing_core_industry_value": Indicator(
        "Core computing industry value",
        "Value of the core computing power industry",
        "currency",
        "CNY",
        over_a_window=True,
    ),
    "computing_industry_value": Indicator(
        "Computing industry value",
        "Value of the computing power industry, related industries included",
        "currency",
        "CNY",
        over_a_window=True,
    ),
    "computing_industry_growth_annual": Indicator(
        "Computing industry growth", "Yearly growth of the computing power industry", **GROWTH
    ),
    "high_quality_datasets_volume": Indicator(
        "High-quality datasets volume", "Volume of the high-quality datasets available", "data_volume", "bytes"
    ),
    "total_computing_growth_cagr": Indicator(
        "Total computing average growth",
        "Average yearly growth of total computing capacity over several years",
        **GROWTH,
    ),
    "total_computing_growth": Indicator(
        "Total computing growth over the period",
        "Growth of total computing capacity over the period stated (not a yearly rate)",
        **GROWTH,
    ),
    "intelligent_computing_growth_cagr": Indicator(
        "Intelligent computing average growth",
        "Average yearly growth of intelligent computing capacity over several years",
        **GROWTH,
    ),
    "ai_industry_value": Indicator(
        "AI industry value",
        "Value of the AI industry, related industries included",
        "currency",
        "CNY",
        over_a_window=True,
    ),
    "general_computing_capacity": Indicator(
        "General computing capacity",
        "Installed general-purpose (CPU) computing power",
        "computing_capacity",
        "EFLOPS",
    ),
    "general_computing_share": Indicator(
        "General share of computing capacity",
        "General computing capacity as a share of total computing capacity",
        **SHARE,
    ),
    "hub_rack_utilisation": Indicator("Rack utilisation", "Share of the racks in use that are used", **SHARE),
    "pue_average": Indicator(
        "Average PUE", "Average power usage effectiveness of computing centres", "multiple", "multiple", "1"
    ),
    "ten_thousand_card_clusters": Indicator(
        "Clusters of 10,000 cards", "Computing clusters of ten thousand accelerator cards or more", "count", "count"
    ),
    "ai_daily_token_calls_multiple": Indicator(
        "Daily token calls multiple",
        "Daily AI token calls at the period's end as a multiple of its start",
        "multiple",
        "multiple",
        over_a_window=True,
    ),
    "ai_daily_token_calls_growth": Indicator(
        "Daily token calls growth", "Growth of daily AI token calls over the period stated", **GROWTH
    ),
    "ai_computing_market_value": Indicator(
        "AI computing market value",
        "Spending on AI computing (servers and services)",
        "currency_usd",
        "USD",
        over_a_window=True,
    ),
    "ai_core_industry_growth_yoy": Indicator(
        "Core AI industry growth", "Year-on-year growth of the core AI industry's value", **GROWTH
    ),
    "ai_data_growth_yoy": Indicator(
        "AI data growth", "Year-on-year growth of the data used for AI training and inference", **GROWTH
    ),
    "ai_generated_data_volume": Indicator(
        "Data generated by AI",
        "Data generated by AI and system software over the year",
        "data_volume",
        "bytes",
        over_a_window=True,
    ),
    "ai_inference_tokens_forecast": Indicator(
        "AI inference tokens",
        "Tokens processed by AI inference over the year",
        "token_count",
        "tokens",
        over_a_window=True,
    ),
    "ai_patent_world_share": Indicator(
        "Share of world AI patents", "China's AI patents as a share of the world's", **SHARE
    ),
    "big_data_industry_target": Indicator(
        "Big data industry value", "Value of the big data industry", "currency", "CNY", over_a_window=True
    ),
    "central_western_facility_share": Indicator(
        "Facilities in central and western China", "Share of national computing facilities located there", **SHARE
    ),
    "chinese_training_data_share": Indicator(
        "Chinese-language training data",
        "Share of Chinese-language data in the training data of domestic models",
        **SHARE,
    ),
    "computing_application_projects": Indicator(
        "Computing application projects",
        "Projects applying computing power collected in the year",
        "count",
        "count",
    ),
    "computing_growth_target": Indicator(
        "Computing growth target", "Growth of computing capacity set as a target", **GROWTH
    ),
    "dataset_trading_value": Indicator(
        "Dataset trading value", "Value of datasets traded on data exchanges, summed to the date", "currency", "CNY"
    ),
    "genai_models_registered": Indicator(
        "Generative AI services registered", "Generative AI services filed with the regulator", "count", "count"
    ),
    "hub_intelligent_computing_share": Indicator(
        "Hubs' share of intelligent computing",
        "Share of intelligent computing capacity located in the hubs",
        **SHARE,
    ),
    "intelligent_computing_centres_target": Indicator(
        "Intelligent computing centres", "Intelligent computing centres built", "count", "count"
    ),
    "intelligent_share_change": Indicator(
        "Change of intelligent share",
        "Change of intelligent computing's share of total capacity over the period",
        "ratio_change",
        "percentage_points",
        "-100",
        "100",
        over_a_window=True,
    ),
    "intelligent_share_target": Indicator(
        "Intelligent share target", "Intelligent computing's share of total capacity set as a target", **SHARE
    ),
    "listed_dataset_volume": Indicator(
        "Datasets listed for trading", "Volume of datasets listed on data exchanges", "data_volume", "bytes"
    ),
    "llm_released_count": Indicator(
        "Large models released", "Large AI models released in China, summed to the date", "count", "count"
    ),
    "national_hub_count": Indicator("National computing hubs", "National computing hubs approved", "count", "count"),
    "public_cloud_llm_tokens_cumulative": Indicator(
        "Public-cloud model tokens",
        "Tokens of large-model calls on public clouds over the year",
        "token_count",
        "tokens",
        over_a_window=True,
    ),
    "servers_in_use": Indicator("Servers in use", "Servers installed and in use", "count", "count"),
    "storage_capacity_growth": Indicator(
        "Storage capacity growth", "Growth of installed storage capacity over the period stated", **GROWTH
    ),
    "storage_space_total": Indicator(
        "Storage space", "Storage space installed (the NDA survey)", "data_volume", "bytes"
    ),
    "storage_space_utilisation": Indicator(
        "Storage space used", "Share of the storage space installed that is used", **SHARE
    ),
    "top20_cities_share": Indicator(
        "Share of the leading cities", "Share of national computing in the twenty leading cities", **SHARE
    ),
    "urban_data_nodes": Indicator(
        "Urban data nodes", "Urban business nodes of the national data infrastructure", "count", "count"
    ),
    "west_share_new_computing": Indicator(
        "West's share of new computing", "Share of newly added computing capacity located in the west", **SHARE
    ),
}
# Catalog indicators that are totals or changes over a period (the others are levels on a day).
WINDOW_INDICATORS = {
    "ai_core_industry_value",
    "intelligent_computing_growth_yoy",
    "total_computing_growth_yoy",
    "hub_share_of_new_computing",
    *(code for code, indicator in NEW_INDICATORS.items() if indicator.over_a_window),
}
RATE_KINDS = {"ratio", "ratio_change", "multiple", "token_rate"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("record", type=Path, help="the team's public-record.csv")
    arguments = parser.parse_args()
    record = _read(arguments.record)
    log = {row["record_id"]: row for row in _read(CURATION / "public-record.csv")}
    mapping = {row["record_indicator"]: row for row in _read(CURATION / "indicators.csv")}
    titles = {row["url"]: row["title_on_page"] for row in _read(CURATION / "pages.csv")}
    missing = [row["record_id"] for row in record if row["record_id"] not in log]
    if missing:
        sys.exit(f"{CURATION / 'public-record.csv'}: no curation row for {', '.join(missing)}")

    entering = []
    for row in record:
        entry = log[row["record_id"]]
        if entry["verified"] == "no":
            entry.update(status="left_out", reason="could not be verified: its page is not among the stored copies")
        elif row["record_id"] in SEEDS_OWN:
            entry.update(status="entered", reason=SEEDS_OWN[row["record_id"]])
        elif row["record_id"] in OUT_OF_SCOPE:
            entry.update(status="left_out", reason=f"out of scope: {OUT_OF_SCOPE[row['record_id']]}")
        else:
            entering.append(row)
    sources = _sources(entering, log, titles)
    figures = [_figure(row, sources[row["url"]]["source_id"], mapping) for row in entering]
    for row, figure in zip(entering, figures, strict=True):
        log[row["record_id"]].update(status="entered", reason=figure["observation_id"])

    with tempfile.TemporaryDirectory(prefix="enter-record-") as folder:
        candidate = Path(folder) / "seeds"
        shutil.copytree(SEEDS, candidate)
        _drop_earlier_entry(candidate, {source["source_id"] for source in sources.values()})
        _append(candidate / "sources.csv", list(sources.values()))
        _append_new(
            candidate / "geographies.csv",
            "geography_code",
            [
                dict(zip(("geography_code", "name", "level", "parent_code"), row, strict=True))
                for row in NEW_GEOGRAPHIES
            ],
        )
        _append_new(
            candidate / "units.csv",
            "unit_code",
            [
                dict(
                    zip(
                        ("unit_code", "name", "quantity_kind", "canonical_unit", "factor_to_canonical"),
                        row,
                        strict=True,
                    )
                )
                for row in NEW_UNITS
            ],
        )
        used = {figure["indicator_code"] for figure in figures}
        _append_new(
            candidate / "indicators.csv",
            "indicator_code",
            [
                {
                    "indicator_code": code,
                    "name": indicator.name,
                    "description": indicator.description,
                    "quantity_kind": indicator.quantity_kind,
                    "canonical_unit": indicator.canonical_unit,
                    "min_value": indicator.minimum,
                    "max_value": indicator.maximum,
                }
                for code, indicator in NEW_INDICATORS.items()
                if code in used
            ],
        )
        proposals = Path(folder) / "public-record.csv"
        with proposals.open("w", newline="", encoding="utf-8") as file:
            writer = csv.DictWriter(file, fieldnames=columns(), lineterminator="\n")
            writer.writeheader()
            writer.writerows(
                {**figure, "quote": "", "quote_start": "", "quote_end": "", "review": "", "keep": "true"}
                for figure in figures
            )
        accepted = accept(proposals, candidate)
        for name in ("sources.csv", "geographies.csv", "units.csv", "indicators.csv", "observations.csv"):
            shutil.copyfile(candidate / name, SEEDS / name)
    _write(CURATION / "public-record.csv", list(log.values()))
    left_out = sum(entry["status"] == "left_out" for entry in log.values())
    print(
        f"{len(figures)} figures from {len(sources)} pages entered (seeds/observations.csv lines "
        f"{accepted.seed_lines[0]}-{accepted.seed_lines[-1]}), {len(SEEDS_OWN)} already the seeds' own; "
        f"{left_out} rows left out, each with its reason in {CURATION / 'public-record.csv'}"
    )


def _sources(rows: list[dict], log: dict, titles: dict) -> dict[str, dict]:
    """One source per page, named by its host and date (people_cn_2022_02_18), in the record's order."""
    pages: dict[str, dict] = {}
    taken: set[str] = set()
    for row in rows:
        if row["url"] in pages:
            continue
        host = urlparse(row["url"]).hostname or "page"
        host = re.sub(r"^(www|m|en|english)\.", "", host)
        stem = re.sub(r"[^a-z0-9]+", "_", f"{host} {row['page_date'] or 'undated'}".lower()).strip("_")
        source_id, n = stem, 1
        while source_id in taken:
            n += 1
            source_id = f"{stem}_{n}"
        taken.add(source_id)
        events = {other["event"] for other in rows if other["url"] == row["url"] and other["event"]}
        pages[row["url"]] = {
            "source_id": source_id,
            "title": titles[row["url"]],
            "outlet": row["outlet"],
            "language": {"other": "pt"}.get(row["language"], row["language"]),
            "event": events.pop() if len(events) == 1 else "",
            "published_on": _day(row["page_date"], last=True).isoformat() if row["page_date"] else "",
            "source_kind": _source_kind(row),
            "url": row["url"],
            "accessed_on": log[row["record_id"]]["checked_on"],
            "quotes_source_id": "",
            "note": {0: "The page gives no date.", 7: "The page gives the month only: dated on its last day."}.get(
                len(row["page_date"]), ""
            ),
        }
    return pages


def _source_kind(row: dict) -> str:
    """official_page on a government site; web_page for a repost, mirror, copy or summary; news_article otherwise."""
    if (urlparse(row["url"]).hostname or "").endswith("gov.cn"):
        return "official_page"
    carried = ("repost", "mirror", "copy", "rewrite", "summary", "aggregat", "via ", "forum", "post", "digest")
    return "web_page" if any(word in row["outlet"].lower() for word in carried) else "news_article"


def _figure(row: dict, source_id: str, mapping: dict) -> dict[str, str]:
    record_id = row["record_id"]
    indicator_code = ROW_INDICATORS.get(record_id) or mapping[row["indicator"]]["indicator_code"]
    start, end, inferred, period_note = _period(row, indicator_code in WINDOW_INDICATORS)
    value, unit_code = _stored_value(row)
    basis_code = _first_match(BASES, row["basis"]) or "unspecified"
    body_code = _first_match(BODIES, row["attributed_to"])
    if body_code is None:
        raise ValueError(f"{record_id}: no body for attribution {row['attributed_to']!r}; add it to BODIES")
    is_forecast = row["is_forecast_or_target"] == "true"
    trap = row["note"].startswith("TRAP") and record_id not in NOT_ERRATA
    notes = [period_note, "" if trap else row["note"]]
    if basis_code == "unspecified" and not row["basis"].startswith("unspecified"):
        notes.append(f"Scope as the record gives it: {row['basis']}.")
    notes.append(f"Attributed to: {row['attributed_to']}.")
    figure = {
        "observation_id": f"{record_id.lower()}-{indicator_code.replace('_', '-')}",
        "indicator_code": indicator_code,
        "geography_code": GEOGRAPHIES[row["geography"]],
        "source_id": source_id,
        "period_start": start.isoformat(),
        "period_end": end.isoformat(),
        "period_type": "stock"
        if not _is_window(indicator_code) and not _is_rate(row)
        else ("rate" if _is_rate(row) else "flow"),
        "period_inferred": "true" if inferred else "false",
        "value": value,
        "unit_code": unit_code,
        "qualifier": row["qualifier"],
        "basis_code": basis_code,
        "body_code": body_code,
        "is_forecast": "true" if is_forecast else "false",
        "value_as_written": row["value_as_written"],
        "unit_as_written": row["unit_as_written"],
        "erratum": row["note"].removeprefix("TRAP gloss:").removeprefix("TRAP:").strip() if trap else "",
        "note": " ".join(note for note in notes if note),
    }
    figure.update(AS_ON_PAGE.get(record_id, {}))
    return figure


def _is_window(indicator_code: str) -> bool:
    return indicator_code in WINDOW_INDICATORS


def _is_rate(row: dict) -> bool:
    return CANONICAL_UNITS[row["canonical_unit"]] in {"percent", "percentage_points", "multiple", "tokens_per_day"}


def _first_match(table: list[tuple[str, str]], text: str) -> str | None:
    return next((code for prefix, code in table if text.startswith(prefix)), None)


def _period(row: dict, over_a_window: bool) -> tuple[date, date, bool, str]:
    """The first and last day a figure refers to. A level is dated on its day (a year: its last day); a total or
    change spans its window (a year: the whole year). 'recent years to X' and 'N years to X' span what they say, or
    the year to X where the number of years is not stated."""
    text = row["period"].removesuffix(" (as written)")
    inferred = row["period_certainty"].startswith("inferred")
    note = ""
    if match := re.fullmatch(r"(?:(\d+|last \w+) years|recent years) to (.+)", text):
        end = _day(match.group(2), last=True)
        words = {"five": 5, "eight": 8, "last eight": 8}
        years = match.group(1)
        count = int(years) if years and years.isdigit() else words.get(years or "", 0)
        if count:
            return date(end.year - count + 1, 1, 1), end, inferred, ""
        start = end - timedelta(days=364) if end.month != 12 else date(end.year, 1, 1)
        return start, end, True, "A rate of recent years, their number not stated: dated as the year to its end."
    if text.startswith("cumulative to "):
        end = _day(text.removeprefix("cumulative to "), last=True)
        return end, end, inferred, "A total to the date, from no stated start: dated on its last day."
    if text.startswith("from "):
        year = int(text.removeprefix("from "))
        return date(year, 1, 1), date(year, 12, 31), True, "A goal from the year stated: dated as that year."
    if "/" in text:
        first, last = text.split("/")
        return _day(first, last=False), _day(last, last=True), inferred, note
    end = _day(text, last=True)
    if not over_a_window:
        return end, end, inferred, note
    if re.fullmatch(r"\d{4}(H1)?", text):
        return date(end.year, 1, 1), end, inferred, note
    # A total or a rate stated at a date (an industry's scale "as of July"): the year to that date.
    start = date(end.year - 1, end.month, end.day) + timedelta(days=1) if (end.month, end.day) != (2, 29) else end
    return start, end, True, "A total or rate stated at a date: taken as the year to it."


def _day(text: str, last: bool) -> date:
    """A date, a month, a half or a year as its first or last day."""
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        return date.fromisoformat(text)
    if match := re.fullmatch(r"(\d{4})-(\d{2})", text):
        year, month = int(match.group(1)), int(match.group(2))
        return date(year, month, calendar.monthrange(year, month)[1] if last else 1)
    if match := re.fullmatch(r"(\d{4})H([12])", text):
        year, half = int(match.group(1)), int(match.group(2))
        return date(year, 6 * half, 30 if half == 1 else 31) if last else date(year, 6 * half - 5, 1)
    if re.fullmatch(r"\d{4}", text):
        return date(int(text), 12, 31) if last else date(int(text), 1, 1)
    raise ValueError(f"period {text!r}: expected YYYY, YYYY-MM, YYYY-MM-DD, YYYYH1 or a/b")


def _stored_value(row: dict) -> tuple[str, str]:
    """The canonical value in the unit whose written precision comes nearest the page's, so that the range the
    warehouse reads from the stored number (half a unit of its last decimal place) is the page's: 5000亿元 is stored as
    5000 hundred_million_CNY (within 0.5亿), 1085萬 racks as 1085 ten_thousand, 780.000 PFlops as 780 EFLOPS to three
    decimals. Among equals, the looser reading, then the unit the page names, then a number of at least 1, then the
    smaller unit (1509 models, not 1.509 thousand)."""
    canonical = CANONICAL_UNITS[row["canonical_unit"]]
    value = Decimal(row["value_canonical"])
    written = re.search(r"\d[\d,]*(?:\.\d+)?", row["value_as_written"])
    number = Decimal(written.group().replace(",", "")) if written else Decimal(0)
    if not value:
        return "0", canonical
    if number:
        page_half = Decimal("0.5") * Decimal(10) ** -_decimals(number) * abs(value / number)
    else:  # a number in words (eight, 万亿): precise to its last non-zero digit
        page_half = Decimal("0.5") * Decimal(10) ** value.normalize().as_tuple().exponent
    named = row["unit_as_written"].lower().replace(" ", "")

    def fit(unit: tuple[str, Decimal]) -> tuple:
        unit_code, factor = unit
        scaled = value / factor
        half = Decimal("0.5") * Decimal(10) ** -min(_decimals(scaled), 6) * factor
        distance = abs((half / page_half).log10())
        names = {unit_code.lower(), *SPELLED.get(unit_code, ())}
        is_named = any(name in named for name in names)
        return (-distance.quantize(Decimal("0.01")), half >= page_half, is_named, scaled >= 1, -factor)

    unit_code, factor = max(_units_of(canonical), key=fit)
    return _plain(value / factor), unit_code


def _decimals(number: Decimal) -> int:
    text = _plain(number)
    return len(text.split(".")[1]) if "." in text else 0


def _units_of(canonical: str) -> list[tuple[str, Decimal]]:
    names = ("unit_code", "name", "quantity_kind", "canonical_unit", "factor_to_canonical")
    units = [row for row in _read(SEEDS / "units.csv") if row["canonical_unit"] == canonical]
    units += [dict(zip(names, row, strict=True)) for row in NEW_UNITS if row[3] == canonical]
    return [(unit["unit_code"], Decimal(unit["factor_to_canonical"])) for unit in units]


def _plain(value: Decimal) -> str:
    return format(value.normalize(), "f")


def _drop_earlier_entry(seeds: Path, source_ids: set[str]) -> None:
    observations = _read(seeds / "observations.csv")
    _write(seeds / "observations.csv", [row for row in observations if not RECORD_ID.match(row["observation_id"])])
    sources = _read(seeds / "sources.csv")
    _write(seeds / "sources.csv", [row for row in sources if row["source_id"] not in source_ids])


def _append(path: Path, rows: list[dict]) -> None:
    existing = _read(path)
    _write(path, existing + rows, fieldnames=list(existing[0]) if existing else list(rows[0]))


def _append_new(path: Path, key: str, rows: list[dict]) -> None:
    existing = _read(path)
    known = {row[key] for row in existing}
    _write(path, existing + [row for row in rows if row[key] not in known], fieldnames=list(existing[0]))


def _read(path: Path) -> list[dict]:
    with path.open(newline="", encoding="utf-8-sig") as file:
        return list(csv.DictReader(file))


def _write(path: Path, rows: list[dict], fieldnames: list[str] | None = None) -> None:
    names = fieldnames or list(rows[0])
    with path.open("w", newline="", encoding="utf-8") as file:
        writer = csv.DictWriter(file, fieldnames=names, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


if __name__ == "__main__":
    main()
