"""Which columns of an uploaded HR file hold the certificate's number, the holder's name and what
the paper shows: HR files title their columns in their own words, and often keep more numbers
than the certificate's (工号, 员工编号, 身份证号码, 工作证号)."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from registry.sheets.layout import header_key


class BatchFileProblem(ValueError):
    """The upload cannot be used; the message (Chinese) says what to fix."""


HEADER_SEARCH_ROWS = 10
NUMBER_HEADERS = ("证书编号", "颁发证书编号", "编号", "证书号")
NAME_HEADERS = ("姓名", "持证人", "持证人姓名")
HEADER_WORDS = ("姓名", "名字", "编号", "证书", "序号", "工号")
"""Words that make a row a header the service could not place, not a row to check."""
CONFIRM_HEADERS: dict[str, tuple[str, ...]] = {
    "level": ("等级", "证书等级", "技术等级"),
    "trade": ("工种", "证书工种"),
    "issued_on": ("发证日期", "发证时间"),
    "reissue_mark": ("补发", "补发字样", "注明补发"),
}
"""Optional columns with what the paper shows (`registry.public.confirm.CONFIRMABLE`)."""


@dataclass(frozen=True)
class Columns:
    start: int
    """index of the first data row"""
    number: int
    name: int
    confirms: dict[str, int]
    header: list[str] | None


def _column(keys: Sequence[str], ranks: Sequence[Callable[[str], bool]]) -> int | None:
    """The first column the surest of ``ranks`` takes: HR files name their columns in their
    own words, and often have more numbers than the certificate's (编号, 员工编号)."""
    for takes in ranks:
        found = next((i for i, key in enumerate(keys) if takes(key)), None)
        if found is not None:
            return found
    return None


_CERTIFICATE_NUMBER = re.compile("证书?(编号|号码?|编码)")
"""资格证书编号, 证书号码, 资格证号, 等级证编号, 证号"""
_OTHER_CARDS = ("身份", "工作证", "上岗证", "驾驶证", "居住证", "学生证", "军官证")
"""Cards whose numbers an HR file may keep beside the certificate's"""
NUMBER_RANKS: tuple[Callable[[str], bool], ...] = (
    lambda key: key in NUMBER_HEADERS and key != "编号",
    lambda key: (
        bool(_CERTIFICATE_NUMBER.search(key)) and not any(card in key for card in _OTHER_CARDS)
    ),
    # 职业资格证书, 等级证书: the certificate itself — not 证书名称, 证书有效期, 是否取得证书
    lambda key: key.endswith("证书") and not any(word in key for word in ("是否", "有无", "取得")),
    lambda key: key == "编号",
    # 员工编号, when nothing names the certificate — never another card's
    lambda key: "编号" in key and not any(card in key for card in _OTHER_CARDS),
)
"""How a certificate number's column is told, the surest first."""
NAME_RANKS: tuple[Callable[[str], bool], ...] = (
    lambda key: key in NAME_HEADERS,
    lambda key: "姓名" in key,
)


def find_columns(rows: Sequence[tuple[int, Sequence[str]]]) -> Columns:
    """Where the number, the name and what the paper shows are, from a header row among the
    first rows; without one, the number first and the name second."""
    for index, (_, row) in enumerate(rows[:HEADER_SEARCH_ROWS]):
        keys = [header_key(cell) for cell in row]
        number = _column(keys, NUMBER_RANKS)
        name = _column(keys, NAME_RANKS)
        if number is not None and name is not None and number != name:
            confirms = {
                field: i
                for field, titles in CONFIRM_HEADERS.items()
                for i in [next((i for i, k in enumerate(keys) if k in titles), None)]
                if i is not None
            }
            return Columns(index + 1, number, name, confirms, list(row))
    for line, row in rows[:HEADER_SEARCH_ROWS]:
        if any(word in key for key in map(header_key, row) for word in HEADER_WORDS):
            raise BatchFileProblem(
                f"第{line}行像是表头，但没有找到“证书编号”和“姓名”两列：请把这两列的表头"
                "分别写成“证书编号”和“姓名”，或删去表头，让第一列是证书编号、第二列是姓名"
            )
    return _without_header(rows)


def _without_header(rows: Sequence[tuple[int, Sequence[str]]]) -> Columns:
    """A list without header: the number in the column most like numbers (a 序号, an ID card's
    number, a 工号, a department may come first), the name the column beside it that reads
    most like names — before it on a tie, as lists that do not start with the number put the
    name first; the first two columns when nothing looks like a number."""
    width = max((len(row) for _, row in rows[:HEADER_SEARCH_ROWS]), default=0)
    counts = [_numbers_in(rows, column) for column in range(width)]
    if not counts or max(counts) == 0:
        return Columns(0, 0, 1, {}, None)
    number = counts.index(max(counts))
    if number == 0:
        return Columns(0, 0, 1, {}, None)
    after = _names_in(rows, number + 1) if number + 1 < width else -1
    name = number + 1 if after > _names_in(rows, number - 1) else number - 1
    return Columns(0, number, name, {}, None)


_NAME_LIKE = re.compile(r"[\u3400-\u9fff·]{2,6}|[A-Za-z][A-Za-z .'-]+")
"""A name as a list holds it: a few Chinese characters (a middle dot between), or Latin letters."""
_UNIT_ENDINGS = (
    "室",
    "科",
    "处",
    "部",
    "组",
    "队",
    "中心",
    "局",
    "院",
    "所",
    "站",
    "办",
    "厅",
    "班",
    "股",
)
"""How a department's name ends: a column of them is no name column."""


def _names_in(rows: Sequence[tuple[int, Sequence[str]]], column: int) -> int:
    """How many of the first rows hold something like a holder's name in ``column``."""
    return sum(
        1
        for _, row in rows[:HEADER_SEARCH_ROWS]
        if column < len(row)
        and _NAME_LIKE.fullmatch(cell := row[column].strip())
        and not cell.endswith(_UNIT_ENDINGS)
    )


_NUMBER_LIKE = re.compile(r"[A-Za-zＡ-Ｚａ-ｚ](?:[\s\-－]*[0-9０-９]){10}")
"""A certificate number: its level letter and ten digits, whatever was typed between (a 工号
such as E1001 is none)."""


def _numbers_in(rows: Sequence[tuple[int, Sequence[str]]], column: int) -> int:
    """How many of the first rows hold something like a certificate number in ``column``."""
    return sum(
        1
        for _, row in rows[:HEADER_SEARCH_ROWS]
        if column < len(row) and _NUMBER_LIKE.match(row[column].strip())
    )
