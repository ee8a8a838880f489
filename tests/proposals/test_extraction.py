"""Proposals from a report's text: each convention on sentences written for the test, then the two source texts the
seeds were curated from, against the curated rows. The catalogs are the repository's seeds."""

from __future__ import annotations

import csv
import math
import subprocess
import sys
from datetime import date

import pytest

from orchestration.proposals.catalogs import read_catalogs
from orchestration.proposals.extraction import Proposal, propose
from orchestration.proposals.writing import columns
from orchestration.warehouse.settings import REPO_ROOT
from tests.conftest import REPO_SEEDS

CATALOGS = read_catalogs(REPO_SEEDS)
PUBLISHED_ON = date(2026, 4, 29)
# The texts the seeds were curated from stay outside the project (their sentences never enter it): the team's share.
SOURCE_TEXTS = REPO_ROOT.parent / "shared" / "sources"
CURATED_FROM = {
    "000_e78deb8b37cbdb9b.txt": ("ndrs_2025", date(2026, 4, 29), {"ndrs_2025"}),
    "004_726ae755ca04370c.txt": ("ccpc_2025", date(2025, 8, 22), {"ccpc_2025", "nda_computing_2024"}),
}


def one(sentence: str) -> Proposal:
    [proposal] = propose(sentence, CATALOGS, PUBLISHED_ON)
    return proposal


@pytest.mark.parametrize(
    "words, qualifier",
    [
        ("over", "more_than"),
        ("more than", "more_than"),
        ("exceeding", "more_than"),
        ("at least", "at_least"),
        ("about", "about"),
        ("approximately", "about"),
        ("nearly", "less_than"),
        ("fewer than", "less_than"),
        ("up to", "at_most"),
        ("", "exact"),
    ],
)
def test_the_word_before_a_number_is_its_qualifier(words, qualifier):
    proposal = one(f"Total computing capacity stood at {words} 500 EFLOPS at the end of 2024.")
    assert (proposal.value, proposal.unit_code, proposal.qualifier) == (500, "EFLOPS", qualifier)
    assert proposal.indicator_code == "total_computing_capacity"


def test_a_scale_word_gives_the_catalogs_unit_of_that_scale():
    capacity = one("Intelligent computing capacity reached 1.59 million PFlops at the end of 2025.")
    assert (capacity.value, capacity.unit_text, capacity.unit_code) == (1.59, "million PFlops", "million_PFLOPS")
    calls = one("Daily AI token calls reached one trillion at the end of 2025.")  # the unit from the indicator's kind
    assert (calls.value, calls.unit_code, calls.indicator_code) == (
        1,
        "trillion_tokens_per_day",
        "ai_daily_token_calls",
    )


def test_a_scale_the_catalog_has_no_unit_for_applies_to_the_value():
    proposal = one("The core AI industry was worth 900 thousand yuan in 2025.")
    assert (proposal.unit_text, proposal.unit_code, proposal.value) == ("thousand yuan", "CNY", 900_000)
    billion = one("The core AI industry was worth 900 billion yuan in 2025.")  # a scale the catalog has
    assert (billion.value, billion.unit_code) == (900, "billion_CNY")


def test_a_number_glued_to_its_unit_is_read():
    proposal = one("Total computing capacity reached 197EFlops by June 2023.")
    assert (proposal.value, proposal.unit_text, proposal.unit_code) == (197, "EFlops", "EFLOPS")
    assert proposal.period_end == date(2023, 6, 30)


@pytest.mark.parametrize(
    ("sentence", "end", "inferred"),
    [
        ("As of June, intelligent computing capacity had crossed 788 EFLOPS.", date(2026, 6, 30), True),
        ("Total computing capacity stood at 280 EFLOPS by the end of last year.", date(2025, 12, 31), True),
        ("Daily AI token calls exceeded 140 trillion in March 2026.", date(2026, 3, 31), True),
    ],
)
def test_periods_relative_to_the_report_and_months_of_a_rate(sentence, end, inferred):
    proposal = one(sentence)
    assert (proposal.period_end, proposal.period_inferred, proposal.qualifier) == (
        end,
        inferred,
        "more_than" if "crossed" in sentence or "exceeded" in sentence else "exact",
    )


