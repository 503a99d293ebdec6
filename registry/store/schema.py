"""The registry's tables, created with sqlite-utils; never altered or dropped once they exist.

The ``certificates`` columns a register may set are the fields of `CertificateRow`
(`registry.store.rows`), so writes bind rows by column name rather than by position.
"""

from __future__ import annotations

from registry.domain.statuses import VALID
from registry.store.rows import CertificateRow, TableSpec
from registry.store.schema_stock import STOCK_TABLES

STATUS_COLUMNS: dict[str, type] = {
    "status": str,
    "status_date": str,
    "successor": str,
    "predecessor": str,
    "reissue": int,
    "created_sync": int,
    "updated_sync": int,
}
"""What the registry adds to a roster's certificate: its status (§四.(六)) and its sync history.
``reissue`` is 1 when the paper now valid is marked 补发 (§四.(六)3): a copy a 补发 issued under a
new number, a certificate reissued under its own, and what a 换发 made of either."""

_TYPES = {"number": str, "sequence": int, "exam_year": int, "source_row": int}
HOLDER_INDEX = ("name_key", "birth")
"""Finds a holder registered before (§二: one certificate per person and level) and serves the
staff's search by name."""
DOTLESS_KEY = "replace(replace(replace({}, '·', ''), '.', ''), '-', '')"
"""A name key without a minority name's dots (`registry.domain.names.holder_key`), in SQL."""
DOTTED_KEY = "{} GLOB '*[·.-]*'"
"""Whether a name key has such a dot ('-' last in the class: not a range)."""
DOTTED_INDEX = "certificates_dotted_holders"
DOTTED_HOLDERS = (
    f"CREATE INDEX IF NOT EXISTS {DOTTED_INDEX} ON certificates"
    f" ({DOTLESS_KEY.format('name_key')}, birth) WHERE {DOTTED_KEY.format('name_key')}"
)
"""The holders whose name has a dot, by the name without it: 阿依古丽·买买提 registered, then
阿依古丽买买提 with the same birth is the same holder (§二), as the public check takes it. Only
those few names are in it, so a sync's inserts do not pay for it."""
CERTIFICATE_COLUMNS: dict[str, type] = {
    **{field: _TYPES.get(field, str) for field in CertificateRow._fields},
    **STATUS_COLUMNS,
}
"""Columns of ``certificates``."""

_BY_SYNC = (("sync", "syncs", "id"),)

FACET_INDEXES = (
    ("level", "status"),
    ("region", "status"),
    ("trade", "status"),
    ("status",),
    ("year_code", "status"),
    ("authority", "status"),
)
"""The columns staff facet and filter ``certificates`` by in Datasette (datasette_config/
metadata.yml): counting a million rows by a column is a scan of its index, not of the table —
with the status in it, so is counting those of one status (a click on 状态 撤销: each facet
looked up every certificate's status, 1.5 s a page at a million)."""

FACET_TALLIED = (
    "level",
    "region",
    "trade",
    "status",
    "year_code",
    "authority",
    "sex",
    "approval_doc",
    "letter",
    "issued_on",
)
"""What ``facet_tally`` counts certificates by: the facets, and the columns a clerk filters by
that add few rows to it (a register's approval document, issue date and level code are one or a
few; 性别 two). Not 工作单位 or 出生年月: hundreds a register, the tally would near the table."""

