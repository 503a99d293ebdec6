"""The register kinds the sync knows (SPEC §4, §9), each a `registry.kinds.base.Kind`.

Adding a kind: one module here with its layout, checks and payload, and one line below — the
other places it touches are listed in docs/ARCHITECTURE.md ("Where things go").
"""

from __future__ import annotations

from typing import Any

from registry.kinds import collections, dispatches, requisitions, rosters, status_changes
from registry.kinds.base import Kind
from registry.sheets.layout import Layout

KINDS: dict[str, Kind[Any, Any]] = {
    kind.layout.kind: kind
    for kind in (
        rosters.APPROVAL,
        rosters.TECHNICIAN,
        status_changes.KIND,
        requisitions.KIND,
        dispatches.KIND,
        collections.KIND,
    )
}

LAYOUTS: dict[str, Layout] = {code: kind.layout for code, kind in KINDS.items()}
"""Register kind → the spreadsheet layout it is read (and its blank form written) with."""
