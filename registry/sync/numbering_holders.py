"""§二 before ``certreg number`` hands out numbers: one certificate per holder, trade and level.

A row the sync would refuse as a second certificate of its holder must not take a number: the
clerk then drops the row, and the gap it leaves in the numbers after it only a new numbering
run closes — their first numbers lost for good (附件3 四). So a row is refused here when its
holder already holds the certificate in the registry, or in a row above it — numbered already
or about to be — unless its 备注 says it is somebody else.
"""

from __future__ import annotations

import sqlite3

from registry.domain.dates import BadDate, parse_year_month, year_month_text
from registry.domain.names import holder_key, name_key
from registry.domain.problems import Problem
from registry.domain.registers import TECHNICIAN_ROSTER
from registry.domain.trades import TradeCatalogue
from registry.kinds.roster_remarks import different_person
from registry.kinds.roster_rules import ANOTHER_PERSON, held_already_rule
from registry.sheets.cells import text
from registry.sheets.table import Record
from registry.store.holdings import (
    Holder,
    held_as_first_registered,
    held_by,
    renamed_holders,
    renamed_rule,
)


class Holders:
    """The holders of a roster being numbered, row by row in roster order."""

    def __init__(self, conn: sqlite3.Connection, kind: str, catalogue: TradeCatalogue) -> None:
        self.conn = conn
        self.catalogue = catalogue
        self.birth_column = "出生日期" if kind == TECHNICIAN_ROSTER else "出生年月"
        self.first: dict[Holder, int] = {}
        """each holder's first row in the file"""
        self._renamed: dict[tuple[str, object], list[str]] | None = None

    def _holder(self, record: Record, letter: str) -> Holder | None:
        """The row's holder, None when 备注 says it is another person or a cell cannot be read
        (the sync names that cell; numbering only needs who holds what)."""
        values = record.values
        if different_person(text(values.get("备注"))):
            return None
        trade = self.catalogue.resolve(text(values.get("报考工种")))
        try:
            birth = year_month_text(*parse_year_month(values.get(self.birth_column) or ""))
        except BadDate:
            return None
        if trade is None:
            return None
        return name_key(text(values.get("姓名"))), birth, trade, letter

    def numbered(self, record: Record, letter: str) -> None:
        """A row that carries its number already: its holder holds it."""
        if holder := self._holder(record, letter):
            self.first.setdefault(_in_file(holder), record.row)

    def _held_as_first_registered(self, holder: Holder) -> tuple[str, str] | None:
        """(old, newest) when ``holder`` is known by a name or birth a 换发 corrected, and holds
        its newest certificate (`renamed_holders`)."""
        if self._renamed is None:
            self._renamed = renamed_holders(self.conn)
        return next(
            held_as_first_registered(self.conn, self._renamed, holder, self.catalogue), None
        )

    def refusal(self, record: Record, letter: str) -> Problem | None:
        """Why the row may not take a number of ``letter``: its holder holds one already."""
        holder = self._holder(record, letter)
        if holder is None:
            return None
        first = self.first.setdefault(_in_file(holder), record.row)
        if first != record.row:
            where = f"本文件第{first}行"
        elif held := held_by(self.conn, holder, self.catalogue):
            where = f"登记库中（{held[0][0]}，名册“{held[0][1]}”）"
        elif renamed := self._held_as_first_registered(holder):
            return self._refused(record, renamed_rule(*renamed))
        else:
            return None
        return self._refused(record, held_already_rule(where))

    @staticmethod
    def _refused(record: Record, held: str) -> Problem:
        rule = f"{held}，不能再编号：请删除这一行后再编号；{ANOTHER_PERSON}"
        return Problem(record.row, "姓名", text(record.values.get("姓名")), rule, "§二")


def _in_file(holder: Holder) -> Holder:
    """A holder as the sync tells two rows of one file apart (`registry.kinds.roster_rules.holding`):
    without a minority name's dots — 阿依古丽买买提 two rows below 阿依古丽·买买提 was numbered
    again, and the numbered copy then refused under §二."""
    key, birth, trade, letter = holder
    return holder_key(key), birth, trade, letter
