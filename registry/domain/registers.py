"""The kinds of register the notice produces (附件1, 附件2, 附件4, 附件5, §四.(六)): their codes,
as manifests and the registry write them, and their Chinese names."""

from __future__ import annotations

import re
import unicodedata

APPROVAL_ROSTER = "approval-roster"
TECHNICIAN_ROSTER = "technician-roster"
STATUS_CHANGES = "status-changes"
REQUISITIONS = "requisitions"
DISPATCHES = "dispatches"
COLLECTIONS = "collections"

KIND_LABELS: dict[str, str] = {
    APPROVAL_ROSTER: "审批名册（附件4）",
    TECHNICIAN_ROSTER: "审核名册（附件5）",
    STATUS_CHANGES: "换发、补发、撤销登记表",
    REQUISITIONS: "申领计划表（附件1）",
    DISPATCHES: "发放单（附件2）",
    COLLECTIONS: "领取登记",
}
"""Register kind → what clerks call it."""

PUT_BACK = "请把这一行放回文件：从名册文件重建登记库时，文件中没有的登记不会恢复"
"""What a clerk is told of a certificate or a status change a register's new version leaves
out: the registry keeps it (a conflict, never undone), but the files are what a registry lost
with its backups is rebuilt from — an auditor's review lost a 补发 so, the version without it
accepted and the registry restored from a copy made before it."""

_NAMES: dict[str, tuple[str, ...]] = {
    APPROVAL_ROSTER: ("审批名册", "附件4"),
    TECHNICIAN_ROSTER: ("审核名册", "技师审核名册", "技师名册", "附件5"),
    STATUS_CHANGES: ("换发补发撤销登记表", "换发补发撤销"),
    REQUISITIONS: ("申领计划表", "申领计划", "附件1"),
    DISPATCHES: ("发放单", "附件2"),
    COLLECTIONS: ("领取登记", "领取登记表"),
}
_SPACING = re.compile(r"[\s、，,]+")
_ANNEX = re.compile(r"\(附件\d\)$")


def _key(written: str) -> str:
    """What a kind's name is compared by: full-width forms, spaces and 、 aside, any case."""
    return _SPACING.sub("", unicodedata.normalize("NFKC", written)).lower()


_KIND_OF = {
    _key(name): code
    for code, label in KIND_LABELS.items()
    for name in (code, label, *_NAMES.get(code, ()))
}
"""Every kind by its code and its label, and by what clerks call it (`_NAMES`, optional: a kind
added to `KIND_LABELS` alone was refused by its own code)."""


def kind_code(written: str) -> str | None:
    """The kind ``written`` names — its code (approval-roster), or what clerks call it
    (审批名册, 审批名册（附件4）, 附件4) — or None: a clerk wrote kind = "审批名册" in
    registers.toml and was told only the codes."""
    key = _key(written)  # 技师审核名册（附件5）: a name with its 附件 too
    return _KIND_OF.get(key) or _KIND_OF.get(_ANNEX.sub("", key))


def kind_choices(codes: tuple[str, ...] | None = None) -> str:
    """The kinds as a message lists them: each code with what clerks call it."""
    return "、".join(f"{code}（{KIND_LABELS[code]}）" for code in codes or tuple(KIND_LABELS))


ROSTER_KINDS = (APPROVAL_ROSTER, TECHNICIAN_ROSTER)
"""Registers whose rows are certificates, each written on a blank."""
CERTIFICATE_KINDS = (*ROSTER_KINDS, STATUS_CHANGES)
"""Registers that change what the public check answers."""
BLANK_KINDS = (REQUISITIONS, DISPATCHES, COLLECTIONS)
"""The blank-certificate registers (附件1, 附件2, the 领取登记)."""
LOAD_ORDER: dict[str, int] = {
    REQUISITIONS: 0,
    DISPATCHES: 1,  # draw on approved requisitions
    APPROVAL_ROSTER: 2,
    TECHNICIAN_ROSTER: 2,
    STATUS_CHANGES: 3,  # change certificates the rosters registered
    COLLECTIONS: 4,  # of certificates as the status changes left them
}
"""Which kinds a kind may refer to (those of a lower rank): a register refused while one of
them loaded later in the same sync is synced again (`registry.sync.turns`)."""


def sql_list(codes: tuple[str, ...]) -> str:
    """``('a', 'b')`` for an SQL ``IN``: the codes are constants of this module, never input."""
    return "(" + ", ".join(f"'{code}'" for code in codes) + ")"
