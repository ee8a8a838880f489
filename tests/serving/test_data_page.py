"""The data page: written with every publication, opened in a real headless Chromium (Debian's) with the network
shut off, and its CSV downloads compared with the marts."""

from __future__ import annotations

import json
import shutil
from datetime import UTC
from pathlib import Path

import altair
import duckdb
import pytest
from playwright.sync_api import sync_playwright

from orchestration.serving import connect
from orchestration.serving.site.content import CHINA, FINDINGS, MAX_FINDINGS
from orchestration.serving.site.page import build_site
from orchestration.warehouse.settings import REPO_ROOT

# Screenshots of the page, kept for a person to look at after the run (git-ignored).
ARTEFACTS = REPO_ROOT / "test-artifacts"
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",  # CI runs as root
    "--disable-gpu",
    "--no-first-run",
    # Chromium's own background traffic, and every host name: nothing may leave the machine.
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--host-resolver-rules=MAP * ~NOTFOUND",
]
LOCAL_SCHEMES = ("file:", "data:", "blob:", "about:")
# The figures the page draws: China's (the country without a parent), not a province's, a hub's or the world's.
NATIONAL = (
    "select figures.* from marts.fct_indicator_observation as figures "
    f"inner join marts.dim_geography as geographies using (geography_code) where {CHINA}"
)


@pytest.fixture(scope="module")
def site(built_warehouse) -> Path:
    return built_warehouse.with_name("site")


