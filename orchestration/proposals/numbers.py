"""Numbers as reports write them, in Chinese as in English: Arabic digits with or without thousands separators,
full-width digits and punctuation, Chinese numerals (一千零八十, 两千), and Chinese scale words after either, chained
as Chinese chains them (1.97万亿亿 = 1.97 × 10^4 × 10^8 × 10^8), in simplified or traditional characters (万/萬,
亿/億); scale words alone (万亿) are one of that scale. `多` or `余` after a number (300多, 10余) means more than it.
A fraction in words (三分之二, two thirds) is a share.

`兆` is never converted: it is 10^12 in Taiwanese and Hong Kong usage and often mega (10^6) on the mainland, so a
number written with it is read without it and carries what the reviewer must settle."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

import cn2an

# Chinese scale words, simplified and traditional; a chain multiplies (万亿 = 10^12).
SCALES = {"十": 1e1, "百": 1e2, "千": 1e3, "万": 1e4, "萬": 1e4, "亿": 1e8, "億": 1e8, "京": 1e16}
AMBIGUOUS_SCALE = "兆"
AMBIGUOUS_REVIEW = (
    "兆 is 10^12 in Taiwanese and Hong Kong usage but can mean mega (10^6) on the mainland: the value is read "
    "without it; settle the scale"
)
MORE_THAN = "多余餘"
_SIMPLIFIED = str.maketrans("萬億兩〇", "万亿两零")  # cn2an reads simplified numerals
_DIGITS = "零〇一二两兩三四五六七八九"
_SCALE_CHARACTERS = "".join(SCALES) + AMBIGUOUS_SCALE
# Scale words alone, two or more (突破万亿元: a trillion yuan; 千亿级): one of that scale.
_BARE_SCALES = "[千万萬亿億]{2,}"
# A fraction in words, denominator first: 三分之二 (two thirds), 4分之1.
_FRACTION_PART = rf"(?:\d+|[{_DIGITS}十百]+)"
_FRACTION = rf"{_FRACTION_PART}分之{_FRACTION_PART}"
# A number as written, scale words and 多/余 included, to find numbers in a text (group-free, to embed).
NUMBER_TEXT = (
    rf"{_FRACTION}|"
    rf"(?:\d{{1,3}}(?:,\d{{3}})+(?:\.\d+)?|\d+(?:\.\d+)?)[{_SCALE_CHARACTERS}]*[{MORE_THAN}]?"
    rf"|(?:[{_DIGITS}]|十)[{_DIGITS}{_SCALE_CHARACTERS}]*[{MORE_THAN}]?"
    rf"|{_BARE_SCALES}[{MORE_THAN}]?"
)
NUMBER = re.compile(
    rf"(?P<fraction>{_FRACTION})|"
    rf"(?P<arabic>\d{{1,3}}(?:,\d{{3}})+(?:\.\d+)?|\d+(?:\.\d+)?)(?P<scales>[{_SCALE_CHARACTERS}]*)"
    rf"|(?P<chinese>[{_DIGITS}][{_DIGITS}{_SCALE_CHARACTERS}]*|十[{_DIGITS}{_SCALE_CHARACTERS}]*)"
    rf"|(?P<bare>{_BARE_SCALES})"
)


@dataclass(frozen=True)
class Number:
    value: float  # the whole value, scale words applied
    more_than: bool = False  # 多 or 余 after it
    review: str = ""  # what the reviewer must settle (an ambiguous scale word)
    as_written: float | None = None  # the digits before the scale words (140 of 140万亿), where they are Arabic
    scale: float = 1.0  # the scale words' product (10^12 of 140万亿)
    fraction: bool = False  # a fraction in words (三分之二): value is the ratio, a share


def normalised(text: str) -> str:
    """`text` with full-width digits, letters and punctuation as their ASCII forms, character for character, so that
    offsets in it are offsets in `text`."""
    return "".join(_narrow(character) for character in text)


def _narrow(character: str) -> str:
    narrow = unicodedata.normalize("NFKC", character)
    return narrow if len(narrow) == 1 else character


def read_number(written: str) -> Number | None:
    """The value of a number as written (`written` is the whole number: "1.97万亿亿", "3,031", "一百四十万亿",
    "300多"), or None where it is not one."""
    text = normalised(written).strip()
    more_than = text[-1:] in MORE_THAN if text else False
    if more_than:
        text = text[:-1]
    match = NUMBER.fullmatch(text)
    if match is None:
        return None
    if match["fraction"]:
        denominator, numerator = (_fraction_part(part) for part in text.split("分之"))
        return Number(numerator / denominator, more_than, fraction=True) if denominator else None
    review = AMBIGUOUS_REVIEW if AMBIGUOUS_SCALE in text else ""
    text = text.replace(AMBIGUOUS_SCALE, "")
    if match["arabic"]:
        digits, scale = float(match["arabic"].replace(",", "")), 1.0
        for word in match["scales"].replace(AMBIGUOUS_SCALE, ""):
            scale *= SCALES[word]
        return Number(digits * scale, more_than, review, digits, scale)
    if match["bare"]:
        scale = 1.0
        for word in match["bare"]:
            scale *= SCALES[word]
        return Number(scale, more_than, review, 1.0, scale)
    return Number(_chinese_numeral(text), more_than, review)


def _fraction_part(text: str) -> float:
    return float(text) if text[0].isdigit() else _chinese_numeral(text)


def _chinese_numeral(text: str) -> float:
    """一百四十万亿, 两千, 一千零八十: cn2an reads the numeral; scale words chained after it (三千万亿亿) multiply."""
    trailing = 1.0
    while text and text[-1] in "亿億京" and not _reads(text):
        trailing *= SCALES[text[-1]]
        text = text[:-1]
    return float(cn2an.cn2an(text.translate(_SIMPLIFIED), "normal")) * trailing


def _reads(text: str) -> bool:
    try:
        cn2an.cn2an(text.translate(_SIMPLIFIED), "normal")
    except ValueError:
        return False
    return True
