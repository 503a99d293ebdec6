"""A corpus of hostile spreadsheets, each built small and fast, for `registry.sheets.guard`.

Every file here made python-calamine (or a naive read) abort, hang or take gigabytes in an
attacker's test; `HOSTILE` lists them with the `SheetLimits` field whose refusal they must meet.
The big zip parts are written as one deflate block repeated (``Z_FULL_FLUSH`` makes a block that
stands alone), so a 950 MB part costs a 1 MB file and no 950 MB of memory to build; zips with
sizes that lie, or cut short, are written byte by byte, as no zip library writes them.
"""

from __future__ import annotations

import os
import struct
import subprocess
import sys
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

MIB = 1 << 20
MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    "</Types>"
)
PACKAGE_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>'
    "</Relationships>"
)
WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    f'<workbook xmlns="{MAIN_NS}" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="名册" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>'
    "{shared}</Relationships>"
)
SHARED_STRINGS_REL = '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/>'

BILLION_LAUGHS = (
    '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    + "".join(
        f'<!ENTITY lol{n} "{("&lol" + str(n - 1) + ";") if n > 1 else "&lol;"}'
        f'{("&lol" + str(n - 1) + ";") * 9 if n > 1 else "&lol;" * 9}">'
        for n in range(1, 10)
    )
    + "]>"
)


def sheet_xml(cells: str, head: str = "") -> str:
    """A worksheet whose ``<sheetData>`` is ``cells`` (raw XML), after ``head`` (e.g. dimension)."""
    return (
        f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{MAIN_NS}">{head}'
        f"<sheetData>{cells}</sheetData></worksheet>"
    )


def workbook_parts(sheet: str, *, shared_strings: bool = False) -> dict[str, bytes]:
    """The parts of a one-sheet .xlsx but sharedStrings.xml, which ``shared_strings`` announces."""
    relationships = WORKBOOK_RELS.format(shared=SHARED_STRINGS_REL if shared_strings else "")
    return {
        "[Content_Types].xml": CONTENT_TYPES.encode(),
        "_rels/.rels": PACKAGE_RELS.encode(),
        "xl/workbook.xml": WORKBOOK.encode(),
        "xl/_rels/workbook.xml.rels": relationships.encode(),
        "xl/worksheets/sheet1.xml": sheet.encode(),
    }


def write_workbook(path: Path, sheet: str, shared_strings: str | None = None) -> Path:
    """A minimal .xlsx with one worksheet, as Excel lays it out, written by `zipfile`."""
    parts = workbook_parts(sheet, shared_strings=shared_strings is not None)
    if shared_strings is not None:
        parts["xl/sharedStrings.xml"] = shared_strings.encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    return path


def one_cell(reference: str, *, also_a1: bool = False) -> str:
    row = "".join(ch for ch in reference if ch.isdigit())
    first = '<row r="1"><c r="A1"><v>1</v></c></row>' if also_a1 else ""
    return sheet_xml(f'{first}<row r="{row}"><c r="{reference}"><v>1</v></c></row>')


# A zip written byte by byte: for parts bigger than memory, and for directories that lie.


@dataclass(frozen=True)
class RawPart:
    name: str
    data: bytes
    """the stored bytes: a raw deflate stream, or the plain bytes when ``method`` is 0"""
    size: int
    """the inflated size written in the headers — true unless the test wants a lie"""
    crc: int
    method: int = zipfile.ZIP_DEFLATED


def stored(name: str, data: bytes) -> RawPart:
    return RawPart(name, data, len(data), zlib.crc32(data), zipfile.ZIP_STORED)


def deflated(name: str, data: bytes) -> RawPart:
    squeeze = zlib.compressobj(9, zlib.DEFLATED, -15)
    return RawPart(name, squeeze.compress(data) + squeeze.flush(), len(data), zlib.crc32(data))


def repeated(name: str, block: bytes, times: int) -> RawPart:
    """``block`` × ``times`` as a part, without ever holding it: one flushed deflate block of
    ``block`` repeats ``times`` times, then an empty final block."""
    squeeze = zlib.compressobj(9, zlib.DEFLATED, -15)
    piece = squeeze.compress(block) + squeeze.flush(zlib.Z_FULL_FLUSH)
    crc = 0
    for _ in range(times):
        crc = zlib.crc32(block, crc)
    final = zlib.compressobj(9, zlib.DEFLATED, -15).flush()
    return RawPart(name, piece * times + final, len(block) * times, crc)


