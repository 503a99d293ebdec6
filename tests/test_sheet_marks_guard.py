"""registry.sheets.guard: the marks of a workbook (`registry.sheets._marked`) are read only for a
register, and never by the process that asked for the read — a hostile file's formatting made
that pass cost gigabytes and minutes."""

from __future__ import annotations

import dataclasses
import random
import time
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

from registry.sheets._marked import Marks
from registry.sheets._zipdirectory import check_directory
from registry.sheets._zipmarks import sheet_marks
from registry.sheets._zipscan import scan_parts
from registry.sheets.guard import REGISTER_LIMITS, UPLOAD_LIMITS, SheetRefused, read_sheet_bytes
from tests.hostile_files import (
    MAIN_NS,
    bounded,
    sheet_xml,
    workbook_parts,
    write_ods,
    write_workbook,
)

LIBREOFFICE = Path(__file__).parent / "files" / "libreoffice"


def _near_white_runs(path: Path, runs: int) -> Path:
    """The reviewer's 30 KB upload, scaled down: one shared string of ``runs`` runs, each of its
    own near-white colour (their marks kept ``runs`` sets of sizes 1 … ``runs``: 2.7 GB of the
    server's memory at 12,000), in row 3, below a row the sheet hides."""
    colours = ((215 + i % 40, 215 + i // 40 % 40, 215 + i // 1600 % 40) for i in range(runs))
    pale = "".join(
        f'<r><rPr><color rgb="FF{r:02X}{g:02X}{b:02X}"/></rPr><t>a</t></r>' for r, g, b in colours
    )
    strings = f'<sst xmlns="{MAIN_NS}"><si><t>证书编号</t></si><si>{pale}</si></sst>'
    cells = (
        '<row r="1"><c r="A1" t="s"><v>0</v></c></row>'
        '<row r="2" hidden="1"><c r="A2" t="inlineStr"><is><t>G1122000002</t></is></c></row>'
        '<row r="3"><c r="A3" t="s"><v>1</v></c></row>'
    )
    return write_workbook(path, sheet_xml(cells), strings)


def _hidden_ods_row(path: Path) -> Path:
    cell = '<table:table-cell office:value-type="string"><text:p>{}</text:p></table:table-cell>'
    rows = "".join(
        f"<table:table-row{attributes}>{cell.format(text)}</table:table-row>"
        for text, attributes in [
            ("证书编号", ""),
            ("G1122000002", ' table:visibility="collapse"'),
            ("G1122000003", ""),
        ]
    )
    return write_ods(path, rows)


@pytest.mark.parametrize(
    ("name", "build"),
    [("批量.xlsx", lambda path: _near_white_runs(path, 1_500)), ("批量.ods", _hidden_ods_row)],
)
def test_an_upload_reads_no_marks(tmp_path: Path, name: str, build: Callable[[Path], Path]) -> None:
    """A batch check never looks at a file's marks, yet the public upload read them in the
    server's own process, where a 30 KB .xlsx of near-white runs took 2.7 GB and a 2.5 KB
    .ods held both upload slots ten minutes: the rows are read, the marks are not."""
    data = build(tmp_path / name).read_bytes()
    register = read_sheet_bytes(name, data, REGISTER_LIMITS)
    upload = read_sheet_bytes(name, data, UPLOAD_LIMITS)
    assert register.marks.hidden == {2}
    assert upload.marks == Marks()
    assert list(upload.rows()) == list(register.rows())


EVERY_MARK_STYLES = (
    f'<styleSheet xmlns="{MAIN_NS}"><numFmts count="3">'
    '<numFmt numFmtId="164" formatCode=";;;"/><numFmt numFmtId="165" formatCode="mm-dd"/>'
    '<numFmt numFmtId="166" formatCode="&quot;Z&quot;0"/></numFmts>'
    '<fonts count="3"><font><sz val="11"/></font><font><strike/><sz val="11"/></font>'
    '<font><color rgb="FFFFFFFF"/><sz val="11"/></font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill>'
    '<fill><patternFill patternType="gray125"/></fill></fills>'
    '<borders count="1"><border/></borders><cellXfs count="6"><xf/>'
    '<xf fontId="1" applyFont="1"/><xf fontId="2" applyFont="1"/>'
    '<xf numFmtId="164" applyNumberFormat="1"/><xf numFmtId="165" applyNumberFormat="1"/>'
    '<xf numFmtId="166" applyNumberFormat="1"/></cellXfs></styleSheet>'
)
EVERY_MARK_CELLS = (
    '<row r="1"><c r="A1" t="s"><v>0</v></c><c r="D1" t="s"><v>0</v></c></row>'
    '<row r="2"><c r="A2" s="1" t="s"><v>0</v></c></row>'  # struck by its font
    '<row r="3" hidden="1"><c r="A3" t="s"><v>0</v></c></row>'
    '<row r="4"><c r="A4" t="s"><v>1</v></c></row>'  # a run struck: partly
    '<row r="5"><c r="B5"><f>1+1</f></c></row>'  # saved without its value
    '<row r="6"><c r="B6"><f>1+1</f><v>2</v></c></row>'
    '<row r="7"><c r="B7" t="e"><v>#N/A</v></c></row>'
    '<row r="8"><c r="B8" s="2" t="s"><v>0</v></c></row>'  # white on no fill
    '<row r="9"><c r="B9" s="3"><v>7</v></c></row>'  # ;;; shows nothing
    '<row r="10"><c r="B10" s="4"><v>45000</v></c></row>'  # a date without its year
    '<row r="11"><c r="B11" s="5"><v>1122130006</v></c></row>'  # "Z"0 writes a Z
)


def _every_mark(path: Path) -> Path:
    """An .xlsx with a mark of every kind `registry.sheets._marked.Marks` holds."""
    strings = (
        f'<sst xmlns="{MAIN_NS}"><si><t>张三</t></si>'
        "<si><r><rPr><strike/></rPr><t>G1122000001</t></r><r><t>G1122000002</t></r></si></sst>"
    )
    head = '<cols><col min="3" max="3" width="9" hidden="1"/></cols>'
    parts = workbook_parts(sheet_xml(EVERY_MARK_CELLS, head=head), shared_strings=True)
    parts["xl/sharedStrings.xml"] = strings.encode()
    parts["xl/styles.xml"] = EVERY_MARK_STYLES.encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    return path


def _every_field(marks: Marks) -> dict[str, object]:
    """Every field of ``marks``, those `==` leaves out too (struck cells, partly struck …)."""
    return {field.name: getattr(marks, field.name) for field in dataclasses.fields(marks)}


def _outcome(read: Callable[[], Marks]) -> object:
    """Every field of the marks ``read`` gives, or what its refusal says."""
    try:
        return _every_field(read())
    except SheetRefused as refused:
        return str(refused), refused.limit, refused.where


def _in_process(data: bytes) -> Marks:
    """The marks as the parent read them before they moved to a child: the same pass, here."""
    deadline = time.monotonic() + 60
    workbook = check_directory(data, REGISTER_LIMITS, deadline)
    hit = scan_parts(workbook, REGISTER_LIMITS, deadline)
    return sheet_marks(workbook, hit, REGISTER_LIMITS, deadline)


@pytest.mark.parametrize(
    "name",
    ["every_mark.xlsx", *sorted(p.name for p in LIBREOFFICE.iterdir() if p.suffix != ".xls")],
)
def test_the_marks_come_back_from_their_child_as_the_pass_found_them(
    tmp_path: Path, name: str
) -> None:
    """Read in a child process and sent back marshalled, a register's marks are every one the
    pass finds, down to the fields `Marks` does not compare — or its refusal, word for word."""
    path = _every_mark(tmp_path / name) if name == "every_mark.xlsx" else LIBREOFFICE / name
    data = path.read_bytes()
    child = _outcome(lambda: read_sheet_bytes(name, data, REGISTER_LIMITS).marks)
    assert child == _outcome(lambda: _in_process(data))
    if name == "every_mark.xlsx":
        assert isinstance(child, dict) and all(child.values()), child


def _runs_then_empty_elements(path: Path) -> Path:
    """The reviewer's 34 KB .xlsx: a struck run, 10,000 runs of dark colours, then
    ``a<b/>`` 100,000 times in one string — each bit of text went over every colour so far,
    163 s in the server's process against a 10 s limit, its deadline looked at between 1 MiB
    blocks only."""
    runs = "".join(f'<r><rPr><color rgb="FF{i:06X}"/></rPr><t>a</t></r>' for i in range(1, 10_000))
    strings = (
        f'<sst xmlns="{MAIN_NS}"><si><t>证书编号</t></si>'
        f"<si><r><rPr><strike/></rPr><t>x</t></r>{runs}{'a<b/>' * 100_000}</si></sst>"
    )
    cells = (
        '<row r="1"><c r="A1" t="s"><v>0</v></c></row><row r="2"><c r="A2" t="s"><v>1</v></c></row>'
    )
    return write_workbook(path, sheet_xml(cells), strings)


ODS_HEAD = (
    '<?xml version="1.0" encoding="UTF-8"?><office:document-content'
    ' xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"'
    ' xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0"'
    ' xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0"'
    ' xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"'
    ' xmlns:number="urn:oasis:names:tc:opendocument:xmlns:datastyle:1.0"'
    ' xmlns:calcext="urn:org:documentfoundation:names:experimental:calc:xmlns:calcext:1.0"'
    ' xmlns:fo="urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0"'
    ' office:version="1.2"><office:automatic-styles>'
)
ODS_MANIFEST = (
    '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest'
    ' xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0">'
    '<manifest:file-entry manifest:full-path="/"'
    ' manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/></manifest:manifest>'
)
ODS_ROWS = "".join(
    f'<table:table-row><table:table-cell office:value-type="string"><text:p>{text}</text:p>'
    "</table:table-cell></table:table-row>"
    for text in ("证书编号", "G1122000002")
)


def _ods_of(path: Path, styles: str, after_rows: str = "") -> Path:
    """An .ods of two rows whose content.xml has ``styles`` and, after the rows, ``after_rows``."""
    content = (
        f"{ODS_HEAD}{styles}</office:automatic-styles><office:body><office:spreadsheet>"
        f'<table:table table:name="名册">{ODS_ROWS}{after_rows}</table:table>'
        "</office:spreadsheet></office:body></office:document-content>"
    )
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr(
            zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.spreadsheet"
        )
        archive.writestr("content.xml", content)
        archive.writestr("META-INF/manifest.xml", ODS_MANIFEST)
    return path


def _conditions(path: Path) -> Path:
    """The reviewer's 2.5 KB .ods: a conditional format of 4,000 ranges × 4,000 conditions, each
    applying a white text style — both upload slots held 593 s, no deadline looked at."""
    white = (
        '<style:style style:name="H" style:family="table-cell">'
        '<style:text-properties fo:color="#ffffff"/></style:style>'
    )
    ranges = " ".join(f"名册.C{9 + i % 50}:名册.C{9 + i % 50}" for i in range(4_000))
    condition = '<calcext:condition calcext:apply-style-name="H" calcext:value="1"/>'
    formats = (
        "<calcext:conditional-formats>"
        f'<calcext:conditional-format calcext:target-range-address="{ranges}">'
        f"{condition * 4_000}</calcext:conditional-format></calcext:conditional-formats>"
    )
    return _ods_of(path, white, formats)


def _text_styles_on_backgrounds(path: Path) -> Path:
    """The reviewer's 68 KB .ods: 8,000 text styles × 8,000 light backgrounds, 220 s."""
    texts = "".join(
        f'<style:style style:name="T{i}" style:family="text">'
        '<style:text-properties fo:color="#000000"/></style:style>'
        for i in range(8_000)
    )
    backgrounds = "".join(
        f'<style:style style:name="c{i}" style:family="table-cell">'
        f'<style:table-cell-properties fo:background-color="#{0xF00000 + i:06x}"/></style:style>'
        for i in range(8_000)
    )
    return _ods_of(path, texts + backgrounds)


def _long_data_style_text(path: Path) -> Path:
    """The reviewer's 254 KB .ods: a ``<number:text>`` of 15 MB, written out a character at a
    time as an Excel code — the server's process grew by 1.1 GB."""
    letters = bytes(98 if byte < 4 else 97 for byte in range(256))  # a b now and then
    text = random.Random(389).randbytes(15 << 20).translate(letters).decode()
    style = f'<number:number-style style:name="N1"><number:text>{text}</number:text></number:number-style>'
    return _ods_of(path, style)


@pytest.mark.parametrize(
    ("build", "limit"),
    [
        (lambda path: _near_white_runs(path, 6_000), "memory_bytes"),
        (_runs_then_empty_elements, "seconds"),
        (_conditions, "seconds"),
        (_text_styles_on_backgrounds, "seconds"),
        (_long_data_style_text, "memory_bytes"),
    ],
    ids=["near-white-runs", "runs-then-empty-elements", "conditions", "styles", "data-style-text"],
)
def test_a_register_whose_formatting_costs_gigabytes_or_minutes_costs_only_a_child(
    tmp_path: Path, build: Callable[[Path], Path], limit: str
) -> None:
    """The reviewer's files, read as a register under small limits: refused for their
    formatting by the limit the marks' child met, while the reading process stays small — it
    took gigabytes and minutes reading their marks itself."""
    path = build(tmp_path / "hostile")
    suffix = ".ods" if zipfile.ZipFile(path).namelist()[0] == "mimetype" else ".xlsx"
    read = (
        "import dataclasses, re, resource\n"
        "from pathlib import Path\n"
        "from registry.sheets.guard import REGISTER_LIMITS, SheetRefused, read_sheet_bytes\n"
        f"data = Path({str(path)!r}).read_bytes()\n"
        "limits = dataclasses.replace(REGISTER_LIMITS, memory_bytes=256 << 20, seconds=3)\n"
        "before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
        "try:\n"
        f"    read_sheet_bytes('名册{suffix}', data, limits)\n"
        "    said = 'accepted (no refusal)'\n"
        "except SheetRefused as refused:\n"
        "    said = f'{refused.limit} {refused}'\n"
        "grown = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) // 1024\n"
        "status = Path('/proc/self/status').read_text()\n"
        "peak = int(re.findall(r'VmHWM:\\s*(\\d+)', status)[0]) // 1024\n"
        "print(grown, peak, said)\n"
    )
    grown_mib, peak_mib, refused_by, message = bounded(read, seconds=60).split(maxsplit=3)
    # ru_maxrss keeps the peak of the process it was forked from; VmHWM is this one's own
    assert int(grown_mib) < 100 and int(peak_mib) < 150, (grown_mib, peak_mib)
