"""Text files from Chinese offices: UTF-8 (with or without BOM) or GB18030/GBK, detected."""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections import deque
from collections.abc import Iterator
from itertools import islice
from pathlib import Path


def decode(data: bytes) -> tuple[str, str]:
    """(text, encoding name). UTF-8 is tried first: GB18030 decodes almost anything, UTF-8 does
    not. A byte-order mark says UTF-8 or UTF-16 (Excel's 另存为“Unicode 文本”)."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8"), "utf-8-sig"
    if data.startswith((b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff")):
        return data.decode("utf-32"), "utf-32"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16"), "utf-16"
    if unmarked := _utf16_without_mark(data[:SNIFF_BYTES]):
        return data.decode(unmarked), unmarked
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("gb18030"), "gb18030"
    if (meant := _chinese_read_as_utf8(text, data)) is not None:
        return meant, "gb18030"
    return text, "utf-8"


_CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uf900-\ufaff\uff00-\uffef]")
_BESIDE_LATIN = re.compile(r"[A-Za-z][^\x00-\x7f]|[^\x00-\x7f][A-Za-z]")
"""A Latin letter beside another (José, Müller, 5kΩ): UTF-8 text, not GBK bytes."""
_NON_ASCII = re.compile(r"[^\x00-\x7f]+")


def _chinese_read_as_utf8(text: str, data: bytes) -> str | None:
    """``data`` read as GB18030 when ``text`` — ``data`` read as UTF-8 — is GBK that happens to
    be valid UTF-8 (else None): a short
    list without a header row whose names are all among the hundreds of characters whose two
    bytes read as one (姚小平 reads ҦСƽ). Such text has no Chinese character at all, its
    other characters are letters in runs of two or more (a name) apart from Latin ones, of
    more than one script, and read as GB18030 it is all GB2312 — the characters of Chinese
    names. A symbol (·, ±, °), a lone letter (Σ) or words of one script (вода) are UTF-8's."""
    if text.isascii() or _CJK.search(text) or _BESIDE_LATIN.search(text):
        return None
    runs = _NON_ASCII.findall(text)
    if not all(len(run) > 1 and run.isalpha() for run in runs):
        return None
    scripts = {unicodedata.name(c, "").split(" ")[0] for run in runs for c in run}
    if len(scripts) < 2:  # вода, Ωμέγα: words of one script; GBK mixes them (Ҧ, С and ƽ)
        return None
    try:
        chinese = data.decode("gb18030")
        "".join(c for c in chinese if not c.isascii()).encode("gb2312")
    except UnicodeError:
        return None
    return chinese if _CJK.search(chinese) else None


SNIFF_BYTES = 4096


def _utf16_without_mark(sample: bytes) -> str | None:
    """UTF-16 saved without its byte-order mark (some exports do): the zero bytes of its ASCII
    — digits, commas, line breaks — fall on one side of each pair. UTF-8 and GB18030 text holds
    no zero byte; read as GB18030, such a file became rows of garbage."""
    odd, even = sample[1::2].count(0), sample[0::2].count(0)
    if odd > 4 * even + 8:
        return "utf-16-le"
    if even > 4 * odd + 8:
        return "utf-16-be"
    return None


SNIFF_CHARS = 4096
"""what `delimiter` looks at: the title and the header, whatever the file's size"""


def delimiter(filename: str, text: str) -> str:
    """A tab for a ``.txt`` with tabs in its first lines (Excel's 另存为“文本文件（制表符分隔）”
    and “Unicode 文本”; a title line above the header may hold none). For a ``.csv`` (such a
    file renamed, as clerks do; or one saved where a semicolon separates, as Excel does under a
    European locale) whichever of comma, tab and semicolon separates most cells in its first
    lines, not counting those at a line's ends: every row of a table has one fewer than it has
    columns, and what else a file holds — a tab in a title, stray tabs after a cell or before a
    number (Excel's trick against 1.23E+17), commas inside a tab file's cells or footer — is a
    few."""
    start = text[:SNIFF_CHARS]
    if filename.lower().endswith(".txt"):
        return "\t" if "\t" in start else ","
    lines = [line.strip(" \t,;") for line in start.splitlines()]
    counts = {mark: sum(line.count(mark) for line in lines) for mark in ",\t;"}
    return max(counts, key=counts.__getitem__)  # the comma on a tie, as before


