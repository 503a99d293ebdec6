from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from registry.domain.levels import LEVELS
from registry.domain.numbers import (
    CertificateNumber,
    MalformedNumber,
    normalise,
    parse,
    prefix_of,
)
from registry.domain.regions import REGIONS


def test_example_of_annex_3() -> None:
    number = parse("Z1122020123")
    assert (number.letter, number.year_code, number.region, number.sequence) == (
        "Z",
        "11",
        "2202",
        123,
    )
    assert number.level == "中级工"
    assert number.region_name == "绵阳市"
    assert str(CertificateNumber("Z", "11", "2202", 123)) == "Z1122020123"


@pytest.mark.parametrize(
    "typed",
    [
        "Ｚ１１２２０２０１２３",
        "z11-2202-0123",
        " Z 11 2202 0123 ",
        "z１１—２２０２　０１２３",
        "Z11−2202−0123",
    ],
)
def test_normalisation_of_what_people_type(typed: str) -> None:
    assert str(parse(typed)) == "Z1122020123"


@pytest.mark.parametrize(
    ("typed", "reason"),
    [
        ("Z112202012", "应为11位，实为10位"),
        ("Z11220201234", "应为11位，实为12位"),
        ("X1122020123", "不是等级代码"),
        ("\u03961122020123", "“Ζ（U\\+0396，不是英文字母）”不是等级代码"),  # Greek Zeta
        ("Z1129990123", "地区代码“2999”"),
        ("Z1122020000", "不能为0000"),
        ("ZAB22020123", "年份代码“AB”应为阿拉伯数字"),
        ("Z11220一0123", "应为阿拉伯数字"),
        ("Z1122O00002", "地区代码“22O0”应为阿拉伯数字（字母 O 应为数字 0）"),
        ("Z11220I0123", "（字母 I 应为数字 1）"),
        ("ZAB22020123", "年份代码“AB”应为阿拉伯数字$"),  # no letter like a digit: no hint
        # a note after the number is named as such, not counted as digits too many
        ("G1122000001（原件已验）", r"证书编号后有多余的文字“\(原件已验\)”，请只填写11位"),
        # and a label pasted before it: it said 应为11位，实为16位
        ("证书编号：G1122000001", "证书编号前有多余的文字“证书编号:”，请只填写11位"),
        ("No.G1122000001", "证书编号前有多余的文字“NO.”"),
        # the digits all there, grouped by symbols: it said 应为11位，实为13位
        ("Z11.2202.0123", "证书编号中有多余的符号“.”，请删去"),
        ("Z11_2202/0123", "证书编号中有多余的符号“_”、“/”，请删去"),
        ("Z11.2202.0123号", "证书编号中有多余的符号“.”，请删去"),  # not 实为14位 (a diff review)
        # a phone review: a chat's card pasted whole had its words called 符号; an ID number
        # was told only 应为11位，实为18位
        (
            "证书编号：Z1122020123\n姓名：周杰",
            r"前后有多余的文字，请只填写11位的证书编号（Z1122020123）$",
        ),
        ("51070319750401123X", "这是18位的身份证号码，不是证书编号"),
        ("510703750401123", "这是15位的身份证号码，不是证书编号"),
        # any 18 or 15 digits may be an older certificate's: an ID's check character and birth
        ("510703197504011234", "证书编号应为11位，实为18位"),
        ("510703751301123", "证书编号应为11位，实为15位"),
        ("", "为空"),
    ],
)
def test_malformed_numbers_say_why(typed: str, reason: str) -> None:
    with pytest.raises(MalformedNumber, match=reason):
        parse(typed)


@given(
    letter=st.sampled_from(sorted(LEVELS)),
    year=st.integers(0, 99),
    region=st.sampled_from(sorted(REGIONS)),
    sequence=st.integers(1, 9999),
)
def test_format_parse_round_trip(letter: str, year: int, region: str, sequence: int) -> None:
    text = str(CertificateNumber(letter, f"{year:02d}", region, sequence))
    parsed = parse(text)
    assert str(parsed) == text
    assert prefix_of(text) == parsed.prefix
    assert parsed.sequence == sequence
    assert normalise(text.lower()) == text


def test_prefix_is_what_one_sequence_counts_in() -> None:
    assert parse("Z1122020123").prefix == "Z112202"
    assert parse("j1122010001").prefix == "J112201"


@pytest.mark.parametrize(("sequence", "number"), [(1, "Z1122020001"), (9999, "Z1122029999")])
def test_a_number_is_written_at_the_ends_of_the_sequence(sequence: int, number: str) -> None:
    assert str(CertificateNumber("Z", "11", "2202", sequence)) == number
    assert parse(number).sequence == sequence


@pytest.mark.parametrize("written", ["'Z1122020001", "\u2018Z1122020001"])
def test_an_excel_text_mark_before_a_number_is_named(written: str) -> None:
    """A CSV saved from a cell typed 'Z1122020001 was refused as "应为11位，实为12位"."""
    with pytest.raises(MalformedNumber, match="撇号是 Excel 的“文本”标记"):
        parse(written)
