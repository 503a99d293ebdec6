"""A batch check sent again with its ``Idempotency-Key`` is not charged again.

An HR system whose batch got no answer (a timeout, a dropped connection) cannot tell whether it
was checked and charged; without a key, sending it again pays its rows twice (an integrator's
review). With one, the same caller's same key and the same items, within a day of the first
send's answer, are checked again — answers as of now — without a charge, `FREE_RESENDS` times:
enough for retries, too few to poll a list's statuses for nothing (a watch list is for that).
The same key with other items is refused (``idempotency_mismatch``), as for watch lists.

What is remembered is two counters in the store the allowances share (`verify_app.ratelimit`),
so every replica sharing a Redis knows them: one per (caller, key), one per (caller, key,
items), under keyed hashes — no number or name is kept. A send is remembered once answered; a
retry arriving while the first was still being checked found nothing and was charged in full
(eight sends of one key at once: six charged, two refused — a review). So a send with a key
first claims it in that store (`verify_app.claims`, under the same hash) until its answer is
remembered, at most `CLAIM_SECONDS`: another send of the key meanwhile is answered 409
(``idempotency_in_progress``) with ``Retry-After``, charged nothing, and sent again then it is
the free resend.

The batch page's form carries an id of its own (`new_form_id`) and is resent the same way: a
reload of its results re-posts the form, file and all, and paid for it again — refused, when
the first had spent the hour's allowance, in place of the results the officer came back to.
Its reloads are free `FREE_RELOADS` times: the page is not the API, retried by a program. A
double tap's two sends reaching one process take turns (`verify_app.uploads.UploadSlots.turn`):
the second is the first's resend.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import json
import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from limits import RateLimitItemPerDay

from registry.domain.numbers import normalise
from verify_app.answers import Item
from verify_app.claims import Claim
from verify_app.idempotency_keys import HEADER, USABLE_KEY, retried_by
from verify_app.quotas import Caller
from verify_app.ratelimit import Limiter
from verify_app.request_errors import InvalidRequest

FREE_RESENDS = 5
"""How often a batch may be sent again with its key, within a day of the first, uncharged."""
FREE_RELOADS = 20
"""How often the batch page's results may be reloaded uncharged: an officer switching between a
chat and the results passed five reloads in minutes, and the sixth paid the whole list again —
refused, when it spent the hour's allowance, in place of her results (a phone review)."""
CLAIM_SECONDS = 120
"""The longest a send holds its key: far more than any batch takes to be checked (500 rows in
under a second; nginx gives up on the API after 5 s), and a worker that died holding it blocks
the key no longer."""
ASK_AGAIN_SECONDS = 2
"""When a send that found its key claimed is told to come back: the first is answered by then."""
IN_PROGRESS = (
    f"此 {HEADER} 的第一次发送仍在查验中：请 {ASK_AGAIN_SECONDS} 秒后用同一个 {HEADER} 重发"
    "同样的请求，即可得到查验结果而不计入额度（这次既未查验，也未计入额度）"
)
MISMATCH = (
    f"此 {HEADER} 已用于另一批查验（证书编号、姓名或要核对的内容不同）：每一批新的查验请用新的"
    f" {HEADER}；重发没有收到回答的请求时，请求内容须与第一次相同"
)


@dataclass(frozen=True)
class Send:
    """One send of a batch with a key: its counters; whether it is the first (remembered once
    answered) or a free resend (neither: charged, not remembered — a resend past its free
    ones, a form without its id)."""

    key_counter: str
    items_counter: str
    first: bool = False
    resent: bool = False
    sends: RateLimitItemPerDay = RateLimitItemPerDay(1 + FREE_RESENDS)
    """the first send and its free resends, counted a day"""
    claim: Claim | None = None
    """the key's, held until the send is answered (`BatchRetries.release`); a form's takes none"""


_CHARGED = Send("", "")
"""A send that is charged and not remembered."""


