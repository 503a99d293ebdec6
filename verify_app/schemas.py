"""The JSON schemas of the API's bodies and answers (``components.schemas`` of
``/openapi.json``, `verify_app.openapi`): exactly what the app accepts and answers."""

from __future__ import annotations

from typing import Any

from registry.domain.levels import LEVELS
from registry.domain.regions import REGIONS
from registry.domain.statuses import RESULT_LABELS, RESULTS
from registry.public.confirm import CONFIRMABLE, MATCH, MISMATCH
from registry.public.fields import PUBLIC_FIELDS
from verify_app.answers import MAX_CONFIRM_CHARS, MAX_NAME_CHARS, MAX_NUMBER_CHARS
from verify_app.error_schema import ERROR_SCHEMA
from verify_app.health_schema import HEALTH_SCHEMA
from verify_app.reports import MAX_CONTACT_CHARS, MAX_TEXT_CHARS
from verify_app.watch_schemas import WATCH_SCHEMAS

SEQUENCE_PATTERN = "(000[1-9]|00[1-9][0-9]|0[1-9][0-9]{2}|[1-9][0-9]{3})"
"""0001-9999 (附件3 第8-11位) as a regular expression: every four-digit string but 0000."""
NUMBER_PATTERN = f"^[{''.join(LEVELS)}][0-9]{{2}}({'|'.join(REGIONS)}){SEQUENCE_PATTERN}$"
"""A number in its canonical form (附件3): level letter, year code, region code, sequence.

Exactly the strings `registry.domain.numbers.parse` decodes without normalising them."""


def ref(name: str) -> dict[str, str]:
    """A reference to the schema ``name`` of `SCHEMAS`."""
    return {"$ref": f"#/components/schemas/{name}"}


_AUTHORITY = {
    "name": {"type": "string", "description": "发证机关"},
    "address": {"type": "string", "description": "地址"},
    "phone": {"type": "string", "description": "电话"},
}

_CONTACT = {
    "type": "object",
    "required": ["name"],
    "additionalProperties": False,
    "properties": {
        **_AUTHORITY,
        "province": {
            "type": "object",
            "description": "发证机关的电话未知时：省人力资源和社会保障厅的联系方式",
            "required": ["name"],
            "additionalProperties": False,
            "properties": _AUTHORITY,
        },
    },
}
"""An issuing authority's contact (`data/authorities.csv`)."""

_CONFIRM = {
    "type": "object",
    "nullable": True,
    "description": "可选：用人单位看到的证书上的内容，逐项核对是否与登记一致。"
    "填写任何一项后，回答中不再给出等级、工种和发证日期，只给出 confirmation。",
    "additionalProperties": False,
    "properties": {
        **{
            field: {
                "type": "string",
                "nullable": True,
                "maxLength": MAX_CONFIRM_CHARS,
                "description": label,
            }
            for field, label in CONFIRMABLE.items()
            if field not in ("issued_on", "reissue_mark")
        },
        "issued_on": {
            "type": "string",
            "nullable": True,
            "maxLength": MAX_CONFIRM_CHARS,
            "description": CONFIRMABLE["issued_on"]
            + "：如 2012年3月15日、2012-03-15、二〇一二年三月十五日；无法识别的日期答 422，请重填",
        },
        "reissue_mark": {
            "nullable": True,
            "description": CONFIRMABLE["reissue_mark"]
            + "：true/false，或“是”“否”；无法识别的答 422，请重填",
            "oneOf": [
                {"type": "boolean"},
                {"type": "string", "maxLength": MAX_CONFIRM_CHARS},
            ],
        },
    },
}


_ITEM_PROPERTIES = {
    "number": {
        "type": "string",
        "example": "Z1122020123",
        "maxLength": MAX_NUMBER_CHARS,
        "description": "证书编号（可带空格、连字符，全角亦可）",
    },
    "name": {
        "type": "string",
        "example": "周杰",
        "maxLength": MAX_NAME_CHARS,
        "description": "持证人姓名，照证书逐字输入。比对时不计空格、不可见字符、全角半角和大小写，"
        "少数民族姓名的间隔号（·•・．. 或不写）都算同一个，繁体字与对应的简体字也算同一个字"
        "（張偉即张伟；钟、锺、鍾同为一姓）。其他的字须与证书上的完全相同",
    },
}


