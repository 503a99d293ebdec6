"""The exact pass over a worksheet's XML (`registry.sheets._zipscan` runs it only when its cheap
search finds a suspicious cell reference): expat with any DOCTYPE refused, following
python-calamine's rules for where the farthest cell holding a value lies."""

from __future__ import annotations

import string
import time
from collections.abc import Callable, Iterator
from pyexpat import ExpatError, ParserCreate, XMLParserType

from registry.sheets._limits import SheetLimits, SheetRefused, exceeded, unreadable

ODS_TABLE_NS = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
ODS_OFFICE_NS = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"


BEYOND = 10**12
"""What a row or column number of more than twelve digits counts as: beyond every limit."""


BAD_XML = (ExpatError, LookupError, ValueError)
"""What expat raises for a part it cannot read: broken XML, and an encoding it does not know
(``LookupError``) or cannot take (``ValueError``: a multi-byte one such as GB18030)."""
BROKEN_PART = "工作簿内的 XML 部件已损坏"
"""What a workbook's part that expat cannot read is refused as."""
MAX_DEPTH = 64
"""Elements nested deeper than any workbook nests them (a worksheet's are six deep): expat
keeps every open element, so 18 million nested inside one cell took gigabytes."""


class StopParsing(Exception):
    """Raised inside an expat handler to stop parsing: the part has told us what we need."""


def _refuse_dtd(*_: object) -> None:
    raise unreadable("文件内含 DTD 声明（XML 实体），不是 Excel/WPS 保存的正常文件")


def expat_parser(*, namespaces: bool = True) -> XMLParserType:
    """An expat parser that refuses DTDs; with ``namespaces``, element and attribute names
    come as ``"uri local"``, else as written (``table:table-row``)."""
    parser = ParserCreate(namespace_separator=" ") if namespaces else ParserCreate()
    parser.StartDoctypeDeclHandler = _refuse_dtd
    parser.EntityDeclHandler = _refuse_dtd
    return parser


def stream_parse(
    parser: XMLParserType,
    blocks: Iterator[bytes],
    limits: SheetLimits,
    deadline: float,
    broken: str,
) -> None:
    """Feed ``blocks`` to ``parser`` within the deadline. A handler may end the parse early
    (`StopParsing`) or refuse the file (`SheetRefused`); XML expat cannot read is ``broken``."""
    try:
        for block in blocks:
            if time.monotonic() > deadline:
                raise exceeded(limits, "seconds")
            parser.Parse(block, False)
        parser.Parse(b"", True)
    except StopParsing:
        pass
    except SheetRefused:  # a limit or a refusal raised inside a handler
        raise
    except BAD_XML as exc:
        raise unreadable(broken) from exc


class Depth:
    """How deep the parse is: `unreadable` past `MAX_DEPTH`, from a start handler."""

    def __init__(self) -> None:
        self.level = 0

    def enter(self) -> None:
        self.level += 1
        if self.level > MAX_DEPTH:
            raise unreadable(f"XML 元素嵌套超过 {MAX_DEPTH} 层，不是 Excel/WPS 保存的正常文件")

    def leave(self) -> None:
        self.level -= 1