class BatchRetries:
    def __init__(self, limiter: Limiter, secret: str, name_hash: Callable[[str], str]) -> None:
        self.limiter = limiter
        self._secret = f"batch-retry:{secret}".encode()
        self.name_hash = name_hash

    def send(self, caller: Caller, key: str, content: bytes, free: int = FREE_RESENDS) -> Send:
        """This send of ``content`` (`items_send`'s items, or an uploaded file's name and bytes) with
        ``key``: a free resend when the first was answered within a day and fewer than
        ``free`` came since (counted now). `InvalidRequest` (422) when the key was used
        for other content — unless the shared store failed meanwhile, which would read any
        retry as other content: then charged."""
        own = retried_by(caller, key)
        key_counter = self._counter(own)
        items_counter = self._counter(own + b"\n" + hashlib.sha256(content).digest())
        sends = RateLimitItemPerDay(1 + free)
        shared = not self.limiter.degraded
        if not self._used(sends, key_counter):
            return Send(key_counter, items_counter, first=True, sends=sends)
        if not self._used(sends, items_counter):
            if shared and self.limiter.degraded:  # the store lost between the reads: unknown
                return _CHARGED
            raise InvalidRequest(422, "idempotency_mismatch", MISMATCH)
        if self.limiter.hit(sends, items_counter, fixed=True):
            return Send(key_counter, items_counter, resent=True, sends=sends)
        self.limiter.hit(sends, items_counter, -1, fixed=True)  # a fixed window counted it
        return _CHARGED

    def form_send(self, caller: Caller, form_id: str, filename: str, data: bytes) -> Send:
        """A send of the batch page's form (`new_form_id`, a hidden field) with the file
        ``filename`` of ``data`` (or the list pasted, as read): sent again — a
        reload of the results, which a phone does when the tab comes back — it is a free
        resend. A form without a usable id, or a form already used sending another file (the page
        kept by the Back button), is charged as a new batch and not remembered."""
        if USABLE_KEY.fullmatch(form_id):
            with contextlib.suppress(InvalidRequest):
                name = hashlib.sha256(filename.encode()).digest()
                content = name + hashlib.sha256(data).digest()
                return self.send(caller, form_id, content, FREE_RELOADS)
        return _CHARGED

    def form_claim(self, caller: Caller, form_id: str) -> str | None:
        """The name a send of the batch page's form ``form_id`` claims while it is read and
        checked (`verify_app.batch_checks`); None for a form without a usable id."""
        return self._counter(retried_by(caller, form_id)) if USABLE_KEY.fullmatch(form_id) else None

    def answered(self, send: Send) -> None:
        """Remember a first send, charged and answered: its resends are free from now on."""
        if send.first:
            for counter in (send.key_counter, send.items_counter):
                self.limiter.hit(send.sends, counter, fixed=True)

    def items_send(self, caller: Caller, key: str, items: Sequence[Item]) -> Send:
        """A send of an API batch's ``items`` with ``key`` (`send`), holding the key's claim
        until `release`; call it off the event loop — it hashes every name, and may wait on the
        store. `InvalidRequest` (409) while another send of the key holds it."""
        content = self._items_content(items)
        claim = self.limiter.claims.take(self._counter(retried_by(caller, key)), CLAIM_SECONDS)
        if claim is None:
            raise InvalidRequest(
                409, "idempotency_in_progress", IN_PROGRESS, retry_after=ASK_AGAIN_SECONDS
            )
        try:
            return replace(self.send(caller, key, content), claim=claim)
        except BaseException:
            self.limiter.claims.release(claim)
            raise

    def release(self, send: Send) -> None:
        """Let the next send of ``send``'s key in, once ``send`` is answered (and remembered:
        `answered`) or refused."""
        if send.claim is not None:
            self.limiter.claims.release(send.claim)

    def _items_content(self, items: Sequence[Item]) -> bytes:
        """What an API batch's send is told apart by: its items as the charge reads them, in
        their order — a number as normalised, a name by its keyed hash, the values typed from
        the paper."""
        rows = [
            (normalise(i.number), self.name_hash(i.name), sorted(i.typed.items())) for i in items
        ]
        return json.dumps(rows, ensure_ascii=False).encode()

    def _used(self, sends: RateLimitItemPerDay, counter: str) -> bool:
        return self.limiter.remaining(sends, counter, fixed=True) < sends.amount

    def _counter(self, what: bytes) -> str:
        return "resend/" + hmac.new(self._secret, what, hashlib.sha256).hexdigest()[:32]


def new_form_id() -> str:
    """A batch form's id: each page shows a new one."""
    return secrets.token_urlsafe(18)
