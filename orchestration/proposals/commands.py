"""The curator's commands: `propose` (figures found in a report's text, written for review) and `accept` (the rows
kept, added to the seeds once every input contract holds with them)."""

from __future__ import annotations

import sys
from pathlib import Path

from orchestration.proposals.catalogs import read_catalogs, source_published_on
from orchestration.proposals.extraction import propose as propose_figures
from orchestration.warehouse import settings
from orchestration.warehouse.commands import Command, argument


def propose(report: Path, source_id: str, out: Path) -> int:
    """Figures found in a report's plain text, written to <out>/<source_id>.csv for review."""
    from orchestration.proposals.writing import write_proposals  # the seed columns, from dbt's manifest: seconds

    if not report.is_file():
        print(f"no report {report}: give the path of a plain-text file", file=sys.stderr)
        return 2
    seeds = settings.SEEDS_DIR()
    published_on = source_published_on(seeds, source_id)
    if published_on is None:
        print(
            f"source {source_id!r} is not in {seeds / 'sources.csv'}: add the report there first (its published_on "
            "tells a forecast from an outcome)",
            file=sys.stderr,
        )
        return 2
    proposals = propose_figures(report.read_text(encoding="utf-8"), read_catalogs(seeds), published_on)
    path = write_proposals(proposals, source_id, out / f"{source_id}.csv")
    to_review = sum(1 for proposal in proposals if proposal.review)
    print(f"{len(proposals)} proposals in {path}, {to_review} with something to review (column `review`).")
    print(
        "Review each row: correct what is wrong, settle what `review` says, and write true in column keep for each "
        f"row to keep. Then `make accept PROPOSALS={path}` adds them to the seeds, and `make run` checks them "
        "against every related figure."
    )
    return 0


def accept(proposals: Path) -> int:
    """The kept rows of a reviewed proposals file added to the seeds, once every input contract holds with them."""
    # Seconds of imports (the input contracts, which every accepted row passes): only when the command runs.
    from orchestration.proposals.accepting import OBSERVATIONS, QUOTES, ProposalsError
    from orchestration.proposals.accepting import accept as accept_rows

    seeds = settings.SEEDS_DIR()
    try:
        accepted = accept_rows(proposals, seeds)
    except ProposalsError as error:
        print(error, file=sys.stderr)
        return 1
    lines = accepted.seed_lines
    print(
        f"Accepted {len(lines)} figure(s) of {proposals} into {seeds / OBSERVATIONS} (lines {lines[0]} to "
        f"{lines[-1]}), {accepted.quotes} with their quote in {seeds / QUOTES}."
    )
    print(
        "Now `make run` publishes them and checks them against every related figure: the quality report lists them "
        'under "New or changed figures", with what each agrees or conflicts with.'
    )
    return 0


COMMANDS = [
    Command(
        "propose",
        "figures found in a report's text, for review",
        propose,
        (
            argument("report", type=Path, help="the report as plain text (UTF-8)"),
            argument("--source-id", required=True, help="the report's source_id in seeds/sources.csv"),
            argument("--out", type=Path, default=Path("proposals"), help="the proposals file's folder (proposals/)"),
        ),
    ),
    Command(
        "accept",
        "add the kept rows of a reviewed proposals file to the seeds",
        accept,
        (argument("proposals", type=Path, help="the proposals file, with true in column keep to keep"),),
    ),
]