def write_raw_zip(path: Path, parts: list[RawPart]) -> Path:
    """Local headers, data, central directory and end record, as APPNOTE 4.3 lays them out."""
    body = bytearray()
    directory = bytearray()
    for part in parts:
        name = part.name.encode()
        sizes = (part.crc, len(part.data), part.size, len(name), 0)
        offset = len(body)
        body += struct.pack("<IHHHHH", 0x04034B50, 20, 0x800, part.method, 0, 0x21)
        body += struct.pack("<IIIHH", *sizes) + name + part.data
        directory += struct.pack("<IHHHHHH", 0x02014B50, 20, 20, 0x800, part.method, 0, 0x21)
        directory += struct.pack("<IIIHHHHHII", *sizes, 0, 0, 0, 0, offset) + name
    end = struct.pack(
        "<IHHHHIIH", 0x06054B50, 0, 0, len(parts), len(parts), len(directory), len(body), 0
    )
    path.write_bytes(bytes(body + directory + end))
    return path


def small_parts(sheet: str, *, shared_strings: bool = False) -> list[RawPart]:
    parts = workbook_parts(sheet, shared_strings=shared_strings)
    return [deflated(name, data) for name, data in parts.items()]


# The corpus


def _shared_strings_950mb(path: Path) -> None:
    """0.97 MB .xlsx whose sharedStrings.xml inflates to 950 MB (one string of 'A's)."""
    head = f'<?xml version="1.0"?><sst xmlns="{MAIN_NS}" count="1" uniqueCount="1"><si><t>'
    cells = sheet_xml('<row r="1"><c r="A1" t="s"><v>0</v></c></row>')
    strings = _concat("xl/sharedStrings.xml", head.encode(), b"A" * MIB, 950, b"</t></si></sst>")
    write_raw_zip(path, small_parts(cells, shared_strings=True) + [strings])


def _concat(name: str, head: bytes, block: bytes, times: int, tail: bytes) -> RawPart:
    """A part of ``head``, ``block`` × ``times`` and ``tail``, built like `repeated`."""
    squeeze = zlib.compressobj(9, zlib.DEFLATED, -15)
    start = squeeze.compress(head) + squeeze.flush(zlib.Z_FULL_FLUSH)
    piece = squeeze.compress(block) + squeeze.flush(zlib.Z_FULL_FLUSH)
    end = squeeze.compress(tail) + squeeze.flush()
    crc = zlib.crc32(head)
    for _ in range(times):
        crc = zlib.crc32(block, crc)
    crc = zlib.crc32(tail, crc)
    return RawPart(
        name, start + piece * times + end, len(head) + len(block) * times + len(tail), crc
    )


def _shared_strings_20m(path: Path) -> None:
    """20M shared strings (python-calamine took 1.1 GB for them): 340 MB of ``<si>``."""
    block = b"<si><t>x</t></si>" * 65_536
    head = f'<?xml version="1.0"?><sst xmlns="{MAIN_NS}" count="20000000" uniqueCount="20000000">'
    cells = sheet_xml('<row r="1"><c r="A1" t="s"><v>0</v></c></row>')
    strings = _concat("xl/sharedStrings.xml", head.encode(), block, 306, b"</sst>")
    write_raw_zip(path, small_parts(cells, shared_strings=True) + [strings])


def _zip_bomb(path: Path) -> None:
    """4.5 GB in a 4.6 MB .xlsx: 36 parts of 125 MiB of zeros (ratio ~1000 each)."""
    bomb = repeated("xl/media/image0.bin", bytes(MIB), 125)
    cells = sheet_xml('<row r="1"><c r="A1"><v>1</v></c></row>')
    parts = small_parts(cells)
    parts += [RawPart(f"xl/media/image{n}.bin", bomb.data, bomb.size, bomb.crc) for n in range(36)]
    write_raw_zip(path, parts)


def _too_much_inflated(path: Path) -> None:
    """3 × 100 MiB of parts that compress only ~60× each: no single part trips a limit, their
    sum does (300 MiB over 256)."""
    block = os.urandom(4096) + bytes(250_000)
    part = repeated("xl/media/a.bin", block, 412)
    cells = sheet_xml('<row r="1"><c r="A1"><v>1</v></c></row>')
    parts = small_parts(cells)
    parts += [RawPart(f"xl/media/{n}.bin", part.data, part.size, part.crc) for n in range(3)]
    write_raw_zip(path, parts)


def _many_parts(path: Path) -> None:
    """1,200 empty parts (the limit is 1,000)."""
    cells = sheet_xml('<row r="1"><c r="A1"><v>1</v></c></row>')
    write_raw_zip(
        path,
        small_parts(cells) + [stored(f"xl/x/{n}.xml", b"") for n in range(1_200)],
    )


