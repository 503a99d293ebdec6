"""Signed, expiring receipts of a check (SPEC §7): ``GET /r/{token}`` re-checks the current status.

The token carries the normalised number and a keyed hash of number and holder's name
(`verify_app.name_hashes.holder_hash`) — never the name, and nothing that links two receipts of one
holder — and the time of the original check: ``<number>-<hash>[-w].<timestamp>.<signature>``,
signed by itsdangerous' `TimestampSigner`. Opening it looks the number up again, so a receipt
printed before a 撤销 shows the revocation.

Both parts are plain ASCII already, so the token is the signed text itself: no JSON, no
compression, no base64, which made signing five times slower on every result page.
"""

from __future__ import annotations

import datetime as dt
import hmac
import re
import time
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from itsdangerous import BadData, TimestampSigner

from registry.domain.statuses import REISSUED, REVOKED, SUPERSEDED, VALID

Clock = Callable[[], float]
DAY = 86_400
CONFIRMED_CODES = {"level": "l", "trade": "t", "issued_on": "d", "reissue_mark": "r"}
"""A confirmed field of the paper (`registry.public.confirm.CONFIRMABLE`) → its letter in a
token."""
RESULT_CODES = {VALID: "v", REISSUED: "r", SUPERSEDED: "s", REVOKED: "x"}
"""The answer a receipt's check gave (a match: `registry.domain.statuses`) → its letter."""
_PAYLOAD = re.compile(
    r"([0-9A-Z]+)-([0-9a-f]+)(?:-l([1-9][0-9]{0,4}))?(?:-s([vrsx]))?"
    r"(?:-w([ltdr]*)(?:-([0-9a-f]{10}))?)?"
)
"""A canonical certificate number, a hex holder hash, the days the receipt lives (none before
2026-12-05: the service's setting), the answer its check gave (none before 2026-12-06), and
``-w`` when the check confirmed what the paper shows
(its receipt then withholds the confirmed values too), followed by the letters of the fields it
confirmed (none in a receipt issued before 2026-12-02) and a digest of what the registry said
of them (`Receipts.registered`; none before 2026-12-05)."""
REGISTERED_DIGITS = 10
"""Hex digits of a receipt's digest of the confirmed values: a correction goes unnoticed by
one receipt in 16**10."""


class ForgedReceipt(Exception):
    """The token was not made by this service (or was altered)."""


class ExpiredReceipt(Exception):
    """A genuine token older than the receipt lifetime; ``number``: the certificate it was for
    (the token holds it in clear), to check it again; ``days``: the lifetime it had."""

    def __init__(self, message: str, number: str = "", days: int = 0) -> None:
        super().__init__(message)
        self.number = number
        self.days = days


