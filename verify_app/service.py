"""The verification service behind every channel: registry connections, limit, log, receipts.

Each check goes through `registry.public.lookup.verify` — the one implementation shared with
``certreg verify`` — and is charged to the client's rate limit and written to the log.
"""

from __future__ import annotations

import datetime as dt
import hmac
import os
import queue
import sqlite3
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from starlette.concurrency import run_in_threadpool

from registry import store
from registry.domain.authorities import Authority, contact_for
from registry.domain.numbers import MalformedNumber, parse
from registry.domain.regions import PROVINCE, authority_name
from registry.domain.statuses import MALFORMED, NO_MATCH, REVOKED
from registry.domain.text import MAX_NAME_CHARS as MAX_NAME_CHARS
from registry.domain.trades import TradeCatalogue, builtin_catalogue
from registry.public import lookup
from registry.public.confirm import MISMATCH, confirm, withheld
from registry.public.lookup import Verification
from registry.store import keys as api_keys
from registry.store.keys import ApiKey
from verify_app.checklog import CheckLog, make_check, name_hash
from verify_app.quotas import Caller, Quotas
from verify_app.ratelimit import CheckLimiter
from verify_app.receipts import Clock, Receipt, Receipts
from verify_app.settings import Settings

MAX_NUMBER_CHARS = 40
"""Longest number accepted on any channel: a number is 11 characters, with spaces a few more.
Names: `registry.domain.text.MAX_NAME_CHARS`, the longest a register may carry."""
MAX_CONFIRM_CHARS = 40
"""Longest value typed from the paper (a trade name, a date written out)."""


@dataclass(frozen=True)
class Item:
    """One requested check: the number and holder name as typed, and what the employer typed
    from the paper to confirm (`registry.public.confirm.CONFIRMABLE` → text; blank: nothing)."""

    number: str
    name: str
    typed: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Checked:
    """One answered check: the answer as it may be shown, and the confirmation when the
    employer typed something from the paper (then the answer withholds what was confirmed)."""

    answer: Verification
    name_hash: str
    confirmation: dict[str, str] | None = None

    @property
    def mismatched(self) -> list[str]:
        """The confirmed fields the paper got wrong."""
        return [k for k, v in (self.confirmation or {}).items() if v == MISMATCH]

    @property
    def reportable(self) -> bool:
        """Whether the employer is offered to report a suspected forgery (§五.(三))."""
        return self.answer.result in REPORTABLE or bool(self.mismatched)


REPORTABLE = (NO_MATCH, REVOKED, MALFORMED)
"""Results from which a suspected forgery may be reported."""


def confirmed(
    answer: Verification, typed: Mapping[str, str], hashed: str, catalogue: TradeCatalogue
) -> Checked:
    """The answer as the employer sees it: whole, or — when anything from the paper was typed —
    without the confirmable values, with match/mismatch for each typed field instead."""
    if not any(value.strip() for value in typed.values()):
        return Checked(answer, hashed)
    return Checked(withheld(answer), hashed, confirm(answer, typed, catalogue))


@dataclass(frozen=True)
class RegistryState:
    as_of: str | None
    certificates: int


FileId = tuple[int, int]
"""(device, inode) of the registry file: a new one means the file was replaced, not updated."""


def file_id(path: Path) -> FileId | None:
    try:
        stat = os.stat(path)
    except FileNotFoundError:
        return None
    return (stat.st_dev, stat.st_ino)


@dataclass
class _Opened:
    conn: sqlite3.Connection
    file: FileId | None
    """the file this connection reads (an open connection keeps reading it after a rename)"""
    as_of: tuple[int, str | None] | None = None
    """(data_version, registry_as_of) last read on this connection"""


