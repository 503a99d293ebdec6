"""The registry's history is appended to, never rewritten: triggers refuse to change or delete
what an auditor reads — the old values of every correction, every sync and its problems — and
to delete a certificate or a status change, whoever opens the file (the ``sqlite3`` shell, a
database browser), not only certreg. certreg itself never does either (certificates are never
deleted, §五.(三)). Whoever can drop a trigger can still rewrite the file: these keep the
history from being changed by mistake or in passing, and make a change a deliberate act.
"""

from __future__ import annotations

from typing import NamedTuple


class Guard(NamedTuple):
    table: str
    what: str
    """how the refusal names the table's rows"""
    columns: tuple[str, ...] | None = None
    """the columns an update may not change (None: no update at all; (): updates allowed)"""
    once: tuple[str, ...] = ()
    """counts written once after the row, while they are all still 0"""


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
        + ("operator",),
        ("added", "changed", "conflicts"),
    ),
    Guard("certificates", "证书", ()),  # corrected by new versions and status changes
    Guard("status_events", "换发、补发、撤销记录", ()),  # their references corrected likewise
)


def _refusal(what: str, act: str) -> str:
    return (
        f"SELECT RAISE(ABORT, '登记库的{what}供审计使用，只能追加，不能{act}"
        "（更正请导入名册的新版本，作废证书请登记撤销）');"
    )


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
    return made


TRIGGERS = _triggers()
