"""What a write to the registry reports back to the sync: rows added and changed, and conflicts
(things staff must look at that did not stop the register from loading)."""

from __future__ import annotations

from dataclasses import dataclass, field

from registry.domain.problems import Problem


@dataclass
class Applied:
    added: int = 0
    changed: int = 0
    conflicts: list[Problem] = field(default_factory=list)
