"""The limits on an untrusted spreadsheet and the refusal that names the one a file broke.

Kept apart from `registry.sheets.guard` so that the scanners and the child runner can raise
`SheetRefused` without importing the module that imports them.
"""

from __future__ import annotations

from dataclasses import dataclass

from registry.sheets.errors import UnreadableSheet

MIB = 1 << 20


@dataclass(frozen=True)
class SheetLimits:
    """Every limit on one spreadsheet; override with ``dataclasses.replace(REGISTER_LIMITS, …)``.

    The defaults fit the real documents with room to spare, so that only a broken or hostile
    file meets them; ``basis`` tells the user, in the refusal, where the row limit comes from.
    """

    max_file_bytes: int
    """size of the file itself (a CSV, or the zip/OLE container)"""
    max_uncompressed_bytes: int
    """sum of the inflated sizes of a zip workbook's parts"""
    max_entry_bytes: int
    """inflated size of any one part (the worksheet XML is the largest)"""
    max_ratio: float
    """inflated ÷ compressed size of a part larger than 1 MiB: deflate bombs reach ~1000"""
    max_entries: int
    """number of parts in a zip workbook"""
    max_rows: int
    """rows of the first worksheet as python-calamine pads them (from row 1), or CSV records"""
    max_columns: int
    """columns of the first worksheet as python-calamine pads them (from column A), or CSV fields"""
    memory_bytes: int
    """address space (RLIMIT_AS) of each child process that reads a workbook: the one that
    parses it, and a register's that reads its marks (`registry.sheets._marks_child`)"""
    max_cell_bytes: int
    """the cells' contents the child sends the parent, all told: one shared string of 256 KB
    written into 1,200 cells is a 12 KB file and 300 MB of text"""
    seconds: float
    """wall-clock time for the whole read of one workbook, its children included"""
    scan_first_bytes: int
    """a first worksheet up to this size (inflated) is scanned for far cells before the child
    parses it; a bigger one only if the child dies, to say why: the scan costs ~7 ms per MiB,
    and the child's own check of the parsed range is exact"""
    basis: str
    """why ``max_rows`` is what it is, in Chinese, quoted in refusals"""
    marks: bool = True
    """read the rows and cells the sheet leaves out or shows as something else — hidden, struck
    through, in its background's colour, disguised by a number format, formulas saved without
    results… (`registry.sheets._marked`): a register's rows are what is loaded, and a marked
    one is refused; a batch check's rows are only checked and its marks never looked at, while
    reading them costs xlrd several times the parse of an .xls, and expat passes over an
    .xlsx's or .ods's styles, shared strings and sheet that a hostile file makes cost
    gigabytes and minutes"""


REGISTER_LIMITS = SheetLimits(
    # A register holds at most 4 levels × 9,999 numbers (附件3, 第8-11位): 39,996 rows plus
    # title, header and footer. Its 18-column .xlsx written by openpyxl is 3.2 MB, its sheet XML
    # inflates to 30 MB (ratio 9.4), the UTF-8 CSV is 6 MB; the parse peaks at ~100 MB.
    max_file_bytes=32 * MIB,
    max_uncompressed_bytes=256 * MIB,
    max_entry_bytes=128 * MIB,
    max_ratio=100.0,
    max_entries=1_000,
    max_rows=50_000,
    max_columns=64,
    memory_bytes=1024 * MIB,
    max_cell_bytes=64 * MIB,  # the 39,996-row register's cells: ~8 MB
    seconds=60.0,
    scan_first_bytes=4 * MIB,
    basis="一份名册至多 4 个等级 × 9,999 本证书，见附件3 第8-11位顺序号",
)

UPLOAD_LIMITS = SheetLimits(
    # A public batch checks at most 500 rows; the request body is capped at 1 MiB anyway.
    max_file_bytes=1 * MIB,
    max_uncompressed_bytes=32 * MIB,
    max_entry_bytes=16 * MIB,
    max_ratio=100.0,
    max_entries=200,
    # a batch holds 500 rows; a sheet reaches further when a stray cell (a space, 制表人) sits
    # far below them, which is no reason to refuse the file: blank rows are not counted
    max_rows=5_000,
    max_columns=64,
    memory_bytes=256 * MIB,
    max_cell_bytes=8 * MIB,
    seconds=10.0,
    scan_first_bytes=16 * MIB,  # every upload, before any parser
    basis="一次批量查验至多 500 行",
    marks=False,
)

SPLIT_ADVICE = "请删去多余的空行空列，或拆分文件后重试"
RESAVE_ADVICE = "请用 Excel/WPS 打开后另存为 .xlsx（或 .csv）再重试"


class SheetRefused(UnreadableSheet):
    """The spreadsheet is not read: the message (Chinese) names the limit or the defect and what
    to do; ``limit`` is the `SheetLimits` field it broke, or ``"format"`` for a damaged file;
    ``where`` the cell or line past the limit, when known (单元格 A1500, 第 1002 行)."""

    def __init__(self, message: str, limit: str = "format", where: str = "") -> None:
        super().__init__(message)
        self.limit = limit
        self.where = where


