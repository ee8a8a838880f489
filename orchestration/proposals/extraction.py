"""Figures found in a report's plain text, each with the sentence it came from, for a person to review before any
becomes a row of seeds/observations.csv (issue: proposals from a report's text).

The rules read the project's catalogs, not a list of their own: a unit is found by its spellings (units.csv and its
spellings), an indicator by its name and aliases, so teaching them a new unit or indicator is a row of data. What the
rules know is the language of quantities, declared once here:

- qualifier words before a number ("over", "about", "nearly", "fewer than") and what each means (QUALIFIERS);
- scale words after it ("one trillion", "1.59 million PFlops"): the unit is the catalog's unit of that scale;
- "percentage points" are not "percent": a change of a share, never stored as a percent;
- "from X to Y" is two figures, the first at the start of the period and the second at its end, not a range;
- "by June 2025" is a level on 30 June 2025; "at the end of 2024" on 31 December; a year ahead of the report
  ("by 2035") is a forecast; where the text gives no date the period is left for the reviewer.

Nothing is decided silently: what the reviewer must settle is written in each proposal's `review`.
"""

from __future__ import annotations

import calendar
import math
import re
from dataclasses import dataclass, field
from datetime import date

# Qualifier words, longest first where one begins another; "nearly 100" is under 100.
QUALIFIERS = {
    "more than": "more_than",
    "over": "more_than",
    "above": "more_than",
    "exceeding": "more_than",
    "exceeded": "more_than",
    "surpassing": "more_than",
    "surpassed": "more_than",
    "in excess of": "more_than",
    "at least": "at_least",
    "no less than": "at_least",
    "at most": "at_most",
    "up to": "at_most",
    "no more than": "at_most",
    "fewer than": "less_than",
    "less than": "less_than",
    "under": "less_than",
    "below": "less_than",
    "nearly": "less_than",
    "almost": "less_than",
    "about": "about",
    "approximately": "about",
    "around": "about",
    "roughly": "about",
    "some": "about",
}
SCALES = {"thousand": 1e3, "million": 1e6, "billion": 1e9, "trillion": 1e12}
NUMBER_WORDS = {
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "twenty": 20,
    "hundred": 100,
}
PERCENT_SPELLINGS = ("percent", "per cent", "%")
POINTS_SPELLINGS = ("percentage points", "percentage point", "pp")
# A relation stated without a number: the reviewer may turn it into a consistency rule (docs/data.md).
RELATION_REVIEW = "a relation stated without a number: a consistency rule (ordering), not a figure"
RELATION_WORDS = ("overtook", "overtaking", "surpassed", "exceeded", "outpaced", "overtaken")
FORECAST_WORDS = ("expected", "forecast", "projected", "projection", "could", "will", "is set to", "estimated to")
MONTHS = {name.lower(): number for number, name in enumerate(calendar.month_name) if name}

_NUMBER = r"(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?|" + "|".join(sorted(NUMBER_WORDS, key=len, reverse=True))
_SENTENCE_END = re.compile(r"(?<=[.!?])[\"”’']?\s+(?=[\"“‘']?[A-Z0-9])")


@dataclass(frozen=True)
class Unit:
    code: str
    quantity_kind: str
    canonical_unit: str
    factor_to_canonical: float
    spellings: tuple[str, ...] = ()  # as written in reports; the code and the name count as spellings too


@dataclass(frozen=True)
class Indicator:
    code: str
    name: str
    quantity_kind: str
    aliases: tuple[str, ...] = ()  # as written in reports; the name counts as one
    period_type: str | None = None  # stock, flow or rate, as the indicator's figures in the seeds have it


