"""The OpenAPI description served at ``/openapi.json``: every JSON endpoint, its body and answers.

It must tell the truth both ways — whatever it allows is accepted, whatever it forbids is
refused, every status the app can answer is listed — because clients generate code and tests
from it (``tests/test_openapi_schemathesis.py`` holds the app to it with schemathesis).
"""

from __future__ import annotations

from typing import Any

from registry.domain.statuses import RESULT_LABELS
from verify_app.batch_files import MAX_ITEMS
from verify_app.schemas import NUMBER_PATTERN, SCHEMAS, ref


def _json(schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


_ERRORS = {
    "400": _json(ref("Error"), "请求体不是 JSON（或嵌套层数超过任何正常请求）。"),
    "408": _json(ref("Error"), "请求体的后续数据 10 秒内没有到达：连接已关闭，请重新提交。"),
    "413": _json(ref("Error"), "请求体超过服务器的大小限制（默认 1 MiB）。"),
    "415": _json(ref("Error"), "请求没有声明 Content-Type: application/json。"),
    "422": _json(
        ref("Error"),
        "JSON 的结构不对（message 说明哪里不对），或一次提交的份数超过整个额度"
        "（too_many：每小时的批量行数或密钥的每日额度，等待也放不下，须分批提交）。",
    ),
    "429": {
        "description": "超过查验额度（每分钟的单个查验、每小时的批量行数，或接口密钥的每日额度）；"
        "等待 Retry-After 秒后再试。",
        "headers": {"Retry-After": {"schema": {"type": "integer"}}},
        "content": {"application/json": {"schema": ref("Error")}},
    },
    "503": {
        "description": "登记库正在更新，本服务暂时无法查验（registry_unavailable）；"
        "等待 Retry-After 秒后再试。",
        "headers": {"Retry-After": {"schema": {"type": "integer"}}},
        "content": {"application/json": {"schema": ref("Error")}},
    },
}
_UNAUTHORIZED = {
    "401": {
        "description": "Authorization 请求头不是有效的“Bearer 接口密钥”：密钥未知或已被吊销"
        "（吊销立即生效）。带错误密钥的请求不会按匿名用户处理。",
        "headers": {"WWW-Authenticate": {"schema": {"type": "string"}}},
        "content": {"application/json": {"schema": ref("Error")}},
    }
}
_KEY_OPTIONAL: list[dict[str, list[str]]] = [{}, {"apiKey": []}]
"""Anonymous, or with an API key: the key's daily quota then pays for the checks."""


_TOKEN_PARAMETER = {
    "name": "token",
    "in": "path",
    "required": True,
    "description": "建立关注列表时得到的秘密令牌（订阅地址中的一段）",
    "schema": {"type": "string"},
}
_NO_WATCH = _json(ref("Error"), "没有这个关注列表（令牌不对，或列表已删除）。")
_FEED_PARAMETERS = [
    _TOKEN_PARAMETER,
    {
        "name": "If-None-Match",
        "in": "header",
        "description": "上次读取时回答的 ETag：订阅没有变化时回答 304，不再重发内容",
        "schema": {"type": "string"},
    },
]
_FEED_LIMITED = {"304": {"description": "订阅自上次读取以来没有变化。"}, "429": _ERRORS["429"]}
_ETAG = {"ETag": {"schema": {"type": "string"}, "description": "下次读取时放在 If-None-Match 中"}}
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
                            "items": ref(item),
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
                "content": {"application/json": {"schema": ref("CheckRequest")}},
            },
            "responses": {
                "200": _json(ref("CheckResult"), "查验结果。"),
                **_ERRORS,
                **_UNAUTHORIZED,
            },
        }
    },
    "/api/v1/verify/batch": {
        "post": {
            "summary": f"批量查验，最多 {MAX_ITEMS} 份；结果与提交的顺序相同",
            "description": "匿名使用时每一份计入每位用户每小时的批量查验行数"
            "（由本站的 CERTREG_BATCH_ROWS_PER_HOUR 设定，默认 300，本站的额度见批量查验页），"
            "与单个查验的额度分开；"
            "带接口密钥时计入密钥的每日额度。",
            "security": _KEY_OPTIONAL,
            "requestBody": _batch_body(
                "BatchItem",
                "要查验的证书",
                {
                    "receipts": {
                        "type": "boolean",
                        "default": False,
                        "description": "为每一份查到、且核对的内容全部相符的证书签发回执链接",
                    }
                },
            ),
            "responses": {
                "200": _json(
                    {
                        "type": "object",
                        "properties": {"results": {"type": "array", "items": ref("CheckResult")}},
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
                "201": _json(ref("WatchCreated"), "已建立关注列表。"),
                **_ERRORS,
                "422": _json(
                    ref("Error"), "JSON 的结构不对，或有证书的编号与姓名不相符（见 rows）。"
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
            "parameters": _FEED_PARAMETERS,
            "responses": {
                "200": {
                    "description": "JSON Feed 1.1 格式的订阅。",
                    "headers": _ETAG,
                    "content": {"application/feed+json": {"schema": ref("WatchFeed")}},
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
            "parameters": _FEED_PARAMETERS,
            "responses": {
                "200": {
                    "description": "Atom 1.0 格式（RFC 4287）的订阅。",
                    "headers": _ETAG,
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
                "200": _json(ref("NumberStructure"), "编号的各部分。"),
                "422": _json(ref("Error"), "不是附件3规定格式的编号，并说明原因。"),
            },
        }
    },
    "/healthz": {
        "get": {
            "summary": "登记库更新时间和证书数，供监控使用",
            "responses": {
                "200": _json(ref("Health"), "服务正常。"),
                "503": _json(
                    ref("Error"), "登记库无法使用（如由较早版本建立、尚未升级），无法查验。"
                ),
            },
        }
    },
    "/openapi.json": {
        "get": {
            "summary": "本接口说明（OpenAPI 3）",
            "responses": {"200": {"description": "OpenAPI 3.0 文档。"}},
        }
    },
}


OPERATION_IDS = {
    ("/api/v1/verify", "post"): "verify",
    ("/api/v1/verify/batch", "post"): "verifyBatch",
    ("/api/v1/watches", "post"): "createWatch",
    ("/watch/{token}.json", "get"): "watchFeedJson",
    ("/watch/{token}.json", "delete"): "deleteWatchJson",
    ("/watch/{token}.atom", "get"): "watchFeedAtom",
    ("/watch/{token}.atom", "delete"): "deleteWatchAtom",
    ("/watch/{token}", "get"): "watchPage",
    ("/watch/{token}", "delete"): "deleteWatch",
    ("/api/v1/numbers/{number}", "get"): "decodeNumber",
    ("/healthz", "get"): "health",
    ("/openapi.json", "get"): "openapi",
}
"""The name of each operation, which client generators make a method of (without one, each
invents its own from the path)."""


def _with_ids(paths: dict[str, Any]) -> dict[str, Any]:
    return {
        path: {
            method: {"operationId": OPERATION_IDS[path, method], **op} for method, op in ops.items()
        }
        for path, ops in paths.items()
    }


def openapi_document() -> dict[str, Any]:
    """The OpenAPI document of the JSON API, served at ``/openapi.json`` and rendered in
    Chinese at ``/docs``: the public fields come from `registry.public.fields`, so the schema
    and the answers cannot drift apart (schemathesis runs over it)."""
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
        "paths": _with_ids(PATHS),
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
