"""The OpenAPI description served at ``/openapi.json``: every JSON endpoint, its body and answers.

It must tell the truth both ways — whatever it allows is accepted, whatever it forbids is
refused, every status the app can answer is listed — because clients generate code and tests
from it (``tests/test_openapi_schemathesis.py`` holds the app to it with schemathesis).
"""

from __future__ import annotations

from typing import Any

from registry.domain.levels import LEVELS
from registry.domain.regions import REGIONS
from registry.domain.statuses import EVENT_TYPES, RESULT_LABELS, RESULTS
from registry.public.confirm import CONFIRMABLE, MATCH, MISMATCH
from registry.public.fields import PUBLIC_FIELDS
from verify_app.batch_files import MAX_ITEMS
from verify_app.service import MAX_CONFIRM_CHARS, MAX_NAME_CHARS, MAX_NUMBER_CHARS

SEQUENCE_PATTERN = "(000[1-9]|00[1-9][0-9]|0[1-9][0-9]{2}|[1-9][0-9]{3})"
"""0001-9999 (附件3 第8-11位) as a regular expression: every four-digit string but 0000."""

NUMBER_PATTERN = f"^[{''.join(LEVELS)}][0-9]{{2}}({'|'.join(REGIONS)}){SEQUENCE_PATTERN}$"
"""A number in its canonical form (附件3): level letter, year code, region code, sequence.

Exactly the strings `registry.domain.numbers.parse` decodes without normalising them."""


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _json(schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


_ERRORS = {
    "400": _json(_ref("Error"), "请求体不是 JSON（或嵌套层数超过任何正常请求）。"),
    "413": _json(_ref("Error"), "请求体超过服务器的大小限制（默认 1 MiB）。"),
    "422": _json(_ref("Error"), "JSON 的结构不对；message 说明哪里不对。"),
    "429": {
        "description": "超过查验额度（每分钟的单个查验、每小时的批量行数，或接口密钥的每日额度）；"
        "等待 Retry-After 秒后再试。",
        "headers": {"Retry-After": {"schema": {"type": "integer"}}},
        "content": {"application/json": {"schema": _ref("Error")}},
    },
}
_UNAUTHORIZED = {
    "401": {
        "description": "Authorization 请求头不是有效的“Bearer 接口密钥”：密钥未知或已被吊销"
        "（吊销立即生效）。带错误密钥的请求不会按匿名用户处理。",
        "headers": {"WWW-Authenticate": {"schema": {"type": "string"}}},
        "content": {"application/json": {"schema": _ref("Error")}},
    }
}
_KEY_OPTIONAL: list[dict[str, list[str]]] = [{}, {"apiKey": []}]
"""Anonymous, or with an API key: the key's daily quota then pays for the checks."""

_CONFIRM = {
    "type": "object",
    "description": "可选：用人单位看到的证书上的内容，逐项核对是否与登记一致（§四.(三)）。"
    "填写任何一项后，回答中不再给出等级、工种和发证日期，只给出 confirmation。",
    "additionalProperties": False,
    "properties": {
        **{
            field: {"type": "string", "maxLength": MAX_CONFIRM_CHARS, "description": label}
            for field, label in CONFIRMABLE.items()
            if field != "reissue_mark"
        },
        "reissue_mark": {
            "description": CONFIRMABLE["reissue_mark"] + "：true/false，或“是”“否”",
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
        "example": "张三",
        "maxLength": MAX_NAME_CHARS,
        "description": "持证人姓名",
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
                "default": False,
                "description": "同时签发查验回执链接（receipt_url；只有查到证书时签发）",
            },
        },
    },
    "BatchItem": {
        "type": "object",
        "required": ["number", "name"],
        "properties": {**_ITEM_PROPERTIES, "confirm": _CONFIRM},
    },
    "WatchItem": {
        "type": "object",
        "required": ["number", "name"],
        "properties": _ITEM_PROPERTIES,
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
            "label": {"type": "string", "description": "查验结果的中文名称"},
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
                "type": "object",
                "description": "未查到或编号格式错误时：发证机关的联系方式（§五.(四)），"
                "按编号的地区代码确定，编号无法解析时为省人力资源和社会保障厅",
                "required": ["name"],
                "additionalProperties": False,
                "properties": {
                    "name": {"type": "string", "description": "发证机关"},
                    "address": {"type": "string", "description": "地址"},
                    "phone": {"type": "string", "description": "电话"},
                },
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
        },
        "additionalProperties": False,
    },
    "WatchCreated": {
        "type": "object",
        "required": ["watch_url", "atom_url", "json_url", "numbers", "created_at"],
        "additionalProperties": False,
        "properties": {
            "watch_url": {"type": "string", "description": "关注列表的网页（也用于删除）"},
            "atom_url": {"type": "string", "description": "Atom 订阅地址"},
            "json_url": {"type": "string", "description": "JSON Feed 订阅地址"},
            "numbers": {
                "type": "array",
                "items": {"type": "string"},
                "description": "关注的证书编号（已规范化）",
            },
            "created_at": {"type": "string", "description": "建立时间（UTC，ISO 8601）"},
        },
    },
    "WatchFeed": {
        "type": "object",
        "description": "JSON Feed 1.1；每条变更的字段在 _certreg 中",
        "required": ["version", "title", "items"],
        "properties": {
            "version": {"type": "string"},
            "title": {"type": "string"},
            "items": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["id", "title", "date_published", "_certreg"],
                    "properties": {
                        "id": {"type": "string"},
                        "title": {"type": "string"},
                        "date_published": {
                            "type": "string",
                            "description": "该变更导入登记库的时间（UTC）",
                        },
                        "_certreg": {
                            "type": "object",
                            "required": ["event", "number", "date"],
                            "properties": {
                                "event": {"type": "string", "enum": list(EVENT_TYPES)},
                                "number": {"type": "string"},
                                "date": {"type": "string", "format": "date"},
                                "new_number": {"type": "string"},
                                "revoked_by": {"type": "string"},
                            },
                        },
                    },
                },
            },
        },
    },
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
    "Health": {
        "type": "object",
        "required": ["status", "as_of", "certificates", "stale"],
        "additionalProperties": False,
        "properties": {
            "status": {"type": "string", "description": "ok 表示服务正常"},
            "as_of": {
                "type": "string",
                "nullable": True,
                "description": "登记库最近一次更新的时间（UTC）",
            },
            "certificates": {"type": "integer", "description": "登记库中的证书数"},
            "stale": {"type": "boolean", "description": "登记库是否已久未更新"},
        },
    },
    "Error": {
        "type": "object",
        "required": ["error", "message"],
        "properties": {
            "error": {"type": "string", "description": "稳定的错误代码，如 bad_json"},
            "message": {"type": "string", "description": "错误说明（中文）"},
            "rows": {
                "type": "array",
                "items": {"type": "integer"},
                "description": "关注列表中编号与姓名不相符的条目（从 1 起）",
            },
        },
    },
}

