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
import itertools
import json
import sqlite3
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Generic, TypeVar

from registry.domain.clock import beijing_today
from registry.domain.problems import Problem
from registry.domain.regions import unit_key
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
    folder: Path | None = None
    """the manifest's folder, which the file may not leave (None: a file named on the command
    line, where the administrator's path is the file). Recorded with the register, for the
    registers its list leaves out (`registry.sync.delisted`), but not hashed into its
    fingerprint: a folder moved is the same version."""

    def fingerprint(self, content: bytes) -> str:
        """Hash of the file's bytes and the declared facts: same hash, same register version."""
        return self.hashed(content)[0]

    def hashed(self, content: bytes) -> tuple[str, str]:
        """(`fingerprint`, the file's own SHA-256 as ``sha256sum`` prints it), in one pass over
        the bytes: the second is the first's digest before the facts are added to it."""
        facts = {k: str(v) for k, v in asdict(self).items() if k not in ("path", "folder")}
        digest = hashlib.sha256(content)
        own = digest.hexdigest()
        digest.update(json.dumps(facts, sort_keys=True, ensure_ascii=False).encode())
        return digest.hexdigest(), own

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
            # "": a file named on the command line, in no folder's list (NULL: loaded before
            # registers knew their folder, `registry.sync.delisted`)
            "folder": str(self.folder.resolve()) if self.folder else "",
        }


@dataclass
class LoadContext:
    """What a check may consult: the registry (inside the write transaction) and the catalogue."""

    conn: sqlite3.Connection
    catalogue: TradeCatalogue
    today: dt.date = field(default_factory=beijing_today)


Checked = TypeVar("Checked")
Payload = TypeVar("Payload")


def keep_table(
    table: Table, entry: RegisterEntry, catalogue: TradeCatalogue, today: dt.date
) -> Table:
    """``check_alone`` of a kind whose every check needs the registry."""
    return table


def no_entry_rule(entry: RegisterEntry) -> str | None:
    return None


def all_records(table: Table) -> int:
    return len(table.records)


@dataclass(frozen=True, kw_only=True)
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
    needs: tuple[str, ...] = ()
    """the manifest keys a register of this kind must give besides ``kind`` and ``authority``"""
    entry_rule: Callable[[RegisterEntry], str | None] = no_entry_rule
    """why a manifest entry cannot declare a register of this kind (§三), or None"""
    entry_note: Callable[[RegisterEntry], str | None] = no_entry_rule
    """what the report says of a manifest entry without refusing it, or None"""
    rows: Callable[[Table], int] = all_records
    """the rows the report counts: a summary table's closing 合计 line is none"""


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
    """A "new version" of a roster that keeps none of the loaded one's numbers nor holders is
    another roster under the same file name — two provincial units' 审批名册.xlsx. ``keys``:
    (columns, this version's values of them); a value in common relates the versions."""
    judged = False
    for columns, values in keys:
        if not values:  # nothing of this version to compare (every row refused on its own)
            continue
        # no DISTINCT: with the planner's statistics of a registry of one register, SQLite
        # read DISTINCT through a whole index of the table, a second a register at a million
        found = set(
            conn.execute(
                f"SELECT {', '.join(columns)} FROM [{table}] WHERE register = ?", (entry.key,)
            ).fetchall()
        )
        if not found.isdisjoint(values):
            return []
        judged = judged or bool(found)
    return [another_file(conn, entry, table, what, clause)] if judged else []


def like_none(
    conn: sqlite3.Connection,
    entry: RegisterEntry,
    table: str,
    rows: Sequence[Mapping[str, object]],
    weights: Mapping[tuple[str, ...], int],
    enough: int,
    what: str,
    clause: str,
) -> list[Problem]:
    """A "new version" of a blank-certificate register none of whose records is like one of
    the loaded version's — agreeing in fields (each a group of columns) of ``weights`` that
    weigh ``enough`` together; a blank agreeing with a blank says nothing — is another register
    under the same file name (two folders' 2012-dispatches.xlsx): taken for a version, it would
    silently replace the first one's records. A corrected record changes one field and stays alike,
    also in a register of one record. Judge a version only once it has no problem of its own."""
    groups = list(weights)
    columns = [column for group in groups for column in group]
    loaded = conn.execute(
        f"SELECT {', '.join(columns)} FROM [{table}] WHERE register = ?", (entry.key,)
    ).fetchall()
    if not rows or not loaded:
        return []
    ends = list(itertools.accumulate(len(group) for group in groups))
    starts = [0, *ends[:-1]]
    # The sets of fields that weigh enough together: a row is like a record when they agree in
    # every (filled) field of one of them — each set looked up at once: compared with every
    # record, a 10,000-row version took 6 s, a different file of 20,000 rows minutes.
    enough_sets = [
        combo
        for size in range(1, len(groups) + 1)
        for combo in itertools.combinations(range(len(groups)), size)
        if sum(weights[groups[i]] for i in combo) >= enough
    ]

    def keys(fields: Sequence[tuple[object, ...]]) -> Iterator[tuple[object, ...]]:
        for combo in enough_sets:
            parts = [fields[i] for i in combo]
            if all(any(value not in (None, "") for value in part) for part in parts):
                yield (combo, *parts)

    known = {
        key
        for values in loaded
        for key in keys([values[a:b] for a, b in zip(starts, ends, strict=True)])
    }
    for row in rows:
        if any(key in known for key in keys([tuple(row[c] for c in group) for group in groups])):
            return []
    return [another_file(conn, entry, table, what, clause)]


def another_file(
    conn: sqlite3.Connection, entry: RegisterEntry, table: str, what: str, clause: str
) -> Problem:
    """The problem of a file taken for another of the same name (``what``: a measure word and
    the records, 本证书, 笔发放)."""
    (loaded,) = conn.execute(
        f"SELECT count(*) FROM [{table}] WHERE register = ?", (entry.key,)
    ).fetchone()
    return Problem(
        None,
        None,
        None,
        f"“{entry.key}”此前导入的 {loaded} {what}，这一版本中没有一{what[0]}是它们的更正："
        "这不是同一份文件的更正版本，而是另一份同名的文件。请换一个文件名再列入清单"
        "（同一文件名只用于同一份名册或登记表的新版本）",
        clause,
    )


def registered_twice(
    conn: sqlite3.Connection,
    entry: RegisterEntry,
    table: str,
    identity: tuple[str, ...],
    rows: Sequence[Mapping[str, object]],
    same: Callable[[Mapping[str, object], str], Problem],
) -> list[Problem]:
    """A problem (``same(row, where)``) for each of ``rows`` that repeats an earlier row of the file or
    a row another register holds, field for field over ``identity`` (its first field, a unit,
    in normal form): pasted twice, or the same file loaded again under another name — a
    quantity counted twice lets twice the blanks out (§四.(二))."""

    def key(values: Sequence[object]) -> tuple[object, ...]:
        return (unit_key(str(values[0])), *values[1:])

    registered = {
        key(found[:-2]): (found[-2], found[-1])
        for found in conn.execute(
            f"SELECT {', '.join(identity)}, register, source_row FROM [{table}]"
            " WHERE register <> ?",
            (entry.key,),
        )
    }
    first: dict[tuple[object, ...], object] = {}
    problems = []
    for row in rows:
        found = key([row[field] for field in identity])
        if found in first:
            problems.append(same(row, f"与本文件第{first[found]}行"))
        elif found in registered:
            register, line = registered[found]
            problems.append(same(row, f"与登记表“{register}”第{line}行"))
        else:
            first[found] = row["source_row"]
    return problems
