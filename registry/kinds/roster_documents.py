"""A roster's approval document: a whole document number (issuer, year, serial), and one
document, one 发证日期 and one issuing department across registers — the issue date is the
date of the document that approved the passers (§四.(三)), and that document is the
department's own. Two rosters citing one document with two dates had loaded, and the public
answer gave two certificates of one approval two issue dates (an auditor's review)."""

from __future__ import annotations

import sqlite3

from registry.domain.documents import document_key, shape_problem
from registry.domain.problems import Problem
from registry.domain.registers import ROSTER_KINDS, sql_list
from registry.kinds.base import RegisterEntry

_FIX = "请核对 registers.toml 中本名册的 approval_doc 和 issued_on（单个文件时为 --approval-doc、--issued-on）"


def document_problems_across(conn: sqlite3.Connection, entry: RegisterEntry) -> list[Problem]:
    """A problem when a loaded roster cites ``entry``'s approval document with another issue
    date or another issuing authority. Not for a register loaded before with the same document
    and date: it is not judged again by a rule that came after it."""
    if not entry.approval_doc or entry.issued_on is None:
        return []
    key, issued = document_key(entry.approval_doc, citation=False), entry.issued_on.isoformat()
    rows = conn.execute(
        "SELECT key, approval_doc, issued_on, authority FROM registers"
        f" WHERE kind IN {sql_list(ROSTER_KINDS)} AND approval_doc IS NOT NULL"
    ).fetchall()
    same = [row for row in rows if document_key(row[1], citation=False) == key]
    if any(row[0] == entry.key and row[2] == issued for row in same):
        return []
    if shape := shape_problem(entry.approval_doc):  # a part missing: 补发 would cite it so
        rule = f"{shape}。这是清单中为本名册写的批准文号，{_FIX}"
        return [Problem(None, "approval_doc", entry.approval_doc, rule, "§四.(三)")]
    for other, _, date, authority in same:
        if other == entry.key:
            continue
        if date != issued:
            rule = (
                f"名册“{other}”已按同一批准文件以发证日期 {date} 导入，本名册为 {issued}："
                f"发证日期是批准文件的日期，同一文件只有一个。{_FIX}"
            )
            return [Problem(None, "issued_on", issued, rule, "§四.(三)")]
        if authority != entry.authority:
            rule = (
                f"名册“{other}”已以发证机关 {authority} 按同一批准文件导入，本名册的发证机关为 "
                f"{entry.authority}：批准文件是发证部门自己的文件。{_FIX}，以及 authority"
            )
            return [Problem(None, "approval_doc", entry.approval_doc, rule, "§四.(三)")]
    return []
