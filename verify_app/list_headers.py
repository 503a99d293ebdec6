"""The titles of a list's two columns — the certificate's number and the holder's name — and a
header typed on one line of a pasted list (证书编号 姓名, 证书编号，姓名，部门), which names them
and perhaps the list's other columns; and the words those other columns hold, never a name."""

from __future__ import annotations

import re
from functools import cache
from typing import NamedTuple

from registry.domain.levels import LETTER_OF_LEVEL
from registry.domain.names import COMPOUND_SURNAMES, SEXES
from registry.domain.trades import TradeCatalogue, builtin_catalogue
from registry.sheets.layout import header_key

NUMBER_HEADERS = ("证书编号", "颁发证书编号", "编号", "证书号")
NAME_HEADERS = ("姓名", "持证人", "持证人姓名")
_BETWEEN = re.compile(r"[\s,，、;；|｜/]+")
"""What people type between the titles: spaces, commas, 、, semicolons, a bar or a slash."""
_MOST_TITLES = 64
"""Titles of a header typed on one line read (an HR sheet has a few dozen columns)."""
_TITLE_CHARS = 12
"""The longest title of another column (联系电话, 所在部门（车间）): a longer part is a sentence."""


class HeaderPlaces(NamedTuple):
    """Where a typed header puts the number and the name among its ``titles``."""

    number: int
    name: int
    titles: int


def header_places(line: str) -> HeaderPlaces | None:
    """The places a header typed on one line gives the number and the name — one title of each,
    in either order, and any other columns' (序号、部门、联系电话) — or None when ``line`` is
    no such header: a phone review's 证书编号，姓名，部门 was taken for a note of the list, and
    the rows under it read with their 部门 as part of the name (未查到)."""
    titles = [header_key(part) for part in _BETWEEN.split(line.strip(), _MOST_TITLES) if part]
    if not 2 <= len(titles) <= _MOST_TITLES:
        return None
    if any(len(title) > _TITLE_CHARS or any(c.isdigit() for c in title) for title in titles):
        return None  # a row of the list, or a sentence about it
    numbers = [i for i, title in enumerate(titles) if title in NUMBER_HEADERS]
    names = [i for i, title in enumerate(titles) if title in NAME_HEADERS]
    if len(numbers) != 1 or len(names) != 1:
        return None
    return HeaderPlaces(numbers[0], names[0], len(titles))


def typed_header(line: str) -> bool:
    """Whether ``line`` only titles the list's columns, the number's and the name's among them
    (``证书编号 姓名``, ``姓名，证书编号``, ``证书编号，姓名，部门``): the batch and watch pages ask
    for "证书编号 姓名" a line, and an officer who starts the list with that line — or with the
    header of the columns copied — means it as the list's header, not as a certificate."""
    return header_places(line) is not None


def placed(cells: list[str], header: HeaderPlaces) -> list[str] | None:
    """The number and the name where ``header`` puts them, when ``cells`` are its columns: a
    number with a digit in it, a name without one."""
    if len(cells) != header.titles:
        return None
    number, name = cells[header.number], cells[header.name]
    if not any(c.isdigit() for c in number) or not name or any(c.isdigit() for c in name):
        return None
    return [number, name]


def spaced(words: list[str], header: HeaderPlaces) -> list[str] | None:
    """The number and the name of a line typed with spaces under ``header``, a word a column —
    only when there are as many words as titles, every other word is an `other_column`'s and
    the name is a `whole_name`: 证书编号 姓名 部门 over C1122020001 阿依古丽 买买提 was checked
    with the name 阿依古丽 (未查到), a name's second half read as the 部门; such a line is read
    as if it had no header, the name whole."""
    found = placed(words, header)
    others = (word for i, word in enumerate(words) if i not in (header.number, header.name))
    if found and whole_name(found[1]) and all(map(other_column, others)):
        return found
    return None


