"""The verification service behind every channel: registry connections, limit, log, receipts.

Each check goes through `registry.public.lookup.verify` — the one implementation shared with
``certreg verify`` — and is charged to the client's rate limit and written to the log.
"""

from __future__ import annotations

import datetime as dt
import hmac
import sqlite3
import time
from collections.abc import Sequence
from dataclasses import dataclass

from starlette.concurrency import run_in_threadpool

from registry.domain.authorities import Contacts
from registry.domain.clock import as_moment
from registry.domain.trades import TradeCatalogue, builtin_catalogue
from registry.public import lookup
from registry.public.confirm import anything_typed, first_issues, withheld
from registry.public.follower import follow_state
from registry.public.lookup import Verification
from registry.store import RegistryMismatch, data_version, syncs
from registry.store import keys as api_keys
from registry.store.keys import ApiKey
from registry.store.trades import stored_catalogue
from registry.store.verify_log import NO_NAME, Channel
from verify_app.answers import (
    Checked,
    Item,
    charged_rows,
    confirmed,
    registered_forms,
    screened_number,
)
from verify_app.batch_retries import BatchRetries
from verify_app.check_limiter import CheckLimiter
from verify_app.checklog import CheckLog, LogUnwritable
from verify_app.guesses import NameGuesses
from verify_app.log_rows import make_check
from verify_app.name_hashes import holder_hash, name_hash, receipt_tags, secret_id
from verify_app.quotas import Caller, Quotas
from verify_app.receipts import Clock, Receipt, Receipts
from verify_app.refusals import OverAllowance, RateLimited, recounted
from verify_app.registry_pool import RegistryPool, RegistryUnreadable
from verify_app.settings import Settings


@dataclass(frozen=True)
class RegistryState:
    as_of: str | None
    certificates: int


@dataclass(frozen=True)
class IssuedReceipt:
    token: str
    expires: dt.datetime  # when the receipt stops opening (UTC)


@dataclass(frozen=True)
class Reopened:
    """A receipt's check made again: the current answer (withheld as the first was), and
    whether the registry has since corrected a field the first check confirmed."""

    answer: Verification
    corrected: bool = False


