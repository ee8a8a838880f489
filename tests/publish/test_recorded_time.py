"""What the warehouse said when: every published version of every figure, kept across refreshes."""

import datetime
from pathlib import Path

import duckdb

from orchestration.warehouse.settings import REPO_ROOT
from tests.conftest import refresh

PUBLISHED_AS_OF = (REPO_ROOT / "queries" / "published_as_of.sql").read_text()
ASKED_ABOUT = "2026-11-20 23:59:59"


def published_as_of(connection, moment: datetime.datetime) -> dict[str, float]:
    """queries/published_as_of.sql asked about `moment`: observation_id -> value_reported."""
    rows = connection.execute(PUBLISHED_AS_OF.replace(ASKED_ABOUT, moment.strftime("%Y-%m-%d %H:%M:%S"))).fetchall()
    return {row[0]: row[4] for row in rows}


def test_a_corrected_figure_keeps_its_old_version_with_its_recorded_times(published_before):
    observations = Path(published_before.seeds_dir) / "observations.csv"
    lines = observations.read_text().splitlines(keepends=True)
    [row] = [n for n, line in enumerate(lines) if line.startswith("nda24-total-capacity-2024,")]
    assert ",280,EFLOPS," in lines[row]
    lines[row] = lines[row].replace(",280,EFLOPS,", ",281,EFLOPS,")
    observations.write_text("".join(lines))
    figures = len(lines) - 1  # the header

    assert refresh(published_before).success

    with duckdb.connect(published_before.published_path, read_only=True) as connection:
        versions = connection.execute(
            "select value_reported, recorded_from, recorded_until, first_published_run_id, last_published_run_id, "
            "recorded_until_run_id from marts.fct_indicator_observation_history "
            "where observation_id = 'nda24-total-capacity-2024' order by recorded_from"
        ).fetchall()
        [[second_publication, second_run]] = connection.execute(
            "select max(published_at), arg_max(run_id, published_at) from audit.publish_log"
        ).fetchall()
        second_publication = second_publication.replace(tzinfo=None)
        first_publication = versions[0][1]
        untouched = connection.execute(
            "select count(*), count(distinct first_published_run_id) from marts.fct_indicator_observation_history "
            "where observation_id != 'nda24-total-capacity-2024'"
        ).fetchone()
        between = first_publication + (second_publication - first_publication) / 2
        before_the_edit = published_as_of(connection, between)
        after_the_edit = published_as_of(connection, second_publication)

    old, new = versions
    assert old[0] == 280 and new[0] == 281
    assert old[1] < second_publication
    assert old[2] == new[1] == second_publication  # closed when the correction was published
    assert new[2] is None and new[3] == new[4] == second_run and old[5] == second_run
    assert old[3] == old[4] != second_run  # first and last published by the first run
    assert untouched == (figures - 1, 1)  # every other figure: one version, first published by the first run
    assert before_the_edit["nda24-total-capacity-2024"] == 280
    assert after_the_edit["nda24-total-capacity-2024"] == 281
    assert len(before_the_edit) == len(after_the_edit) == figures
