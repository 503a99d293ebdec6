"""A register's file as a sync reads it: found (or what to do when it is not), a regular file
within the size limit, and fingerprinted — with its own SHA-256 kept for the history."""

from __future__ import annotations

import contextlib
from pathlib import Path

from registry.domain.os_reasons import reason
from registry.kinds.base import RegisterEntry
from registry.sheets.errors import UnreadableSheet
from registry.sheets.guard import (
    REGISTER_LIMITS,
    TEXT_SUFFIXES,
    WORKBOOK_SUFFIXES,
    open_regular_file,
)
from registry.sync.not_numbered import numbering_hint


def unreadable(exc: OSError) -> UnreadableSheet:
    """Why a register file cannot be read, and what to do about the file (not its rows)."""
    if isinstance(exc, FileNotFoundError):
        return UnreadableSheet(
            "找不到此文件。请核对 registers.toml 中的 file 与文件名是否一致（包括扩展名），"
            "或把文件放回该文件夹"
        )
    if isinstance(exc, PermissionError):
        return UnreadableSheet("没有读取此文件的权限。请让系统管理员开放读取权限后重试")
    if isinstance(exc, IsADirectoryError):
        return UnreadableSheet("这是一个文件夹，不是名册文件。请在 registers.toml 中写文件名")
    return UnreadableSheet(f"无法读取此文件（{reason(exc)}）。请确认文件未被其他程序占用后重试")


def _loose(name: str) -> str:
    return "".join(name.split()).casefold()


_SUFFIXES = (*WORKBOOK_SUFFIXES, *TEXT_SUFFIXES)


def _stem(name: str) -> str:
    """``name`` loosely, without its register suffixes however many (名册.xlsx.xlsx: Windows
    hides the suffix, and the clerk typed it once more)."""
    loose = _loose(name)
    while suffix := next((s for s in _SUFFIXES if loose.endswith(s)), None):
        loose = loose.removesuffix(suffix)
    return loose


def _near(path: Path) -> tuple[str, str] | None:
    """The one file beside ``path`` named as it is but for letter case and spaces
    (2012-mianyang.XLSX, as Windows often writes the suffix, for 2012-mianyang.xlsx), else the
    one but for its suffix (.xls for .xlsx, 名册.xlsx.xlsx), with how it differs: each was "not
    found" while it stood in the folder (a clerk's review)."""
    try:
        names = [p.name for p in path.parent.iterdir() if p.is_file()]
    except OSError:
        return None
    for differs, alike in (("字母大小写或空格", _loose), ("扩展名", _stem)):
        found = [name for name in names if alike(name) == alike(path.name)]
        if len(found) == 1:
            return found[0], differs
    return None


def file_fingerprint(entry: RegisterEntry) -> str:
    """`RegisterEntry.fingerprint` of the file as it is now: read as a regular file within the
    register size limit (a FIFO, a device or a huge file is refused, never read)."""
    if not entry.path.exists():
        trimmed = entry.path.with_name(entry.path.name.strip())
        if trimmed != entry.path and trimmed.exists():  # "a.csv " typed in registers.toml
            raise UnreadableSheet(
                f"registers.toml 中的 file “{entry.path.name}”前后有空格，文件夹中的文件名没有："
                "请删去引号内的空格"
            )
        if found := _near(entry.path):
            near, differs = found
            raise UnreadableSheet(
                f"找不到此文件，但文件夹中有“{near}”，只是{differs}不同：请把 registers.toml "
                f"中的 file 改为“{near}”（或把文件改名为“{entry.path.name}”）"
            )
        raise UnreadableSheet(f"{unreadable(FileNotFoundError())}{numbering_hint(entry)}")
    try:
        data = open_regular_file(entry.path, REGISTER_LIMITS.max_file_bytes, REGISTER_LIMITS.basis)
    except OSError as exc:
        raise unreadable(exc) from exc
    fingerprint, own = entry.hashed(data)
    _SHA256[fingerprint] = own
    return fingerprint


_SHA256: dict[str, str] = {}
"""The file's own SHA-256 by the fingerprint of the version it is of, taken with the
fingerprint: the history records it without reading the file again inside the register's
write transaction (`file_sha256`)."""


def file_sha256(entry: RegisterEntry, fingerprint: str) -> str | None:
    """The SHA-256 of the file's bytes, as ``sha256sum`` prints it, when the file is still the
    version ``fingerprint`` names (None when it changed since, or cannot be read): what an
    auditor matches an archived register to its sync by."""
    if fingerprint and fingerprint not in _SHA256:  # read since by a worker only: read again
        with contextlib.suppress(UnreadableSheet):
            file_fingerprint(entry)
    return _SHA256.get(fingerprint)
