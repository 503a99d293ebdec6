"""An .ods cell whose data style shows other words or digits than it holds (§四.(五)): the
OpenDocument form of `tests.test_disguised_cells` — data styles written by hand into a
roster's content.xml, and rosters saved by LibreOffice itself (`tests/files/libreoffice`).

The LibreOffice files are two-holder 绵阳 rosters (`tests.registers`) whose cells were given
Excel number formats with openpyxl, then converted by LibreOffice 7.4
(``soffice --headless --convert-to ods mianyang.xlsx``): it keeps a clerk's own formats in
styles.xml, where a first version of this check never looked."""

from __future__ import annotations

import re
import shutil
import time
import zipfile
from pathlib import Path

import pytest

from registry.sheets._ods_formats import DataStyles
from registry.sheets._ods_marked import MAX_DISGUISED, ods_marks
from registry.sheets._ods_styles import read_styles
from registry.sheets.guard import REGISTER_LIMITS
from tests.registers import MIANYANG, RegisterFactory, approval_row, as_ods, refused, sync

LIBREOFFICE = Path(__file__).parent / "files" / "libreoffice"

DATA = 'xmlns:number="urn:oasis:names:tc:opendocument:xmlns:datastyle:1.0"'

NAME_SHOWN_AS_ANOTHER = (
    '<number:number-style style:name="N1P0"><number:number/></number:number-style>'
    '<number:text-style style:name="N1"><number:text>张三</number:text>'
    '<style:map style:condition="value()&gt;=0" style:apply-style-name="N1P0"/>'
    "</number:text-style>"
)
"""``0;0;0;"张三"`` as LibreOffice writes it: the text section a text style of words alone, the
number sections maps: every name in it shows as 张三."""
WORDS_ALONE = (
    '<number:text-style style:name="N1"><number:text>张三</number:text></number:text-style>'
)
"""A text style of words alone and no maps: one section, which shows a text as it is."""
WORDS_ADDED = (
    '<number:text-style style:name="N1"><number:text-content/><number:text>明</number:text>'
    "</number:text-style>"
)
NUMBER_SHOWN_AS_WORDS = (
    '<number:number-style style:name="N1"><number:text>优秀</number:text></number:number-style>'
)
DIGIT_ADDED = (
    '<number:number-style style:name="N1"><number:number number:decimal-places="0"/>'
    "<number:text>0</number:text></number:number-style>"
)
WHITE_NUMBER = (
    '<number:number-style style:name="N1"><style:text-properties fo:color="#FFFFFF"/>'
    '<number:number number:decimal-places="0"/></number:number-style>'
)
NEGATIVE_IN_RED = (
    '<number:number-style style:name="N1P0"><number:number number:decimal-places="0"/>'
    "</number:number-style>"
    '<number:number-style style:name="N1"><style:text-properties fo:color="#ff0000"/>'
    '<number:text>-</number:text><number:number number:decimal-places="0"/>'
    '<style:map style:condition="value()&gt;=0" style:apply-style-name="N1P0"/>'
    "</number:number-style>"
)
"""How LibreOffice writes a format with negative numbers in red: the positive ones by a map."""
POSITIVE_AS_WORDS = (
    '<number:number-style style:name="N1P0"><number:text>合格</number:text></number:number-style>'
    '<number:number-style style:name="N1"><number:text>-</number:text><number:number/>'
    '<style:map style:condition="value()&gt;=0" style:apply-style-name="N1P0"/>'
    "</number:number-style>"
)
YEAR_MONTH = (
    '<number:date-style style:name="N1"><number:year number:style="long"/>'
    "<number:text>年</number:text><number:month/><number:text>月</number:text>"
    "</number:date-style>"
)


CELL_STYLE = '<style:style style:name="ceD" style:family="table-cell" style:data-style-name="N1"/>'


def _two_holders_as_ods(registers: RegisterFactory, tmp_path: Path, **zhao: object) -> Path:
    """A 绵阳 .ods roster of 赵六 (with the fields ``zhao`` gives) and 王五, as LibreOffice saves
    the .xlsx (`tests.registers.as_ods`), listed in the manifest in its place."""
    rows = [
        approval_row("Z1122020001", "赵六", "中级", **zhao),
        approval_row("Z1122020002", "王五"),
    ]
    xlsx = registers.add("mianyang.xlsx", rows, MIANYANG).rename(tmp_path / "source.xlsx")
    registers.entries["mianyang.ods"] = registers.entries.pop("mianyang.xlsx")
    registers.write_manifest()
    path = registers.folder / "mianyang.ods"
    as_ods(xlsx, path)
    return path


