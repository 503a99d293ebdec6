"""Write the synthetic sample registers of ``data/samples/`` (no real person's data).

Run from the repository root: ``python scripts/make_samples.py``. The files are committed; this
script documents how they were made and remakes them after a layout change.
"""

from __future__ import annotations

from pathlib import Path

from registry.kinds import LAYOUTS
from registry.sheets.writers import approval_footer, write_csv, write_requisition_form, write_xlsx

OUT = Path(__file__).resolve().parent.parent / "data" / "samples"
PASS = {"思想政治表现": "合格", "生产工作成绩": "良好", "职业道德": "合格"}


def approval(
    name: str,
    sex: str,
    birth: str,
    work: str,
    trade: str,
    level: str,
    number: str,
    theory: object = 78,
    practice: object = 85,
    **extra: object,
) -> dict[str, object]:
    return {
        "姓名": name,
        "性别": sex,
        "出生年月": birth,
        "参加工作时间": work,
        "原岗位证书号（未获工种年限）": extra.get("prior", ""),
        "执行工资等级起始时间": "2008.10",
        "报考年度": 2011,
        "报考工种": trade,
        "报考等级": level,
        **PASS,
        "技术业务理论": theory,
        "实际操作技能": practice,
        "颁发证书编号": number,
    }


SHENGZHI = [
    approval("张三明", "男", "1972.05", "1991.07", "汽车驾驶员", "高级", "G1122000001"),
    approval("李　芳", "女", "1978.11", "1998.09", "中式烹调师", "中级", "Z1122000001"),
    approval("欧阳明", "男", "1969.03", "1988.12", "电工", "高级", "G1122000002", 91, "优秀"),
    approval("王建国", "男", "1980.01", "2000.03", "驾驶员", "中级", "Z1122000002"),
    approval("陈　静", "女", "1985.06", "2006.08", "餐厅服务员", "初级", "C1122000001"),
    approval("赵小龙", "男", "1983.09", "2004.02", "汽车维修工", "中级", "Z1122000003"),
    approval("刘德华", "男", "1966.12", "1985.10", "钳工", "技师", "J1122000001"),
]

MIANYANG = [
    approval("周杰", "男", "1975年4月", "1995年9月", "电工", "中级", "Z1122020123"),
    approval("阿依古丽•买买提", "女", "1982-07", "2003-03", "保育员", "初级", "C1122020001"),
    approval("热合曼・吐尔逊", "男", "1979-02", "1999-11", "泵站运行工", "高级", "G1122020001"),
    approval("吴　敏", "女", "198812", "201007", "客房服务员", "初级", "C1122020002"),
    approval("郑　浩", "男", "1976.08", "1996.05", "焊工", "中级", "Z1122020124"),
]

TECHNICIANS = [
    {
        "序号": i,
        "姓名": name,
        "性别": sex,
        "出生日期": birth,
        "文化程度": edu,
        "工作单位": unit,
        "报考年度": 2011,
        "报考工种": trade,
        "批准文号": "川人社函〔2012〕12号",
        "颁发证书编号": number,
    }
    for i, (name, sex, birth, edu, unit, trade, number) in enumerate(
        [
            ("黄志强", "男", "1968.04", "高中", "成都市示例中学", "中式烹调师", "J1122010001"),
            ("杨丽", "女", "1971.10", "中专", "成都市示例医院", "实验工", "J1122010002"),
            ("马·尔古", "男", "1973.06", "高中", "成都市示例园林所", "汽车驾驶员", "J1122010003"),
        ],
        start=1,
    )
]

# Blank certificates (SPEC §9). Figures to check `certreg stock` against by hand: 省直示例单位 asks for
# its roster (初1 中3 高2 技1) plus one blank for its 补发 (中) and one for its 换发 (高), and 2 中级
# still pending; 绵阳市 asks for 3 初级 but registers only 2 (one blank left) and 2 extra 中级 for its
# 换发 + 补发; 成都市 asks for 3 技师 but only 2 were dispatched (balance -1, flagged).
QUANTITIES = ("初级", "中级", "高级", "技师")


def blanks(*counts: int) -> dict[str, object]:
    return {**dict(zip(QUANTITIES, counts, strict=True)), "合计": sum(counts)}


REQUISITIONS = [
    {
        "序号": 1,
        "单位": "省直示例单位",
        "联系人": "张示例",
        "联系电话": "028-86110001",
        **blanks(1, 4, 3, 1),
        "省厅意见": "同意 2012-02-20",
    },
    {
        "序号": 2,
        "单位": "绵阳市人力资源和社会保障局",
        "联系人": "李示例",
        "联系电话": "0816-2220001",
        **blanks(3, 4, 1, 0),
        "市（州）意见": "同意 2012-02-10",
        "省厅意见": "同意 2012-02-20",
    },
    {
        "序号": 3,
        "单位": "省直示例单位",
        "联系人": "张示例",
        "联系电话": "028-86110001",
        **blanks(0, 2, 0, 0),
    },
]

