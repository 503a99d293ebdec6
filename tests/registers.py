"""Building real register files for tests: annex-shaped .xlsx/.csv plus registers.toml."""

from __future__ import annotations

import json
import sqlite3
import struct
import zipfile
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any
from unittest import mock
from xml.sax.saxutils import escape, quoteattr

import openpyxl
import pytest
import xlwt
from click.testing import CliRunner

from registry import store
from registry.cli import cli
from registry.kinds import LAYOUTS
from registry.sheets.writers import approval_footer, write_csv, write_xlsx
from registry.store.append_only import HOLDER_TRIGGER
from registry.store.schema import DOTTED_INDEX

EXAMS = {
    "思想政治表现": "合格",
    "生产工作成绩": "良好",
    "职业道德": "合格",
    "技术业务理论": 75,
    "实际操作技能": 82,
}


_DIGITS_AS_NAME = "甲乙丙丁戊己庚辛壬癸"


def numbered_name(prefix: str, i: int) -> str:
    """A holder's name for row ``i`` of a long generated roster, no two alike (as §二 compares
    them: 张 + a traditional character and 张 + its simplified form are one name)."""
    return prefix + "".join(_DIGITS_AS_NAME[int(digit)] for digit in f"{i:04d}")


def approval_row(
    number: str, name: str = "张三", level: str = "中级", **changes: object
) -> dict[str, object]:
    """A valid 附件4 row; ``changes`` overrides columns by their annex name."""
    row: dict[str, object] = {
        "姓名": name,
        "性别": "男",
        "出生年月": "1975.05",
        "参加工作时间": "1995.07",
        "原岗位证书号（未获工种年限）": "",
        "执行工资等级起始时间": "2008.10",
        "报考年度": 2011,
        "报考工种": "电工",
        "报考等级": level,
        **EXAMS,
        "颁发证书编号": number,
    }
    row.update(changes)
    return row


def technician_row(number: str, name: str = "黄志强", **changes: object) -> dict[str, object]:
    row: dict[str, object] = {
        "序号": 1,
        "姓名": name,
        "性别": "男",
        "出生日期": "1968.04",
        "文化程度": "高中",
        "工作单位": "成都市示例中学",
        "报考年度": 2011,
        "报考工种": "中式烹调师",
        "批准文号": "川人社函〔2012〕12号",
        "颁发证书编号": number,
    }
    row.update(changes)
    return row


REISSUE_DOCUMENTS = {
    "个人申请": "申请1",
    "单位证明": "证明1",
    "原公布文件": "绵人社函〔2012〕8号",
    "主管部门审核": "同意",
    "发证机关审核": "同意",
}
"""What a 补发 of a 绵阳 certificate of `MIANYANG` needs (§四.(六)3); `status_event` dates its
reviews on the 补发's day."""
REASONS = {"换发": "证书错填", "补发": "证书遗失", "撤销": "弄虚作假"}


def status_event(
    kind: str, number: str, name: str, date: str, new: str = "", **extra: str
) -> dict[str, object]:
    """A valid row of a status-changes register; ``extra`` overrides columns by name."""
    row: dict[str, object] = {
        "类型": kind,
        "证书编号": number,
        "姓名": name,
        "日期": date,
        "新证书编号": new,
        "原因": REASONS[kind] if kind in REASONS else "测试",
        "批准文号": f"绵人社函〔{date[:4]}〕1号",
    }
    if kind == "补发":
        row.update(REISSUE_DOCUMENTS)
        row.update({column: f"同意 {date}" for column in ("主管部门审核", "发证机关审核")})
    row.update(extra)
    return row


MIANYANG = {
    "kind": "approval-roster",
    "authority": "2202",
    "approval_doc": "绵人社函〔2012〕8号",
    "issued_on": "2012-03-20",
    "year_code": "11",
}
PROVINCE = {
    "kind": "approval-roster",
    "authority": "2200",
    "unit": "省直示例单位",
    "approval_doc": "川人社函〔2012〕12号",
    "issued_on": "2012-03-15",
    "year_code": "11",
}
TECHNICIANS = {
    "kind": "technician-roster",
    "authority": "2200",
    "region": "2201",
    "approval_doc": "川人社函〔2012〕12号",
    "issued_on": "2012-03-15",
    "year_code": "11",
}


def _toml_value(value: object) -> str:
    text = str(value)
    if len(text) == 10 and text[4] == "-" and text[7] == "-":
        return text  # a TOML date
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