def test_percentage_points_are_not_percent():
    points = one("The intelligent share of computing capacity rose 2.5 percentage points in 2025.")
    assert points.unit_code is None
    assert any("percentage points" in item for item in points.review)
    percent = one("The intelligent share of computing capacity was 32 percent for 2024.")
    assert (percent.unit_code, percent.indicator_code) == ("percent", "intelligent_computing_share")


def test_from_to_gives_two_levels_at_the_start_and_the_end_not_a_range():
    first, second = propose(
        "Daily AI token calls grew from 10 trillion at the start of 2024 to 40 trillion by year-end.",
        CATALOGS,
        PUBLISHED_ON,
    )
    assert (first.value, first.period_start, first.period_end) == (10, date(2024, 1, 1), date(2024, 1, 1))
    assert (second.value, second.period_start, second.period_end) == (40, date(2024, 12, 31), date(2024, 12, 31))
    assert first.indicator_code == second.indicator_code == "ai_daily_token_calls"
    assert first.unit_code == second.unit_code == "trillion_tokens_per_day"


@pytest.mark.parametrize(
    "sentence, start, end, inferred",
    [
        ("By June 2025 intelligent computing capacity had reached 788 EFLOPS.", "2025-06-30", "2025-06-30", True),
        ("Intelligent computing capacity was 90 EFLOPS at the end of 2024.", "2024-12-31", "2024-12-31", False),
        ("Total computing capacity reported for 2024 stood at 280 EFLOPS.", "2024-12-31", "2024-12-31", True),
        ("Information services investment growth was 28.4% in 2025.", "2025-01-01", "2025-12-31", False),
    ],
)
def test_a_period_phrase_dates_the_figure_by_the_projects_conventions(sentence, start, end, inferred):
    proposal = one(sentence)
    assert (str(proposal.period_start), str(proposal.period_end)) == (start, end)
    assert proposal.period_inferred is inferred


def test_a_figure_without_a_period_is_left_for_review():
    proposal = one("The country has over 110,000 high-quality datasets.")
    assert proposal.period_end is None and "period not stated: choose it, and say how in the note" in proposal.review


def test_a_year_after_the_report_is_a_forecast():
    proposal = one("By 2035 AI could contribute over 11 trillion yuan to GDP.")
    assert proposal.is_forecast and (proposal.period_start, proposal.period_end) == (
        date(2035, 1, 1),
        date(2035, 12, 31),
    )
    assert (proposal.indicator_code, proposal.unit_code, proposal.qualifier) == (
        "ai_gdp_contribution",
        "trillion_CNY",
        "more_than",
    )


def test_a_cumulative_total_beside_a_daily_rate_is_a_flow():
    daily, cumulative = propose(
        "Daily AI token calls reached 100 trillion in 2025, with a cumulative total of approximately 21,100 trillion "
        "for the year.",
        CATALOGS,
        PUBLISHED_ON,
    )
    assert daily.indicator_code == "ai_daily_token_calls" and daily.period_type == "rate"
    assert (cumulative.indicator_code, cumulative.unit_code, cumulative.period_type) == (
        "ai_token_calls_cumulative",
        "trillion_tokens",
        "flow",
    )
    assert (cumulative.value, cumulative.qualifier) == (21100, "about")


def test_a_relation_without_a_number_is_proposed_for_review_not_as_a_figure():
    [relation] = propose("For the first time, AI inference data volume overtook training data.", CATALOGS, PUBLISHED_ON)
    assert math.isnan(relation.value)
    assert relation.review == ["a relation stated without a number: a consistency rule (ordering), not a figure"]


def test_a_relation_word_before_a_number_qualifies_the_number():
    [calls] = propose("Daily AI token calls surpassed 100 trillion at the end of 2025.", CATALOGS, PUBLISHED_ON)
    assert (calls.value, calls.qualifier, calls.indicator_code) == (100, "more_than", "ai_daily_token_calls")
    assert calls.review == []


