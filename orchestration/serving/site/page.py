"""The data page: a static site of charts and tables, written from the published warehouse.

    build_site(Path("data/warehouse.duckdb"), Path("data/site"))  ->  data/site/index.html

It opens from the file system with no server and no network: Vega-Lite, Vega and vega-embed come from the
vl-convert-python package as one script (assets/), the data of every chart is inside the page, and each chart's
figures are also a CSV file (data/). The page is written from Jinja templates (templates/, static/).

The site is written into a folder beside the target and then renamed onto it, so a reader sees the previous site or
the whole new one (between the two renames, for an instant, none).
"""

from __future__ import annotations

import os
import shutil
import uuid
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import jinja2
import pandas as pd
import vl_convert

from orchestration.serving.site import charts, content, wording
from orchestration.warehouse.settings import DBT_PROJECT_DIR

HERE = Path(__file__).parent
DBT_DOCS = DBT_PROJECT_DIR / "target" / "docs" / "static_index.html"
COMPUTING_INDICATORS = ("intelligent_computing_capacity", "total_computing_capacity")
LEGEND = (
    "A point is a figure at the end of its period (a line runs back to the start of a period it covers); the band "
    "behind it is the range of true values it allows, dashed and running to the edge where it is open (a triangle "
    "points the open way: ▲ more than, ▼ less than; ◆ about). Hollow: a forecast. Ringed in red: in a finding in "
    "conflict. Grey: what a finding expected of the figure. The axis fits the figures printed correctly: a misprint "
    "beyond it is left off the chart and marked in the table."
)

TEMPLATES = jinja2.Environment(
    loader=jinja2.FileSystemLoader(HERE / "templates"),
    autoescape=True,
    undefined=jinja2.StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)
TEMPLATES.filters.update(
    number=wording.number,
    as_reported=wording.as_reported,
    unit=wording.unit,
    period=wording.period,
    allows=wording.allows,
    day=wording.day,
    moment=wording.moment,
    anchor=lambda check_id: check_id.replace("#", "-"),
)


def build_site(
    warehouse_path: Path,
    site_dir: Path,
    quality_report: Path | None = None,
    max_figures: int = content.MAX_FIGURES,
    max_findings: int = content.MAX_FINDINGS,
) -> Path:
    """Write the data page of the warehouse at `warehouse_path` into `site_dir`; returns the page's path. It draws at
    most `max_figures` figures per indicator and lists at most `max_findings` findings, saying how many it leaves."""
    page = content.read(warehouse_path, max_figures, max_findings)
    staging = site_dir.with_name(f".{site_dir.name}.partial-{uuid.uuid4().hex[:8]}")
    try:
        (staging / "assets").mkdir(parents=True)
        (staging / "data").mkdir()
        bundle = _vega_bundle(site_dir, staging / "assets")
        for asset in (HERE / "static").iterdir():
            shutil.copyfile(asset, staging / "assets" / asset.name)
        _write_tables(page, staging)
        html = TEMPLATES.get_template("index.html.j2").render(
            **_context(page, site_dir, quality_report or warehouse_path.with_name("quality_report.md")),
            bundle=bundle,
            warehouse_name=warehouse_path.name,
        )
        (staging / "index.html").write_text(html)
        _swap(staging, site_dir)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return site_dir / "index.html"


