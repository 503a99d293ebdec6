"""The answer of ``GET /healthz`` (`verify_app.api.health`), for monitoring: `verify_app.schemas`
names it ``Health``."""

from __future__ import annotations

from typing import Any

HEALTH_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["status", "as_of", "certificates", "stale", "limits", "version", "secret_id"],
    "additionalProperties": False,
    "properties": {
        "status": {"type": "string", "description": "ok 表示服务正常"},
        "as_of": {
            "type": "string",
            "format": "date-time",
            "nullable": True,
            "description": "登记库最近一次更新的时间（UTC）",
        },
        "certificates": {"type": "integer", "description": "登记库中的证书数"},
        "stale": {"type": "boolean", "description": "登记库是否已久未更新"},
        "limits": {
            "type": "string",
            "enum": ["local", "shared", "fallback"],
            "description": "查验次数等额度的计数方式：local 本进程计数（未配置共享存储），shared "
            "在共享存储（Redis）中计数，fallback 共享存储连不上、暂由各进程分别计数（恢复后自动改回）",
        },
        "version": {
            "type": "string",
            "description": "certreg 的版本（发布日期，如 2026.12.5）",
        },
        "secret_id": {
            "type": "string",
            "description": "由 CERTREG_SECRET 算出的标识（不能由它推出密钥）：各副本应当相同，"
            "不同则一台副本签发的回执在另一台上无效、表单提交失败",
        },
        "follower_silent_seconds": {
            "type": "integer",
            "nullable": True,
            "description": "副本上跟随登记库的 certreg follow 上次报告正常距今的秒数（超过 60 秒时"
            "本接口回答 503 registry_stale）；不跟随登记库的主机为 null",
        },
        "forwarded": {
            "type": "string",
            "enum": ["none", "trusted", "untrusted", "unread"],
            "description": "本请求的 X-Forwarded-For 如何读取：none 未带（直接访问），trusted 来自"
            " CERTREG_TRUSTED_PROXIES 中的代理、已按其中的客户端地址计数，untrusted 来自不在其中的"
            "地址、未采信（经反向代理探测时出现，说明所有用户共用代理的一个额度：请把代理加入 "
            "CERTREG_TRUSTED_PROXIES），unread 可信代理发来的值中没有可用的地址",
        },
        "previous_secret_id": {
            "type": "string",
            "nullable": True,
            "description": "更换密钥期间由 CERTREG_PREVIOUS_SECRET 算出的同类标识（旧密钥签发的回执"
            "和表单仍被接受）；不在更换中为 null",
        },
    },
}
"""What a replica says of itself: its registry's time and size, where it counts its limits,
its release and which secrets it signs and accepts."""