@dataclass(kw_only=True)
class Proposal:
    """One figure found in the text, with the columns of seeds/observations.csv filled as far as the text allows; a
    relation stated without a number has the quote and the review alone."""

    quote: str  # the sentence
    quote_start: int  # its character offsets in the text
    quote_end: int
    review: list[str] = field(default_factory=list)
    value: float = math.nan
    value_text: str = ""  # the number as written ("21,100", "one")
    unit_text: str = ""  # the unit as written, scale word included ("million PFlops", "trillion yuan", "%")
    unit_code: str | None = None
    qualifier: str = ""
    indicator_code: str | None = None
    period_start: date | None = None
    period_end: date | None = None
    period_type: str | None = None
    period_inferred: bool = True
    is_forecast: bool = False


@dataclass(frozen=True)
class Catalogs:
    units: tuple[Unit, ...]
    indicators: tuple[Indicator, ...]

    def unit_spelled(self, text: str) -> Unit | None:
        lowered = text.lower()
        for unit in self.units:
            if lowered in (spelling.lower() for spelling in (unit.code, *unit.spellings)):
                return unit
        return None

    def unit_scaled(self, base: Unit, scale: float) -> Unit | None:
        """The catalog's unit of `base`'s kind that is `scale` times `base` (trillion × CNY = trillion_CNY)."""
        wanted = base.factor_to_canonical * scale
        for unit in self.units:
            if unit.canonical_unit == base.canonical_unit and _close(unit.factor_to_canonical, wanted):
                return unit
        return None

    def spellings(self) -> list[str]:
        """Every unit spelling, longest first, so "trillion yuan" is found before "yuan"."""
        found = {spelling for unit in self.units for spelling in (unit.code, *unit.spellings)}
        return sorted(found, key=len, reverse=True)


def sentences(text: str) -> list[tuple[int, int]]:
    """The sentences of `text` as (start, end) character offsets."""
    spans, start = [], 0
    for boundary in _SENTENCE_END.finditer(text):
        spans.append((start, boundary.start()))
        start = boundary.end()
    if text[start:].strip():
        spans.append((start, len(text.rstrip())))
    return spans


def propose(text: str, catalogs: Catalogs, published_on: date) -> list[Proposal]:
    """Every figure the text states as a number, in the order written; `published_on` dates the report, which tells
    a forecast ("by 2035") from an outcome."""
    proposals = []
    pattern = _figure_pattern(catalogs)
    for start, end in sentences(text):
        sentence = text[start:end]
        matches = [match for match in pattern.finditer(sentence) if not _not_a_figure(match, sentence)]
        phrases = _periods(sentence, matches)
        found = [
            (match, _proposal(match, phrases.get(index), sentence, start, catalogs, published_on))
            for index, match in enumerate(matches)
        ]
        _from_to(sentence, found)
        # "surpassed 100 trillion" qualifies a number; "surpassed the United States" states a relation.
        if any(re.search(rf"\b{word}\b(?!\s+\d)", sentence, re.IGNORECASE) for word in RELATION_WORDS):
            proposals.append(Proposal(quote=sentence, quote_start=start, quote_end=end, review=[RELATION_REVIEW]))
        proposals.extend(proposal for _, proposal in found)
    return proposals


def _figure_pattern(catalogs: Catalogs) -> re.Pattern:
    qualifier = "|".join(re.escape(word) for word in sorted(QUALIFIERS, key=len, reverse=True))
    scale = "|".join(SCALES)
    units = "|".join(re.escape(spelling) for spelling in [*POINTS_SPELLINGS, *PERCENT_SPELLINGS, *catalogs.spellings()])
    return re.compile(
        rf"(?:\b(?P<qualifier>{qualifier})\s+)?"
        rf"(?<![\w.,-])(?P<number>\b(?:{_NUMBER}))\b"
        rf"(?:[\s-]+(?P<scale>{scale})\b)?"
        rf"(?:\s*(?P<unit>{units})(?![A-Za-z]))?",
        re.IGNORECASE,
    )


