"""The sync report a program reads (``certreg sync --json``): every register's outcome with its
problems, conflicts and changes — or, ``--brief``, their count and where they are listed."""

from __future__ import annotations

from pathlib import Path

from registry.domain.problems import Problem
from registry.domain.registers import BLANK_KINDS
from registry.kinds.rosters import FIELD_COLUMNS
from registry.sync.outcome import Outcome
from registry.sync.problem_lists import write_problem_list
from registry.sync.report import unquoted_notes


def _problem_json(problem: Problem, file: str) -> dict[str, object]:
    """``row`` as the contract names it (a CSV's line); ``excel_row`` beside it where a CSV's
    cell above holds a line break and Excel shows the record on another row."""
    shown = {"excel_row": problem.excel_row} if problem.excel_row else {}
    return {
        "file": file,
        "row": problem.row,
        **shown,
        "column": problem.column,
        "value": problem.value,
        "rule": problem.rule,
        "clause": problem.clause,
    }


def json_report(
    outcomes: list[Outcome], *, brief: bool = False, spare: Path | None = None
) -> dict[str, object]:
    """The report for a program. ``brief`` (``--brief --json``, a scheduled job's log): no cell
    of any register — its problems, conflicts, changes and notes are counted and listed in the
    problem list beside it (`write_problem_list`), as the brief text report does."""
    registers = [_register_json(o) for o in outcomes]
    if brief:
        for outcome, register in zip(outcomes, registers, strict=True):
            found = len(outcome.problems) + len(outcome.conflicts)
            listed = write_problem_list(outcome, spare) if found else None
            register.update(
                problems=[],
                conflicts=[],
                changes=[],
                notes=[*outcome.entry_notes, *unquoted_notes(outcome)],
                problem_count=found,
                problem_list=str(listed) if listed else None,
            )
    return {"ok": all(o.ok for o in outcomes), "registers": registers}


def _register_json(o: Outcome) -> dict[str, object]:
    changed = "record" if o.entry.kind in BLANK_KINDS else "number"
    return {
        "file": o.entry.key,
        "kind": o.entry.kind,
        "outcome": o.outcome,
        "rows": o.rows,
        "added": o.added,
        "changed": o.changed,
        "problems": [_problem_json(p, o.entry.key) for p in o.problems],
        "conflicts": [_problem_json(p, o.entry.key) for p in o.conflicts],
        "changes": [  # a blank register's record: its row and unit, or its number
            {changed: n, "column": FIELD_COLUMNS.get(f, f), "old": old, "new": new}
            for n, f, old, new in o.changes
        ],
        "notes": [*o.entry_notes, *o.notes],
        "revoked_changed": o.revoked_changed,
        "manifest_changes": [
            {"key": key, "old": old, "new": new} for key, old, new in o.manifest_changes
        ],
    }
