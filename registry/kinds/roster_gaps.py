"""The gap an added row of a roster's new version leaves after the row before it (附件3 四,
§四.(五)3), said number by number: a certificate of this roster the version leaves out (kept,
its row goes back), another certificate's number (a 换发's, another roster's: the roster can
take no more rows) or a number still free."""

from __future__ import annotations

import sqlite3
from dataclasses import replace

from registry.domain.numbers import CertificateNumber, parse
from registry.domain.problems import Problem
from registry.kinds.base import RegisterEntry
from registry.kinds.roster_order import GAP, SHOULD_BE
from registry.kinds.roster_result import RosterResult

Previous = dict[int, tuple[CertificateNumber | None, CertificateNumber]]
"""By row: the number of the row before of its level (None: the first of it) and the row's own."""


def previous_numbers(result: RosterResult) -> Previous:
    """Each numbered row's number and the one before it of its level, read in one pass: each
    added row's gap found by reading every row before it, a version adding 400 rows to a
    roster of 36,000 parsed 14.5 million numbers (28 s a sync, a reviewer's measure)."""
    last: dict[str, CertificateNumber] = {}  # by prefix: the number of the row before
    previous: Previous = {}
    for at, _, number in result.numbers:
        parsed = parse(number)
        previous.setdefault(at, (last.get(parsed.prefix), parsed))
        last[parsed.prefix] = parsed
    return previous


def gap_told(
    conn: sqlite3.Connection,
    previous: Previous,
    entry: RegisterEntry,
    registered: set[str],
    problem: Problem,
) -> Problem | None:
    """The order problem of an added row, told what its gap is; None when the gap is only this
    roster's own certificates left out (kept: the row follows them in order). ``registered``:
    the numbers of ``entry``'s register; ``previous``: `previous_numbers` of its rows."""
    skipped = _skipped(previous, problem.row)
    others = [number for number in skipped if number not in registered]
    if not skipped:
        return problem
    if not others:
        return None
    return _gap_said(conn, entry, problem, skipped, others)


def closed_before(
    conn: sqlite3.Connection, previous: Previous, entry: RegisterEntry, row: int, number: str
) -> str | None:
    """What a loaded roster is told instead of ``number`` as its row ``row``'s next free one,
    when another certificate holds a number between the row before of its level and it: the
    row, so numbered, would skip it and the roster can take no more rows (附件3 四). Offered
    …126 after its …125 went to a 换发, a clerk was then told the roster is closed."""
    before = previous.get(row, (None,))[0]
    if before is None:
        return None
    held = [
        held
        for (held,) in conn.execute(
            "SELECT number FROM certificates WHERE number > ? AND number < ? AND register != ?"
            f" ORDER BY number LIMIT {_NAMED + 1}",
            (str(before), number, entry.key),
        )
    ]
    if not held:
        return None
    return _CLOSED_AFTER.format(numbers=_said(held) if len(held) <= _NAMED else f"{held[0]} 等")


def taken_told(conn: sqlite3.Connection, problem: Problem) -> Problem:
    """The order problem of a roster loaded for the first time, told that the number its row
    "应为" is another certificate's, when it is: told "这一行应为 Z1122020123", 周杰's number, the
    clerk numbered the row so and was refused for a number taken."""
    if not problem.rule.startswith(GAP) or SHOULD_BE not in problem.rule:
        return problem
    gap, _, rest = problem.rule.partition(SHOULD_BE)
    expected = rest.partition("。")[0]
    if not _held(conn, expected):
        return problem
    rule = (
        f"{gap}，{expected} 已登记给别的证书（如换发、补发的新证书或另一份名册），不能再用。"
        "证书编号按名册顺序、分等级逐号编排：请清空“颁发证书编号”列，用 certreg number 重新编号"
        "（编号接着已用的编号往下编）"
    )
    return replace(problem, rule=rule)


def _held(conn: sqlite3.Connection, number: str) -> bool:
    return (
        conn.execute("SELECT 1 FROM certificates WHERE number = ?", (number,)).fetchone()
        is not None
    )


