"""The charts of the data page, as Vega-Lite specifications (drawn in the page by vega-embed).

One chart shows figures over time in their canonical unit: a point per figure at the end of its period (a line back
to the start for a figure that covers a period), the range of true values it allows as a band behind it (open bands,
dashed, run to the edge of the chart for "more than" and "less than" figures), forecasts hollow, figures in a failing
finding ringed in red, and in grey what the findings expected of a figure.
"""

from __future__ import annotations

import json

import pandas as pd

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
HEIGHT = 260
FIGURES_DATASET = "figures"
VEGA_LITE_VERSION = "6.4"  # the version of the script shipped in the page (vl-convert-python's bundle)


def figures_chart(
    figures: pd.DataFrame,
    expectations: pd.DataFrame,
    growth_paths: pd.DataFrame,
    unit: str,
    series: str,
    description: str,
) -> dict:
    """The Vega-Lite spec of one chart; `series` is the column that tells the series apart (a source, an
    indicator) and `description` the chart's text alternative."""
    bottom, top = _extent(figures, expectations, growth_paths)
    data = _figure_rows(figures, bottom, top)
    domain = {"domain": [bottom, top]}
    x = {"field": "period_end", "type": "temporal", "title": "period end", "scale": {"type": "utc", "padding": 24}}
    # Large canonical values (bytes, tokens, yuan) read best with SI prefixes: 1.2T CNY, 101E bytes.
    y = {"field": "value", "type": "quantitative", "title": unit, "scale": domain}
    y["axis"] = {"format": "~s" if top >= 1e6 else ",~r"}
    colour = {"field": series, "type": "nominal", "title": series.replace("_", " "), "legend": {"orient": "bottom"}}
    tooltip = [{"field": field, "type": "nominal"} for field in ("figure", "source_id", "period", "allows", "status")]
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
    forecast_hollow = {"condition": {"test": "datum.is_forecast", "value": "white"}, "field": series, "type": "nominal"}
    spans = data[data.period_start != data.period_end]
    expected = _expectation_rows(expectations)
    ranges, ceilings = expected[expected.low.notna()], expected[expected.low.isna()]
    paths = _growth_path_rows(growth_paths)
    path_ends = paths[paths.end.astype(bool)]
    layers = [
        _layer(
            "spans",
            spans,
            {"type": "rule", "strokeWidth": 2, "opacity": 0.6},
            x={**x, "field": "period_start"},
            x2={"field": "period_end"},
            y=y,
            color=colour,
        ),
        _layer(
            "bounds",
            FIGURES_DATASET,
            {"type": "rule", "strokeWidth": 8, "opacity": 0.3},
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
            {"type": "rule", "strokeWidth": 14, "opacity": 0.25, "color": EXPECTED_COLOUR},
            x=x,
            y={"field": "low", "type": "quantitative", "scale": domain},
            y2={"field": "high"},
            tooltip=[{"field": "expected", "type": "nominal"}],
        ),
        _layer(
            "expected_ceilings",
            ceilings,
            {"type": "point", "shape": "stroke", "size": 500, "strokeWidth": 3, "color": EXPECTED_COLOUR},
            x=x,
            y={"field": "high", "type": "quantitative", "scale": domain},
            tooltip=[{"field": "expected", "type": "nominal"}],
        ),
        _layer(
            "figures",
            FIGURES_DATASET,
            {"type": "point", "size": 110, "strokeWidth": 2, "opacity": 1},
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
            data[data.has_conflict],
            {"type": "point", "shape": "circle", "size": 480, "strokeWidth": 2, "color": CONFLICT_COLOUR}
            | {"filled": False},
            x=x,
            y=y,
            tooltip=tooltip,
        ),
    ]
    return {
        "$schema": f"https://vega.github.io/schema/vega-lite/v{VEGA_LITE_VERSION}.json",
        "description": description,
        "width": "container",
        "height": HEIGHT,
        # Legends stacked below the plot, so that a phone's width holds them.
        "config": {"legend": {"orient": "bottom", "direction": "vertical", "labelLimit": 220}},
        "datasets": {FIGURES_DATASET: _records(data)},  # one copy of the figures for the layers that draw all of them
        # A layer with no rows is left out: Vega warns about the empty extent of its axis otherwise.
        "layer": [layer for layer in layers if layer],
    }


