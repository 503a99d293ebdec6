"""Which registers the benchmarks generate: their kinds, numbering spaces and manifest facts.

Every register is a separate numbering space, so the numbers of a whole directory are unique:

- a provincial approval roster (authority 2200, region 2200) holds up to 4 × 9,999 numbers per
  year code (初/中/高级 and 技师, which the province issues) — the only register that can reach
  ~40,000 rows, and there is one per year from the first batch's 2011 (附件3 二) to 2026;
- a city approval roster (authority = region = the city) holds up to 3 × 9,999 (no 技师);
- a technician roster (authority 2200, region = a city) holds up to 9,999 (技师 only).

Registers take the kinds that can hold their rows in turn, and a kind whose years are used up
drops out: the full-size run is 16 provincial and 18 city rosters of 29,412 rows. Smaller runs
cycle through the three kinds and alternate UTF-8 and GB18030. `bench.generate` writes their rows.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass

from registry.domain.regions import PROVINCE, REGIONS, region_name

PER_LEVEL = 9_999
FIRST_YEAR = 2011
"""the first batch's year code is 11 (附件3 二); the sync refuses an earlier one"""
LAST_YEAR = 2026
"""fixed, not today's year, so that the generated registers stay the same"""
CITIES = [code for code in REGIONS if code != PROVINCE]


@dataclass(frozen=True)
class RegisterPlan:
    """One generated register: its manifest facts and how many rows it holds."""

    file: str
    kind: str
    authority: str
    region: str
    year: int
    encoding: str
    rows: int

    @property
    def year_code(self) -> str:
        return f"{self.year % 100:02d}"

    @property
    def issued_on(self) -> dt.date:
        return dt.date(self.year, 3, 15)

    @property
    def approval_doc(self) -> str:
        office = (
            "川人社函" if self.authority == PROVINCE else f"{region_name(self.authority)}人社函"
        )
        return f"{office}〔{self.year}〕{int(self.region) % 100 + 1}号"

    @property
    def letters(self) -> str:
        if self.kind == "technician-roster":
            return "J"
        return "CZGJ" if self.authority == PROVINCE else "CZG"

    @property
    def capacity(self) -> int:
        return PER_LEVEL * len(self.letters)

    def manifest(self) -> str:
        lines = [
            "[[register]]",
            f'file = "{self.file}"',
            f'kind = "{self.kind}"',
            f'authority = "{self.authority}"',
            f'region = "{self.region}"',
            f'approval_doc = "{self.approval_doc}"',
            f"issued_on = {self.issued_on.isoformat()}",
            f'year_code = "{self.year_code}"',
        ]
        if self.authority == PROVINCE and self.kind == "approval-roster":
            lines.append('unit = "省直基准测试单位"')
        return "\n".join(lines) + "\n"


def _slots(kind: str) -> Iterator[tuple[str, str, int]]:
    """(authority, region, year) numbering spaces of one kind, in a fixed order."""
    for year in range(FIRST_YEAR, LAST_YEAR + 1):
        if kind == "province":
            yield PROVINCE, PROVINCE, year
        for city in CITIES:
            if kind == "city":
                yield city, city, year
            elif kind == "technician":
                yield PROVINCE, city, year


def plan_registers(count: int, rows: int, suffix: str = "csv") -> list[RegisterPlan]:
    """``count`` registers of ``rows`` rows each, with disjoint numbering spaces."""
    kinds = [
        ("province", "approval-roster", 4 * PER_LEVEL),
        ("city", "approval-roster", 3 * PER_LEVEL),
        ("technician", "technician-roster", PER_LEVEL),
    ]
    usable = [(name, kind, _slots(name)) for name, kind, cap in kinds if rows <= cap]
    if not usable:
        raise ValueError(f"a register holds at most {4 * PER_LEVEL} numbers, not {rows}")
    plans: list[RegisterPlan] = []
    turn = 0
    while len(plans) < count:
        if not usable:
            raise ValueError(f"only {len(plans)} numbering spaces hold {rows} rows, not {count}")
        name, kind, slots = usable[turn % len(usable)]
        slot = next(slots, None)
        if slot is None:
            usable.remove((name, kind, slots))
            continue
        turn += 1
        authority, region, year = slot
        index = len(plans) + 1
        encoding = "gb18030" if index % 2 == 0 and suffix == "csv" else "utf-8"
        plans.append(
            RegisterPlan(
                f"{index:02d}-{year}-{region}-{name}.{suffix}",
                kind,
                authority,
                region,
                year,
                encoding,
                rows,
            )
        )
    return plans
