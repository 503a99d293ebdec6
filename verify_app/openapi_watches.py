"""The watch lists' part of the OpenAPI description (`verify_app.openapi`): making a list, its
three addresses (page, Atom, JSON Feed) and deleting it."""

from __future__ import annotations

from typing import Any

from verify_app.openapi_parts import (
    ALLOWANCE,
    ERRORS,
    ETAG,
    FEED_LIMITED,
    FEED_PARAMETERS,
    GENERIC,
    KEY_OPTIONAL,
    NO_WATCH,
    TOKEN_PARAMETER,
    UNAUTHORIZED,
    batch_body,
    delete_watch,
    idempotency_key,
    json_answer,
    replayed,
)
from verify_app.schemas import ref

CHARGED_REFUSAL = {
    name: {**header, "description": f"仅 no_match、malformed、revoked：{header['description']}"}
    for name, header in ALLOWANCE.items()
}
"""The allowance headers of a list refused after its pairs were checked, and so charged."""

WATCH_PATHS: dict[str, Any] = {
    "/api/v1/watches": {
        "post": {
            "operationId": "createWatch",
            "summary": "关注证书：其后的换发、补发、撤销以订阅地址推送",
            "description": "每一份证书先按编号和姓名查验（计入批量查验额度或密钥额度），"
            "全部相符且未撤销（已被新证书接替的，新证书也未撤销）才建立关注列表；"
            "否则返回 422，rows 列出不相符、没有查验和已撤销的条目"
            "（其中编号格式错误或姓名无法查验的另见 malformed_rows，已撤销的另见 revoked_rows），"
            "什么也不保存。"
            "回答中的地址含秘密令牌；地址中没有姓名，服务器只保存姓名的密钥散列。"
            "带 Idempotency-Key 请求头时，同一调用方（同一接口密钥，或同一网络地址）用同一个"
            "Idempotency-Key 重发相同的请求，得到同一个列表的同一回答（响应头 Idempotent-Replayed: true，"
            "不再查验、不计额度）；内容不同时 422（idempotency_mismatch）。不带时，每次提交另建一个"
            "列表并计入额度：没有收到回答又未带 Idempotency-Key 的，请用新的列表，旧的无人读取，到期自动删除。",
            "security": KEY_OPTIONAL,
            "parameters": [
                idempotency_key("调用方为每份新列表取的唯一值（如 UUID），重发时不变。")
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
                        **ALLOWANCE,
                        **replayed("带同一个 Idempotency-Key 重发时：这是第一次建立的列表"),
                    },
                },
                **ERRORS,
                "422": {
                    **json_answer(
                        ref("Error"),
                        "JSON 的结构不对，或有证书的编号与姓名不相符（no_match）、编号格式错误或姓名"
                        "无法查验（没有不相符的时为 malformed）、已撤销（revoked；见 rows、"
                        "malformed_rows、revoked_rows）——这三种已查验，计入额度，"
                        "带 RateLimit-Limit 和 RateLimit-Remaining；"
                        "或 Idempotency-Key 已用于内容不同的列表（idempotency_mismatch），"
                        "或它建立的列表已被删除（idempotency_retired：地址不再启用）。",
                    ),
                    "headers": CHARGED_REFUSAL,
                },
                **UNAUTHORIZED,
            },
        }
    },
    "/watch/{token}.json": {
        "get": {
            "operationId": "watchFeedJson",
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
        "delete": delete_watch("deleteWatchJson"),
    },
    "/watch/{token}.atom": {
        "get": {
            "operationId": "watchFeedAtom",
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
        "delete": delete_watch("deleteWatchAtom"),
    },
    "/watch/{token}": {
        "get": {
            "operationId": "watchPage",
            "summary": "关注列表的网页",
            "description": "列出关注的证书编号和其后的变更，并有删除按钮。",
            "parameters": [TOKEN_PARAMETER],
            "responses": {
                "200": {
                    "description": "网页。",
                    "content": {"text/html": {"schema": {"type": "string"}}},
                },
                "400": {
                    "description": "请求头 Host 不是有效的网站地址，无法生成本页的链接（网页）；"
                    "或" + GENERIC["400"].removesuffix("。") + "（纯文本）。",
                    "content": {
                        "text/html": {"schema": {"type": "string"}},
                        "text/plain": {"schema": {"type": "string"}},
                    },
                },
                "404": {
                    "description": "没有这个关注列表。",
                    "content": {"text/html": {"schema": {"type": "string"}}},
                },
                "429": {
                    "description": "查验过于频繁（网页）；或" + GENERIC["429"],
                    "headers": {"Retry-After": {"schema": {"type": "integer"}}},
                    "content": {
                        "text/html": {"schema": {"type": "string"}},
                        "application/json": {"schema": ref("Error")},
                    },
                },
            },
        },
        "delete": delete_watch("deleteWatch"),
    },
}