def _layer(name: str, rows: pd.DataFrame | str, mark: dict, **encoding) -> dict | None:
    """One layer of a chart, with its rows inline or the name of the chart's dataset it draws; the SVG group of its
    marks is named `<name>_marks`."""
    if isinstance(rows, str):
        data = {"name": rows}
    elif rows.empty:
        return None
    else:
        data = {"values": _records(rows)}
    return {"name": name, "data": data, "mark": mark, "encoding": encoding}


def _records(rows: pd.DataFrame) -> list[dict]:
    return json.loads(rows.to_json(orient="records"))


def _extent(figures: pd.DataFrame, expectations: pd.DataFrame, growth_paths: pd.DataFrame) -> tuple[float, float]:
    """The y-axis: from zero (or the lowest figure, if below) to a margin above the highest value drawn."""
    values = pd.concat(
        [
            figures[["value_canonical", "lower_bound_canonical", "upper_bound_canonical"]].stack(),
            *([expectations[["expected_lower", "expected_upper"]].stack()] if not expectations.empty else []),
            *([growth_paths[["to_low", "to_high"]].stack()] if not growth_paths.empty else []),
        ]
    ).astype(float)
    low, high = min(0.0, values.min()), values.max()
    return low, (high * 1.15 if high > 0 else 1.0)


def _figure_rows(figures: pd.DataFrame, bottom: float, top: float) -> pd.DataFrame:
    rows = pd.DataFrame(
        {
            "period_start": figures.period_start.map(day),
            "period_end": figures.period_end.map(day),
            "value": figures.value_canonical,
            "band_low": figures.lower_bound_canonical.fillna(bottom),
            "band_high": figures.upper_bound_canonical.fillna(top),
            "bound": [
                "open" if pd.isna(low) or pd.isna(high) else "closed"
                for low, high in zip(figures.lower_bound_canonical, figures.upper_bound_canonical, strict=True)
            ],
            "qualifier": figures.qualifier,
            "is_forecast": figures.is_forecast.astype(bool),
            "has_conflict": figures.has_conflict.astype(bool),
            "source_id": figures.source_id,
            "figure": [as_reported(f) for f in figures.to_dict("records")],
            "period": [period(f) for f in figures.to_dict("records")],
            "allows": [allows(f) for f in figures.to_dict("records")],
            "status": [
                ("forecast" if f["is_forecast"] else "reported")
                + ("; in a failing finding" if f["has_conflict"] else "")
                for f in figures.to_dict("records")
            ],
        }
    )
    if "indicator_name" in figures:  # the chart of several indicators tells them apart by name
        rows["indicator_name"] = figures.indicator_name.to_numpy()
    rows["aria"] = rows.figure + ", " + rows.period + ", " + rows.source_id + ", " + rows.status
    return rows


def _growth_path_rows(paths: pd.DataFrame) -> pd.DataFrame:
    """Two rows per path: the level it starts from, and where the growth takes it (the low end; `high` the top)."""
    if paths.empty:
        return pd.DataFrame(columns=["path_id", "path", "high", "period_end", "value", "end"])
    rows = []
    for path in paths.to_dict("records"):
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
    return pd.DataFrame(rows)


def _expectation_rows(expectations: pd.DataFrame) -> pd.DataFrame:
    if expectations.empty:
        return pd.DataFrame(columns=["period_end", "low", "high", "expected"])
    low = expectations.expected_lower.astype(float)
    high = expectations.expected_upper.astype(float)
    return pd.DataFrame(
        {
            "period_end": expectations.period_end.map(day),
            "low": low.where(low.notna(), None),
            "high": high.fillna(low),
            "expected": [
                f"{e['check_id']} ({e['status']}) expects "
                + (f"{number(e['expected_lower'])} to " if pd.notna(e["expected_lower"]) else "at most ")
                + number(e["expected_upper"] if pd.notna(e["expected_upper"]) else e["expected_lower"])
                for e in expectations.to_dict("records")
            ],
        }
    )