def _ods_roster(
    registers: RegisterFactory,
    tmp_path: Path,
    value: str,
    data_style: str,
    cell_style: str = CELL_STYLE,
) -> Path:
    """A 绵阳 .ods roster of 赵六 and 王五 whose cell holding ``value`` (a name, or 赵六's
    技术业务理论 77) is in a cell style of ``data_style``."""
    path = _two_holders_as_ods(registers, tmp_path, 技术业务理论=77)
    with zipfile.ZipFile(path) as archive:
        parts = {info.filename: archive.read(info) for info in archive.infolist()}
    content = parts["content.xml"].decode()
    content = content.replace("office:version", f"{DATA} office:version", 1)
    content = content.replace(
        "<office:automatic-styles>", f"<office:automatic-styles>{data_style}{cell_style}", 1
    )
    cell = f"<text:p>{value}</text:p>"
    assert content.count(cell) == 1, value
    before, after = content.split(cell)
    opening = before.rindex("<table:table-cell ")
    before = (
        before[:opening]
        + '<table:table-cell table:style-name="ceD" '
        + before[opening + len("<table:table-cell ") :]
    )
    parts["content.xml"] = (before + cell + after).encode()
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    return path


@pytest.mark.parametrize(
    ("value", "data_style", "column"),
    [
        ("赵六", NAME_SHOWN_AS_ANOTHER, "姓名"),
        ("赵六", WORDS_ADDED, "姓名"),
        ("77", NUMBER_SHOWN_AS_WORDS, "技术业务理论"),
        ("77", DIGIT_ADDED, "技术业务理论"),
        ("77", WHITE_NUMBER, "技术业务理论"),
        ("77", POSITIVE_AS_WORDS, "技术业务理论"),
    ],
)
def test_an_ods_cell_shown_as_something_else_is_refused(
    registers: RegisterFactory,
    tmp_path: Path,
    db_path: Path,
    value: str,
    data_style: str,
    column: str,
) -> None:
    _ods_roster(registers, tmp_path, value, data_style)
    problems = refused(registers, db_path, "mianyang.ods")
    assert [(p[1], p[3]) for p in problems] == [(column, "§四.(五)")], problems
    assert "显示的不是其中的内容" in problems[0][2]


@pytest.mark.parametrize(
    ("value", "data_style"),
    [
        ("77", NEGATIVE_IN_RED),
        ("77", YEAR_MONTH),
        (
            "77",
            DIGIT_ADDED.replace("<number:text>0</number:text>", "<number:text>号</number:text>"),
        ),
        ("赵六", '<number:text-style style:name="N1"><number:text-content/></number:text-style>'),
        ("赵六", NUMBER_SHOWN_AS_WORDS),  # a number style does not show a text
        ("赵六", WORDS_ALONE),
    ],
)
def test_an_ods_cell_shown_as_it_is_loads(
    registers: RegisterFactory, tmp_path: Path, db_path: Path, value: str, data_style: str
) -> None:
    _ods_roster(registers, tmp_path, value, data_style)
    code, report = sync(registers.folder, db_path)
    assert code == 0, report


def test_an_ods_column_default_style_disguises_its_cells(
    registers: RegisterFactory, tmp_path: Path, db_path: Path
) -> None:
    """A cell that names no style takes its column's default (``table:default-cell-style-name``):
    the 姓名 column's default showing every name as 张三."""
    path = _ods_roster(registers, tmp_path, "赵六", NAME_SHOWN_AS_ANOTHER)
    with zipfile.ZipFile(path) as archive:
        parts = {info.filename: archive.read(info) for info in archive.infolist()}
    content = parts["content.xml"].decode().replace('table:style-name="ceD" ', "")
    header = content[: content.index("<text:p>姓名</text:p>")]
    row_start = header.rindex("<table:table-row")
    column = header[row_start:].count("<table:table-cell")  # 1-based: the 姓名 cell's place
    columns = (
        f'<table:table-column table:number-columns-repeated="{column - 1}"/>' if column > 1 else ""
    ) + '<table:table-column table:default-cell-style-name="ceD"/>'
    table = '<table:table table:name="名册">'
    parts["content.xml"] = content.replace(table, table + columns, 1).encode()
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    problems = refused(registers, db_path, "mianyang.ods")
    assert sorted((p[0], p[1]) for p in problems) == [(4, "姓名"), (5, "姓名")], problems


