"""The curation log of the public record (curation/): every row of the record is a figure of the seeds or a logged
exclusion, and a figure its page misprints is kept as printed but never joins a latest value."""

from __future__ import annotations

import csv
from pathlib import Path

import duckdb

from orchestration.warehouse.settings import REPO_ROOT
from tests.conftest import REPO_SEEDS

CURATION = REPO_ROOT / "curation"
RECORD_ROWS = 265  # the public record: 265 figures from 114 pages (its README)


def rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as file:
        return list(csv.DictReader(file))


def test_the_log_accounts_for_every_row_of_the_record_once():
    log = rows(CURATION / "public-record.csv")

    assert [row["record_id"] for row in log] == [f"PR{n:04d}" for n in range(1, RECORD_ROWS + 1)]
    assert {row["status"] for row in log} == {"entered", "left_out"}
    assert all(row["reason"] for row in log), "every row says which figure it is, or why it was left out"


def test_every_entered_row_is_a_seed_figure_of_its_own_page():
    observations = {row["observation_id"]: row for row in rows(REPO_SEEDS / "observations.csv")}
    addresses = {row["source_id"]: row["url"] for row in rows(REPO_SEEDS / "sources.csv")}
    entered = [row for row in rows(CURATION / "public-record.csv") if row["status"] == "entered"]

    assert len(entered) > 240
    for row in entered:
        figure = observations[row["reason"]]
        assert addresses[figure["source_id"]] == row["url"], row["record_id"]
    assert len({row["reason"] for row in entered}) == len(entered), "no figure stands for two rows"


def test_a_row_is_left_out_only_unverified_or_out_of_scope():
    left_out = [row for row in rows(CURATION / "public-record.csv") if row["status"] == "left_out"]

    assert left_out
    for row in left_out:
        unverified = row["verified"] == "no" and row["reason"].startswith("could not be verified")
        assert unverified or (row["verified"] != "no" and row["reason"].startswith("out of scope: ")), row


def test_every_source_has_its_address_and_every_page_is_a_source():
    sources = rows(REPO_SEEDS / "sources.csv")
    pages = {row["url"] for row in rows(CURATION / "public-record.csv") if row["status"] == "entered"}

    assert all(row["url"] for row in sources)
    assert pages <= {row["url"] for row in sources}


def test_a_misprinted_figure_is_kept_as_printed_but_is_never_the_latest_value(built_warehouse):
    with duckdb.connect(str(built_warehouse), read_only=True) as connection:
        misprint = connection.execute(
            "select value_as_written, unit_as_written, value_canonical, erratum from marts.fct_indicator_observation "
            "where observation_id = 'pr0264-intelligent-computing-capacity'"
        ).fetchone()
        latest = connection.execute(
            "select observation_id, value_canonical from marts.mart_latest_indicator_value "
            "where indicator_code = 'intelligent_computing_capacity' and geography_code = 'CN'"
        ).fetchone()
        charted = connection.execute(
            "select count(*) from marts.mart_computing_power where intelligent_capacity_eflops >= 159000"
        ).fetchone()

    assert misprint[:3] == ("159 million", "PFlops (FP16)", 159_000.0)  # as the page prints it, 100 times too large
    assert "159万" in misprint[3]
    assert latest[0] != "pr0264-intelligent-computing-capacity" and latest[1] < 159_000
    assert charted == (0,)
