"""The sync report: what a clerk reads after ``certreg sync`` (the program's: `registry.sync.report_json`).

A register refused for one systematic fault can have tens of thousands of problems: the text
report then prints one line per rule (how many rows, the first of them, what to do) and writes
every problem to a CSV beside the register (`registry.sync.problem_lists`), whose path it prints
(``--all`` prints them all).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from registry.domain.problems import Problem
from registry.domain.registers import CERTIFICATE_KINDS, KIND_LABELS, STATUS_CHANGES
from registry.domain.text import visible
from registry.kinds.cells import UNREAD_COLUMNS
from registry.kinds.private_use import PRIVATE_USE_NOTE
from registry.sync.delisted import Delisted
from registry.sync.outcome import (
    CHECKED,
    DELISTED,
    LOADED,
    REJECTED,
    RELISTED,
    UNCHANGED,
    UPDATED,
    Outcome,
    wrote,
)
from registry.sync.problem_lists import PROBLEM_LISTS, write_problem_list
from registry.sync.report_changes import LISTED, manifest_changes, roster_changes

OUTCOME_LABELS = {
    LOADED: "已导入",
    UPDATED: "已更新（新版本）",
    UNCHANGED: "未变化（此前已导入同一文件）",
    REJECTED: "已拒绝，登记库未作任何改动",
    CHECKED: "检查通过（试运行，未写入）",
}
HISTORY_LABELS = {
    **OUTCOME_LABELS,
    UNCHANGED: "未变化（重新保存或改了格式，内容同前）",
    DELISTED: "已不在 registers.toml 中（登记的证书仍保留）",
    RELISTED: "重新列入 registers.toml",
}
"""An entry of the sync history by its label: the outcomes and what the list did
(`registry.sync.delisted`). An unchanged entry is a new file with the content loaded before
(`registry.sync.outcome.changed_nothing`): the same file again is skipped, not recorded. Short,
and without 导入: the syncs table's rows stood seven lines tall for it, and 结果 = 导入 found it
(a staff review)."""
FIRST_ROWS = 5
"""Rows named in a summary line."""
_VARYING = re.compile(r"“[^”]*”|\d+|（原第\d+行[^）]*）")
"""What varies between problems of one rule: a quoted value, a number, and the row and holder a
conflict names (新版本名册中没有此证书（原第33行，张鹏）)."""


def short_label(outcome: Outcome) -> str:
    """An outcome in a word or two, as a summary and a progress line say it."""
    return _word(OUTCOME_LABELS[outcome.outcome])


def _word(label: str) -> str:
    """An outcome's label without what follows it (已拒绝，登记库未作任何改动 → 已拒绝)."""
    return label.split("（")[0].split("，")[0]


def _line(outcome: Outcome) -> str:
    entry = outcome.entry
    mark = "✘" if outcome.outcome == REJECTED else "✔"
    kind = KIND_LABELS[entry.kind]  # a clerk's words, not the manifest's code
    text = f"{mark} {visible(entry.key)}［{kind}］"
    if outcome.outcome == UPDATED and not wrote(outcome):
        # a new version of registers.toml's facts only (`changed_nothing`)
        return f"{text}已更新（新版本）：{outcome.rows:,} 行，证书未变，只改了 registers.toml 中的登记信息"
    if outcome.outcome == UNCHANGED and outcome.sync_id is not None:  # a new file, read
        return (
            f"{text}未变化：{outcome.rows:,} 行，内容与此前导入的版本相同（文件重新保存过，或只改了格式），"
            "登记库中的证书没有改动"
        )
    text += OUTCOME_LABELS[outcome.outcome]
    if outcome.outcome == LOADED and entry.kind == STATUS_CHANGES:
        # its rows are events, and what they change are certificates: 5 rows, 5 added and 5
        # changed read as a contradiction (a new version's changes are its events amended)
        text += f"：{outcome.rows:,} 行，新登记变更 {outcome.added:,} 项，涉及证书 {outcome.certificates:,} 本"
    elif outcome.outcome in (LOADED, UPDATED):
        text += f"：{outcome.rows:,} 行，新增 {outcome.added:,}，修改 {outcome.changed:,}"
    elif outcome.outcome in (CHECKED, UNCHANGED):  # unchanged: the rows loaded from it before
        text += f"：{outcome.rows:,} 行"
    elif outcome.outcome == REJECTED:
        text += f"：{len(outcome.problems):,} 个问题"
        if outcome.repeated:
            text += "（与上次同一文件、同样的问题，历史中已有记录，未重复记录）"
    return text