def _lying_size(path: Path) -> None:
    """sharedStrings.xml says it inflates to 1 KB (and its CRC is of that first KB), but goes on
    for 200 MB: past every directory check, into the parser."""
    head = f'<?xml version="1.0"?><sst xmlns="{MAIN_NS}"><si><t>'.encode()
    real = _concat("xl/sharedStrings.xml", head, b"B" * MIB, 200, b"</t></si></sst>")
    first_kb = (head + b"B" * MIB)[:1024]
    lie = RawPart(real.name, real.data, 1024, zlib.crc32(first_kb))
    cells = sheet_xml('<row r="1"><c r="A1" t="s"><v>0</v></c></row>')
    write_raw_zip(path, small_parts(cells, shared_strings=True) + [lie])


def _truncated(path: Path) -> None:
    """A valid .xlsx cut off half-way (no central directory)."""
    whole = write_workbook(path, one_cell("B2")).read_bytes()
    path.write_bytes(whole[: len(whole) // 2])


def _damaged_part(path: Path) -> None:
    """Directory intact, the worksheet's compressed bytes overwritten in the middle."""
    rows = "".join(
        f'<row r="{n}"><c r="A{n}"><v>{n * 7919 % 10007}</v></c></row>' for n in range(1, 3_000)
    )
    parts = small_parts(sheet_xml(rows))
    sheet = next(p for p in parts if p.name.endswith("sheet1.xml"))
    middle = len(sheet.data) // 2
    broken = sheet.data[:middle] + b"\xff" * 64 + sheet.data[middle + 64 :]
    parts[parts.index(sheet)] = RawPart(sheet.name, broken, sheet.size, sheet.crc)
    write_raw_zip(path, parts)


def _billion_laughs(path: Path) -> None:
    """A worksheet with the classic entity bomb: 10^9 'lol's from a 1 KB DTD."""
    sheet = BILLION_LAUGHS + (
        f'<worksheet xmlns="{MAIN_NS}"><sheetData><row r="1"><c r="A1" t="inlineStr">'
        "<is><t>&lol9;</t></is></c></row></sheetData></worksheet>"
    )
    write_workbook(path, sheet)


def _billion_laughs_shared(path: Path) -> None:
    """The same bomb in sharedStrings.xml, a part only the parser would read."""
    strings = BILLION_LAUGHS + f'<sst xmlns="{MAIN_NS}"><si><t>&lol9;</t></si></sst>'
    cells = sheet_xml('<row r="1"><c r="A1" t="s"><v>0</v></c></row>')
    write_workbook(path, cells, strings)


def _png(path: Path) -> None:
    """A PNG image renamed to .xlsx."""
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(13) + os.urandom(512))


def _web_page(path: Path) -> None:
    """What a business system's "export to Excel" often gives: an HTML table named .xls."""
    path.write_text(
        "<html><head><meta charset='utf-8'></head><body><table><tr><td>证书编号</td>"
        "<td>姓名</td></tr><tr><td>Z1122020001</td><td>周杰</td></tr></table></body></html>",
        encoding="utf-8",
    )


def _csv_renamed(path: Path) -> None:
    """A CSV renamed .xlsx, in GB18030 as Chinese Excel saves it."""
    path.write_bytes("证书编号,姓名\r\nZ1122020001,周杰\r\n".encode("gb18030"))


def _lock_file(path: Path) -> None:
    """Office's lock file of a workbook open in Excel: its user's name, padded (162 bytes)."""
    path.write_bytes(b"\x0dAdministrator" + b" " * 40 + b"\x00" * 108)


def _xml_spreadsheet(path: Path) -> None:
    """Excel 2003's XML spreadsheet named .xls."""
    path.write_text(
        '<?xml version="1.0"?><?mso-application progid="Excel.Sheet"?><Workbook xmlns='
        '"urn:schemas-microsoft-com:office:spreadsheet"><Worksheet/></Workbook>',
        encoding="utf-8",
    )


def _empty(path: Path) -> None:
    """A copy interrupted: nothing at all."""
    path.write_bytes(b"")


def _zip_not_workbook(path: Path) -> None:
    """A zip of text files renamed to .xlsx."""
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("readme.txt", "not a workbook")
        archive.writestr("data/rows.csv", "a,b\n1,2\n")


def _xlsb(path: Path) -> None:
    """An .xlsb (binary parts python-calamine would read unscanned) renamed to .xlsx."""
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("xl/workbook.bin", os.urandom(64))
        archive.writestr("xl/worksheets/sheet1.bin", os.urandom(64))


def _fake_ole(path: Path) -> None:
    """An .xls that is an OLE signature followed by noise (as a .doc renamed): said in Chinese."""
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + os.urandom(4096))