class RegisterFactory:
    """A folder of registers; each ``add_*`` writes a file and its manifest entry."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.folder.mkdir(parents=True, exist_ok=True)
        self.entries: dict[str, Mapping[str, object]] = {}
        self.extra_manifest = ""

    def add(
        self,
        name: str,
        rows: Iterable[Mapping[str, object]],
        facts: Mapping[str, object],
        *,
        encoding: str = "utf-8",
        footer: list[str] | None = None,
        title: str | None = "名册",
    ) -> Path:
        path = self.folder / name
        kind = str(facts["kind"])
        if path.suffix == ".xlsx":
            write_xlsx(path, LAYOUTS[kind], rows, title=title, footer=footer)
        else:
            write_csv(path, LAYOUTS[kind], rows, encoding=encoding, title=title, footer=footer)
        self.entries[name] = facts
        self.write_manifest()
        return path

    def write_manifest(self) -> None:
        lines = [self.extra_manifest]
        for name, facts in self.entries.items():
            lines.append("[[register]]")
            lines.append(f"file = {_toml_value(name)}")
            lines.extend(f"{key} = {_toml_value(value)}" for key, value in facts.items())
        (self.folder / "registers.toml").write_text("\n".join(lines) + "\n", encoding="utf-8")


def footer(counts: Mapping[str, int]) -> list[str]:
    return approval_footer(counts)


_ODS_CONTENT = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"'
    ' xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0"'
    ' xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0"'
    ' xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"'
    ' xmlns:fo="urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0" office:version="1.2">'
    '<office:automatic-styles><style:style style:name="ce1" style:family="table-cell">'
    '<style:text-properties style:text-line-through-style="solid"/></style:style>'
    '<style:style style:name="T1" style:family="text">'
    '<style:text-properties style:text-line-through-style="solid"/></style:style>'
    "</office:automatic-styles>"
    '<office:body><office:spreadsheet><table:table table:name="名册">{rows}</table:table>'
    "</office:spreadsheet></office:body></office:document-content>"
)


def as_ods(
    xlsx: Path,
    path: Path,
    *,
    hidden: Iterable[int] = (),
    struck: Iterable[int] = (),
    results: Mapping[str, str] | None = None,
) -> None:
    """Write to ``path`` the .ods LibreOffice or WPS saves of an .xlsx register (values only),
    with ``hidden`` rows collapsed and ``struck`` rows struck through, half by the cells'
    style and half by a struck run of their text (1-based). Its formulas (``="电"&"工"``) are
    written as formulas, with the text ``results`` gives each saved as LibreOffice saves it,
    or with none, as a program that does not work them out writes them."""
    source = openpyxl.load_workbook(xlsx).worksheets[0]
    hidden, struck = set(hidden), set(struck)
    rows = []
    for number, row in enumerate(source.iter_rows(values_only=True), start=1):
        cells = []
        for value in row:
            if value is None:
                cells.append("<table:table-cell/>")
                continue
            if isinstance(value, str) and value.startswith("="):
                cells.append(_ods_formula(value, (results or {}).get(value)))
                continue
            text = escape(str(value))
            style = ' table:style-name="ce1"' if number in struck and number % 2 else ""
            run = (
                f'<text:span text:style-name="T1">{text}</text:span>' if number in struck else text
            )
            kind = 'office:value-type="float" office:value="{0}"' if isinstance(value, int) else ""
            kind = kind.format(value) or 'office:value-type="string"'
            cells.append(
                f"<table:table-cell {kind}{style}><text:p>{run}</text:p></table:table-cell>"
            )
        visibility = ' table:visibility="collapse"' if number in hidden else ""
        rows.append(f"<table:table-row{visibility}>{''.join(cells)}</table:table-row>")
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr("content.xml", _ODS_CONTENT.format(rows="".join(rows)))
        archive.writestr(
            "META-INF/manifest.xml",
            '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest'
            ' xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0">'
            '<manifest:file-entry manifest:full-path="/"'
            ' manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
            '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
            "</manifest:manifest>",
        )


def _ods_formula(formula: str, result: str | None) -> str:
    """An .ods cell holding ``formula`` (OpenFormula's ``of:`` prefix) and ``result`` saved as
    its text — LibreOffice saves the result of every formula — or no result at all."""
    attribute = quoteattr(f"of:{formula}")
    if result is None:
        return f"<table:table-cell table:formula={attribute}/>"
    return (
        f'<table:table-cell table:formula={attribute} office:value-type="string">'
        f"<text:p>{escape(result)}</text:p></table:table-cell>"
    )


def as_xls(
    xlsx: Path,
    path: Path,
    *,
    hidden: Iterable[int] = (),
    struck: Iterable[int] = (),
    results: Mapping[str, str] | None = None,
) -> None:
    """Write to ``path`` the .xls a clerk saves (Excel 97-2003) of an .xlsx register: its values
    merged cells and number formats, with ``hidden`` rows hidden and ``struck`` rows' cells
    struck (1-based).
    Its formulas are written as formulas: with the text ``results`` gives each saved as Excel
    saves it, else as xlwt writes every formula, its result the empty string's placeholder (a
    program that does not work them out)."""
    source = openpyxl.load_workbook(xlsx).worksheets[0]
    book = xlwt.Workbook(encoding="utf-8")
    sheet = book.add_sheet(source.title)
    struck = set(struck)
    styles: dict[tuple[bool, str], xlwt.XFStyle] = {}
    merged = {(r.min_row, r.min_col): r for r in source.merged_cells.ranges}
    saved: dict[tuple[int, int], str] = {}
    for row in source.iter_rows():
        for cell in row:
            if not isinstance(cell, openpyxl.cell.cell.Cell) or cell.value is None:
                continue
            key = (cell.row in struck, cell.number_format)
            if key not in styles:
                styles[key] = xlwt.easyxf(
                    "font: struck_out on" if key[0] else "", num_format_str=key[1]
                )
            style = styles[key]
            r, c = cell.row - 1, cell.column - 1
            value = cell.value
            if cell.data_type == "f":
                if (result := (results or {}).get(str(value))) is not None:
                    saved[r, c] = result
                value = xlwt.Formula(str(value).removeprefix("="))
            if (span := merged.get((cell.row, cell.column))) is not None:
                sheet.write_merge(r, span.max_row - 1, c, span.max_col - 1, value, style)
            else:
                sheet.write(r, c, value, style)
    for row in hidden:
        sheet.row(row - 1).hidden = True
    with mock.patch.object(xlwt.Cell.FormulaCell, "get_biff_data", _saving(saved)):
        book.save(str(path))


XLS_STRING = 0x0207
"""The BIFF record holding a text formula's saved result, after its FORMULA record."""


