"""The quality report's new or changed figures, read from a real published warehouse: on its first publication every
figure is new, so the report lists the first of them and counts all."""

from __future__ import annotations

import duckdb

from orchestration.consistency import quality_report
from orchestration.warehouse.connections import duckdb_rows


def test_the_new_figures_beyond_those_listed_are_counted_with_their_conflicts(built_warehouse, tmp_path, monkeypatch):
    with duckdb.connect(str(built_warehouse), read_only=True) as connection:
        [(run_id,)] = connection.execute(
            "select distinct first_published_run_id from marts.fct_indicator_observation_history"
        ).fetchall()
        [(figures, in_conflict)] = connection.execute(
            "select count(*), count(*) filter (where has_conflict) from marts.fct_indicator_observation"
        ).fetchall()
    monkeypatch.setattr(quality_report, "MAX_NEW_FIGURES", 5)
    assert in_conflict > 5  # so that counting only the figures listed would fall short

    new = quality_report.new_figures(duckdb_rows(built_warehouse), run_id)
    report = quality_report.write_markdown(tmp_path / "report.md", run_id, [], published=True, new=new).read_text()

    assert (new.total, new.in_conflict, len(new.listed)) == (figures, in_conflict, 5)
    assert all(any(finding.status == "fail" for finding in figure.findings) for figure in new.listed)
    assert f"{figures} figure(s) published for the first time by this run" in report
    assert f"{in_conflict} of them in conflict with another" in report
    assert f"- ... and {figures - 5} more" in report
