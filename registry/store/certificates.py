"""Every write of a roster to ``certificates`` and ``certificate_history``.

A roster's rows become certificates; a corrected version of the roster updates the fields that
changed and keeps the earlier values in history; a certificate is never deleted, one a version
left out and a later one lists again is recorded as back (`registry.store.restorations`). The
status changes' writes are `registry.store.events`'. All of it runs inside the sync's
transaction for the register.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence

from registry.domain.numbers import CertificateNumber
from registry.domain.problems import Problem
from registry.domain.registers import PUT_BACK
from registry.domain.statuses import REVOKED
from registry.domain.trades import TradeCatalogue
from registry.store.append_only import own_inserts
from registry.store.by_number import rows_by_number
from registry.store.holdings import endings, same_trade
from registry.store.restorations import LEFT_OUT, record_restored
from registry.store.rows import ROSTER_FIELDS, CertificateRow
from registry.store.writes import Applied, Change

_NEW = (*CertificateRow._fields, "created_sync", "updated_sync")
_INSERT = (
    f"INSERT INTO certificates ({', '.join(f'[{c}]' for c in _NEW)}) "
    f"VALUES ({', '.join('?' * len(_NEW))})"
)
"""A new certificate is valid, with no status date, successor or predecessor: the columns'
defaults, left out, since binding a parameter costs as much as SQLite storing it."""
_UPDATE = (
    f"UPDATE certificates SET {', '.join(f'[{c}] = ?' for c in (*ROSTER_FIELDS, 'updated_sync'))}"
    " WHERE number = ?"
)
HISTORY_INSERT = (
    "INSERT INTO certificate_history (number, sync, at, field, old, new) VALUES (?, ?, ?, ?, ?, ?)"
)
_SELECT_REGISTER = (
    f"SELECT {', '.join(f'[{c}]' for c in CertificateRow._fields)} FROM certificates"
    " WHERE register = ?"
)


def as_registered(
    conn: sqlite3.Connection,
    register: str,
    rows: Sequence[CertificateRow],
    catalogue: TradeCatalogue,
) -> list[CertificateRow]:
    """``rows`` with the trade of each certificate ``register`` holds already as stored, when
    ``catalogue`` says it is the row's (`same_trade`): a catalogue that renamed 电工 to 电工作业,
    the old name its alias, reads a corrected version's 电工 as 电工作业, which `write_roster`
    wrote as a correction — in the history, counted as 修改, and a receipt of an earlier check
    read as corrected since — though the clerk changed nothing of the trade (data/README.md)."""
    stored = dict(
        conn.execute("SELECT number, trade FROM certificates WHERE register = ?", (register,))
    )

    def spelt(row: CertificateRow) -> CertificateRow:
        held = stored.get(row.number, row.trade)
        if held == row.trade or not same_trade(catalogue, held, row.trade):
            return row
        return row._replace(trade=held)

    return [spelt(row) for row in rows]


def write_roster(
    conn: sqlite3.Connection,
    register: str,
    rows: Sequence[CertificateRow],
    sync_id: int,
    at: str,
) -> Applied:
    """Insert a roster's new certificates, update changed ones (with history); a certificate the
    register held before and lacks now is reported as a conflict, never deleted."""
    existing = {row[0]: CertificateRow(*row) for row in conn.execute(_SELECT_REGISTER, (register,))}
    wide = _register_wide(existing.values(), rows)
    new_rows = []
    history: list[tuple[object, ...]] = []
    updates = []
    moved: set[str] = set()  # their row alone changed
    for row in rows:
        old = existing.pop(row.number, None)
        if old is None:
            new_rows.append((*row, sync_id, sync_id))
        elif old != row:
            differ = [
                (row.number, sync_id, at, field, before, after)
                for field, before, after in zip(CertificateRow._fields, old, row, strict=True)
                if before != after
            ]
            history += differ
            updates.append((*row[1:], sync_id, row.number))
            if [field for _, _, _, field, _, _ in differ] == ["source_row"]:
                moved.add(row.number)
    followed = _follow_register(conn, wide, existing.values(), sync_id)  # the left out
    history += [(number, sync_id, at, field, old, new) for number, field, old, new in followed]
    restored = record_restored(conn, register, rows, sync_id, at)  # before the updates
    with own_inserts(conn, "certificates"):
        conn.executemany(_INSERT, new_rows)
    conn.executemany(_UPDATE, updates)
    conn.executemany(HISTORY_INSERT, history)
    carried = _carry_to_successors(conn, history, sync_id, at)
    # what a clerk reads of each: a field printed on the paper, a successor's carried, one back
    shown = [(str(n), str(f), old, new) for n, _, _, f, old, new in history if f in SHOWN]
    back = [(r.number, "source_row", LEFT_OUT, r.source_row) for r in rows if r.number in restored]
    changed = {number for *_, number in updates} | restored | carried.keys()
    changed |= {number for number, *_ in followed}
    changes = [*shown, *(c for changes in carried.values() for c in changes), *back]
    revoked = _revoked(conn, {number for number, *_ in shown})
    return Applied(
        len(new_rows),
        len(changed),
        _left_out(conn, existing),
        changes,
        len(moved - restored),
        revoked,
    )


def _left_out(conn: sqlite3.Connection, left: dict[str, CertificateRow]) -> list[Problem]:
    """A conflict for each certificate the register held and its new version lacks: kept, never
    deleted — what to do about it, if anything, said by how it ended (`endings`)."""
    ended = endings(conn, list(left))
    return [
        Problem(
            None,
            "颁发证书编号",
            number,
            f"新版本名册中没有此证书（原第{old.source_row}行，{old.name}）；证书不会被删除，"
            + (ended.get(number) or "如需使证书失效，请登记撤销")
            + f"。{PUT_BACK}",
            "§五.(三)",
        )
        for number, old in left.items()
    ]


def _revoked(conn: sqlite3.Connection, numbers: set[str]) -> list[str]:
    """Those of ``numbers`` revoked: a correction of a revoked certificate is flagged."""
    query = "SELECT number FROM certificates WHERE number IN ({numbers}) AND status = ?"
    return [number for (number,) in rows_by_number(conn, query, sorted(numbers), REVOKED)]


REGISTER_WIDE = ("approval_doc", "issued_on")
"""The manifest's fields, every row's (§四.(三): the 发证日期 is the approving document's date) —
a 附件5 row may name its own 批准文号, which is then no register's."""


def _register_wide(
    before: Iterable[CertificateRow], after: Sequence[CertificateRow]
) -> dict[str, tuple[object, object]]:
    """Each of `REGISTER_WIDE` that one value held for every row of the loaded version and
    another holds for every row of the new one: field → (old, new)."""
    wide = {}
    for index, field in ((CertificateRow._fields.index(f), f) for f in REGISTER_WIDE):
        old, new = {row[index] for row in before}, {row[index] for row in after}
        if len(old) == len(new) == 1 and old != new:
            wide[field] = (old.pop(), new.pop())
    return wide


def _follow_register(
    conn: sqlite3.Connection,
    wide: dict[str, tuple[object, object]],
    left_out: Iterable[CertificateRow],
    sync_id: int,
) -> list[Change]:
    """The register's new 发证日期 or 批准文号 (``wide``) given to the certificates its new
    version left out, which are still its own (never deleted): corrected on the rows listed
    alone, a dropped 补发's certificate kept the old date — its public answer too, and the
    approval document counted under two dates (an auditor's review). Returns the changes."""
    changes: list[Change] = []
    for row in left_out:
        fields = [f for f, (old, _) in wide.items() if getattr(row, f) == old]
        if not fields:
            continue
        conn.execute(
            f"UPDATE certificates SET {', '.join(f'[{f}] = ?' for f in fields)},"
            " updated_sync = ? WHERE number = ?",
            (*(wide[f][1] for f in fields), sync_id, row.number),
        )
        changes += [(row.number, f, wide[f][0], wide[f][1]) for f in fields]
    return changes


SHOWN = frozenset(ROSTER_FIELDS) - {"name_key", "register", "source_row"}
"""The fields whose changes the sync report lists: what the roster says, not where its row is."""


CARRIED = frozenset(
    ("work_start", "unit", "education", "prior_certificate", "wage_grade_since", "exam_year")
    + ("trade", "conduct", "work_record", "ethics", "theory", "practice", "remark")
)
"""What a corrected roster changes of a holder's record that a 换发 or 补发 copied to the new
certificate. Who holds it never changes, and the trade of a replaced one only to its newest
certificate's (`registry.kinds.roster_holdings`): carried, it reaches the copies between the
two, never a holding of its own."""


def _carry_to_successors(
    conn: sqlite3.Connection, history: list[tuple[object, ...]], sync_id: int, at: str
) -> dict[str, list[Change]]:
    """The corrections of ``history`` (number, sync, at, field, old, new) carried to the
    certificates that replaced the corrected ones, down each chain of 换发 and 补发 — where the
    new certificate still holds the old value (a 换发 that corrected the field keeps its own):
    a fixed 工种 stayed wrong on the holder's current certificate, and on its public check.
    Returns the changes of each number changed, each in its history too."""
    corrected: dict[str, list[tuple[str, object, object]]] = {}
    for number, _, _, field, old, new in history:
        if field in CARRIED:
            corrected.setdefault(str(number), []).append((str(field), old, new))
    numbers = sorted(corrected)
    query = (
        "SELECT number, successor FROM certificates WHERE successor IS NOT NULL"
        " AND number IN ({numbers})"
    )
    replaced: dict[str, str] = dict(rows_by_number(conn, query, numbers))
    carried: dict[str, list[Change]] = {}
    for number, following in replaced.items():
        changes = corrected[number]
        while following and changes:
            names = ", ".join(f"[{field}]" for field, _, _ in changes)
            held = conn.execute(
                f"SELECT successor, {names} FROM certificates WHERE number = ?", (following,)
            ).fetchone()
            # a field a 换发 set otherwise is its own, there and on every number after it
            changes = [
                (field, old, new)
                for (field, old, new), value in zip(changes, held[1:], strict=True)
                if value == old
            ]
            if changes:
                conn.execute(
                    f"UPDATE certificates SET {', '.join(f'[{f}] = ?' for f, _, _ in changes)},"
                    " updated_sync = ? WHERE number = ?",
                    (*(new for _, _, new in changes), sync_id, following),
                )
                conn.executemany(
                    HISTORY_INSERT,
                    [(following, sync_id, at, field, old, new) for field, old, new in changes],
                )
                carried[following] = [(following, f, old, new) for f, old, new in changes]
            following = held[0]
    return carried


def register_of(conn: sqlite3.Connection, number: CertificateNumber) -> str | None:
    """The register certificate ``number`` was loaded from; None when it is not in the registry."""
    row = conn.execute("SELECT register FROM certificates WHERE number = ?", (str(number),))
    found = row.fetchone()
    return None if found is None else str(found[0])


def same_register_through(
    conn: sqlite3.Connection, first: CertificateNumber, last: CertificateNumber
) -> bool:
    """Whether every number from ``first`` to ``last`` (one letter, year and region) is a
    certificate in the registry, all from one register."""
    count, registers = conn.execute(
        "SELECT count(*), count(DISTINCT register) FROM certificates WHERE number BETWEEN ? AND ?",
        (str(first), str(last)),
    ).fetchone()
    return bool(count == last.sequence - first.sequence + 1 and registers == 1)
