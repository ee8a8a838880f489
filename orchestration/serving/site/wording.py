"""How figures are written for people, on the page and in its charts."""

from __future__ import annotations

from datetime import date

import pandas as pd


def number(value: float | None) -> str:
    """A figure for people: up to six significant digits, thousands separated, powers of ten written out."""
    if value is None or pd.isna(value):
        return ""
    text = f"{value:,.6g}"
    if "e" in text:
        mantissa, exponent = text.split("e")
        return f"{mantissa} × 10^{int(exponent)}"
    return text


def unit(code: str) -> str:
    """A unit for people: trillion_CNY -> trillion CNY."""
    return code.replace("_", " ")


def as_reported(figure: dict) -> str:
    qualifier = "" if figure["qualifier"] == "exact" else figure["qualifier"].replace("_", " ") + " "
    written = f"{qualifier}{number(figure['value_reported'])} {unit(figure['unit_reported'])}"
    if figure["unit_reported"] != figure["canonical_unit"]:
        written += f" = {number(figure['value_canonical'])} {unit(figure['canonical_unit'])}"
    return written


def day(value) -> str:
    """A date as YYYY-MM-DD, whether it comes as a date, a timestamp or text."""
    if isinstance(value, date):  # dates, datetimes and pandas' timestamps, without parsing (a page has many)
        return value.isoformat()[:10]
    return pd.Timestamp(value).strftime("%Y-%m-%d")


def moment(value) -> str:
    """A point in time, in UTC, to the second."""
    return pd.Timestamp(value).tz_convert("UTC").strftime("%Y-%m-%d %H:%M:%S UTC")


def period(figure: dict) -> str:
    start, end = day(figure["period_start"]), day(figure["period_end"])
    return end if start == end else f"{start} to {end}"


def allows(figure: dict) -> str:
    low, high = figure["lower_bound_canonical"], figure["upper_bound_canonical"]
    if pd.isna(high):
        return f"{number(low)} or more"
    if pd.isna(low):
        return f"up to {number(high)}"
    return f"{number(low)} to {number(high)}"
