"""The year code ``certreg number`` numbers a roster with when not told (附件3 二): the one the
sync will hold its numbers to, from the roster's entry in a ``registers.toml``."""

from __future__ import annotations

from pathlib import Path

from registry.domain.clock import beijing_today
from registry.domain.numbers import year_code_of
from registry.sync.manifest import MANIFEST_NAME, ManifestError, load_manifest

LISTED = f"取 {MANIFEST_NAME} 中"
"""How `year_code_for` says it took the year code from a manifest."""


def year_code_for(file: Path, out: Path) -> tuple[str, str]:
    """The year code ``certreg number`` gives ``file`` without ``--year-code``, and whence: the
    one sync will hold its numbers to — the entry of the numbered copy ``out``, or of ``file``,
    in the ``registers.toml`` beside it or in a folder above (its ``year_code``, which the
    manifest otherwise takes from ``issued_on``) — or, for a file listed nowhere, this year's in
    Beijing (附件3 二: the last two digits of the year of issue). A manifest that cannot be read
    is a `ManifestError`: guessing past it would hand out numbers of the wrong year for good."""
    near = (out.resolve().parent, file.resolve().parent)
    # the folders of both and above them: a manifest may list files in its subfolders
    for folder in dict.fromkeys(f for start in near for f in (start, *start.parents)):
        if not (folder / MANIFEST_NAME).is_file():
            continue
        try:
            entries = load_manifest(folder).entries
        except ManifestError as exc:
            raise ManifestError(
                f"{exc}\n未指定 --year-code 时按 {MANIFEST_NAME} 中此文件的年份代码编号：请先改正"
                f" {MANIFEST_NAME}，或用 --year-code 指定"
            ) from exc
        for candidate in (out, file):
            for entry in entries:
                if entry.path.resolve() == candidate.resolve() and entry.year_code:
                    where = f"{LISTED} {entry.path.name} 的年份代码"
                    return entry.year_code, where
    year = year_code_of(beijing_today().year)
    return year, "取今年（北京时间）年份后两位"
