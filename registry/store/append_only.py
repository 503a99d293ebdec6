"""The registry's history is appended to, never rewritten: triggers refuse to change or delete
what an auditor reads — the old values of every correction, every sync and its problems — and
to delete a certificate or a status change, or to take one back, whoever opens the file (the
``sqlite3`` shell, a database browser), not only certreg. certreg itself never does either
(certificates are never deleted, §五.(三)). Whoever can drop a trigger can still rewrite the
file: these keep the history from being changed by mistake or in passing, and make a change a
deliberate act.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from typing import NamedTuple

from registry.domain.statuses import (
    EXCHANGE,
    REISSUE,
    REISSUED,
    REVOKE,
    REVOKED,
    SUPERSEDED,
    VALID,
)


class Guard(NamedTuple):
    table: str
    what: str
    """how the refusal names the table's rows"""
    columns: tuple[str, ...] | None = None
    """the columns an update may not change (None: no update at all; (): updates allowed)"""
    once: tuple[str, ...] = ()
    """counts written once after the row, while they are all still 0"""
    key: str = "id"
    """the column a row is known by: a row inserted over another (``INSERT OR REPLACE``, which
    fires no delete trigger) is refused"""


GUARDS = (
    Guard("certificate_history", "证书更正记录"),
    Guard("register_history", "名册登记信息变更记录"),
    Guard("blank_history", "申领、发放、领取记录的更正记录"),
    Guard("problems", "名册问题记录"),
    # what a sync wrote is counted after its attempt's row, in the same transaction
    # (`registry.store.syncs.record_applied`)
    Guard(
        "syncs",
        "同步记录",
        ("id", "at", "register", "file", "kind", "fingerprint", "outcome", "rows", "problems")
        + ("operator", "authority", "file_sha256", "run"),
        ("added", "changed", "conflicts"),
    ),
    Guard("certificates", "证书", (), key="number"),  # corrected by new versions and status changes
    # their references corrected likewise (`registry.kinds.status_versions.AMENDABLE`) and
    # their rows (`registry.store.events.moved_rows`); what happened to which number, never
    Guard(
        "status_events",
        "换发、补发、撤销记录",
        ("id", "sync", "register", "type", "number", "name", "date", "new_number")
        + ("original_document", "corrections"),
    ),
)


_HOLDER = ("name", "name_key", "sex", "birth")
_KEY_MARKS = "·.-。‐－ꞏ’‘ʼ'"
"""What the name key of one holder may gain or lose: a minority name's dots and apostrophes as an
older certreg keyed them (`registry.store.migrations`) or a corrected roster spells them (阿依古丽.买买提
for 阿依古丽·买买提, `registry.domain.names.same_holder`)."""


def _without_marks(column: str) -> str:
    for mark in _KEY_MARKS:
        quoted = mark.replace("'", "''")
        column = f"replace({column}, '{quoted}', '')"
    return column


_NEW_NAME, _OLD_NAME = _without_marks("NEW.name"), _without_marks("OLD.name")
_HAN = "{}.name GLOB '*[㐀-鿿豈-﫿𠀀-𯿿]*'"
"""A name in Han characters, which have no case: any change but its dots is another name."""
_ASCII = "{}.name NOT GLOB '*[^ -~]*'"
"""A name in ASCII letters, whose case SQLite's lower() folds. José's É it does not: a name in
other letters may change their case (JOSÉ to José, as a corrected roster does) — not its length,
nor into ASCII letters; its key, which the public check compares, is guarded in any script."""


HOLDER_TRIGGER = (
    "keep_certificates_holders",
    "CREATE TRIGGER IF NOT EXISTS keep_certificates_holders BEFORE UPDATE OF"
    f" {', '.join(f'[{c}]' for c in ('number', *_HOLDER))} ON certificates"
    " WHEN NEW.number IS NOT OLD.number OR NEW.sex IS NOT OLD.sex OR NEW.birth IS NOT OLD.birth"
    f" OR {_without_marks('NEW.name_key')} IS NOT {_without_marks('OLD.name_key')}"
    f" OR ({_NEW_NAME} IS NOT {_OLD_NAME} AND ({_HAN.format('NEW')} OR {_HAN.format('OLD')}"
    f" OR length({_NEW_NAME}) IS NOT length({_OLD_NAME})"
    f" OR ({_ASCII.format('NEW')}) IS NOT ({_ASCII.format('OLD')})"
    f" OR (lower({_NEW_NAME}) IS NOT lower({_OLD_NAME}) AND {_ASCII.format('NEW')})))"
    " BEGIN SELECT RAISE(ABORT, '证书不得涂改（§四.(三)）：登记库中一个证书编号的持有人（姓名、性别、"
    "出生年月）和证书编号不能改写。错填的证书请办理换发（§四.(六)2），新证书载明更正后的内容'); END",
)
"""§四.(三) 不得涂改, for whoever opens the file: a number's holder stays who it was issued to,
and a holder's certificate its number — the name shown (a receipt's 张*明) as well as the key
checked. certreg refuses such a change in a register (`registry.kinds.roster_holdings`) and
gives a 换发's corrections to the new number it inserts. (The columns in brackets: an older
registry's trigger, guarding fewer, is made anew — `registry.store.upgrade`.)"""