def _proposal(
    match: re.Match, phrase: re.Match | None, sentence: str, offset: int, catalogs: Catalogs, published_on: date
) -> Proposal:
    number, scale, unit_text = match["number"], match["scale"], match["unit"] or ""
    value = NUMBER_WORDS.get(number.lower()) or float(number.replace(",", ""))
    review = []
    written = " ".join(part for part in (scale, unit_text) if part)
    points = unit_text.lower() in POINTS_SPELLINGS
    unit = None
    if points:
        review.append("percentage points: a change of a share, not a percent; no unit of the catalog")
    elif unit_text.lower() in PERCENT_SPELLINGS:
        unit = catalogs.unit_spelled("percent")
    elif unit_text:
        # "trillion yuan" may be a spelling of its own; otherwise the scale applies to the unit written after it.
        unit = catalogs.unit_spelled(written)
        if unit is None:
            base = catalogs.unit_spelled(unit_text)
            unit = _scaled(catalogs, base, scale) if scale else base
    indicator = _indicator(sentence, match, catalogs, unit)
    if unit is None and not points and indicator is not None:
        unit = _unit_of_indicator(catalogs, indicator, scale)  # "100 trillion" daily token calls
    if unit is None and not points:
        review.append(f"unit not found in the catalog: {written or '(none written)'}")
    if indicator is None:
        review.append("indicator not found: no catalog name or alias in the sentence fits the unit")
    period_type = indicator.period_type if indicator else None
    period_start, period_end, inferred, forecast = _period(phrase, sentence, published_on, period_type)
    if period_end is None:
        review.append("period not stated: choose it, and say how in the note")
    elif inferred:
        review.append("period inferred from the text's wording: check it")
    forecast = forecast or any(re.search(rf"\b{word}\b", sentence, re.IGNORECASE) for word in FORECAST_WORDS)
    return Proposal(
        value=float(value),
        value_text=number,
        unit_text=written,
        unit_code=unit.code if unit else None,
        qualifier=QUALIFIERS[match["qualifier"].lower()] if match["qualifier"] else "exact",
        indicator_code=indicator.code if indicator else None,
        period_start=period_start,
        period_end=period_end,
        period_type=period_type,
        period_inferred=inferred,
        is_forecast=forecast,
        quote=sentence,
        quote_start=offset,
        quote_end=offset + len(sentence),
        review=review,
    )


def _scaled(catalogs: Catalogs, base: Unit | None, scale: str) -> Unit | None:
    return catalogs.unit_scaled(base, SCALES[scale.lower()]) if base else None


def _unit_of_indicator(catalogs: Catalogs, indicator: Indicator, scale: str | None) -> Unit | None:
    """The catalog's unit of the indicator's kind at the written scale, where the text names no unit."""
    for unit in catalogs.units:
        if unit.quantity_kind == indicator.quantity_kind and unit.code == unit.canonical_unit:
            return _scaled(catalogs, unit, scale) if scale else unit
    return None


def _indicator(sentence: str, match: re.Match, catalogs: Catalogs, unit: Unit | None) -> Indicator | None:
    """The indicator whose name or alias stands nearest the number in the sentence, of the unit's kind where the unit
    is known; at the same distance the longer alias wins ("daily AI token calls" before "AI token calls")."""
    lowered = sentence.lower()
    candidates = []
    for indicator in catalogs.indicators:
        if unit is not None and indicator.quantity_kind != unit.quantity_kind:
            continue
        for alias in (indicator.name, *indicator.aliases):
            for found in re.finditer(re.escape(alias.lower()), lowered):
                distance = max(found.start() - match.end(), match.start() - found.end(), 0)
                candidates.append((distance, -len(alias), indicator.code, indicator))
    return min(candidates)[3] if candidates else None


# Period phrases, each dating the number nearest to it in its sentence.
_PERIOD_PHRASES = re.compile(
    r"\bby (?P<month>" + "|".join(name.title() for name in MONTHS) + r") (?P<month_year>\d{4})\b"
    r"|\b(?:at |by )?the end of (?P<end_year>\d{4})\b"
    r"|\b(?:at )?the (?:start|beginning) of (?P<start_year>\d{4})\b"
    r"|\bby (?P<by_year>\d{4})\b"
    r"|\b(?:in|for) (?P<in_year>\d{4})\b"
    r"|\b(?P<the_year>for the year|by year-end|by the end of the year)\b",
    re.IGNORECASE,
)