def test_years_days_and_counting_words_are_not_figures():
    assert propose("On April 29 the 2025 report named eight hub regions.", CATALOGS, PUBLISHED_ON) == []


@pytest.mark.parametrize("file_name", sorted(CURATED_FROM))
def test_every_curated_figure_of_a_source_text_is_proposed_with_its_quote(file_name):
    """Value, unit and qualifier as curated; the quote holds the number as written and is the text at its offsets;
    the period is the curated one, or the row says what the reviewer must decide about it."""
    if not (SOURCE_TEXTS / file_name).exists():
        pytest.skip(f"the source texts are not beside the repository ({SOURCE_TEXTS})")
    source_id, published_on, curated_sources = CURATED_FROM[file_name]
    text = (SOURCE_TEXTS / file_name).read_text(encoding="utf-8")
    proposals = propose(text, CATALOGS, published_on)
    with (REPO_SEEDS / "observations.csv").open(newline="") as file:
        curated = [row for row in csv.DictReader(file) if row["source_id"] in curated_sources]
    assert curated
    for row in curated:
        found = [p for p in proposals if p.indicator_code == row["indicator_code"] and p.value == float(row["value"])]
        assert found, f"{row['observation_id']} was not proposed"
        [proposal] = found
        assert (proposal.unit_code, proposal.qualifier) == (row["unit_code"], row["qualifier"]), row["observation_id"]
        assert (
            proposal.value_text in proposal.quote and text[proposal.quote_start : proposal.quote_end] == proposal.quote
        )
        same_period = (str(proposal.period_start), str(proposal.period_end)) == (row["period_start"], row["period_end"])
        assert same_period or any("period" in item for item in proposal.review), row["observation_id"]
    assert len(proposals) - sum(1 for p in proposals if math.isnan(p.value)) == len(curated)  # nothing else proposed


@pytest.mark.slow
def test_the_propose_command_writes_the_proposals_file_and_names_an_unknown_source(tmp_path):
    report = tmp_path / "report.txt"
    report.write_text("Total computing capacity stood at 300 EFLOPS at the end of 2025. It grew fast.\n")
    command = [sys.executable, "-m", "orchestration", "propose", str(report), "--out", str(tmp_path / "proposals")]

    written = subprocess.run([*command, "--source-id", "ccpc_2025"], cwd=REPO_ROOT, capture_output=True, text=True)
    assert written.returncode == 0, written.stderr
    with (tmp_path / "proposals" / "ccpc_2025.csv").open(newline="") as file:
        reader = csv.DictReader(file)
        rows = list(reader)
    assert reader.fieldnames == columns()
    assert [(row["indicator_code"], row["value"], row["unit_code"], row["period_end"]) for row in rows] == [
        ("total_computing_capacity", "300", "EFLOPS", "2025-12-31")
    ]
    assert rows[0]["quote"] == "Total computing capacity stood at 300 EFLOPS at the end of 2025."

    unknown = subprocess.run([*command, "--source-id", "new_report"], cwd=REPO_ROOT, capture_output=True, text=True)
    assert unknown.returncode == 2
    assert "source 'new_report' is not in" in unknown.stderr and "sources.csv" in unknown.stderr


# Chinese reports, in sentences written for these tests (simplified and traditional characters).
REPORTED_ON = date(2025, 8, 22)


def one_zh(sentence: str) -> Proposal:
    [proposal] = propose(sentence, CATALOGS, REPORTED_ON)
    return proposal


def test_a_chinese_figure_has_its_value_unit_indicator_and_a_period_read_against_the_report():
    proposal = one_zh("截至今年6月底，我国智能算力规模达788EFLOPS。")
    assert (proposal.value, proposal.unit_code, proposal.qualifier) == (788, "EFLOPS", "exact")
    assert proposal.indicator_code == "intelligent_computing_capacity"
    assert (proposal.period_start, proposal.period_end, proposal.period_inferred) == (
        date(2025, 6, 30),
        date(2025, 6, 30),
        True,
    )
    traditional = one_zh("截至今年6月底，我國智能算力規模達788EFLOPS。")
    assert (traditional.value, traditional.unit_code, traditional.indicator_code) == (
        788,
        "EFLOPS",
        "intelligent_computing_capacity",
    )