SCHEMAS: dict[str, Any] = {
    "CheckRequest": {
        "type": "object",
        "required": ["number", "name"],
        "properties": {
            **_ITEM_PROPERTIES,
            "confirm": _CONFIRM,
            "receipt": {
                "type": "boolean",
                "nullable": True,
                "default": False,
                "description": "同时签发查验回执链接（receipt_url；只有查到证书、且核对的内容全部相符时签发）",
            },
        },
    },
    "BatchItem": {
        "type": "object",
        "required": ["number", "name"],
        "properties": {**_ITEM_PROPERTIES, "confirm": _CONFIRM},
        # other fields are ignored, but not these: the client meant something the item cannot do
        "not": {"anyOf": [{"required": ["receipt"]}, {"required": ["receipts"]}]},
        "description": "回执在请求体的最外层用 receipts 要求，项内的 receipt、receipts "
        "（及只差一两个字母的，如 reciept）答 422",
    },
    "WatchItem": {
        "type": "object",
        "required": ["number", "name"],
        "properties": _ITEM_PROPERTIES,
        "not": {"anyOf": [{"required": [field]} for field in ("confirm", "receipt", "receipts")]},
        "description": "关注列表只跟踪证书状态，不签发回执：项内的 confirm、receipt、receipts "
        "（及与 receipt、receipts 只差一两个字母的，如 reciept）答 422",
    },
    "CheckResult": {
        "type": "object",
        "required": ["result", "number", "label", "advice"],
        "properties": {
            "result": {
                "type": "string",
                "enum": list(RESULTS),
                "description": "查验结果代码："
                + "、".join(f"{k} {v}" for k, v in RESULT_LABELS.items()),
            },
            **{f.name: {**f.schema, "description": f.description} for f in PUBLIC_FIELDS},
            "label": {
                "type": "string",
                "description": "查验结果的中文名称；未填姓名或姓名含改变显示顺序的控制字符时"
                "（result 为 malformed，reason 说明姓名的问题）为“未查验”：编号本身可能无误；"
                "confirm 的项目与登记不符时注明，如“有效，但所填的等级与登记不符”",
            },
            "advice": {"type": "string", "description": "用人单位下一步应当怎么做"},
            "confirmation": {
                "type": "object",
                "description": "请求中 confirm 的每一项：match 相符，mismatch 不符。"
                "不符时不会给出登记的值；编号与姓名不相符时为空对象。",
                "additionalProperties": False,
                "properties": {
                    field: {"type": "string", "enum": [MATCH, MISMATCH], "description": label}
                    for field, label in CONFIRMABLE.items()
                },
            },
            "contact": {
                "description": "未查到、编号格式错误、证书已撤销或证书上的内容与登记不符时："
                "发证机关的联系方式（§五.(四)），"
                "按编号的地区代码确定，编号无法解析时为省人力资源和社会保障厅",
                **_CONTACT,
            },
            "receipt_url": {
                "type": "string",
                "description": "查验回执链接（已签名），打开时按登记库当前状态重新查验",
            },
            "receipt_expires": {
                "type": "string",
                "format": "date-time",
                "description": "回执链接的失效时间（北京时间，ISO 8601）",
            },
            "report_ticket": {
                "type": "string",
                "description": "未查到、编号格式错误、证书已撤销或证书上的内容与登记不符时："
                "报告疑似伪造证书用的凭据（已签名，一天内有效，不含姓名），"
                "原样放在 POST /api/v1/reports 的 ticket 中（§五.(三)）",
            },
        },
        "additionalProperties": False,
    },
    "ReportRequest": {
        "type": "object",
        "required": ["ticket", "text"],
        "description": "其他字段（如 HR 系统自带的字段）不读取、不保存；姓名不必也不应随报告发送。",
        "properties": {
            "ticket": {
                "type": "string",
                "minLength": 1,
                "description": "查验回答中的 report_ticket",
            },
            "contact": {
                "type": "string",
                "nullable": True,
                "maxLength": MAX_CONTACT_CHARS,
                "description": "可选：发证机关怎样联系到报告人（单位、电话）",
            },
            "text": {
                "type": "string",
                "minLength": 1,
                "maxLength": MAX_TEXT_CHARS,
                "description": "情况说明：可疑之处（如：应聘者出示的证书编号查不到）；不能为空",
            },
        },
    },
    "ReportFiled": {
        "type": "object",
        "required": ["ref", "sent_at", "number", "contact", "again"],
        "additionalProperties": False,
        "properties": {
            "ref": {
                "type": "string",
                "description": "报告编号，如 20261201-7F3A9C：向发证机关询问时引用",
            },
            "sent_at": {"type": "string", "format": "date-time", "description": "提交时间（UTC）"},
            "number": {
                "type": "string",
                "nullable": True,
                "description": "报告涉及的证书编号（查验时填写的不是编号时为 null）",
            },
            "contact": {"description": "受理报告的发证机关的联系方式", **_CONTACT},
            "again": {
                "type": "boolean",
                "description": "这次查验此前已报告过（回答的是那份报告的编号，这次的内容不再保存）",
            },
        },
    },
    **WATCH_SCHEMAS,
    "NumberStructure": {
        "type": "object",
        "required": [
            "number",
            "letter",
            "level",
            "year_code",
            "region",
            "region_name",
            "sequence",
            "authority",
        ],
        "additionalProperties": False,
        "properties": {
            "number": {"type": "string", "description": "规范化的证书编号"},
            "letter": {"type": "string", "enum": ["J", "G", "Z", "C"], "description": "等级代码"},
            "level": {"type": "string", "description": "等级"},
            "year_code": {"type": "string", "description": "核发年份代码"},
            "region": {"type": "string", "description": "地区代码"},
            "region_name": {"type": "string", "description": "地区名称"},
            "sequence": {
                "type": "integer",
                "minimum": 1,
                "maximum": 9999,
                "description": "顺序号",
            },
            "authority": {"type": "string", "description": "发证机关"},
        },
    },
    "Health": HEALTH_SCHEMA,
    "Error": ERROR_SCHEMA,
}
