"""How the registry describes what it stores: `CertificateRow`, a certificate as a roster gives
it, whose field names are the ``certificates`` columns a register may set
(`registry.store.schema` adds the registry's own), and `TableSpec`, a table as
`registry.store.schema` declares it for sqlite-utils to create and upgrade."""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple


class CertificateRow(NamedTuple):
    """A certificate as its roster row gives it (附件4 / 附件5), in ``certificates`` column order.

    A tuple: a roster builds one per row and the sync hands them to ``executemany`` as they are."""

    number: str
    letter: str
    level: str
    year_code: str
    region: str
    sequence: int
    name: str
    name_key: str
    sex: object
    birth: object
    work_start: object
    unit: str | None
    education: str | None
    prior_certificate: str | None
    wage_grade_since: object
    exam_year: object
    trade: object
    # 考试考核结果 (附件4), one column each, in the order of the roster layout's EXAM_COLUMNS
    conduct: object
    work_record: object
    ethics: object
    theory: object
    practice: object
    approval_doc: str | None
    issued_on: str
    authority: str
    register: str
    source_row: int
    remark: str | None
    """备注: e.g. that a holder who looks like an existing one is another person"""


ROSTER_FIELDS = CertificateRow._fields[1:]
"""The fields a corrected register may change (compared field by field, kept in history)."""


@dataclass(frozen=True)
class TableSpec:
    """A table's columns and types, primary key, indexes, foreign keys and column defaults:
    what `registry.store.db` creates and `registry.store.upgrade` adds to an older registry."""

    columns: dict[str, type]
    pk: str = "id"
    indexes: tuple[tuple[str, ...], ...] = ()
    foreign_keys: tuple[tuple[str, str, str], ...] = ()
    defaults: dict[str, object] | None = None
