"""The ``Idempotency-Key`` request header, as the API's retried requests carry it: a watch list
made once (`verify_app.watch_retries`), a batch check charged once (`verify_app.batch_retries`).
"""

from __future__ import annotations

import re

from starlette.datastructures import Headers

from registry.public.client_keys import limit_key
from verify_app.quotas import Caller
from verify_app.request_errors import InvalidRequest

HEADER = "Idempotency-Key"
REPLAYED = "Idempotent-Replayed"
"""The answer's header, ``true`` when it answers a request sent again with its key."""
KEY_PATTERN = "^[\\x21-\\x7e]{1,255}$"
"""What a key may be (a UUID, say): visible ASCII, as a header carries it."""
USABLE_KEY = re.compile(r"[\x21-\x7e]{1,255}")
BAD_KEY = f"{HEADER} 应为 1–255 个可见的 ASCII 字符（如一个 UUID）"


def key_of(headers: Headers) -> str | None:
    """The request's ``Idempotency-Key``, None without one; `InvalidRequest` for one unusable."""
    key = headers.get(HEADER)
    if key is not None and not USABLE_KEY.fullmatch(key):
        raise InvalidRequest(400, "bad_request", BAD_KEY)
    return key


def retried_by(caller: Caller, key: str) -> bytes:
    """What a key is kept under: the caller's own (an API key, else the network address — an
    IPv6 client's /64, as its allowances count it: a retry from the next temporary address is
    the same caller's), so that another caller's same key is another request."""
    who = f"key {caller.key.id}" if caller.key else f"client {limit_key(caller.client)}"
    return f"{who}\n{key}".encode()
