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
from datetime import date, timedelta

from orchestration.proposals import chinese, numbers

# Qualifier words, longest first where one begins another; "nearly 100" is under 100.
QUALIFIERS = {
    "more than": "more_than",
    "over": "more_than",
    "above": "more_than",
    "exceeding": "more_than",
    "exceeded": "more_than",
    "surpassing": "more_than",
    "surpassed": "more_than",
    "crossed": "more_than",
    "topped": "more_than",
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
    "nearing": "less_than",
    "approaching": "less_than",
    "almost": "less_than",
    "about": "about",
    "approximately": "about",
    "around": "about",
    "roughly": "about",
    "some": "about",
}
SCALES = {
    "thousand": 1e3,
    "million": 1e6,
    "billion": 1e9,
    "trillion": 1e12,
    "quadrillion": 1e15,
    "quintillion": 1e18,
}
# A figure restated in other units right after it, "(...)" or ", or ...": the same figure, checked, not a row.
_GLOSS_BETWEEN = re.compile(r"\s*(?:[(（]\s*(?:即|約|约|i\.e\.,?|or)?|,\s*or|,\s*即|/)\s*(?:每秒)?\s*", re.IGNORECASE)
_YEAR_ON_YEAR = re.compile(r"同比|year[- ]on[- ]year|from a year (?:earlier|ago)", re.IGNORECASE)
# Words before a period phrase that make it the base a figure is compared with, not the figure's own period.
_COMPARED_WITH = re.compile(r"(?:较|比|相比|与|同比|compared with|compared to|than)\s*(?:the\s+)?$", re.IGNORECASE)
SHARED_PERIOD_REVIEW = "period taken from a phrase that dates another figure of the sentence: check it"
INFERRED_REVIEW = "period inferred from the text's wording: check it"
INFERRED_REVIEW_AGAINST_THE_REPORT = (
    "period inferred from the text's wording (read against the report's date): check it"
)
# A precision or basis stated beside a figure: the warehouse compares figures only on one basis.
_BASIS = re.compile(
    r"(?<![A-Za-z])(?:FP|INT|BF)\d+(?!\d)|半精度|单精度|單精度|双精度|雙精度|(?:half|single|double)[- ]precision",
    re.IGNORECASE,
)
# Rounding in a gloss: "246 EFLOPS (2.46 × 10^20 operations)" agrees; a factor of ten or a thousand does not.
GLOSS_TOLERANCE = 0.02
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
    basis: str = ""  # a precision or basis stated beside it ("FP16 半精度")
    canonical: float = math.nan  # the value in its unit's canonical unit, where the unit is known (glosses compare it)


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
    """The sentences of `text` as (start, end) character offsets: Chinese sentences end after 。！？；, English ones
    at a full stop, question or exclamation mark before the next sentence's capital or digit."""
    spans = []
    for part_start, part_end in chinese.sentences(text):
        part, start = text[part_start:part_end], 0
        for boundary in _SENTENCE_END.finditer(part):
            spans.append((part_start + start, part_start + boundary.start()))
            start = boundary.end()
        if part[start:].strip():
            spans.append((part_start + start, part_start + len(part.rstrip())))
    return spans


def propose(text: str, catalogs: Catalogs, published_on: date) -> list[Proposal]:
    """Every figure the text states as a number, in the order written; `published_on` dates the report, which tells
    a forecast ("by 2035", 预计) from an outcome and reads 今年 and 去年."""
    proposals = []
    pattern = _figure_pattern(catalogs)
    for start, end in sentences(text):
        sentence = text[start:end]
        if chinese.is_chinese(sentence):
            proposals.extend(_over_the_year(_chinese_figures(sentence, start, catalogs, published_on)))
            continue
        matches = [match for match in pattern.finditer(sentence) if not _not_a_figure(match, sentence)]
        phrases, shared = _periods(_PERIOD_PHRASES, sentence, matches)
        found = [
            (match, _proposal(match, phrases.get(index), sentence, start, catalogs, published_on, index in shared))
            for index, match in enumerate(matches)
        ]
        _from_to(sentence, found)
        # "surpassed 100 trillion" qualifies a number; "surpassed the United States" states a relation.
        if any(re.search(rf"\b{word}\b(?!\s+\d)", sentence, re.IGNORECASE) for word in RELATION_WORDS):
            proposals.append(Proposal(quote=sentence, quote_start=start, quote_end=end, review=[RELATION_REVIEW]))
        proposals.extend(_over_the_year(_with_basis(sentence, _without_glosses(sentence, found))))
    return proposals


