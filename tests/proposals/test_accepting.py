"""Accepting reviewed proposals: the kept rows join the seeds only when every input contract holds with them (with the
error a bad seed gets, and nothing changed otherwise); then a refresh publishes them with their quotes and the quality
report says what each new figure agrees or conflicts with. The report text is written for the test."""

from __future__ import annotations

import csv
import hashlib
import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from orchestration.ingest.validation import check_seed_folder
from orchestration.proposals.writing import observation_columns
from orchestration.warehouse.settings import REPO_ROOT
from tests.conftest import copy_seeds, make_warehouse, refresh
from tests.proposals.test_extraction import CURATED_FROM, SOURCE_TEXTS

pytestmark = pytest.mark.slow  # each test runs the command line

SOURCE = "survey_2026,Synthetic survey of computing,Survey office,en,,2026-06-01,survey_report,,,,Written for a test."
REPORT = (
    "The survey covers the sector. Total computing capacity reached 300 EFLOPS at the end of 2025. "
    "Intelligent computing capacity stood at 91 EFLOPS at the end of 2024, the survey found."
)


def orchestration(*arguments: str, seeds: Path) -> subprocess.CompletedProcess:
    environment = {**os.environ, "SEEDS_DIR": str(seeds)}
    command = [sys.executable, "-m", "orchestration", *arguments]
    return subprocess.run(command, cwd=REPO_ROOT, env=environment, capture_output=True, text=True)


def proposed(tmp_path: Path, seeds: Path) -> Path:
    """The survey added to the sources, its text proposed, every figure kept: the proposals file."""
    with (seeds / "sources.csv").open("a") as file:
        file.write(SOURCE + "\n")
    report = tmp_path / "survey.txt"
    report.write_text(REPORT)
    run = orchestration("propose", str(report), "--source-id", "survey_2026", "--out", str(tmp_path), seeds=seeds)
    assert run.returncode == 0, run.stderr
    return tmp_path / "survey_2026.csv"


