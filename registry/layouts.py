"""Column layouts of the register kinds (SPEC §4): which headers a reader must find.

Header cells are matched after NFKC and whitespace removal, so ``颁发证书 编号`` and
``原岗位证书号（未获工种年限）`` with full-width brackets both match.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

_SPACE = re.compile(r"\s+")


def header_key(text: object) -> str:
    """How a header cell is compared: NFKC, no whitespace."""
    return _SPACE.sub("", unicodedata.normalize("NFKC", str(text or "")))


@dataclass(frozen=True)
class Column:
    name: str
    """the name in the notice's annex, used in reports"""
    required: bool = True
    aliases: tuple[str, ...] = ()
    in_form: bool = True
    """printed on the annex's blank form (`registry.forms`)"""

    def matches(self, key: str) -> bool:
        return key in {header_key(n) for n in (self.name, *self.aliases)}


@dataclass(frozen=True)
class Layout:
    kind: str
    title: str
    columns: tuple[Column, ...]

    def column(self, key: str) -> Column | None:
        return next((c for c in self.columns if c.matches(key)), None)

    @property
    def required(self) -> list[str]:
        return [c.name for c in self.columns if c.required]


EXAM_COLUMNS = ("思想政治表现", "生产工作成绩", "职业道德", "技术业务理论", "实际操作技能")

APPROVAL_ROSTER = Layout(
    "approval-roster",
    "中央在川和省直机关事业单位工人技术等级（职务）证书审批名册（附件4）",
    (
        Column("序号", required=False, in_form=False),
        Column("姓名"),
        Column("性别"),
        Column("出生年月"),
        Column("参加工作时间"),
        Column(
            "原岗位证书号（未获工种年限）", required=False, aliases=("原岗位证书号", "未获工种年限")
        ),
        Column("执行工资等级起始时间", required=False),
        Column("报考年度"),
        Column("报考工种"),
        Column("报考等级"),
        *(Column(name) for name in EXAM_COLUMNS),
        Column("颁发证书编号", aliases=("证书编号",)),
        Column("工作单位", required=False, aliases=("单位",), in_form=False),
    ),
)

TECHNICIAN_ROSTER = Layout(
    "technician-roster",
    "四川省机关事业单位工人技师资格证书审核名册（附件5）",
    (
        Column("序号", required=False),
        Column("姓名"),
        Column("性别"),
        Column("出生日期", aliases=("出生年月",)),
        Column("文化程度"),
        Column("工作单位"),
        Column("报考年度"),
        Column("报考工种"),
        Column("批准文号"),
        Column("颁发证书编号", aliases=("证书编号",)),
    ),
)

STATUS_CHANGES = Layout(
    "status-changes",
    "证书换发、补发、撤销登记",
    (
        Column("序号", required=False),
        Column("类型"),
        Column("证书编号"),
        Column("姓名"),
        Column("日期"),
        Column("新证书编号", required=False),
        Column("原因"),
        Column("批准文号"),
        Column("个人申请", required=False),
        Column("单位证明", required=False),
        Column("原公布文件", required=False, aliases=("原公布合格人员名单文件",)),
    ),
)

QUANTITY_COLUMNS = ("初级", "中级", "高级", "技师")
"""Blank-certificate quantities (本) by level, as 附件1 and 附件2 print them."""


def _quantities() -> tuple[Column, ...]:
    return tuple(
        Column(name, aliases=(f"{name}(本)", f"{name}本", f"{name}工")) for name in QUANTITY_COLUMNS
    )


REQUISITIONS = Layout(
    "requisitions",
    "四川省机关事业单位工人技术等级（职务）资格证书申领计划表（附件1）",
    (
        Column("序号", required=False),
        Column("单位", aliases=("申领单位",)),
        Column("联系人", required=False),
        Column("联系电话", required=False),
        *_quantities(),
        Column("合计", aliases=("合计(本)", "合计本")),
        Column(
            "市（州）意见",
            required=False,
            aliases=("市(州)人力资源和社会保障行政部门意见", "市州意见"),
        ),
        Column(
            "省厅意见",
            aliases=("省人力资源和社会保障厅职业能力建设处意见", "省人力资源和社会保障厅意见"),
        ),
    ),
)

DISPATCHES = Layout(
    "dispatches",
    "四川省机关事业单位工人技术等级（职务）资格证书发放单（附件2）",
    (
        Column("序号", required=False),
        Column("领取单位"),
        *_quantities(),
        Column("合计", required=False, aliases=("合计(本)", "合计本")),
        Column("日期", aliases=("发放日期", "领取日期")),
        Column("经办人"),
    ),
)

COLLECTIONS = Layout(
    "collections",
    "证书领取登记表（§四.(六)1）",
    (
        Column("序号", required=False),
        Column("证书编号", aliases=("颁发证书编号",)),
        Column("领取人"),
        Column("签名", aliases=("领取人签名", "本人签名")),
        Column("日期", aliases=("领取日期",)),
    ),
)

LAYOUTS: dict[str, Layout] = {
    layout.kind: layout
    for layout in (
        APPROVAL_ROSTER,
        TECHNICIAN_ROSTER,
        STATUS_CHANGES,
        REQUISITIONS,
        DISPATCHES,
        COLLECTIONS,
    )
}
