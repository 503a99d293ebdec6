"""The parts the OpenAPI document (`verify_app.openapi`) repeats across its operations: the
error answers every JSON endpoint may give, the optional API key, a batch's body, and the
watch lists' token, feed headers and deletion.
"""

from __future__ import annotations

from typing import Any

from registry.public.http_guard import json_address
from verify_app.batch_files import MAX_ITEMS
from verify_app.idempotency_keys import HEADER, KEY_PATTERN, REPLAYED
from verify_app.schemas import ref


def json_answer(schema: dict[str, Any], description: str) -> dict[str, Any]:
    """An answer with a JSON body of ``schema``."""
    return {"description": description, "content": {"application/json": {"schema": schema}}}


ERRORS = {
    "400": json_answer(
        ref("Error"),
        "请求体不是 JSON（或嵌套层数超过任何正常请求），或请求行、请求头不符合 HTTP 格式"
        "（bad_request：网址中的汉字须先经 URL 编码）。",
    ),
    "408": json_answer(
        ref("Error"),
        "请求体发送超时（timeout），连接已关闭：后续数据 10 秒内没有到达的，多是网络中断了"
        "一会儿，重新发送即可；120 秒内没有收完的（或照已收到的速度收不完的），同样的内容重新"
        "发送仍会超时，批量查验请分成几次较小的请求。",
    ),
    "413": json_answer(ref("Error"), "请求体超过服务器的大小限制（默认 1 MiB）。"),
    "415": json_answer(
        ref("Error"),
        "请求没有声明 Content-Type: application/json，或请求体经过压缩（Content-Encoding）。",
    ),
    "422": json_answer(
        ref("Error"),
        "JSON 的结构不对（message 说明哪里不对；与本接口的字段首字母相同、只差一两个字母的字段"
        "——少一个、多一个、错一个或相邻两个颠倒，不计大小写，如 recipt、reciept、Number；"
        "五个字母以内的字段只差一个——也答 422 并指出应为哪个字段，其他自带的字段忽略——"
        "批量查验各项中的 receipt、receipts 和关注列表各项中的 confirm、receipt、receipts，"
        "以及各项中与 receipt、receipts 这样相近的字段除外；请求体和每一项各最多 32 个字段），"
        "或一次提交的份数过多"
        "（too_many：超过每次的上限，或超过整个额度——每小时的批量行数或密钥的每日额度，等待也放不下——"
        "须分批提交）。",
    ),
    "429": {
        "description": "超过查验额度（每分钟的单个查验、每小时的批量行数，或接口密钥的每日额度），"
        "或同一证书编号一小时内配了太多不相符的姓名（防止猜测持证人姓名），"
        "或同一网络地址同时打开的连接过多（reason 为 connections）；"
        "等待 Retry-After 秒后再试。",
        "headers": {"Retry-After": {"schema": {"type": "integer"}}},
        "content": {"application/json": {"schema": ref("Error")}},
    },
    "503": {
        "description": "本服务暂时无法查验：登记库无法使用（registry_unavailable：正在更新，"
        "或无法读取），或暂时无法读写查验日志（server_error）；等待 Retry-After 秒后再试。",
        "headers": {"Retry-After": {"schema": {"type": "integer"}}},
        "content": {"application/json": {"schema": ref("Error")}},
    },
}


GENERIC = {
    "400": "请求行或请求头不符合 HTTP 格式（bad_request：网址中的汉字等字符须先经 URL 编码，"
    "须有且只有一个 Host 请求头）。",
    "405": "本地址不接受这一 HTTP 方法（method_not_allowed）：Allow 列出可用的方法。",
    "413": "请求声明的内容超过服务器的大小限制（too_large，默认 1 MiB）。",
    "429": "同一网络地址同时打开的连接过多（rate_limited，reason 为 connections）："
    "新连接一建立就拒绝，不论请求的是哪个地址；等待 Retry-After 秒后再试。",
    "431": "请求头过大（headers_too_large）：请删去不必要的请求头。",
    "503": "本查验服务暂时无法答复（server_error：查验日志暂时无法写入；registry_unavailable："
    "登记库无法读取）：等待 Retry-After 秒后再试，或由反向代理改问另一台。",
}
"""What any request may be answered, whatever its operation: refused before it reaches one (an
HTTP head the server cannot read, too large, or a connection past its client's share —
`registry.public.http_guard`), for its method, or for the body it declares; and a replica that
cannot answer now (its log or its registry: ``DELETE /watch/…`` declared no 503, a review). `with_generic`
adds each to every operation that does not describe it itself: ``GET /api/v1/numbers/{number}``
declared 200 and 422 only, and answered 400, 405 and 431 too (an integrator's review)."""
_GENERIC_HEADERS = {
    "405": ("Allow", "string"),
    "429": ("Retry-After", "integer"),
    "503": ("Retry-After", "integer"),
}
"""The header a generic answer carries, and its type."""


