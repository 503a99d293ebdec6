"""The fields a public answer may carry (SPEC §7), in one table.

The JSON answer, the OpenAPI schema, the result page, the batch CSV export and ``certreg verify``
are all drawn from `PUBLIC_FIELDS`, so what a field is called and how it is shown is said once.
Adding one takes more than its row: the lookup's attribute and column (`lookup.py`), the decision
in ``tests/test_public_fields.py``'s ``ALLOWED``, the tests that pin whole answers and README
(docs/ARCHITECTURE.md, "A new public field"). The lookup's answer has exactly these fields and
the result code; a test fails when it grows another.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from registry.domain.numbers import MAX_NUMBER_CHARS


@dataclass(frozen=True)
class PublicField:
    name: str
    """the key in the JSON answer and the CSV export"""
    label: str
    """what an employer reads beside the value (page, CSV heading, command line)"""
    description: str
    """for the API manual"""
    schema: dict[str, Any] = field(default_factory=lambda: {"type": "string"})
    on_page: bool = True
    """listed with the answer's details on the result page (others are shown in their own way)"""
    exported: bool = True
    """a column of a batch's result file (others its 查验结果 and 下一步 columns say in words)"""

    @staticmethod
    def text(value: object) -> str:
        """The value as an employer reads it in a CSV cell or on the command line: a flag that
        is set reads 是, one not set or a missing value reads as nothing."""
        if value is None or value is False:
            return ""
        return "是" if value is True else str(value)


PUBLIC_FIELDS: tuple[PublicField, ...] = (
    PublicField(
        "number",
        "证书编号",
        "证书编号（已规范化：全角转半角、去空格和连字符）；编号格式错误、规范化后超过 "
        f"{MAX_NUMBER_CHARS} 个字符的（如 U+FDFA 一个字符规范化为 18 个），只给出前 "
        f"{MAX_NUMBER_CHARS - 1} 个字符并以“…”结尾",
        {"type": "string", "maxLength": MAX_NUMBER_CHARS},
    ),
    PublicField("level", "等级", "证书等级：初级工、中级工、高级工或技师"),
    PublicField("trade", "工种", "工种的规范名称"),
    PublicField("authority", "发证机关", "核发证书的人力资源和社会保障部门"),
    PublicField(
        "issued_on", "发证日期", "发证日期（批准文件日期）", {"type": "string", "format": "date"}
    ),
    PublicField("holder", "持证人（部分隐去）", "持证人姓名，部分隐去（如 张*明、欧阳*）"),
    PublicField(
        "status_date",
        "状态日期",
        "换发、补发或撤销的日期",
        {"type": "string", "format": "date"},
    ),
    PublicField("successor", "新证书编号", "证书已换发或补发为新编号时，新证书的编号"),
    PublicField(
        "replaced_by",
        "取代方式",
        "证书被新编号取代的方式：换发（错填、损坏）或补发（遗失）",
        {"type": "string", "enum": ["换发", "补发"]},
    ),
    PublicField(
        "reissue",
        "补发证书",
        "该证书为补发证书：有效的证书正页右下方应注明“补发”字样（§四.(六)3）",
        {"type": "boolean"},
    ),
    PublicField("reissue_of", "原证书编号", "补发证书所取代的原证书编号"),
    PublicField(
        "as_of",
        "登记库更新时间",
        "登记库最近一次导入名册或变更的时间（UTC，ISO 8601）",
        {"type": "string", "format": "date-time"},
        on_page=False,
    ),
    PublicField("reason", "原因", "编号格式错误或姓名为空的原因", on_page=False, exported=False),
    PublicField(
        "faulty_input",
        "有误的输入",
        "结果为 malformed 时有误的是哪一项：number（证书编号不合附件3的格式）或 name"
        "（姓名为空或含改变显示顺序的控制字符：编号未查验，可能是对的）",
        {"type": "string", "enum": ["number", "name"]},
        on_page=False,
        exported=False,
    ),
)

FIELD_NAMES = tuple(f.name for f in PUBLIC_FIELDS)