def test_chinese_scale_words_give_the_catalogs_unit_of_that_scale():
    calls = one_zh("日均Token调用量超过140万亿。")
    assert (calls.value, calls.unit_code, calls.qualifier) == (140, "trillion_tokens_per_day", "more_than")
    traditional = one_zh("日均詞元調用量超過140萬億。")  # read as simplified against the catalog's aliases
    assert (traditional.value, traditional.unit_code, traditional.qualifier, traditional.indicator_code) == (
        140,
        "trillion_tokens_per_day",
        "more_than",
        "ai_daily_token_calls",
    )
    assert (traditional.value_text, traditional.quote) == ("140萬億", "日均詞元調用量超過140萬億。")
    value = one_zh("预计2025年人工智能核心产业规模将突破1.2万亿元。")
    assert (value.value, value.unit_code, value.indicator_code, value.is_forecast) == (
        1.2,
        "trillion_CNY",
        "ai_core_industry_value",
        True,
    )
    datasets = one_zh("2024年底高质量数据集达3.5万个。")  # 万 of a count: the catalog's ten_thousand, as written
    assert (datasets.value, datasets.unit_code, datasets.period_end) == (3.5, "ten_thousand", date(2024, 12, 31))


@pytest.mark.parametrize(
    ("written", "qualifier"),
    [
        ("超过280EFLOPS", "more_than"),
        ("突破280EFLOPS", "more_than"),
        ("逾280EFLOPS", "more_than"),
        ("280EFLOPS以上", "more_than"),
        ("约280EFLOPS", "about"),
        ("280EFLOPS左右", "about"),
        ("近280EFLOPS", "less_than"),
        ("达到280EFLOPS", "exact"),
        ("達280EFLOPS", "exact"),
        ("280多EFLOPS", "more_than"),
    ],
)
def test_a_chinese_qualifier_before_or_after_the_number(written, qualifier):
    proposal = one_zh(f"2024年底我国算力总规模{written}。")
    assert (proposal.value, proposal.unit_code, proposal.qualifier) == (280, "EFLOPS", qualifier)
    assert proposal.indicator_code == "total_computing_capacity"


def test_chinese_sentences_end_at_chinese_punctuation_with_exact_offsets():
    text = "智能算力规模达90EFLOPS；同比增长40%多。算力总规模达280EFLOPS！"
    proposals = propose(text, CATALOGS, REPORTED_ON)
    assert [text[p.quote_start : p.quote_end] for p in proposals] == [p.quote for p in proposals]
    assert [p.quote for p in proposals] == ["智能算力规模达90EFLOPS；", "同比增长40%多。", "算力总规模达280EFLOPS！"]
    assert (proposals[1].value, proposals[1].unit_code, proposals[1].qualifier) == (40, "percent", "more_than")


def test_full_width_digits_are_read_and_quoted_as_written():
    proposal = one_zh("我国智能算力规模达７８８ＥＦＬＯＰＳ。")
    assert (proposal.value, proposal.unit_code, proposal.value_text, proposal.unit_text) == (
        788,
        "EFLOPS",
        "７８８",
        "ＥＦＬＯＰＳ",
    )


@pytest.mark.parametrize(
    "sentence",
    [
        "我国智能算力规模达197EFLOPS（每秒1.97万亿亿次浮点运算）。",
        "我国智能算力规模达90EFLOPS（每秒9000京次浮点运算）。",
        "Intelligent computing capacity reached 246 EFLOPS, or 246 quintillion floating-point operations per second.",
    ],
)
def test_a_gloss_in_other_units_is_the_same_figure_checked_and_not_proposed(sentence):
    proposal = one_zh(sentence)
    assert proposal.unit_code == "EFLOPS" and proposal.indicator_code == "intelligent_computing_capacity"
    assert not [item for item in proposal.review if "gloss" in item]


