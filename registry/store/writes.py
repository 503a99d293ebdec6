"""What a write to the registry reports back to the sync — rows added and changed, and conflicts
(things staff must look at that did not stop the register from loading) — and the tables as
sqlite-utils writes them (`tables`)."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field

import sqlite_utils

from registry.domain.problems import Problem


def tables(conn: sqlite3.Connection) -> sqlite_utils.Database:
    """The registry's connection for sqlite-utils' writes of a few rows — a register's facts,
    a numbering run, a blank-certificate register: inside the register's transaction it nests
    each in a savepoint, so a refusal still undoes them. (A roster's certificates go through
    ``executemany``: a million rows.)"""
    return sqlite_utils.Database(conn, execute_plugins=False)


Change = tuple[str, str, object, object]
"""(certificate number, field, old value, new value): one field a corrected roster changed —
of a blank-certificate register: (its record as the report names it, the form's column, …)."""


@dataclass
class Applied:
    added: int = 0
    changed: int = 0
    conflicts: list[Problem] = field(default_factory=list)
    changes: list[Change] = field(default_factory=list)
    """what a corrected roster changed of its certificates, each field (not where a row moved)"""
    moved: int = 0
    """certificates of a corrected roster (events of a status-change register) whose row
    moved, nothing else of them changed"""
    revoked: list[str] = field(default_factory=list)
    """certificates a corrected roster changed that had been revoked (§五.(三))"""
    certificates: int = 0
    """certificates a status-change register's new events changed (the clerk's 涉及证书): not
    ``changed``, which the sync history reads as records corrected — an auditor read a first
    load's 修改 4 as four records overwritten"""