def edit(proposals: Path, **changes: str) -> list[dict[str, str]]:
    """Keep every row, with `changes` made to each; the rows written back."""
    with proposals.open(newline="") as file:
        reader = csv.DictReader(file)
        rows = [{**row, "keep": "true", **changes} for row in reader]
    with proposals.open("w", newline="") as file:
        writer = csv.DictWriter(file, fieldnames=reader.fieldnames, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    return rows


def seed_rows(seeds: Path) -> list[dict[str, str]]:
    with (seeds / "observations.csv").open(newline="") as file:
        return list(csv.DictReader(file))


def digests(seeds: Path) -> dict[str, str]:
    return {path.name: hashlib.sha256(path.read_bytes()).hexdigest() for path in sorted(seeds.iterdir())}


def test_a_kept_row_that_breaks_an_input_contract_gets_the_bad_seeds_error_and_changes_nothing(tmp_path):
    seeds = copy_seeds(tmp_path / "seeds")
    proposals = proposed(tmp_path, seeds)
    rows = edit(proposals, unit_code="YFLOPS")
    before = digests(seeds)

    accepted = orchestration("accept", str(proposals), seeds=seeds)

    # The error the same rows get when typed into observations.csv by hand.
    by_hand = copy_seeds(tmp_path / "by_hand")
    (by_hand / "sources.csv").write_bytes((seeds / "sources.csv").read_bytes())
    with (by_hand / "observations.csv").open("a", newline="") as file:
        csv.writer(file, lineterminator="\n").writerows([row[name] for name in observation_columns()] for row in rows)
    with duckdb.connect() as connection:
        _, [seed_error] = check_seed_folder(connection, by_hand)
    assert "column unit_code: value 'YFLOPS' is unknown; expected a unit_code listed in units.csv" in seed_error

    assert accepted.returncode == 1
    assert seed_error in accepted.stderr
    after_the_seeds = len(seed_rows(seeds)) + 2  # the header, then the seeds' rows
    assert f"lines {after_the_seeds}, {after_the_seeds + 1} are lines 2, 3 of {proposals}" in accepted.stderr
    assert "The seed files are unchanged." in accepted.stderr
    assert digests(seeds) == before
    assert not list(tmp_path.glob(".accept-*"))  # the checked copy is gone


def test_a_kept_row_that_repeats_a_figure_already_in_the_seeds_is_refused_and_changes_nothing(tmp_path):
    seeds = copy_seeds(tmp_path / "seeds")
    report = tmp_path / "report.txt"
    report.write_text("Total computing capacity reached 280 EFLOPS at the end of 2024.")
    written = orchestration(
        "propose", str(report), "--source-id", "nda_computing_2024", "--out", str(tmp_path), seeds=seeds
    )
    assert written.returncode == 0, written.stderr
    proposals = tmp_path / "nda_computing_2024.csv"
    [row] = edit(proposals, basis_code="nda_survey")  # the basis the reviewer knows the survey's figure is on
    before = digests(seeds)
    [line] = [n + 2 for n, kept in enumerate(seed_rows(seeds)) if kept["observation_id"] == "nda24-total-capacity-2024"]

    accepted = orchestration("accept", str(proposals), seeds=seeds)

    assert accepted.returncode == 1
    assert (
        f"{proposals}, line 2: {row['observation_id']} is the figure nda24-total-capacity-2024 of observations.csv "
        f"(line {line}) again: the same source, indicator, geography, period, basis and forecast flag"
    ) in accepted.stderr
    assert digests(seeds) == before


@pytest.mark.parametrize(
    "keep, message",
    [
        ("yes", "line 2, column keep: value 'yes' is not accepted; expected true (accept the row), false or empty"),
        ("false", "no row has keep = true"),
    ],
)
def test_a_keep_that_is_not_true_or_false_or_no_row_kept_is_said_and_changes_nothing(tmp_path, keep, message):
    seeds = copy_seeds(tmp_path / "seeds")
    proposals = proposed(tmp_path, seeds)
    edit(proposals, keep=keep)
    before = digests(seeds)

    accepted = orchestration("accept", str(proposals), seeds=seeds)

    assert accepted.returncode == 1
    assert message in accepted.stderr
    assert digests(seeds) == before


def test_accepted_figures_are_published_with_their_quotes_and_the_report_says_what_each_agrees_and_conflicts_with(
    published_before, tmp_path
):
    seeds = Path(published_before.seeds_dir)
    proposals = proposed(tmp_path, seeds)
    edit(proposals)

    accepted = orchestration("accept", str(proposals), seeds=seeds)
    assert accepted.returncode == 0, accepted.stderr
    assert "Accepted 2 figure(s)" in accepted.stdout and "2 with their quote" in accepted.stdout

    assert refresh(published_before).success
    with duckdb.connect(published_before.published_path, read_only=True) as connection:
        quoted = connection.execute(
            "select observation_id, value_reported, quote, quote_start, quote_end "
            "from marts.fct_indicator_observation where source_id = 'survey_2026' order by observation_id"
        ).fetchall()
        [(in_conflict,)] = connection.execute(
            "select count(*) from marts.fct_indicator_observation where source_id = 'survey_2026' and has_conflict"
        ).fetchall()
        [(typed_by_hand,)] = connection.execute(
            "select count(*) from marts.fct_indicator_observation where source_id <> 'survey_2026' and quote is null"
        ).fetchall()
    assert [(value, quote) for _, value, quote, _, _ in quoted] == [
        (91, "Intelligent computing capacity stood at 91 EFLOPS at the end of 2024, the survey found."),
        (300, "Total computing capacity reached 300 EFLOPS at the end of 2025."),
    ]
    assert all(REPORT[start:end] == quote for _, _, quote, start, end in quoted)
    assert typed_by_hand == len(seed_rows(seeds)) - 2  # every row but the two accepted with their quote

    report = published_before.paths.report_path.read_text()
    section = report.split("## New or changed figures")[1].split("\n## ")[0]
    capacity, total = (observation_id for observation_id, *_ in quoted)
    assert "2 figure(s) published for the first time by this run" in section
    assert f"the seeds), {in_conflict} of them in conflict with another" in section
    assert in_conflict >= 1  # the 300 EFLOPS total, below
    assert "ndrs25-ai-core-value-2025" not in section  # published before: not new
    # 300 EFLOPS in all at the end of 2025 is far below the 1590 EFLOPS of intelligent computing another report gives.
    total_lines = section.split(f"`{total}`")[1].split("\n- ")[0]
    assert "**conflicts**, intelligent_within_total" in total_lines and "1590 EFLOPS" in total_lines
    # 91 EFLOPS at the end of 2024 lies within the 280 EFLOPS in all of that date.
    capacity_lines = section.split(f"`{capacity}`")[1].split("\n- ")[0]
    assert "**agrees**, intelligent_within_total" in capacity_lines and "280 EFLOPS" in capacity_lines


def test_the_two_source_texts_proposed_reviewed_and_accepted_rebuild_the_curated_figures_with_their_quotes(
    built_warehouse, tmp_path
):
    """The curated rows removed, each text proposed, the rows with a number kept, and what the review column asks
    settled as the curators did (the period they chose, and the source of the two figures the conference cited): the
    published figures and findings are the curated ones, each figure with its sentence."""
    if not all((SOURCE_TEXTS / file_name).exists() for file_name in CURATED_FROM):
        pytest.skip(f"the source texts are not beside the repository ({SOURCE_TEXTS})")
    seeds = copy_seeds(tmp_path / "seeds")
    texts_sources = {source_id for source_id, _, _ in CURATED_FROM.values()} | {"nda_computing_2024"}
    everything = seed_rows(seeds)
    curated = [row for row in everything if row["source_id"] in texts_sources]
    with (seeds / "observations.csv").open("w", newline="") as file:  # the public record's rows stay
        writer = csv.DictWriter(file, fieldnames=observation_columns(), lineterminator="\n")
        writer.writeheader()
        writer.writerows(row for row in everything if row["source_id"] not in texts_sources)
    decided = [
        *("observation_id", "source_id", "period_start", "period_end", "period_type", "period_inferred"),
        *("basis_code", "body_code", "note"),  # the basis its originating publication states, where the text does not
    ]
    for file_name, (source_id, _, _) in CURATED_FROM.items():
        report = SOURCE_TEXTS / file_name
        run = orchestration("propose", str(report), "--source-id", source_id, "--out", str(tmp_path), seeds=seeds)
        assert run.returncode == 0, run.stderr
        proposals = tmp_path / f"{source_id}.csv"
        rows = edit(proposals)
        for row in rows:
            row["keep"] = "true" if row["value"] else "false"
            if row["value"]:
                [same] = [
                    c for c in curated if (c["indicator_code"], c["value"]) == (row["indicator_code"], row["value"])
                ]
                row.update({column: same[column] for column in decided})
        with proposals.open("w", newline="") as file:
            writer = csv.DictWriter(file, fieldnames=list(rows[0]), lineterminator="\n")
            writer.writeheader()
            writer.writerows(rows)
        accepted = orchestration("accept", str(proposals), seeds=seeds)
        assert accepted.returncode == 0, accepted.stderr

    warehouse = make_warehouse(tmp_path, seeds_dir=seeds)
    assert refresh(warehouse).success
    figures = (
        "select observation_id, indicator_code, geography_code, source_id, period_start, period_end, period_inferred, "
        "value_reported, unit_reported, qualifier, is_forecast, has_conflict from marts.fct_indicator_observation"
    )
    findings = "select rule_id, status, message from marts.fct_consistency_check"
    with duckdb.connect() as connection:
        connection.execute(f"attach '{warehouse.published_path}' as accepted (read_only)")
        connection.execute(f"attach '{built_warehouse}' as curated (read_only)")
        connection.execute("use accepted")
        accepted_rows = [connection.execute(query).fetchall() for query in (figures, findings)]
        quoted = (
            "select quote, quote_start, quote_end, source_id from marts.fct_indicator_observation "
            "where quote is not null"
        )
        quotes = connection.execute(quoted).fetchall()
        connection.execute("use curated")
        curated_rows = [connection.execute(query).fetchall() for query in (figures, findings)]
    assert [sorted(rows) for rows in accepted_rows] == [sorted(rows) for rows in curated_rows]
    assert len(accepted_rows[0]) == len(everything) and len(curated) == len(quotes) == 20
    texts = {
        source_id: (SOURCE_TEXTS / name).read_text(encoding="utf-8") for name, (source_id, _, _) in CURATED_FROM.items()
    }
    texts["nda_computing_2024"] = texts["ccpc_2025"]  # cited at the conference
    assert all(texts[source][start:end] == quote for quote, start, end, source in quotes)
