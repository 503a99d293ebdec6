"""The register kinds the sync knows (SPEC §4), each a `registry.loading.Kind`."""

from __future__ import annotations

from registry.loading import Kind
from registry.rosters import apply_roster, check_roster
from registry.status_changes import apply_status_changes, check_status_changes

ROSTER = Kind(validate=check_roster, apply=apply_roster)

KINDS: dict[str, Kind] = {
    "approval-roster": ROSTER,
    "technician-roster": ROSTER,
    "status-changes": Kind(validate=check_status_changes, apply=apply_status_changes),
}
