"""A corrected version of a roster against what was loaded before and what happened to its
certificates since (§四.(三), §四.(六)): the manifest's 发证日期 and 批准文号 are every row's, so
a new version that changes them rewrites certificates that may have been exchanged, reissued,
revoked or collected.

The issue date may not move past any of those events (a certificate reissued before it was
issued), a change of what a collected paper prints (工种, 发证日期) is reported, and the approval
document may not change under a 补发 that cited it as the holder's
原公布文件 (§四.(六)3): the registry would then contradict its own history. The rules that came
after a row was loaded (the order of numbers, a name's digits and symbols) judge only what the
version adds; a holder it now fails is advised revoked, not deleted.
"""

from __future__ import annotations

import sqlite3

from registry.domain.documents import document_key
from registry.domain.exam import EXAM_CLAUSE
from registry.domain.names import normalise_name
from registry.domain.numbers import CertificateNumber, parse
from registry.domain.problems import NEW_DATES, NEW_NAME, NEW_UNIT, Problem
from registry.domain.statuses import REISSUE, REISSUED, REVOKED
from registry.domain.trades import TradeCatalogue
from registry.kinds.base import RegisterEntry, kept_nothing
from registry.kinds.roster_remarks import WITHHELD_CLAUSE
from registry.kinds.roster_result import RosterResult
from registry.kinds.roster_rules import revoke_instead
from registry.store.syncs import loaded_version

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
        now = certificate.approval_doc if certificate else None
        if certificate is None or now is None or (key := document_key(now)) == document_key(cited):
            continue
        which = number if number == root else f"{number}（由本名册的 {root} 换发而来）"
        rule = (
            f"证书 {which} 于 {date} 补发时，原公布文件登记为 {cited}（即本名册的批准文件），"
            f"新版本改为 {now}：已生效的补发所依据的文件不能改。请恢复原来的批准文号"
        )
        if key != manifest:  # a row's own 批准文号 (附件5): each row named
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
    for number, trade, issued_on, collected_on, reissued_on in held:
        certificate = certificates.get(number)
        if certificate is None:
            continue
        # the paper a 补发 printed is the one in hand, the collected original void
        handed = f"已于 {reissued_on} 补发" if reissued_on else f"已于 {collected_on} 领取"
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
            problems.append(
                Problem(
                    None,
                    None,
                    certificate.issued_on,
                    f"证书 {number} {handed}，发证日期（issued_on）由 {issued_on} "
                    f"改为 {certificate.issued_on}（此项只提醒，不妨碍导入）：证书上印的若是 "
                    f"{issued_on}，公众核对时将与登记不符——证书印错的，须按§四.(六)2收回旧证换发"
                    "新证；证书印的就是原值的，请把 issued_on 改回原值",
                    "§四.(三)",
                    number=number,
                )
            )
    return problems


def another_roster(
    conn: sqlite3.Connection, result: RosterResult, entry: RegisterEntry
) -> list[Problem]:
    """A "new version" keeping none of the loaded version's numbers (`kept_nothing`), nor —
    under the same approval document, issue date and unit — its holders: a version that
    renumbers the same holders is refused by §二 instead. Another unit's or another batch's
    审批名册.xlsx shares a holder often enough (a common name, the same person at another
    level): alone, that made it a "corrected version" that reported the first file's valid
    certificates as ones to revoke."""
    numbers: set[tuple[object, ...]] = {(number,) for _, _, number in result.numbers}
    keys: list[tuple[tuple[str, ...], set[tuple[object, ...]]]] = [(("number",), numbers)]
    if _same_documents(conn, entry):
        holders: set[tuple[object, ...]] = {(c.name_key, c.birth) for c in result.certificates}
        keys.append((("name_key", "birth"), holders))
    return kept_nothing(conn, entry, "certificates", keys, "本证书", "§四.(三)")


_DOCUMENTS = ("approval_doc", "issued_on", "unit")


def _same_documents(conn: sqlite3.Connection, entry: RegisterEntry) -> bool:
    """Whether ``entry`` names the approval document (however spelt), issue date and unit its
    loaded version was loaded with."""
    loaded = conn.execute(
        f"SELECT {', '.join(_DOCUMENTS)} FROM registers WHERE key = ?", (entry.key,)
    ).fetchone()
    if loaded is None:
        return False
    document, issued_on, unit = loaded
    facts = entry.facts()
    return document_key(document or "") == document_key(entry.approval_doc or "") and (
        issued_on,
        unit,
    ) == (facts["issued_on"], facts["unit"])