class _ClockSigner(TimestampSigner):
    """A TimestampSigner whose 'now' comes from the app's clock, so tests can move time."""

    def __init__(self, *args: Any, clock: Clock = time.time, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._clock = clock

    def get_timestamp(self) -> int:
        return int(self._clock())


@dataclass(frozen=True)
class Receipt:
    """What a receipt's token carries: the number, the holder as a keyed hash (never the name),
    when it was signed, and whether its check confirmed the paper (then it opens withheld)."""

    number: str
    holder_hash: str
    checked_at: dt.datetime
    withheld: bool = False
    confirmed: tuple[str, ...] = ()
    """the fields of the paper its check confirmed, in `CONFIRMED_CODES`' order"""
    registered: str | None = None
    """the digest of what the registry said of them (`Receipts.registered`), if the token has one"""
    days: int | None = None
    """the lifetime it was issued with, if the token says (`Receipts.lifetime`)"""
    result: str | None = None
    """the answer its check gave, if the token says: a receipt opened after a revocation shows
    today's status, and an HR file must still show it was 有效 when checked (a phone review)"""
    key: int = 0
    """which of the service's secrets signed it (`Receipts.secrets`): 0 the current one, 1 the
    one before it, while it is being changed — its holder hash is keyed with the same"""


class Receipts:
    """Signed, expiring receipt tokens (itsdangerous): a receipt re-checks the current status
    when opened, so the token holds what to check, not an answer."""

    def __init__(
        self,
        secret: str,
        *,
        lifetime_days: int,
        clock: Clock = time.time,
        previous: Sequence[str] = (),
    ) -> None:
        """``previous``: secrets whose receipts still open (`Settings.previous_secret`)."""
        self.days = lifetime_days
        self.secrets = (secret, *previous)
        self._signers = [_ClockSigner(s, salt="certreg-receipt", clock=clock) for s in self.secrets]
        self._signer = self._signers[0]
        self._digest_keys = [
            hmac.new(s.encode(), b"certreg-receipt-registered", "sha256") for s in self.secrets
        ]

    def issue(
        self,
        number: str,
        holder_hash: str,
        *,
        confirmed: Collection[str] | None = None,
        registered: Mapping[str, str] | None = None,
        result: str | None = None,
    ) -> str:
        """The token of a receipt for ``number`` held by ``holder_hash``, signed now; with the
        fields of the paper its check ``confirmed``, when it confirmed any (it then opens
        withheld, saying which were checked — a receipt that vouched for "the paper" would
        cover the fields nobody compared), and what the registry said of them
        (``registered``), by a keyed digest: a receipt opened after a correction of one says
        its confirmation no longer holds; and the ``result`` the check gave, shown beside
        today's."""
        mark = f"-l{self.days}"  # the expiry it shows holds, whatever the setting later
        if result in RESULT_CODES:
            mark += f"-s{RESULT_CODES[result]}"
        if confirmed:  # (an empty confirmation confirmed nothing: the receipt is a plain one)
            mark += "-w" + "".join(c for f, c in CONFIRMED_CODES.items() if f in confirmed)
            if registered:
                mark += "-" + self.registered(number, registered)
        return self._signer.sign(f"{number}-{holder_hash}{mark}").decode()

    def registered(self, number: str, values: Mapping[str, str], key: int = 0) -> str:
        """A keyed digest of the registry's ``values`` of a certificate's confirmed fields: the
        token shows none of them (a receipt withholds what the paper was confirmed against);
        ``key``: the secret's (`Receipt.key`)."""
        digest = self._digest_keys[key].copy()
        digest.update(
            "\x1f".join([number, *(f"{k}={v}" for k, v in sorted(values.items()))]).encode()
        )
        return digest.hexdigest()[:REGISTERED_DIGITS]

    def corrected(self, receipt: Receipt, *forms: Mapping[str, str]) -> bool:
        """Whether the registry's values of the fields ``receipt``'s check confirmed are no
        longer what they were then (a corrected roster changed the trade): its "与登记相符"
        would vouch for a paper a check now finds wrong. ``forms``: those values as receipts
        digest them now, then as older ones did (`verify_app.answers.registered_forms`) —
        corrected when none digests to the receipt's. A receipt without a digest cannot tell
        (issued before 2026-12-05)."""
        if receipt.registered is None:
            return False
        digests = (self.registered(receipt.number, values, receipt.key) for values in forms)
        return not any(hmac.compare_digest(d, receipt.registered) for d in digests)

    def lifetime(self, receipt: Receipt) -> int:
        """The days ``receipt`` lives: those it was issued with, as its page printed them (an
        administrator shortening the setting cut short receipts already handed out, and
        lengthening it brought expired ones back) — the setting for one issued before tokens
        said."""
        return receipt.days or self.days

    def expiry(self, signed_at: float | dt.datetime, days: int | None = None) -> dt.datetime:
        """When a receipt signed at ``signed_at`` for ``days`` (the setting) stops opening (UTC)."""
        if isinstance(signed_at, dt.datetime):
            signed_at = signed_at.timestamp()
        return dt.datetime.fromtimestamp(int(signed_at) + (days or self.days) * DAY, dt.UTC)

    def open(self, token: str) -> Receipt:
        """The receipt ``token`` holds; `ForgedReceipt` unless this service signed it,
        `ExpiredReceipt` once it is older than the lifetime.

        The age is checked here, not by itsdangerous, which also refuses a token signed "in
        the future" as expired: a receipt issued by a replica whose clock runs a second ahead
        (or the same one across a second boundary) is genuine and new, not expired."""
        key, value, signed_at = self._unsign(token)
        payload = _PAYLOAD.fullmatch(value.decode("ascii", "replace"))
        if payload is None:
            raise ForgedReceipt("unexpected payload")
        codes, days = payload[5], int(payload[3]) if payload[3] else None
        confirmed = tuple(f for f, c in CONFIRMED_CODES.items() if c in (codes or ""))
        result = next((r for r, c in RESULT_CODES.items() if c == payload[4]), None)
        receipt = Receipt(
            payload[1],
            payload[2],
            signed_at,
            codes is not None,
            confirmed,
            payload[6],
            days,
            result,
            key,
        )
        age, max_age = (
            self._signer.get_timestamp() - int(signed_at.timestamp()),
            self.lifetime(receipt) * DAY,
        )
        if age > max_age:
            raise ExpiredReceipt(
                f"Signature age {age} > {max_age} seconds", payload[1], self.lifetime(receipt)
            )
        return receipt

    def _unsign(self, token: str) -> tuple[int, bytes, dt.datetime]:
        """Which secret signed ``token`` (its index), its value and when; `ForgedReceipt` when
        none did."""
        problem = "not as signed"
        signed, _, signature = token.rpartition(".")
        for key, signer in enumerate(self._signers):
            try:
                value, signed_at = signer.unsign(token, return_timestamp=True)
            except BadData as exc:
                problem = str(exc)
                continue
            # itsdangerous decodes a signature past characters base64 leaves out (é) and the
            # bits its last character does not use: one receipt opened under many spellings
            if signature.encode() == signer.get_signature(signed):
                return key, value, signed_at
        raise ForgedReceipt(problem)