def saved_roster(registers: RegisterFactory, saved: str) -> None:
    """Put the LibreOffice-saved roster ``saved`` in the folder as 绵阳's ``mianyang.ods``."""
    registers.entries["mianyang.ods"] = MIANYANG
    registers.write_manifest()
    shutil.copy(LIBREOFFICE / saved, registers.folder / "mianyang.ods")


@pytest.mark.parametrize(
    ("saved", "column"),
    [
        ("name_shown_as_another", "姓名"),  # 0;0;0;"张三"
        ("score_shown_with_a_digit_more", "技术业务理论"),  # 0"0": 77 shown as 770
        ("number_with_words_before", "颁发证书编号"),  # "证"@
        ("everyday_formats", None),  # accounting, negative in red, 0"年", @
        ("conditional_red_font", None),  # a conditional format: scores under 60 in red
    ],
)
def test_a_roster_saved_by_libreoffice(
    registers: RegisterFactory, db_path: Path, saved: str, column: str | None
) -> None:
    saved_roster(registers, f"{saved}.ods")
    if column is None:
        code, report = sync(registers.folder, db_path)
        assert code == 0, report
        return
    problems = refused(registers, db_path, "mianyang.ods")
    assert [(p[0], p[1], p[3]) for p in problems] == [
        (4, column, "§四.(五)"),
        (5, column, "§四.(五)"),
    ]


INHERITED = (
    '<style:style style:name="Named" style:family="table-cell" style:data-style-name="N1"/>'
    '<style:style style:name="ceD" style:family="table-cell" style:parent-style-name="Named"/>'
)
MAP_CHAIN = (
    '<number:number-style style:name="N3"><number:text>优秀</number:text></number:number-style>'
    '<number:number-style style:name="N2"><number:number/>'
    '<style:map style:condition="value()&gt;=0" style:apply-style-name="N3"/></number:number-style>'
    '<number:number-style style:name="N1"><number:text>-</number:text><number:number/>'
    '<style:map style:condition="value()&gt;=0" style:apply-style-name="N2"/></number:number-style>'
)


@pytest.mark.parametrize(
    ("data_style", "cell_style"),
    [
        (NUMBER_SHOWN_AS_WORDS, INHERITED),  # the data style of the cell style's parent
        (MAP_CHAIN, CELL_STYLE),  # a map to a style that maps again
        (
            NUMBER_SHOWN_AS_WORDS.replace("number:", "n:").replace(
                "<n:number-style",
                '<n:number-style xmlns:n="urn:oasis:names:tc:opendocument:xmlns:datastyle:1.0"',
            ),
            CELL_STYLE,
        ),  # its namespace declared on the style itself, under another prefix
        (  # a cell style without a parent has Default's data style
            NUMBER_SHOWN_AS_WORDS,
            '<style:style style:name="Default" style:family="table-cell" style:data-style-name="N1"/>'
            '<style:style style:name="ceD" style:family="table-cell"/>',
        ),
        (  # a map to a style the file does not hold is left out: the style's own part shows
            NUMBER_SHOWN_AS_WORDS.replace(
                "</number:number-style>",
                '<style:map style:condition="value()&gt;=0" style:apply-style-name="Missing"/>'
                "</number:number-style>",
            ),
            CELL_STYLE,
        ),
        (  # a second style of the same name, which LibreOffice ignores (the first counts)
            NUMBER_SHOWN_AS_WORDS
            + '<number:number-style style:name="N1"><number:number/></number:number-style>',
            CELL_STYLE,
        ),
    ],
)
def test_how_a_cell_comes_by_a_disguising_style(
    registers: RegisterFactory, tmp_path: Path, db_path: Path, data_style: str, cell_style: str
) -> None:
    """Ways LibreOffice finds a cell's data style that a first version of this check missed."""
    _ods_roster(registers, tmp_path, "77", data_style, cell_style)
    problems = refused(registers, db_path, "mianyang.ods")
    # (Default's style is every unstyled number's: their cells are refused too)
    assert ("技术业务理论", "§四.(五)") in [(p[1], p[3]) for p in problems], problems
    assert {p[3] for p in problems} == {"§四.(五)"}


def test_maps_chained_many_ways_are_judged_once_each(
    registers: RegisterFactory, tmp_path: Path, db_path: Path
) -> None:
    """Eight data styles, each with ten maps to the next under a condition no one can read:
    every path was followed again (10⁷ of them), and a 30 KB file held the parent past the
    time limit, refused. Each style is judged once: the roster loads."""
    chain = (
        "".join(
            f'<number:number-style style:name="L{level}">'
            + "".join(
                f'<style:map style:condition="value()&gt;=abc" style:apply-style-name="L{level + 1}"/>'
                for _ in range(10)
            )
            + "<number:number/></number:number-style>"
            for level in range(1, 8)
        )
        + '<number:number-style style:name="L8"><number:number/></number:number-style>'
    )
    cell_style = (
        '<style:style style:name="ceD" style:family="table-cell" style:data-style-name="L1"/>'
    )
    _ods_roster(registers, tmp_path, "77", chain, cell_style)
    code, report = sync(registers.folder, db_path)
    assert code == 0, report