def _odd_quoting(path: Path) -> None:
    """A1 and a far cell whose ``r`` is written with spaces and single quotes, which a search
    for ``r="`` would miss."""
    cells = "<row r='1'><c r = 'A1'><v>1</v></c></row><row r='1048576'><c r = 'XFD1048576'><v>1</v></c></row>"
    write_workbook(path, sheet_xml(cells))


def _big_sheet_far_cell(path: Path) -> None:
    """40,000 ordinary rows (a 5 MB sheet, scanned while the child parses) and then A1's
    partner at XFD1048576, the 2-cell bomb, at the very end."""
    text = "x" * 100
    rows = "".join(
        f'<row r="{n}"><c r="A{n}" t="inlineStr"><is><t>{text}</t></is></c></row>'
        for n in range(1, 40_001)
    )
    far = '<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>'
    write_workbook(path, sheet_xml(rows + far))


def _implicit_columns(path: Path) -> None:
    """A row of 5,000 cells without ``r``: each sits right of the one before, to column GJH."""
    write_workbook(path, sheet_xml('<row r="1">' + "<c><v>1</v></c>" * 5_000 + "</row>"))


def _ods_repeated_rows(path: Path) -> None:
    """An .ods whose one row with a value is repeated a million times."""
    row = (
        '<table:table-row table:number-rows-repeated="1000000">'
        '<table:table-cell office:value-type="float" office:value="1"><text:p>1</text:p></table:table-cell>'
        "</table:table-row>"
    )
    write_ods(path, row)


def _ods_repeated_columns(path: Path) -> None:
    """An .ods whose one cell with a value is repeated across 16,384 columns."""
    row = (
        "<table:table-row>"
        '<table:table-cell table:number-columns-repeated="16384" office:value-type="string"><text:p>x</text:p></table:table-cell>'
        "</table:table-row>"
    )
    write_ods(path, row)


ODS_NAMESPACES = (
    'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
    'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"'
)


def write_ods(path: Path, rows: str) -> Path:
    """A minimal OpenDocument spreadsheet whose first table holds ``rows`` (raw XML)."""
    content = (
        f'<?xml version="1.0" encoding="UTF-8"?><office:document-content {ODS_NAMESPACES} office:version="1.2">'
        '<office:body><office:spreadsheet><table:table table:name="名册">'
        f"{rows}</table:table></office:spreadsheet></office:body></office:document-content>"
    )
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
        '<manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
        '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
        "</manifest:manifest>"
    )
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr("content.xml", content, zipfile.ZIP_DEFLATED)
        archive.writestr("META-INF/manifest.xml", manifest, zipfile.ZIP_DEFLATED)
    return path


def _fifo(path: Path) -> None:
    """A named pipe called r.csv: opening it for reading blocks until a writer comes."""
    os.mkfifo(path)


def _dev_zero(path: Path) -> None:
    """A symlink r.csv → /dev/zero: reads forever."""
    path.symlink_to("/dev/zero")


def _million_columns(path: Path) -> None:
    """A 2 MB CSV whose header has 1,000,000 columns."""
    path.write_bytes(b",".join([b"x"] * 1_000_000) + b"\r\n1,2\r\n")


def _huge_csv(path: Path) -> None:
    """A 40 MiB CSV (sparse: it takes no disk), over the 32 MiB a register may be."""
    with path.open("wb") as handle:
        handle.write("姓名,颁发证书编号\r\n".encode())
        handle.truncate(40 * MIB)


@dataclass(frozen=True)
class Hostile:
    name: str
    """file name; its suffix picks the reader"""
    limit: str
    """`SheetRefused.limit` it must meet under `REGISTER_LIMITS`"""
    build: Callable[[Path], object]
    mentions: str = ""
    """text the refusal must contain (the culprit cell, say)"""
    upload_limit: str = ""
    """the limit it meets first under `UPLOAD_LIMITS`, when not ``limit``"""


