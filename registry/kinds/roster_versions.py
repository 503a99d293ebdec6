"""A corrected version of a roster against what was loaded before (§四.(三), §五.(三)): another
roster is no version of it, the rules that came after a row was loaded (the order of numbers, a
name's digits and symbols) judge only what the version adds (and, for the order, what it moves),
and a holder it now fails is advised revoked, not deleted. What happened to its certificates since (a 补发, a 领取) is
checked by `registry.kinds.roster_history`.
"""

from __future__ import annotations

import sqlite3
from bisect import bisect_left
from dataclasses import replace
from itertools import pairwise

from registry.domain.documents import document_key
from registry.domain.exam import EXAM_CLAUSE
from registry.domain.names import normalise_name
from registry.domain.problems import NEW_DATES, NEW_NAME, NEW_UNIT, Problem
from registry.domain.statuses import REVOKED
from registry.kinds.base import RegisterEntry, kept_nothing
from registry.kinds.roster_cells import NUMBER_COLUMN
from registry.kinds.roster_gaps import gap_told, previous_numbers, taken_told
from registry.kinds.roster_remarks import WITHHELD_CLAUSE
from registry.kinds.roster_result import RosterResult
from registry.kinds.roster_rules import revoke_instead
from registry.store.syncs import loaded_version


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
    the first time; for a new version, those of the rows it adds or moves (`_moved`) — the rows
    loaded before, where they were, are not judged again by rules that may have come after them,
    but a row added or moved now is."""
    if loaded_version(conn, entry.key) is None:
        return [taken_told(conn, problem) for problem in result.order_problems]
    registered = _registered(conn, entry)
    added = {row for row, _, number in result.numbers if number not in registered}
    moved = _moved(conn, result, entry, registered)
    previous = previous_numbers(result) if result.order_problems else {}
    kept = []
    for problem in result.order_problems:
        if problem.row in moved:  # its number is issued: the row goes back, not renumbered
            told = problem.column == NUMBER_COLUMN
            kept.append(replace(problem, rule=moved[problem.row]) if told else problem)
            continue
        if problem.row not in added:
            continue
        gap = gap_told(conn, previous, entry, registered, problem)
        if gap is not None:
            kept.append(gap)
    return kept


def _moved(
    conn: sqlite3.Connection, result: RosterResult, entry: RegisterEntry, registered: set[str]
) -> dict[int, str]:
    """The rows of certificates loaded before that follow another of them than they did in the
    loaded version (rows left out or added aside), each with where to put it back: a version
    swapping two rows loaded in order loaded with its numbers out of roster order, which a
    roster loaded fresh is refused for — the certificates are printed in the roster's order
    (§四.(五)3). Told 编号跳号…请用 certreg number 重新编号, the clerk was sent to change
    issued numbers, which no one may (§四.(三)、§五.(三))."""
    here = {number: row for row, _, number in result.numbers if number in registered}
    loaded = conn.execute(
        "SELECT number FROM certificates WHERE register = ? ORDER BY source_row", (entry.key,)
    )
    before = [number for (number,) in loaded if number in here]
    now = sorted(before, key=here.__getitem__)
    was = {later: earlier for earlier, later in pairwise(before)}
    follows = {later: earlier for earlier, later in pairwise(now)}
    place = {number: index for index, number in enumerate(before)}
    kept = _in_order([place[number] for number in now])
    moved = {number for index, number in enumerate(now) if index not in kept}
    told = {}
    for number in now:
        if was.get(number) == follows.get(number):
            continue
        if number in moved:
            told[here[number]] = _put_back(number, was.get(number), here)
        else:  # next to a moved row: restored with it (a review: told to move, it went wrong)
            near = (follows.get(number), was.get(number))
            culprit = next((n for n in near if n is not None and n in moved), "")
            told[here[number]] = _left_in_place(number, culprit, here)
    return told


def _in_order(positions: list[int]) -> set[int]:
    """The indexes of a longest run of ``positions`` in increasing order (not necessarily
    adjacent): the rows that kept their order, the others the fewest that moved."""
    tails: list[int] = []  # the index ending the best run of each length so far
    ends: list[int] = []  # and its position, for the search
    links: list[int | None] = []
    for index, position in enumerate(positions):
        length = bisect_left(ends, position)
        links.append(tails[length - 1] if length else None)
        tails[length : length + 1], ends[length : length + 1] = [index], [position]
    kept, at = set(), tails[-1] if tails else None
    while at is not None:
        kept.add(at)
        at = links[at]
    return kept


def _left_in_place(number: str, culprit: str, rows: dict[str, int]) -> str:
    """What a row next to a moved one is told: it stays, the moved one goes back."""
    which = f"{culprit}（本文件第{rows[culprit]}行）" if culprit else "它前后的已登记行"
    return (
        f"{number} 已登记，这一行没有移动：{which}被移动了，把那一行移回后即恢复已登记名册的行序。"
        "已登记证书的编号不能改动（§四.(三)、§五.(三)）"
    )


def _put_back(number: str, earlier: str | None, rows: dict[str, int]) -> str:
    """What a moved row is told: the row it came after in the loaded version."""
    where = (
        f"排在 {earlier}（本文件第{rows[earlier]}行）之后" if earlier else "排在已登记各行的最前面"
    )
    back = f"移回第{rows[earlier]}行之后" if earlier else "移回已登记各行之前"
    return (
        f"{number} 已登记，在已登记的名册中{where}，这一版移动了它：请恢复已登记名册的行序，"
        f"把这一行{back}。已登记证书的编号不能改动（§四.(三)、§五.(三)）"
    )


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