_TOKEN_PARAMETER = {
    "name": "token",
    "in": "path",
    "required": True,
    "description": "建立关注列表时得到的秘密令牌（订阅地址中的一段）",
    "schema": {"type": "string"},
}
_NO_WATCH = _json(_ref("Error"), "没有这个关注列表（令牌不对，或列表已删除）。")
_FEED_LIMITED = {"429": _ERRORS["429"]}
_DELETE_WATCH = {
    "summary": "删除关注列表",
    "description": "删除后订阅地址不再可用。页面、Atom、JSON 三个地址都可以用 DELETE 删除。",
    "parameters": [_TOKEN_PARAMETER],
    "responses": {"204": {"description": "已删除。"}, "404": _NO_WATCH},
}


def _batch_body(item: str, description: str, extra: dict[str, Any]) -> dict[str, Any]:
    return {
        "required": True,
        "content": {
            "application/json": {
                "schema": {
                    "type": "object",
                    "required": ["items"],
                    "properties": {
                        "items": {
                            "type": "array",
                            "minItems": 1,
                            "maxItems": MAX_ITEMS,
                            "items": _ref(item),
                            "description": description,
                        },
                        **extra,
                    },
                }
            }
        },
    }


PATHS: dict[str, Any] = {
    "/api/v1/verify": {
        "post": {
            "summary": "查验一份证书：证书编号与持证人姓名",
            "description": "匿名使用时计入每位用户每分钟的查验次数；带接口密钥时计入密钥的每日额度。"
            "可在 confirm 中填写证书上的内容逐项核对（不泄露登记的值）。",
            "security": _KEY_OPTIONAL,
            "requestBody": {
                "required": True,
                "content": {"application/json": {"schema": _ref("CheckRequest")}},
            },
            "responses": {
                "200": _json(_ref("CheckResult"), "查验结果。"),
                **_ERRORS,
                **_UNAUTHORIZED,
            },
        }
    },
    "/api/v1/verify/batch": {
        "post": {
            "summary": f"批量查验，最多 {MAX_ITEMS} 份；结果与提交的顺序相同",
            "description": "匿名使用时每一份计入每位用户每小时的批量查验行数"
            "（CERTREG_BATCH_ROWS_PER_HOUR，默认 300），与单个查验的额度分开；"
            "带接口密钥时计入密钥的每日额度。",
            "security": _KEY_OPTIONAL,
            "requestBody": _batch_body(
                "BatchItem",
                "要查验的证书",
                {
                    "receipts": {
                        "type": "boolean",
                        "default": False,
                        "description": "为每一份查到的证书签发回执链接",
                    }
                },
            ),
            "responses": {
                "200": _json(
                    {
                        "type": "object",
                        "properties": {"results": {"type": "array", "items": _ref("CheckResult")}},
                    },
                    "每一份一个结果，顺序与提交的相同。",
                ),
                **_ERRORS,
                **_UNAUTHORIZED,
            },
        }
    },
    "/api/v1/watches": {
        "post": {
            "summary": "关注证书：其后的换发、补发、撤销以订阅地址推送",
            "description": "每一份证书先按编号和姓名查验（计入批量查验额度或密钥额度），"
            "全部相符才建立关注列表；否则返回 422，rows 列出不相符的条目，什么也不保存。"
            "回答中的地址含秘密令牌，只显示这一次；地址中没有姓名，服务器只保存姓名的密钥散列。",
            "security": _KEY_OPTIONAL,
            "requestBody": _batch_body("WatchItem", "要关注的证书", {}),
            "responses": {
                "201": _json(_ref("WatchCreated"), "已建立关注列表。"),
                **_ERRORS,
                "422": _json(
                    _ref("Error"), "JSON 的结构不对，或有证书的编号与姓名不相符（见 rows）。"
                ),
                **_UNAUTHORIZED,
            },
        }
    },
    "/watch/{token}.json": {
        "get": {
            "summary": "关注列表的 JSON Feed",
            "description": "关注列表建立之后导入登记库的换发、补发、撤销，最新的在前。"
            "每次读取计入每分钟的查验次数。",
            "parameters": [_TOKEN_PARAMETER],
            "responses": {
                "200": {
                    "description": "JSON Feed 1.1 格式的订阅。",
                    "content": {"application/feed+json": {"schema": _ref("WatchFeed")}},
                },
                "404": _NO_WATCH,
                **_FEED_LIMITED,
            },
        },
        "delete": _DELETE_WATCH,
    },
    "/watch/{token}.atom": {
        "get": {
            "summary": "关注列表的 Atom 订阅",
            "description": "内容与 JSON Feed 相同，供订阅阅读器使用。",
            "parameters": [_TOKEN_PARAMETER],
            "responses": {
                "200": {
                    "description": "Atom 1.0 格式（RFC 4287）的订阅。",
                    "content": {"application/atom+xml": {"schema": {"type": "string"}}},
                },
                "404": _NO_WATCH,
                **_FEED_LIMITED,
            },
        },
        "delete": _DELETE_WATCH,
    },
    "/watch/{token}": {
        "get": {
            "summary": "关注列表的网页",
            "description": "列出关注的证书编号和其后的变更，并有删除按钮。",
            "parameters": [_TOKEN_PARAMETER],
            "responses": {
                "200": {
                    "description": "网页。",
                    "content": {"text/html": {"schema": {"type": "string"}}},
                },
                "404": {
                    "description": "没有这个关注列表。",
                    "content": {"text/html": {"schema": {"type": "string"}}},
                },
                "429": {
                    "description": "查验过于频繁。",
                    "headers": {"Retry-After": {"schema": {"type": "integer"}}},
                    "content": {"text/html": {"schema": {"type": "string"}}},
                },
            },
        },
        "delete": _DELETE_WATCH,
    },
    "/api/v1/numbers/{number}": {
        "get": {
            "summary": "解析证书编号的构成（附件3）；不查登记库",
            "parameters": [
                {
                    "name": "number",
                    "in": "path",
                    "required": True,
                    "description": "证书编号。小写、全角、带空格或连字符的写法先规范化；"
                    "pattern 是规范写法。",
                    "schema": {"type": "string", "pattern": NUMBER_PATTERN},
                }
            ],
            "responses": {
                "200": _json(_ref("NumberStructure"), "编号的各部分。"),
                "422": _json(_ref("Error"), "不是附件3规定格式的编号，并说明原因。"),
            },
        }
    },
    "/healthz": {
        "get": {
            "summary": "登记库更新时间和证书数，供监控使用",
            "responses": {"200": _json(_ref("Health"), "服务正常。")},
        }
    },
    "/openapi.json": {
        "get": {
            "summary": "本接口说明（OpenAPI 3）",
            "responses": {"200": {"description": "OpenAPI 3.0 文档。"}},
        }
    },
}


def openapi_document() -> dict[str, Any]:
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "certreg 证书查验 API",
            "version": "1",
            "description": "四川省机关事业单位工人技术等级（职务）资格证书的公众查验"
            "（川人社函〔2012〕389号）。查验结果代码："
            + "、".join(f"{k}（{v}）" for k, v in RESULT_LABELS.items())
            + "。HR 系统可向发证机关申请接口密钥，以“Authorization: Bearer 密钥”按密钥的每日额度查验。",
        },
        "paths": PATHS,
        "components": {
            "schemas": SCHEMAS,
            "securitySchemes": {
                "apiKey": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "发证机关用 certreg keys add 发放的接口密钥（crk_ 开头），"
                    "每个密钥有自己的每日额度；可不带密钥匿名使用。",
                }
            },
        },
    }