def _over_the_year(proposals: list[Proposal]) -> list[Proposal]:
    """A year-on-year rate (同比, "year on year") dated by a day (截至6月底) covers the twelve months to that day: a
    rate is a change over a period, never over a single day."""
    for proposal in proposals:
        point = proposal.period_end is not None and proposal.period_start == proposal.period_end
        if point and proposal.period_type == "rate" and _YEAR_ON_YEAR.search(proposal.quote):
            end, after = proposal.period_end, proposal.period_end + timedelta(days=1)
            proposal.period_start = date(after.year - 1, after.month, min(after.day, 28 if after.month == 2 else 31))
            proposal.review.append(f"year on year: the twelve months to {end.isoformat()}")
    return proposals


def _figure_pattern(catalogs: Catalogs) -> re.Pattern:
    qualifier = "|".join(re.escape(word) for word in sorted(QUALIFIERS, key=len, reverse=True))
    scale = "|".join(SCALES)
    units = "|".join(re.escape(spelling) for spelling in [*POINTS_SPELLINGS, *PERCENT_SPELLINGS, *catalogs.spellings()])
    return re.compile(
        rf"(?:\b(?P<qualifier>{qualifier})\s+)?"
        rf"(?<![\w.,-])(?P<number>\b(?:{_NUMBER}))(?:(?<=\d)(?![\d,.]?\d)|\b)"  # "150EFlops" too
        rf"(?:[\s-]+(?P<scale>{scale})\b)?"
        rf"(?:(?:\s*|-)(?P<unit>{units})(?![A-Za-z]))?",  # "300-fold" too
        re.IGNORECASE,
    )


