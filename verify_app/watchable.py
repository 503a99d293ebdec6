"""Which checked certificates a watch list may hold (SPEC §7: watch lists): every number and
name matching, none revoked — a list saved as "已关注" reads as "these are fine". (A certificate
already replaced by a new number is watched: the list follows it to the new one.)"""

from __future__ import annotations

from registry.domain.statuses import REVOKED
from verify_app.answers import Checked
from verify_app.watch_lines import WatchProblem


def refuse_unwatchable(checked: list[Checked]) -> None:
    """Raise `WatchProblem` naming the entries (from 1) that do not match, else those revoked:
    nothing can happen to them any more (§五.(三)), nothing to watch."""
    rows = [i for i, c in enumerate(checked, 1) if not c.answer.matched]
    if rows:
        raise WatchProblem(
            f"第 {'、'.join(map(str, rows))} 份证书的编号与姓名不相符（或编号格式错误），"
            "关注列表未保存。请核对后重新提交；只有查验相符的证书才能关注。",
            rows,
        )
    revoked = [(i, c.answer) for i, c in enumerate(checked, 1) if c.answer.result == REVOKED]
    if revoked:
        listed = "、".join(f"第 {i} 份（{a.number}，{a.status_date} 撤销）" for i, a in revoked)
        raise WatchProblem(
            f"{listed}已被发证机关撤销：撤销后证书不会再有任何变更，关注它不会收到消息，也不能"
            "以它为凭。关注列表未保存；请去掉这些证书后重新提交。",
            [i for i, _ in revoked],
            "revoked",
        )
