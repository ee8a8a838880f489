"""The catalogs the proposal rules read, from a seed folder: units with their spellings, indicators with their names,
aliases and the period type their figures have (extraction.py)."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

from orchestration.proposals.extraction import Catalogs, Indicator, Unit

UNIT_SPELLINGS = "unit_spellings.csv"  # spelling, unit_code
INDICATOR_ALIASES = "indicator_aliases.csv"  # alias, indicator_code


def read_catalogs(seeds: Path) -> Catalogs:
    spellings = _grouped(seeds / UNIT_SPELLINGS, "unit_code", "spelling")
    aliases = _grouped(seeds / INDICATOR_ALIASES, "indicator_code", "alias")
    period_types = {row["indicator_code"]: row["period_type"] for row in _rows(seeds / "observations.csv")}
    units = tuple(
        Unit(
            code=row["unit_code"],
            quantity_kind=row["quantity_kind"],
            canonical_unit=row["canonical_unit"],
            factor_to_canonical=float(row["factor_to_canonical"]),
            spellings=(row["name"], *spellings.get(row["unit_code"], ())),
        )
        for row in _rows(seeds / "units.csv")
    )
    indicators = tuple(
        Indicator(
            code=row["indicator_code"],
            name=row["name"],
            quantity_kind=row["quantity_kind"],
            aliases=tuple(aliases.get(row["indicator_code"], ())),
            period_type=period_types.get(row["indicator_code"]),
        )
        for row in _rows(seeds / "indicators.csv")
    )
    return Catalogs(units=units, indicators=indicators)


def source_published_on(seeds: Path, source_id: str) -> date | None:
    """When the source was published, from sources.csv; None if it is not there."""
    for row in _rows(seeds / "sources.csv"):
        if row["source_id"] == source_id:
            return date.fromisoformat(row["published_on"])
    return None


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8-sig") as file:
        return list(csv.DictReader(file))


def _grouped(path: Path, key: str, value: str) -> dict[str, list[str]]:
    grouped: dict[str, list[str]] = {}
    for row in _rows(path) if path.exists() else []:
        grouped.setdefault(row[key], []).append(row[value])
    return grouped
