"""Checks on a zip workbook (.xlsx/.xlsm/.ods) by the parent, without trusting anything in it.

`check_directory` reads only the zip's central directory — sizes, ratios, number of parts — and
finds the first worksheet; it runs before any parser sees the file. `scan_parts` then inflates
every part as a stream, never beyond the limits, and checks what the directory cannot prove:

- the true inflated size of each part (a part may declare 1 KB and inflate to 1 GB);
- no part has a DTD, so no entity can expand (billion laughs), for our parser or any other;
- no cell of the first worksheet lies beyond ``max_rows``/``max_columns``.

XML goes through expat with any DOCTYPE refused. A full expat pass over a 40,000-row sheet costs
more than python-calamine's whole read (1.26 s against 0.95 s on its 30 MB), so the sheet body
is first searched for cell references over the limits by four regexes (~0.15 s in all), and
only a hit — or a ``<dimension>`` over the limits, or an unusual way of writing ``r=`` — pays
for the exact expat pass, which follows python-calamine's rules: a cell counts only if it holds
a value (a formatted empty cell does not), and a cell without ``r`` sits right of the one before
it. The child's own check of the parsed range stays the final word; this scan refuses early,
names the cell, and keeps a 2-cell bomb from ever costing the child its memory limit.
"""

from __future__ import annotations

import copy
import io
import posixpath
import re
import time
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pyexpat import ExpatError, ParserCreate, XMLParserType

from registry.sheets._limits import SheetLimits, exceeded, unreadable

READ_BYTES = 1 << 20
RATIO_FLOOR = 1 << 20
"""parts that inflate to less than this are not checked for their ratio: they cannot hurt"""
TAIL = 256
"""bytes kept from one block to the next, so that a reference cut in two is still found"""
ODS_TABLE_NS = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
ODS_OFFICE_NS = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
ODS_MIMETYPE = b"application/vnd.oasis.opendocument.spreadsheet"
_REF = re.compile(r"([A-Za-z]*)0*([0-9]+)")


@dataclass(frozen=True)
class Workbook:
    """What the directory says about a zip workbook."""

    archive: zipfile.ZipFile
    kind: str
    """``"xlsx"`` (.xlsx/.xlsm) or ``"ods"``"""
    sheet: str
    """member name of the first worksheet (.xlsx) or of content.xml (.ods)"""
    sheet_bytes: int
    """its inflated size, as the directory declares it"""


class _Stop(Exception):
    """Raised inside an expat handler to stop parsing: the part has told us what we need."""


def _refuse_dtd(*_: object) -> None:
    raise unreadable("文件内含 DTD 声明（XML 实体），不是 Excel/WPS 保存的正常文件")


def _parser() -> XMLParserType:
    parser = ParserCreate(namespace_separator=" ")
    parser.StartDoctypeDeclHandler = _refuse_dtd
    parser.EntityDeclHandler = _refuse_dtd
    return parser


