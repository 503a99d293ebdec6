"""The blank-certificate tables (附件1 申领, 附件2 发放, the 领取登记 of §四.(六)1) and the stock
reconciliation's summaries of them (`registry.store.summaries`, `registry.store.stock`);
created and upgraded with the registry's other tables (`registry.store.schema`).
"""

from __future__ import annotations

from registry.store.rows import TableSpec

QUANTITY_FIELDS: dict[str, str] = {
    "初级": "junior",
    "中级": "intermediate",
    "高级": "senior",
    "技师": "technician",
}
"""Quantity column of 附件1/附件2 → column of the ``requisitions`` and ``dispatches`` tables."""
_QUANTITY_CELLS = {field: column for column, field in QUANTITY_FIELDS.items()} | {"total": "合计"}
BLANK_COLUMNS: dict[str, dict[str, str]] = {
    "requisitions": {
        "unit": "单位",
        "contact": "联系人",
        "phone": "联系电话",
        **_QUANTITY_CELLS,
        "city_opinion": "市（州）意见",
        "province_opinion": "省厅意见",
    },
    "dispatches": {
        "unit": "领取单位",
        **_QUANTITY_CELLS,
        "dispatched_on": "日期",
        "handled_by": "经办人",
    },
    "collections": {"collector": "领取人", "signature": "签名", "collected_on": "日期"},
}
"""Per blank-certificate table, its columns that are cells of the form → the form's heading,
for a correction's report: what the clerk wrote, not what certreg reads from it (the recipient,
a requisition's state follow from the unit and the opinions)."""

_QUANTITIES = {**dict.fromkeys(QUANTITY_FIELDS.values(), int), "total": int}
_UNIT_RECORD = {
    "id": int,
    "register": str,
    "sync": int,
    "source_row": int,
    "unit": str,
    "recipient": str,
    "city": str,
}
"""What a requisition and a dispatch share: the register row it came from, the unit as written,
and who receives the blanks (`registry.kinds.blanks.Recipient`: a city, with its code, or a
provincial-direct unit)."""


STOCK_TABLES: dict[str, TableSpec] = {
    # The blank-certificate registers (附件1, 附件2, the 领取登记 of §四.(六)1)
    "requisitions": TableSpec(
        {
            **_UNIT_RECORD,
            "contact": str,
            "phone": str,
            **_QUANTITIES,
            "city_opinion": str,
            "city_agreed_on": str,
            "province_opinion": str,
            "approved_on": str,
            "status": str,
        },
        indexes=(("register",),),
    ),
    "dispatches": TableSpec(
        {
            **_UNIT_RECORD,
            **_QUANTITIES,
            "dispatched_on": str,
            "handled_by": str,
        },
        indexes=(("register",),),
    ),
    "collections": TableSpec(
        {
            "number": str,
            "register": str,
            "sync": int,
            "source_row": int,
            "collector": str,
            "signature": str,
            "collected_on": str,
        },
        "number",
        indexes=(("register",),),
    ),
    # the stock reconciliation's figures other than the blanks a roster's certificates used, per
    # register they come from (``source``; '' for the part the status changes make)
    "stock_parts": TableSpec(
        {
            "id": int,
            "source": str,
            "roster": str,
            "recipient": str,
            "region": str,
            "letter": str,
            "requested": int,
            "approved": int,
            "dispatched": int,
            "spoiled": int,
            "used": int,
            "current": int,
            "collected": int,
        },
        indexes=(("source",),),
    ),
    # the status changes' part of stock_parts, per certificate an event touched (its totals are
    # that part): a register's load recomputes its own certificates, not every one
    "changed_parts": TableSpec(
        {
            "number": str,
            "roster": str,
            "region": str,
            "letter": str,
            "spoiled": int,
            "used": int,
            "current": int,
            "from_roster": int,
            "collected": int,
        },
        "number",
    ),
}
