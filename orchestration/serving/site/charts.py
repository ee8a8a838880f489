"""The charts of the data page, as Vega-Lite specifications (drawn in the page by vega-embed).

One chart shows figures over time in their canonical unit: a point per figure at the end of its period (a line back
to the start for a figure that covers a period), the range of true values it allows as a band behind it (open bands,
dashed, run to the edge of the chart for "more than" and "less than" figures), forecasts hollow, figures in a failing
finding ringed in red, and in grey what the findings expected of a figure.
"""

from __future__ import annotations

from collections import Counter

from orchestration.serving.site.wording import allows, as_reported, day, number, period

# Vega-Lite's shape per qualifier: a triangle points the way a bound is open.
QUALIFIER_SHAPES = {
    "exact": "circle",
    "about": "diamond",
    "more_than": "triangle-up",
    "at_least": "triangle-up",
    "at_most": "triangle-down",
    "less_than": "triangle-down",
}
CONFLICT_COLOUR = "#c62828"
EXPECTED_COLOUR = "#7a7a7a"
# The series' colours: Tableau 10 without its red and grey, which mean a conflict and an expectation here, then four
# of Tableau 20's for a chart of two indicators' bases.
SERIES_COLOURS = (
    *("#4e79a7", "#f28e2b", "#59a14f", "#76b7b2", "#edc948", "#b07aa1", "#9c755f", "#ff9da7"),
    *("#a0cbe8", "#8cd17d", "#499894", "#b6992d"),
)
EXPECTED = "what a finding expected"
IN_CONFLICT = "ringed: a figure in conflict"
MAX_BODIES_NAMED = 3  # in a series' legend entry; the rest are counted
HEIGHT = 260
FIGURES_DATASET = "figures"
VEGA_LITE_VERSION = "6.4"  # the version of the script shipped in the page (vl-convert-python's bundle)
# The time axis's labels: the tick of 1 January says "end <the year before>", every other tick its day.
END_OF_YEAR_LABELS = (
    "utcmonth(datum.value) == 0 && utcdate(datum.value) == 1 && utchours(datum.value) == 0"
    " ? 'end ' + (utcyear(datum.value) - 1) : utcFormat(datum.value, '%Y-%m-%d')"
)


