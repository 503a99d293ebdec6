"""Run a command several times and keep the median wall time and peak resident memory.

Each run is a separate process: ``os.wait4`` returns the child's own resource usage, whose
``ru_maxrss`` is the peak RSS of the child and of the descendants it waited for (for a shell loop,
the largest of its commands) — what ``/usr/bin/time -v`` prints as "Maximum resident set size" —
and its CPU time, workers included. A command that runs worker processes (`certreg sync` of
large registers) holds more memory than its largest process, so the launcher also samples the
RSS of the whole process tree every 50 ms and keeps the largest sum.
The wall time is taken around fork and wait, so it excludes only the launcher's own start.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field


class CommandFailed(RuntimeError):
    """A measured command exited non-zero: its figures would be meaningless."""


@dataclass(frozen=True)
class Run:
    wall: float
    """seconds"""
    rss_mb: float
    """peak resident set size of the largest process, MiB"""
    tree_rss_mb: float = 0.0
    """largest sum of the resident sets of the command and its descendants, sampled, MiB"""
    cpu: float = 0.0
    """user + system CPU seconds, waited-for descendants included"""


@dataclass
class Figure:
    """The runs of one measured command and their medians."""

    label: str
    command: str
    runs: list[Run] = field(default_factory=list)
    error: str | None = None
    """why the command failed, when it did (the benchmark goes on and reports it)"""

    def _median(self, attribute: str) -> float | None:
        values = [getattr(run, attribute) for run in self.runs]
        return statistics.median(values) if values else None

    @property
    def wall(self) -> float | None:
        return self._median("wall")

    @property
    def rss_mb(self) -> float | None:
        return self._median("rss_mb")

    @property
    def tree_rss_mb(self) -> float | None:
        return self._median("tree_rss_mb")

    @property
    def cpu(self) -> float | None:
        return self._median("cpu")


def ratio(a: float | None, b: float | None) -> float | None:
    """``a / b``, or None when either figure is missing."""
    return a / b if a is not None and b else None


_LAUNCHER = """
import os, sys, threading, time

def tree_rss(pid):
    total, pending = 0, [pid]
    while pending:
        p = pending.pop()
        try:
            with open(f"/proc/{p}/status") as status:
                total += next(int(l.split()[1]) for l in status if l.startswith("VmRSS:"))
            for task in os.listdir(f"/proc/{p}/task"):
                with open(f"/proc/{p}/task/{task}/children") as children:
                    pending.extend(int(c) for c in children.read().split())
        except (OSError, StopIteration, ValueError):
            pass
    return total

start = time.perf_counter()
pid = os.fork()
if pid == 0:
    os.execvp(sys.argv[2], sys.argv[2:])
peak, done = [0], threading.Event()

def sample():
    while not done.wait(0.05):
        peak[0] = max(peak[0], tree_rss(pid))

sampler = threading.Thread(target=sample, daemon=True)
sampler.start()
_, status, usage = os.wait4(pid, 0)
wall = time.perf_counter() - start
done.set()
sampler.join()
with open(sys.argv[1], "w") as figures:
    cpu = usage.ru_utime + usage.ru_stime
    figures.write(f"{wall} {usage.ru_maxrss} {max(peak[0], usage.ru_maxrss)} {cpu}")
sys.exit(os.waitstatus_to_exitcode(status))
"""
"""Runs the command from a small fresh interpreter: Linux keeps a process's peak RSS across
``exec``, so a command forked straight from this (large) process would report our own."""


def run_once(argv: Sequence[str], env: dict[str, str] | None = None) -> Run:
    """Run ``argv`` to completion; raise `CommandFailed` with its output when it fails."""
    with tempfile.TemporaryFile() as output, tempfile.NamedTemporaryFile("r") as figures:
        result = subprocess.run(
            [sys.executable, "-S", "-c", _LAUNCHER, figures.name, *argv],
            stdout=output,
            stderr=subprocess.STDOUT,
            env=env,
            stdin=subprocess.DEVNULL,
        )
        if result.returncode != 0:
            output.seek(0)
            text = output.read().decode(errors="replace")[-3000:]
            raise CommandFailed(f"{' '.join(argv)} exited {result.returncode}:\n{text}")
        wall, rss_kib, tree_kib, cpu = figures.read().split()
    return Run(float(wall), int(rss_kib) / 1024, int(tree_kib) / 1024, float(cpu))


@dataclass(frozen=True)
class Command:
    """A measured command: ``prepare()`` (untimed) runs before each of its runs."""

    label: str
    argv: Sequence[str]
    prepare: Callable[[], None] | None = None
    env: dict[str, str] | None = None


def measure_in_turns(commands: Sequence[Command], repeat: int) -> list[Figure]:
    """``repeat`` rounds, each running every command once, in turn.

    Compared commands take turns so that a slow minute of a shared machine falls on all of them
    rather than on one side of a ratio. A failing command ends its figure with the error
    recorded instead of its runs; the others go on.
    """
    figures = [Figure(command.label, " ".join(command.argv)) for command in commands]
    for _ in range(repeat):
        for command, figure in zip(commands, figures, strict=True):
            if figure.error:
                continue
            if command.prepare:
                command.prepare()
            try:
                figure.runs.append(run_once(command.argv, command.env))
            except CommandFailed as exc:
                figure.runs.clear()
                figure.error = str(exc)
    return figures
