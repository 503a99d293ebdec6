"""Checks on a zip workbook (.xlsx/.xlsm/.ods) by the parent, without trusting anything in it.

`check_directory` reads only the zip's central directory — sizes, ratios, number of parts — and
finds the first worksheet; it runs before any parser sees the file. `scan_parts` then inflates
every part as a stream, never beyond the limits, and checks what the directory cannot prove:

- the true inflated size of each part (a part may declare 1 KB and inflate to 1 GB);
- no part has a DTD, so no entity can expand (billion laughs), for our parser or any other;
- no cell of the first worksheet lies beyond ``max_rows``/``max_columns``;
- which rows of the first worksheet are hidden or struck through (`registry.sheets._marked`).

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

from registry.sheets._extent import (
    Extent,
    StopParsing,
    cell_position,
    parse_marks,
)
from registry.sheets._formats import NO_FORMATS, cell_formats
from registry.sheets._limits import (
    SheetLimits,
    exceeded,
    other_document,
    unreadable,
)
from registry.sheets._marked import NO_MARKS, Marks, exact_marks
from registry.sheets._ods_marked import PROBES as ODS_PROBES
from registry.sheets._ods_marked import ods_marks
from registry.sheets._ods_styles import read_styles
from registry.sheets._probe import SIZE_PROBES, Probe, holds
from registry.sheets._prolog import Prolog
from registry.sheets._references import reference_filters
from registry.sheets._runs import NO_STRING_MARKS, plain_runs, string_marks

READ_BYTES = 1 << 20
RATIO_FLOOR = 1 << 20
"""parts that inflate to less than this are not checked for their ratio: they cannot hurt"""
TAIL = 256
"""bytes kept from one block to the next, so that a reference cut in two is still found"""
ODS_MIMETYPE = b"application/vnd.oasis.opendocument.spreadsheet"


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


def check_directory(data: bytes, limits: SheetLimits, deadline: float) -> Workbook:
    """The zip's directory within the limits, and the first worksheet found (by ``deadline``);
    else `SheetRefused`."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError) as exc:
        raise unreadable("压缩包结构损坏或不完整") from exc
    infos = archive.infolist()
    if len(infos) > limits.max_entries:
        raise exceeded(limits, "max_entries", len(infos))
    names = {info.filename for info in infos}
    # python-calamine finds a part whatever the case of its name: xl/styles.xml beside
    # xl/Styles.xml let the marks be read from one and the file shown from the other
    if len({name.lower() for name in names}) != len(infos):
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
        sheet = _first_worksheet(archive, names, limits, deadline)
        return Workbook(archive, "xlsx", sheet, archive.getinfo(sheet).file_size)
    if "xl/workbook.xml" in names:
        raise unreadable("压缩包内同时有 .xlsx 和 .ods 两种工作簿")
    if "content.xml" in names and "mimetype" in names:
        if _read(archive, "mimetype").strip() == ODS_MIMETYPE:
            return Workbook(archive, "ods", "content.xml", archive.getinfo("content.xml").file_size)
    raise unreadable(other_document(names))


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


def _first_worksheet(
    archive: zipfile.ZipFile, names: set[str], limits: SheetLimits, deadline: float
) -> str:
    """The member that python-calamine reads as sheet 0: the first ``<sheet>`` of workbook.xml,
    through its relationship id in workbook.xml.rels."""
    first: list[str] = []

    def sheet(name: str, attributes: dict[str, str]) -> None:
        if name.rpartition(" ")[2] == "sheet":
            first.extend(v for k, v in attributes.items() if " " in k and k.endswith(" id"))
            raise StopParsing

    _parse_structure(archive, "xl/workbook.xml", sheet, limits, deadline)
    targets: dict[str, str] = {}

    def relationship(name: str, attributes: dict[str, str]) -> None:
        if name.rpartition(" ")[2] == "Relationship":
            targets[attributes.get("Id", "")] = attributes.get("Target", "")

    if "xl/_rels/workbook.xml.rels" in names:
        _parse_structure(archive, "xl/_rels/workbook.xml.rels", relationship, limits, deadline)
    target = targets.get(first[0], "") if first else ""
    if not target:
        raise unreadable("工作簿中没有工作表")
    member = posixpath.normpath(target.lstrip("/") if target.startswith("/") else "xl/" + target)
    if member not in names:
        raise unreadable("找不到第一个工作表")
    return member


STRUCTURE_BYTES = 1 << 20
"""The most a workbook's list of sheets (workbook.xml) or of their parts (its .rels) may hold:
kilobytes in any workbook, its defined names included. Read before any other check of the file,
in the parent: 9 million attributes on one element (18 MB) took 2.2 GB, 42 million nested
elements 5.4 GB."""


def _parse_structure(
    archive: zipfile.ZipFile,
    name: str,
    start: Callable[[str, dict[str, str]], None],
    limits: SheetLimits,
    deadline: float,
) -> None:
    """Parse workbook.xml or its .rels, bounded in size, depth and time like every part."""
    if archive.getinfo(name).file_size > STRUCTURE_BYTES:
        raise unreadable(
            f"工作簿结构文件 {name} 超过 {STRUCTURE_BYTES >> 20} MB，不是 Excel/WPS 保存的正常文件"
        )
    broken = "工作簿结构文件不是有效的 XML"
    parse_marks(_stream(archive, name), start, limits=limits, deadline=deadline, broken=broken)


