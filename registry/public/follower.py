"""A replica's ``certreg follow`` and the app beside it: where the follower keeps its copy, and
the heartbeat it leaves there, by which ``/healthz`` tells monitoring that the registry served
may no longer be the newest.

A follower that cannot publish (its data folder turned read-only, a disk full) stops, and one
frozen stops without a word: either way the app went on answering from the last registry
published — a certificate revoked since answered 有效 — and ``/healthz`` said ok (an operator's
review). The follower touches its heartbeat after each round that shows the registry current —
a recent look at the registry host's URL found the copy at its newest version
(`registry.cli.pulse`); a heartbeat older than `STALE_SECONDS` makes ``/healthz`` answer 503.
Checks are still answered: the registry host down, or the follower stopped on purpose (an
upgrade, docs/DEPLOY.md), the last registry is the best there is.
"""

from __future__ import annotations

import time
from pathlib import Path

HEARTBEAT = "heartbeat"
"""The file in `follow_state` whose time is the follower's last good round."""
BEAT_EVERY = 5.0
"""Seconds between two touches of the heartbeat (a round is a second: a write a second is
needless)."""
STALE_SECONDS = 60
"""A heartbeat older than this: the follower has stopped, lost the registry host, or is still
catching up (Litestream restarts in 5 s, the URL is looked at every 15 s, a version takes a
second or two to publish)."""


def follow_state(db: Path) -> Path:
    """Where ``certreg follow`` keeps the copy it follows, beside the registry it publishes."""
    return db.parent / f".{db.name}.follow"


def beat(db: Path) -> None:
    """The follower's round ended well: the heartbeat's time is now."""
    (follow_state(db) / HEARTBEAT).touch()


def silent_for(db: Path, now: float | None = None) -> float | None:
    """Seconds since the follower of ``db`` last beat; None on a host no follower publishes to
    (no `follow_state`); infinity when a follower published but never beat (one of an older
    release, or one that never finished a round)."""
    state = follow_state(db)
    try:
        beaten = (state / HEARTBEAT).stat().st_mtime
    except FileNotFoundError:
        return float("inf") if state.exists() else None
    return max(0.0, (time.time() if now is None else now) - beaten)
