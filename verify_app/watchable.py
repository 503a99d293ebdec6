"""Which checked certificates a watch list may hold (SPEC §7: watch lists): every number and
name matching, none revoked — a list saved as "已关注" reads as "these are fine". (A certificate
already replaced by a new number is watched: the list follows it to the new one — unless that
one is revoked: nothing can happen to it either, and the list would say it follows a live
certificate.)"""

from __future__ import annotations

from collections.abc import Mapping

from registry.domain.statuses import REVOKED
from verify_app.answers import Checked, listed
from verify_app.watch_lines import WatchProblem


def refuse_unwatchable(
    checked: list[Checked],
    places: list[str] | None = None,
    unread: list[str] | None = None,
    revoked_successors: Mapping[str, tuple[str, str]] | None = None,
) -> None:
    """Raise `WatchProblem` naming every entry (from 1) that does not match and every one
    revoked — nothing can happen to it any more (§五.(三)), nothing to watch — in one message,
    so that one correction makes the list whole. Its code is ``no_match`` while any entry does
    not match (what to correct first), else ``malformed`` while a number is malformed or a name
    could not be checked (neither was compared: an HR system told no_match looked the holder's
    name up again), else ``revoked`` (they matched: not to be read as no_match). ``places`` name the entries (第 3 行 on the form), by default 第 N 份; ``unread``
    says why the form's other lines were not read (`verify_app.watch_lines.Lines`), first;
    ``revoked_successors``: the replaced numbers whose newest certificate is revoked, each
    with its number and date (`verify_app.watch_store.revoked_successors`), refused as revoked."""
    named = places or [f"第{i}份" for i in range(1, len(checked) + 1)]
    unmatched = [i for i, c in enumerate(checked, 1) if not c.answer.matched]
    ended = revoked_successors or {}
    revoked = [
        i
        for i, c in enumerate(checked, 1)
        if c.answer.result == REVOKED or (c.answer.matched and c.answer.number in ended)
    ]
    if not unmatched and not revoked and not unread:
        return
    parts = [listed(unread, "行", "").removesuffix("。")] if unread else []
    parts += _unmatched(checked, named, unmatched)
    if revoked:
        which = "、".join(f"{named[i - 1]}（{_revoked(checked[i - 1], ended)}）" for i in revoked)
        parts.append(
            f"{which}已被发证机关撤销：撤销后证书不会再有任何变更，关注它不会收到消息，也不能"
            "以它为凭，请去掉"
        )
    unchecked = [i for i in unmatched if checked[i - 1].answer.faulty_input]
    raise WatchProblem(
        "；".join(parts) + "。关注列表未保存，请改正后重新提交。",
        sorted(unmatched + revoked),
        _code(unmatched, unchecked),
        revoked,
        unchecked,
    )


def _code(unmatched: list[int], unchecked: list[int]) -> str:
    """The refusal's code: what to correct first (`refuse_unwatchable`)."""
    if len(unchecked) < len(unmatched):
        return "no_match"
    return "malformed" if unchecked else "revoked"


def _revoked(checked: Checked, ended: Mapping[str, tuple[str, str]]) -> str:
    """Which certificate was revoked when: the one checked, or the one that replaced it."""
    answer = checked.answer
    if answer.number in ended:
        successor, date = ended[answer.number]
        return f"{answer.number} 已由新证书 {successor} 接替，{successor} 于 {date} 撤销"
    return f"{answer.number}，{answer.status_date} 撤销"


def _unmatched(checked: list[Checked], named: list[str], unmatched: list[int]) -> list[str]:
    """What to say of the entries that did not match. A name that could not be checked (a
    bidi control reorders it) says so, and a number typed wrong says where, as a single check
    does (C11220200O2: 字母 O 应为数字 0): neither was compared, and 不相符 would send the
    officer to the wrong field (an employer's review)."""
    unchecked = [i for i in unmatched if checked[i - 1].answer.faulty_input == "name"]
    # an unchecked name's answer is malformed too: said once, of the name, not of the number
    malformed = [i for i in unmatched if checked[i - 1].answer.faulty_input == "number"]
    mismatched = [i for i in unmatched if i not in unchecked and i not in malformed]
    parts = [f"{named[i - 1]}的姓名无法查验：{checked[i - 1].answer.reason}" for i in unchecked]
    parts += [
        f"{named[i - 1]}的证书编号格式错误：{checked[i - 1].answer.reason}" for i in malformed
    ]
    if mismatched:
        parts.insert(
            0,
            f"{'、'.join(named[i - 1] for i in mismatched)}证书的编号与姓名不相符："
            "请核对，只有查验相符的证书才能关注",
        )
    return parts
