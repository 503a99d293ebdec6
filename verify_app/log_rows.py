"""One row of the verification log, as the writer (`verify_app.checklog`) inserts it: when,
which client, which number, the result, the name's keyed hash — never the name."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Mapping, Sequence
from functools import lru_cache
from typing import NamedTuple

from registry.store.verify_log import Channel


class Check(NamedTuple):
    """One log row, as the tuple ``INSERT INTO checks`` binds."""

    at: str
    client: str
    number: str
    result: str
    name_hash: str
    channel: Channel
    key_id: int | None = None
    """the API key the check was paid with (``api_keys.id`` in the registry); None: anonymous"""
    confirmed: str | None = None
    """the paper's fields typed to confirm, comma-separated; None: none typed"""
    mismatched: str | None = None
    """those of them the paper got wrong; None: none typed"""
    registry_sync: int | None = None
    """the sync whose registry answered (`RegistryPool.sync_of`); None: an empty registry"""


@lru_cache(maxsize=1)
def _timestamp(second: int) -> str:
    """`registry.store.now`'s format for one second; under load many checks share a second,
    so the formatting is done once per second instead of once per check."""
    return dt.datetime.fromtimestamp(second, dt.UTC).isoformat()


def make_check(
    client: str,
    number: str,
    result: str,
    hashed_name: str,
    channel: Channel,
    key_id: int | None = None,
    confirmation: Mapping[str, str] | None = None,
    mismatched: Sequence[str] = (),
    registry_sync: int | None = None,
) -> Check:
    """A log row for now; ``confirmation``: each typed field of the paper → match or mismatch
    (`verify_app.answers.Checked`), ``mismatched`` those that did not match; ``registry_sync``:
    the registry's version that answered."""
    typed = ",".join(confirmation) if confirmation else None
    wrong = ",".join(mismatched) if confirmation else None
    at = _timestamp(int(time.time()))
    return Check(
        at, client, number, result, hashed_name, channel, key_id, typed, wrong, registry_sync
    )
