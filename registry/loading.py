"""What every register kind provides to the sync: a pure check and a write.

A `Kind` pairs ``validate`` (read-only: the table, the manifest entry and a `LoadContext` in,
every problem and a payload out) with ``apply`` (writes the payload inside the sync's
transaction). A kind whose checks are costly may split off ``check_alone``, the part that needs
no registry, which `registry.pipeline` runs for the next registers while one is written.
`registry.kinds` lists the kinds; `registry.sync` runs them whole or not at all.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from registry.layouts import Layout
from registry.manifest import RegisterEntry
from registry.problems import Problem
from registry.readers import Table, read_table
from registry.trades import TradeCatalogue


@dataclass
class LoadContext:
    """What a check may consult: the registry (inside the write transaction) and the catalogue."""

    conn: sqlite3.Connection
    catalogue: TradeCatalogue
    today: dt.date = field(default_factory=dt.date.today)


@dataclass
class Outcome:
    """What happened to one register: ``loaded``, ``updated``, ``unchanged``, ``rejected``,
    or ``checked`` (a dry run that found no problem)."""

    entry: RegisterEntry
    outcome: str
    rows: int = 0
    added: int = 0
    changed: int = 0
    problems: list[Problem] = field(default_factory=list)
    conflicts: list[Problem] = field(default_factory=list)
    sync_id: int | None = None

    @property
    def ok(self) -> bool:
        return self.outcome != "rejected"


@dataclass(frozen=True)
class Kind:
    validate: Callable[[Any, RegisterEntry, LoadContext], tuple[list[Problem], Any]]
    """(the table, or what ``check_alone`` made of it; entry; context) → (problems, payload)"""
    apply: Callable[[sqlite3.Connection, Outcome, Any, int, str], None]
    """(conn, outcome, payload, sync id, time) → sets outcome.added/changed/conflicts"""
    read: Callable[[Path, Layout], Table] = read_table
    """how a file of this kind is read; a table by its header unless the kind says otherwise"""
    check_alone: Callable[[Table, RegisterEntry, TradeCatalogue, dt.date], Any] | None = None
    """the checks that need no registry, which a sync may run ahead in another process"""