def test_a_cell_style_of_the_sheet_wins_over_one_of_the_same_name_in_styles_xml() -> None:
    """LibreOffice finds a cell's style among content.xml's own first: the first definition
    read (styles.xml's, showing the number) hid the one that shows 优秀."""
    namespaces = (
        'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0" '
        'xmlns:number="urn:oasis:names:tc:opendocument:xmlns:datastyle:1.0"'
    )
    styles_xml = (
        f"<office:document-styles {namespaces}><office:styles>"
        '<number:number-style style:name="Plain"><number:number/></number:number-style>'
        '<style:style style:name="ce1" style:family="table-cell" style:data-style-name="Plain"/>'
        "</office:styles></office:document-styles>"
    )
    content_xml = (
        f"<office:document-content {namespaces}><office:automatic-styles>"
        f"{NUMBER_SHOWN_AS_WORDS}"
        '<style:style style:name="ce1" style:family="table-cell" style:data-style-name="N1"/>'
        "</office:automatic-styles><office:body/></office:document-content>"
    )
    styles = read_styles(
        [iter([styles_xml.encode()]), iter([content_xml.encode()])],
        REGISTER_LIMITS,
        time.monotonic() + 10,
    )
    assert styles.hides("ce1", "float")


NAMESPACES = (
    'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    'xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0" '
    'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
    'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
    'xmlns:number="urn:oasis:names:tc:opendocument:xmlns:datastyle:1.0"'
)


def _content(data_style: str, table: str = "") -> bytes:
    """A content.xml of one data style N1, cell style ceD in it, and ``table``'s rows."""
    return (
        f"<office:document-content {NAMESPACES}><office:automatic-styles>{data_style}"
        f"{CELL_STYLE}</office:automatic-styles><office:body><office:spreadsheet>"
        f'<table:table table:name="名册">{table}</table:table>'
        "</office:spreadsheet></office:body></office:document-content>"
    ).encode()


def _styles_of(content: bytes) -> DataStyles:
    return read_styles([iter([content])], REGISTER_LIMITS, time.monotonic() + 10)


@pytest.mark.parametrize(
    "data_style",
    [
        # 77 shown as 0 (in thousands)
        '<number:number-style style:name="N1"><number:number number:display-factor="1000"/>'
        "</number:number-style>",
        # 77 shown as 707: text embedded between the digits
        '<number:number-style style:name="N1"><number:number><number:embedded-text'
        ' number:position="1">0</number:embedded-text></number:number></number:number-style>',
        # every number but 0 shown as 优秀 (!= as OpenDocument writes it)
        '<number:number-style style:name="N1P0"><number:text>优秀</number:text>'
        '</number:number-style><number:number-style style:name="N1"><number:number/>'
        '<style:map style:condition="value()!=0" style:apply-style-name="N1P0"/>'
        "</number:number-style>",
    ],
)
def test_a_data_style_that_shows_another_number(data_style: str) -> None:
    assert _styles_of(_content(data_style)).hides("ceD", "float")


def test_a_rows_default_style_disguises_its_cells() -> None:
    """A cell that names no style takes its row's default (before its column's)."""
    cell = '<table:table-cell office:value-type="float" office:value="77"><text:p>77</text:p></table:table-cell>'
    table = f'<table:table-row table:default-cell-style-name="ceD">{cell}</table:table-row>'
    content = _content(NUMBER_SHOWN_AS_WORDS, table)
    marks = ods_marks(iter([content]), REGISTER_LIMITS, time.monotonic() + 10, _styles_of(content))
    assert marks.disguised == {(1, 1)}


def test_a_repeated_disguised_cell_is_kept_a_few_times() -> None:
    """One cell repeated over 60,000 rows and 64 columns: 3.2 million positions (467 MB) were
    kept in the parent, before any limit; a few are enough to refuse the register."""
    cell = (
        '<table:table-cell table:style-name="ceD" table:number-columns-repeated="64"'
        ' office:value-type="float" office:value="77"><text:p>77</text:p></table:table-cell>'
    )
    table = f'<table:table-row table:number-rows-repeated="60000">{cell}</table:table-row>'
    content = _content(NUMBER_SHOWN_AS_WORDS, table)
    marks = ods_marks(iter([content]), REGISTER_LIMITS, time.monotonic() + 10, _styles_of(content))
    assert 0 < len(marks.disguised) <= MAX_DISGUISED