@dataclass
class _Group:
    """Problems of one rule: the same column, clause and wording but for the values."""

    first: Problem
    rows: list[str] = field(default_factory=list)
    """where its first problems are (`Problem.place`)"""
    count: int = 0


def _rule_of(problem: Problem) -> tuple[str | None, str | None, str]:
    return problem.column, problem.clause, _VARYING.sub("…", problem.rule)


def summarise(problems: Sequence[Problem]) -> list[str]:
    """One line per rule, most frequent first: how many rows, the first rows, the rule (as its
    first problem words it, with what to do)."""
    groups: dict[tuple[str | None, str | None, str], _Group] = {}
    for problem in problems:
        group = groups.setdefault(_rule_of(problem), _Group(problem))
        group.count += 1
        if problem.row is not None and len(group.rows) < FIRST_ROWS:
            group.rows.append(problem.place())
    lines = []
    # the file's own problems first (two columns exchanged explain the rows' below them)
    for group in sorted(groups.values(), key=lambda g: (g.first.row is not None, -g.count)):
        rows = "、".join(group.rows)
        more = "等" if group.count > len(group.rows) else ""
        where = f"{group.count:,} 处（{rows}{more}），如" if rows else f"{group.count:,} 处，如"
        lines.append(f"{where}{group.first.describe()}")
    return lines


def _listed(outcome: Outcome, spare: Path | None, how: str) -> str:
    """Where the full list of a register's problems (and conflicts) was written, and ``how``
    else to see it."""
    listed = write_problem_list(outcome, spare)
    found = len(outcome.problems) + len(outcome.conflicts)
    what = "问题" if not outcome.conflicts else "冲突" if not outcome.problems else "问题和冲突"
    if listed:
        return f"    全部 {found:,} 个{what}已写入 {listed}（{how}）"
    return (
        f"    全部 {found:,} 个{what}无法写入文件（名册所在文件夹、登记库所在文件夹和临时文件夹"
        f"都不可写）：{how}"
    )


def _brief(outcome: Outcome, file: str, spare: Path | None) -> list[str]:
    """A register's lines in a report for a system log: where its problems are listed, and that
    something was not read — a header cell is a cell, a sheet's name is typed: it gets neither."""
    lines = []
    if outcome.problems or outcome.conflicts:
        lines.append(_listed(outcome, spare, "去掉 --brief 可在此列出"))
    lines.extend(f"  ℹ {file}：{note}" for note in unquoted_notes(outcome))
    return lines


def unquoted_notes(outcome: Outcome) -> list[str]:
    """The register's notes, quoting none of its cells or sheet names."""
    return [_unquoted(note) for note in outcome.notes]


def _unquoted(note: str) -> str:
    if note.startswith(PRIVATE_USE_NOTE):  # it names rows only
        return note
    if note.startswith(UNREAD_COLUMNS):
        return "有不是本表栏目的列，其内容没有导入（去掉 --brief 可看到列名）"
    return "有只含说明文字的工作表没有读取（去掉 --brief 可看到名称）"


def _each_or_summed(problems: Sequence[Problem], file: str, everything: bool) -> list[str]:
    """Each problem (or conflict), or past `LISTED` one line per rule (`summarise`): a version
    of a register without 9,000 of its certificates printed 9,000 lines."""
    if everything or len(problems) <= LISTED:
        return [f"    {file} {p.describe()}" for p in problems]
    return [f"    {line}" for line in summarise(problems)]


