"""A report's proposals as a CSV file for review (proposals/<source_id>.csv): the columns of seeds/observations.csv
as far as the text fills them (the value and unit as written among them), the figure's quote and its character
offsets in the text (the columns of seeds/observation_quotes.csv), what the reviewer must decide (`review`), and
`keep`, which the reviewer fills (true to keep the row; `accept` takes those, accepting.py)."""

from __future__ import annotations

import csv
import math
import re
from pathlib import Path

from orchestration.ingest.seed_tables import seed_table
from orchestration.proposals.extraction import Proposal

# Besides the columns of observations.csv and of observation_quotes.csv: what the reviewer reads and decides.
REVIEW_COLUMNS = ["review", "keep"]
NATIONAL = "CN"  # the geography of a figure whose sentence names no other; the reviewer changes it where wrong
UNATTRIBUTED = "unattributed"  # the body (bodies.csv) until the reviewer names the one the text attributes it to


def observation_columns() -> list[str]:
    return list(seed_table("observations").columns)


def quote_columns() -> list[str]:
    """The columns of observation_quotes.csv besides the figure's id: the quote and its offsets."""
    return [column for column in seed_table("observation_quotes").columns if column != "observation_id"]


def columns() -> list[str]:
    """The proposals file's columns: observations.csv's, the figure's quote, then the review's."""
    return [*observation_columns(), *quote_columns(), *REVIEW_COLUMNS]


def write_proposals(proposals: list[Proposal], source_id: str, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    seen: dict[str, int] = {}
    with path.open("w", newline="", encoding="utf-8") as file:
        writer = csv.DictWriter(file, fieldnames=columns(), lineterminator="\n")
        writer.writeheader()
        for proposal in proposals:
            row = _row(proposal, source_id)
            seen[row["observation_id"]] = seen.get(row["observation_id"], 0) + 1
            if seen[row["observation_id"]] > 1:
                row["observation_id"] += f"-{seen[row['observation_id']]}"
            writer.writerow(row)
    return path


def _row(proposal: Proposal, source_id: str) -> dict[str, str]:
    is_figure = not math.isnan(proposal.value)
    return {
        "observation_id": _identifier(proposal, source_id),
        "indicator_code": proposal.indicator_code or "",
        "geography_code": NATIONAL if is_figure else "",
        "source_id": source_id,
        "period_start": proposal.period_start.isoformat() if proposal.period_start else "",
        "period_end": proposal.period_end.isoformat() if proposal.period_end else "",
        "period_type": proposal.period_type or "",
        "period_inferred": _boolean(proposal.period_inferred) if is_figure else "",
        "value": _number(proposal.value) if is_figure else "",
        "unit_code": proposal.unit_code or "",
        "qualifier": proposal.qualifier,
        "basis_code": _basis_code(proposal.basis) if is_figure else "",
        "body_code": UNATTRIBUTED if is_figure else "",
        "is_forecast": _boolean(proposal.is_forecast) if is_figure else "",
        "value_as_written": proposal.value_text,
        "unit_as_written": proposal.unit_text,
        "erratum": "",
        "note": "",
        "quote": proposal.quote,
        "quote_start": str(proposal.quote_start),
        "quote_end": str(proposal.quote_end),
        "review": "; ".join(proposal.review),
        "keep": "",
    }


# A precision stated beside a figure, as the bases of bases.csv name it; a scope (CAICT's device side, the NDA survey)
# is the reviewer's to set.
_PRECISIONS = {
    "fp16": ("FP16", "半精度", "HALF"),
    "fp32": ("FP32", "单精度", "單精度", "SINGLE"),
    "fp64": ("FP64", "双精度", "雙精度", "DOUBLE"),
}


def _basis_code(basis: str) -> str:
    """The basis of bases.csv a stated precision names; unspecified where none is stated, blank (to choose) where
    the sentence states several."""
    named = {code for code, words in _PRECISIONS.items() if any(word in basis.upper() for word in words)}
    if len(named) > 1:
        return ""
    return named.pop() if named else "unspecified"


def _identifier(proposal: Proposal, source_id: str) -> str:
    """source-indicator-period, as the curated rows are named; the reviewer may shorten it."""
    parts = [source_id, proposal.indicator_code or "unknown", str(proposal.period_end or "undated")]
    return re.sub(r"[^a-z0-9-]+", "-", "-".join(parts).lower()).strip("-")


def _number(value: float) -> str:
    return f"{value:.15g}"


def _boolean(flag: bool) -> str:
    return "true" if flag else "false"
