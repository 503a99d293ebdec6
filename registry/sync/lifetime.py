"""A child process that dies with its parent, however the parent ends (``kill -9`` too)."""

from __future__ import annotations

import ctypes
import os
import signal


def die_with(parent: int) -> None:
    """Ask Linux to kill this process when ``parent`` dies (even by ``kill -9``), so none
    outlives it: a sync's workers, the demo's servers. Where there is no ``prctl``, a sync's
    workers end with their pipe instead."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):
        return
    if os.getppid() != parent:  # the parent died before the request took effect
        os._exit(1)


PR_SET_PDEATHSIG = 1
"""``prctl``'s option: the signal a process gets when its parent dies (Linux)."""
