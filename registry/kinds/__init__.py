"""The register kinds the sync knows (SPEC §4, §9), each a `registry.kinds.base.Kind`.

Adding a kind: its entry module here with its layout, checks and payload (helpers, when it
grows, in modules named after it, as ``roster_*`` and ``status_*`` are), and one line below — the
other places it touches are listed in docs/ARCHITECTURE.md ("Where things go").
"""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Any

from registry.domain.registers import KIND_LABELS
from registry.kinds import collections, dispatches, requisitions, rosters, status_changes
from registry.kinds.base import Kind
from registry.sheets.errors import HeaderNotFound, UnreadableSheet
from registry.sheets.header import HEADER_SEARCH_ROWS, find_header
from registry.sheets.layout import Layout
from registry.sheets.rows import open_sheet
from registry.sheets.table import Table

KINDS: dict[str, Kind[Any, Any]] = {
    kind.layout.kind: kind
    for kind in (
        rosters.APPROVAL,
        rosters.TECHNICIAN,
        status_changes.KIND,
        requisitions.KIND,
        dispatches.KIND,
        collections.KIND,
    )
}

LAYOUTS: dict[str, Layout] = {code: kind.layout for code, kind in KINDS.items()}
"""Register kind → the spreadsheet layout it is read (and its blank form written) with."""


def read_as(code: str, path: Path) -> Table:
    """``path`` read as a register of kind ``code``. One whose header is another kind's is told
    which kind to give it: column by column, a 附件4 roster read as a status-changes register
    was asked whether its “颁发证书编号” should be “证书编号”."""
    kind = KINDS[code]
    try:
        return kind.read(path, kind.layout)
    except HeaderNotFound:
        other = _headed_as(path, code)
        if other is None:
            raise
        raise UnreadableSheet(
            f"这份文件的表头是“{LAYOUTS[other].title}”的，不是“{kind.layout.title}”的："
            f"登记类型应为 {other}（{KIND_LABELS[other]}）。请在 registers.toml 中写 "
            f'kind = "{other}"（命令行为 --kind {other}），或换成应导入的文件'
        ) from None


def _headed_as(path: Path, code: str) -> str | None:
    """The other kind whose header the first rows of ``path`` hold, if one does."""
    rows = list(itertools.islice(open_sheet(path).rows, HEADER_SEARCH_ROWS + 5))
    for other, layout in LAYOUTS.items():
        try:
            if other != code and find_header(iter(rows), layout):
                return other
        except UnreadableSheet:
            continue
    return None
