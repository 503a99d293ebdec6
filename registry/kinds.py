"""The register kinds the sync knows (SPEC §4, §9), each a `registry.loading.Kind`."""

from __future__ import annotations

from registry.collections_register import apply_collections, check_collections
from registry.dispatches import apply_dispatches, check_dispatches
from registry.loading import Kind
from registry.requisition_form import read_requisitions
from registry.requisitions import apply_requisitions, check_requisitions
from registry.rosters import apply_roster, check_roster, check_rows
from registry.status_changes import apply_status_changes, check_status_changes

ROSTER = Kind(validate=check_roster, apply=apply_roster, check_alone=check_rows)

KINDS: dict[str, Kind] = {
    "approval-roster": ROSTER,
    "technician-roster": ROSTER,
    "status-changes": Kind(validate=check_status_changes, apply=apply_status_changes),
    "requisitions": Kind(check_requisitions, apply_requisitions, read=read_requisitions),
    "dispatches": Kind(check_dispatches, apply_dispatches),
    "collections": Kind(check_collections, apply_collections),
}