def _registered(conn: sqlite3.Connection, entry: RegisterEntry) -> set[str]:
    """The numbers the registry holds from ``entry``'s register (its versions loaded before)."""
    rows = conn.execute("SELECT number FROM certificates WHERE register = ?", (entry.key,))
    return {number for (number,) in rows}


def new_rows_order_problems(
    conn: sqlite3.Connection, result: RosterResult, entry: RegisterEntry
) -> list[Problem]:
    """The order rules' problems (附件3 四, §四.(五)2-3): all of them for a register loaded for
    the first time; for a new version, those of the rows it adds — the rows loaded before are not
    judged again by rules that may have come after them, but a row added now is."""
    if not result.order_problems or loaded_version(conn, entry.key) is None:
        return result.order_problems
    registered = _registered(conn, entry)
    added = {row for row, _, number in result.numbers if number not in registered}
    return [
        p
        for p in result.order_problems
        if p.row in added and not _gap_kept(result, p.row, registered)
    ]


def _gap_kept(result: RosterResult, row: int, registered: set[str]) -> bool:
    """Whether the numbers an added row skips are all certificates of this register that the
    new version leaves out: issued, they are kept (a conflict), and the next number follows
    them — telling the clerk to number the row into that gap would give it an issued number."""
    last: dict[str, CertificateNumber] = {}  # by prefix: the number of the row before
    for at, _, number in result.numbers:
        parsed = parse(number)
        before = last.get(parsed.prefix)
        if at == row:
            if before is None or parsed.sequence <= before.sequence + 1:
                return False
            skipped = range(before.sequence + 1, parsed.sequence)
            return all(str(before._replace(sequence=k)) in registered for k in skipped)
        last[parsed.prefix] = parsed
    return False


def registered_before(
    conn: sqlite3.Connection, result: RosterResult, entry: RegisterEntry, problems: list[Problem]
) -> list[Problem]:
    """A name, a unit or dates refused by a rule that came after they were registered (a digit
    in a name, another city's unit, a wage grade dated before work) are kept as registered: a
    corrected version of its roster must still load — the clerk correcting another row was sent
    to this one — and "删去符号" would change a holder's name, which only a 换发 may."""
    later = (NEW_NAME, NEW_UNIT, NEW_DATES)
    if loaded_version(conn, entry.key) is None or not any(p.code in later for p in problems):
        return problems
    registered: dict[str, tuple[str, str | None, tuple[object, ...]]] = {
        number: (name, unit, tuple(dates))
        for number, name, unit, *dates in conn.execute(
            "SELECT number, name, unit, birth, work_start, wage_grade_since, exam_year"
            " FROM certificates"
            " WHERE register = ?",
            (entry.key,),
        )
    }
    numbered = {row: number for row, _, number in result.numbers}
    dated = {
        c.number: (c.birth, c.work_start, c.wage_grade_since, c.exam_year)
        for c in result.certificates
    }

    def registered_so(problem: Problem) -> bool:  # the row's number, with this very value
        number = numbered.get(problem.row or 0, "")
        found = registered.get(number)
        if found is None:
            return False
        if problem.code == NEW_NAME:
            return found[0] == normalise_name(problem.value or "")
        if problem.code == NEW_DATES:
            return found[2] == dated.get(number)
        return found[1] == problem.value

    return [p for p in problems if not (p.code in later and registered_so(p))]


def issued_failing(
    conn: sqlite3.Connection, result: RosterResult, entry: RegisterEntry, problems: list[Problem]
) -> list[Problem]:
    """A new version that fails a holder the registry holds a certificate for: removing the row
    would not undo the certificate (a conflict, kept); revoking it would (§五.(三)). A 备注 the
    certificate was registered with is not judged again by the rule on withheld rows, which came
    after it (a corrected version must still load)."""
    withdrawn = (EXAM_CLAUSE, WITHHELD_CLAUSE)
    if loaded_version(conn, entry.key) is None or not any(p.clause in withdrawn for p in problems):
        return problems
    registered = {  # every number of the register: its revocation's date, or None; its 备注
        number: (revoked_on, remark)
        for number, revoked_on, remark in conn.execute(
            "SELECT number, CASE status WHEN ? THEN status_date END, remark FROM certificates"
            " WHERE register = ?",
            (REVOKED, entry.key),
        )
    }
    issued = {row: registered[n] for row, _, n in result.numbers if n in registered}
    return [
        revoke_instead(p, issued[p.row][0]) if p.clause in withdrawn and p.row in issued else p
        for p in problems
        if not (
            p.clause == WITHHELD_CLAUSE
            and p.column == "备注"
            and p.row in issued
            and p.value == issued[p.row][1]
        )
    ]