def figures_chart(
    figures: list[dict],
    expectations: list[dict],
    growth_paths: list[dict],
    unit: str,
    series_points: list[dict],
    description: str,
) -> dict:
    """The Vega-Lite spec of one chart: a colour per series (a basis; an indicator and basis where the chart draws
    several indicators), named in the legend with the bodies its figures come from, a line through each series'
    chosen points (`series_points`, rows of marts.mart_indicator_series), and `description` the chart's text
    alternative."""
    bottom, top = _extent(figures, growth_paths)
    several = len({f["indicator_code"] for f in figures}) > 1
    labels = _series_labels(figures, several)
    data = _figure_rows(figures, bottom, top, labels, several)
    series = "series"
    domain = {"domain": [bottom, top]}
    # A figure for the end of 2025 sits on the tick of 1 January 2026: that tick says "end 2025", and every other
    # tick its day, so that no figure reads as the next year's and a one-date chart reads no weekday.
    x = {
        "field": "period_end",
        "type": "temporal",
        "title": "period end",
        "scale": {"type": "utc", "padding": 24},
        "axis": {"labelExpr": END_OF_YEAR_LABELS},
    }
    # Large canonical values (bytes, tokens, yuan) read best with SI prefixes: 1.2T CNY, 101E bytes.
    y = {"field": "value", "type": "quantitative", "title": unit, "scale": domain}
    y["axis"] = {"format": "~s" if top >= 1e6 else ",~r"}
    # One colour scale for the series and the two marks every chart shares: grey for what a finding expected, red
    # for the ring of a figure in conflict, each with its legend entry.
    named = sorted(labels.values())
    colour = {
        "field": series,
        "type": "nominal",
        "title": "basis (bodies)",
        "scale": {
            "domain": [*named, EXPECTED, IN_CONFLICT],
            "range": [SERIES_COLOURS[i % len(SERIES_COLOURS)] for i in range(len(named))]
            + [EXPECTED_COLOUR, CONFLICT_COLOUR],
        },
        "legend": {"orient": "bottom"},
    }
    tooltip = [
        {"field": field, "type": "nominal"} for field in ("figure", "series", "source_id", "period", "allows", "status")
    ]
    dashes = {
        "field": "bound",
        "type": "nominal",
        "title": "range allowed",
        "scale": {"domain": ["closed", "open"], "range": [[1, 0], [4, 3]]},
        "legend": {"orient": "bottom", "symbolStrokeColor": "#5f6368"},
    }
    shapes = {
        "field": "qualifier",
        "type": "nominal",
        "scale": {"domain": list(QUALIFIER_SHAPES), "range": list(QUALIFIER_SHAPES.values())},
        "legend": None,  # the page's legend says what each shape means
    }
    forecast_hollow = {"condition": {"test": "datum.is_forecast", "value": "white"}} | colour
    spans = [row for row in data if row["period_start"] != row["period_end"]]
    expected = _expectation_rows(expectations)
    ranges = [row for row in expected if row["low"] is not None]
    ceilings = [row for row in expected if row["low"] is None]
    paths = _growth_path_rows(growth_paths)
    path_ends = [row for row in paths if row["end"]]
    layers = [
        _layer(
            "series",
            _series_rows(series_points, labels, several),
            {"type": "line", "strokeWidth": 1.5, "opacity": 0.7},
            x=x,
            y=y,
            color=colour,
            tooltip=[{"field": "point", "type": "nominal"}, {"field": "cite", "type": "nominal"}],
        ),
        _layer(
            "spans",
            spans,
            {"type": "rule", "strokeWidth": 2, "opacity": 0.6, "clip": True},
            x={**x, "field": "period_start"},
            x2={"field": "period_end"},
            y=y,
            color=colour,
        ),
        _layer(
            "bounds",
            FIGURES_DATASET,
            {"type": "rule", "strokeWidth": 8, "opacity": 0.3, "clip": True},
            x=x,
            y={"field": "band_low", "type": "quantitative", "scale": domain},
            y2={"field": "band_high"},
            color=colour,
            strokeDash=dashes,
            tooltip=tooltip,
        ),
        _layer(
            "expected",
            ranges,
            {"type": "rule", "strokeWidth": 14, "opacity": 0.25, "clip": True},
            x=x,
            y={"field": "low", "type": "quantitative", "scale": domain},
            y2={"field": "high"},
            color={"datum": EXPECTED},
            tooltip=[{"field": "expected", "type": "nominal"}],
        ),
        _layer(
            "expected_ceilings",
            ceilings,
            {"type": "point", "shape": "stroke", "size": 500, "strokeWidth": 3, "clip": True},
            x=x,
            y={"field": "high", "type": "quantitative", "scale": domain},
            color={"datum": EXPECTED},
            tooltip=[{"field": "expected", "type": "nominal"}],
        ),
        _layer(
            "figures",
            FIGURES_DATASET,
            {"type": "point", "size": 110, "strokeWidth": 2, "opacity": 1, "clip": True},
            x=x,
            y=y,
            color=colour,
            shape=shapes,
            fill={**forecast_hollow, "legend": None},
            tooltip=tooltip,
            description={"field": "aria", "type": "nominal"},
        ),
        _layer(
            "growth_paths",
            paths,
            {"type": "line", "strokeDash": [6, 4], "color": EXPECTED_COLOUR},
            x=x,
            y=y,
            detail={"field": "path_id", "type": "nominal"},
            tooltip=[{"field": "path", "type": "nominal"}],
        ),
        _layer(
            "growth_path_ranges",
            path_ends,
            {"type": "rule", "strokeWidth": 8, "opacity": 0.3, "strokeDash": [4, 3], "color": EXPECTED_COLOUR},
            x=x,
            y={"field": "value", "type": "quantitative", "scale": domain},
            y2={"field": "high"},
            tooltip=[{"field": "path", "type": "nominal"}],
        ),
        _layer(
            "growth_path_ends",
            path_ends,
            {"type": "point", "shape": "triangle-up", "size": 110, "strokeWidth": 2, "filled": False}
            | {"color": EXPECTED_COLOUR},
            x=x,
            y=y,
            tooltip=[{"field": "path", "type": "nominal"}],
            description={"field": "path", "type": "nominal"},
        ),
        _layer(
            "conflicts",
            [row for row in data if row["has_conflict"]],
            {"type": "point", "shape": "circle", "size": 480, "strokeWidth": 2, "filled": False, "clip": True},
            x=x,
            y=y,
            color={"datum": IN_CONFLICT},
            tooltip=tooltip,
        ),
    ]
    return {
        "$schema": f"https://vega.github.io/schema/vega-lite/v{VEGA_LITE_VERSION}.json",
        "description": description,
        "width": "container",
        "height": HEIGHT,
        # Legends stacked below the plot, so that a phone's width holds them.
        "config": {"legend": {"orient": "bottom", "direction": "vertical", "labelLimit": 360}},
        "datasets": {FIGURES_DATASET: data},  # one copy of the figures for the layers that draw all of them
        # A layer with no rows is left out: Vega warns about the empty extent of its axis otherwise.
        "layer": [layer for layer in layers if layer],
    }


def _layer(name: str, rows: list[dict] | str, mark: dict, **encoding) -> dict | None:
    """One layer of a chart, with its rows inline or the name of the chart's dataset it draws; the SVG group of its
    marks is named `<name>_marks`."""
    if isinstance(rows, str):
        data = {"name": rows}
    elif not rows:
        return None
    else:
        data = {"values": rows}
    return {"name": name, "data": data, "mark": mark, "encoding": encoding}


