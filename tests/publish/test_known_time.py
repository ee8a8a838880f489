"""What the world could know when: a later source for the same figure supersedes it from its publication date."""

import datetime
from pathlib import Path

import duckdb

from tests.conftest import refresh


def test_a_later_source_supersedes_a_figure_from_its_publication_and_both_stay_queryable(published_before):
    seeds = Path(published_before.seeds_dir)
    sources = seeds / "sources.csv"
    sources.write_text(
        sources.read_text()
        + "yearbook_2026,Computing power yearbook 2026,Yearbook press,en,,2026-06-30,official_statistics,,,,\n"
    )
    observations = seeds / "observations.csv"
    observations.write_text(
        observations.read_text()
        + "yearbook26-total-capacity-2024,total_computing_capacity,CN,yearbook_2026,2024-12-31,2024-12-31,stock,"
        "false,285,EFLOPS,exact,nda_survey,nda,false,,,,\n"  # on the basis of the figure it supersedes
    )

    assert refresh(published_before).success
    with duckdb.connect(published_before.published_path, read_only=True) as connection:
        figures = connection.execute(
            "select observation_id, value_canonical, known_from, known_until, superseded_by_observation_id "
            "from marts.fct_indicator_observation where indicator_code = 'total_computing_capacity' "
            "and period_end = date '2024-12-31' and basis_code = 'nda_survey' and geography_code = 'CN' "
            "order by known_from"
        ).fetchall()
        as_of = {
            day: connection.execute(
                "select value_canonical from marts.fct_indicator_observation "
                "where indicator_code = 'total_computing_capacity' and period_end = date '2024-12-31' "
                "and basis_code = 'nda_survey' and geography_code = 'CN' "
                "and known_from <= ? and (known_until is null or known_until > ?)",
                [day, day],
            ).fetchall()
            for day in (
                datetime.date(2025, 1, 1),
                datetime.date(2025, 7, 1),
                datetime.date(2026, 1, 1),
                datetime.date(2026, 7, 1),
            )
        }
        [revision] = connection.execute(
            "select old_observation_id, new_observation_id, revised_on, change_canonical, within_bounds "
            "from marts.mart_indicator_revision where old_observation_id = 'nda24-total-capacity-2024' "
            "and new_observation_id = 'yearbook26-total-capacity-2024'"
        ).fetchall()
        [message] = connection.execute(
            "select message from marts.fct_consistency_check where rule_id = 'cross_source_agreement_all' "
            "and status = 'fail' and observation_ids like '%yearbook26-total-capacity-2024%' "
            "and observation_ids like '%nda24-total-capacity-2024%'"
        ).fetchone()

    # The NDA survey's 280 EFLOPS for 2024 was printed by three pages before the yearbook's 285.
    assert [row[0] for row in figures] == [
        "pr0170-total-computing-capacity",
        "pr0174-total-computing-capacity",
        "nda24-total-capacity-2024",
        "yearbook26-total-capacity-2024",
    ]
    assert figures[2] == (
        "nda24-total-capacity-2024",
        280,
        datetime.date(2025, 8, 22),
        datetime.date(2026, 6, 30),
        "yearbook26-total-capacity-2024",
    )
    assert figures[3] == ("yearbook26-total-capacity-2024", 285, datetime.date(2026, 6, 30), None, None)
    assert as_of == {
        datetime.date(2025, 1, 1): [],  # before any page printed it
        datetime.date(2025, 7, 1): [(280,)],  # known from a page of 2025-06-10 (pr0174)
        datetime.date(2026, 1, 1): [(280,)],
        datetime.date(2026, 7, 1): [(285,)],
    }
    assert revision == (
        "nda24-total-capacity-2024",
        "yearbook26-total-capacity-2024",
        datetime.date(2026, 6, 30),
        5,
        False,
    )
    assert "285 EFLOPS (yearbook_2026, 2024-12-31) published 2026-06-30, the later, against 280 EFLOPS" in message
