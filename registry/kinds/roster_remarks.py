"""What a roster row's 备注 says, as the sync and ``certreg number`` read it: that a holder who
looks like one registered already is somebody else (§二's exception), or that the row is not to
get a certificate (§四.(六)1 — also written in a column the layout does not read).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

from registry.domain.characters import simplified_characters
from registry.domain.problems import Problem
from registry.domain.text import mentions
from registry.kinds.cells import NONE_WRITTEN
from registry.kinds.withheld import Withholding
from registry.sheets.cells import Cell
from registry.sheets.layout import header_key

REMOVAL = "。删除此行"
"""How the advice to remove a failing row from a roster not yet loaded begins."""

DIFFERENT_PERSON = (
    *("另一人", "另一个人", "非同一人", "不是同一人", "不是同一个人", "不是一个人"),
    *("不同的人", "同名同姓", "同名同生日", "同名不同人", "重名"),
    *("身份证号不同", "身份证号码不同", "身份证不同"),
)
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
    "|暂缓发放|暂缓办理|缓发证|发证暂缓|证书缓发|证书暂缓|取消(?:其|考核|发证)*资格|撤销(?:其)?资格"
    "|(?:此|本|该)(?:行|条)已?(?:作废|删除)|^作废$|^删除$|缺考|作弊"
    "|(?:考评|考核|考试|鉴定|评审|评定|成绩|结果)(?:不合格|未合格|不及格|未通过|不通过)"
    "|^(?:不合格|未合格|不及格|未通过|不通过|不同意)$"
    "|^(?:暂缓|缓发|缓办|暂停|暂不|待定|待议|待审|待核|待查|待补)$|(?:材料|资料)(?:不全|不齐)待补)"
    "(?!情形|期满)"
)
"""What a clerk writes in 备注 of a row that is not to get a certificate: whole phrases, not
暂缓 or 缓发 alone (暂缓退休, 不发放工本费) — and a row crossed out in words (此行作废, a bare
删除) or whose examination or evaluation was not passed (缺考, 作弊, 考评不合格, a 考评结果 of
不合格: §二 certifies only those who pass, and 附件5 has no column of results to refuse by),
not 原证书作废 of another paper. A remark that is nothing but 暂缓 or 待定 (or 材料不全待补) leaves
the row undecided: issued, it was a certificate nobody had approved yet (a clerk's review)."""
ISSUE_NOW = "同意发证"
"""What a clerk writes in 备注 to say a row withheld once is issued now."""
WITHHELD_CLAUSE = "§四.(六)1"
"""The clause of a row withheld by its remarks (`NOT_ISSUED_ROW`)."""


def _not_issued_rule(column: str, phrase: str) -> str:
    return (
        f"{column}写明“{phrase}”：名册只列发证的人，登记的证书即为有效（§四.(六)1 按实际"
        f"合格人数发放）{REMOVAL}；如此人确应发证，请在{column}中写明“{ISSUE_NOW}”"
    )


NOT_ISSUED_ROW = Withholding(
    NOT_ISSUED,
    re.compile(
        f"{ISSUE_NOW}|准予发证|予以发证|现予发证|本次发证|已发证|已恢复|现恢复|恢复资格"
        "|(?:补考|复考|重考|复评|重新考评|重新考核)已?合格(?!后)"
    ),
    _not_issued_rule,
    WITHHELD_CLAUSE,
    re.compile("[发發证證资資缓緩颁頒办辦废廢删刪缺弊格及过過意停待不]"),
)
"""A roster row that is not to get a certificate (已调离，不发证): a roster lists the holders
certificates are issued to, and each it registers is valid at once."""


def withheld_row(
    row: int, values: Mapping[str, Cell], unread: Iterable[tuple[str, Cell]] = ()
) -> Problem | None:
    """The problem of a row its 备注 or a column the layout does not read (``unread``: name and
    cell) withholds (`NOT_ISSUED_ROW`) — for the sync and for ``certreg number`` alike."""
    return NOT_ISSUED_ROW.problem(row, (("备注", values.get("备注")), *unread))


LEVEL_HEADERS = frozenset({"报考等级", "申报等级", "报考级别", "申报级别"})
"""The headers of the level applied for, a column a 附件5 roster does not have but a clerk may
add — not 技术等级 or 等级, which may be the applicant's present grade (高级工)."""


def another_level(row: int, unread: Iterable[tuple[str, Cell]]) -> Problem | None:
    """A 附件5 row whose own level column, added beside the form's, names a level other than
    技师: every row of a technician roster is issued a 技师 certificate, so the holder of a 高级
    row was given one (a clerk's review) — a row for the 附件4 roster it belongs on. Any level
    but 技师 (or J) is another: 高级, 三级, 国家职业资格三级, 高級 (a review)."""
    for column, value in unread:
        written = re.sub(r"\s+", "", simplified_characters(str(value if value is not None else "")))
        if (
            header_key(column) in LEVEL_HEADERS
            and written
            and written not in NONE_WRITTEN
            and "技师" not in written
            and written.upper() != "J"
        ):
            rule = (
                f"本行的{column}是“{written}”，而技师审核名册（附件5）的每一行都发技师证书："
                "初级、中级、高级人员请填入审批名册（附件4），本表只留技师"
            )
            return Problem(row, column, written, rule, "§四.(五)2")
    return None
