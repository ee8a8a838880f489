"""Accepting a reviewed proposals file: the rows the reviewer kept (keep = true) become figures of
seeds/observations.csv, and their quotes rows of seeds/observation_quotes.csv (the figure's provenance, published as
marts.fct_indicator_observation.quote).

Nothing is written until every seed file's input contract holds with the kept rows added: they are appended to a copy
of the seed folder, which is loaded and checked as a refresh loads and checks the seeds (the same named errors), and
only then do the two files replace the originals. On any error the seed files are left exactly as they were.
"""

from __future__ import annotations

import csv
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

import duckdb

from orchestration.ingest.validation import check_seed_folder, record_lines
from orchestration.proposals.writing import columns, observation_columns, quote_columns

OBSERVATIONS, QUOTES = "observations.csv", "observation_quotes.csv"
KEEP = {"true": True, "false": False, "": False}


class ProposalsError(ValueError):
    """A proposals file that cannot be accepted as it is; the message says where and why."""


@dataclass(frozen=True)
class KeptRow:
    line: int  # where the row ends in the proposals file
    fields: dict[str, str]


@dataclass(frozen=True)
class Accepted:
    quotes: int
    seed_lines: list[int]  # the lines of observations.csv that hold the accepted figures


def accept(proposals: Path, seeds: Path) -> Accepted:
    """Append the kept rows of `proposals` to the seed files in `seeds`, or raise ProposalsError and change nothing."""
    kept = kept_rows(proposals)
    # The copy sits beside the seed folder, so that it replaces the originals by renaming on the same file system.
    with tempfile.TemporaryDirectory(dir=seeds.parent, prefix=".accept-") as folder:
        candidate = Path(folder) / seeds.name
        shutil.copytree(seeds, candidate, ignore=lambda _, names: [n for n in names if not n.endswith(".csv")])
        _append(candidate / OBSERVATIONS, observation_columns(), [row.fields for row in kept])
        quoted = [row.fields for row in kept if row.fields["quote"]]
        _append(candidate / QUOTES, ["observation_id", *quote_columns()], quoted)
        lines = record_lines(candidate / OBSERVATIONS)  # each kept row is one record, the last ones
        existing = len(lines) - len(kept)
        seed_lines = lines[existing:]
        with duckdb.connect() as connection:
            _, errors = check_seed_folder(connection, candidate)
            if errors:
                raise ProposalsError(
                    "\n".join(error.replace(str(candidate), str(seeds)) for error in errors)
                    + f"\nFor this check the kept rows were added to {OBSERVATIONS}: its lines "
                    f"{', '.join(map(str, seed_lines))} are lines {', '.join(str(row.line) for row in kept)} of "
                    f"{proposals}. Correct them there, or set keep to false, and accept again. "
                    "The seed files are unchanged."
                )
            repeated = _repeated_figures(connection, existing)
        if repeated:
            raise ProposalsError(
                "\n".join(
                    f"{proposals}, line {kept[new - existing].line}: {new_id} is the figure "
                    + (
                        f"{old_id} of {OBSERVATIONS} (line {lines[old]})"
                        if old < existing
                        else f"{old_id} of line {kept[old - existing].line}"
                    )
                    + " again: the same source, indicator, geography, period, basis and forecast flag"
                    for new, new_id, old, old_id in repeated
                )
                + "\nKeep one of each (set keep to false on the others, or correct the row already in the seeds) and "
                "accept again. The seed files are unchanged."
            )
        # The figures first: a quote names a figure, so a figure without its quote is the only state between the two.
        os.replace(candidate / OBSERVATIONS, seeds / OBSERVATIONS)
        os.replace(candidate / QUOTES, seeds / QUOTES)
    return Accepted(quotes=len(quoted), seed_lines=seed_lines)


def _repeated_figures(connection: duckdb.DuckDBPyConnection, existing: int) -> list[tuple[int, str, int, str]]:
    """Each kept row (a row of raw.observations from position `existing` on) that repeats an earlier figure, in the
    seeds or among the kept rows, as (its position, its id, the earlier one's position, its id). A report already typed
    by hand, or a figure its text states twice, would otherwise be counted twice under two ids."""
    return connection.execute(
        """
        with numbered as (
            select rowid as position, * from raw.observations  -- rowid: the file's order
        )
        select
            later.position,
            later.observation_id,
            min(earlier.position),
            arg_min(earlier.observation_id, earlier.position)
        from numbered as later
        inner join numbered as earlier
            using (source_id, indicator_code, geography_code, period_start, period_end, basis_code, is_forecast)
        where later.position >= $existing and earlier.position < later.position
        group by later.position, later.observation_id
        order by later.position
        """,
        {"existing": existing},
    ).fetchall()


def kept_rows(proposals: Path) -> list[KeptRow]:
    """The rows of the proposals file whose keep is true, with their lines; a missing column, a keep that is neither
    true nor false, or no kept row at all is an error."""
    if not proposals.is_file():
        raise ProposalsError(f"{proposals}: file not found; expected a proposals file written by `propose`")
    with proposals.open(newline="", encoding="utf-8-sig") as file:
        reader = csv.DictReader(file)
        missing = [column for column in columns() if column not in (reader.fieldnames or [])]
        if missing:
            raise ProposalsError(
                f"{proposals}, line 1 (header): missing column(s) {', '.join(missing)}; expected the columns "
                "`propose` writes"
            )
        kept = []
        for fields in reader:
            keep = (fields["keep"] or "").strip().lower()
            if keep not in KEEP:
                raise ProposalsError(
                    f"{proposals}, line {reader.line_num}, column keep: value {fields['keep']!r} is not accepted; "
                    "expected true (accept the row), false or empty (leave it out)"
                )
            if KEEP[keep]:
                kept.append(KeptRow(reader.line_num, {name: value or "" for name, value in fields.items()}))
    if not kept:
        raise ProposalsError(f"{proposals}: no row has keep = true; mark the rows to accept with true in column keep")
    return kept


def _append(path: Path, names: list[str], rows: list[dict[str, str]]) -> None:
    """Append `rows` (their `names` columns, in order) to a CSV file, on a line of their own."""
    with path.open("rb") as file:
        file.seek(0, os.SEEK_END)
        if file.tell():
            file.seek(-1, os.SEEK_END)
            ends_with_newline = file.read(1) in (b"\n", b"\r")
        else:
            ends_with_newline = True
    with path.open("a", newline="", encoding="utf-8") as file:
        if not ends_with_newline:
            file.write("\n")
        writer = csv.writer(file, lineterminator="\n")
        writer.writerows([row[name] for name in names] for row in rows)