def column_letters(number: int) -> str:
    letters = ""
    while number:
        number, rest = divmod(number - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def whole_number(text: str) -> int | None:
    """``text`` as a whole number when it is ASCII digits, else None. Linear in the text,
    whatever it is: past twelve digits it is `BEYOND` (``int`` refuses 4,300 digits and takes
    quadratic time before that; a regular expression over ``0*[0-9]+`` backtracks)."""
    if not (text.isascii() and text.isdigit()):
        return None
    significant = text.lstrip("0")
    return BEYOND if len(significant) > 12 else int(significant or "0")


def style_index(text: str) -> int | None:
    """An index into the styles (``s``, ``dxfId``, ``numFmtId``, ``fontId``) as Excel and
    LibreOffice read it: digits, with spaces around them or a ``+`` before them allowed."""
    return whole_number(text.strip().removeprefix("+"))


def cell_position(reference: str) -> tuple[int, int] | None:
    """(1-based row, 1-based column) of ``XFD12``; None when python-calamine would not read it."""
    digits = reference.lstrip(string.ascii_letters)
    letters = reference[: len(reference) - len(digits)]
    row = whole_number(digits)
    if row is None:
        return None
    if len(letters) > 6:
        return row, BEYOND
    column = 0
    for letter in letters.upper():
        column = column * 26 + ord(letter) - 64
    return row, column


class Extent:
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
        self.depth = Depth()
        self.parser = expat_parser()
        if ods:
            self.parser.StartElementHandler = self._ods_start
            self.parser.EndElementHandler = self._ods_end
        else:
            self.parser.StartElementHandler = self._xlsx_start
            self.parser.EndElementHandler = self._xlsx_end

    def run(self, blocks: Iterator[bytes], deadline: float) -> None:
        stream_parse(self.parser, blocks, self.limits, deadline, "工作表的 XML 已损坏")

    def _check(self, row: int, column: int, where: str) -> None:
        if row > self.limits.max_rows:
            raise exceeded(self.limits, "max_rows", row, f"单元格 {where}")
        if column > self.limits.max_columns:
            raise exceeded(self.limits, "max_columns", column, f"单元格 {where}")

    def _xlsx_start(self, name: str, attributes: dict[str, str]) -> None:
        self.depth.enter()
        local = name.rpartition(" ")[2]
        if local == "row":
            number = attributes.get("r", "")
            self.row = whole_number(number) or self.row + 1
            self.column = 0
        elif local == "c":
            reference = attributes.get("r")
            position = cell_position(reference) if reference is not None else None
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
        self.depth.leave()
        if name.rpartition(" ")[2] == "c" and self.cell is not None:
            if self.filled:
                self._check(*self.cell)
            self.cell = None

    def _ods_start(self, name: str, attributes: dict[str, str]) -> None:
        self.depth.enter()
        namespace, _, local = name.rpartition(" ")
        if namespace != ODS_TABLE_NS:
            if self.cell is not None:
                self.filled = True  # a <text:p> or other content
            return
        if local == "table" and self.cell is not None:  # python-calamine stops reading there
            raise SheetRefused(
                "第一个工作表的一个单元格里嵌套了表格，其后的行无法读取，会漏掉。请在 LibreOffice/WPS"
                " 中把嵌套表格的内容移到工作表的行里（或删除它），另存后重试"
            )
        repeat = attributes.get(f"{ODS_TABLE_NS} number-rows-repeated", "1")
        if local == "table-row":
            self.row_repeat = whole_number(repeat) or 1
            self.column = 0
        elif local in ("table-cell", "covered-table-cell"):
            count = attributes.get(f"{ODS_TABLE_NS} number-columns-repeated", "1")
            self.cell_repeat = whole_number(count) or 1
            self.cell = (self.row + 1, self.column + 1, "")
            self.filled = f"{ODS_OFFICE_NS} value-type" in attributes

    def _ods_end(self, name: str) -> None:
        self.depth.leave()
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
            raise StopParsing  # only the first sheet is read


def parse_marks(
    blocks: Iterator[bytes],
    start: Callable[[str, dict[str, str]], None],
    end: Callable[[str], None] | None = None,
    *,
    text: Callable[[str], None] | None = None,
    limits: SheetLimits,
    deadline: float,
    namespaces: bool = True,
    broken: str = BROKEN_PART,
) -> None:
    """Stream ``blocks`` through expat within the deadline, no deeper than `MAX_DEPTH`; names
    as `expat_parser` gives them; XML expat cannot read is refused as ``broken``."""
    depth = Depth()

    def opened(name: str, attributes: dict[str, str]) -> None:
        depth.enter()
        start(name, attributes)

    def closed(name: str) -> None:
        depth.leave()
        if end is not None:
            end(name)

    parser = expat_parser(namespaces=namespaces)
    parser.buffer_text = True  # one call per run of text, not per line or entity
    parser.StartElementHandler = opened
    parser.EndElementHandler = closed
    if text is not None:
        parser.CharacterDataHandler = text
    stream_parse(parser, blocks, limits, deadline, broken)
