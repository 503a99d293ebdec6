"""Which columns of an uploaded HR file hold the certificate's number, the holder's name and what
the paper shows: HR files title their columns in their own words, and often keep more numbers
than the certificate's (工号, 员工编号, 身份证号码, 工作证号)."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from registry.sheets.header import merged_header
from registry.sheets.layout import header_key
from verify_app.list_headers import NAME_HEADERS, NUMBER_HEADERS, typed_header
from verify_app.watch_lines import NUMBER_AT_START, split_line


class BatchFileProblem(ValueError):
    """The upload cannot be used; the message (Chinese) says what to fix."""


HEADER_SEARCH_ROWS = 30
"""Rows searched for the header: a file's notes above it (一、二、… 11 lines) were read as rows,
its names as certificate numbers."""
HEADER_LIKE_ROWS = 10
"""Rows where a cell with a header's word (证书, 编号 …) refuses a file whose header the service
cannot place: further down, a list without header holds such words in its own cells (证书已补发)."""
HEADER_WORDS = ("姓名", "名字", "编号", "证书", "序号", "工号")
"""Words that make a row a header the service could not place, not a row to check."""
CONFIRM_HEADERS: dict[str, tuple[str, ...]] = {
    "level": ("等级", "证书等级", "技术等级", "报考等级"),
    "trade": ("工种", "证书工种", "报考工种"),
    "issued_on": ("发证日期", "发证时间"),
    "reissue_mark": ("补发", "补发字样", "注明补发", "是否补发"),
}
"""Optional columns with what the paper shows (`registry.public.confirm.CONFIRMABLE`), by the
titles the page names."""
_NOT_THE_PAPERS = ("岗位", "工资", "编号", "证号", "证书号", "文号", "代码", "年限", "起始", "原因")
"""Words of a column about something else than what the paper prints: a post's grade, a wage
grade's start, another certificate's number, an approval's 文号, a code, the years since."""
CONFIRM_WORDS: dict[str, Callable[[str], bool]] = {
    "level": lambda key: "等级" in key and "时间" not in key and "日期" not in key,
    "trade": lambda key: "工种" in key,
    "issued_on": lambda key: "发证" in key and any(w in key for w in ("日期", "时间", "年月")),
    "reissue_mark": lambda key: "补发" in key and "时间" not in key and "日期" not in key,
}
"""The same columns titled in an HR file's own words (是否补发, 有无补发字样, 证书工种名称,
发证年月): a phone review's 是否补发 column was passed over, and the original paper voided by
a 补发 was told 相符 on every field checked. Only a column naming one of them and nothing else
(`_NOT_THE_PAPERS`): a diff review's 附件4 roster had its trade read from 原岗位证书号 and its
level from 执行工资等级起始时间, and a real certificate was told it may be forged."""


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
    """Where the number, the name and what the paper shows are, from a header among the first
    rows — one row, or two read as one (`_two_rows`); without one, the number first and the
    name second."""
    above: Sequence[str] = ()
    for index, (_, row) in enumerate(rows[:HEADER_SEARCH_ROWS]):
        if found := _reading(row, above, index + 1):
            under = _reading(rows[index + 1][1], row, index + 2) if index + 1 < len(rows) else None
            return (under if under and _surer(under, found) else found)[1]
        above = row
    for index, (line, row) in enumerate(rows[:HEADER_LIKE_ROWS]):
        keys = [header_key(cell) for cell in row]
        filled = [cell for cell in row if cell.strip()]
        if len(filled) == 1 and typed_header(filled[0]):  # 证书编号 姓名, typed on one line
            after = _without_header(rows[index + 1 :])
            return replace(after, start=after.start + index + 1)
        if _header_like(filled, keys):
            raise BatchFileProblem(f"第{line}行像是表头，但{_missing(row, keys, rows)}")
    return _without_header(rows)


def _reading(row: Sequence[str], above: Sequence[str], start: int) -> tuple[int, Columns] | None:
    """The header ``row`` makes, alone or under ``above`` (`_two_rows`), with the rank of its
    number's title in `NUMBER_RANKS`: the surer reading, the row alone when they are as sure."""
    lower = _two_rows(row, above)
    header = lower or list(row)  # 序号, 备注 merged down over a two-row header
    placed = [found for titles in (list(row), lower or []) if (found := _placed(titles))]
    if not placed:
        return None
    rank, number, name, confirms = min(placed, key=lambda found: found[0])
    return rank, Columns(start, number, name, confirms, header)


