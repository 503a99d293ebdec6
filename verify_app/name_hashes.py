"""The keyed hashes that stand for a holder's name where it must not be kept: in the
verification log (`name_hash`), and in a receipt's token (`holder_hash`)."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable
from functools import lru_cache

from registry.domain.names import (
    holder_key,
    key_before_one_surname,
    name_key,
    shared_key,
    written_key,
)
from registry.store.verify_log import NO_NAME


@lru_cache(maxsize=4)
def _keyed(secret: str) -> hmac.HMAC:
    """The HMAC keyed once per secret: copying it costs less than OpenSSL 3's set-up of a new
    key on every check (callgrind: a quarter of the instructions of each hash)."""
    return hmac.new(secret.encode(), digestmod=hashlib.sha256)


def name_hash(secret: str, name: str, *, keyed: Callable[[str], str] = name_key) -> str:
    """HMAC-SHA256 of the name's comparison key, hex: equal names give equal hashes, nothing more.
    (``keyed=written_key``: the key of a receipt issued before 2026-12-05.)"""
    key = keyed(name)
    if not key:
        return NO_NAME
    mac = _keyed(secret).copy()
    mac.update(key.encode())
    return mac.hexdigest()


def holder_hash(
    secret: str,
    number: str,
    name: str,
    *,
    key: Callable[[str], str] = shared_key,
    keyed: Callable[[str], str] = name_key,
) -> str:
    """HMAC-SHA256 of a certificate number and its holder's name key, hex: what a receipt
    carries to know its holder again. Unlike `name_hash`, the receipts of one holder's two
    certificates share nothing that links them. The key is taken as the check compares it
    (`registry.domain.names.same_holder`), without a minority name's dots and apostrophes: a
    receipt for 阿依古丽买买提 opens against the registered 阿依古丽·买买提, one for ONeil
    against O'Neil. (``key=holder_key``: a receipt issued before 2026-12-04 kept apostrophes;
    ``keyed=written_key``: one issued before 2026-12-05 kept traditional characters.)"""
    mac = _keyed(secret).copy()
    mac.update(b"receipt\0" + number.encode() + b"\0" + key(keyed(name)).encode())
    return mac.hexdigest()


def receipt_tags(secret: str, number: str, name: str) -> tuple[str, ...]:
    """Every tag a receipt for ``name`` holding ``number`` may carry, newest first: a receipt
    lives 90 days, across the changes of how a holder is keyed."""
    return (
        holder_hash(secret, number, name),
        # issued on 2026-12-05: 锺 apart from 钟 (锺伟's receipt)
        holder_hash(secret, number, name, keyed=key_before_one_surname),
        # issued before 2026-12-05: the name as written (張偉's receipt, 90 days)
        holder_hash(secret, number, name, keyed=written_key),
        # before 2026-12-04: apostrophes kept too (O'Neil's)
        holder_hash(secret, number, name, key=holder_key, keyed=written_key),
        # before 2026-12-01: the name hash alone
        name_hash(secret, name, keyed=written_key),
    )


def secret_id(secret: str) -> str:
    """An HMAC of a fixed text under the secret, shortened: equal on replicas that share the
    secret, different otherwise, and of no use for finding it. Replicas with different secrets
    refused each other's receipts (回执无效) and forms behind a round-robin proxy, and nothing
    showed why (an operator's review): ``/healthz`` carries it to compare."""
    mac = _keyed(secret).copy()
    mac.update(b"certreg secret id")
    return mac.hexdigest()[:12]