def column_letters(number: int) -> str:
    letters = ""
    while number:
        number, rest = divmod(number - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _greater(bound: str, alphabet: str) -> str:
    """A regex for the strings over ``alphabet`` (in its order) beyond ``bound``: longer ones,
    or as long and larger at the first place they differ. Bijective base-26 column letters and
    decimal numbers without leading zeros both compare this way."""
    lower = alphabet.lower() if alphabet.isalpha() else ""

    def any_of(chars: str) -> str:
        return f"[{chars}{chars.lower() if lower else ''}]"

    first = alphabet.lstrip("0")
    options = [any_of(first) + any_of(alphabet) + f"{{{len(bound)},}}"]
    for place, char in enumerate(bound):
        higher = alphabet[alphabet.index(char) + 1 :]
        if higher:
            rest = len(bound) - place - 1
            options.append(
                "".join(any_of(c) for c in bound[:place])
                + any_of(higher)
                + (any_of(alphabet) + f"{{{rest}}}" if rest else "")
            )
    return "(?:" + "|".join(options) + ")"


def reference_filters(limits: SheetLimits) -> tuple[re.Pattern[bytes], ...]:
    """Searches that find, in a sheet's bytes, any ``r="…"`` beyond the limits, and any ``r``
    attribute written in a way the first two would miss (quotes, spaces). Separate patterns
    with a literal start, because ``re`` runs one alternation of them three times slower."""
    letters = column_letters(limits.max_columns)
    columns = _greater(letters, "ABCDEFGHIJKLMNOPQRSTUVWXYZ")
    rows = _greater(str(limits.max_rows), "0123456789")
    # a column beyond the bound has at least as many letters: the lookahead drops A1…Z9 at once
    return (
        re.compile(rf'r="(?=[A-Za-z]{{{len(letters)}}}){columns}(?=[0-9])'.encode()),
        re.compile(rf'r="[A-Za-z]*+0*+{rows}(?![0-9])'.encode()),
        re.compile(rb'r=[^"]'),  # r='…' or r= "…"
        re.compile(rb"r[ \t\r\n]++="),  # r ="…"
    )


def check_directory(data: bytes, limits: SheetLimits) -> Workbook:
    """The zip's directory within the limits, and the first worksheet found; else `SheetRefused`."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError) as exc:
        raise unreadable("压缩包结构损坏或不完整") from exc
    infos = archive.infolist()
    if len(infos) > limits.max_entries:
        raise exceeded(limits, "max_entries", len(infos))
    names = {info.filename for info in infos}
    if len(names) != len(infos):
        raise unreadable("压缩包内有重名的部件")
    total = 0
    for info in infos:
        if info.flag_bits & 0x1:
            raise unreadable("文件已加密，请先取消密码保护")
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise unreadable("压缩包使用了不支持的压缩方式")
        if info.file_size > limits.max_entry_bytes:
            raise exceeded(limits, "max_entry_bytes", info.file_size, info.filename)
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > RATIO_FLOOR and ratio > limits.max_ratio:
            raise exceeded(limits, "max_ratio", ratio, info.filename)
        total += info.file_size
    if total > limits.max_uncompressed_bytes:
        raise exceeded(limits, "max_uncompressed_bytes", total)
    # python-calamine tries .xlsx, then .xlsb, then .ods: only one of them may be present
    if "xl/workbook.bin" in names:
        raise unreadable("不支持 .xlsb 格式")
    if "xl/workbook.xml" in names and "content.xml" not in names:
        sheet = _first_worksheet(archive, names)
        return Workbook(archive, "xlsx", sheet, archive.getinfo(sheet).file_size)
    if "xl/workbook.xml" in names:
        raise unreadable("压缩包内同时有 .xlsx 和 .ods 两种工作簿")
    if "content.xml" in names and "mimetype" in names:
        if _read(archive, "mimetype").strip() == ODS_MIMETYPE:
            return Workbook(archive, "ods", "content.xml", archive.getinfo("content.xml").file_size)
    raise unreadable("压缩包内没有 Excel/WPS 工作簿")


def _stream(archive: zipfile.ZipFile, name: str) -> Iterator[bytes]:
    """The inflated blocks of one part, proving its declared size and CRC. `zipfile` stops at
    the declared size and checks the CRC of what it gave, so a part that says 1 KB (with the
    CRC of its first KB) and inflates to 1 GB would pass: it is opened as one byte longer,
    without `zipfile`'s CRC check, and both are checked here."""
    info = archive.getinfo(name)
    probe = copy.copy(info)
    probe.file_size = info.file_size + 1
    del probe.CRC
    produced = 0
    crc = 0
    try:
        with archive.open(probe) as part:
            while block := part.read(READ_BYTES):
                produced += len(block)
                if produced > info.file_size:
                    raise unreadable(f"部件 {name} 的实际大小与目录不符")
                crc = zlib.crc32(block, crc)
                yield block
    except (zipfile.BadZipFile, EOFError, OSError, zlib.error) as exc:
        raise unreadable(f"部件 {name} 已损坏或不完整") from exc
    if produced != info.file_size or crc != info.CRC:
        raise unreadable(f"部件 {name} 已损坏或不完整")


def _read(archive: zipfile.ZipFile, name: str) -> bytes:
    return b"".join(_stream(archive, name))


def _parse_small(data: bytes, start: Callable[[str, dict[str, str]], None]) -> None:
    """Parse a small part (workbook.xml, .rels) whole, DTDs refused."""
    parser = _parser()
    parser.StartElementHandler = start
    try:
        parser.Parse(data, True)
    except _Stop:
        pass
    except ExpatError as exc:
        raise unreadable("工作簿结构文件不是有效的 XML") from exc


def _first_worksheet(archive: zipfile.ZipFile, names: set[str]) -> str:
    """The member that python-calamine reads as sheet 0: the first ``<sheet>`` of workbook.xml,
    through its relationship id in workbook.xml.rels."""
    first: list[str] = []

    def sheet(name: str, attributes: dict[str, str]) -> None:
        if name.rpartition(" ")[2] == "sheet":
            first.extend(v for k, v in attributes.items() if " " in k and k.endswith(" id"))
            raise _Stop

    _parse_small(_read(archive, "xl/workbook.xml"), sheet)
    targets: dict[str, str] = {}

    def relationship(name: str, attributes: dict[str, str]) -> None:
        if name.rpartition(" ")[2] == "Relationship":
            targets[attributes.get("Id", "")] = attributes.get("Target", "")

    if "xl/_rels/workbook.xml.rels" in names:
        _parse_small(_read(archive, "xl/_rels/workbook.xml.rels"), relationship)
    target = targets.get(first[0], "") if first else ""
    if not target:
        raise unreadable("工作簿中没有工作表")
    member = posixpath.normpath(target.lstrip("/") if target.startswith("/") else "xl/" + target)
    if member not in names:
        raise unreadable("找不到第一个工作表")
    return member


class _Prolog:
    """Feeds a part to expat up to its root element: enough to refuse a DTD, which can only
    come before it. For the worksheet it goes on to ``<sheetData>`` and keeps ``<dimension>``."""

    def __init__(self, until: str | None = None) -> None:
        self.done = False
        self.dimension = ""
        self._until = until
        self._parser = _parser()
        self._parser.StartElementHandler = self._start

    def _start(self, name: str, attributes: dict[str, str]) -> None:
        local = name.rpartition(" ")[2]
        if local == "dimension":
            self.dimension = attributes.get("ref", "")
        if self._until is None or local == self._until:
            raise _Stop

    def feed(self, block: bytes) -> None:
        if self.done:
            return
        try:
            self._parser.Parse(block, False)
        except _Stop:
            self.done = True
        except ExpatError as exc:
            raise unreadable("工作簿内的 XML 部件已损坏") from exc


def _position(reference: str) -> tuple[int, int] | None:
    """(1-based row, 1-based column) of ``XFD12``; None when python-calamine would not read it."""
    match = _REF.fullmatch(reference)
    if match is None:
        return None
    letters, digits = match.groups()
    column = 0
    for letter in letters.upper():
        column = column * 26 + ord(letter) - 64
    return int(digits), column


def scan_parts(
    workbook: Workbook, limits: SheetLimits, deadline: float, *, sheet_body: bool = True
) -> None:
    """Inflate every part within the limits (proving its size), refuse DTDs, and refuse a first
    worksheet with a cell beyond ``max_rows``/``max_columns``. Without ``sheet_body`` the
    worksheet is read only up to ``<sheetData>``: the rest is left to the child."""
    archive = workbook.archive
    filters = reference_filters(limits)
    for info in archive.infolist():
        name = info.filename
        is_sheet = name == workbook.sheet
        prolog = (
            _Prolog("sheetData" if is_sheet else None) if name.endswith((".xml", ".rels")) else None
        )
        suspicious = False
        tail = b""
        for block in _stream(archive, name):
            if time.monotonic() > deadline:
                raise exceeded(limits, "seconds")
            if prolog is not None:
                prolog.feed(block)
            if not is_sheet or workbook.kind != "xlsx":
                continue
            if not sheet_body and prolog is not None and prolog.done:
                break
            if not suspicious:
                window = tail + block
                suspicious = any(f.search(window) for f in filters)
                tail = window[-TAIL:]
        if not is_sheet or not sheet_body:
            continue
        if workbook.kind == "ods":
            _Extent(limits, ods=True).run(_stream(archive, name), deadline)
            continue
        assert prolog is not None
        corner = _position(prolog.dimension.rpartition(":")[2])
        if corner and (corner[0] > limits.max_rows or corner[1] > limits.max_columns):
            suspicious = True
        if suspicious:
            _Extent(limits, ods=False).run(_stream(archive, name), deadline)


class _Extent:
    """The exact expat pass: the farthest cell that holds a value, by python-calamine's rules
    (.xlsx: ``r`` or the next column; .ods: repeated rows and cells count as many)."""

    def __init__(self, limits: SheetLimits, *, ods: bool) -> None:
        self.limits = limits
        self.row = 0
        self.column = 0
        self.cell: tuple[int, int, str] | None = None
        self.filled = False
        self.row_repeat = 1
        self.cell_repeat = 1
        self.parser = _parser()
        if ods:
            self.parser.StartElementHandler = self._ods_start
            self.parser.EndElementHandler = self._ods_end
        else:
            self.parser.StartElementHandler = self._xlsx_start
            self.parser.EndElementHandler = self._xlsx_end

    def run(self, blocks: Iterator[bytes], deadline: float) -> None:
        try:
            for block in blocks:
                if time.monotonic() > deadline:
                    raise exceeded(self.limits, "seconds")
                self.parser.Parse(block, False)
            self.parser.Parse(b"", True)
        except _Stop:
            pass
        except ExpatError as exc:
            raise unreadable("工作表的 XML 已损坏") from exc

    def _check(self, row: int, column: int, where: str) -> None:
        if row > self.limits.max_rows:
            raise exceeded(self.limits, "max_rows", row, f"单元格 {where}")
        if column > self.limits.max_columns:
            raise exceeded(self.limits, "max_columns", column, f"单元格 {where}")

    def _xlsx_start(self, name: str, attributes: dict[str, str]) -> None:
        local = name.rpartition(" ")[2]
        if local == "row":
            number = attributes.get("r", "")
            self.row = int(number) if number.isdigit() else self.row + 1
            self.column = 0
        elif local == "c":
            reference = attributes.get("r")
            position = _position(reference) if reference is not None else None
            if position is None:
                self.column += 1
                self.cell = (self.row, self.column, f"{column_letters(self.column)}{self.row}")
            else:
                self.column = position[1]
                self.cell = (position[0], position[1], reference or "")
            self.filled = False
        elif local in ("v", "is") and self.cell is not None:
            self.filled = True

    def _xlsx_end(self, name: str) -> None:
        if name.rpartition(" ")[2] == "c" and self.cell is not None:
            if self.filled:
                self._check(*self.cell)
            self.cell = None

    def _ods_start(self, name: str, attributes: dict[str, str]) -> None:
        namespace, _, local = name.rpartition(" ")
        if namespace != ODS_TABLE_NS:
            if self.cell is not None:
                self.filled = True  # a <text:p> or other content
            return
        repeat = attributes.get(f"{ODS_TABLE_NS} number-rows-repeated", "1")
        if local == "table-row":
            self.row_repeat = int(repeat) if repeat.isdigit() else 1
            self.column = 0
        elif local in ("table-cell", "covered-table-cell"):
            count = attributes.get(f"{ODS_TABLE_NS} number-columns-repeated", "1")
            self.cell_repeat = int(count) if count.isdigit() else 1
            self.cell = (self.row + 1, self.column + 1, "")
            self.filled = f"{ODS_OFFICE_NS} value-type" in attributes

    def _ods_end(self, name: str) -> None:
        namespace, _, local = name.rpartition(" ")
        if namespace != ODS_TABLE_NS:
            return
        if local in ("table-cell", "covered-table-cell") and self.cell is not None:
            if self.filled:
                last_row = self.row + self.row_repeat
                last_column = self.column + self.cell_repeat
                self._check(last_row, last_column, f"{column_letters(last_column)}{last_row}")
            self.column += self.cell_repeat
            self.cell = None
        elif local == "table-row":
            self.row += self.row_repeat
        elif local == "table":
            raise _Stop  # only the first sheet is read
