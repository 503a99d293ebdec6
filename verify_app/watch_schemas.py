"""The JSON schemas of the watch lists (``components.schemas`` of ``/openapi.json`` with
`verify_app.schemas`): the answer that creates a list, and its JSON Feed —
every field a client generated from the document reads."""

from __future__ import annotations

from typing import Any

from registry.domain.statuses import EVENT_TYPES

WATCH_SCHEMAS: dict[str, Any] = {
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
            "created_at": {
                "type": "string",
                "format": "date-time",
                "description": "建立时间（UTC，ISO 8601）",
            },
        },
    },
    "WatchFeed": {
        "type": "object",
        "description": "JSON Feed 1.1；每条变更的字段在 _certreg 中",
        "required": ["version", "title", "items", "_certreg"],
        "properties": {
            "version": {"type": "string"},
            "title": {"type": "string"},
            "home_page_url": {"type": "string", "description": "关注列表的网页"},
            "feed_url": {"type": "string", "description": "本订阅地址"},
            "description": {"type": "string"},
            "_certreg": {
                "type": "object",
                "required": ["since", "numbers"],
                "properties": {
                    "since": {
                        "type": "string",
                        "format": "date-time",
                        "description": "关注列表的建立时间（UTC）：只列出此后导入的变更",
                    },
                    "numbers": {
                        "type": "array",
                        "items": {"type": "string"},
                        "description": "关注的证书编号（已规范化）",
                    },
                },
            },
            "items": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["id", "title", "date_published", "_certreg"],
                    "properties": {
                        "id": {"type": "string"},
                        "title": {"type": "string"},
                        "content_text": {"type": "string", "description": "变更和下一步怎么做"},
                        "date_published": {
                            "type": "string",
                            "format": "date-time",
                            "description": "该变更导入登记库的时间（UTC）",
                        },
                        "_certreg": {
                            "type": "object",
                            "required": ["event", "number", "watched", "date"],
                            "properties": {
                                "event": {"type": "string", "enum": list(EVENT_TYPES)},
                                "number": {"type": "string", "description": "发生变更的证书"},
                                "watched": {
                                    "type": "string",
                                    "description": "关注的是哪个编号：变更发生在接替它的新证书上时，"
                                    "与 number 不同（据此对应到职工）",
                                },
                                "date": {"type": "string", "format": "date"},
                                "new_number": {"type": "string"},
                                "late": {
                                    "type": "boolean",
                                    "description": "补登的早先变更（日期早于该证书此前已登记的变更）："
                                    "此后登记的变更仍然有效",
                                },
                            },
                        },
                    },
                },
            },
        },
    },
}