def whole_name(name: str) -> bool:
    """Whether ``name`` may be all of a name, a word beside it another column's: two letters at
    least, and not a compound surname alone (欧阳 安全, 司马 二班 are 欧阳安全 and 司马二班 as
    likely as 欧阳 of 安全科)."""
    letters = "".join(name.split())
    return len(letters) >= 2 and letters not in COMPOUND_SURNAMES


def other_column(word: str) -> bool:
    """A word of a list's other columns, never a name nor half of one: a digit in it (a phone,
    a 工号, a date), a department's (`department`), a sex, a level, a trade of the catalogue
    (证书编号 姓名 工种 over Z1122020123 周杰 焊工 was checked with the name 周杰 焊工)."""
    bare = word.rstrip("。.")
    return (
        any(c.isdigit() for c in word)
        or department(word)
        or bare in SEXES
        or bare in LETTER_OF_LEVEL
        or trade(bare)
    )


_SUFFIXES = "部|科|处|室|组|队|班|车间|中心|办|所|站|厂|公司|工区"
_UNIT = re.compile(
    f"[\u3400-\u9fff]*(?:[一二三四五六七八九十甲乙丙丁]|[\u3400-\u9fff]{{2}})(?:{_SUFFIXES})"
)
"""A department's word (后勤部, 财务科, 一车间, 二班, 技术中心): never the second half of a name
typed with a space (阿依古丽 买买提) — two letters before 部 or 科 at least (欧阳 志科 is one)."""
_DEPARTMENTS = frozenset(
    "后勤 行政 财务 人事 人力资源 销售 生产 技术 质检 质量 安全 安保 保卫 采购 仓储 设备 "
    "工程 市场 研发 综合 物流 工会 党办 运营 客服 信息 维修 机修 电工 办公室".split()
)
"""Departments written without 部 or 科 (周杰 后勤, 吴敏 行政)."""


def trade(word: str) -> bool:
    """Whether ``word`` is a trade of the catalogue (电工, 焊工): a list's 工种 column."""
    return _trades().resolve(word) is not None


def department(word: str) -> bool:
    """Whether ``word`` names a department (后勤, 后勤部, 一车间)."""
    return word in _DEPARTMENTS or bool(_UNIT.fullmatch(word))


def may_be_name(cell: str) -> bool:
    """Whether a column beside the number may hold the holder's name: no digit, no label
    (单位：后勤), and none of the words other columns hold — a sex, a level, a department's
    (后勤, 后勤部, 一车间; not any word ending in 科: 张志科 is a name) or a trade of the
    catalogue (电工, 焊工), and no bracket (周杰（电工）). 周杰，男，Z1122020123 and
    周杰，电工，Z1122020123 were checked with the names 男 and 电工."""
    bare = cell.strip().rstrip("。.")
    if not bare or any(c.isdigit() or c in _NOT_IN_NAMES for c in bare) or bare in SEXES:
        return False
    if bare in LETTER_OF_LEVEL or bare in _DEPARTMENTS or _NAMED_UNIT.fullmatch(bare):
        return False
    return not trade(bare)


BRACKETS = frozenset("()（）【】[]〔〕<>《》")
"""Brackets round a note (周杰（电工）, 【转发】 周杰): no name's, and a sign of one beside it."""
_NOT_IN_NAMES = BRACKETS | frozenset(":：")
_NAMED_UNIT = re.compile(
    f"(?:{'|'.join(sorted(_DEPARTMENTS, key=len, reverse=True))}|[一二三四五六七八九十甲乙丙丁]+)"
    f"(?:{_SUFFIXES})"
)
"""A department's word with its unit (后勤部, 财务科, 一车间, 二班): a name may end in 科 or 班
(张志科), but not begin with a department's word."""


@cache
def _trades() -> TradeCatalogue:
    """The trade catalogue shipped with certreg (`registry.domain.trades.builtin_catalogue`),
    read once: the trades people put in a list's 工种 column."""
    return builtin_catalogue()