def _skipped(previous: Previous, row: int | None) -> list[str]:
    """The numbers of its level an added row skips after the row before (none: no gap) — if
    they are certificates of this register the new version leaves out, they are issued and
    kept (a conflict) and the next number follows them: telling the clerk to number the row
    into that gap would give it an issued number."""
    before, parsed = previous.get(row or 0, (None, None))
    if before is None or parsed is None or parsed.sequence <= before.sequence + 1:
        return []
    skipped = range(before.sequence + 1, parsed.sequence)
    return [str(before._replace(sequence=k)) for k in skipped]


def _gap_said(
    conn: sqlite3.Connection,
    entry: RegisterEntry,
    problem: Problem,
    skipped: list[str],
    others: list[str],
) -> Problem:
    """An added row's gap, each number in it said as what it is: this roster's own certificate
    its new version leaves out (kept: its row goes back), another certificate's (a 换发's, another
    roster's) or free. Told all of them 已登记给别的证书, a clerk looked for another certificate
    holding the number of a row the new version had only left out (a clerk's review)."""
    other = set(others)
    own = [number for number in skipped if number not in other]
    left_out = _left_out(conn, entry, own)
    # the number the row takes: the first after the rows put back (none left out: the gap's first)
    last_own = max(own, default="")
    following = next((number for number in others if number > last_own), None)
    if all(_held(conn, number) for number in others):
        return replace(
            problem, rule=_ROSTER_CLOSED.format(left_out=left_out, numbers=_said(others))
        )
    if following is not None and _held(conn, following):  # "应为" it: refused as taken
        return replace(problem, rule=_ROSTER_CLOSED.format(left_out=left_out, numbers=following))
    if own and following == others[0]:  # the row follows them: the first number free after
        rule = (
            f"编号跳号：{left_out}这一行应为 {following}。"
            "证书编号按名册顺序、分等级逐号编排，已登记的编号不能改动"
        )
        return replace(problem, rule=rule)
    return problem


_NEW_ROSTER = (
    "已登记的名册不能再在这一等级的编号之后加人（其他等级的编号未被跳过的，仍可按顺序添加）："
    "请把新增的人员列入新的名册（另一个文件名），用 certreg number 编号"
)
_ROSTER_CLOSED = (
    "编号跳号：{left_out}跳过的 {numbers} 已登记给别的证书（如换发、补发的新证书或另一份"
    f"名册），不能再用，这一行也就排不进本名册的编号顺序。{_NEW_ROSTER}"
)
"""An added row's gap no number can close: the next number of its level went to another
certificate after the roster was loaded. "应为 …04" sent the clerk to a number taken, whose
refusal named …05 as free — each advice the other's problem (an auditor's review)."""
_CLOSED_AFTER = (
    "本名册已登记，其后的 {numbers} 已登记给别的证书（如换发、补发的新证书或另一份名册），"
    f"本名册再往后编的号都要跳过它，排不进编号顺序。{_NEW_ROSTER}"
)
"""`closed_before`'s advice, in place of a next free number the roster cannot take."""


def _said(numbers: list[str]) -> str:
    return "、".join(numbers) if len(numbers) <= 3 else f"{numbers[0]} – {numbers[-1]}"


def _left_out(conn: sqlite3.Connection, entry: RegisterEntry, numbers: list[str]) -> str:
    """What a gap's numbers of this roster's own certificates, left out of its new version, are:
    the first few by name, then how many — each named, a version leaving out 9,000 rows was told
    in one rule of 180,000 characters, stored again at every attempt."""
    if not numbers:
        return ""
    first = numbers[:_NAMED]
    held = conn.execute(
        f"SELECT number, name FROM certificates WHERE register = ? AND number IN"
        f" ({', '.join('?' * len(first))}) ORDER BY number",
        (entry.key, *first),
    )
    said = "、".join(f"{number}（{name}）" for number, name in held)
    if len(numbers) == 1:
        return f"{said}是本名册已登记的证书，这一版漏列了它的那一行：请把那一行放回原处{_KEPT}"
    more = f"等 {len(numbers)} 份" if len(numbers) > _NAMED else ""
    return f"{said}{more}是本名册已登记的证书，这一版漏列了它们的行：请把这些行放回原处{_KEPT}"


_NAMED = 3
"""How many of a gap's left-out certificates are named (as `_said` names its numbers)."""
_KEPT = "（证书不会因漏列而删除，如需使证书失效，请登记撤销）；"
