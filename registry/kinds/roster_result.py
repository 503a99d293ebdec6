"""What the checks of a roster's rows make of it (`registry.kinds.roster_rows.check_rows`): its
certificates, its problems and its numbers, which cross from a worker process to the sync that
checks them against the registry (`registry.kinds.rosters.check_roster`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import cast

from registry.domain.problems import Problem
from registry.store.rows import CertificateRow


@dataclass
class RosterResult:
    certificates: list[CertificateRow] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    numbers: list[tuple[int, str, str]] = field(default_factory=list)
    """(row, number as written, canonical number) of every well-formed number, for
    `check_holdings` (strings: the result crosses from a worker process, and strings pickle
    several times faster than tuples of parts)."""
    order_problems: list[Problem] = field(default_factory=list)
    """the order rules' problems, which a register loaded before those rules is not judged by"""
    notices: list[Problem] = field(default_factory=list)
    """what the registry loads and reports as conflicts (`roster_history.collected_rewritten`)"""

    def __getstate__(self) -> dict[str, object]:
        # A result crosses from a worker process: certificates as plain tuples pickle and
        # unpickle in C, as named tuples each costs a Python call to __getnewargs__ and __new__.
        return {**self.__dict__, "certificates": list(map(tuple, self.certificates))}

    def __setstate__(self, state: dict[str, object]) -> None:
        rows = cast(list[tuple[object, ...]], state["certificates"])
        self.__dict__.update(state, certificates=list(map(CertificateRow._make, rows)))
