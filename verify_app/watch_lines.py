"""A watch list as people paste it into the form: one certificate a line, its number and its
holder's name, however they separate the two (SPEC §7: watch lists)."""

from __future__ import annotations

import re
from typing import NamedTuple

from registry.domain.levels import LETTER_OF_LEVEL
from registry.domain.names import SEXES
from registry.domain.numbers import SEPARATORS
from verify_app.answers import MAX_NAME_CHARS, MAX_NUMBER_CHARS, Item, listed, too_long
from verify_app.list_headers import (
    BRACKETS,
    HeaderPlaces,
    department,
    header_places,
    may_be_name,
    placed,
    spaced,
    trade,
    whole_name,
)
from verify_app.quotas import MAX_UPLOAD_ROWS

MAX_WATCH_ITEMS = MAX_UPLOAD_ROWS
_SEPARATOR_CHARS = ",，、\t;；"
_SEPARATORS = re.compile(f"[{_SEPARATOR_CHARS}]")
_NUMBER_PART = re.compile(f"(?:[0-9A-Za-z０-９Ａ-Ｚａ-ｚ{SEPARATORS}]|[._/](?=[0-9０-９]))+")
"""What a typed number is made of: letters and digits (full-width too), spaces and dashes, and
a symbol grouping its digits (Z11.2202.0123: the number, refused as such, not Z11 and a name
2202.0123 周杰)."""
_AFTER_NUMBER = "号。.：: \u3000/_"
"""What people write after a number before the name (Z1122020123号 张三, …123。张三)."""
_AROUND_NAME = "。.：: \u3000/_"
"""Before a name (after the number's marks) and after it (张三。): never 号, which a name may hold."""
_FOR_A_DIGIT = "OoIiLl"
"""Letters typed for a digit (O for 0, I or l for 1), which a single check names as such
(`registry.domain.numbers`): in a number typed after the name, part of the number."""
_NUMBER_AT_END = re.compile(
    f"[A-Za-zＡ-Ｚａ-ｚ][{SEPARATORS}]*[0-9０-９]"
    f"(?:[0-9０-９{_FOR_A_DIGIT}{SEPARATORS}]*[0-9０-９{_FOR_A_DIGIT}])?[号。.]{{0,2}}$"
)
"""A number typed after the name (周杰 Z11 2202 0123号, 周杰Z1122020123号。): a letter, then
digits, spaces, dashes — and letters typed for a digit after the first digit: 吴敏 C11220200O2
was read as the number 吴敏 C11220200 and the name O2 (told 实为13位, its name lost)."""
TYPED_NUMBER = re.compile(
    f"[A-Za-zＡ-Ｚａ-ｚ][{SEPARATORS}]*[0-9０-９](?:[{SEPARATORS}]*[0-9０-９{_FOR_A_DIGIT}]){{9}}"
)
"""A number as typed, a letter for a digit after its first digit (C11220200O2): alone on its
line, a number to pair with the name on the next (`verify_app.watch_paste.joined_pairs`)."""
_NUMBER_AT_END_CHARS = 64
"""How far from a line's end a number typed after the name may begin: its letter, ten digits,
号 and the spaces or dashes people type between them fill fewer."""
NUMBER_AT_START = re.compile(f"[A-Za-zＡ-Ｚａ-ｚ](?:[{SEPARATORS}]*[0-9０-９]){{10}}")
"""A whole number at the start of a line or cell: its level letter and ten digits, whatever
was typed between (a 工号 such as E1001 is none); what follows it is the name, Latin letters
too (Z1122020123 Zhou Jie)."""


