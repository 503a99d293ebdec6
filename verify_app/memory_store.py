"""``limits``' in-process storage without its timer thread, with a give-back that stops at zero
(`SweptMemoryStorage`): the per-process counts of `verify_app.ratelimit.Limiter`."""

from __future__ import annotations

import threading
import time

from limits.storage import MemoryStorage

SWEEP_SECONDS = 10.0
"""How often the in-process counters of clients that stopped coming are dropped."""


class SweptMemoryStorage(MemoryStorage):
    """``limits``' in-process storage without its expiry timer thread.

    ``MemoryStorage`` drops expired counters from a ``threading.Timer`` that a hit starts 10 ms
    after the previous one has ended: under steady load a request starts a thread every 10 ms
    and waits for it to run, stalling the event loop (py-spy: a tenth of an API check's CPU).
    A counter past its expiry already reads as zero (``get`` drops it), so the timer only frees
    memory: here a hit sweeps the expired counters itself, at most every `SWEEP_SECONDS`."""

    def __init__(self, sweep_seconds: float = SWEEP_SECONDS) -> None:
        super().__init__()
        self.sweep_seconds = sweep_seconds
        self._next_sweep = time.monotonic() + sweep_seconds
        self._sweeping = threading.Lock()

    def _MemoryStorage__schedule_expiry(self) -> None:
        """Called by ``incr`` and ``decr`` in place of starting the timer."""
        now = time.monotonic()
        if now < self._next_sweep or not self._sweeping.acquire(blocking=False):
            return
        try:
            self._next_sweep = now + self.sweep_seconds
            self.sweep()
        finally:
            self._sweeping.release()

    def sweep(self) -> None:
        """Drop every counter whose window has passed."""
        now = time.time()
        for key, expiry in list(self.expirations.items()):
            if expiry <= now:
                self.clear(key)

    def take_back(self, key: str, expiry: int, amount: int) -> None:
        """Take ``amount`` off the sliding-window counter ``key``: from its current window as
        far as it holds it, the rest from the previous one, never below zero
        (`verify_app.ratelimit.Limiter.take_back`)."""
        previous, current = self.sliding_window_keys(key, expiry, time.time())
        here = min(amount, self.get(current))
        for window, taken in ((current, here), (previous, min(amount - here, self.get(previous)))):
            if taken > 0:
                self.decr(window, taken)
