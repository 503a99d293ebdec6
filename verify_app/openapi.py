"""The OpenAPI description served at ``/openapi.json``: every JSON endpoint, its body and answers.

It must tell the truth both ways — whatever it allows is accepted, whatever it forbids is
refused, every status the app can answer is listed — because clients generate code and tests
from it (``tests/test_openapi_schemathesis.py`` holds the app to it with schemathesis).
"""

from __future__ import annotations

from typing import Any

from registry.domain.statuses import RESULT_LABELS
from verify_app.batch_files import MAX_ITEMS
from verify_app.openapi_parts import (
    DELETE_WATCH,
    ERRORS,
    ETAG,
    FEED_LIMITED,
    FEED_PARAMETERS,
    KEY_OPTIONAL,
    NO_WATCH,
    TOKEN_PARAMETER,
    UNAUTHORIZED,
    batch_body,
    json_answer,
)
from verify_app.schemas import NUMBER_PATTERN, SCHEMAS, ref
from verify_app.watch_retries import KEY_PATTERN

PATHS: dict[str, Any] = {
    "/api/v1/verify": {
        "post": {
            "summary": "查验一份证书：证书编号与持证人姓名",
            "description": "匿名使用时计入每个网络地址每分钟的查验次数；带接口密钥时计入密钥的每日额度。"
            "可在 confirm 中填写证书上的内容逐项核对（不泄露登记的值）。",
            "security": KEY_OPTIONAL,
            "requestBody": {
                "required": True,
                "content": {"application/json": {"schema": ref("CheckRequest")}},
            },
            "responses": {
                "200": json_answer(ref("CheckResult"), "查验结果。"),
                **ERRORS,
                **UNAUTHORIZED,
            },
        }
    },
    "/api/v1/verify/batch": {
        "post": {
            "summary": f"批量查验，最多 {MAX_ITEMS} 份；结果与提交的顺序相同",
            "description": "匿名使用时每一份计入每个网络地址每小时的批量查验行数"
            "（由本站的 CERTREG_BATCH_ROWS_PER_HOUR 设定，默认 300，本站的额度见批量查验页），"
            "与单个查验的额度分开；"
            "带接口密钥时计入密钥的每日额度。",
            "security": KEY_OPTIONAL,
            "requestBody": batch_body(
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
                "200": json_answer(
                    {
                        "type": "object",
                        "properties": {"results": {"type": "array", "items": ref("CheckResult")}},
                    },
                    "每一份一个结果，顺序与提交的相同。",
                ),
                **ERRORS,
                **UNAUTHORIZED,
            },
        }
    },
    "/api/v1/watches": {
        "post": {
            "summary": "关注证书：其后的换发、补发、撤销以订阅地址推送",
            "description": "每一份证书先按编号和姓名查验（计入批量查验额度或密钥额度），"
            "全部相符且未撤销（已被新证书接替的，新证书也未撤销）才建立关注列表；"
            "否则返回 422，rows 列出不相符和已撤销的条目"
            "（其中已撤销的另见 revoked_rows），什么也不保存。"
            "回答中的地址含秘密令牌；地址中没有姓名，服务器只保存姓名的密钥散列。"
            "带 Idempotency-Key 请求头时，同一调用方（同一接口密钥，或同一网络地址）用同一个"
            "Idempotency-Key 重发相同的请求，得到同一个列表的同一回答（响应头 Idempotent-Replayed: true，"
            "不再查验、不计额度）；内容不同时 422（idempotency_mismatch）。不带时，每次提交另建一个"
            "列表并计入额度：没有收到回答又未带 Idempotency-Key 的，请用新的列表，旧的无人读取，到期自动删除。",
            "security": KEY_OPTIONAL,
            "parameters": [
                {
                    "name": "Idempotency-Key",
                    "in": "header",
                    "required": False,
                    "description": "调用方为每份新列表取的唯一值（如 UUID），重发时不变。",
                    "schema": {"type": "string", "pattern": KEY_PATTERN, "maxLength": 255},
                }
            ],
            "requestBody": batch_body("WatchItem", "要关注的证书", {}),
            "responses": {
                "201": {
                    **json_answer(ref("WatchCreated"), "已建立关注列表。"),
                    "headers": {
                        "Location": {
                            "schema": {"type": "string"},
                            "description": "关注列表的网页（同 watch_url）",
                        },
                        "Idempotent-Replayed": {
                            "schema": {"type": "string", "enum": ["true"]},
                            "description": "带同一个 Idempotency-Key 重发时：这是第一次建立的列表",
                        },
                    },
                },
                **ERRORS,
                "422": json_answer(
                    ref("Error"),
                    "JSON 的结构不对，或有证书的编号与姓名不相符、已撤销（见 rows、revoked_rows），"
                    "或 Idempotency-Key 已用于内容不同的列表（idempotency_mismatch），"
                    "或它建立的列表已被删除（idempotency_retired：地址不再启用）。",
                ),
                **UNAUTHORIZED,
            },
        }
    },
    "/api/v1/reports": {
        "post": {
            "summary": "报告疑似伪造的证书（§五.(三)），由发证机关处理",
            "description": "ticket 是查验回答中的 report_ticket（未查到、编号格式错误、已撤销或证书上的"
            "内容与登记不符时才有），查验后一天内有效；查验的编号、结果和时间由它附上，不必另填。"
            "每个网络地址（带接口密钥时为每个密钥）每天可提交的份数有限（超过时 429，reason 为 "
            "reports_daily）。同一次查验只保存一份报告：再次提交回答 200 和第一份的编号。",
            "security": KEY_OPTIONAL,
            "requestBody": {
                "required": True,
                "content": {"application/json": {"schema": ref("ReportRequest")}},
            },
            "responses": {
                "201": json_answer(ref("ReportFiled"), "报告已保存。"),
                "200": json_answer(ref("ReportFiled"), "这次查验此前已报告过：第一份报告的编号。"),
                **ERRORS,
                "429": {
                    **ERRORS["429"],
                    "description": "今天提交的报告已达上限（reason 为 reports_daily：每个网络地址，"
                    "带接口密钥时每个密钥，每天可提交的份数），或每分钟的请求过多；等待 Retry-After "
                    "秒后再试，急需处理的请直接联系发证机关。",
                },
                **UNAUTHORIZED,
                "422": json_answer(
                    ref("Error"),
                    "JSON 的结构不对，ticket 已过期或无效，或 text 为空、过长、含控制字符"
                    "（message 说明怎样改）。",
                ),
                "503": json_answer(
                    ref("Error"),
                    "报告暂时无法保存（server_error）：请稍后再提交，或直接联系发证机关。",
                ),
            },
        }
    },
    "/watch/{token}.json": {
        "get": {
            "summary": "关注列表的 JSON Feed",
            "description": "关注列表建立之后导入登记库的换发、补发、撤销，最新的在前。"
            "每次读取计入每分钟的查验次数；带接口密钥时计入密钥的每日额度。",
            "parameters": FEED_PARAMETERS,
            "security": KEY_OPTIONAL,
            "responses": {
                "200": {
                    "description": "JSON Feed 1.1 格式的订阅。",
                    "headers": ETAG,
                    "content": {"application/feed+json": {"schema": ref("WatchFeed")}},
                },
                "404": NO_WATCH,
                **FEED_LIMITED,
                **UNAUTHORIZED,
            },
        },
        "delete": DELETE_WATCH,
    },
    "/watch/{token}.atom": {
        "get": {
            "summary": "关注列表的 Atom 订阅",
            "description": "内容与 JSON Feed 相同，供订阅阅读器使用。",
            "parameters": FEED_PARAMETERS,
            "security": KEY_OPTIONAL,
            "responses": {
                "200": {
                    "description": "Atom 1.0 格式（RFC 4287）的订阅。",
                    "headers": ETAG,
                    "content": {"application/atom+xml": {"schema": {"type": "string"}}},
                },
                "404": NO_WATCH,
                **FEED_LIMITED,
                **UNAUTHORIZED,
            },
        },
        "delete": DELETE_WATCH,
    },
    "/watch/{token}": {
        "get": {
            "summary": "关注列表的网页",
            "description": "列出关注的证书编号和其后的变更，并有删除按钮。",
            "parameters": [TOKEN_PARAMETER],
            "responses": {
                "200": {
                    "description": "网页。",
                    "content": {"text/html": {"schema": {"type": "string"}}},
                },
                "400": {
                    "description": "请求头 Host 不是有效的网站地址，无法生成本页的链接。",
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
        "delete": DELETE_WATCH,
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
                "200": json_answer(ref("NumberStructure"), "编号的各部分。"),
                "422": json_answer(ref("Error"), "不是附件3规定格式的编号，并说明原因。"),
            },
        }
    },
    "/healthz": {
        "get": {
            "summary": "登记库更新时间和证书数，供监控使用",
            "responses": {
                "200": json_answer(ref("Health"), "服务正常。"),
                "503": json_answer(
                    ref("Error"),
                    "登记库无法使用（如由较早版本建立、尚未升级），或还没有导入过名册，无法查验。",
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
    ("/api/v1/reports", "post"): "reportForgery",
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
                    "description": "向发证机关申请的接口密钥（crk_ 开头），"
                    "每个密钥有自己的每日额度；可不带密钥匿名使用。",
                }
            },
        },
    }