STATUS_TRIGGER = (
    "keep_certificates_statuses",
    "CREATE TRIGGER IF NOT EXISTS keep_certificates_statuses BEFORE UPDATE OF"
    " status, successor, predecessor, reissue ON certificates"
    " WHEN (OLD.reissue AND NOT coalesce(NEW.reissue, 0))"
    f" OR (OLD.status IS NOT '{VALID}' AND NEW.status IS '{VALID}')"
    f" OR (OLD.status IS '{REVOKED}' AND NEW.status IS NOT '{REVOKED}')"
    " OR (OLD.successor IS NOT NULL AND NEW.successor IS NOT OLD.successor)"
    " OR (OLD.predecessor IS NOT NULL AND NEW.predecessor IS NOT OLD.predecessor)"
    " BEGIN SELECT RAISE(ABORT, '证书的换发、补发、撤销不能撤回（§四.(六)）：已撤销、已换发或补发的"
    "证书不能改回有效，补发标记不能去掉，换发、补发前后的证书编号不能改写。登记错了的换发、补发、撤销"
    "请报发证机关处理'); END",
)
"""§四.(六) for whoever opens the file: a status change only moves forward. A 撤销 undone, a
补发 mark dropped (the lost original's paper would pass as the valid one) or a successor
re-pointed would change what every check answers, and nothing in the history would show it."""


EVENT_TRIGGER = (
    "keep_certificates_events",
    "CREATE TRIGGER IF NOT EXISTS keep_certificates_events BEFORE UPDATE OF"
    " [status], [status_date], [successor] ON certificates"
    " WHEN (NEW.status IS NOT OLD.status OR NEW.status_date IS NOT OLD.status_date"
    " OR NEW.successor IS NOT OLD.successor) AND NOT EXISTS (SELECT 1 FROM status_events e"
    " WHERE e.number = NEW.number AND e.date IS NEW.status_date"
    " AND coalesce(e.new_number, '') IS coalesce(NEW.successor, '')"
    f" AND NEW.status IS CASE WHEN coalesce(e.new_number, '') != '' THEN '{SUPERSEDED}'"
    f" WHEN e.type = '{EXCHANGE}' THEN '{SUPERSEDED}' WHEN e.type = '{REISSUE}' THEN '{REISSUED}'"
    f" WHEN e.type = '{REVOKE}' THEN '{REVOKED}' END)"
    " BEGIN SELECT RAISE(ABORT, '证书的状态只能由登记的换发、补发、撤销改变（§四.(六)）：证书的状态、"
    "状态日期和新证书编号须与一条换发、补发、撤销记录相符。要改变证书的状态，请导入换发、补发、撤销"
    "登记表'); END",
)
"""A certificate's status, its date and its successor as one registered 换发, 补发 or 撤销 made
them (`registry.domain.statuses.status_after`), for whoever opens the file: an auditor's review
set a valid certificate 换发 to another holder's number, made one 补发, and dated a 撤销 before
the issue, from the ``sqlite3`` shell — each told to every employer checking it, with no event
behind it and no history. The sync writes each event before the certificate it changes."""
MARK_TRIGGER = (
    "keep_certificates_marks",
    "CREATE TRIGGER IF NOT EXISTS keep_certificates_marks BEFORE UPDATE OF [reissue], [updated_sync]"
    " ON certificates WHEN NEW.reissue AND NOT coalesce(OLD.reissue, 0) AND NOT EXISTS"
    f" (SELECT 1 FROM status_events e WHERE e.type = '{REISSUE}' AND e.sync IS NEW.updated_sync)"
    " BEGIN SELECT RAISE(ABORT, '证书的“补发”标记只能由登记的补发加上（§四.(六)3）：请导入补发"
    "登记表'); END",
)
"""A 补发 mark only with a 补发 of the same sync — of the certificate, or of the paper a 换发
made it of (a late one marks the chain, `registry.store.events`): set from the shell on a valid
certificate, the public answer said 补发证书 and the holder's original passed for void."""
BORN_TRIGGER = (
    "keep_certificates_born",
    "CREATE TRIGGER IF NOT EXISTS keep_certificates_born BEFORE INSERT ON certificates"
    f" WHEN NEW.[status] IS NOT '{VALID}' OR NEW.[status_date] IS NOT NULL"
    " OR NEW.[successor] IS NOT NULL OR (coalesce(NEW.[reissue], 0) AND NEW.[predecessor] IS NULL)"
    " BEGIN SELECT RAISE(ABORT, '新登记的证书都是有效的（§四.(六)）：它的换发、补发、撤销请导入"
    "换发、补发、撤销登记表'); END",
)
"""A certificate is registered valid, its changes come after (`EVENT_TRIGGER`): inserted from
the shell as already superseded by another's number, it had no event behind it. Marked 补发
only as the copy a 换发 or 补发 makes of its predecessor (`registry.store.events`)."""


