"""Markdown tables of the figures and of the targets the issue sets, with met / missed."""

from __future__ import annotations

import platform
import sqlite3
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version

PACKAGES = (
    "certreg",
    "sqlite-utils",
    "python-calamine",
    "openpyxl",
    "datasette",
    "starlette",
    "uvicorn",
)


@dataclass(frozen=True)
class Target:
    """One target of the issue: ``value`` compared with ``limit`` (``at_most`` or at least)."""

    name: str
    value: float | None
    limit: float
    at_most: bool
    unit: str = "×"

    @property
    def verdict(self) -> str:
        if self.value is None:
            return "not measured"
        met = self.value <= self.limit if self.at_most else self.value >= self.limit
        return "met" if met else "**missed**"

    def row(self) -> list[str]:
        shown = "—" if self.value is None else f"{self.value:.2f}{self.unit}"
        bound = f"{'≤' if self.at_most else '≥'} {self.limit:g}{self.unit}"
        return [self.name, shown, bound, self.verdict]


def table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """A Markdown table, columns padded so that it also reads well in a terminal."""
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    lines = [
        "| " + " | ".join(str(c).ljust(w) for c, w in zip(header, widths, strict=True)) + " |"
        for header in [header]
    ]
    lines.append("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    lines += [
        "| " + " | ".join(str(c).ljust(w) for c, w in zip(r, widths, strict=True)) + " |"
        for r in rows
    ]
    return "\n".join(lines)


def targets_table(targets: Sequence[Target]) -> str:
    return table(["target", "measured", "goal", "verdict"], [t.row() for t in targets])


def _tool_version(argv: list[str]) -> str:
    try:
        result = subprocess.run(argv, capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.TimeoutExpired):
        return "not installed"
    return (result.stdout or result.stderr).strip().splitlines()[0]


def machine() -> str:
    """The machine and the versions every figure depends on."""
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as handle:
            models = [
                line.split(":", 1)[1].strip() for line in handle if line.startswith("model name")
            ]
        cpu = f"{len(models)} × {models[0]}" if models else cpu
    except OSError:
        pass
    try:
        with open("/proc/meminfo", encoding="utf-8") as handle:
            memory = f"{int(handle.readline().split()[1]) / 1024 / 1024:.0f} GiB"
    except (OSError, ValueError, IndexError):
        memory = "?"
    versions = []
    for package in PACKAGES:
        try:
            versions.append(f"{package} {version(package)}")
        except PackageNotFoundError:
            versions.append(f"{package} (not installed)")
    return "\n".join(
        [
            f"- machine: {cpu}, {memory} RAM, {platform.system()} {platform.release()}",
            f"- Python {sys.version.split()[0]}, SQLite {sqlite3.sqlite_version}",
            f"- {', '.join(versions)}",
            f"- {_tool_version(['wrk', '--version'])}",
        ]
    )
