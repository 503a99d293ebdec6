"""registry.sheets.guard: the marks of a workbook (`registry.sheets._marked`) are read only for a
register, and never by the process that asked for the read — a hostile file's formatting made
that pass cost gigabytes and minutes."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from registry.sheets._marked import Marks
from registry.sheets.guard import REGISTER_LIMITS, UPLOAD_LIMITS, read_sheet_bytes
from tests.hostile_files import MAIN_NS, sheet_xml, write_ods, write_workbook


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
