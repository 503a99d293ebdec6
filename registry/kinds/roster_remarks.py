"""What a roster row's 备注 says, as the sync and ``certreg number`` read it: that a holder who
looks like one registered already is somebody else (§二's exception), or that the row is not to
get a certificate (§四.(六)1 — also written in a column the layout does not read).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

from registry.domain.problems import Problem
from registry.domain.text import mentions
from registry.domain.trades import simplified
from registry.sheets.cells import Cell, text
from registry.sheets.layout import header_key

REMOVAL = "。删除此行"
"""How the advice to remove a failing row from a roster not yet loaded begins."""

DIFFERENT_PERSON = ("另一人", "非同一人", "不是同一人", "同名同姓", "同名同生日", "同名不同人")
"""Words in 备注 saying that a holder who looks like an existing one is somebody else."""
SAME_PERSON = ("同一人", "同一个人")
"""Words saying the opposite: 同名同姓，系同一人 is the same holder, whatever 同名同姓 says."""


def different_person(remark: str | None) -> bool:
    """Whether 备注 says the holder is somebody else (§二's exception), and nowhere denies it or
    says the holder is the same one."""
    if not remark:
        return False
    read = header_key(remark)
    return mentions(read, DIFFERENT_PERSON) and not mentions(read, SAME_PERSON)


NOT_ISSUED = re.compile(
    "(?:不发证|不再发证|不同意发证|不予发证|不予颁证|不予核发|不予颁发|不予发放|不予办理|不核发"
    "|不颁发证书|不发放证书|暂不发证|暂不颁|暂不发放|暂不办证|暂不办理|暂停发证|暂缓发证|暂缓颁"
    "|暂缓发放|暂缓办理|缓发证|发证暂缓|证书缓发|证书暂缓|取消(?:其|考核|发证)*资格|撤销(?:其)?资格)"
    "(?!情形|期满)"
)
"""What a clerk writes in 备注 of a row that is not to get a certificate: whole phrases, not
暂缓 or 缓发 alone (暂缓退休, 不发放工本费)."""
_DENIED = ("非", "无", "未", "没有", "不属于", "并非", "无需", "不需", "不需要", "不存在")
"""What before a phrase says it is not so (非暂缓人员, 未取消资格, 无需暂缓发证)."""
ISSUE_NOW = "同意发证"
"""What a clerk writes in 备注 to say a row withheld once is issued now."""
_ISSUED_NOW = re.compile(
    f"{ISSUE_NOW}|准予发证|予以发证|现予发证|本次发证|已发证|已恢复|现恢复|恢复资格"
)
_NOT_YET = "不待后拟如若未"
"""Right before an issue-now phrase: not one (不同意发证), or a condition to come (复核后同意
发证, 拟同意发证)."""
_WORTH_READING = re.compile("[发發证證资資缓緩颁頒办辦]")


def _issued_now(read: str) -> bool:
    """Whether the remark says, anywhere in it, that the row is issued now (曾暂缓发证，已补齐，
    同意发证; 同意发证（原暂缓发证）) — the way out the refusal tells the clerk to write."""
    return any(
        not read[: found.start()].endswith(tuple(_NOT_YET))
        and not read.startswith("的", found.end())
        for found in _ISSUED_NOW.finditer(read)
    )


WITHHELD_CLAUSE = "§四.(六)1"
"""The clause of a row withheld by its remarks (`not_issued`)."""


def not_issued(remark: str, column: str = "备注") -> str | None:
    """The rule a row breaks whose ``column`` (its 备注, or a column the layout does not read)
    says it gets no certificate (已调离，不发证): a roster lists the holders certificates are
    issued to, and each it registers is valid at once. Read as typed in any width, spacing or
    characters (不 发 证, 不發證). A remark only telling the past (曾暂缓发证，已补齐，同意发证)
    says so with `ISSUE_NOW`, as the message tells the clerk — free text is not read further."""
    if not remark or not _WORTH_READING.search(remark):
        return None
    read = simplified(header_key(remark))
    if _issued_now(read):
        return None
    for withheld in NOT_ISSUED.finditer(read):
        if read[: withheld.start()].endswith(_DENIED):
            continue
        return (
            f"{column}写明“{withheld[0]}”：名册只列发证的人，登记的证书即为有效（§四.(六)1 按实际"
            f"合格人数发放）{REMOVAL}；如此人确应发证，请在{column}中写明“{ISSUE_NOW}”"
        )
    return None


def withheld_row(
    row: int, values: Mapping[str, Cell], unread: Iterable[tuple[str, Cell]] = ()
) -> Problem | None:
    """The problem of a row its 备注 or a column the layout does not read (``unread``: name and
    cell) withholds (`not_issued`) — for the sync and for ``certreg number`` alike."""
    for column, value in (("备注", values.get("备注")), *unread):
        if rule := not_issued(text(value), column):
            return Problem(row, column, text(value), rule, WITHHELD_CLAUSE)
    return None