def _extent(figures: list[dict], growth_paths: list[dict]) -> tuple[float, float]:
    """The y-axis: from zero (or the lowest figure, if below) to a margin above the highest figure or growth path.
    What a finding expected is drawn clipped to it: an expectation of 9,000 % would flatten the figure it tests. So is
    a figure its page misprinted (159 million PFLOPS for 1.59 million), unless every figure is one."""
    printed_right = [f for f in figures if not f.get("erratum")] or figures
    drawn = [
        *((f, ("value_canonical", "lower_bound_canonical", "upper_bound_canonical")) for f in printed_right),
        *((p, ("to_low", "to_high")) for p in growth_paths),
    ]
    values = [float(row[column]) for row, columns in drawn for column in columns if row[column] is not None]
    low, high = min(0.0, min(values)), max(values)
    return low, (high * 1.15 if high > 0 else 1.0)


def _figure_rows(figures: list[dict], bottom: float, top: float, labels: dict[str, str], several: bool) -> list[dict]:
    rows = []
    for f in figures:
        low, high = f["lower_bound_canonical"], f["upper_bound_canonical"]
        row = {
            "period_start": day(f["period_start"]),
            "period_end": day(f["period_end"]),
            "value": f["value_canonical"],
            "band_low": bottom if low is None else low,
            "band_high": top if high is None else high,
            "bound": "open" if low is None or high is None else "closed",
            "qualifier": f["qualifier"],
            "is_forecast": bool(f["is_forecast"]),
            "has_conflict": bool(f["has_conflict"]),
            "source_id": f["source_id"],
            "series": labels[_series_name(f, several)],
            "figure": as_reported(f),
            "period": period(f),
            "allows": allows(f),
            "status": ("forecast" if f["is_forecast"] else "reported")
            + ("; in a failing finding" if f["has_conflict"] else ""),
        }
        row["aria"] = ", ".join((row["figure"], row["period"], row["series"], row["source_id"], row["status"]))
        rows.append(row)
    return rows


def _series_name(row: dict, several: bool) -> str:
    """The name of a figure's or point's series: its basis, after its indicator where a chart draws `several`."""
    basis = row.get("basis_name") or row["basis_code"]
    return f"{row['indicator_name']}, {basis}" if several else basis


def _series_labels(figures: list[dict], several: bool) -> dict[str, str]:
    """Each series' legend entry: its name and the bodies its figures come from, the most frequent first
    ("NDA survey (CCPC, NDA)", "Basis not stated (MIIT, CAICT, NDA and 4 more)")."""
    bodies: dict[str, Counter] = {}
    for f in figures:
        bodies.setdefault(_series_name(f, several), Counter())[f["body_short_name"]] += 1
    labels = {}
    for name, counts in bodies.items():
        ranked = [body for body, _ in sorted(counts.items(), key=lambda item: (-item[1], item[0]))]
        named = ", ".join(ranked[:MAX_BODIES_NAMED])
        more = len(ranked) - MAX_BODIES_NAMED
        labels[name] = f"{name} ({named}{f' and {more} more' if more > 0 else ''})"
    return labels


def _series_rows(points: list[dict], labels: dict[str, str], several: bool) -> list[dict]:
    """The line of each series through its chosen points, in date order, each point with its citation."""
    rows = []
    for p in points:
        name = _series_name(p, several)
        rows.append(
            {
                "period_end": day(p["period_end"]),
                "value": p["value_canonical"],
                "series": labels[name],  # content.py keeps the points whose chosen figure is drawn
                "point": f"{name}, {day(p['period_end'])}: {number(p['value_canonical'])} "
                f"({p['source_id']}; {p['source_count']} source{'s' if p['source_count'] != 1 else ''})",
                "cite": p["citation"],
            }
        )
    return rows


def _growth_path_rows(paths: list[dict]) -> list[dict]:
    """Two rows per path: the level it starts from, and where the growth takes it (the low end; `high` the top)."""
    rows = []
    for path in paths:
        growth = {
            "qualifier": path["growth_qualifier"],
            "value_reported": path["growth_value"],
            "unit_reported": path["growth_unit"],
            "canonical_unit": path["growth_unit"],
        }
        label = (
            f"{'forecast ' if path['is_forecast'] else ''}growth of {as_reported(growth)} ({path['growth_source_id']})"
            f" from {number(path['from_value'])} on {day(path['from_date'])}: "
            f"{number(path['to_low'])} to {number(path['to_high'])} by {day(path['to_date'])}"
        )
        common = {"path_id": path["path_id"], "path": label, "high": path["to_high"]}
        rows.append({**common, "period_end": day(path["from_date"]), "value": path["from_value"], "end": False})
        rows.append({**common, "period_end": day(path["to_date"]), "value": path["to_low"], "end": True})
    return rows


def _expectation_rows(expectations: list[dict]) -> list[dict]:
    return [
        {
            "period_end": day(e["period_end"]),
            "low": e["expected_lower"],
            "high": e["expected_upper"] if e["expected_upper"] is not None else e["expected_lower"],
            "expected": f"{e['check_id']} ({e['status']}) expects "
            + (f"{number(e['expected_lower'])} to " if e["expected_lower"] is not None else "at most ")
            + number(e["expected_upper"] if e["expected_upper"] is not None else e["expected_lower"]),
        }
        for e in expectations
    ]