def _saving(results: Mapping[tuple[int, int], str]) -> Callable[[Any], bytes]:
    """xlwt's ``FormulaCell.get_biff_data`` saving ``results[(row, column)]`` (0-based) as a
    formula's text result, as Excel does: the result's first byte 0, its last two 0xFFFF, and
    a STRING record after it. xlwt itself saves every formula with the empty string's."""
    written = xlwt.Cell.FormulaCell.get_biff_data

    def biff(cell: Any) -> bytes:
        record = bytes(written(cell))
        result = results.get((cell.rowx, cell.colx))
        if result is None:
            return record
        text = bytes(xlwt.UnicodeUtils.upack2(result))
        saved = record[:10] + bytes(6) + b"\xff\xff" + record[18:]  # 4 + row, column, xf
        return saved + struct.pack("<HH", XLS_STRING, len(text)) + text

    return biff


def mended_by_hand(db: Path, statement: str, *parameters: object) -> None:
    """Run ``statement`` on a registry as an older certreg left it, or as someone mended it by
    hand before `registry.store.append_only` kept who holds a number: without that guard, which
    certreg's next write adds back."""
    with sqlite3.connect(db) as conn:
        conn.execute(f"DROP TRIGGER IF EXISTS {HOLDER_TRIGGER[0]}")
        conn.execute(statement, parameters)


def snapshot(db_path: Path) -> list[tuple[object, ...]]:
    """Everything a load may change, to assert that a rejected register changed nothing."""
    if not db_path.exists():
        return []
    conn = sqlite3.connect(db_path)
    try:
        rows: list[tuple[object, ...]] = []
        for table in ("certificates", "registers", "certificate_history"):
            rows.extend(conn.execute(f"SELECT '{table}', * FROM [{table}] ORDER BY 2"))
        return rows
    finally:
        conn.close()


HISTORY_TABLES = ("syncs", "problems")
"""Where a rejected register is recorded: everything else must stay exactly as it was."""


def registry_dump(db_path: Path) -> list[str]:
    """Every table but the sync history, as SQL statements: equal dumps, equal registries."""
    if not db_path.exists():
        return []
    conn = sqlite3.connect(db_path)
    try:
        return [
            line
            for line in conn.iterdump()
            if not any(f'INSERT INTO "{table}"' in line for table in HISTORY_TABLES)
        ]
    finally:
        conn.close()