HOSTILE = [
    Hostile("xfd1048576.xlsx", "max_rows", lambda p: write_workbook(p, one_cell("XFD1048576"))),
    Hostile(
        "a1-and-xfd1048576.xlsx",
        "max_rows",
        lambda p: write_workbook(p, one_cell("XFD1048576", also_a1=True)),
        "XFD1048576",
    ),
    Hostile(
        "zzzzz20.xlsx", "max_columns", lambda p: write_workbook(p, one_cell("ZZZZZ20")), "ZZZZZ20"
    ),
    Hostile(
        "a99999999.xlsx",
        "max_rows",
        lambda p: write_workbook(p, one_cell("A99999999")),
        "A99999999",
    ),
    Hostile(
        "xfd3000.xlsx",
        "max_columns",
        lambda p: write_workbook(p, one_cell("XFD3000")),
        "16,384 列",
    ),
    Hostile("odd-quoting.xlsx", "max_rows", _odd_quoting, "XFD1048576"),
    Hostile("big-sheet-far-cell.xlsx", "max_rows", _big_sheet_far_cell, "XFD1048576"),
    Hostile("implicit-columns.xlsx", "max_columns", _implicit_columns, "5,000 列"),
    Hostile(
        "shared-strings-950mb.xlsx", "max_entry_bytes", _shared_strings_950mb, "sharedStrings.xml"
    ),
    Hostile("shared-strings-20m.xlsx", "max_entry_bytes", _shared_strings_20m, "sharedStrings.xml"),
    Hostile("zip-bomb.xlsx", "max_ratio", _zip_bomb, upload_limit="max_file_bytes"),
    Hostile(
        "too-much-inflated.xlsx",
        "max_uncompressed_bytes",
        _too_much_inflated,
        upload_limit="max_file_bytes",
    ),
    Hostile("many-parts.xlsx", "max_entries", _many_parts, "1,205 个部件"),
    Hostile("lying-size.xlsx", "format", _lying_size, "实际大小与目录不符"),
    Hostile("truncated.xlsx", "format", _truncated, "损坏"),
    Hostile("damaged-part.xlsx", "format", _damaged_part, "损坏"),
    Hostile("billion-laughs.xlsx", "format", _billion_laughs, "DTD"),
    Hostile("billion-laughs-shared.xlsx", "format", _billion_laughs_shared, "DTD"),
    Hostile("png.xlsx", "format", _png, "不是 Excel/WPS 工作簿"),
    Hostile("zip-not-workbook.xlsx", "format", _zip_not_workbook, "没有 Excel/WPS 工作簿"),
    Hostile("xlsb-renamed.xlsx", "format", _xlsb, ".xlsb"),
    Hostile("fake-ole.xls", "format", _fake_ole, "不是 Excel/WPS 工作簿（可能是改了扩展名的 Word"),
    Hostile("web-page.xls", "format", _web_page, "这是网页（HTML）文件，只是扩展名为 .xls"),
    Hostile("csv-renamed.xlsx", "format", _csv_renamed, "这是文本文件（多半是 CSV）"),
    Hostile("~$名册.xlsx", "format", _lock_file, "锁定文件（文件名以 ~$ 开头），不是名册"),
    Hostile("xml-2003.xls", "format", _xml_spreadsheet, "这是 Excel 2003 的 XML 表格"),
    Hostile("empty.xlsx", "format", _empty, "文件是空的"),
    Hostile("empty.csv", "format", _empty, "文件是空的"),  # not "no header in 30 rows"
    Hostile("ods-rows.ods", "max_rows", _ods_repeated_rows, "1,000,000 行"),
    Hostile("ods-columns.ods", "max_columns", _ods_repeated_columns, "16,384 列"),
    Hostile("fifo/r.csv", "format", _fifo, "不是普通文件"),
    Hostile("dev-zero/r.csv", "format", _dev_zero, "不是普通文件"),
    Hostile(
        "million-columns.csv",
        "max_columns",
        _million_columns,
        "1,000,000 列",
        upload_limit="max_file_bytes",
    ),
    Hostile("huge.csv", "max_file_bytes", _huge_csv, "40 MiB"),
]


def build(folder: Path, hostile: Hostile) -> Path:
    """Write ``hostile`` under ``folder`` (once) and return its path."""
    path = folder / hostile.name
    if not path.exists() and not path.is_symlink():
        path.parent.mkdir(parents=True, exist_ok=True)
        hostile.build(path)
    return path


def bounded(code: str, seconds: float = 20) -> str:
    """The output of Python ``code`` run in a child process, failing the test when it runs past
    ``seconds``: a regular expression that backtracks holds the interpreter lock, so no thread
    of the test's own could stop it and report — a hang guard, not a measure of speed."""
    root = Path(__file__).resolve().parent.parent
    try:
        done = subprocess.run(
            [sys.executable, "-c", code],
            cwd=root,
            capture_output=True,
            text=True,
            timeout=seconds,
        )
    except subprocess.TimeoutExpired:
        raise AssertionError(f"still running after {seconds} s") from None
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout
