"""The language of quantities in Chinese reports, for extraction.py: where sentences end, the words that qualify a
number before or after it, what is not a figure of its own, and the phrases that date a figure, read against the
report's publication date ("截至今年6月底" in a report of 2025 is 30 June 2025). Traditional characters are read as
simplified (OpenCC, character for character), so the words here and the catalogs' Chinese spellings and aliases are
written once, in simplified characters; numbers themselves are numbers.py's."""

from __future__ import annotations

import calendar
import re
from datetime import date
from functools import cache

import opencc

SENTENCE_END = "。！？；"
# Before the number, longest first where one begins another; 达/达到 (reached) state the number as it is.
QUALIFIERS = {
    "超过": "more_than",
    "突破": "more_than",
    "高于": "more_than",
    "超": "more_than",
    "逾": "more_than",
    "不低于": "at_least",
    "不少于": "at_least",
    "至少": "at_least",
    "不超过": "at_most",
    "最多": "at_most",
    "接近": "less_than",
    "将近": "less_than",
    "近": "less_than",
    "大约": "about",
    "约": "about",
    "达到": "exact",
    "达": "exact",
}
# After the number and its unit.
QUALIFIERS_AFTER = {"以上": "more_than", "多": "more_than", "余": "more_than", "左右": "about"}
PERCENT = "%"  # full-width ％ is narrowed to it (numbers.normalised)
POINTS = ("个百分点",)
# Tenths of a whole (两成: 20 %), a share rounded to ten points; not the 成 of 成为, 成本, 成长 and the like.
TENTHS = "成"
TENTHS_TEXT = r"成(?![为本果功立员交熟长效就])"
TENTHS_TOLERANCE = 5.0  # percentage points: half a tenth
# A number glued to these counts things in passing or is part of a name: 2024年, 6月, 万卡 clusters, 400G ports.
NOT_A_FIGURE_AFTER = re.compile(r"(?:年|月|日|号|卡|G(?![A-Za-z])|nm|纳米)")
FORECAST_WORDS = ("预计", "预测", "有望", "力争", "目标", "将达", "到20")
PERIOD_PHRASES = re.compile(
    r"(?:(?P<month_year>\d{4})年|(?P<month_relative>今年|去年))?(?P<month>\d{1,2})月(?:底|末)?"
    r"|(?:(?P<end_year>\d{4})年|(?P<end_relative>今年|去年|当年))(?:年)?(?:底|末)"
    r"|(?:(?P<start_year>\d{4})年|(?P<start_relative>今年|去年))初"
    r"|(?:(?P<half_year>\d{4})年|(?P<half_relative>今年|去年))?上半年"
    r"|(?P<in_year>\d{4})年(?:全年)?"
    r"|(?P<last_year>去年)"
)


@cache
def _to_simplified() -> opencc.OpenCC:
    return opencc.OpenCC("t2s")


def simplified(text: str) -> str:
    """`text` in simplified characters, where the conversion keeps every offset (it does, character for character,
    for the words of figures); otherwise `text` as it is."""
    converted = _to_simplified().convert(text)
    return converted if len(converted) == len(text) else text


def is_chinese(text: str) -> bool:
    return re.search(r"[\u4e00-\u9fff]", text) is not None


def sentences(text: str) -> list[tuple[int, int]]:
    """The sentences of Chinese text as (start, end) offsets: each ends after 。！？； (and a closing quote)."""
    spans, start = [], 0
    for end in re.finditer(rf"[{SENTENCE_END}][”」』\"']?", text):
        if text[start : end.end()].strip():
            spans.append((start, end.end()))
        start = end.end()
    if text[start:].strip():
        spans.append((start, len(text.rstrip())))
    return [(start + len(text[start:end]) - len(text[start:end].lstrip()), end) for start, end in spans]


def period(
    phrase: re.Match | None, published_on: date, period_type: str | None
) -> tuple[date | None, date | None, bool, bool]:
    """(start, end, inferred, forecast): 截至6月底 is the level at the end of June of the report's year (inferred), 年底
    on 31 December, 年初 on 1 January (inferred), 上半年 the first half (a stock at its end), 2025年 the year."""
    if phrase is None:
        return None, None, True, False

    def year(written: str | None, relative: str | None) -> int:
        if written:
            return int(written)
        return published_on.year - (relative == "去年")

    if phrase["last_year"]:
        y = published_on.year - 1
        return (date(y, 12, 31) if period_type == "stock" else date(y, 1, 1)), date(y, 12, 31), True, False

    if phrase["month"]:
        month = int(phrase["month"])
        if not 1 <= month <= 12:
            return None, None, True, False
        y = year(phrase["month_year"], phrase["month_relative"])
        end = date(y, month, calendar.monthrange(y, month)[1])
        return end, end, not phrase["month_year"], end > published_on
    if phrase["end_year"] or phrase["end_relative"]:
        end = date(year(phrase["end_year"], phrase["end_relative"]), 12, 31)
        return end, end, not phrase["end_year"], end > published_on
    if phrase["start_year"] or phrase["start_relative"]:
        start = date(year(phrase["start_year"], phrase["start_relative"]), 1, 1)
        return start, start, True, start > published_on
    if phrase.group(0).endswith("上半年"):
        y = year(phrase["half_year"], phrase["half_relative"])
        end = date(y, 6, 30)
        return (end if period_type == "stock" else date(y, 1, 1)), end, not phrase["half_year"], end > published_on
    y = int(phrase["in_year"])
    start = date(y, 12, 31) if period_type == "stock" else date(y, 1, 1)
    return start, date(y, 12, 31), period_type == "stock", date(y, 12, 31) > published_on