def _refusal(what: str, act: str) -> str:
    return (
        f"SELECT RAISE(ABORT, '登记库的{what}供审计使用，只能追加，不能{act}"
        "（更正请导入名册的新版本，要使证书失效请登记撤销）');"
    )


RUN_TRIGGER = (
    "keep_syncs_runs",
    "CREATE TRIGGER IF NOT EXISTS keep_syncs_runs BEFORE INSERT ON syncs WHEN NEW.run IS NULL"
    " BEGIN SELECT RAISE(ABORT, '此登记库已由较新版本的 certreg 打开过，旧版本不能再同步它（它不会"
    "记录较新版本要求的更正记录和同步运行）：请在此主机上使用最新版本的 certreg'); END",
)
"""A sync by a certreg older than ``syncs.run`` (2026-12-05), which writes none, after a newer
one: it loaded corrections without the history the newer one keeps (a requisition's old phone, a
manifest's issue date moving collected certificates) and rebuilt what the newer one had dropped."""


def _triggers() -> list[tuple[str, str]]:
    """(name, CREATE TRIGGER statement) of every guard."""
    made = []
    for guard in GUARDS:
        made.append(
            (
                f"keep_{guard.table}_rows",
                f"CREATE TRIGGER IF NOT EXISTS keep_{guard.table}_rows BEFORE DELETE ON"
                f" [{guard.table}] BEGIN {_refusal(guard.what, '删除')} END",
            )
        )
        key = f"[{guard.key}]"
        made.append(
            (
                f"keep_{guard.table}_keys",
                f"CREATE TRIGGER IF NOT EXISTS keep_{guard.table}_keys BEFORE INSERT ON"
                f" [{guard.table}] WHEN NEW.{key} IS NOT NULL AND EXISTS (SELECT 1 FROM"
                f" [{guard.table}] WHERE {key} = NEW.{key}) BEGIN {_refusal(guard.what, '覆盖')} END",
            )
        )
        if guard.columns == ():
            continue
        columns = f" OF {', '.join(f'[{c}]' for c in guard.columns)}" if guard.columns else ""
        made.append(
            (
                f"keep_{guard.table}_values",
                f"CREATE TRIGGER IF NOT EXISTS keep_{guard.table}_values BEFORE UPDATE{columns}"
                f" ON [{guard.table}] BEGIN {_refusal(guard.what, '修改')} END",
            )
        )
        if guard.once:
            counted = " + ".join(f"OLD.[{c}]" for c in guard.once)
            made.append(
                (
                    f"keep_{guard.table}_counts",
                    f"CREATE TRIGGER IF NOT EXISTS keep_{guard.table}_counts BEFORE UPDATE OF"
                    f" {', '.join(f'[{c}]' for c in guard.once)} ON [{guard.table}]"
                    f" WHEN {counted} != 0 BEGIN {_refusal(guard.what, '修改')} END",
                )
            )
    return [
        *made,
        HOLDER_TRIGGER,
        STATUS_TRIGGER,
        EVENT_TRIGGER,
        MARK_TRIGGER,
        BORN_TRIGGER,
        RUN_TRIGGER,
    ]


TRIGGERS = _triggers()


@contextmanager
def own_inserts(conn: sqlite3.Connection, table: str) -> Iterator[None]:
    """``table``'s guard against a row written over another lifted for the writer's own plain
    INSERTs, within its write transaction: a plain INSERT cannot write over a row (a duplicate
    key is an error), and the guard's look-up per row cost a million-certificate sync a tenth
    of its time. Dropped and made again inside the one transaction, it is never missing for
    any other connection, and a sync killed in between rolls both back."""
    if not conn.in_transaction:
        raise RuntimeError("own_inserts needs the write transaction it lifts the guard within")
    name, create = next((n, c) for n, c in TRIGGERS if n == f"keep_{table}_keys")
    conn.execute(f"DROP TRIGGER IF EXISTS [{name}]")
    try:
        yield
    finally:
        conn.execute(create)
