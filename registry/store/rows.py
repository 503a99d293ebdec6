"""A certificate as a roster gives it: `CertificateRow`, whose field names are the
``certificates`` columns a register may set (`registry.store.schema` adds the registry's own)."""

from __future__ import annotations

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