@pytest.mark.parametrize(
    ("sentence", "figure", "gloss"),
    [
        ("我国智能算力规模达246EFLOPS(2460万亿次浮点运算)。", "246", "2460万亿 次浮点运算"),
        (
            "Intelligent computing capacity reached 300 EFLOPS (3 trillion floating-point operations per second).",
            "300",
            "3 trillion floating-point operations per second",
        ),
    ],
)
def test_a_wrong_gloss_is_flagged_with_both_values(sentence, figure, gloss):
    proposal = one_zh(sentence)
    [flag] = [item for item in proposal.review if item.startswith("wrong gloss")]
    assert f"{figure} EFLOPS is {figure} in the canonical unit" in flag and f"the gloss {gloss} is" in flag


def test_zhao_is_flagged_never_converted():
    proposal = one_zh("台湾算力总规模达5兆次。")
    assert proposal.value == 5
    assert any(item.startswith("兆 is 10^12 in Taiwanese and Hong Kong usage") for item in proposal.review)


def test_port_speeds_card_clusters_years_and_months_are_not_figures():
    assert propose("2025年6月，全国建成400G端口和10万卡集群。", CATALOGS, REPORTED_ON) == []


def test_a_basis_stated_beside_a_figure_is_proposed_with_it():
    proposal = one_zh("我国智能算力规模达788EFLOPS（FP16半精度）。")
    assert proposal.basis == "FP16 半精度" and proposal.value == 788
    assert "basis stated beside it: FP16 半精度; keep it with the figure" in proposal.review


@pytest.mark.parametrize(
    ("sentence", "value", "qualifier"),
    [
        ("智能算力占全部算力的约三分之一。", 100 / 3, "about"),
        ("智能算力占全部算力約兩成。", 20, "about"),
        ("智能算力占全部算力约兩成/23%。", 23, "about"),  # the percent is the precise writing of the tenths
        ("全国算力中，智能算力占4分之1以上。", 25, "more_than"),
    ],
)
def test_a_share_in_words_is_a_percent(sentence, value, qualifier):
    proposal = one_zh(sentence)
    assert (proposal.unit_code, proposal.qualifier) == ("percent", qualifier)
    assert proposal.value == pytest.approx(value)


def test_tenths_restated_as_a_percent_far_from_them_is_a_wrong_gloss():
    proposal = one_zh("智能算力占比约三成/21%。")
    assert proposal.value == 30 and any(item.startswith("wrong gloss: 三成 is 30 %") for item in proposal.review)


def test_the_cheng_of_words_is_no_tenths():
    assert propose("三年成长为全国第一。", CATALOGS, REPORTED_ON) == []


def test_chinese_percentage_points_are_not_percent():
    proposal = one_zh("智能算力占比同比提高2.5个百分点。")
    assert proposal.unit_code is None and any("percentage points" in item for item in proposal.review)


@pytest.mark.parametrize(
    ("sentence", "value", "unit", "indicator"),
    [
        ("截至2025年6月底，我国存力总规模超过1680EB。", 1680, "EB", "storage_capacity"),
        ("截至2024年底，全国在用算力中心标准机架达880万架。", 880, "ten_thousand", "data_center_racks_in_use"),
        ("日均Token调用量突破100万亿。", 100, "trillion_tokens_per_day", "ai_daily_token_calls"),
        ("高质量数据集超过3.5萬个。", 3.5, "ten_thousand", "high_quality_datasets"),
    ],
)
def test_chinese_aliases_name_their_indicators(sentence, value, unit, indicator):
    proposal = one_zh(sentence)
    assert (proposal.value, proposal.unit_code, proposal.indicator_code) == (value, unit, indicator)


def test_a_chinese_numeral_in_words_without_a_unit_is_not_a_figure():
    [share] = propose("一份智库报告估算，人工智能对GDP的贡献约为1.5%。", CATALOGS, REPORTED_ON)
    assert (share.value_text, share.unit_code, share.qualifier) == ("1.5", "percent", "about")