class WatchProblem(ValueError):
    """The list cannot be watched; ``rows`` are the (1-based) entries refused, ``revoked`` those
    of them refused as revoked, ``malformed`` those whose number is malformed or whose name
    could not be checked (neither compared); the others did not match."""

    def __init__(
        self,
        message: str,
        rows: list[int] | None = None,
        code: str = "no_match",
        revoked: list[int] | None = None,
        malformed: list[int] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.rows = rows or []
        self.revoked = revoked or []
        self.malformed = malformed or []
        self.code = code
        """the API's error code: no_match, malformed when none matched for a number or name
        that could not be checked, or revoked for a certificate nothing can happen to"""


def _split(line: str) -> list[str]:
    """Number and name of a line without a separator: the name begins where the number's
    characters end, so a number typed with spaces (``Z11 2202 0123``) and a name with one
    (``李　芳``, as rosters pad two-character names) both read; a name in Latin letters is
    what follows the number's ten digits. A name written first ends where a number at the end
    begins."""
    typed = _NUMBER_PART.match(line)
    first = NUMBER_AT_START.match(line)
    if first and typed and any(c.isalpha() for c in line[first.end() : typed.end()]):
        # a Latin name the number's characters ran on into (Z1122020123 Zhou Jie.)
        return [line[: first.end()], line[first.end() :].lstrip(_AFTER_NUMBER)]
    if typed and typed.end() < len(line):
        number, name = line[: typed.end()], line[typed.end() :]
        if not number[-1].isspace():  # 号 or 。 written against the number are the number's
            name = name.lstrip(_AFTER_NUMBER)
        return [number, name]
    # only the line's end: searched from each letter, a 40 KB line of O1O1… (letters a digit may
    # be typed as) held the event loop 11 s (a review of the day's diff)
    last = _NUMBER_AT_END.search(line, max(0, len(line) - _NUMBER_AT_END_CHARS))
    if last and last.start() > 0:
        return [line[: last.start()], line[last.start() :]]
    return line.rsplit(None, 1) or [line]  # an empty cell is one empty part


def split_line(line: str, header: HeaderPlaces | None = None) -> list[str]:
    """``编号 姓名`` as typed on one line — a comma (either width), 、, a tab or a semicolon
    between them, or nothing but the end of the number (`_split`): [number, name], or what
    could be told apart when that is not two parts. A list's own numbering before it (1.
    2、 3） (4) ⑤, as a chat message lists applicants) is not the certificate's number, nor are
    the labels a chat message puts before each (证书号J1122010002, 姓名：杨丽) part of either.
    A line of more columns (a 部门, a phone) gives its number and name (`_columns`), read where
    the list's typed ``header`` puts them when the line has its columns, filled or not: under
    证书编号，部门，姓名, Z1122020123，，周杰 was checked with the name ，周杰 (未查到). A name
    with a note in brackets (周杰（电工）) is not read as one: checked so, it was 未查到."""
    line = _LABELS.sub(" ", _LIST_MARK.sub("", line.strip(), count=1)).strip()
    cells = [cell.strip() for cell in _SEPARATORS.split(line)]
    while header and len(cells) > header.titles and not cells[-1]:
        cells.pop()  # Z1122020123，后勤，周杰，: a separator typed after the last column
    if header and header.titles > 2 and len(cells) == header.titles:
        parts = placed(cells, header) or cells  # Z1122020123，，周杰: a column left empty
    elif sum(1 for cell in cells if cell) > 2:
        parts = _columns(cells, header)
    else:  # Z1122020123，周杰，: a separator typed after the last column, or before the first
        parts = _two_columns(line.strip(_SEPARATOR_CHARS + _AROUND_NAME), header)
    if len(parts) == 2 and BRACKETS.intersection(parts[1]):
        parts = [*parts, ""]  # 周杰（电工）: a note no name holds — left unread, not checked as one
    return [parts[0].strip().rstrip(_AFTER_NUMBER), *(p.strip(_AROUND_NAME) for p in parts[1:])]


def _two_columns(line: str, header: HeaderPlaces | None) -> list[str]:
    """The number and the name of a line of two columns at most: a word a column under a
    header of more titles (`spaced`), else the line without its level and the words after its
    name (`_without_aside`), split at a separator or at the end of its number."""
    if header and header.titles > 2 and (words := spaced(line.split(), header)):
        return words  # 证书编号 姓名 部门 over Z1122020123 周杰 后勤: a word a column
    line = _without_aside(_without_level(line))
    parts = _SEPARATORS.split(line, maxsplit=1)
    if len(parts) == 1:
        parts = _split(line)
    if len(parts) == 2 and _name_first(*parts):  # 张三 Z1122020123, pasted from 姓名 | 证书编号
        parts.reverse()
    return parts


_LIST_MARK = re.compile(
    r"^(?:[(（]\d{1,4}[)）]|\d{1,4}[)）.．、:：]|[①-⑳])\s*(?=\D)|^\d{1,4}\s+(?=[^\d\s])"
)
"""A line's place in a pasted list, written before it: never part of a number, whose first
character is its level's letter (a phone review: 1. 张三明 G1122000003 was checked as the
number 1, and a watch list of such lines refused as numbers and names not matching)."""
_LABELS = re.compile(r"(?:证书编号|证书号码?|证号|编号|姓名|名字)\s*[:：]?\s*")
"""A field's label written before its value (a chat message's 证书编号：Z1122020123 姓名：周杰)."""
_WORDS = re.compile(r"[\s,，、\t;；]+")


def _without_level(line: str) -> str:
    """A line without a word that is a level (陈静 C1122000001 初级工, 陈静，C1122000001，
    初级工。, C1122000001陈静 初级工 — as a chat message lists an applicant), its other words
    joined by spaces; the line as it is when it has none, or nothing but levels. The level was
    read into the number or the name: told of text before the number, or 未查到."""
    words = [word.rstrip("。.") for word in _WORDS.split(line) if word]
    kept = [word for word in words if word not in LETTER_OF_LEVEL]
    return " ".join(kept) if kept and len(kept) < len(words) else line


def _columns(cells: list[str], header: HeaderPlaces | None) -> list[str]:
    """The number and the name of a line of more than two columns (Z1122020123，周杰，后勤 —
    as a phone's keyboard types its comma), the rest ignored: the number's column and the one
    column that alone `may_be_name` (周杰，Z1122020123，后勤; 1，Z1122020123，周杰), every other
    known for another's (a phone, a 部门, a level, a sex, a trade). The 部门 was read as part of
    the name, and a real certificate answered 未查到 with a forgery report offered;
    周杰，男，Z1122020123 was checked with the name 男, 周杰，汉族，Z1122020123 with 汉族 and
    阿依古丽、买买提、C1122020001 with 买买提. When no one column can be told the name, the
    columns: a line left unread, no name guessed."""
    if header and abs(header.number - header.name) > 1:
        return cells  # the header's name is not beside its number, and the line not its columns
    kept = [cell for cell in cells if cell and cell.rstrip("。.") not in LETTER_OF_LEVEL]
    whole = (i for i, cell in enumerate(kept) if NUMBER_AT_START.match(cell))
    at = next(whole, next((i for i, cell in enumerate(kept) if _NUMBER_CELL.match(cell)), -1))
    others = [cell for i, cell in enumerate(kept) if i != at]
    if any(BRACKETS.intersection(cell) for cell in others):
        return cells  # 周杰（电工），Z1122020123，成都建筑公司: the name may be the bracketed one
    names = [cell for cell in others if may_be_name(cell)]
    return [kept[at], names[0]] if at >= 0 and len(names) == 1 else cells


_NUMBER_CELL = re.compile("[A-Za-zＡ-Ｚａ-ｚ][^\u3400-\u9fff]*[0-9０-９]")
"""A column holding a number, mistyped too: a letter, then a digit before any Chinese."""
_MOST_ASIDES = 3
"""Words after the name dropped at most (部门, 电话, 工号): a 40 KB line is not searched for
each of its words."""


def _without_aside(line: str) -> str:
    """A line typed with spaces without the words after its number and name that are neither
    (Z1122020123 周杰 13800001111, 周杰 Z1122020123 后勤部): a word with a digit, a
    department's (`_another_column`) — a name's second half (阿依古丽 买买提) stays, the
    registry's names being matched without their spaces (`registry.domain.names.same_holder`)."""
    dropped = False
    for _ in range(_MOST_ASIDES):
        words = line.rsplit(None, 2)
        if len(words) < 3:
            break
        head, last = line.rstrip()[: -len(words[-1])].rstrip(), words[-1]
        found = NUMBER_AT_START.search(head)
        if not found:
            break
        if len("".join((head[: found.start()] + head[found.end() :]).split())) < 2:
            break  # no name beside the number: Z11 2202 0123 4 is a number mistyped
        digits = any(c.isdigit() for c in last)
        if not digits and not _another_column(last, head[found.end() :], dropped):
            break
        line, dropped = head, True
    return line


def _another_column(word: str, name: str, dropped: bool) -> bool:
    """Whether ``word``, typed after ``name`` (nothing when the name is before the number), is
    another column's: a department's, a trade's (周杰 焊工), or a sex once a column after it was dropped (Z1122020123
    周杰 男 1980.05) — unless what it follows may be a name's first half, a compound surname
    or one letter: 欧阳 安全 and 司马 二班 were checked as 欧阳 and 司马."""
    if not (department(word) or trade(word) or (dropped and word in SEXES)):
        return False
    return not name.strip() or whole_name(name)


def _name_first(first: str, second: str) -> bool:
    """Whether a line holds the name first: no digit before, a number after — ten digits, or a
    letter and digits one or two short of a number's (李四 Z112202012, a number mistyped, was
    read as the number 李四: told its length was wrong, not which digit was missing)."""
    if any(c.isdigit() for c in first):
        return False
    number = second.strip().rstrip(_AFTER_NUMBER)  # Z112202012号, Z112202012。
    return _digit_places(second) >= 10 or bool(_SHORT_NUMBER.fullmatch(number))


def _digit_places(typed: str) -> int:
    """The digits of ``typed``, and the letters typed for a digit after its first (C11220200O2:
    ten)."""
    first = next((i for i, c in enumerate(typed) if c.isdigit()), len(typed))
    return sum(c.isdigit() or c in _FOR_A_DIGIT for c in typed[first:])


_SHORT_NUMBER = re.compile(rf"[A-Za-z][\d\s-]*\d[\d{_FOR_A_DIGIT}\s-]{{5,}}")
"""A number mistyped short — its letter, digits (a letter typed for one among them), perhaps
grouped by spaces or dashes: after a part without a digit (the name), such a part can only be
the number."""


class Lines(NamedTuple):
    """A pasted list: the entries read, each with its line's number, and why the others were not
    (第 2 行应为…): these are refused with the entries' own mismatches, in one message."""

    items: list[tuple[int, Item]]
    unread: list[str]


def parse_lines(text: str) -> Lines:
    """``编号 姓名`` per line (`split_line`), each with its line's number: blank lines are
    skipped, and a refusal names the line the officer sees (not the entry's place). A list of
    nothing readable is refused here, naming every line at once; a list of more filled lines
    than a list may hold, before any is read (a megabyte of them took 3.6 s, every other request
    waiting)."""
    lines = text.splitlines()
    filled = sum(1 for line in lines if line.strip())
    if filled > MAX_WATCH_ITEMS:
        raise WatchProblem(f"一个关注列表最多 {MAX_WATCH_ITEMS} 份证书，本次填了 {filled} 行。")
    items: list[tuple[int, Item]] = []
    unread: list[str] = []
    header: HeaderPlaces | None = None
    for number, line in enumerate(lines, 1):
        line = line.strip()
        if not line:
            continue
        if not items and not unread and not header and (header := header_places(line)):
            continue  # 证书编号 姓名: the list's header, where its lines put the two
        parts = split_line(line, header)
        if len(parts) != 2 or not parts[0] or not parts[1]:
            unread.append(f"第{number}行应为“证书编号 姓名”：{line[:60]}")
        elif "number" in (fields := too_long(parts[0], parts[1])):
            unread.append(f"第{number}行的证书编号太长：最多 {MAX_NUMBER_CHARS} 个字符")
        elif fields:
            unread.append(f"第{number}行的姓名太长：最多 {MAX_NAME_CHARS} 个字符")
        else:
            items.append((number, Item(parts[0], parts[1])))
    if not items:
        if unread:
            raise WatchProblem(listed(unread, "行", "请改正后重新提交。"))
        raise WatchProblem("请每行填写一份证书：证书编号和持证人姓名。")
    return Lines(items, unread)
