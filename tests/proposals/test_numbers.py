"""Numbers as Chinese and English reports write them (orchestration/proposals/numbers.py)."""

import pytest

from orchestration.proposals.numbers import AMBIGUOUS_REVIEW, normalised, read_number


@pytest.mark.parametrize(
    ("written", "value"),
    [
        ("1.97万亿亿", 1.97e20),  # a chain of scale words multiplies
        ("3.5万", 35_000),
        ("1千亿", 1e11),
        ("810万", 8.1e6),
        ("140万亿", 1.4e14),
        ("1.2万亿", 1.2e12),
        ("1350亿亿", 1.35e19),
        ("18000京", 1.8e20),
        ("一百四十万亿", 1.4e14),  # Chinese numerals
        ("一千零八十", 1080),
        ("两千", 2000),
        ("兩千億", 2e11),  # traditional characters
        ("3.5萬", 35_000),
        ("３．５万", 35_000),  # full-width digits and point
        ("１０８０", 1080),
        ("3,031", 3031),  # thousands separators
        ("780,000", 780_000),
        ("21100", 21_100),
    ],
)
def test_a_number_is_read_with_its_scale_words(written, value):
    number = read_number(written)
    assert number is not None and number.value == pytest.approx(value, rel=1e-12)
    assert not number.more_than and not number.review


@pytest.mark.parametrize(("written", "value"), [("300多", 300), ("10余", 10), ("十餘", 10), ("1.5万多", 15_000)])
def test_duo_or_yu_after_a_number_means_more_than_it(written, value):
    number = read_number(written)
    assert number.value == pytest.approx(value) and number.more_than


def test_zhao_is_never_converted_and_says_what_to_settle():
    number = read_number("5兆")
    assert number.value == 5 and number.review == AMBIGUOUS_REVIEW


@pytest.mark.parametrize("written", ["萬", "EFLOPS", "", "多", "1.2.3"])
def test_what_is_not_a_number_is_none(written):
    assert read_number(written) is None


def test_full_width_text_is_narrowed_character_for_character():
    text = "智能算力规模达７８８ＥＦＬＯＰＳ，同比增长４０％。"
    assert normalised(text) == "智能算力规模达788EFLOPS,同比增长40%。"
    assert len(normalised(text)) == len(text)