def with_generic(paths: dict[str, Any]) -> dict[str, Any]:
    """``paths`` with `GENERIC` added to each operation's answers, in order of status; in the
    Error JSON where the API answers in JSON (`registry.public.http_guard.json_address`), else
    described only — a page's are a page or plain text, but a 429 always JSON."""
    return {
        path: {
            method: {
                **operation,
                "responses": dict(sorted({**_generic(path), **operation["responses"]}.items())),
            }
            for method, operation in item.items()
        }
        for path, item in paths.items()
    }


def _generic(path: str) -> dict[str, Any]:
    """`GENERIC` as the answers of an operation at ``path``."""
    found: dict[str, Any] = {}
    for status, description in GENERIC.items():
        found[status] = {"description": description}
        if json_address(path) or status == "429":
            found[status]["content"] = {"application/json": {"schema": ref("Error")}}
        if status in _GENERIC_HEADERS:
            name, kind = _GENERIC_HEADERS[status]
            found[status]["headers"] = {name: {"schema": {"type": kind}}}
    return found


def idempotency_key(description: str) -> dict[str, Any]:
    """The optional ``Idempotency-Key`` request header of an operation a client may retry."""
    return {
        "name": HEADER,
        "in": "header",
        "required": False,
        "description": description,
        "schema": {"type": "string", "pattern": KEY_PATTERN, "maxLength": 255},
    }


def replayed(description: str) -> dict[str, Any]:
    """The ``Idempotent-Replayed`` answer header of such an operation."""
    return {REPLAYED: {"schema": {"type": "string", "enum": ["true"]}, "description": description}}


ALLOWANCE = {
    "RateLimit-Limit": {
        "description": "批量查验的额度（批量查验和关注列表共用）：接口密钥每天的条数，或匿名时"
        "每个网络地址每小时的行数（不限额时不发送）",
        "schema": {"type": "integer"},
    },
    "RateLimit-Remaining": {
        "description": "这次之后还可查验的条数（匿名时按滑动的一小时计）",
        "schema": {"type": "integer"},
    },
}
"""The answer headers of an operation charged batch rows (`verify_app.api.allowance_headers`)."""

UNAUTHORIZED = {
    "401": {
        "description": "Authorization 请求头不是有效的“Bearer 接口密钥”：密钥未知或已被吊销"
        "（吊销立即生效）。带错误密钥的请求不会按匿名用户处理。",
        "headers": {"WWW-Authenticate": {"schema": {"type": "string"}}},
        "content": {"application/json": {"schema": ref("Error")}},
    }
}
KEY_OPTIONAL: list[dict[str, list[str]]] = [{}, {"apiKey": []}]
"""Anonymous, or with an API key: the key's daily quota then pays for the checks."""


TOKEN_PARAMETER = {
    "name": "token",
    "in": "path",
    "required": True,
    "description": "建立关注列表时得到的秘密令牌（订阅地址中的一段）",
    "schema": {"type": "string"},
}
NO_WATCH = json_answer(ref("Error"), "没有这个关注列表（令牌不对，或列表已删除）。")
FEED_PARAMETERS = [
    TOKEN_PARAMETER,
    {
        "name": "If-None-Match",
        "in": "header",
        "description": "上次读取时回答的 ETag：订阅没有变化时回答 304，不再重发内容",
        "schema": {"type": "string"},
    },
]
FEED_LIMITED = {
    "304": {"description": "订阅自上次读取以来没有变化。"},
    "400": json_answer(
        ref("Error"),
        "请求头 Host 不是有效的网站地址，无法生成订阅中的链接（本站未设定 CERTREG_PUBLIC_URL 时）；"
        "或" + GENERIC["400"],
    ),
    "429": ERRORS["429"],
    "503": ERRORS["503"],
}
ETAG = {"ETag": {"schema": {"type": "string"}, "description": "下次读取时放在 If-None-Match 中"}}


def delete_watch(operation_id: str) -> dict[str, Any]:
    """The DELETE of a watch list's three addresses, each its own operation: the name a client
    generator makes a method of (without one, each invents its own from the path)."""
    return {
        "operationId": operation_id,
        "summary": "删除关注列表",
        "description": "删除后订阅地址不再可用。页面、Atom、JSON 三个地址都可以用 DELETE 删除。",
        "parameters": [TOKEN_PARAMETER],
        "security": KEY_OPTIONAL,
        "responses": {"204": {"description": "已删除。"}, "404": NO_WATCH, **UNAUTHORIZED},
    }


def batch_body(item: str, description: str, extra: dict[str, Any]) -> dict[str, Any]:
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
