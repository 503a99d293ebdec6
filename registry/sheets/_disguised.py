"""A file named as a workbook that holds none, said as what it is: business systems "export to
Excel" as a web page named .xls, a CSV is renamed .xlsx, a copy interrupted leaves 0 bytes.
Each was told 文件内容不是 Excel/WPS 工作簿（可能是改了扩展名的 Word 文档…）, which named the
wrong file and not the fix."""

from __future__ import annotations

import codecs

from registry.sheets._limits import EMPTY_FILE, NOT_A_WORKBOOK, UNREADABLE, SheetRefused, unreadable

SAMPLE_BYTES = 64 * 1024
"""What is looked at: enough for a page's head, or for many lines of a CSV."""
_WEB_PAGE = (b"<html", b"<table", b"<!doctype html", b"mime-version:")
_XML_SPREADSHEET = b"urn:schemas-microsoft-com:office:spreadsheet"


def _text(sample: bytes) -> bool:
    """Whether ``sample`` reads as text (UTF-8 or GB18030, no NUL; a last character may be cut)."""
    if b"\0" in sample:
        return False
    for encoding in ("utf-8", "gb18030"):
        try:
            codecs.getincrementaldecoder(encoding)().decode(sample, final=False)
        except UnicodeDecodeError:
            continue
        return True
    return False


LOCK_FILE = (
    "这是 Excel/WPS 打开文件时留下的锁定文件（文件名以 ~$ 开头），不是名册（表格已关闭的，"
    "可删除这个锁定文件）：请选原文件（文件名去掉开头的 ~$）后重试"
)


def not_a_workbook(data: bytes, suffix: str, lock_named: bool = False) -> SheetRefused:
    """The refusal of ``data``, named ``…{suffix}`` but neither a zip nor an OLE workbook;
    ``lock_named``: named as Office's lock files are (~$名册.xlsx, the user's name inside — it
    was told to be renamed .csv, a clerk's review)."""
    resave = "请在 Excel/WPS 中打开它，另存为“Excel 工作簿（.xlsx）”后重试"
    sample = data[:SAMPLE_BYTES]
    head = sample.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if lock_named:
        what = LOCK_FILE
    elif not data.strip():
        what = EMPTY_FILE
    elif _XML_SPREADSHEET in sample:
        what = f"这是 Excel 2003 的 XML 表格，只是扩展名为 {suffix}：{resave}"
    elif head.startswith((b"<", b"mime-version:")) and any(tag in head for tag in _WEB_PAGE):
        what = (
            f"这是网页（HTML）文件，只是扩展名为 {suffix}：不少业务系统“导出 Excel”导出的是网页。"
            f"{resave}"
        )
    elif _text(sample):
        what = f"这是文本文件（多半是 CSV），只是扩展名为 {suffix}：请把扩展名改为 .csv，或{resave[1:]}"
    else:
        return unreadable(NOT_A_WORKBOOK)
    return SheetRefused(f"{UNREADABLE}{what}")
