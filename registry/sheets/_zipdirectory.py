"""The zip of a workbook (.xlsx/.xlsm/.ods) as the parent reads it, trusting nothing in it.

`check_directory` reads only the zip's central directory — sizes, ratios, number of parts — and
finds the first worksheet; it runs before any parser sees the file. `stream` inflates one part
block by block, proving the size and CRC the directory declares for it: every later check of
the parts (`registry.sheets._zipscan`, `registry.sheets._zipmarks`) reads them through it.
"""

from __future__ import annotations

import copy
import io
import posixpath
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from registry.sheets._extent import StopParsing, parse_marks
from registry.sheets._limits import (
    SheetLimits,
    exceeded,
    other_document,
    unreadable,
)

READ_BYTES = 1 << 20
RATIO_FLOOR = 1 << 20
"""parts that inflate to less than this are not checked for their ratio: they cannot hurt"""
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


def stream(archive: zipfile.ZipFile, name: str) -> Iterator[bytes]:
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
    return b"".join(stream(archive, name))


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
    parse_marks(stream(archive, name), start, limits=limits, deadline=deadline, broken=broken)
