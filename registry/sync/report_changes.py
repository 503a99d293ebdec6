"""What a new version of a register changed, as the sync report lists it: each field of an
issued certificate (`roster_changes`) and each fact of its manifest entry (`manifest_changes`)."""

from __future__ import annotations

from registry.domain.registers import BLANK_KINDS, ROSTER_KINDS
from registry.domain.text import visible
from registry.kinds.rosters import FIELD_COLUMNS
from registry.sync.outcome import CHECKED, Outcome

LISTED = 20
"""Up to this many problems or changes a register's report lists one by one; beyond, problems
are summarised and changes counted (``--all`` lists them all)."""
MANIFEST_LABELS = {"unit": "领证单位", "approval_doc": "批准文号", "issued_on": "发证日期"}
"""The manifest facts a new version may change (`registry.store.syncs.MANIFEST_FACTS`)."""


def _shown(value: object) -> str:
    """A value as the report quotes it: an empty one as （空）."""
    return "（空）" if value is None or value == "" else visible(str(value))


def _kept(outcome: Outcome) -> str:
    return "导入时将记入" if outcome.outcome == CHECKED else "已记入"


def manifest_changes(outcome: Outcome) -> list[str]:
    """What registers.toml (or a single file's options) changed of a loaded register,
    old → new, each kept in its history."""
    return [
        f"{MANIFEST_LABELS.get(key, key)}（registers.toml 中的 {key}，单个文件时为 "
        f"--{key.replace('_', '-')}）“{_shown(old)}” → “{_shown(new)}”（{_kept(outcome)}名册登记"
        f"信息变更）"
        for key, old, new in outcome.manifest_changes
    ]


def roster_changes(outcome: Outcome, everything: bool) -> list[str]:
    """What a corrected roster changed on certificates already issued — each a field printed on
    a paper, so the clerk sees them, not a count (the history keeps them for staff)."""
    # a roster counts them among its 修改; a status register's 修改 are events corrected only
    roster = outcome.entry.kind in ROSTER_KINDS
    what = "其中 {:,} 本证书只是在名册中" if roster else "{:,} 条登记只是在表中"
    moved = [f"  ℹ {what.format(outcome.moved)}所在的行变了，内容未变"]
    if not outcome.changes:
        return moved if outcome.moved else []
    shown = outcome.changes if everything else outcome.changes[:LISTED]
    kept = _kept(outcome)
    if outcome.entry.kind in BLANK_KINDS:  # a record of the form: its row, or its number
        where, named = "“申领、发放、领取记录的更正”", ""
    else:
        where, named = "证书更正记录", "证书 "
    lines = [f"  ✎ {len(outcome.changes):,} 处修改（原值 → 新值，{kept}{where}）："]
    lines.extend(
        f"    {named}{number}「{FIELD_COLUMNS.get(field, field)}」{_shown(old)} → {_shown(new)}"
        for number, field, old, new in shown
    )
    if len(shown) < len(outcome.changes):
        lines.append(f"    另有 {len(outcome.changes) - len(shown):,} 处（加 --all 可全部列出）")
    if outcome.revoked_changed:
        revoked = "、".join(outcome.revoked_changed[:LISTED])
        more = len(outcome.revoked_changed) - LISTED
        lines.append(
            f"  ⚠ 其中证书 {revoked}{f' 等 {len(outcome.revoked_changed):,} 本' if more > 0 else ''}"
            f" 已被撤销（§五.(三)）：撤销的证书不再有效，这次对它的更正同样{kept}证书更正记录，"
            "请核对确需更正"
        )
    return lines + (moved if outcome.moved else [])