def _stream_part(
    workbook: Workbook,
    name: str,
    filters: tuple[re.Pattern[bytes], ...],
    limits: SheetLimits,
    deadline: float,
    sheet_body: bool,
) -> tuple[Prolog | None, bool, Probe | None]:
    """Inflate one part block by block within the deadline, feeding an XML part's prolog; and
    for an .xlsx worksheet, whether it may mark rows (`Probe`) and whether a cell reference
    that may lie beyond the limits appears (not searched for without ``sheet_body``)."""
    is_sheet = name == workbook.sheet
    xml = name.endswith((".xml", ".rels"))
    # an .ods table has no <sheetData>: read on to it, every content.xml past 4 MB was refused
    prolog = Prolog("sheetData" if is_sheet and workbook.kind == "xlsx" else None) if xml else None
    marks = None
    if is_sheet:
        marks = Probe(sizes=SIZE_PROBES) if workbook.kind == "xlsx" else Probe(ODS_PROBES)
    suspicious = False
    tail = b""
    for block in _stream(workbook.archive, name):
        if time.monotonic() > deadline:
            raise exceeded(limits, "seconds")
        if prolog is not None:
            prolog.feed(block)
        if marks is None:
            continue
        marks.feed(block)
        if sheet_body and not suspicious:
            window = tail + block
            suspicious = any(f.search(window) for f in filters)
            tail = window[-TAIL:]
    if marks is not None:
        marks.finish()
    return prolog, suspicious, marks


def scan_parts(
    workbook: Workbook, limits: SheetLimits, deadline: float, *, sheet_body: bool = True
) -> Marks:
    """Inflate every part within the limits (proving its size), refuse DTDs, and refuse a first
    worksheet with a cell beyond ``max_rows``/``max_columns``; return the rows it marks as left
    out (`registry.sheets._marked`). Without ``sheet_body`` the worksheet's cells are left to
    the child's check."""
    filters = reference_filters(limits)
    marks = NO_MARKS
    for info in workbook.archive.infolist():
        name = info.filename
        prolog, suspicious, probe = _stream_part(
            workbook, name, filters, limits, deadline, sheet_body
        )
        if probe is not None:
            marks = _marks(workbook, probe, limits, deadline)
        if name != workbook.sheet or not sheet_body:
            continue
        if workbook.kind == "ods":
            Extent(limits, ods=True).run(_stream(workbook.archive, name), deadline)
            continue
        assert prolog is not None
        corner = cell_position(prolog.dimension.rpartition(":")[2])
        if corner and (corner[0] > limits.max_rows or corner[1] > limits.max_columns):
            suspicious = True
        if suspicious:
            Extent(limits, ods=False).run(_stream(workbook.archive, name), deadline)
    return marks


def _marks(workbook: Workbook, probe: Probe, limits: SheetLimits, deadline: float) -> Marks:
    """The worksheet's marked rows and cells (`registry.sheets._marked`): none without a hit of
    its probe or something struck, hidden or coloured in its styles or shared strings, else
    what the exact pass finds."""
    if workbook.kind == "ods":
        return _ods_marks(workbook, probe, limits, deadline)
    # python-calamine finds these parts whatever the case of their names
    names = {name.lower(): name for name in workbook.archive.namelist()}
    archive = workbook.archive
    formats, strings = NO_FORMATS, NO_STRING_MARKS
    if styles := names.get("xl/styles.xml"):  # (a few kilobytes: read whatever it holds)
        theme = _stream(archive, part) if (part := names.get("xl/theme/theme1.xml")) else None
        formats = cell_formats(_stream(archive, styles), limits, deadline, theme)
    if shared := names.get("xl/sharedstrings.xml"):
        if holds(_stream(archive, shared), b"strike", b"olor", b"sz"):
            fills = {None, *formats.fills.values()}
            if not plain_runs(_stream(archive, shared), formats.palette, fills):
                blocks = _stream(archive, shared)
                strings = string_marks(blocks, limits, deadline, formats.palette, fills)
    if not (probe.hit or formats or strings):
        return NO_MARKS
    blocks = _stream(workbook.archive, workbook.sheet)
    return exact_marks(blocks, formats, strings, limits, deadline)


def _ods_marks(workbook: Workbook, probe: Probe, limits: SheetLimits, deadline: float) -> Marks:
    """An .ods's marked rows and disguised cells: its styles (``styles.xml``, and
    ``content.xml`` before the sheet) first, the sheet only when its probe hit or a data style
    may hide a value."""
    archive = workbook.archive
    parts = [name for name in ("styles.xml", workbook.sheet) if name in archive.namelist()]
    styles = read_styles([_stream(archive, name) for name in parts], limits, deadline)
    if not (probe.hit or styles.may_hide):
        return NO_MARKS
    return ods_marks(_stream(archive, workbook.sheet), limits, deadline, styles)
