"""What a sync did to each register (`Outcome`), and who ran it: what the report, the progress
line and the sync history say."""

from __future__ import annotations

import os
import pwd
from collections.abc import Sequence
from contextvars import ContextVar
from dataclasses import dataclass, field

from registry.domain.problems import Problem
from registry.kinds.base import RegisterEntry
from registry.store.writes import Change

LOADED, UPDATED, UNCHANGED, REJECTED, CHECKED = (
    "loaded",
    "updated",
    "unchanged",
    "rejected",
    "checked",
)
DELISTED, RELISTED = "delisted", "relisted"
"""What the history records of a loaded register its folder's registers.toml no longer lists,
and lists again (`registry.sync.delisted`): no attempt to load it, so never an `Outcome`'s."""


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
    changes: list[Change] = field(default_factory=list)
    """what a corrected roster changed, field by field (`registry.store.writes.Applied`)"""
    moved: int = 0
    """certificates whose row moved in a corrected roster (events in a status-change
    register), nothing else of them changed"""
    certificates: int = 0
    """certificates a status-change register's new events changed (`Applied.certificates`)"""
    revoked_changed: list[str] = field(default_factory=list)
    """certificates among ``changes`` that had been revoked (`registry.store.writes.Applied`)"""
    manifest_changes: list[tuple[str, object, object]] = field(default_factory=list)
    """(key, old, new) of what registers.toml changed of a loaded register (`record_register`)"""
    notes: list[str] = field(default_factory=list)
    """what the clerk should know of the file, loaded or not (columns not read)"""
    shifts: Sequence[tuple[int, int]] = ()
    """a CSV's rows as Excel shows them (`registry.sheets.sheet.Sheet.shifts`)"""
    entry_notes: list[str] = field(default_factory=list)
    """what the clerk should know that quotes no cell — of the manifest entry (`Kind.entry_note`),
    of a CSV's line numbers —, so a report for a system log (``--brief``) says it too"""
    sync_id: int | None = None
    """the attempt recorded for it (`registry.store.syncs.record_attempt`): None for a file
    skipped as the version loaded already, and in a dry run"""
    repeated: bool = False
    """rejected exactly as the last time (same file, same problems): not recorded again"""
    fingerprint: str | None = None
    """of the file a rejection judged, while its record waits for the run's retries"""
    names: frozenset[str] = frozenset()
    """the certificates a status-change register's new events change or make: while it waits
    for a roster, the later registers of the manifest changing them wait too (`Retries`)"""

    @property
    def ok(self) -> bool:
        return self.outcome != REJECTED


def changed_nothing(outcome: Outcome) -> bool:
    """Whether a new version ``outcome`` wrote changed no certificate (no event, no record of a
    blank register), no fact of registers.toml and met no conflict: a file saved again, or only
    reformatted (1975年4月 for 1975-04, 维修电工 for 电工). The clerk is told 未变化 and the
    history records `UNCHANGED` — it recorded 已更新（新版本）, 修改 0, beside the clerk's
    未变化 (a staff review)."""
    return not (wrote(outcome) or outcome.manifest_changes)


def wrote(outcome: Outcome) -> bool:
    """Whether ``outcome`` changed the registry's records: added or changed one, met a conflict,
    or moved a status-change register's event to its new row (not counted as changed)."""
    return bool(outcome.added or outcome.changed or outcome.conflicts or outcome.moved)


RUN: ContextVar[str | None] = ContextVar("certreg_sync_run", default=None)
"""When the sync run under way began (`registry.sync.run.sync_entries`): every attempt it
records bears it, so an auditor reads a night's scheduled sync as one run, not as attempts
that happen to share a minute."""


def operator(named: str | None = None) -> str:
    """Who runs a command that writes (a sync, a numbering, a key, a report's handling), for
    the history: the account the process runs as, and beside it the person ``named`` (by
    default ``CERTREG_OPERATOR``) — a name anyone can type, so an auditor also reads which
    account ran it. The account is the process's user id, not $LOGNAME or $USER, which anyone
    can set too (an auditor's review: ``USER=zhangkezhang certreg sync`` run as root recorded
    zhangkezhang); a container's user the system does not know is given by its number."""
    uid = os.getuid()
    try:
        login = pwd.getpwuid(uid).pw_name
    except KeyError:
        login = f"编号 {uid}"
    named = (os.environ.get("CERTREG_OPERATOR", "") if named is None else named).strip()
    return f"{named}（系统用户 {login}）" if named and named != login else login
