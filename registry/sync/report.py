"""The sync report: what a clerk reads after ``certreg sync`` (text) or a program reads (JSON)."""

from __future__ import annotations

from registry.domain.problems import Problem
from registry.domain.text import visible
from registry.sync.run import CHECKED, LOADED, REJECTED, UNCHANGED, UPDATED, Outcome

OUTCOME_LABELS = {
    LOADED: "已导入",
    UPDATED: "已更新（新版本）",
    UNCHANGED: "未变化（此前已导入同一文件）",
    REJECTED: "已拒绝，登记库未作任何改动",
    CHECKED: "检查通过（试运行，未写入）",
}


def _line(outcome: Outcome) -> str:
    entry = outcome.entry
    mark = "✘" if outcome.outcome == REJECTED else "✔"
    text = f"{mark} {visible(entry.key)}［{entry.kind}］{OUTCOME_LABELS[outcome.outcome]}"
    if outcome.outcome in (LOADED, UPDATED):
        text += f"：{outcome.rows} 行，新增 {outcome.added}，修改 {outcome.changed}"
    elif outcome.outcome == CHECKED:
        text += f"：{outcome.rows} 行"
    elif outcome.outcome == REJECTED:
        text += f"：{len(outcome.problems)} 个问题"
    return text


def text_report(outcomes: list[Outcome]) -> str:
    """Every register's fate, then each problem on its own line, then the totals."""
    lines = []
    for outcome in outcomes:
        lines.append(_line(outcome))
        file = visible(outcome.entry.path.name)
        lines.extend(f"    {file} {p.describe()}" for p in outcome.problems)
        if outcome.conflicts:
            lines.append(f"  ⚠ {len(outcome.conflicts)} 个冲突（证书未删除，请核对）：")
            lines.extend(f"    {file} {p.describe()}" for p in outcome.conflicts)
    rejected = sum(1 for o in outcomes if not o.ok)
    lines.append(
        f"共 {len(outcomes)} 个名册："
        + "，".join(
            f"{OUTCOME_LABELS[name].split('（')[0].split('，')[0]} {count}"
            for name in OUTCOME_LABELS
            if (count := sum(1 for o in outcomes if o.outcome == name))
        )
    )
    if rejected:
        lines.append("被拒绝的名册请按上面列出的行号和列名改正后重新运行 certreg sync。")
    return "\n".join(lines)


def _problem_json(problem: Problem, file: str) -> dict[str, object]:
    return {
        "file": file,
        "row": problem.row,
        "column": problem.column,
        "value": problem.value,
        "rule": problem.rule,
        "clause": problem.clause,
    }


def json_report(outcomes: list[Outcome]) -> dict[str, object]:
    return {
        "ok": all(o.ok for o in outcomes),
        "registers": [
            {
                "file": o.entry.key,
                "kind": o.entry.kind,
                "outcome": o.outcome,
                "rows": o.rows,
                "added": o.added,
                "changed": o.changed,
                "problems": [_problem_json(p, o.entry.key) for p in o.problems],
                "conflicts": [_problem_json(p, o.entry.key) for p in o.conflicts],
            }
            for o in outcomes
        ],
    }
