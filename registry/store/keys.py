"""API keys for HR systems (SPEC §7): issued by staff with ``certreg keys``, each with its own
daily allowance of checks. Only a key's SHA-256 is stored — the key itself is shown once, when it
is issued — and a revoked key is refused from the next request on. The table lives in the
registry, so replicas receive keys and revocations with the registry itself.
"""

from __future__ import annotations

import hashlib
import secrets
import sqlite3
from dataclasses import dataclass

from registry.store.db import now, transaction

PREFIX = "crk_"
"""Keys start with this, so a leaked one is recognisable in logs and code."""


@dataclass(frozen=True)
class ApiKey:
    id: int
    name: str
    """the unit it was issued to (单位名称)"""
    per_day: int
    created_at: str
    revoked_at: str | None


def key_hash(key: str) -> str:
    """Keys are 32 random bytes: a plain SHA-256 is as good as a slow hash, and cheap per request."""
    return hashlib.sha256(key.encode()).hexdigest()


def issue(conn: sqlite3.Connection, name: str, per_day: int, operator: str) -> tuple[ApiKey, str]:
    """A new key for ``name``: its record and the key itself (to give to the unit, once)."""
    key = PREFIX + secrets.token_urlsafe(32)
    at = now()
    with transaction(conn):
        cursor = conn.execute(
            "INSERT INTO api_keys (name, key_hash, per_day, created_at, created_by)"
            " VALUES (?, ?, ?, ?, ?)",
            (name, key_hash(key), per_day, at, operator),
        )
    return ApiKey(int(cursor.lastrowid or 0), name, per_day, at, None), key


def all_keys(conn: sqlite3.Connection) -> list[ApiKey]:
    """Every key ever issued, revoked ones too, in the order they were issued."""
    rows = conn.execute(
        "SELECT id, name, per_day, created_at, revoked_at FROM api_keys ORDER BY id"
    )
    return [ApiKey(*row) for row in rows]


def revoke(conn: sqlite3.Connection, key_id: int) -> ApiKey | None:
    """Revoke a key (from now on); None when there is no such key."""
    with transaction(conn):
        conn.execute(
            "UPDATE api_keys SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL",
            (now(), key_id),
        )
        row = conn.execute(
            "SELECT id, name, per_day, created_at, revoked_at FROM api_keys WHERE id = ?", (key_id,)
        ).fetchone()
    return ApiKey(*row) if row else None


def find(conn: sqlite3.Connection, key: str) -> ApiKey | None:
    """The live key ``key`` names, or None (unknown or revoked)."""
    row = conn.execute(
        "SELECT id, name, per_day, created_at, revoked_at FROM api_keys"
        " WHERE key_hash = ? AND revoked_at IS NULL",
        (key_hash(key),),
    ).fetchone()
    return ApiKey(*row) if row else None
