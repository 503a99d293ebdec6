"""Claims one request at a time holds on a name, in the store the allowances count in.

A batch sent with an ``Idempotency-Key`` is remembered once answered (`verify_app.batch_retries`);
a retry arriving while the first send was still being checked found nothing remembered and was
charged in full — eight sends of one key at once were each charged (an integrator's review),
and a client that timed out and retried paid twice, the case the key is for. The first send
takes a claim on its key before anything is charged; another send finds it held and is told
to come back for the answer. Claims are kept where the counters are
(`verify_app.ratelimit.Limiter`), so that replicas sharing a Redis see each other's: there a
claim is one ``SET NX`` with an expiry. Each expires after the bound it is taken for — a
worker that died holding one does not block its name for longer — and its release deletes it
only while it is still its holder's (a Lua compare-and-delete): a holder that outlasted the
bound does not release the claim a later send took meanwhile.

While the shared store is down, claims are taken in this process, as the counters are: a
retry reaching another replica then is not seen, counted less strictly until the store is back
(never refused for the outage). A claim taken in Redis whose release meets the outage is left
to its expiry.
"""

from __future__ import annotations

import secrets
import threading
import time
from collections.abc import Callable
from typing import NamedTuple

from limits.errors import StorageError
from limits.storage import RedisStorage

_RELEASE = """
if redis.call('get', KEYS[1]) == ARGV[1] then
    return redis.call('del', KEYS[1])
end
return 0
"""
"""Delete the claim ``KEYS[1]`` if ``ARGV[1]`` (its holder's token) still holds it."""

FromStore = Callable[[Callable[[], bool]], bool | None]
"""`verify_app.ratelimit.Limiter`'s way to the shared store: the act's answer, None when down."""


class Claim(NamedTuple):
    """A claim held: on ``name``, by the holder of ``token``; ``here``: in this process's own
    claims (the store is memory, or was down when it was taken), released there."""

    name: str
    token: str
    here: bool


class SharedClaims:
    """Claims in Redis, reached through the limiter's ``from_store`` (None: the store is down)."""

    def __init__(self, store: RedisStorage, from_store: FromStore) -> None:
        self.store = store
        self.from_store = from_store
        self._release = store.storage.register_script(_RELEASE)

    def take(self, name: str, token: str, seconds: int) -> bool | None:
        """Whether ``token`` now holds ``name`` for ``seconds``; None when the store is down."""
        key, client = self._key(name), self.store.storage
        return self.from_store(
            lambda: self._yes(lambda: client.set(key, token, nx=True, ex=seconds))
        )

    def release(self, name: str, token: str) -> None:
        """Delete the claim on ``name`` if ``token`` holds it; nothing when the store is down."""
        key, script = self._key(name), self._release
        self.from_store(lambda: self._yes(lambda: script(keys=[key], args=[token])))

    def _key(self, name: str) -> str:
        return self.store.prefixed_key(f"claim/{name}")

    def _yes(self, act: Callable[[], object]) -> bool:
        """Whether ``act`` (a Redis command) answered yes; the store's errors raised as
        ``limits``' own calls raise them (`StorageError`), which the limiter takes for an
        outage."""
        try:
            return bool(act())
        except self.store.base_exceptions as exc:
            raise StorageError(exc) from exc


class Claims:
    """Claims on names, in Redis when the counters are (``shared``), else — or while it is
    down — in this process. Thread-safe."""

    def __init__(
        self, shared: SharedClaims | None = None, *, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.shared = shared
        self._clock = clock
        """seconds, for this process's claims' expiry"""
        self._held: dict[str, tuple[str, float]] = {}
        """this process's claims: each name's holder's token and when the claim expires"""
        self._lock = threading.Lock()

    def take(self, name: str, seconds: int) -> Claim | None:
        """A claim on ``name`` for at most ``seconds``; None while another holds it."""
        token = secrets.token_hex(16)
        if self.shared is not None:
            taken = self.shared.take(name, token, seconds)
            if taken is not None:
                return Claim(name, token, here=False) if taken else None
        now = self._clock()
        with self._lock:
            for held, (_, until) in list(self._held.items()):  # those whose holders died
                if until <= now:
                    del self._held[held]
            if name in self._held:
                return None
            self._held[name] = (token, now + seconds)
        return Claim(name, token, here=True)

    def release(self, claim: Claim) -> None:
        """Let ``claim``'s name be claimed again, if ``claim`` still holds it."""
        if not claim.here:
            if self.shared is not None:
                self.shared.release(claim.name, claim.token)
            return
        with self._lock:
            held = self._held.get(claim.name)
            if held is not None and held[0] == claim.token:
                del self._held[claim.name]
