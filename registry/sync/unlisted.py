"""The spreadsheets beside the registers that ``registers.toml`` does not list: a clerk who put a
roster there and forgot its ``[[register]]`` believes it loaded, and nothing else says it did not.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from pathlib import Path

from registry.sheets.guard import WORKBOOK_SUFFIXES
from registry.sync.manifest import Manifest
from registry.sync.problem_lists import PROBLEM_LISTS

SPREADSHEET_SUFFIXES = (*WORKBOOK_SUFFIXES, ".csv")
"""What `unlisted` looks for: a ``.txt`` beside the registers is more often a note than one."""

_NUMBERED = re.compile(r"[-_ .]?(numbered|已?编号后?|编号版)(\s*[(（]\d+[)）])?", re.IGNORECASE)


def _numbered_copy(copy: str, original: str) -> bool:
    """Whether a file named ``copy`` reads as ``original``'s numbered copy (2012-mianyang-
    numbered, 2012-mianyang编号后): its name and a word saying so — not 2013-deyang-supplement
    for 2013-deyang, another roster."""
    rest = copy.removeprefix(original)
    return rest != copy and _NUMBERED.fullmatch(rest) is not None


def unlisted(
    directory: Path, manifest: Manifest, catalogues: Iterable[Path | None] = ()
) -> list[str]:
    """The spreadsheets in the manifest's folder — and in the folders its registers are in —
    that it does not list: a clerk who put a roster there and forgot its ``[[register]]``
    believes it loaded. Problem lists, the catalogues, Office's lock files (``~$…``) and the
    originals of listed numbered copies (``2012-mianyang.xlsx`` beside a listed
    ``2012-mianyang-numbered.xlsx``, as ``certreg number --out`` makes them) aside; a folder
    that cannot be read is the missing file's own problem, reported with its register.
    ``catalogues`` are trade catalogues given on the command line (``--trades-extra``), not
    forgotten registers either."""
    listed = {entry.path.resolve() for entry in manifest.entries}
    given = (manifest.trades, manifest.trades_extra, *catalogues)
    listed |= {path.resolve() for path in given if path}
    copies = {(entry.path.parent, entry.path.stem) for entry in manifest.entries}
    folders = {directory, *(entry.path.parent for entry in manifest.entries)}
    found = []
    for folder in folders:
        try:
            paths = list(folder.iterdir())
        except OSError:
            continue
        for path in paths:
            name = path.name
            if (
                path.suffix.lower() in SPREADSHEET_SUFFIXES
                and not name.startswith(("~$", "."))
                and not name.endswith(PROBLEM_LISTS)
                and not any(
                    where == folder and _numbered_copy(stem, path.stem) for where, stem in copies
                )
                and path.is_file()
                and path.resolve() not in listed
            ):
                found.append(readable(path.relative_to(directory).as_posix()))
    return sorted(found)


NOT_UTF8 = "（文件名不是 UTF-8 编码，registers.toml 写不出它：请把文件改名）"


def readable(name: str) -> str:
    """A file name as a person reads it: one whose bytes are not UTF-8 — GBK, as a zip made on
    a Chinese Windows unpacks — read as GB18030 and said to need renaming. Kept as the file
    system gave it, it was ``<U+DCC3>…`` in the report and made ``--json`` invalid UTF-8."""
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return os.fsencode(name).decode("gb18030", "replace") + NOT_UTF8
    return name