TABLES: dict[str, TableSpec] = {
    "certificates": TableSpec(
        CERTIFICATE_COLUMNS,
        "number",
        (("register",), HOLDER_INDEX, *FACET_INDEXES),
        defaults={"status": VALID, "reissue": 0},
    ),
    "registers": TableSpec(
        {
            "key": str,
            "kind": str,
            "file": str,
            "authority": str,
            "region": str,
            "unit": str,
            "approval_doc": str,
            "issued_on": str,
            "year_code": str,
            "fingerprint": str,
            "rows": int,
            "first_loaded": str,
            "last_loaded": str,
            "version": int,
            # the folder whose registers.toml listed it ("": a file named on the command line;
            # NULL: loaded before this was kept), and when a sync of that folder found it no
            # longer listed (NULL: listed)
            "folder": str,
            "delisted": str,
        },
        "key",
    ),
    # one row per sync attempt of a register, loaded or rejected, for staff and auditors
    "syncs": TableSpec(
        {
            "id": int,
            "at": str,
            "register": str,
            "file": str,
            "kind": str,
            "fingerprint": str,
            "outcome": str,
            "rows": int,
            "added": int,
            "changed": int,
            "conflicts": int,
            "problems": int,
            "operator": str,
            "authority": str,
            # the file's own SHA-256, as sha256sum prints it: an archived copy is matched to the
            # sync that read it (the fingerprint also hashes the manifest's facts)
            "file_sha256": str,
            # when the run that made the attempt began (`registry.sync.outcome.RUN`)
            "run": str,
        },
        indexes=(("register",),),
    ),
    "problems": TableSpec(
        {
            "id": int,
            "sync": int,
            "severity": str,
            "row": int,
            "column": str,
            "value": str,
            "rule": str,
            "clause": str,
            "number": str,
        },
        # value: a certificate's conflicts, in staff's number lookup; number: the certificate
        # of a row refused in another cell (`registry.domain.problems.Problem.number`), or the
        # number a refused number cell wrote (`registry.store.syncs._stored`)
        indexes=(("sync",), ("value",), ("number",)),
        foreign_keys=_BY_SYNC,
    ),
    # event: the status change (``status_events.id``) whose reference or row a line corrects (a
    # number may have two 补发, §四.(六)3); NULL on other lines and on those older certregs wrote
    "certificate_history": TableSpec(
        {
            "id": int,
            "number": str,
            "sync": int,
            "at": str,
            "field": str,
            "old": str,
            "new": str,
            "event": int,
        },
        indexes=(("number",),),
        foreign_keys=_BY_SYNC,
    ),
    # what a new version of a manifest entry changed of a register (unit, approval_doc,
    # issued_on): the old values, for an auditor (``registers`` holds only the latest)
    "register_history": TableSpec(
        {"id": int, "register": str, "sync": int, "at": str, "field": str, "old": str, "new": str},
        indexes=(("register",),),
        foreign_keys=_BY_SYNC,
    ),
    # what a new version of a requisitions, dispatches or collections register changed or
    # removed: the old values, for an auditor (the tables hold only the latest version)
    "blank_history": TableSpec(
        {
            "id": int,
            "sync": int,
            "kind": str,
            "register": str,
            "record": str,
            "field": str,
            "old": str,
            "new": str,
        },
        indexes=(("register",), ("record",)),  # record: a certificate's own history
        foreign_keys=_BY_SYNC,
    ),
    # 换发 / 补发 / 撤销 as registered
    "status_events": TableSpec(
        {
            "id": int,
            "sync": int,
            "register": str,
            "source_row": int,
            "type": str,
            "number": str,
            "name": str,
            "name_key": str,
            "date": str,
            "new_number": str,
            "reason": str,
            "approval_doc": str,
            "personal_application": str,
            "unit_certificate": str,
            "original_document": str,
            "supervisor_review": str,
            "issuer_review": str,
            "corrections": str,
        },
        indexes=(("number",), ("new_number",), ("register",)),
        foreign_keys=_BY_SYNC,
    ),
    # certreg number runs: who handed out which numbers, from which file
    "numbering": TableSpec(
        {
            "id": int,
            "at": str,
            "operator": str,
            "file": str,
            "out": str,
            "kind": str,
            "authority": str,
            "letter": str,
            "year_code": str,
            "region": str,
            "first_sequence": int,
            "last_sequence": int,
            "count": int,
            "abandoned": str,
        },
        indexes=(("region", "letter", "year_code"),),
    ),
    # whom each number a run handed out went to (the holder's name key, the run's file and its
    # numbered copy): another roster that gives the number to someone else before that copy is
    # loaded is refused
    "numbered_holders": TableSpec(
        {"number": str, "name_key": str, "file": str, "copy": str},
        "number",
        (("copy", "name_key"),),  # a numbered copy's holder of a name (a swap, syncs.py)
    ),
    # the trade catalogue the registers were checked with, for the public confirmation
    # (registry.store.trades): each spelling — standard name or alias — and its standard name
    "trades": TableSpec({"spelling": str, "name": str, "code": str, "source": str}, "spelling"),
    # API keys of HR systems: the key's hash only, never the key (registry.store.keys)
    "api_keys": TableSpec(
        {
            "id": int,
            "name": str,
            "key_hash": str,
            "per_day": int,
            "created_at": str,
            "created_by": str,
            "revoked_at": str,
        },
        indexes=(("key_hash",),),
    ),
}


# Summaries the sync keeps up to date in the register's own transaction (store/summaries.py),
# so that the staff's counts and the stock reconciliation read a few thousand rows rather than
# every certificate.
SUMMARY_TABLES: dict[str, TableSpec] = {
    # one row per register and distinct (region, level, year, approval, issue date, authority) of
    # its certificates, whatever their status
    "certificate_tally": TableSpec(
        {
            "id": int,
            "register": str,
            "region": str,
            "letter": str,
            "level": str,
            "year_code": str,
            "approval_doc": str,
            "issued_on": str,
            "authority": str,
            "certificates": int,
        },
        indexes=(("register",),),
    ),
    # one row per register and distinct value of the columns staff facet and filter certificates
    # by, with the status: staff's facets are counted from it when every filter is on these
    # columns (datasette_config/plugins/certreg_facets.py), kept with each register's write
    "facet_tally": TableSpec(
        {
            "id": int,
            "register": str,
            **{column: str for column in FACET_TALLIED},
            "certificates": int,
        },
        indexes=(("register",),),
    ),
}
TABLES.update(SUMMARY_TABLES)
TABLES.update(STOCK_TABLES)
