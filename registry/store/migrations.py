"""What a newer certreg corrects, once, in the data an older one wrote — beside the tables and
columns it adds (`registry.store.upgrade`). Each correction has a ``PRAGMA user_version``: the
first write connection to a registry — a sync, `certreg keys`, `stock` and `number`,
`certreg browse` and `certreg serve` starting on a registry they may write — runs those its
version lacks, in one
transaction, and the version then says they ran. A replica's copy is never written (its
`certreg serve` leaves it to the follower): it has the corrections once the registry host has
made them and shipped the file."""

from __future__ import annotations

import contextlib
import datetime as dt
import sqlite3
from collections.abc import Callable

from registry.domain.characters import simplified_characters
from registry.domain.dates import BadDate, parse_year_month, year_month_text
from registry.domain.names import name_key
from registry.domain.regions import PREFECTURE_FULL_NAMES
from registry.domain.statuses import REISSUE
from registry.store.append_only import HOLDER_TRIGGER, MARK_TRIGGER
from registry.store.certificates import HISTORY_INSERT
from registry.store.transactions import transaction

KEYS_REFOLDED = 3
"""``PRAGMA user_version`` once `_refold_name_keys` has run (1: before apostrophes were folded;
2: before the sinological dot ꞏ was read as a minority name's ·)."""
PAPERS_MARKED = 4
"""``PRAGMA user_version`` once `_mark_reissued_papers` has run."""
KEYS_SIMPLIFIED = 7
"""``PRAGMA user_version`` once `_simplify_name_keys` has run with the fold as it is now (5: with
a first one that also folded 甯 and 昇, `registry.domain.characters.STANDARD_AS_WRITTEN`; 6:
before 锺 was read as 钟, `registry.domain.characters.ONE_SURNAME`). A change of the fold makes
this version the next one."""
EVENTS_KEYED = 8
"""``PRAGMA user_version`` once `_key_event_names` has run."""
SINCE_MONTHS = 9
"""``PRAGMA user_version`` once `_month_wage_grades` has run."""
SHORT_RECIPIENTS = 10
"""``PRAGMA user_version`` once `_short_recipients` has run."""
LATEST = SHORT_RECIPIENTS

_REFOLDED = "GLOB '*[’‘ʼ.。‐－ꞏ-]*'"
"""The names whose key an older certreg made otherwise ('-' last: not a range)."""


def _refold_name_keys(conn: sqlite3.Connection) -> None:
    """Recompute the name keys of holders whose name has a full stop, a hyphen or a curly
    apostrophe: the key now reads one between Chinese characters as a minority name's dot
    (阿依古丽.买买提 and 阿依古丽ꞏ买买提 are 阿依古丽·买买提) and O’Neil as O'Neil, and §二 and the public check
    compare keys exactly. The names themselves stay as registered."""
    rows = conn.execute(
        f"SELECT rowid, name, name_key FROM certificates WHERE name {_REFOLDED}"
    ).fetchall()
    changed = [(name_key(name), rowid) for rowid, name, key in rows if name_key(name) != key]
    conn.executemany("UPDATE certificates SET name_key = ? WHERE rowid = ?", changed)
    held = conn.execute(
        f"SELECT number, name_key FROM numbered_holders WHERE name_key {_REFOLDED}"
    ).fetchall()
    conn.executemany(
        "UPDATE numbered_holders SET name_key = ? WHERE number = ?",
        [(name_key(key), number) for number, key in held if name_key(key) != key],
    )


_PAPERS_OF_REISSUES = (
    "WITH RECURSIVE chain(number, sync) AS ("
    " SELECT coalesce(new_number, number), sync FROM status_events WHERE type = ?"
    " UNION SELECT c.successor, chain.sync FROM certificates c"
    " JOIN chain ON c.number = chain.number WHERE c.successor IS NOT NULL)"
    " SELECT chain.number, min(chain.sync) FROM chain"
    " JOIN certificates c ON c.number = chain.number WHERE NOT c.reissue GROUP BY chain.number"
)
"""Each certificate whose paper a 补发 marked and that lacks the mark, with the first sync that
should have given it: the certificate a 补发 under its own number made valid again, the copy
one under a new number issued, and every certificate a 换发 made of such a paper since (it
copies the paper, mark and all: `registry.store.events`)."""


def _mark_reissued_papers(conn: sqlite3.Connection) -> None:
    """Mark 补发 the papers an older certreg left unmarked: one reissued under its own number
    (before 2026-11-30 only a copy under a new number was marked) and, down the chain, what a
    换发 made of it — whose answer then said nothing of the mark the paper carries (§四.(六)3),
    and a confirmation of it called the genuine paper's mark a mismatch. The history says when
    and by which sync's 补发, as a mark a late 补发 gives."""
    marked = conn.execute(_PAPERS_OF_REISSUES, (REISSUE,)).fetchall()
    at = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    conn.executemany(
        "UPDATE certificates SET reissue = 1 WHERE number = ?", [(n,) for n, _ in marked]
    )
    conn.executemany(HISTORY_INSERT, [(n, sync, at, "reissue", "0", "1") for n, sync in marked])


