"""The JSON schema of every refusal (``components.schemas.Error`` of ``/openapi.json``): one
stable code a program can branch on, a Chinese message a person can read, and the fields some
codes add (which rows, which limit, how many are left)."""

from __future__ import annotations

from typing import Any

from verify_app.refusals import REASONS

ERROR_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["error", "message"],
    "properties": {
        "error": {
            "type": "string",
            "description": "稳定的错误代码，程序据此判断：bad_request（请求无法处理，如 Host 头过长，"
            "或请求行、请求头不符合 HTTP 格式）、headers_too_large（请求头过大，HTTP 431）、"
            "bad_json（不是有效的 JSON）、"
            "unsupported_media_type（请求体不是 JSON）、invalid（字段不符合要求）、"
            "too_many（一次条数过多）、malformed（编号格式错误）、bad_key（API 密钥无效）、"
            "rate_limited（超过频率或额度，见 Retry-After 和 reason）、not_found（地址或关注列表不存在）、"
            "no_match（关注的编号与姓名不相符；同时有编号格式错误或已撤销的，rows 一并列出）、"
            "关注列表中没有不相符的、而有编号格式错误或姓名无法查验的条目时也是 malformed"
            "（见 malformed_rows）、"
            "revoked（关注的证书已撤销，不会再有变更）、"
            "idempotency_mismatch（Idempotency-Key 已用于内容不同的关注列表或批量查验）、"
            "idempotency_in_progress（同一个 Idempotency-Key 的第一次批量查验仍在进行，HTTP 409，"
            "见 Retry-After）、"
            "idempotency_retired（Idempotency-Key 建立的关注列表已被删除）、"
            "method_not_allowed（请求方法不支持）、"
            "too_large（请求体过大）、timeout（请求体发送超时）、server_error（服务暂时出错）、"
            "registry_unavailable（登记库暂时无法使用，见 Retry-After）、registry_stale（仅 "
            "/healthz：本副本跟随登记库的进程停止报告，登记库可能已不是最新）",
        },
        "message": {"type": "string", "description": "错误说明（中文）"},
        "rows": {
            "type": "array",
            "items": {"type": "integer"},
            "description": "出问题的条目（从 1 起）：批量查验或关注列表中不符合要求的条目"
            "（invalid），关注列表中编号与姓名不相符、编号格式错误、姓名无法查验或已撤销的条目"
            "（no_match、malformed、revoked）",
        },
        "reason": {
            "type": "string",
            "enum": list(REASONS),
            "description": "rate_limited 时：超过的是哪一项限制——"
            + "；".join(f"{code}：{meaning}" for code, meaning in REASONS.items()),
        },
        "numbers": {
            "type": "array",
            "items": {"type": "string"},
            "description": "reason 为 number_paused 时：暂停查验的证书编号；too_many 时："
            "一次配了太多不同姓名的证书编号（改正或去掉这些条目）",
        },
        "remaining": {
            "type": "integer",
            "minimum": 0,
            "description": "reason 为 batch_hourly 或 key_daily 时：现在还可查验的条数"
            "（不超过此数的请求可以立即提交）",
        },
        "number": {
            "type": "string",
            "description": "malformed 时（GET /api/v1/numbers/{number}）：所查的编号，"
            "按输入的原样（最多 40 个字符）",
        },
        "revoked_rows": {
            "type": "array",
            "items": {"type": "integer"},
            "description": "关注列表中已撤销的条目（从 1 起；包括已被新证书接替、而新证书已撤销的），"
            "rows 的一部分",
        },
        "malformed_rows": {
            "type": "array",
            "items": {"type": "integer"},
            "description": "关注列表中没有查验的条目（从 1 起）：编号格式错误，或姓名为空、是乱码、"
            "含改变文字显示顺序的控制字符（编号没有查），rows 的一部分。"
            "rows 中既不在 revoked_rows、也不在 malformed_rows 的，编号与姓名不相符",
        },
    },
}
