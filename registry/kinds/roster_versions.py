"""A corrected version of a roster against what happened to its certificates since (§四.(三),
§四.(六)): the manifest's 发证日期 and 批准文号 are every row's, so a new version that changes
them rewrites certificates that may have been exchanged, reissued, revoked or collected.

The issue date may not move past any of those events (a certificate reissued before it was
issued), and the approval document may not change under a 补发 that cited it as the holder's
原公布文件 (§四.(六)3): the registry would then contradict its own history.
"""

from __future__ import annotations

import sqlite3

from registry.domain.documents import document_key
from registry.domain.problems import Problem
from registry.domain.statuses import REISSUE
from registry.kinds.base import RegisterEntry
from registry.kinds.roster_rows import RosterResult

_BEFORE_ISSUE = """
SELECT number, what, date FROM (
    SELECT e.number, e.type AS what, e.date FROM certificates c
    JOIN status_events e ON e.number = c.number WHERE c.register = :register
    UNION ALL
    SELECT l.number, '领取', l.collected_on FROM certificates c
    JOIN collections l ON l.number = c.number WHERE c.register = :register
) WHERE date < :issued_on ORDER BY date, number LIMIT 1
"""

_CITED = """
WITH RECURSIVE chain(root, number) AS (  -- each certificate, and those that replaced it
    SELECT number, number FROM certificates WHERE register = ?
    UNION ALL
    SELECT chain.root, c.successor FROM certificates c JOIN chain ON c.number = chain.number
    WHERE c.successor IS NOT NULL
)
SELECT chain.root, e.number, e.date, e.original_document FROM chain
JOIN status_events e ON e.number = chain.number
WHERE e.type = ? AND e.original_document IS NOT NULL ORDER BY e.date
"""


def history_problems(
    conn: sqlite3.Connection, result: RosterResult, entry: RegisterEntry
) -> list[Problem]:
    """What a new version's issue date or approval document would contradict (nothing for a
    register loaded for the first time: it has no history)."""
    assert entry.issued_on is not None
    problems = []
    issued_on = entry.issued_on.isoformat()
    found = conn.execute(_BEFORE_ISSUE, {"register": entry.key, "issued_on": issued_on}).fetchone()
    if found:
        number, what, date = found
        problems.append(
            Problem(
                None,
                None,
                issued_on,
                f"发证日期（issued_on）改为 {issued_on}，但本名册的证书 {number} 已于 {date}"
                f"{what}：证书不能在发证之前{what}。发证日期印在证书上，不得涂改；"
                "请核对 issued_on，恢复原来的发证日期",
                "§四.(三)",
            )
        )
    documents = {c.number: c.approval_doc for c in result.certificates}
    for root, number, date, cited in conn.execute(_CITED, (entry.key, REISSUE)):
        now = documents.get(root)
        if now is not None and document_key(now) != document_key(cited):
            which = number if number == root else f"{number}（由本名册的 {root} 换发而来）"
            problems.append(
                Problem(
                    None,
                    None,
                    now,
                    f"证书 {which} 于 {date} 补发时，原公布文件登记为 {cited}（即本名册的批准文件），"
                    f"新版本改为 {now}：已生效的补发所依据的文件不能改。请恢复原来的批准文号",
                    "§四.(六)3",
                )
            )
            break
    return problems


def another_roster(
    conn: sqlite3.Connection, result: RosterResult, entry: RegisterEntry
) -> list[Problem]:
    """A "new version" that keeps none of the loaded version's numbers nor holders is another
    roster under the same file name — two provincial units' 审批名册.xlsx, synced from two
    folders, share authority and region. Taken for a version, it reported the first one's
    certificates missing and took over its facts (unit, approval document) for the stock
    reconciliation. (A version that renumbers the same holders is refused by §二 instead.)"""
    loaded = conn.execute(
        "SELECT number, name_key, birth FROM certificates WHERE register = ?", (entry.key,)
    ).fetchall()
    if not loaded or not result.numbers:
        return []
    numbers = {number for number, _, _ in loaded}
    holders = {(key, birth) for _, key, birth in loaded}
    if any(n in numbers for _, _, n in result.numbers) or any(
        (c.name_key, c.birth) in holders for c in result.certificates
    ):
        return []
    return [
        Problem(
            None,
            None,
            None,
            f"名册“{entry.key}”此前导入的 {len(loaded)} 本证书，这一版本中一本也没有：这不是"
            "同一份名册的更正版本，而是另一份同名的名册。请换一个文件名再列入清单"
            "（同一文件名只用于同一份名册的新版本）",
            "§四.(三)",
        )
    ]