CHENGDU_FORM = {
    "单位": "成都市人力资源和社会保障局",
    "联系人": "陈示例",
    "联系电话": "028-61880001",
    **blanks(0, 0, 0, 3),
    "市（州）意见": "同意（印章） 2012年2月12日",
    "省厅意见": "同意（印章） 2012年2月20日",
}

DISPATCHES = [
    {"序号": 1, "领取单位": "省直示例单位", **blanks(1, 4, 3, 1), "日期": "2012-03-10"},
    {
        "序号": 2,
        "领取单位": "绵阳市人力资源和社会保障局",
        **blanks(3, 4, 1, 0),
        "日期": "2012-03-12",
    },
    {
        "序号": 3,
        "领取单位": "成都市人力资源和社会保障局",
        **blanks(0, 0, 0, 2),
        "日期": "2012-03-12",
    },
]
for slip in DISPATCHES:
    slip["经办人"] = "王示例"

COLLECTIONS = [
    {"序号": i, "证书编号": number, "领取人": who, "签名": signed, "日期": day}
    for i, (number, who, signed, day) in enumerate(
        [
            ("G1122000001", "张三明", "是", "2012-03-20"),
            ("Z1122000001", "李芳", "是", "2012-03-20"),
            ("C1122000001", "赵代领", "领取签名表第1页", "2012-03-20"),
            ("Z1122020123", "周杰", "是", "2012-03-25"),
            ("J1122010001", "黄志强", "是", "2012-03-25"),
        ],
        start=1,
    )
]


def event(
    kind: str,
    number: str,
    name: str,
    date: str,
    new: str = "",
    reason: str = "",
    doc: str = "川人社函〔2012〕30号",
    **documents: str,
) -> dict[str, object]:
    return {
        "类型": kind,
        "证书编号": number,
        "姓名": name,
        "日期": date,
        "新证书编号": new,
        "原因": reason,
        "批准文号": doc,
        **documents,
    }


def reissue_documents(serial: str, original: str, supervisor: str) -> dict[str, str]:
    """What a 补发 needs (§四.(六)3): the holder's application, the unit's statement, the
    document that published the pass (the roster's approval), and both reviews."""
    return {
        "个人申请": f"申请-{serial}",
        "单位证明": f"证明-{serial}",
        "原公布文件": original,
        "主管部门审核": f"{supervisor}审核同意",
        "发证机关审核": "发证机关审核同意",
    }


STATUS_CHANGES = [
    event(
        "补发",
        "Z1122000001",
        "李芳",
        "2012-09-10",
        reason="证书遗失",
        **reissue_documents("2012-001", "川人社函〔2012〕12号", "省直示例单位主管部门"),
    ),
    event(
        "换发",
        "G1122000002",
        "欧阳明",
        "2012-05-08",
        "G1122000003",
        "证书错填（工种）",
        更正工种="钳工",
    ),
    event("撤销", "C1122000001", "陈静", "2013-01-15", reason="考核材料弄虚作假"),
    event("换发", "Z1122020124", "郑浩", "2012-06-01", "Z1122020125", "证书损坏"),
    event(
        "补发",
        "Z1122020125",
        "郑浩",
        "2013-02-01",
        reason="换发后的证书遗失",
        **reissue_documents("2013-001", "绵人社函〔2012〕8号", "绵阳市示例医院主管部门"),
    ),
]


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    write_xlsx(
        OUT / "2011-shengzhi-approval.xlsx",
        LAYOUTS["approval-roster"],
        SHENGZHI,
        footer=approval_footer({"C": 1, "Z": 3, "G": 2, "J": 1}),
    )
    write_csv(
        OUT / "2011-mianyang-approval.csv",
        LAYOUTS["approval-roster"],
        MIANYANG,
        encoding="gb18030",
        title="绵阳市机关事业单位工人技术等级（职务）证书审批名册",
        footer=approval_footer({"C": 2, "Z": 2, "G": 1, "J": 0}),
    )
    write_xlsx(OUT / "2011-chengdu-technicians.xlsx", LAYOUTS["technician-roster"], TECHNICIANS)
    write_xlsx(OUT / "2012-status-changes.xlsx", LAYOUTS["status-changes"], STATUS_CHANGES)
    write_csv(
        OUT / "2012-requisitions.csv", LAYOUTS["requisitions"], REQUISITIONS, encoding="utf-8-sig"
    )
    write_requisition_form(
        OUT / "2012-chengdu-requisition.xlsx", CHENGDU_FORM, filled_on="2012 年 2 月 8 日"
    )
    write_xlsx(
        OUT / "2012-dispatches.xlsx",
        LAYOUTS["dispatches"],
        DISPATCHES,
        footer=["职业能力建设处（章）      年  月  日"],
    )
    write_csv(OUT / "2012-collections.csv", LAYOUTS["collections"], COLLECTIONS, encoding="gb18030")


if __name__ == "__main__":
    main()