@pytest.fixture(scope="module")
def browser():
    chromium = shutil.which("chromium")
    if chromium is None:
        pytest.fail("Chromium is not installed: `apt-get install chromium` (.ci/run installs it when missing)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def open_page(browser, site: Path, width: int, height: int = 900):
    """The page opened from the file system, every chart drawn; returns it with the requests it made, the ones
    refused, and its console errors."""
    context = browser.new_context(viewport={"width": width, "height": height}, offline=True)
    requests, refused, errors = [], [], []

    def only_local(route):
        if route.request.url.startswith(LOCAL_SCHEMES):
            route.continue_()
        else:
            refused.append(route.request.url)
            route.abort()

    context.route("**/*", only_local)
    page = context.new_page()
    page.on("request", lambda request: requests.append(request.url))
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto((site / "index.html").as_uri())
    page.wait_for_function(
        "[...document.querySelectorAll('.chart')].every(chart => chart.querySelector('g.figures_marks'))",
        timeout=60_000,  # a wait, not a target: ~9 s idle on two cores, more beside a Spark test
    )
    return page, requests, refused, errors


@pytest.fixture(scope="module")
def laptop(browser, site):
    page, requests, refused, errors = open_page(browser, site, width=1280)
    ARTEFACTS.mkdir(exist_ok=True)
    # The first screen and the headline chart: a full-page shot of the page's ~180,000 pixels takes 30 s on two cores.
    page.screenshot(path=ARTEFACTS / "data_page_laptop.png")
    page.locator("#indicator-total_computing_capacity .chart").screenshot(path=ARTEFACTS / "data_page_chart.png")
    yield page, requests, refused, errors
    page.context.close()


def marks(page, chart_id: str, name: str) -> list[str]:
    """The text alternative (aria-label) of each mark of one layer of one chart."""
    return page.eval_on_selector_all(
        f"#chart-{chart_id} g.{name}_marks path", "paths => paths.map(p => p.getAttribute('aria-label') || '')"
    )


@pytest.mark.slow
def test_the_page_loads_nothing_from_the_network_and_logs_no_error(laptop):
    _, requests, refused, errors = laptop
    assert refused == []
    assert requests and all(url.startswith(LOCAL_SCHEMES) for url in requests), requests
    assert errors == []


@pytest.mark.slow
def test_every_indicator_with_figures_has_a_chart_with_a_mark_for_each_figure(laptop, warehouse_sql):
    page = laptop[0]
    figures = dict(warehouse_sql(f"select indicator_code, count(*) from ({NATIONAL}) group by all"))
    sections = page.eval_on_selector_all(
        "section.indicator", "sections => sections.map(s => [s.dataset.indicator, Number(s.dataset.figures)])"
    )
    assert dict(sections) == figures
    for indicator, count in figures.items():
        assert len(marks(page, indicator, "figures")) == count, indicator
    label = page.get_attribute("#chart-intelligent_computing_capacity", "aria-label")
    assert label.startswith("Chart of Intelligent computing capacity in EFLOPS: ")
    assert "90 EFLOPS for 2024-12-31 (NDA survey, ccpc_2025" in label


@pytest.mark.slow
def test_the_intelligent_capacity_chart_draws_a_series_per_basis_and_rings_the_conflicts(laptop, warehouse_sql):
    page = laptop[0]
    levels = marks(page, "intelligent_computing_capacity", "figures")
    firsts = {label.split(",")[0] for label in levels}
    assert {"90 EFLOPS", "788 EFLOPS", "1.59 million PFLOPS = 1"} <= firsts  # 1.59 million PFLOPS = 1,590 EFLOPS
    # One line per basis through the figure chosen at each date, named in the legend.
    bases = warehouse_sql(
        "select distinct bases.name from marts.mart_indicator_series as series"
        " inner join marts.dim_basis as bases using (basis_code)"
        " where indicator_code = 'intelligent_computing_capacity' and geography_code = 'CN'"
    )
    legend = page.inner_text("#chart-intelligent_computing_capacity").splitlines()
    # Each basis's entry names the bodies its figures come from, the most frequent first; the grey marks (what a
    # finding expected) and the red rings have entries of their own.
    bodies = warehouse_sql(
        "select bases.name, list(distinct bodies.short_name) from marts.dim_basis as bases"
        f" inner join ({NATIONAL}) as figures using (basis_code)"
        " inner join marts.dim_body as bodies using (body_code)"
        " where figures.indicator_code = 'intelligent_computing_capacity' group by all"
    )
    assert {name for name, _ in bodies} >= {name for (name,) in bases}
    for name, named in bodies:
        [entry] = [line for line in legend if line.startswith(f"{name} (")]
        listed = entry.removeprefix(f"{name} (").removesuffix(")")
        if len(named) > 3:  # three named, the rest counted
            listed = listed.removesuffix(f" and {len(named) - 3} more")
        names = listed.split(", ")
        assert set(names) <= set(named) and len(names) == min(3, len(named)), entry
    assert {"what a finding expected", "ringed: a figure in conflict"} <= set(legend)
    # The line offers the citation of each point it runs through.
    [(citation,)] = warehouse_sql(
        "select citation from marts.mart_indicator_series where indicator_code = 'intelligent_computing_capacity'"
        " and geography_code = 'CN' and basis_code = 'nda_survey'"
    )
    assert any(f"cite: {citation}" in line for line in marks(page, "intelligent_computing_capacity", "series"))
    forecast = marks(page, "intelligent_computing_capacity", "growth_path_ends")
    assert "forecast growth of more than 40 percent (ccpc_2025) from 90 on 2024-12-31: 126 to 144 by 2025-12-31" in (
        forecast
    )
    # The figures in a conflict are ringed, and no other.
    [(in_conflict,)] = warehouse_sql(
        f"select count(*) from ({NATIONAL}) where indicator_code = 'intelligent_computing_capacity' and has_conflict"
    )
    assert len(marks(page, "intelligent_computing_capacity", "conflicts")) == in_conflict


@pytest.mark.slow
def test_the_share_table_has_a_row_per_date_and_basis_of_china_named_as_the_basis_is(laptop, warehouse_sql):
    page = laptop[0]
    expected = warehouse_sql(
        "select power.as_of_date::varchar, bases.name from marts.mart_computing_power as power"
        " inner join marts.dim_basis as bases using (basis_code) where power.geography_code = 'CN'"
        " order by power.as_of_date, power.basis_code"
    )
    shown = page.eval_on_selector_all(
        "#computing-power table tbody tr", "rows => rows.map(r => [r.cells[0].innerText, r.cells[1].innerText])"
    )
    assert [tuple(row) for row in shown] == expected and expected


@pytest.mark.slow
def test_the_page_leads_with_the_conflicts_one_line_each(laptop, warehouse_sql):
    page = laptop[0]
    expected = warehouse_sql(
        "select conflict_id, sentence from marts.mart_conflict"
        " order by case severity when 'error' then 0 else 1 end, finding_count desc, conflict_id"
    )
    lines = page.eval_on_selector_all("#conflicts li", "items => items.map(i => i.innerText)")
    assert len(lines) == len(expected) > 0
    for line, (conflict_id, sentence) in zip(lines, expected, strict=True):
        assert line.startswith(conflict_id) and " ".join(sentence.split()) in " ".join(line.split())
    sections = page.eval_on_selector_all("main > section", "sections => sections.map(s => s.id)")
    assert sections[0] == "conflicts"


@pytest.mark.slow
def test_failing_findings_come_first_and_are_marked(laptop, warehouse_sql):
    page = laptop[0]
    statuses = page.eval_on_selector_all("li.finding", "items => items.map(i => i.dataset.status)")
    expected = dict(warehouse_sql("select status, count(*) from marts.fct_consistency_check group by all"))
    assert len(statuses) == min(sum(expected.values()), 300)  # the page lists the first 300 (content.MAX_FINDINGS)
    failing = min(expected["fail"], len(statuses))
    assert statuses[:failing] == ["fail"] * failing
    assert "fail" not in statuses[failing:]
    badge = page.eval_on_selector("li.finding.status-fail .badge", "b => getComputedStyle(b).backgroundColor")
    assert badge == "rgb(198, 40, 40)"
    # Every figure a failing finding used links to its row, and that row is marked as in conflict.
    for href in page.eval_on_selector_all(
        "li.finding.status-fail .used a", "links => links.map(a => a.getAttribute('href'))"
    ):
        if page.locator(f"tr{href}").count():  # a province's or hub's figure has no row on the national page
            assert page.locator(f"tr{href}.conflict").count() == 1, href


@pytest.mark.slow
def test_each_figure_offers_its_citation(laptop, warehouse_sql):
    page = laptop[0]
    [(citation,)] = warehouse_sql(
        "select citation from marts.fct_indicator_observation where observation_id = 'nda24-total-capacity-2024'"
    )
    assert "epium.com" in citation
    assert page.text_content("#figure-nda24-total-capacity-2024 details.cite p") == citation  # folded until opened


@pytest.mark.slow
def test_the_share_rule_is_shown_as_its_arithmetic(browser, built_warehouse, tmp_path):
    # Every finding listed: the share rule's passing finding comes after hundreds of failures on the record.
    build_site(built_warehouse, tmp_path / "site", max_findings=100_000)
    page, _, _, errors = open_page(browser, tmp_path / "site", width=1280)
    try:
        text = page.inner_text("#finding-intelligent_share_of_total_2024-1 .arithmetic")
        assert errors == []
    finally:
        page.context.close()
    assert " ".join(text.split()) == (
        "32 % × 280 EFLOPS = 89.6 EFLOPS ≈ 90 EFLOPS reported (deviation 0.4 %, 2.3 % allowed)"
    )


@pytest.mark.slow
def test_provenance_names_the_publication_its_seeds_and_checks(laptop, warehouse_sql, site):
    page = laptop[0]
    published_at, code_version, passed, warned, failed = warehouse_sql(
        "select published_at, code_version, checks_passed, checks_warned, checks_failed"
        " from audit.publish_log order by published_at desc limit 1"
    )[0]
    assert page.inner_text("#published-at") == published_at.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
    assert page.inner_text("#check-counts") == f"{passed} passed, {warned} warned, {failed} failed"
    provenance = page.inner_text("#provenance")
    assert code_version in provenance
    for seed in sorted((REPO_ROOT / "seeds").glob("*.csv")):
        assert seed.name in provenance
    report = page.get_attribute("#provenance a[href$='quality_report.md']", "href")
    assert (site / report).resolve().exists()


@pytest.mark.slow
def test_every_chart_is_a_valid_vega_lite_specification(laptop):
    specs = laptop[0].eval_on_selector_all("script.chart-spec", "scripts => scripts.map(s => s.textContent)")
    assert len(specs) == laptop[0].locator(".chart").count()
    for spec in specs:
        altair.LayerChart.from_dict(json.loads(spec), validate=True)  # raises on anything the schema refuses


@pytest.mark.slow
def test_a_large_warehouse_is_drawn_in_part_and_the_page_says_so(built_warehouse, tmp_path):
    page = build_site(built_warehouse, tmp_path / "site", max_figures=2, max_findings=3)
    html = page.read_text()
    with connect(built_warehouse) as connection:  # as the page's own reader connects
        [(findings,)] = connection.execute("select count(*) from marts.fct_consistency_check").fetchall()
        [(national,)] = connection.execute(
            f"select count(*) from ({NATIONAL}) where indicator_code = 'intelligent_computing_capacity'"
        ).fetchall()
    assert f"The first 3 of {findings} findings are listed here" in html
    assert f"The latest 2 of its {national}" in html
    downloaded = (tmp_path / "site" / "data" / "intelligent_computing_capacity.csv").read_text().splitlines()
    assert len(downloaded) == 1 + 2 and ",2028-12-31,2028-12-31," in downloaded[-1]  # the latest two (forecasts)
    assert "00:00:00" not in "".join(downloaded)  # dates as dates


@pytest.mark.slow
def test_the_page_fits_a_phone_screen(browser, site):
    page, _, refused, errors = open_page(browser, site, width=390, height=844)
    try:
        page.screenshot(path=ARTEFACTS / "data_page_phone.png")  # the first screen, as for the laptop
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        assert refused == [] and errors == []
    finally:
        page.context.close()


@pytest.mark.slow
def test_the_csv_downloads_match_the_marts(site, built_warehouse, laptop):
    page = laptop[0]
    downloads = page.eval_on_selector_all("a.csv", "links => links.map(a => a.getAttribute('href'))")
    marts = {
        f"data/{code}.csv": f"select * from ({NATIONAL}) where indicator_code = '{code}'"
        for code in page.eval_on_selector_all("section.indicator", "s => s.map(x => x.dataset.indicator)")
    }
    marts["data/conflicts.csv"] = "select * from marts.mart_conflict"
    marts["data/findings.csv"] = FINDINGS.replace("$max_findings", str(MAX_FINDINGS))  # the first 300
    marts["data/computing_power.csv"] = "select * from marts.mart_computing_power where geography_code = 'CN'"
    assert set(downloads) == set(marts)
    with duckdb.connect(str(built_warehouse), read_only=True) as connection:
        for download, query in marts.items():
            columns = {name: kind for name, kind, *_ in connection.execute(f"describe {query}").fetchall()}
            connection.execute(
                "create or replace temp table downloaded as select * from read_csv(?, header = true, columns = ?)",
                [str(site / download), columns],
            )
            mart_rows = connection.execute(f"select count(*) from ({query})").fetchone()[0]
            assert connection.execute("select count(*) from downloaded").fetchone()[0] == mart_rows, download
            differing = connection.execute(
                f"select count(*) from (({query}) except all (select * from downloaded))"
            ).fetchone()[0]
            assert differing == 0, download
