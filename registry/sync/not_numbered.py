"""A roster listed by the name of its numbered copy, which was never made: the clerk wrote the
copy's name in registers.toml and forgot to run ``certreg number``; the original lies beside."""

from __future__ import annotations

import shlex
from pathlib import Path

from registry.domain.registers import ROSTER_KINDS
from registry.kinds.base import RegisterEntry


def original_of(entry: RegisterEntry) -> Path | None:
    """The roster beside ``entry``'s missing file that the file would be numbered from: of the
    same suffix, its name the start of the missing one's (2012-zigong-2.xlsx for
    2012-zigong-2-numbered.xlsx; the longest, and not 2012-zigong-2 for 2012-zigong-20-…)."""
    if entry.kind not in ROSTER_KINDS:
        return None
    stem, suffix = entry.path.stem, entry.path.suffix.lower()
    try:
        beside = list(entry.path.parent.iterdir())
    except OSError:
        return None
    found = [
        path
        for path in beside
        if path.suffix.lower() == suffix
        and stem.startswith(path.stem)
        and len(path.stem) < len(stem)
        and not (stem[len(path.stem)].isascii() and stem[len(path.stem)].isalnum())
        and path.is_file()
    ]
    return max(found, key=lambda path: len(path.stem), default=None)


def numbering_hint(entry: RegisterEntry) -> str:
    """What to run when ``entry``'s missing file looks like a numbered copy never made."""
    original = original_of(entry)
    if original is None:
        return ""
    region = f" --region {entry.region}" if entry.region != entry.authority else ""
    return (
        f"。同一文件夹中有 {original.name}：它多半还没有编号（§四.(四)），编号后的副本 "
        f"{entry.path.name} 还没有做出来。请先在该文件夹中运行 certreg number {shlex.quote(original.name)} "
        f"--kind {entry.kind} --authority {entry.authority}{region} --out "
        f"{shlex.quote(entry.path.name)}，再导入"
    )