def _simplify_name_keys(conn: sqlite3.Connection) -> None:
    """Key in simplified characters the names an older certreg keyed as written (张伟 and 張偉
    were two holders: §二 let a roster copied from a traditional-character source give the same
    person a second certificate). Every key is made again from its name — no SQL pattern names
    the traditional characters, and a key folded by another fold is no key to fold further —
    but only those that change are written. `certreg number`'s holders keep only a key: it is
    folded as it is."""
    names = conn.execute("SELECT rowid, name, name_key FROM certificates").fetchall()
    conn.executemany(
        "UPDATE certificates SET name_key = ? WHERE rowid = ?",
        [(new, rowid) for rowid, name, key in names if name and (new := name_key(name)) != key],
    )
    held = conn.execute("SELECT number, name_key FROM numbered_holders").fetchall()
    conn.executemany(
        "UPDATE numbered_holders SET name_key = ? WHERE number = ?",
        [(new, n) for n, key in held if key and (new := simplified_characters(key)) != key],
    )
    events = conn.execute(
        "SELECT id, name, name_key FROM status_events WHERE name_key IS NOT NULL"
    ).fetchall()  # keyed since `EVENTS_KEYED`: refolded with the rest
    conn.executemany(
        "UPDATE status_events SET name_key = ? WHERE id = ?",
        [(new, row) for row, name, key in events if (new := name_key(name or "")) != key],
    )


def _key_event_names(conn: sqlite3.Connection) -> None:
    """Key the names of the 换发、补发、撤销 an older certreg registered without one: staff's
    filter of the table compares keys (张伟 finds 張偉), as the certificates table's does."""
    names = conn.execute("SELECT id, name FROM status_events WHERE name_key IS NULL").fetchall()
    conn.executemany(
        "UPDATE status_events SET name_key = ? WHERE id = ?",
        [(name_key(name or ""), row) for row, name in names],
    )


def _month_wage_grades(conn: sqlite3.Connection) -> None:
    """Write each 执行工资等级起始时间 an older certreg stored as written (2008.10, 200810,
    2008年10月) as the month it names, as a sync stores it now (2008-10): a new version of the
    roster compares the stored month, not a change of spelling. One that does not read as a
    month stays as written."""
    today = dt.date.today()
    rows = conn.execute(
        "SELECT rowid, wage_grade_since FROM certificates WHERE wage_grade_since IS NOT NULL"
        " AND wage_grade_since NOT GLOB '[12][0-9][0-9][0-9]-[01][0-9]'"
    ).fetchall()
    months = []
    for rowid, written in rows:
        with contextlib.suppress(BadDate):
            months.append((year_month_text(*parse_year_month(written, not_after=today)), rowid))
    conn.executemany("UPDATE certificates SET wage_grade_since = ? WHERE rowid = ?", months)


_RECIPIENT_TABLES = ("requisitions", "dispatches", "stock_parts")
"""The tables that record a city's blanks by its name (`registry.kinds.blanks.recipient`)."""


def _short_recipients(conn: sqlite3.Connection) -> None:
    """Record under 附件3's name (凉山州) the blanks an older certreg recorded under the official
    one (凉山彝族自治州) because the regions file gave it: a certreg since 2026.12.6.2 records
    them by the short name whatever the file says (`registry.domain.regions.short_name`), and
    the stock would count the city's earlier blanks apart from its later slips and
    certificates."""
    for table in _RECIPIENT_TABLES:
        conn.executemany(
            f"UPDATE [{table}] SET recipient = ? WHERE recipient = ?",
            PREFECTURE_FULL_NAMES.items(),
        )


_STEPS: tuple[tuple[int, Callable[[sqlite3.Connection], None]], ...] = (
    (KEYS_REFOLDED, _refold_name_keys),
    (PAPERS_MARKED, _mark_reissued_papers),
    (KEYS_SIMPLIFIED, _simplify_name_keys),
    (EVENTS_KEYED, _key_event_names),
    (SINCE_MONTHS, _month_wage_grades),
    (SHORT_RECIPIENTS, _short_recipients),
)


def migrate(conn: sqlite3.Connection) -> None:
    """Run, once, the corrections the registry's ``user_version`` says it lacks — past the guards
    they correct around (`registry.store.append_only`): a holder's key's (it cannot tell 張偉
    from 张伟, nor a key an older certreg made from the one it makes now) and the 补发 mark's
    (a paper marked now for a 补发 of an earlier sync: a review found every write to an older
    registry refused), made again before they commit. The version is read again under the
    write lock: another writer may have run them meanwhile."""
    if _version(conn) >= LATEST:
        return
    with transaction(conn):
        version = _version(conn)
        if version >= LATEST:
            return
        for trigger, _ in _PAST:
            conn.execute(f"DROP TRIGGER IF EXISTS [{trigger}]")
        for done, step in _STEPS:
            if version < done:
                step(conn)
        for _, create in _PAST:
            conn.execute(create)
        conn.execute(f"PRAGMA user_version = {LATEST}")


_PAST = (HOLDER_TRIGGER, MARK_TRIGGER)
"""The guards `migrate`'s corrections go past."""


def _version(conn: sqlite3.Connection) -> int:
    return int(conn.execute("PRAGMA user_version").fetchone()[0])