def edit_cell(path: Path, holding: object, **changes: object) -> None:
    """Change the one cell of ``path``'s sheet holding ``holding``: its ``value``, its
    ``number_format`` … as a clerk would in Excel."""
    workbook = openpyxl.load_workbook(path)
    sheet = workbook.active
    assert sheet is not None
    [cell] = [cell for row in sheet.iter_rows() for cell in row if cell.value == holding]
    for attribute, value in changes.items():
        setattr(cell, attribute, value)
    workbook.save(path)


def add_column(path: Path, name: str, values: list[object]) -> None:
    """Add a column the layout does not have (a clerk's 备注, 处理意见) to a one-header-row
    workbook the factory wrote: ``name`` beside the header, ``values`` down the data rows."""
    workbook = openpyxl.load_workbook(path)
    sheet = workbook.active
    assert sheet is not None
    header = next(
        row[0].row
        for row in sheet.iter_rows()
        if any(cell.value in ("证书编号", "颁发证书编号") for cell in row)
    )
    column = sheet.max_column + 1
    sheet.cell(header, column).value = name
    for offset, value in enumerate(values, 1):
        sheet.cell(header + offset, column).value = value
    workbook.save(path)


def whole_reads(db: Path, statements: Iterable[str], table: str) -> set[str]:
    """The ``statements`` whose plan, made again on ``db``, reads all of ``table``: a scan, or a
    Bloom filter built over it (statements of temporary tables, gone since, are left out)."""
    conn = sqlite3.connect(db)
    found = set()
    try:
        for sql in set(statements):
            if (
                not sql.lstrip()
                .upper()
                .startswith(("SELECT", "WITH", "INSERT", "UPDATE", "DELETE"))
            ):
                continue
            try:
                plan = [detail for *_, detail in conn.execute(f"EXPLAIN QUERY PLAN {sql}")]
            except sqlite3.OperationalError:
                continue
            if any(
                d.startswith((f"SCAN {table}", f"BLOOM FILTER ON {table}"))
                and DOTTED_INDEX not in d  # of the few dotted names only: no whole read
                for d in plan
            ):
                found.add(sql)
    finally:
        conn.close()
    return found


def traced_statements(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every statement the registry's connections run from now on (each `store.connect` made
    traced): for `whole_reads`."""
    statements: list[str] = []
    connect = store.connect

    def traced(path: Path, **options: bool) -> sqlite3.Connection:
        conn = connect(path, **options)
        conn.set_trace_callback(statements.append)
        return conn

    monkeypatch.setattr(store, "connect", traced)
    return statements


def sync(folder: Path, db: Path) -> tuple[int, dict[str, Any]]:
    result = CliRunner().invoke(cli, ["sync", str(folder), "--db", str(db), "--json"])
    return result.exit_code, json.loads(result.stdout)


def problems_of(report: dict[str, Any], file: str) -> list[tuple[Any, ...]]:
    [register] = [r for r in report["registers"] if r["file"] == file]
    assert register["outcome"] == "rejected"
    return [(p["row"], p["column"], p["rule"], p["clause"]) for p in register["problems"]]


def refused(registers: RegisterFactory, db: Path, file: str) -> list[tuple[Any, ...]]:
    """Sync the folder: ``file`` is refused and the registry is exactly as before."""
    store.connect(db).close()  # a registry (perhaps empty) to compare with
    before = registry_dump(db)
    code, report = sync(registers.folder, db)
    assert code == 1, report
    assert registry_dump(db) == before
    return problems_of(report, file)


def loads_with_footer(registers: RegisterFactory, db: Path, footer: list[str]) -> None:
    """A one-row 绵阳 roster (Z1122020901 周杰) under ``footer`` loads."""
    registers.add("footer.xlsx", [approval_row("Z1122020901", "周杰")], MIANYANG, footer=footer)
    code, report = sync(registers.folder, db)
    assert code == 0, report


def mianyang_holders() -> list[dict[str, Any]]:
    """Three holders of a 绵阳 roster — two 中级, one 初级 — whose certificates the status-change
    tests exchange, reissue and revoke."""
    return [
        approval_row("Z1122020001", "周杰"),
        approval_row("Z1122020002", "郑浩"),
        approval_row("C1122020001", "吴敏", level="初级"),
    ]


def run(*args: str) -> tuple[int, str]:
    """``certreg ARGS`` in process: its exit code and output."""
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.output


def number(path: Path, out: Path, db: Path, *extra: str) -> tuple[int, str]:
    """``certreg number`` of a 绵阳 (2202) approval roster of 2011 (year code 11)."""
    return run(
        "number",
        str(path),
        *("--kind", "approval-roster", "--authority", "2202", "--year-code", "11"),
        *("--out", str(out), "--db", str(db), *extra),
    )