def _periods(sentence: str, matches: list[re.Match]) -> dict[int, re.Match]:
    """Each period phrase of the sentence given to the number nearest it: {index of the number: the phrase}."""
    given: dict[int, re.Match] = {}
    for phrase in _PERIOD_PHRASES.finditer(sentence):
        distances = [
            (max(phrase.start() - match.end(), match.start() - phrase.end(), 0), index)
            for index, match in enumerate(matches)
        ]
        if distances:
            given.setdefault(min(distances)[1], phrase)
    return given


def _period(
    phrase: re.Match | None, sentence: str, published_on: date, period_type: str | None
) -> tuple[date | None, date | None, bool, bool]:
    """(start, end, inferred, forecast) from the phrase that dates the number: "by June 2025" is the level on 30 June,
    "at the end of 2024" on 31 December, a stock "for 2024" the level at the end of 2024 (inferred), a flow or a rate
    "in 2025" the whole year; a period ending after the report is a forecast."""
    if phrase is None:
        return None, None, True, False
    if phrase["month"]:
        year, month = int(phrase["month_year"]), MONTHS[phrase["month"].lower()]
        end = date(year, month, calendar.monthrange(year, month)[1])
        return end, end, True, end > published_on
    if phrase["end_year"]:
        end = date(int(phrase["end_year"]), 12, 31)
        return end, end, False, end > published_on
    if phrase["start_year"]:  # "the start of 2025": dated 1 January, a choice the reviewer confirms
        start = date(int(phrase["start_year"]), 1, 1)
        return start, start, True, start > published_on
    if phrase["the_year"]:
        years = [int(year) for year in re.findall(r"\b(?:19|20)\d{2}\b", sentence)]
        if not years:
            return None, None, True, False
        year, inferred = max(years), False
    else:
        year, inferred = int(phrase["by_year"] or phrase["in_year"]), bool(phrase["in_year"])
    start = date(year, 12, 31) if period_type == "stock" else date(year, 1, 1)
    return start, date(year, 12, 31), inferred and period_type == "stock", date(year, 12, 31) > published_on


def _from_to(sentence: str, found: list[tuple[re.Match, Proposal]]) -> None:
    """ "from X ... to Y": two levels of one indicator, the first at the start of the period and the second at its
    end ("by year-end": the first's year), never a range."""
    for (first_match, first), (second_match, second) in zip(found, found[1:], strict=False):
        if not re.search(r"\bfrom\s*$", sentence[: first_match.start()]) or not re.search(
            r"\bto\b", sentence[first_match.end() : second_match.start()]
        ):
            continue
        if first.period_end is not None:
            second.period_start = second.period_end = date(first.period_end.year, 12, 31)
            second.period_inferred = True
        # One indicator and one unit: the second number often stands nearer another indicator's name.
        second.indicator_code, second.unit_code, second.period_type = (
            first.indicator_code,
            first.unit_code,
            first.period_type,
        )
        for proposal in (first, second):
            proposal.review.append("from-to: two levels, the first at the start of the period, the second at its end")


def _not_a_figure(match: re.Match, sentence: str) -> bool:
    """A year or a day of a date ("2025", "April 29"), or a number word that counts things in passing ("eight major
    hub regions"): a figure has a digit, a scale, a unit or a qualifier."""
    number = match["number"]
    if match["unit"] or match["scale"] or match["qualifier"]:
        return False
    if number.lower() in NUMBER_WORDS or re.fullmatch(r"(19|20)\d{2}", number):
        return True
    before = sentence[: match.start()].rstrip().split(" ")[-1].lower()
    return before in MONTHS


def _close(left: float, right: float) -> bool:
    return abs(left - right) <= 1e-9 * max(abs(left), abs(right))