def _surer(under: tuple[int, Columns], alone: tuple[int, Columns]) -> bool:
    """Two rows read as one over the upper row alone: a surer number's title (员工编号 over
    证书编号), or as sure and more of the paper placed (等级 | 工种 under 证书信息: a person)."""
    return (under[0], -len(under[1].confirms)) < (alone[0], -len(alone[1].confirms))


def _placed(titles: Sequence[str]) -> tuple[int, int, int, dict[str, int]] | None:
    """The rank of the number's title, the number's column, the name's and those of what the
    paper shows, when ``titles`` name the first two."""
    keys = [header_key(cell) for cell in titles]
    number, name = _column(keys, NUMBER_RANKS), _column(keys, NAME_RANKS)
    if number is None or name is None or number == name:
        return None
    rank = next(i for i, takes in enumerate(NUMBER_RANKS) if takes(keys[number]))
    others = [key if i not in (number, name) else "" for i, key in enumerate(keys)]
    return rank, number, name, _confirm_columns(others)


def _two_rows(row: Sequence[str], above: Sequence[str]) -> list[str] | None:
    """``row``'s titles read under the row above, when that is a two-row header's upper row
    (two titles at least, no certificate's number in either row): a title merged down over both
    rows (工号, 姓名) stands for the empty cell under it, as a register's header is read
    (`registry.sheets.header.merged_header`). A hospital's list with 姓名 merged down beside
    证书信息 over 证书编号 | 等级 | 工种 was refused, told to title a column 证书编号 — as it was."""
    if sum(1 for cell in above if cell.strip()) < 2:  # a title over the table, not its upper row
        return None
    if any(number_like(cell) for cell in (*row, *above)):
        return None
    return merged_header([cell.strip() for cell in row], [cell.strip() for cell in above])


def _header_like(filled: Sequence[str], keys: Sequence[str]) -> bool:
    """Whether a row is a header the service could not place: a header word in its cells, but
    never a row holding a certificate's number (杨丽 证书号J1122010002, pasted from a chat), nor
    a line of a pasted list that is a sentence (你好，请帮我查一下这几个人的证书) — alone on its
    row, only a column's title (证书编号) is a header. A phone review's chat list was refused
    whole, told its line was a header lacking the name's column."""
    if any(number_like(cell) for cell in filled):
        return False
    if len(filled) == 1:
        return header_key(filled[0]) in (*NUMBER_HEADERS, *NAME_HEADERS)
    return any(word in key for key in keys for word in HEADER_WORDS)


LIKE_A_NUMBER = re.compile("[A-Za-zＡ-Ｚａ-ｚ][0-9０-９]{10}")
"""A certificate's number in a cell, whatever else is in it: a level's letter, ten digits."""


def number_like(text: str) -> bool:
    """Whether ``text`` holds something like a certificate number (spaces within ignored)."""
    return bool(LIKE_A_NUMBER.search(text.replace(" ", "")))


def _confirm_columns(keys: Sequence[str]) -> dict[str, int]:
    """The column of each field of the paper the header names: by the page's own titles first,
    then by an HR file's words — a column naming one field and nothing else, each column one
    field's (工种等级 holds both, read as neither)."""
    found = {
        field: keys.index(title)
        for field, titles in CONFIRM_HEADERS.items()
        for title in titles
        if title in keys
    }
    for i, key in enumerate(keys):
        if i in found.values() or not key or any(w in key for w in _NOT_THE_PAPERS):
            continue
        fields = [field for field, named in CONFIRM_WORDS.items() if named(key)]
        if len(fields) == 1 and fields[0] not in found:
            found[fields[0]] = i
    return found


