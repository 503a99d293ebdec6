"""A watch list made once per ``Idempotency-Key``: a client that got no answer sends the same
request again and gets the same list, not a second one charged again (an integrator's review:
after a timeout an HR system could not tell whether its list was made, and the orphans stayed
400 days). The list's secret token is derived from the key and the caller, so nothing secret is
stored to answer the retry with: the same key from the same caller opens the same list, another
caller's the same key makes another.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import weakref
from collections.abc import Callable, Sequence

from registry.domain.numbers import normalise
from verify_app.answers import Item
from verify_app.idempotency_keys import HEADER, retried_by
from verify_app.quotas import Caller

RETIRED = f"此 {HEADER} 建立的关注列表已被删除，它的地址不再启用：请用新的 {HEADER} 建立新的列表"
MISMATCH = (
    f"此 {HEADER} 已用于建立另一份关注列表（证书编号或姓名不同）：每份新的列表请用新的 {HEADER}；"
    "重发没有收到回答的请求时，请求内容须与第一次相同"
)


_MAKING: weakref.WeakValueDictionary[str, asyncio.Lock] = weakref.WeakValueDictionary()
"""The lock of each list being made with a key, while a request holds it."""


def making(token: str) -> asyncio.Lock:
    """The lock requests making the list ``token`` take in turns: retries in flight at once
    were each checked and charged, and only one list made (a review: four at once, eight checks
    logged for a list of two). One process's; replicas send watch lists to one (DEPLOY)."""
    lock = _MAKING.get(token)
    if lock is None:
        lock = _MAKING[token] = asyncio.Lock()
    return lock


def retry_token(secret: str, caller: Caller, key: str) -> str:
    """The secret token of the list ``caller`` makes with ``key``: the same on every retry."""
    mac = hmac.new(f"watch-retry:{secret}".encode(), retried_by(caller, key), hashlib.sha256)
    return base64.urlsafe_b64encode(mac.digest()).rstrip(b"=").decode()


def same_list(
    stored: Sequence[tuple[str, str]], items: Sequence[Item], name_hash: Callable[[str], str]
) -> bool:
    """Whether ``items`` ask for the list ``stored`` holds: the same (number, name hash) pairs."""
    return set(stored) == {(normalise(i.number), name_hash(i.name)) for i in items}
