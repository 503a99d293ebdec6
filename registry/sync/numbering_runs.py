"""What a file's numbers and its earlier ``certreg number`` runs say about numbering it now:
the batch (year code) its numbers belong to, and the runs a new numbering would abandon — their
copy not loaded, and not this file (the copy saved back over its source carries them)."""

from __future__ import annotations

import contextlib
import sqlite3
from pathlib import Path

from registry.domain.numbers import CertificateNumber, MalformedNumber, parse
from registry.kinds import LAYOUTS
from registry.kinds.roster_cells import NUMBER_COLUMN
from registry.sheets.cells import text
from registry.sheets.table import Table, read_table
from registry.store.certificates import register_of
from registry.store.numbering_runs import UnloadedRun, runs_handing_out, unloaded_runs
from registry.sync.numbering import Numbering


def written_year_code(path: Path, kind: str) -> str | None:
    """The year code of the numbers ``path`` carries already, when they all share one: the
    batch a file numbered (or loaded) before belongs to, to which rows added to it belong too."""
    codes = {number.year_code for number in _written(read_table(path, LAYOUTS[kind]))}
    return codes.pop() if len(codes) == 1 else None


def _written(table: Table) -> list[CertificateNumber]:
    """The numbers ``table``'s rows carry, read as the sync reads them (Z11-2202-0003 too)."""
    return [number for _, number in _written_rows(table)]


def _written_rows(table: Table) -> list[tuple[int, CertificateNumber]]:
    """(row, number) of each row of ``table`` carrying a well-formed number, in roster order."""
    found = []
    for record in table.records:
        with contextlib.suppress(MalformedNumber):
            if written := text(record.values.get(NUMBER_COLUMN)):
                found.append((record.row, parse(written)))
    return found


def written_gap(conn: sqlite3.Connection, numbering: Numbering) -> str | None:
    """Why a file whose every row has its number, none issued, cannot be loaded as it is: a
    number malformed (the sync refuses it: it is corrected, not numbered again) or a level's
    numbers skipping one. Told "无需编号", the clerk had no way on. None when neither."""
    name = numbering.table.path.name
    if malformed := _malformed(numbering.table):
        row, written, why = malformed
        return (
            f"{name} 中所有行都已有证书编号，无需编号；但第{row}行的编号“{written}”有误：{why}"
            "（附件3）。请改正这个编号，再用 certreg sync 导入"
        )
    rows = _written_rows(numbering.table)
    if any(register_of(conn, number) is not None for _, number in rows):
        return None  # a roster loaded: its issued numbers never change (§五.(三))
    last: dict[str, tuple[int, CertificateNumber]] = {}
    for row, number in rows:
        before = last.setdefault(number.prefix, (row, number))
        last[number.prefix] = (row, number)
        if number.sequence > before[1].sequence + 1:
            skipped = f"第{before[0]}行是 {before[1]}，第{row}行是 {number}"
            handed_out = bool(runs_handing_out(conn, [str(n) for _, n in rows]))
            reason = _gap_reason(conn, (before[1], number, row), handed_out)
            runs = unloaded_runs(conn, str(numbering.table.path.resolve()))
            again = "，加 --again" if any(not run.registered for run in runs) else ""
            void = "；原编号作废，不再使用" if handed_out else ""
            return f"{name} 中所有行都已有证书编号，但编号跳号：{skipped}{reason}{again}{void}"
    return None


def _malformed(table: Table) -> tuple[int, str, str] | None:
    """The first row of ``table`` whose number is malformed — (row, number as written, why, as
    the sync says it): read as no number, it made the numbers either side of it a gap."""
    for record in table.records:
        if written := text(record.values.get(NUMBER_COLUMN)):
            try:
                parse(written)
            except MalformedNumber as exc:
                return record.row, written, str(exc)
    return None


def _gap_reason(
    conn: sqlite3.Connection,
    gap: tuple[CertificateNumber, CertificateNumber, int],
    handed_out: bool,
) -> str:
    """What the numbers of ``gap`` (the number before, the one after and its row) are, and the
    way on: held by other certificates (the file is numbered again); free, handed out by a
    numbering run (never handed out again: numbered again too); free, numbered by hand (moved
    up, as the sync says: told they could not be, the clerk heard sync and number disagree)."""
    before, after, row = gap
    first = before._replace(sequence=before.sequence + 1)
    last = after._replace(sequence=after.sequence - 1)
    held = [
        number
        for (number,) in conn.execute(
            "SELECT number FROM certificates WHERE number BETWEEN ? AND ? ORDER BY number",
            (str(first), str(last)),
        )
    ]
    if held:
        said = "、".join(held) if len(held) <= 3 else f"{held[0]} 等 {len(held)} 个编号"
        return (
            f"，中间的 {said} 已登记给别的证书（如换发、补发的新证书或另一份名册），不能再用"
            "（附件3 四）：请先清空本文件的“颁发证书编号”列，再运行 certreg number 重新编号"
        )
    if handed_out:
        return (
            "，中间的编号空着（如删除了行）。证书编号按名册顺序、分等级逐号编排，已分配的编号不再"
            "重用，不能前移给其他人（附件3 四）：请先清空本文件的“颁发证书编号”列，再运行 "
            "certreg number 重新编号"
        )
    return (
        f"，第{row}行应为 {first}。证书编号按名册顺序、分等级逐号编排（附件3 四）：请把第{row}行及"
        "其后同一等级各行的编号依次前移，再用 certreg sync 导入；或先清空本文件的"
        "“颁发证书编号”列，再运行 certreg number 重新编号"
    )


def abandoned_runs(conn: sqlite3.Connection, numbering: Numbering) -> list[UnloadedRun]:
    """The earlier runs on this file, not loaded, none of whose numbers the file carries (it is
    the original again, not their copy saved back, perhaps with a row dropped): numbering it
    again abandons them."""
    carried = [str(number) for number in _written(numbering.table)]
    levels = unloaded_runs(conn, str(numbering.table.path.resolve()))
    # a run is a row per level: it is kept when the file carries, or the registry holds, any
    # level's numbers
    kept = {
        (run.at, run.out)
        for run in levels
        if run.registered or any(run.first <= number <= run.last for number in carried)
    }
    return [run for run in levels if (run.at, run.out) not in kept]
