"""The OpenAPI description served at ``/openapi.json``: every JSON endpoint, its body and answers.

It must tell the truth both ways — whatever it allows is accepted, whatever it forbids is
refused, every status the app can answer is listed — because clients generate code and tests
from it (``tests/test_openapi_schemathesis.py`` holds the app to it with schemathesis).
"""

from __future__ import annotations

from typing import Any

from registry.domain.statuses import RESULT_LABELS
from verify_app.batch_files import MAX_ITEMS
from verify_app.batch_retries import FREE_RESENDS
from verify_app.openapi_parts import (
    ALLOWANCE,
    ERRORS,
    KEY_OPTIONAL,
    UNAUTHORIZED,
    batch_body,
    idempotency_key,
    json_answer,
    replayed,
    with_generic,
)
from verify_app.openapi_watches import WATCH_PATHS
from verify_app.schemas import NUMBER_PATTERN, SCHEMAS, ref

PATHS: dict[str, Any] = {
    "/api/v1/verify": {
        "post": {
            "operationId": "verify",
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
            "operationId": "verifyBatch",
            "summary": f"批量查验，最多 {MAX_ITEMS} 份；结果与提交的顺序相同",
            "description": "匿名使用时每一份计入每个网络地址每小时的批量查验行数"
            "（由本站的 CERTREG_BATCH_ROWS_PER_HOUR 设定，默认 300，本站的额度见批量查验页），"
            "与单个查验的额度分开；"
            "带接口密钥时计入密钥的每日额度。一批之中重复的行（编号、姓名按查验的比较方式相同——"
            "大小写、空格、繁简不计——要核对的内容也相同）只计一次。没有收到回答而重发时带上第一次的 "
            "Idempotency-Key 请求头：同一调用方（同一接口密钥，或同一网络地址）一天之内用同一个 "
            f"Idempotency-Key 重发内容相同的一批，重新查验（结果按现在的登记库）而不再计入额度"
            f"（响应头 Idempotent-Replayed: true），最多 {FREE_RESENDS} 次，此后照常计入；"
            "内容不同时 422（idempotency_mismatch）；第一次发送仍在查验时再发送，答 409"
            "（idempotency_in_progress），不查验也不计入额度，等 Retry-After 秒后重发即可。"
            "不带时，同一批再次提交会再计一次。",
            "security": KEY_OPTIONAL,
            "parameters": [
                idempotency_key("调用方为每一批新的查验取的唯一值（如 UUID），重发时不变。")
            ],
            "requestBody": batch_body(
                "BatchItem",
                "要查验的证书",
                {
                    "receipts": {
                        "type": "boolean",
                        "nullable": True,
                        "default": False,
                        "description": "为每一份查到、且核对的内容全部相符的证书签发回执链接",
                    }
                },
            ),
            "responses": {
                "200": {
                    **json_answer(
                        {
                            "type": "object",
                            "properties": {
                                "results": {"type": "array", "items": ref("CheckResult")}
                            },
                        },
                        "每一份一个结果，顺序与提交的相同。带 Accept-Encoding: gzip 时，"
                        "较大的回答以 gzip 压缩发送。",
                    ),
                    "headers": {
                        **ALLOWANCE,
                        **replayed("带同一个 Idempotency-Key 重发时：这次查验不计入额度"),
                    },
                },
                **ERRORS,
                "422": json_answer(
                    ref("Error"),
                    ERRORS["422"]["description"].rstrip("。")
                    + "，或 Idempotency-Key 已用于内容不同的一批（idempotency_mismatch）。",
                ),
                "409": {
                    "description": "同一调用方用同一个 Idempotency-Key 发送的一批仍在查验中"
                    "（idempotency_in_progress）：这次既未查验，也未计入额度。等待 Retry-After "
                    "秒后用同一个 Idempotency-Key 重发同样的请求，即重新查验而不计入额度"
                    "（Idempotent-Replayed: true）。",
                    "headers": {"Retry-After": {"schema": {"type": "integer"}}},
                    "content": {"application/json": {"schema": ref("Error")}},
                },
                **UNAUTHORIZED,
            },
        }
    },
    **WATCH_PATHS,
    "/api/v1/reports": {
        "post": {
            "operationId": "reportForgery",
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
                    "带接口密钥时每个密钥，每天可提交的份数），或每分钟的请求过多，或同一网络地址同时"
                    "打开的连接过多（reason 为 connections）；等待 Retry-After "
                    "秒后再试，急需处理的请直接联系发证机关。",
                },
                **UNAUTHORIZED,
                "422": json_answer(
                    ref("Error"),
                    "JSON 的结构不对，ticket 已过期或无效，或 text 为空、过长、含控制字符"
                    "（message 说明怎样改）。",
                ),
                "503": {
                    **json_answer(
                        ref("Error"),
                        "报告暂时无法保存（server_error）：请 Retry-After 秒后再提交，"
                        "或直接联系发证机关。",
                    ),
                    "headers": {"Retry-After": {"schema": {"type": "integer"}}},
                },
            },
        }
    },
    "/api/v1/numbers/{number}": {
        "get": {
            "operationId": "decodeNumber",
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
            "operationId": "health",
            "summary": "登记库更新时间和证书数，供监控使用",
            "responses": {
                "200": json_answer(ref("Health"), "服务正常。"),
                "503": {
                    **json_answer(
                        ref("Error"),
                        "本副本不能正常查验或可能已不是最新，error 说明原因：registry_unavailable 登记库"
                        "无法使用（如由较早版本建立、尚未升级，或文件缺失、损坏、无权读取），或还没有导入过名册；"
                        "server_error 查验日志无法写入（查验也答 503），或其所在磁盘剩余空间低于"
                        " CERTREG_MIN_FREE_BYTES、已变为只读（各工作进程都如此回答，写入失败之前即报告）；"
                        "registry_stale 副本上跟随登记库的 certreg follow 已超过"
                        " 60 秒没有报告正常，登记库的新版本到不了本副本（查验照常回答，按现有的登记库）。",
                    ),
                    "headers": {"Retry-After": {"schema": {"type": "integer"}}},
                },
            },
        }
    },
    "/openapi.json": {
        "get": {
            "operationId": "openapi",
            "summary": "本接口说明（OpenAPI 3）",
            "responses": {"200": {"description": "OpenAPI 3.0 文档。"}},
        }
    },
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
        "paths": with_generic(PATHS),
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
