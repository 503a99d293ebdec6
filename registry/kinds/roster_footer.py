"""The 附件4 footer of a roster: the approval counts of 证书核发部门意见 (同意初级 N 人，中级 N 人 …,
read on over a clause wrapped onto the next rows), and the opinions that refuse or leave someone
out (§四.(六)1). `roster_totals` checks them against the rows; what a failing row is told of
them is `roster_removal`'s. Pure functions over a roster's table."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import NamedTuple

from registry.domain.levels import LEVEL_ORDER, LEVELS
from registry.domain.opinions import excepts, refuses
from registry.domain.problems import Problem
from registry.kinds.cells import NONE_WRITTEN
from registry.sheets.layout import header_key
from registry.sheets.table import Table

FOOTER_COLUMN = "证书核发部门意见"
_LEVEL_WORDS = {LEVELS[letter].removesuffix("工"): letter for letter in LEVEL_ORDER}
_LEVEL_WORD = "|".join(_LEVEL_WORDS)
_OPENS = r"工?(?:人数)?[:(]?"
"""What may follow a level before its count: 初级工, 初级人数, 初级：, 初级（ (as `header_key` writes
them)."""
_PERSONS = r"\)?(?:人|名(?![册单]))"
"""What ends a count: 人 or 名 — not 名册, 名单 (技师：另报名册 is no count) —, after a bracket."""
_COUNT = re.compile(rf"({_LEVEL_WORD}){_OPENS}([^人名，,。；;:()]{{0,10}}?){_PERSONS}")
"""一个等级的人数 in the footer: 初级 N 人 (初级：N 人, 初级（N）人, 初级人数 N 人), in any order; N
blank as the form prints it. Not a signer's title (审查人：王明（高级经济师） 批准人：… was a
second count of 高级)."""
_REMOVED = re.compile(
    "(?<![^，。；,;])[^，。；,;]*(?:(?:已|均已|业已)(?:删除|删去|剔除|去除)|逾期)[^，。；,;]*"
)
"""A note of people removed from the roster (不符合条件的 1 人已删除), or a condition on
collecting (请于 4 月 30 日前领取，逾期不予补发): no refusal of those approved. A match starts
only where a clause does: tried from every character of a long clause without the words, it
took 10 s for a 40,000-character footer cell, four times as long for twice as many."""
_PLAIN = re.compile(r"(?:证书)?_*(\d+)_*")
"""A count in Arabic digits, typed on the printed line (__1__) or after 证书 (同意颁发中级证书 1
人); anything else around digits (各1, 10余, 1x) is kept as written, to be refused."""


_ALL = "合计|共计|总计|共"
"""The words of a total (…技师 0 人，合计 3 人)."""
_WRITTEN = "(?:[\\d〇一二三四五六七八九十百两零壹贰叁肆伍陆柒捌玖拾A-Za-z]+|无|[-—–/×_]+)?"
"""A count as written in a footer: digits (or what must be refused: 三, 壹, x), 无, a dash or a
blank line to write on (NFKC: － is -), or nothing — one way only: with an empty match in
two of its alternatives, each repeated count doubled the ways to try (20 of them, 0.5 s)."""
_GOES_ON = re.compile(
    rf"{_WRITTEN}[人名]?[,、;]?(?:(?:{_LEVEL_WORD}){_OPENS}{_WRITTEN}{_PERSONS}[,、;]?)*"
    rf"(?:(?:{_ALL}){_WRITTEN}[人名][,、;]?)?(?:[。.(].*)?"
)
"""A footer row that is nothing but the rest of a 同意… clause up to its 。 or a (盖章) (what
follows, the form's 审查人：…, is no count): the end of a count cut in two (2 人，), counts
(技师 3 人, 技师 无 人), a total (共 3 人) — as `header_key` reads it (no spaces, ， as ,)."""


def _wraps(clause: str, following: str) -> bool:
    """Whether the footer row ``following`` goes on with the counts of ``clause``: the clause
    left unfinished (no 。 at its end) and the row nothing but counts — not a signature
    (审查人：高级工程师…, 技师 王明（签名）), a note (注：另有高级 1 人…) or another opinion."""
    return (
        not clause.endswith(("。", "."))
        and following[:1] not in ("", "(", "。", ".")  # a (印章) row, an empty one: no counts
        and _GOES_ON.fullmatch(following) is not None
    )


_APPROVES = re.compile(
    "同意(?!上报|报送|推荐|申报)|(?<!请)(?<!请予)(?<!拟)(?<!拟予)批准(?!人:)|核准"
)
"""The word a footer's counts follow: the form prints 同意, a clerk may write 批准 or 核准
(批准人数：中级 2 人 too; the form's 批准人： signs, and counts nothing; the applying unit's 请予批准
asks, and its counts are no approval, nor are the supervising department's 同意上报)."""


_TOTAL = re.compile(rf"(?<=[人名])[,、;]?((?:{_ALL}):?(\d+)[人名])")
"""The total an opinion's counts may end with (…技师 0 人，共 3 人。, 合计 3 人) — not one of
another roster (技师：另报名册共 5 名)."""
_BARE = re.compile(r"[^\d人名,;。]{0,12}?(\d+)(?:人|名(?![册单]))")
"""An approval of everyone at once, without levels (同意 5 人, 同意以上3人, 同意为以上 3 名同志核发证书),
from its 同意 on."""
_ORDINAL = re.compile(r"第\d|\d+[人名][至到~\-—–〜、,]")
"""A place, not a count: 同意第1名至第3名…, 同意为表中1名至3名人员…"""
_LABEL = re.compile(r"([^:,;。]{0,10})意见")
"""An opinion's label in a footer line (填报单位意见, 主管部门审查意见, 证书核发部门意见)."""
ISSUER_WORDS = ("核发", "发证")
"""What the issuing department's label says (证书核发部门意见, 发证机关意见)."""
OTHER_WORDS = ("填报", "主管")
"""What the applying unit's and the supervising department's labels say (填报单位意见,
主管部门审查意见): their counts ask, and approve nobody."""


def _issuers(text: str) -> bool | None:
    """Whether the last opinion labelled in ``text`` is the issuing department's; False for
    the unit's or the supervising department's; None when ``text`` labels none, or names
    another (审批机关意见, 绵阳市人力资源和社会保障局意见: maybe the issuer's own words)."""
    if not (labels := _LABEL.findall(text)):
        return None
    if any(word in labels[-1] for word in ISSUER_WORDS):
        return True
    return False if any(word in labels[-1] for word in OTHER_WORDS) else None


@dataclass(frozen=True)
class _Clause:
    row: int
    text: str
    """from its 同意 on, read on over the rows it wraps onto"""
    issuer: bool | None
    """its opinion's label: the issuing department's, another's, or none written"""
    last: int
    """the last row it is read over (its own, or the last it wraps onto)"""


def _clauses(table: Table) -> Iterable[_Clause]:
    """Each footer line with a 同意 (`_APPROVES`): from the word on, read on over the next
    rows while they go on counting (a clause wrapped onto a second row), with whose opinion it
    is — the label before it on its row, or the last one on the rows above (a label on a row
    of its own)."""
    footer = table.footer
    issuer: bool | None = None
    for at, (row, line) in enumerate(footer):
        key = header_key(line)
        approves = _APPROVES.search(key)
        before = key[: approves.start()] if approves else key
        if (labelled := _issuers(before)) is not None:
            issuer = labelled
        if approves:
            clause, last = key[approves.start() :], row
            for below, more in footer[at + 1 :]:  # wrapped: …高级 1 人， / 技师 3 人。
                following = header_key(more)
                if not _wraps(clause, following):
                    break
                clause, last = clause + following, below
            yield _Clause(row, clause, issuer, last)
        if (after := _issuers(key)) is not None:  # a label after the clause, for the next rows
            issuer = after


def approval_rows(table: Table) -> set[int]:
    """The footer rows an approval's clause is read from (its own, those it wraps onto): a
    total there (…技师 0 人， / 共 3 人。) is the approval's, checked with its counts."""
    clauses = list(_clauses(table))
    return {row for row, _ in table.footer if any(c.row <= row <= c.last for c in clauses)}


def _written(clause: str) -> dict[str, str]:
    """A clause's counts as written, by level letter (blank: "")."""
    written: dict[str, str] = {}
    for word, count in _COUNT.findall(clause):
        blank = count in NONE_WRITTEN or not count.strip("_")  # ___: the line to write on
        written.setdefault(_LEVEL_WORDS[word], "" if blank else count)
    return written


def _approvals(table: Table) -> list[tuple[_Clause, dict[str, str]]]:
    """The footer's clauses that count whom the issuing department approved: those labelled
    证书核发部门意见 — the unit's and the supervising department's counts (填报单位意见,
    主管部门审查意见) approve nobody (§四.(六)1) —, or where no count is so labelled those of
    no such label, or else the last one counted."""
    counted = [
        (clause, written) for clause in _clauses(table) if (written := _written(clause.text))
    ]
    labelled = [found for found in counted if found[0].issuer]
    # none but the unit's or the supervisor's: the last of them, nearest the issuer's line
    return labelled or [found for found in counted if found[0].issuer is None] or counted[-1:]


def _counts(written: dict[str, str]) -> dict[str, int | str]:
    """Count by level letter: a level the line does not name, or leaves blank, is approved for
    nobody; one not in Arabic digits (`_PLAIN`) is kept as written, to be refused."""
    counts: dict[str, int | str] = {}
    for letter in LEVEL_ORDER:
        text = written.get(letter, "")
        plain = _PLAIN.fullmatch(text)
        counts[letter] = int(plain[1]) if plain else (text or 0)
    return counts


def footer_counts(table: Table) -> tuple[int, dict[str, int | str]] | None:
    """(row, count by level letter) of the 附件4 footer's 证书核发部门意见：同意初级 N 人，中级 N
    人，高级 N 人，技师 N 人 (`_approvals`), read on over the footer's next rows while they go
    on counting (a clause wrapped onto a second row). A blank count (or a dash, a slash, 无) is
    0 (the form prints blanks). None when there is no such line, or none of its counts is
    filled in (the form as printed: the department has not filled it in)."""
    found = found_counts(table)
    return None if found is None else (found.row, found.counts)


class FooterCounts(NamedTuple):
    row: int
    counts: dict[str, int | str]
    named: frozenset[str]
    """the levels the line names (the others it approves for nobody)"""
    total: re.Match[str] | None
    """its 共 N 人, when it ends its counts so"""


def found_counts(table: Table) -> FooterCounts | None:
    """`footer_counts`, with the levels it names and its total."""
    approvals = _approvals(table)
    if not approvals or not any(approvals[0][1].values()):
        return None
    clause, written = approvals[0]
    return FooterCounts(
        clause.row, _counts(written), frozenset(written), _TOTAL.search(clause.text)
    )


def shown_count(letter: str, count: object, named: frozenset[str]) -> str:
    """A footer's count of a level as the clerk finds it (同意中级 5 人), or that it names none."""
    level = LEVELS[letter].removesuffix("工")
    return f"{level} {count} 人" if letter in named else f"（未写{level}的人数）"


def bare_total(table: Table) -> tuple[int, str, int] | None:
    """(row, words, count) of a footer approving a number of people without their levels
    (证书核发部门意见：同意以上 3 人): the issuing department's, or one no opinion labels — not
    the unit's or the supervising department's, whose counts approve nobody. Unread, it let a
    roster of four load under an approval of three (an auditor's review)."""
    for clause in sorted(_clauses(table), key=lambda c: c.issuer is not True):
        if clause.issuer is False or _COUNT.search(clause.text):
            continue
        approves = _APPROVES.match(clause.text)
        count = approves and _BARE.match(clause.text, approves.end())
        if count and not _ORDINAL.search(clause.text, count.start(1) - 1, count.end() + 1):
            return clause.row, clause.text[: count.end()], int(count[1])
    return None


def footer_refusal(table: Table) -> Problem | None:
    """A footer whose opinion refuses (证书核发部门意见：不同意, or …；不同意初级 1 人): a roster
    holds only those approved (§四.(六)1), and the rows it refuses would be loaded as issued —
    as would a level counted twice, the first count being the one read; and one that approves
    all but some (同意（不含技师）) without counting who is approved."""
    for row, line in table.footer:  # the opinion's line (a note of one withheld is not)
        if not _APPROVES.search(header_key(line)):
            continue
        if refuses(_REMOVED.sub("", line)):
            rule = (
                "页脚的证书核发部门意见中有不同意的字样：名册只能登记批准发证的人员。"
                "请把未获批准的人员从名册中删去，页脚只写同意的人数"
            )
            return Problem(row, FOOTER_COLUMN, line, rule, "§四.(六)1")
    excepted = [(row, line, words) for row, line in table.footer if (words := excepts(line))]
    if excepted and footer_counts(table) is None:  # on any row: an opinion wrapped, or a note
        row, line, words = excepted[0]
        rule = (
            f"页脚写了“{words}”，却没有写同意的人数，看不出哪些人未获批准："
            "名册只能登记批准发证的人员。请把未获批准的人员从名册中删去，页脚写明同意的各等级人数"
        )
        return Problem(row, FOOTER_COLUMN, line, rule, "§四.(六)1")
    for clause in _clauses(table):
        counted = Counter(_LEVEL_WORDS[word] for word, _ in _COUNT.findall(clause.text))
        if twice := [letter for letter, n in counted.items() if n > 1]:
            level = LEVELS[twice[0]].removesuffix("工")
            rule = f"页脚对{level}写了不止一个人数，看不出批准了几人：每个等级只写一次"
            return Problem(clause.row, FOOTER_COLUMN, clause.text, rule, "§四.(六)1")
    approvals = _approvals(table)
    for clause, written in approvals[1:]:
        if _counts(written) != _counts(approvals[0][1]):
            rule = (
                f"页脚有两处证书核发部门意见（第{approvals[0][0].row}行和此行）写的人数不同，"
                "看不出批准了几人：只保留证书核发部门实际批准的那一处"
            )
            return Problem(clause.row, FOOTER_COLUMN, clause.text, rule, "§四.(六)1")
    return None
