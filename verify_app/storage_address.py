"""Whether ``CERTREG_RATE_LIMIT_STORAGE`` names a store the app can use: `storage_problem`.

Checked before the app starts (`verify_app.settings.Settings`): a replica that would count in
memory while the others share Redis, or fail at its first check, is a misconfiguration to stop
at with what to write, not to discover under load. The messages go to the journal, so none
shows a password (`verify_app.ratelimit.without_password`).
"""

from __future__ import annotations

import importlib.util
import urllib.parse

from verify_app.ratelimit import without_password

REDIS_SCHEMES = ("redis://", "rediss://", "redis+unix://")


def storage_problem(storage_uri: str) -> str | None:
    """Why ``CERTREG_RATE_LIMIT_STORAGE`` cannot be used (or None): not a store's address,
    Redis without its client, an address that cannot be read as one, or parameters its
    client refuses."""
    shown = without_password(storage_uri)  # the message goes to the journal
    if storage_uri.startswith("memory://"):
        return None
    if storage_uri.startswith(REDIS_SCHEMES):
        if importlib.util.find_spec("redis") is None:
            return (
                f"CERTREG_RATE_LIMIT_STORAGE={shown} 需要 Redis 客户端，"
                "请安装：pip install 'certreg[redis]'"
            )
        return _unparsed(storage_uri) or _not_taken(storage_uri)
    return (
        f"CERTREG_RATE_LIMIT_STORAGE={shown} 无法使用：请用 memory://（单个进程）"
        "或 redis://主机:6379（多个工作进程或多台实例共享计数）"
    )


def _unparsed(storage_uri: str) -> str | None:
    """Why a Redis address cannot be read as one: a password holding / # ? (as ``openssl rand
    -base64`` writes them) ends the address early. The Redis client failed on it at start with a
    traceback that printed the password's first part, and a replica under ``Restart=always``
    restarted for ever (an operator's review)."""
    if any(character.isspace() for character in storage_uri):  # a log's mask ends at one
        return (
            "CERTREG_RATE_LIMIT_STORAGE 的地址中有空格等空白字符：网址中不能有，"
            "密码中的空格须写作 %20（不可见的全角空格、不换行空格也是空白字符）"
        )
    parts = urllib.parse.urlsplit(storage_uri)
    if parts.username and parts.password is None:  # redis://password@host: the colon left out
        return "CERTREG_RATE_LIMIT_STORAGE 的地址中 @ 前应为“:密码”（冒号开头）：redis://:密码@主机:端口/库号"
    try:
        parts.port  # noqa: B018 -- read for the ValueError of a port that is no number
    except ValueError:
        pass
    else:  # an @ past the host: the address ended at a / of the password (redis://u:12/ab@…)
        after_host = storage_uri.partition(parts.netloc)[2] if parts.netloc else parts.path
        if "@" not in after_host and (parts.hostname or storage_uri.startswith("redis+unix://")):
            return None
    return (
        "CERTREG_RATE_LIMIT_STORAGE 的地址无法解析（应为 redis://:密码@主机:端口/库号）："
        "密码中的 / # ? @ : % 等字符须按网址编码书写（/ 写作 %2F，# 写作 %23），可用 "
        """python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1], safe=""))' '密码'"""
        " 得到编码后的密码"
    )


def _not_taken(storage_uri: str) -> str | None:
    """Why the Redis client refuses the address's parameters: one it does not know
    (``?timeout=5``, ``?ssl=true`` on a ``redis://``, copied from a cloud's guide) failed only
    at a check's first connection — every check a 500 while ``/healthz`` said ok (a hostile
    review) —, one it cannot read (``?db=x``) stopped the start with a traceback. The client
    is made, not connected: it reads its parameters then."""
    import redis

    address = storage_uri.replace("redis+unix://", "unix://", 1)  # as `limits` hands it over
    try:
        redis.Redis.from_url(address).connection_pool.make_connection()
    except (TypeError, ValueError, redis.RedisError) as exc:  # ?protocol=9, ?ssl_cert_reqs=x
        named = "、".join(sorted(urllib.parse.parse_qs(urllib.parse.urlsplit(address).query)))
        return (
            f"CERTREG_RATE_LIMIT_STORAGE 的地址参数（{named or '无'}）Redis 客户端不能使用"
            f"（{without_password(str(exc))}）：请删去或改正；连接超时由 certreg 设定，"
            "不必写在地址中（应为 redis://:密码@主机:端口/库号，TLS 用 rediss://）"
        )
    return None