def _size(value: float) -> str:
    if value >= MIB:
        return f"{value / MIB:,.1f} MiB".replace(".0 ", " ")
    if value >= 10 * 1024:
        return f"{value / 1024:,.0f} KiB"
    return f"{value:,.0f} 字节"


_WHAT = {
    "max_file_bytes": ("文件大小 {found}", _size),
    "max_uncompressed_bytes": ("解压后共 {found}", _size),
    "max_entry_bytes": ("其中一个部件解压后 {found}", _size),
    "max_ratio": ("其中一个部件的压缩比为 {found}", "{:,.0f} 倍".format),
    "max_entries": ("压缩包内有 {found}部件", "{:,} 个".format),
    "max_rows": ("第一个工作表有 {found}", "{:,} 行".format),
    "max_columns": ("第一个工作表有 {found}", "{:,} 列".format),
    "memory_bytes": ("读取所需内存超过上限", _size),
    "max_cell_bytes": ("单元格内容共 {found}", _size),
    "seconds": ("读取用时超过上限", "{:,.0f} 秒".format),
}
_ZIP_LIMITS = ("max_uncompressed_bytes", "max_entry_bytes", "max_ratio", "max_entries")


def exceeded(limits: SheetLimits, limit: str, found: float = 0, where: str = "") -> SheetRefused:
    """The refusal for ``found`` over ``limits.<limit>``; ``where`` points at the culprit."""
    return refusal(limit, found, getattr(limits, limit), limits.basis, where)


def refusal(limit: str, found: float, bound: float, basis: str, where: str = "") -> SheetRefused:
    template, unit = _WHAT[limit]
    what = template.format(found=unit(found))
    if limit in _ZIP_LIMITS:  # the container, not the rows: the register's size is no excuse
        basis, advice = "", RESAVE_ADVICE
    elif limit == "max_file_bytes":  # a roster's rows fit many times over: pictures do not
        advice = f"表格中的图片（扫描件、照片、印章）往往占去大部分，请删除图片；{SPLIT_ADVICE}"
    else:
        advice = SPLIT_ADVICE
    notes = "；".join(note for note in (where, f"上限 {unit(bound)}", basis) if note)
    return SheetRefused(f"表格超出处理上限：{what}（{notes}）。{advice}", limit, where)


FORMATTING_ADVICE = (
    "表格的格式（颜色、删除线、条件格式、自定义格式）过于复杂，无法查清哪些行和单元格被隐藏、划去"
    "或显示成别的内容（§四.(五)）。请先删除不导入的行（不要只隐藏或划去），再删除多余的条件格式，"
    "清除不需要的字体颜色和自定义数字格式，另存后重试"
)
_CHECKING = {"memory_bytes": "检查格式所需内存超过上限", "seconds": "检查格式用时超过上限"}


def too_complex(limits: SheetLimits, limit: str) -> SheetRefused:
    """The refusal of a workbook whose marks' child (`registry.sheets._marks_child`) ran out of
    memory or time (``limit``): its formatting is at fault, not its rows — so no advice to
    delete empty rows or split the file, and no deleting a row by hiding or striking it."""
    bound = _WHAT[limit][1](getattr(limits, limit))
    return SheetRefused(
        f"表格超出处理上限：{_CHECKING[limit]}（上限 {bound}）。{FORMATTING_ADVICE}", limit
    )


NOT_A_WORKBOOK = "文件内容不是 Excel/WPS 工作簿（可能是改了扩展名的 Word 文档等其他文件）"


UNREADABLE = "无法作为电子表格读取："
"""How every refusal of a file that is no readable spreadsheet begins."""
EMPTY_FILE = (
    "文件是空的（没有任何内容）：多半是保存或拷贝时中断了。请重新保存或重新拷贝该文件后重试"
)
"""What a file of no bytes (or only white space) is told, whatever its suffix."""


def unreadable(why: str) -> SheetRefused:
    return SheetRefused(f"{UNREADABLE}{why}。请确认文件未损坏，并用 Excel/WPS 另存为 .xlsx 后重试")


OTHER_DOCUMENTS = {
    "word/document.xml": "这是 Word 文档（.docx），不是表格：请把名单复制到 Excel/WPS 表格中",
    "ppt/presentation.xml": "这是 PowerPoint 演示文稿（.pptx），不是表格：请把名单复制到 Excel/WPS 表格中",
}
"""What a zip that is no workbook is, by a part only that kind of document has."""


def other_document(names: set[str]) -> str:
    """Why a zip holds no workbook, in words a clerk knows: a .docx renamed .xlsx is no 压缩包."""
    known = next((said for part, said in OTHER_DOCUMENTS.items() if part in names), None)
    return known or "文件中没有 Excel/WPS 工作簿（可能是改了扩展名的压缩包或其他文档）"
