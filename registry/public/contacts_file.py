"""The issuing departments' contacts an administrator supplies (``CERTREG_AUTHORITIES``, §五.(四)),
read for the public service and for ``certreg verify`` alike: the command line need not load the
web app to name whom an employer asks."""

from __future__ import annotations

from pathlib import Path

from registry.domain.authorities import (
    AuthoritiesProblem,
    Authority,
    builtin_authorities,
    parse_authorities,
)
from registry.domain.os_reasons import reason
from registry.sheets.encoding import read_text


class ContactsFileProblem(ValueError):
    """The contacts file cannot be used: why, naming the file and what it should hold."""


def read_contacts(file: Path | None) -> dict[str, Authority]:
    """The issuing departments' contacts from ``file`` (``CERTREG_AUTHORITIES``) over the
    shipped list; `ContactsFileProblem` naming the file when it cannot be read or holds none."""
    if file is None:
        return builtin_authorities()
    try:
        text = read_text(file)  # as Excel saves it on a Chinese Windows too (GB18030)
    except (OSError, UnicodeDecodeError) as exc:
        why = "无法识别文件编码" if isinstance(exc, UnicodeDecodeError) else reason(exc)
        raise ContactsFileProblem(
            f"CERTREG_AUTHORITIES 指定的发证机关联系方式文件 {file} 无法读取（{why}）。"
            "文件应为 UTF-8 或 GB18030 编码的 CSV，列为 代码,名称,地址,电话"
        ) from exc
    try:
        supplied = parse_authorities(text)
    except AuthoritiesProblem as exc:
        raise ContactsFileProblem(
            f"CERTREG_AUTHORITIES 指定的发证机关联系方式文件 {file} 有误，未启用："
            f"{exc}。请改正后重试"
        ) from exc
    if not supplied:  # another separator, another header: employers would get the shipped list
        raise ContactsFileProblem(
            f"CERTREG_AUTHORITIES 指定的发证机关联系方式文件 {file} 中没有读到任何发证机关。"
            "第一行应为 代码,名称,地址,电话，各列以逗号分隔（Excel 请另存为“CSV（逗号分隔）”）"
        )
    return {**builtin_authorities(), **supplied}