def _context(page: content.Content, site_dir: Path, quality_report: Path) -> dict:
    indicator_charts = {
        indicator.code: charts.figures_chart(
            indicator.figures,
            indicator.expectations,
            indicator.growth_paths,
            indicator.canonical_unit,
            indicator.series,
            description=_description(indicator.name, indicator.canonical_unit, indicator.figures),
        )
        for indicator in page.indicators
    }
    computing = [i for i in page.indicators if i.code in COMPUTING_INDICATORS]
    computing_figures = [{**figure, "indicator_name": i.name} for i in computing for figure in i.figures]
    findings_by_figure: dict[str, list[dict]] = {}
    for finding in page.findings:
        for figure in finding.figures:
            findings_by_figure.setdefault(figure["observation_id"], []).append(finding.row)
    tally = {
        status: page.findings_by_status.get(status, 0) for status in ("fail", "not_comparable", "not_evaluable", "pass")
    }
    return {
        "publication": page.publication,
        "conflicts": page.conflicts,
        "indicators": page.indicators,
        "unreported": page.unreported,
        "findings": page.findings,
        "findings_total": sum(page.findings_by_status.values()),
        "figures_elsewhere": page.figures_elsewhere,
        "findings_by_figure": findings_by_figure,
        "tally": tally,
        "charts": indicator_charts,
        "computing_chart": charts.figures_chart(
            computing_figures,
            [expectation for i in computing for expectation in i.expectations],
            [path for i in computing for path in i.growth_paths],
            "EFLOPS",
            [point for i in computing for point in i.series],
            description=_description("Intelligent and total computing capacity", "EFLOPS", computing_figures),
        )
        if computing
        else None,
        "computing_conflicts": [
            c for c in page.conflicts if set(c["indicator_codes"].split(", ")) & set(COMPUTING_INDICATORS)
        ],
        "computing_power": page.computing_power,
        "legend": LEGEND,
        "links": {
            "quality_report": os.path.relpath(quality_report, site_dir),
            "dbt_docs": os.path.relpath(DBT_DOCS, site_dir),
            "dbt_docs_exists": DBT_DOCS.exists(),
        },
        "written_at": datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S UTC"),
    }


def _description(name: str, unit: str, figures: list[dict]) -> str:
    """A chart's text alternative: every figure it draws, in words."""
    parts = [
        f"{wording.as_reported(f)} for {wording.period(f)} ({f['basis_name']}, {f['source_id']}"
        + (", forecast" if f["is_forecast"] else "")
        + (", in a finding in conflict" if f["has_conflict"] else "")
        + ")"
        for f in figures
    ]
    return f"Chart of {name} in {unit}: " + "; ".join(parts) + "."


def _write_tables(page: content.Content, staging: Path) -> None:
    """Each download as DuckDB writes CSV (`make export` writes the marts the same way). The figures of all
    indicators go out in one partitioned write, a partition per indicator renamed to its download's name: hundreds
    of separate writes took seconds. One thread keeps each file in the figures' order."""
    with duckdb.connect(config={"threads": 1}) as connection:
        for name, frame in page.tables.items():
            connection.from_df(frame).write_csv(str(staging / name))
        if page.figures_drawn.empty:
            return
        numbers, codes = pd.factorize(page.figures_drawn.indicator_code)
        figures = page.figures_drawn.assign(indicator_number=numbers)  # noqa: F841 (the query below reads it)
        partitions = staging / "partitions"
        connection.execute(
            "copy (select * from figures) to '{}' (format csv, header, partition_by (indicator_number))".format(
                str(partitions).replace("'", "''")
            )
        )
        for number, code in enumerate(codes):
            (written,) = (partitions / f"indicator_number={number}").iterdir()
            os.rename(written, staging / content.download(code))
        shutil.rmtree(partitions)


def _vega_bundle(site_dir: Path, assets: Path) -> str:
    """Vega, Vega-Lite and vega-embed as one script. Building it takes a second or so; the previous site's copy is
    reused when the versions are the same."""
    versions = (vl_convert.get_vega_version(), charts.VEGA_LITE_VERSION, vl_convert.get_vega_embed_version())
    name = "vega-{}-lite-{}-embed-{}.js".format(*versions)
    previous = site_dir / "assets" / name
    if previous.exists():
        shutil.copyfile(previous, assets / name)
    else:
        (assets / name).write_text(vl_convert.javascript_bundle(vl_version=charts.VEGA_LITE_VERSION))
    return name


def _swap(staging: Path, site_dir: Path) -> None:
    retired = site_dir.with_name(f".{site_dir.name}.retired-{uuid.uuid4().hex[:8]}")
    if site_dir.exists():
        os.rename(site_dir, retired)
    os.rename(staging, site_dir)
    shutil.rmtree(retired, ignore_errors=True)