@pytest.mark.parametrize(
    ("sentence", "end", "shared"),
    [
        ("截至2025年6月，我国智能算力规模达788EFLOPS。", date(2025, 6, 30), False),
        ("今年上半年，智能算力同比增长40%。", date(2025, 6, 30), False),
        ("去年我国人工智能核心产业规模突破9000亿元。", date(2024, 12, 31), False),
        ("日均Token调用量已超140万亿，较2024年底增长40%多。", None, False),  # 较…: a base of comparison
        ("截至2024年底，智能算力规模为90EFLOPS，占算力总规模的32%。", date(2024, 12, 31), True),
    ],
)
def test_a_chinese_period_phrase_dates_the_figures_it_belongs_to(sentence, end, shared):
    proposal = propose(sentence, CATALOGS, REPORTED_ON)[-1]
    assert proposal.period_end == end
    assert ("period taken from a phrase that dates another figure of the sentence: check it" in proposal.review) is (
        shared
    )


@pytest.mark.parametrize(
    ("sentence", "end"),
    [
        ("By the end of June, total computing capacity had topped 150EFlops.", date(2026, 6, 30)),
        ("High-quality datasets passed 100,000 at the close of 2025.", date(2025, 12, 31)),
        ("The core AI industry was worth over 900 billion yuan last year.", date(2025, 12, 31)),
    ],
)
def test_english_period_phrases_read_against_the_report(sentence, end):
    assert one(sentence).period_end == end


@pytest.mark.parametrize(
    "sentence",
    [
        "截至今年6月底，我国智能算力规模达788EFLOPS，同比增长40%。",
        "By the end of June, intelligent computing capacity reached 788 EFLOPS, up 40% year on year.",
    ],
)
def test_a_year_on_year_rate_dated_by_a_day_covers_the_twelve_months_to_it(sentence):
    [_, rate] = propose(sentence, CATALOGS, date(2025, 8, 1))
    assert (rate.value, rate.period_type) == (40, "rate")
    assert (rate.period_start, rate.period_end) == (date(2024, 7, 1), date(2025, 6, 30))
    assert "year on year: the twelve months to 2025-06-30" in rate.review


def test_a_figure_right_after_a_chinese_comma_is_read():
    # The full-width comma narrows to ",": a thousands separator only between digits.
    [clusters, hubs] = propose("全国已建成10个数据中心集群，8个算力枢纽节点。", CATALOGS, REPORTED_ON)
    assert (clusters.value, hubs.value) == (10, 8) and hubs.value_text == "8"


def test_a_basis_belongs_to_the_figure_it_follows():
    [half, single] = propose("智能算力788EFLOPS（FP16），通用算力628EFLOPS（FP32）。", CATALOGS, REPORTED_ON)
    assert (half.basis, single.basis) == ("FP16", "FP32")


def test_scale_words_that_begin_the_unit_are_read_once():
    proposal = one_zh("截至2023年底，我国算力总规模约为230百亿亿次浮点计算/秒（EFLOPS）。")
    assert (proposal.value, proposal.unit_code, proposal.canonical) == (230, "EFLOPS", 230)


def test_scale_words_applied_to_an_unwritten_unit_are_flagged():
    proposal = one_zh("我国算力总规模约为230百亿亿。")
    assert any(item.startswith("no unit written: 230百亿亿 read as 2.3e+20 EFLOPS") for item in proposal.review)


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("The cluster links 10,000-card pods.", []),
        ("Daily token calls rose more than 300-fold.", [(300, "multiple", "more_than")]),
        ("The count of AI firms is nearing 4,000.", [(4000, None, "less_than")]),
    ],
)
def test_english_numbers_glued_by_a_hyphen(sentence, expected):
    found = [(p.value, p.unit_code, p.qualifier) for p in propose(sentence, CATALOGS, REPORTED_ON)]
    assert found == expected


def test_the_base_a_figure_is_compared_with_is_dated_by_its_own_phrase():
    [now, base, _] = propose(
        "截至今年6月底，日均Token消耗量超过30万亿，较2024年初的1千亿增长300多倍。", CATALOGS, REPORTED_ON
    )
    assert (now.canonical, now.period_end) == (3e13, date(2025, 6, 30))
    assert (base.canonical, base.indicator_code, base.period_end) == (1e11, "ai_daily_token_calls", date(2024, 1, 1))
    assert not any(item.startswith("no unit written") for item in base.review)  # tokens a day take any scale