class UnclosedQuote(csv.Error):
    """A quoted cell that never ends: the reader makes one cell of everything to the file's end
    (rows, and a footer that then passed for the roster's own) and says nothing."""

    def __init__(self, row: int, excel_row: int | None = None) -> None:
        shown = f"（用 Excel 打开是第 {excel_row} 行）" if excel_row and excel_row != row else ""
        super().__init__(
            f'第 {row} 行{shown}起有一个单元格以英文双引号（"）开头，直到文件末尾也没有结束的引号：'
            "其后各行都会被读成这一个单元格。请删去多余的引号，或补上结尾的引号"
        )


_EXCEL_TEXT = re.compile(r'="([^"]*)"')


def excel_text(cell: str) -> str:
    """A cell written ``="Z1122020123"`` (Excel's way to keep a number as text in a CSV, which
    it shows as Z1122020123) as the text it shows; any other cell as it is."""
    wrapped = _EXCEL_TEXT.fullmatch(cell)
    return wrapped[1] if wrapped else cell


def csv_records(text: str, separator: str = ",") -> Iterator[tuple[int, list[str]]]:
    """(line, cells) of each CSV record, ``line`` being the physical line it starts on — how
    the contract names a CSV's rows; a quoted cell may span lines (a header wrapped with
    Alt+Enter), and Excel then shows the record on an earlier row (`registry.sheets.sheet.Sheet.
    shifts`) (``csv.Error`` for a malformed file, `UnclosedQuote` for a quote left open, which
    only the last record can hold)."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=separator)
    ended = started = records = 0
    for cells in reader:
        yield ended + 1, cells
        started, ended, records = ended, reader.line_num, records + 1
    if ended and _unclosed(text, started, separator):
        raise UnclosedQuote(started + 1, records)  # the last record holds it


def _unclosed(text: str, after_lines: int, separator: str) -> bool:
    """Whether the last record, starting after ``after_lines`` lines (as the reader counts
    them), leaves a quoted cell open — followed as the lenient reader reads it ("ab"c is abc,
    what registers loaded before held): a strict parse stopped at such a cell earlier in the
    record and never saw the quote left open after it (rows vanished into one cell, a review)."""
    lines = io.StringIO(text, newline="")
    deque(islice(lines, after_lines), maxlen=0)  # skipped one by one: not a list of them all
    return ends_quoted(lines.read(), separator)


def ends_quoted(last: str, separator: str) -> bool:
    """Whether ``last`` (a CSV's last record) ends inside a quoted cell, as `csv`'s default
    dialect reads it: a quote opens a cell only at its start, ``""`` inside is one quote, and
    what follows a closing quote up to the separator is more of the cell."""
    quoted, start = False, True  # inside a quoted cell; at a cell's start
    i, end = 0, len(last)
    while i < end:
        char = last[i]
        if quoted:
            if char == '"':
                if i + 1 < end and last[i + 1] == '"':
                    i += 1  # a doubled quote: one quote in the cell
                else:
                    quoted = False
        elif start and char == '"':
            quoted = True
        start = not quoted and char in (separator, "\r", "\n")
        i += 1
    return quoted


CSV_ERRORS = {
    "field larger than field limit": "有单元格内容过长（超过 131,072 个字符），不像是名册",
}


def csv_problem(exc: csv.Error) -> str:
    """A reader's complaint in Chinese: Python's own is English."""
    said = str(exc)
    known = next((chinese for english, chinese in CSV_ERRORS.items() if english in said), None)
    return known or "无法按 CSV 格式读取"


def read_text(path: Path) -> str:
    return decode(path.read_bytes())[0]


def mojibake(cell: str) -> str | None:
    """What ``cell`` — a GB18030 file's cell — really says when it is UTF-8 read as GB18030 (a
    row pasted in from a UTF-8 file: 李四 reads 鏉庡洓), else None. Genuine GB18030 text of a
    roster is GB2312 nearly always; UTF-8 read as GB18030 nearly never is, and its bytes then
    decode as UTF-8 into ordinary text."""
    try:
        cell.encode("gb2312")
    except UnicodeEncodeError:
        pass
    else:
        return None
    try:
        meant = cell.encode("gb18030").decode("utf-8")
        meant.encode("gb2312")
    except UnicodeError:
        return None
    return meant
