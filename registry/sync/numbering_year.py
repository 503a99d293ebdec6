"""The year code ``certreg number`` numbers a roster with when not told (附件3 二): the one the
sync will hold its numbers to, from the roster's entry in a ``registers.toml``."""

from __future__ import annotations

import contextlib
from pathlib import Path

from registry.domain.clock import beijing_today
from registry.domain.dates import FIRST_DAY, BadDate, parse_year
from registry.domain.numbers import year_code_of, year_of_code
from registry.sheets.table import Table
from registry.sync.manifest import MANIFEST_NAME, ManifestError, load_manifest

LISTED = f"取 {MANIFEST_NAME} 中"
"""How `year_code_for` says it took the year code from a manifest."""
THIS_YEAR = "取今年（北京时间）年份后两位"
"""How `year_code_for` says it took this year's code, for want of anything saying otherwise."""
EXAM_YEARS_BEFORE = 2
"""How many years after a roster's latest 报考年度 this year's code is taken for another year's
(a roster is approved in the year of its examinations, or the next)."""


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
    return year, THIS_YEAR


def unlike_exams(table: Table, year_code: str) -> str | None:
    """Why this year's code, taken for want of ``--year-code``, is not ``table``'s: its latest
    报考年度 years before — a 2012 roster numbered in 2026 took 26, and its numbers were handed
    out for good before the sync refused them (a clerk's review) —, or no 报考年度 that reads as
    a year at all (0, 2999, blank: a hostile review), which tells nothing of the year."""
    this_year = year_of_code(year_code, beijing_today())
    years = []
    for record in table.records:
        with contextlib.suppress(BadDate):
            years.append(parse_year(record.values.get("报考年度") or ""))
    latest = max((y for y in years if FIRST_DAY.year - 30 <= y <= this_year), default=None)
    ask = (
        f"年份代码是证书的核发年份（附件3 二），不是编号的这一年。请用 --year-code 指定核发年份的后两位"
        f"（或写在 {MANIFEST_NAME} 中此名册的 year_code）"
    )
    if latest is None:
        return (
            f"未指定 --year-code，而名册的报考年度读不出一个合理的年份，无法判断核发年份：{ask}。"
            "未占用任何编号"
        )
    if this_year - latest < EXAM_YEARS_BEFORE:
        return None
    first = max(latest, FIRST_DAY.year)  # none before the first batch's 11 (附件3 二)
    codes = "、".join(f"--year-code {year_code_of(y)}" for y in (first, first + 1))
    return (
        f"未指定 --year-code，年份代码取了今年的 {year_code}，但名册的报考年度最晚是 {latest} 年：{ask}，"
        f"如 {codes}；确是今年核发的，加 --year-code {year_code}。未占用任何编号"
    )