@pytest.mark.parametrize(
    "kept",
    ["both", "map", "calcext", "calcext date-is", "calcext (user)", "calcext cx:", "calcext xmlns"],
)
def test_a_conditional_format_saved_by_libreoffice(
    registers: RegisterFactory, db_path: Path, kept: str
) -> None:
    """A conditional format made in LibreOffice (Format ▸ Conditional): names other than "x"
    shown as ;;;"张三". LibreOffice writes it twice — its own ``<calcext:conditional-format>``
    over the area (a whole-sheet refusal, as for an .xlsx's), and for other programs a map of
    the cells' style to the conditional one (those cells refused) — and reads either alone."""
    registers.entries["mianyang.ods"] = MIANYANG
    registers.write_manifest()
    path = registers.folder / "mianyang.ods"
    shutil.copy(LIBREOFFICE / "conditional_name_shown_as_another.ods", path)
    with zipfile.ZipFile(path) as archive:
        parts = {info.filename: archive.read(info) for info in archive.infolist()}
    content = parts["content.xml"].decode()
    if kept == "map":
        content = re.sub(
            "<calcext:conditional-formats>.*</calcext:conditional-formats>", "", content
        )
    elif kept != "both":  # LibreOffice's own form alone, as written or edited
        content = re.sub("<style:map [^>]*/>", "", content)
        if kept == "calcext date-is":  # a date condition names its style another way
            content = re.sub(
                "<calcext:condition [^>]*/>",
                '<calcext:date-is calcext:style="ConditionalStyle_1" calcext:date="today"/>',
                content,
            )
        elif kept == "calcext (user)":  # LibreOffice shows a clerk's "X (user)" as X
            content = content.replace('"ConditionalStyle_1"', '"ConditionalStyle_1 (user)"')
        elif kept != "calcext":  # its namespace bound where the formats are, not at the root
            uri = "urn:org:documentfoundation:names:experimental:calc:xmlns:calcext:1.0"
            first = content.index("<calcext:conditional-formats>")
            last = content.index("</calcext:conditional-formats>") + 30
            prefix = "cx:" if kept == "calcext cx:" else ""
            declared = f'xmlns:cx="{uri}"' if prefix else f'xmlns="{uri}"'
            formats = (
                content[first:last]
                .replace("<calcext:", f"<{prefix}")
                .replace("</calcext:", f"</{prefix}")
            )
            formats = formats.replace(
                f"<{prefix}conditional-formats>", f"<{prefix}conditional-formats {declared}>"
            )
            content = content[:first] + formats + content[last:]
    assert kept == "both" or content != parts["content.xml"].decode()
    parts["content.xml"] = content.encode()
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    problems = refused(registers, db_path, "mianyang.ods")
    if kept == "map":
        assert [(p[0], p[1], p[3]) for p in problems] == [
            (4, "姓名", "§四.(五)"),
            (5, "姓名", "§四.(五)"),
        ]
    else:
        [(row, column, rule, _)] = problems
        assert (row, column) == (None, None) and "条件格式" in rule


def test_an_ods_formula_saying_who_holds_a_number_is_refused(
    registers: RegisterFactory, tmp_path: Path, db_path: Path
) -> None:
    """LibreOffice shows 李四 for ``of:="李"&"四"`` when it works the formula out again; the
    registry would load the 赵六 saved beside it (`tests.test_disguised_cells`' .xlsx case).
    Nothing else in the sheet is styled, hidden or struck: the formula alone is looked for."""
    path = _two_holders_as_ods(registers, tmp_path)
    with zipfile.ZipFile(path) as archive:
        parts = {info.filename: archive.read(info) for info in archive.infolist()}
    cell = '<table:table-cell office:value-type="string"><text:p>赵六</text:p>'
    formula = 'table:formula="of:=&quot;李&quot;&amp;&quot;四&quot;" '
    content = re.sub(  # no struck style either: nothing but the formula to look for
        "<office:automatic-styles>.*</office:automatic-styles>", "", parts["content.xml"].decode()
    )
    assert content.count(cell) == 1
    content = content.replace(cell, cell.replace("office:", formula + "office:", 1))
    parts["content.xml"] = content.encode()
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    [(row, column, rule, clause)] = refused(registers, db_path, "mianyang.ods")
    assert (row, column, clause) == (4, "姓名", "§四.(五)") and "选择性粘贴" in rule
