"""What every register kind provides to the sync (SPEC §4, §9).

A `Kind` owns its spreadsheet `Layout`, the rule its manifest entry must follow, and three steps:
``check_alone`` (the checks the file alone can fail — pure, so a sync runs it for the next
registers in other processes, `registry.sync.pipeline`), ``validate`` (the checks against the
registry, inside the write transaction) and ``apply`` (hands the payload to `registry.store`).
The payload types are each kind's own; `registry.kinds` lists the kinds.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import sqlite3
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Generic, TypeVar

from registry.domain.problems import Problem
from registry.domain.trades import TradeCatalogue
from registry.sheets.layout import Layout
from registry.sheets.table import Table, read_table
from registry.store.syncs import LoadedVersion
from registry.store.writes import Applied


@dataclass(frozen=True)
class RegisterEntry:
    """One register as the manifest declares it. ``key`` identifies it across versions."""

    path: Path
    key: str
    kind: str
    authority: str
    region: str
    approval_doc: str | None = None
    issued_on: dt.date | None = None
    year_code: str | None = None
    unit: str | None = None

    def fingerprint(self, content: bytes) -> str:
        """Hash of the file's bytes and the declared facts: same hash, same register version."""
        facts = {k: str(v) for k, v in asdict(self).items() if k != "path"}
        digest = hashlib.sha256(content)
        digest.update(json.dumps(facts, sort_keys=True, ensure_ascii=False).encode())
        return digest.hexdigest()

    def facts(self) -> dict[str, object]:
        """The entry as the ``registers`` table records it."""
        return {
            "key": self.key,
            "kind": self.kind,
            "file": self.path.name,
            "authority": self.authority,
            "region": self.region,
            "unit": self.unit,
            "approval_doc": self.approval_doc,
            "issued_on": self.issued_on.isoformat() if self.issued_on else None,
            "year_code": self.year_code,
        }


@dataclass
class LoadContext:
    """What a check may consult: the registry (inside the write transaction) and the catalogue."""

    conn: sqlite3.Connection
    catalogue: TradeCatalogue
    today: dt.date = field(default_factory=dt.date.today)


Checked = TypeVar("Checked")
Payload = TypeVar("Payload")


def keep_table(
    table: Table, entry: RegisterEntry, catalogue: TradeCatalogue, today: dt.date
) -> Table:
    """``check_alone`` of a kind whose every check needs the registry."""
    return table


def no_entry_rule(entry: RegisterEntry) -> str | None:
    return None


@dataclass(frozen=True)
class Kind(Generic[Checked, Payload]):
    layout: Layout
    validate: Callable[[Checked, RegisterEntry, LoadContext], tuple[list[Problem], Payload]]
    """(what ``check_alone`` made of the table, entry, context) → (every problem, payload)"""
    apply: Callable[[sqlite3.Connection, RegisterEntry, Payload, int, str], Applied]
    """(conn, entry, payload, sync id, time) → what was written"""
    check_alone: Callable[[Table, RegisterEntry, TradeCatalogue, dt.date], Checked]
    """the checks that need no registry, which a sync may run ahead in another process"""
    read: Callable[[Path, Layout], Table] = read_table
    """how a file of this kind is read; a table by its header unless the kind says otherwise"""
    entry_rule: Callable[[RegisterEntry], str | None] = no_entry_rule
    """why a manifest entry cannot declare a register of this kind (§三), or None"""


_IDENTITY = (
    ("kind", "名册种类"),
    ("authority", "发证机关"),
    ("region", "编号地区"),
    ("year_code", "年份代码"),
)


def another_register(entry: RegisterEntry, known: LoadedVersion) -> Problem | None:
    """A problem when ``entry`` bears the key of a loaded register but is not the same register:
    a new version keeps the kind, the authority, the numbering region and the year code its
    numbers carry. Without this, another city's file of the same name — or the same city's
    审批名册.xlsx of another year, in another folder — would pass as a corrected version: its
    rows judged as that register's, the first one's certificates reported missing (and advised
    revoked), its facts overwritten."""
    facts = entry.facts()
    for name, label in _IDENTITY:
        before, after = getattr(known, name), facts[name]
        if before != after:
            return Problem(
                None,
                None,
                None,
                f"名册“{entry.key}”已以{label} {before} 导入，本次为 {after}：同一文件名"
                "只用于同一份名册的新版本。如是另一份名册，请换一个文件名再列入清单；"
                f"如是同一份名册，请在清单中改回{label} {before}",
            )
    return None


def kept_nothing(
    conn: sqlite3.Connection,
    entry: RegisterEntry,
    table: str,
    keys: Sequence[tuple[tuple[str, ...], Collection[tuple[object, ...]]]],
    what: str,
    clause: str,
) -> list[Problem]:
    """A "new version" of ``entry``'s register that keeps none of what the loaded one put in
    ``table`` is another register under the same file name — two folders' 2012-dispatches.xlsx,
    two provincial units' 审批名册.xlsx. Taken for a version, it silently replaced the first one's
    records (deleted its dispatches, reported its events or certificates missing). ``keys``:
    (columns, this version's values of them) — a record keeping any one of them relates the
    versions (a corrected row changes one field, not all); ``what``: a measure word and the
    records (本证书, 笔发放). Judged only for a version with no problem of its own: a row refused
    for its own error is no part of the comparison, and the clerk mends the file first."""
    judged = False
    for columns, values in keys:
        if not values:  # nothing of this version to compare (every row refused on its own)
            continue
        found = set(
            conn.execute(
                f"SELECT DISTINCT {', '.join(columns)} FROM [{table}] WHERE register = ?",
                (entry.key,),
            ).fetchall()
        )
        if not found.isdisjoint(values):
            return []
        judged = judged or bool(found)
    if not judged:  # a first version, or nothing to judge by
        return []
    (loaded,) = conn.execute(
        f"SELECT count(*) FROM [{table}] WHERE register = ?", (entry.key,)
    ).fetchone()
    return [
        Problem(
            None,
            None,
            None,
            f"“{entry.key}”此前导入的 {loaded} {what}，这一版本中一{what[0]}也没有：这不是"
            "同一份文件的更正版本，而是另一份同名的文件。请换一个文件名再列入清单"
            "（同一文件名只用于同一份名册或登记表的新版本）",
            clause,
        )
    ]


def keys_of(
    rows: Sequence[Mapping[str, object]], *groups: tuple[str, ...]
) -> list[tuple[tuple[str, ...], set[tuple[object, ...]]]]:
    """`kept_nothing`'s keys of records as dicts: each group of columns with its values."""
    return [(group, {tuple(row[c] for c in group) for row in rows}) for group in groups]