class RegistryPool:
    """Read-only (``mode=ro``) connections, one per worker thread at a time, opened on demand.

    The registry changes under a running app in two ways, and both are seen from the next
    request on, without a restart and without failing a request:

    - updated in place (``certreg sync`` on the same host): SQLite sees the other connection's
      commit itself, and ``PRAGMA data_version`` moves (`as_of`);
    - replaced by a new file (a replica's ``certreg follow`` publishes each version with an
      atomic rename): a connection opened before keeps reading the old file — its inode — for
      as long as it is open. Each checkout compares the path's inode with the connection's and
      closes the connections of an old file, between requests: a check already running on one
      finishes on the version it started with.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._idle: queue.SimpleQueue[_Opened] = queue.SimpleQueue()
        self._all: dict[sqlite3.Connection, _Opened] = {}
        self._lock = threading.Lock()
        self._current: FileId | None = None
        self.reopened = 0
        """connections closed because the file was replaced (for tests and the curious)"""

    def as_of(self, conn: sqlite3.Connection) -> str | None:
        """`store.registry_as_of`, re-read only after a sync changed the file: SQLite's
        ``data_version`` moves when another connection commits, so this is one cheap pragma
        per check instead of a query over the sync history."""
        version = conn.execute("PRAGMA data_version").fetchone()[0]
        opened = self._all[conn]
        if opened.as_of is None or opened.as_of[0] != version:
            opened.as_of = (version, store.registry_as_of(conn))
        return opened.as_of[1]

    @contextmanager
    def connection(self) -> Iterator[sqlite3.Connection]:
        current = file_id(self.path)
        if current is not None and current != self._current:
            self._replaced(current)
        while True:
            try:
                opened = self._idle.get_nowait()
            except queue.Empty:
                opened = self._open()
                break
            if current is None or opened.file == current:
                break
            self._close(opened)  # returned by a request that started before the replacement
        try:
            yield opened.conn
        finally:
            self._idle.put(opened)

    def _open(self) -> _Opened:
        """A connection and the file it reads: the inode before and after opening must agree,
        or a rename in between could leave us believing a new file is open when it is not."""
        while True:
            before = file_id(self.path)
            conn = store.connect(self.path, readonly=True)
            if file_id(self.path) == before:
                opened = _Opened(conn, before)
                with self._lock:
                    self._all[conn] = opened
                return opened
            conn.close()

    def _replaced(self, current: FileId) -> None:
        """A new file at the path: close the idle connections to the old one now (they hold
        the old file open), and remember the new one."""
        with self._lock:
            if current == self._current:
                return
            self._current = current
        keep = []
        while True:
            try:
                opened = self._idle.get_nowait()
            except queue.Empty:
                break
            if opened.file == current:
                keep.append(opened)
            else:
                self._close(opened)
        for opened in keep:
            self._idle.put(opened)

    def _close(self, opened: _Opened) -> None:
        with self._lock:
            self._all.pop(opened.conn, None)
        if opened.file is not None and opened.file != self._current:
            self.reopened += 1
        opened.conn.close()

    def close(self) -> None:
        with self._lock:
            opened = list(self._all.values())
            self._all.clear()
        for each in opened:
            each.conn.close()


@dataclass(frozen=True)
class IssuedReceipt:
    token: str
    expires: dt.datetime
    """when the receipt stops opening (UTC)"""


class Verifier:
    def __init__(self, settings: Settings, *, clock: Clock = time.time) -> None:
        self.settings = settings
        self.clock = clock
        self._secret = str(settings.secret)
        self.registry = RegistryPool(settings.db)
        self.log = CheckLog(settings.log_db)
        self.quotas = Quotas(
            CheckLimiter(settings.rate_limit, settings.rate_limit_storage),
            batch_rows_per_hour=settings.batch_rows_per_hour,
            reports_per_day=settings.reports_per_day,
            clock=clock,
        )
        self.receipts = Receipts(self._secret, lifetime_days=settings.receipt_days, clock=clock)
        self.authorities = settings.authorities()
        self.catalogue = builtin_catalogue()

    @property
    def limiter(self) -> CheckLimiter:
        """The per-minute limit of single checks, on the store every quota shares."""
        return self.quotas.single

    def start(self) -> None:
        """Fail fast when the registry cannot be opened read-only; start the log writer."""
        self.state()
        self.log.start()

    def close(self) -> None:
        self.log.close()
        self.registry.close()

    def name_hash(self, name: str) -> str:
        return name_hash(self._secret, name)

    def api_key(self, key: str) -> ApiKey | None:
        """The live API key ``key`` names, looked up in the registry on every request, so that a
        revocation takes effect at once; None for an unknown or revoked key."""
        with self.registry.connection() as conn:
            try:
                return api_keys.find(conn, key)
            except sqlite3.OperationalError:  # a registry from before keys existed: none issued
                return None

    def check_many(
        self, caller: Caller, items: Sequence[Item], channel: str, *, single: bool = False
    ) -> list[Checked]:
        """Charge ``items`` to ``caller`` — as batch rows, or as ``single`` checks at the counter
        (per minute) — or to the caller's key, then check each. May raise `RateLimited`, with
        nothing charged."""
        if single:
            self.quotas.charge_single(caller, len(items))
        else:
            self.quotas.charge_batch(caller, len(items))
        with self.registry.connection() as conn:
            answers = [
                lookup.verify(conn, item.number, item.name, as_of=self.registry.as_of)
                for item in items
            ]
        checked = []
        for item, answer in zip(items, answers, strict=True):
            hashed = self.name_hash(item.name)
            self._log(caller, answer, hashed, channel)
            checked.append(confirmed(answer, item.typed, hashed, self.catalogue))
        return checked

    def check(self, caller: Caller, item: Item, channel: str) -> Checked:
        """One check at the counter: charged to the per-minute limit (or the caller's key)."""
        return self.check_many(caller, [item], channel, single=True)[0]

    async def check_soon(self, caller: Caller, item: Item, channel: str) -> Checked:
        """`check` from the event loop. One check is a primary-key read of a local SQLite file
        and a count in memory — tens of microseconds, less than the hop to a worker thread and
        back — so it runs inline; with a shared (network) rate-limit store it goes to the
        thread pool, where waiting on the store blocks no other request."""
        if self.limiter.local:
            return self.check(caller, item, channel)
        return await run_in_threadpool(self.check, caller, item, channel)

    def recheck(self, client: str, receipt: Receipt) -> Verification:
        """The current status for a receipt, which holds the name only as a keyed hash."""
        self.limiter.charge(client)

        def same_holder(name: str) -> bool:
            return hmac.compare_digest(self.name_hash(name), receipt.name_hash)

        with self.registry.connection() as conn:
            answer = lookup.recheck(conn, receipt.number, same_holder, as_of=self.registry.as_of)
        self._log(Caller(client), answer, receipt.name_hash, "receipt")
        return withheld(answer) if receipt.withheld else answer

    def issue_receipt(self, checked: Checked) -> IssuedReceipt | None:
        """A receipt for a check that found the certificate (SPEC §7: receipts only for matches);
        one of a confirmation opens without the confirmed fields, as the check was answered."""
        if not checked.answer.matched:
            return None
        issued_at = self.clock()
        token = self.receipts.issue(
            checked.answer.number, checked.name_hash, withheld=checked.confirmation is not None
        )
        return IssuedReceipt(token, self.receipts.expiry(issued_at))

    def contact_for(self, number: str) -> Authority:
        """Who to ask about ``number`` (§五.(四)): its issuing department when the number parses
        (附件3), the province otherwise."""
        try:
            parsed = parse(number)
        except MalformedNumber:
            return self.authorities.get(PROVINCE) or Authority(PROVINCE, authority_name(PROVINCE))
        return contact_for(parsed, self.authorities)

    def state(self) -> RegistryState:
        with self.registry.connection() as conn:
            return RegistryState(self.registry.as_of(conn), lookup.certificate_count(conn))

    def last_sync(self) -> int:
        """The id of the registry's latest sync (0 before any): what a new watch list starts after."""
        with self.registry.connection() as conn:
            return int(conn.execute("SELECT coalesce(max(id), 0) FROM syncs").fetchone()[0])

    def is_stale(self, as_of: str | None) -> bool:
        """True when the registry's last change is older than ``stale_days`` (or unknown)."""
        if as_of is None:
            return True
        changed = dt.datetime.fromisoformat(as_of)
        if changed.tzinfo is None:
            changed = changed.replace(tzinfo=dt.UTC)
        age = dt.datetime.fromtimestamp(self.clock(), dt.UTC) - changed
        return age > dt.timedelta(days=self.settings.stale_days)

    def _log(self, caller: Caller, answer: Verification, hashed: str, channel: str) -> None:
        key_id = caller.key.id if caller.key else None
        self.log.record(
            make_check(caller.client, answer.number, answer.result, hashed, channel, key_id)
        )