def text_report(
    outcomes: list[Outcome],
    *,
    everything: bool = False,
    spare: Path | None = None,
    brief: bool = False,
) -> str:
    """Every register's fate, then its problems — each one, or past `LISTED` one line per rule
    and the full list in a file (`write_problem_list`, ``spare`` its second choice of folder) —
    then the totals. ``brief``: no problem at all, only where the full list is — a report for a
    system log, which must not keep the holders' names and other values the problems quote."""
    lines = []
    for outcome in outcomes:
        lines.append(_line(outcome))
        file = visible(outcome.entry.path.name)
        lines.extend(f"  ℹ {file}：{note}" for note in outcome.entry_notes)
        lines.extend(f"  ℹ {file}：{line}" for line in manifest_changes(outcome))
        if brief:
            lines.extend(_brief(outcome, file, spare))
            continue
        lines.extend(_each_or_summed(outcome.problems, file, everything))
        lines.extend(roster_changes(outcome, everything))
        if outcome.conflicts:
            kept = "证书未删除" if outcome.entry.kind in CERTIFICATE_KINDS else "记录已删除"
            lines.append(f"  ⚠ {len(outcome.conflicts):,} 个冲突（{kept}，请核对）：")
            lines.extend(_each_or_summed(outcome.conflicts, file, everything))
        if not everything and max(len(outcome.problems), len(outcome.conflicts)) > LISTED:
            lines.append(_listed(outcome, spare, "加 --all 可在此全部列出"))
        lines.extend(f"  ℹ {file}：{visible(note)}" for note in outcome.notes)
    told = Counter(map(short_label, outcomes))
    labels = dict.fromkeys(map(_word, OUTCOME_LABELS.values()))
    said = "，".join(f"{label} {told[label]}" for label in labels if told[label])
    lines.append(f"共 {len(outcomes)} 个名册：{said}")
    if any(not o.ok for o in outcomes):
        where = f"名册旁的 <文件>{PROBLEM_LISTS} 中" if brief else "上面"
        lines.append(
            f"被拒绝的名册未作任何改动：请按{where}每条问题后的说明改正文件，再重新运行 certreg sync。"
        )
    return "\n".join(lines)


SHOWN_UNLISTED = 10
"""Files an `unlisted_note` names: enough to recognise the forgotten roster, not a folder's
archive of hundreds."""


def unlisted_note(names: list[str], *, brief: bool = False) -> str:
    """What to do about the spreadsheets beside the registers that the manifest does not list
    (`registry.sync.unlisted.unlisted`): nothing tells the clerk otherwise that they were not
    loaded. ``brief``: their number only — a file name may hold a holder's name."""
    if brief:
        shown = "（去掉 --brief 可看到文件名）"
    else:
        more = f"等 {len(names)} 个" if len(names) > SHOWN_UNLISTED else ""
        shown = "：" + "、".join(visible(name) for name in names[:SHOWN_UNLISTED]) + more
    return (
        f"注意：文件夹中有 {len(names)} 个表格文件没有列入 registers.toml，未导入{shown}。"
        '如需导入，请在 registers.toml 中为每个文件写一个 [[register]]（file = "文件名"，'
        "kind 等）；不需要导入的请移出此文件夹"
    )


def delisted_note(delisted: list[Delisted], *, brief: bool = False) -> str:
    """What to do about loaded registers the manifest no longer lists
    (`registry.sync.delisted.mark_listing`): their certificates stay, but the files are what a
    registry is rebuilt from. ``brief``: their number only — a file name may hold a holder's
    name."""
    if brief:
        shown = "（去掉 --brief 可看到名册名）"
    else:
        shown = "：" + "、".join(
            f"{visible(d.key)}［{KIND_LABELS.get(d.kind, d.kind)}，{d.rows:,} 行］"
            for d in delisted[:SHOWN_UNLISTED]
        )
        shown += f"等 {len(delisted)} 个" if len(delisted) > SHOWN_UNLISTED else ""
    return (
        f"注意：此前按本文件夹的清单导入的 {len(delisted)} 个名册已不在 registers.toml 中{shown}。"
        "它们登记的证书和变更仍在登记库中，查验照常（已登记的证书不会删除）；"
        "如是误删，请把它们的 [[register]] 放回 registers.toml：从名册文件重建登记库时，"
        "清单中没有的名册不会恢复；"
        "如是移到了别的文件夹，请在那里同步"
    )
