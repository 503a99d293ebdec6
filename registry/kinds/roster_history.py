"""A corrected version of a roster against what happened to its certificates since it was
loaded (§四.(三), §四.(六)): the manifest's 发证日期 and 批准文号 are every row's, so a new
version that changes them rewrites certificates that may have been exchanged, reissued, revoked
or collected.

The issue date may not move past any of those events (a certificate reissued before it was
issued), a change of what a collected paper prints (工种, 发证日期) is reported, and the approval
document may not change under a 补发 that cited it as the holder's
原公布文件 (§四.(六)3): the registry would then contradict its own history.
"""

from __future__ import annotations

import sqlite3

from registry.domain.documents import document_key
from registry.domain.problems import Problem
from registry.domain.statuses import REISSUE, REISSUED, REVOKED
from registry.domain.trades import TradeCatalogue
from registry.kinds.base import RegisterEntry
from registry.kinds.roster_result import RosterResult

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
    certificates = {c.number: c for c in result.certificates}
    manifest, told = document_key(entry.approval_doc or ""), False
    for root, number, date, cited in conn.execute(_CITED, (entry.key, REISSUE)):
        certificate = certificates.get(root)
        # one the new version leaves out takes the register's document all the same
        # (`registry.store.certificates`): its 补发 was let through with 8号 cited, 9号 written
        now = certificate.approval_doc if certificate else entry.approval_doc
        if now is None or (key := document_key(now)) == document_key(cited):
            continue
        which = number if number == root else f"{number}（由本名册的 {root} 换发而来）"
        rule = (
            f"证书 {which} 于 {date} 补发时，原公布文件登记为 {cited}（即本名册的批准文件），"
            f"新版本改为 {now}：已生效的补发所依据的文件不能改。请恢复原来的批准文号"
        )
        if key != manifest and certificate:  # a row's own 批准文号 (附件5): each row named
            problems.append(Problem(certificate.source_row, "批准文号", now, rule, "§四.(六)3"))
        elif not told:  # the manifest's document, for every row: told once
            problems.append(Problem(None, None, now, rule, "§四.(六)3"))
            told = True
    return problems


_COLLECTED = """
SELECT c.number, c.trade, c.issued_on, l.collected_on, CASE c.status WHEN :reissued THEN c.status_date END
FROM certificates c LEFT JOIN collections l ON l.number = c.number
WHERE c.register = :register AND c.successor IS NULL AND c.status IS NOT :revoked
  AND (l.number IS NOT NULL OR c.status = :reissued)
ORDER BY coalesce(c.status_date, l.collected_on), c.number
"""
"""The certificates of a register whose paper is in its holder's hands: collected, or printed
anew by a 补发 under the same number."""


def collected_rewritten(
    conn: sqlite3.Connection, result: RosterResult, entry: RegisterEntry, catalogue: TradeCatalogue
) -> list[Problem]:
    """A paper in its holder's hands (its 领取 registered, §四.(六)1, or printed by a 补发 under
    its number, §四.(六)3) whose 工种 or 发证日期 the new version changes: loaded — the registry
    cannot know which value the paper bears (a correction loaded before the 领取 was
    registered, one put back) —, and reported as a conflict: the holder's paper may now differ
    from the registry and fail the public confirmation, which a 换发 puts right (§四.(六)2). A
    trade the catalogue now spells otherwise (焊工 an alias of 电焊工) is no change; a revoked
    paper is valid nowhere."""
    certificates = {c.number: c for c in result.certificates}
    problems = []
    held = conn.execute(
        _COLLECTED, {"register": entry.key, "revoked": REVOKED, "reissued": REISSUED}
    )
    issued = entry.issued_on.isoformat() if entry.issued_on else None
    for number, trade, issued_on, collected_on, reissued_on in held:
        certificate = certificates.get(number)
        # the paper a 补发 printed is the one in hand, the collected original void
        handed = f"已于 {reissued_on} 补发" if reissued_on else f"已于 {collected_on} 领取"
        if certificate is None:  # left out: the register's new 发证日期 reaches it all the same
            if issued and issued != issued_on:
                problems.append(_redated(number, handed, issued_on, issued))
            continue
        if certificate.trade != trade and catalogue.resolve(str(trade)) != certificate.trade:
            problems.append(
                Problem(
                    certificate.source_row,
                    "报考工种",
                    str(certificate.trade),
                    f"证书 {number} {handed}，登记的工种由“{trade}”改为"
                    f"“{certificate.trade}”（此项只提醒，不妨碍导入）：持证人手中的证书若印的是"
                    f"“{trade}”，公众核对时将与登记不符——证书印错的，须按§四.(六)2收回旧证换发"
                    "新证；证书印的就是原值的，请把本行改回原值",
                    "§四.(六)2",
                    number=number,
                )
            )
        if certificate.issued_on != issued_on:
            problems.append(_redated(number, handed, issued_on, certificate.issued_on))
    return problems


def _redated(number: str, handed: str, was: str, now: str) -> Problem:
    """The reminder of a paper in its holder's hands whose 发证日期 the new version changes."""
    return Problem(
        None,
        None,
        now,
        f"证书 {number} {handed}，发证日期（issued_on）由 {was} "
        f"改为 {now}（此项只提醒，不妨碍导入）：证书上印的若是 "
        f"{was}，公众核对时将与登记不符——证书印错的，须按§四.(六)2收回旧证换发"
        "新证；证书印的就是原值的，请把 issued_on 改回原值",
        "§四.(三)",
        number=number,
    )