class Verifier:
    """Every channel's checks (page, API, batch, receipt, watch list) against one registry:
    charged to the caller's allowance, answered by `registry.public.lookup`, logged by a keyed
    hash of the name, receipts signed — the one object the app's handlers reach through
    ``app.state``."""

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
        self.guesses = NameGuesses(
            self.quotas,
            self.name_hash,
            settings.name_guesses_per_hour,
            settings.name_guesses_per_day,
        )
        days, previous = settings.receipt_days, settings.secrets[1:]
        self.receipts = Receipts(self._secret, lifetime_days=days, clock=clock, previous=previous)
        self.batch_retries = BatchRetries(self.quotas.single.limiter, self._secret, self.name_hash)
        self.contacts = Contacts(settings.authorities())
        self.catalogue = builtin_catalogue()

    @property
    def limiter(self) -> CheckLimiter:
        """The per-minute limit of single checks, on the store every quota shares."""
        return self.quotas.single

    def start(self) -> None:
        """Fail fast when the registry cannot be opened read-only — not for a replica's copy an
        older certreg made, which its follower replaces once the registry host is upgraded
        (checks answer 503 meanwhile, saying why); start the log writer."""
        try:
            self.state()
        except RegistryMismatch as exc:
            if not (exc.older and follow_state(self.settings.db).exists()):
                raise
        self.log.start()

    def close(self) -> None:
        self.log.close()
        self.registry.close()

    @property
    def secret_ids(self) -> tuple[str, str | None]:
        """What tells replicas' secrets apart without telling them (`secret_id`): the signing
        one's, and ``CERTREG_PREVIOUS_SECRET``'s while the secret is being changed."""
        current, *previous = self.receipts.secrets
        return secret_id(current), secret_id(previous[0]) if previous else None

    def name_hash(self, name: str) -> str:
        """The keyed hash the log keeps instead of ``name`` (`verify_app.name_hashes.name_hash`)."""
        return name_hash(self._secret, name)

    def api_key(self, key: str) -> ApiKey | None:
        """The live API key ``key`` names, looked up in the registry on every request, so that a
        revocation takes effect at once; None for an unknown or revoked key."""
        with self.registry.connection() as conn:  # an older registry is refused at open
            return api_keys.find(conn, key)

    def check_many(
        self,
        caller: Caller,
        items: Sequence[Item],
        channel: Channel,
        *,
        single: bool = False,
        serial: bool = False,
        charge: bool = True,
    ) -> list[Checked]:
        """Charge ``items`` to ``caller`` — as batch rows, or as ``single`` checks at the counter
        (per minute) — or to the caller's key, then check each. May raise `RateLimited`, with
        nothing charged but the names tried (`NameGuesses`). ``serial``: run on the event loop.
        Not ``charge``: a batch resent with its key, paid when first sent (`batch_retries`)."""
        # charged first: refused for its allowance after its names were counted, they counted
        # for nothing, pausing a number for everyone (a review's attack); not at all while the
        # log cannot be written: it is asked again of the other replica (charged twice)
        if self.log.unwritable:
            raise LogUnwritable
        charged = charged_rows(items) if charge else 0
        try:
            if single:
                self.quotas.charge_single(caller, charged)
            else:
                self.quotas.charge_batch(caller, charged)
        except (RateLimited, OverAllowance) as refusal:
            recounted(refusal, charged, len(items))
            raise
        try:
            reserved = self.guesses.reserve(caller, items, serial=serial)
        except BaseException:
            self.quotas.refund(caller, charged, single=single)
            raise
        try:  # its names stay counted: another check may have been answered on their count
            checked = self._checked(caller, items, channel)
        except (RegistryUnreadable, RegistryMismatch):  # refunded: the other replica charges it
            self.quotas.refund(caller, charged, single=single)
            raise
        self.guesses.settle(caller, reserved, checked)
        return checked

    def _checked(self, caller: Caller, items: Sequence[Item], channel: Channel) -> list[Checked]:
        with self.registry.connection() as conn:
            answers, versions = [], []
            for item in items:  # each with the registry's version it was read from
                answer = lookup.verify(conn, item.number, item.name, as_of=self.registry.as_of)
                answers.append((answer, first_issues(conn, answer)))
                versions.append(self.registry.answered_by(conn))
            typed = any(anything_typed(item.typed) for item in items)
            catalogue = self._catalogue(conn) if typed else self.catalogue
        checked = []
        for item, (answer, originals), version in zip(items, answers, versions, strict=True):
            # a check not made for its name is logged as one without a name: no failure of the
            # number for staff's views of forged numbers
            not_made = answer.reason in lookup.NOT_CHECKED_ADVICE
            hashed = NO_NAME if not_made else self.name_hash(item.name)
            holder = holder_hash(self._secret, answer.number, item.name) if answer.matched else ""
            checked.append(confirmed(answer, item.typed, (hashed, holder), catalogue, originals))
            self._log(caller, checked[-1], channel, version)
        return checked

    def _catalogue(self, conn: sqlite3.Connection) -> TradeCatalogue:
        """The trade catalogue the registry was loaded with (read again after a sync), which a
        paper's 工种 is confirmed with; the shipped list for a registry that has none."""
        return self.registry.per_version(
            conn,
            data_version(conn),
            "trades",
            lambda: stored_catalogue(conn) or self.catalogue,
        )

    def check(
        self, caller: Caller, item: Item, channel: Channel, *, serial: bool = False
    ) -> Checked:
        """One check at the counter: charged to the per-minute limit (or the caller's key)."""
        return self.check_many(caller, [item], channel, single=True, serial=serial)[0]

    async def check_soon(self, caller: Caller, item: Item, channel: Channel) -> Checked:
        """`check` from the event loop. One check is a primary-key read of a local SQLite file
        and a count in memory — tens of microseconds, less than the hop to a worker thread and
        back — so it runs inline; with a shared (network) rate-limit store it goes to the
        thread pool, where waiting on the store blocks no other request."""
        if self.limiter.local:
            return self.check(caller, item, channel, serial=True)
        return await run_in_threadpool(self.check, caller, item, channel)

    def recheck(self, client: str, receipt: Receipt) -> Reopened:
        """The current status for a receipt, which holds the name only as a keyed hash."""
        if self.log.unwritable:  # refused uncharged, as every check (`check_many`)
            raise LogUnwritable
        self.limiter.charge(client)

        secret = self.receipts.secrets[receipt.key]  # the one that signed it

        def same_holder(name: str) -> bool:
            tags = receipt_tags(secret, receipt.number, name)
            return any(hmac.compare_digest(tag, receipt.holder_hash) for tag in tags)

        with self.registry.connection() as conn:
            answer, holder = lookup.recheck(
                conn, receipt.number, same_holder, as_of=self.registry.as_of
            )
            version, originals = self.registry.answered_by(conn), first_issues(conn, answer)
        # logged as the check was: by the name's hash, which staff see beside the first check
        logged = self.name_hash(holder) if answer.matched and holder else receipt.holder_hash
        self._log(Caller(client), Checked(answer, logged), "receipt", version)
        if not receipt.withheld:
            return Reopened(answer)
        now = registered_forms(answer, receipt.confirmed, originals)
        return Reopened(withheld(answer), answer.matched and self.receipts.corrected(receipt, *now))

    def issue_receipt(self, checked: Checked) -> IssuedReceipt | None:
        """A receipt for a check that found the certificate (SPEC §7: receipts only for matches);
        one of a confirmation opens without the confirmed fields, as the check was answered.
        None when the paper mismatched a confirmed field: the receipt re-checks only the
        registry, so it would vouch for (有效) a paper the check found altered or forged."""
        if not checked.answer.matched or checked.mismatched:
            return None
        issued_at = self.clock()
        token = self.receipts.issue(
            checked.answer.number,
            checked.holder_hash,
            confirmed=checked.confirmation,
            registered=checked.registered,
            result=checked.answer.result,
        )
        return IssuedReceipt(token, self.receipts.expiry(issued_at))

    def state(self) -> RegistryState:
        """The snapshot time and the number of certificates (``/healthz``): counting a million
        rows takes milliseconds, so it is counted again only after a sync — an unmetered
        endpoint must cost next to nothing."""
        with self.registry.connection() as conn:
            version = data_version(conn)
            count = self.registry.per_version(
                conn, version, "certificates", lambda: lookup.certificate_count(conn)
            )
            return RegistryState(self.registry.as_of(conn, version), count)

    def last_sync(self) -> int:
        """The id of the registry's latest sync (0 before any): what a new watch list starts after."""
        with self.registry.connection() as conn:
            mark = syncs.last_sync(conn)
        return mark.id if mark else 0

    def is_stale(self, as_of: str | None) -> bool:
        """True when the registry's last change is older than ``stale_days`` (or unknown)."""
        days = dt.timedelta(days=self.settings.stale_days)
        return as_of is None or self.now() - as_moment(as_of) > days

    def now(self) -> dt.datetime:
        """The service's clock, as a moment (UTC)."""
        return dt.datetime.fromtimestamp(self.clock(), dt.UTC)

    def _log(self, caller: Caller, checked: Checked, channel: Channel, version: int | None) -> None:
        """Log a check as it was answered: its result, what of the paper was confirmed, and
        the registry's ``version`` (the sync) that answered."""
        answer, key = checked.answer, caller.key.id if caller.key else None
        what = (screened_number(answer.number), answer.result, checked.name_hash, channel, key)
        confirmed = (checked.confirmation, checked.mismatched)
        self.log.record(make_check(caller.client, *what, *confirmed, version))