def _missing(
    row: Sequence[str], keys: Sequence[str], rows: Sequence[tuple[int, Sequence[str]]]
) -> str:
    """What a header the service could not place lacks, naming the column it did find — and
    where the other's title is, when another of the first rows has it: the clerk was told to
    title a column 证书编号 that had that title, in the header's other row."""
    number, name = _column(keys, NUMBER_RANKS), _column(keys, NAME_RANKS)
    if number is not None and number != name:
        found, lacking = f"证书编号列（第{number + 1}列“{row[number]}”）", "姓名"
        elsewhere, advice = _elsewhere(rows, row, NAME_RANKS), "持证人姓名所在列的表头写成“姓名”"
    elif name is not None and number != name:
        found, lacking = f"姓名列（第{name + 1}列“{row[name]}”）", "证书编号"
        elsewhere, advice = (
            _elsewhere(rows, row, NUMBER_RANKS),
            "证书编号所在列的表头写成“证书编号”",
        )
    else:
        return (
            "没有找到“证书编号”和“姓名”两列：请把这两列的表头分别写成“证书编号”和“姓名”，"
            "或删去表头，让第一列是证书编号、第二列是姓名。"
        )
    if elsewhere:
        return (
            f"只找到{found}，{lacking}列的表头在{elsewhere}，不在同一行：请把两列的表头写在同一行"
            "（表头占两行时，须是上下相邻的两行），再上传。"
        )
    return f"只找到{found}，没有找到{lacking}列：请把{advice}，再上传。"


def _elsewhere(
    rows: Sequence[tuple[int, Sequence[str]]],
    header: Sequence[str],
    ranks: Sequence[Callable[[str], bool]],
) -> str:
    """Where another of the first rows than ``header`` titles the column ``ranks`` tell (第3行第2列
    “证书编号”), or '' when none does."""
    for line, row in rows[:HEADER_SEARCH_ROWS]:
        if row is header or any(number_like(cell) for cell in row):
            continue
        found = _column([header_key(cell) for cell in row], ranks)
        if found is not None:
            return f"第{line}行第{found + 1}列“{row[found]}”"
    return ""


def _without_header(rows: Sequence[tuple[int, Sequence[str]]]) -> Columns:
    """A list without header, as the page promises to read it: the number and the name in the
    first two columns, in either order (or both in one cell, `name_like` telling the name).
    A list whose numbers are further right is refused with what to do — a header — rather
    than guessed at: a 序号, a department or a note taken for the name answered valid
    certificates 未查到, and charged them."""
    width = max((len(row) for _, row in rows[:HEADER_SEARCH_ROWS]), default=0)
    counts = [_numbers_in(rows, column) for column in range(width)]
    if not counts or max(counts) == 0:
        return Columns(0, 0, 1, {}, None)
    number = counts.index(max(counts))
    name = 1 - number if number < 2 else None
    mixed = width > 1 and counts[0] > 0 and counts[1] > 0  # each row in its own order
    if name is None:
        raise BatchFileProblem(
            f"这份名单没有表头，证书编号在第{number + 1}列：没有表头时，证书编号和姓名须是前两列"
            "（先后均可）。请在第一行加上表头，写明哪一列是“证书编号”、哪一列是“姓名”，再上传。"
        )
    if width > 1 and not mixed and not _names_in(rows, name, number):
        raise BatchFileProblem(
            f"这份名单没有表头，证书编号在第{number + 1}列，但第{name + 1}列不像姓名（多是数字）。"
            "请在第一行加上表头，写明哪一列是“证书编号”、哪一列是“姓名”，再上传。"
        )
    return Columns(0, number, name, {}, None)


def _names_in(rows: Sequence[tuple[int, Sequence[str]]], column: int, number: int) -> bool:
    """Whether ``column`` holds names in most of the first rows — no digit in them, or the
    names written in the number's cell (Z1122020123 周杰) — not a 序号, a 工号 or a phone."""
    named = 0
    first = rows[:HEADER_SEARCH_ROWS]
    for _, row in first:
        cell = row[column] if column < len(row) else ""
        written = row[number] if number < len(row) else ""
        parts = split_line(written)
        no_digit = not any(character.isdigit() for character in cell)
        named += no_digit or (len(parts) == 2 and name_like(parts[1]))
    return 2 * named > len(first)


NAME_LIKE = re.compile(r"[\u3400-\u9fff·•.． \u3000]{2,16}|[A-Za-z][A-Za-z .'-]+")
"""What a name written after a number in the same cell looks like: Chinese characters (parts
joined by a dot, padded with a space), or Latin letters — no digit."""


def name_like(text: str) -> bool:
    return bool(NAME_LIKE.fullmatch(text.strip()))


def _numbers_in(rows: Sequence[tuple[int, Sequence[str]]], column: int) -> int:
    """How many of the first rows hold something like a certificate number in ``column``."""
    return sum(
        1
        for _, row in rows[:HEADER_SEARCH_ROWS]
        if column < len(row) and NUMBER_AT_START.match(row[column].strip())
    )