def _proposal(
    match: re.Match,
    phrase: re.Match | None,
    sentence: str,
    offset: int,
    catalogs: Catalogs,
    published_on: date,
    shared_period: bool = False,
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
            if unit is None and base is not None:  # no unit at that scale: "19 million servers" is 19,000,000 count
                unit, value = base, float(value) * SCALES[scale.lower()]
    indicator = _indicator(sentence, match, catalogs, unit)
    if unit is None and not points and indicator is not None:
        unit = _unit_of_indicator(catalogs, indicator, scale)  # "100 trillion" daily token calls
        if unit is None and scale:  # "100 billion" daily token calls: no unit at that scale
            unit = _unit_of_indicator(catalogs, indicator, None)
            value = float(value) * SCALES[scale.lower()] if unit else value
    period_type = indicator.period_type if indicator else None
    period_start, period_end, inferred, forecast = _period(phrase, sentence, published_on, period_type)
    inferred = _what_to_settle(
        review, None if unit or points else written, indicator, period_end, inferred, shared_period, INFERRED_REVIEW
    )
    forecast = forecast or any(re.search(rf"\b{word}\b", sentence, re.IGNORECASE) for word in FORECAST_WORDS)
    return Proposal(
        canonical=float(value) * unit.factor_to_canonical if unit else math.nan,
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


def _what_to_settle(
    review: list[str],
    unit_missing: str | None,
    indicator: Indicator | None,
    period_end: date | None,
    inferred: bool,
    shared_period: bool,
    inferred_review: str,
) -> bool:
    """Add to `review` what the reviewer must settle of a figure in either language: a unit not found (`unit_missing`
    is the unit as written, None when one was found), an indicator not found, a period not stated, taken from
    another figure's phrase or inferred. Returns whether the period is inferred."""
    if unit_missing is not None:
        review.append(f"unit not found in the catalog: {unit_missing or '(none written)'}")
    if indicator is None:
        review.append("indicator not found: no catalog name or alias in the sentence fits the unit")
    if period_end is None:
        review.append("period not stated: choose it, and say how in the note")
    elif shared_period:
        review.append(SHARED_PERIOD_REVIEW)
        return True
    elif inferred:
        review.append(inferred_review)
    return inferred


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
_MONTH_NAMES = "|".join(name.title() for name in MONTHS)
_PERIOD_PHRASES = re.compile(
    rf"\b(?:(?:by|as of|at) (?:the (?:end|close) of )?|the (?:end|close) of )(?P<month>{_MONTH_NAMES})"
    r"(?: (?P<month_year>\d{4}))?\b"
    rf"|\bin (?P<in_month>{_MONTH_NAMES}) (?P<in_month_year>\d{{4}})\b"
    r"|\b(?:at |by )?the (?:end|close) of (?:(?P<end_year>\d{4})|(?P<end_relative>last year|this year))\b"
    r"|\b(?:at )?the (?:start|beginning) of (?P<start_year>\d{4})\b"
    r"|\bby (?P<by_year>\d{4})\b"
    r"|\b(?:in|for|over|during|over the whole of) (?P<in_year>\d{4})\b"
    r"|\b(?P<last_year>last year)\b"
    r"|\b(?P<the_year>for the year|by year-end|by the end of the year)\b",
    re.IGNORECASE,
)


def _periods(phrases: re.Pattern, sentence: str, matches: list[re.Match]) -> tuple[dict[int, re.Match], set[int]]:
    """Each period phrase of the sentence given to the number nearest it: {index of the number: the phrase}; then a
    number left without one takes the phrase nearest it, and is returned among the `shared` to check. A phrase a
    number is compared with ("较2025年底增长", "compared with the end of 2024") dates none but the base figure it
    names ("较2024年初的1千亿": 1千亿 at the start of 2024)."""
    found, given = [], {}
    for phrase in phrases.finditer(sentence):
        if not _COMPARED_WITH.search(sentence[: phrase.start()]):
            found.append(phrase)
            continue
        base = next((index for index, match in enumerate(matches) if match.start() >= phrase.end()), None)
        if base is not None and re.fullmatch(r"\s*的?\s*", sentence[phrase.end() : matches[base].start()]):
            given[base] = phrase

    def distance(phrase: re.Match, match: re.Match) -> int:
        return max(phrase.start() - match.end(), match.start() - phrase.end(), 0)

    for phrase in found:
        nearest = min(range(len(matches)), key=lambda index: distance(phrase, matches[index]), default=None)
        if nearest is not None:
            given.setdefault(nearest, phrase)
    shared = {index for index in range(len(matches)) if index not in given and found}
    for index in shared:
        given[index] = min(found, key=lambda phrase: distance(phrase, matches[index]))
    return given, shared


def _period(
    phrase: re.Match | None, sentence: str, published_on: date, period_type: str | None
) -> tuple[date | None, date | None, bool, bool]:
    """(start, end, inferred, forecast) from the phrase that dates the number: "by June 2025" is the level on 30 June,
    "at the end of 2024" on 31 December, a stock "for 2024" the level at the end of 2024 (inferred), a flow or a rate
    "in 2025" the whole year; a period ending after the report is a forecast."""
    if phrase is None:
        return None, None, True, False
    if phrase["month"]:  # "as of June": June of the report's year
        year, month = int(phrase["month_year"] or published_on.year), MONTHS[phrase["month"].lower()]
        end = date(year, month, calendar.monthrange(year, month)[1])
        return end, end, True, end > published_on
    if phrase["in_month"]:  # a rate "in March 2026": that month
        year, month = int(phrase["in_month_year"]), MONTHS[phrase["in_month"].lower()]
        end = date(year, month, calendar.monthrange(year, month)[1])
        start = end if period_type == "stock" else date(year, month, 1)
        return start, end, True, end > published_on
    if phrase["last_year"]:  # the year before the report's: a level at its end, a flow or a rate all of it
        year = published_on.year - 1
        start = date(year, 12, 31) if period_type == "stock" else date(year, 1, 1)
        return start, date(year, 12, 31), True, False
    if phrase["end_year"] or phrase["end_relative"]:  # "the end of last year": the year before the report's
        year = int(phrase["end_year"] or published_on.year - (phrase["end_relative"].lower() == "last year"))
        end = date(year, 12, 31)
        return end, end, not phrase["end_year"], end > published_on
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
    """A year or a day of a date ("2025", "April 29"), a number glued to letters that are no unit ("21st"), or a
    number word that counts things in passing ("eight major hub regions"): a figure has a digit, a scale, a unit or
    a qualifier."""
    number = match["number"]
    after = sentence[match.end("number") : match.end("number") + 2]
    if not match["unit"] and (after[:1].isalpha() or (after[:1] == "-" and after[1:].isalpha())):
        return True  # glued to letters that are no unit: "21st", "5G", "10,000-card"
    if match["unit"] or match["scale"] or match["qualifier"]:
        return False
    if number.lower() in NUMBER_WORDS or re.fullmatch(r"(19|20)\d{2}", number):
        return True
    before = sentence[: match.start()].rstrip().split(" ")[-1].lower()
    return before in MONTHS


def _close(left: float, right: float) -> bool:
    return abs(left - right) <= 1e-9 * max(abs(left), abs(right))


def _without_glosses(sentence: str, found: list[tuple[re.Match, Proposal]]) -> list[tuple[re.Match, Proposal]]:
    """The figures of a sentence but those restating the figure before them in other units ("246 EFLOPS, or 246
    quintillion floating-point operations per second", "197EFLOPS（每秒1.97万亿亿次浮点运算）"): a gloss is checked
    against its figure and never proposed; where the two disagree, the figure's review says so with both values."""
    kept: list[tuple[re.Match, Proposal]] = []
    for match, proposal in found:
        if kept and _GLOSS_BETWEEN.fullmatch(sentence[kept[-1][0].end() : match.start()]):
            figure = kept[-1][1]
            if figure.period_end is None and proposal.period_end is not None:  # the phrase stood nearer the gloss
                figure.period_start, figure.period_end = proposal.period_start, proposal.period_end
                figure.period_inferred, figure.is_forecast = proposal.period_inferred, proposal.is_forecast
                figure.review = [item for item in figure.review if not item.startswith("period not stated")]
                figure.review += [item for item in proposal.review if item.startswith("period inferred")]
            if math.isnan(figure.canonical) or math.isnan(proposal.canonical):
                figure.review.append(
                    f"a gloss restates it as {proposal.value_text} {proposal.unit_text}, in a unit the catalog cannot "
                    "compare: check that they agree"
                )
            elif figure.unit_text == chinese.TENTHS and proposal.unit_code == figure.unit_code:
                _in_tenths_restated(figure, proposal)
            elif abs(figure.canonical - proposal.canonical) > GLOSS_TOLERANCE * abs(figure.canonical):
                figure.review.append(
                    f"wrong gloss: {figure.value_text} {figure.unit_text} is {_number(figure.canonical)} in the "
                    f"canonical unit, but the gloss {proposal.value_text} {proposal.unit_text} is "
                    f"{_number(proposal.canonical)}: check which the source means"
                )
            continue
        kept.append((match, proposal))
    return kept


def _in_tenths_restated(figure: Proposal, gloss: Proposal) -> None:
    """A share in tenths restated as a percent (约两成/21%) is the percent: the precise writing of the same figure,
    which agrees within half a tenth."""
    if abs(figure.canonical - gloss.canonical) > chinese.TENTHS_TOLERANCE:
        figure.review.append(
            f"wrong gloss: {figure.value_text}{figure.unit_text} is {_number(figure.canonical)} %, but the gloss "
            f"{gloss.value_text}{gloss.unit_text} is {_number(gloss.canonical)} %: check which the source means"
        )
        return
    figure.value, figure.value_text, figure.unit_text = gloss.value, gloss.value_text, gloss.unit_text
    figure.canonical = gloss.canonical


def _with_basis(sentence: str, found: list[tuple[re.Match, Proposal]]) -> list[Proposal]:
    """A precision or basis stated in a sentence ("788EFLOPS（FP16半精度）") belongs to the figure it follows (or,
    stated before them all, to the first): that figure says it, for the reviewer to keep."""
    stated: dict[int, list[str]] = {}
    for basis in _BASIS.finditer(sentence) if found else []:
        before = [index for index, (match, _) in enumerate(found) if match.end() <= basis.start()]
        stated.setdefault(before[-1] if before else 0, []).append(basis.group(0))
    for index, words in stated.items():
        proposal = found[index][1]
        proposal.basis = " ".join(dict.fromkeys(words))
        proposal.review.append(f"basis stated beside it: {proposal.basis}; keep it with the figure")
    return [proposal for _, proposal in found]


def _number(value: float) -> str:
    return f"{value:.6g}"


def _chinese_figure_pattern(catalogs: Catalogs) -> re.Pattern:
    qualifier = "|".join(re.escape(word) for word in sorted(chinese.QUALIFIERS, key=len, reverse=True))
    units = "|".join(
        re.escape(spelling)
        for spelling in sorted([*chinese.POINTS, chinese.PERCENT, *catalogs.spellings()], key=len, reverse=True)
    )
    after = "|".join(re.escape(word) for word in chinese.QUALIFIERS_AFTER)
    return re.compile(
        rf"(?:(?P<qualifier>{qualifier})为?(?:每秒)?)?(?<![A-Za-z0-9.])(?<!\d,)(?P<number>{numbers.NUMBER_TEXT})(?![0-9.])"
        rf"\s*(?P<unit>{units}|{chinese.TENTHS_TEXT})?(?![A-Za-z])(?P<after>{after})?",
        re.IGNORECASE,
    )


def _chinese_figures(sentence: str, offset: int, catalogs: Catalogs, published_on: date) -> list[Proposal]:
    """The figures of a Chinese sentence: matched on a copy with the same offsets (full-width digits as ASCII,
    traditional characters as simplified), quoted as written."""
    narrow = chinese.simplified(numbers.normalised(sentence))
    matches = [
        match
        for match in _chinese_figure_pattern(catalogs).finditer(narrow)
        if not _chinese_not_a_figure(match, narrow)
    ]
    phrases, shared = _periods(chinese.PERIOD_PHRASES, narrow, matches)
    found = [
        (
            match,
            _chinese_proposal(
                match, phrases.get(index), narrow, sentence, offset, catalogs, published_on, index in shared
            ),
        )
        for index, match in enumerate(matches)
    ]
    return _with_basis(narrow, _without_glosses(narrow, found))


def _chinese_not_a_figure(match: re.Match, narrow: str) -> bool:
    """A year, a month or a day (2024年, 6月底), a count in a name (万卡集群), a port speed (400G), an ordinal (第3),
    a numeral in words with neither unit nor qualifier (一份报告, as "eight hub regions" in English)."""
    if match["unit"]:
        return False
    if chinese.NOT_A_FIGURE_AFTER.match(narrow, match.end("number")):
        return True
    words = not re.search(r"\d", match["number"]) and "分之" not in match["number"]  # a fraction is a share
    if not match["qualifier"] and words:  # 一份报告: "a report", not a figure
        return True
    return narrow[: match.start("number")].endswith("第")


def _chinese_proposal(
    match: re.Match,
    phrase: re.Match | None,
    narrow: str,
    sentence: str,
    offset: int,
    catalogs: Catalogs,
    published_on: date,
    shared_period: bool = False,
) -> Proposal:
    number = numbers.read_number(match["number"])
    unit_text = match["unit"] or ""
    review = [number.review] if number.review else []
    qualifier = chinese.QUALIFIERS[match["qualifier"]] if match["qualifier"] else "exact"
    if number.more_than or match["after"]:  # 300多, 40%多, 1万以上, 30%左右
        qualifier = "more_than" if number.more_than else chinese.QUALIFIERS_AFTER[match["after"]]
    points = unit_text in chinese.POINTS
    unit, value = None, number.value
    if points:
        review.append("percentage points (个百分点): a change of a share, not a percent; no unit of the catalog")
    elif unit_text == chinese.PERCENT:
        unit = catalogs.unit_spelled("percent")
    elif unit_text == chinese.TENTHS or number.fraction:  # 两成: 20 %; 三分之二: 66.7 %
        unit, value = catalogs.unit_spelled("percent"), number.value * (10 if unit_text else 100)
    elif unit_text:
        unit, value = _at_written_scale(catalogs, catalogs.unit_spelled(unit_text), number)
    indicator = _indicator(narrow, match, catalogs, unit)
    if unit is None and not points and indicator is not None:
        unit, value = _at_written_scale(catalogs, _unit_of_indicator(catalogs, indicator, None), number)
        # Scale words applied to a unit that is itself scaled (EFLOPS: 10^18 FLOPS) are likely said twice.
        prefixed = unit is not None and any(
            other.canonical_unit == unit.canonical_unit and other.factor_to_canonical < unit.factor_to_canonical
            for other in catalogs.units
        )
        if prefixed and number.scale != 1 and value == number.value:
            review.append(
                f"no unit written: {match['number']} read as {_number(value)} {unit.code}, the indicator's unit, "
                "with its scale words applied: check the unit"
            )
    period_type = indicator.period_type if indicator else None
    period_start, period_end, inferred, forecast = chinese.period(phrase, published_on, period_type)
    inferred = _what_to_settle(
        review,
        None if unit or points else unit_text,
        indicator,
        period_end,
        inferred,
        shared_period,
        INFERRED_REVIEW_AGAINST_THE_REPORT,
    )
    return Proposal(
        value=float(value),
        value_text=sentence[match.start("number") : match.end("number")],
        unit_text=sentence[match.start("unit") : match.end("unit")] if match["unit"] else "",
        unit_code=unit.code if unit else None,
        qualifier=qualifier,
        indicator_code=indicator.code if indicator else None,
        period_start=period_start,
        period_end=period_end,
        period_type=period_type,
        period_inferred=inferred,
        is_forecast=forecast or any(word in sentence for word in chinese.FORECAST_WORDS),
        canonical=float(value) * unit.factor_to_canonical if unit else math.nan,
        quote=sentence,
        quote_start=offset,
        quote_end=offset + len(sentence),
        review=review,
    )


def _at_written_scale(catalogs: Catalogs, base: Unit | None, number: numbers.Number) -> tuple[Unit | None, float]:
    """The catalog's unit at the scale the number is written in with its digits (140万亿 tokens a day: 140 in trillion
    tokens a day), else the base unit with the scale applied to the value (4000亿元: 4e11 CNY)."""
    if base is not None and number.as_written is not None and number.scale != 1:
        scaled = catalogs.unit_scaled(base, number.scale)
        if scaled is not None:
            return scaled, number.as_written
    return base, number.value
