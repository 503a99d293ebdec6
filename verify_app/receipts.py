"""Signed, expiring receipts of a check (SPEC §7): ``GET /r/{token}`` re-checks the current status.

The token carries the normalised number and the keyed hash of the holder's name — never the
name — and the time of the original check (itsdangerous' timestamp). Opening it looks the
number up again, so a receipt printed before a 撤销 shows the revocation.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from itsdangerous import BadData, SignatureExpired, TimestampSigner, URLSafeTimedSerializer

Clock = Callable[[], float]


class ForgedReceipt(Exception):
    """The token was not made by this service (or was altered)."""


class ExpiredReceipt(Exception):
    """A genuine token older than the receipt lifetime."""


class _ClockSigner(TimestampSigner):
    """A TimestampSigner whose 'now' comes from the app's clock, so tests can move time."""

    def __init__(self, *args: Any, clock: Clock = time.time, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._clock = clock

    def get_timestamp(self) -> int:
        return int(self._clock())


@dataclass(frozen=True)
class Receipt:
    number: str
    name_hash: str
    checked_at: dt.datetime


class Receipts:
    def __init__(self, secret: str, *, lifetime_days: int, clock: Clock = time.time) -> None:
        self.max_age = lifetime_days * 86_400
        self._serializer = URLSafeTimedSerializer(
            secret, salt="certreg-receipt", signer=_ClockSigner, signer_kwargs={"clock": clock}
        )

    def issue(self, number: str, name_hash: str) -> str:
        token = self._serializer.dumps({"n": number, "h": name_hash})
        return token if isinstance(token, str) else token.decode()

    def open(self, token: str) -> Receipt:
        try:
            payload, signed_at = self._serializer.loads(
                token, max_age=self.max_age, return_timestamp=True
            )
        except SignatureExpired as exc:
            raise ExpiredReceipt(str(exc)) from exc
        except BadData as exc:
            raise ForgedReceipt(str(exc)) from exc
        if not (
            isinstance(payload, dict)
            and isinstance(payload.get("n"), str)
            and isinstance(payload.get("h"), str)
        ):
            raise ForgedReceipt("unexpected payload")
        return Receipt(payload["n"], payload["h"], signed_at)
