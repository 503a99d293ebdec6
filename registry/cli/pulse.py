"""When ``certreg follow`` beats its heartbeat (`registry.public.follower`): only after a round
that shows the registry served is current — a look at the replica URL within the last
`CONTACT_WITHIN` seconds found the copy at the newest version there (`Follower.check_history`),
Litestream running and not ended since the last round, the last version seen published, not
passed over. A beat at every round that raised nothing said 200 on ``/healthz`` while
Litestream kept exiting, or kept running and retrying a URL it could not reach, or the host's
versions were passed over (reviews)."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

from registry.cli.litestream import Follower
from registry.public.follower import BEAT_EVERY, STALE_SECONDS, beat

CONTACT_WITHIN = STALE_SECONDS / 2
"""How recent the look at the URL must be: looks come every 15 s (`HISTORY_CHECK`)."""


@dataclass
class Pulse:
    """The heartbeat of the registry ``db`` a follower publishes (None: it publishes none —
    `certreg collect-logs`)."""

    db: Path | None
    exits: int = 0
    behind: bool = False
    """the last version seen was passed over (an older certreg's, or older than the one served)"""
    beaten: float = float("-inf")

    def after_round(self, follower: Follower) -> None:
        steady = follower.exits == self.exits and follower.running
        steady &= time.monotonic() - follower.confirmed_at < CONTACT_WITHIN
        self.exits = follower.exits
        if self.db is None or not steady or self.behind:
            return
        if time.monotonic() - self.beaten >= BEAT_EVERY:
            beat(self.db)
            self.beaten = time.monotonic()
