"""A deterministic generator of valid registers for the benchmarks (synthetic people only).

`bench.plans` says which registers a run holds; this module draws their rows, the same on every
call with the same seed, and writes them. The CSVs have one flat header row and no title or
footer, so that the plain-``csv`` floor and ``sqlite-utils insert --csv`` see exactly the rows
certreg loads; the ``.xlsx`` register is laid out like the annex (title, merged two-row header,
footer with the approval counts) by `registry.sheets.writers.write_xlsx`.
"""

from __future__ import annotations

import csv
import datetime as dt
import random
from collections import Counter
from pathlib import Path

from bench.plans import RegisterPlan
from registry.domain.exam import EXAM_COLUMNS
from registry.domain.levels import LEVELS
from registry.domain.names import name_key
from registry.domain.regions import region_name
from registry.kinds import LAYOUTS
from registry.sheets.writers import approval_footer, write_xlsx
from registry.sync.catalogue import load_catalogue

SEED = 389
VERSION = 5
"""bumped whenever the generated rows change, so that cached data is regenerated"""
LEVEL_TEXT = {"C": "初级", "Z": "中级", "G": "高级", "J": "技师"}

SURNAMES = list(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
)
GIVEN = list(
    "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰文辉建国红梅志鹏飞宇浩然思远德福春燕海波云龙"
)
MINORITY = ["阿依古丽•买买提", "热合曼・吐尔逊", "马·尔古", "吉克·阿呷", "扎西·多吉"]
GRADES = ["合格", "良好", "优秀"]
EDUCATION = ["初中", "高中", "中专", "大专", "本科"]


def _numbers(plan: RegisterPlan) -> list[str]:
    """Certificate numbers spread evenly over the register's levels, each level's sequence rising
    by one in roster order (附件3 四, §四.(五)3): C0001, Z0001, G0001, J0001, C0002 …"""
    letters = plan.letters
    return [
        f"{letters[i % len(letters)]}{plan.year_code}{plan.region}{i // len(letters) + 1:04d}"
        for i in range(plan.rows)
    ]


HolderKey = tuple[str, int, int, object, str]
"""name, birth year and month, trade, level: two rows alike in all are the same holder (§二)."""


def _name(rng: random.Random) -> str:
    if rng.random() < 0.01:
        return rng.choice(MINORITY)
    given = "".join(rng.choices(GIVEN, k=1 if rng.random() < 0.3 else 2))
    name = rng.choice(SURNAMES) + given
    return name[0] + "\u3000" + name[1] if len(name) == 2 and rng.random() < 0.5 else name


def _year_month(year: int, month: int, style: int) -> str:
    return (
        f"{year}.{month:02d}",
        f"{year}-{month:02d}",
        f"{year}年{month}月",
        f"{year}{month:02d}",
    )[style]


def _wage_grade_since(
    rng: random.Random, work: tuple[int, int], issued_on: dt.date, corrected: bool
) -> tuple[int, int]:
    """A 执行工资等级起始时间 between the start of work and the issue (as the sync requires):
    one to ten years into work; a corrected row's a year earlier, or a month where that would
    come before the start of work."""
    start = work[0] * 12 + work[1] - 1
    latest = issued_on.year * 12 + issued_on.month - 1
    since = min(start + rng.randint(12, 120), latest)
    if corrected:
        since -= 12 if since - 12 >= start else 1
    return divmod(since, 12)[0], since % 12 + 1


def _holders(
    name: str, birth_year: int, birth_month: int, trades: tuple[str, ...], letter: str
) -> list[HolderKey]:
    """The holders a row makes with each of ``trades``."""
    key = name_key(name)
    return [(key, birth_year, birth_month, trade, letter) for trade in trades]


def register_rows(
    plan: RegisterPlan,
    seed: int = SEED,
    corrected_every: int = 0,
    taken: set[HolderKey] | None = None,
) -> list[dict[str, object]]:
    """The rows of ``plan``, the same on every call with the same ``seed`` and ``taken``.

    ``corrected_every`` > 0 yields a corrected version: every n-th row has a new
    执行工资等级起始时间 and 报考工种 (a technician roster: a new 工作单位, so that its trades stay
    together), as a clerk's second version of a register would. ``taken`` holds the holders of
    the registers generated before this one: a row that would repeat one gets another name, since
    the sync refuses a second certificate of the same level to the same holder (§二); the row's
    holder is added to it.
    """
    rng = random.Random(f"{seed}:{plan.file}")
    trades = load_catalogue().names
    technician = plan.kind == "technician-roster"
    taken = set() if taken is None else taken
    letters = plan.letters
    rows: list[dict[str, object]] = []
    for index in range(1, plan.rows + 1):
        letter = letters[(index - 1) % len(letters)]
        birth_year = plan.year - rng.randint(22, 55)
        birth_month = rng.randint(1, 12)
        work_year = birth_year + rng.randint(17, 21)
        style = rng.randrange(4)
        corrected = corrected_every and index % corrected_every == 0
        drawn = rng.randrange(len(trades))
        trade = trades[drawn]
        # the holder with the row's trade, and with the trade a corrected version gives it:
        # neither may be anyone else (on every call, so that both versions draw the same names)
        other = trades[(drawn + 1) % len(trades)]
        name = _name(rng)
        keys = _holders(name, birth_year, birth_month, (trade, other), letter)
        while not taken.isdisjoint(keys):
            name = _name(rng)
            keys = _holders(name, birth_year, birth_month, (trade, other), letter)
        taken.update(keys)
        if corrected and not technician:
            trade = other
        row: dict[str, object] = {
            "姓名": name,
            "性别": rng.choice("男女"),
            "报考年度": plan.year - rng.randint(0, 1),
            "报考工种": trade,
        }
        if technician:
            unit = rng.randint(1, 400) + (1 if corrected else 0)
            row |= {
                "出生日期": _year_month(birth_year, birth_month, style),
                "文化程度": rng.choice(EDUCATION),
                "工作单位": f"{region_name(plan.region)}第{unit}基准单位",
                "批准文号": plan.approval_doc,
            }
        else:
            work_month = rng.randint(1, 12)
            wage_year, wage_month = _wage_grade_since(
                rng, (work_year, work_month), plan.issued_on, bool(corrected)
            )
            row |= {
                "出生年月": _year_month(birth_year, birth_month, style),
                "参加工作时间": _year_month(work_year, work_month, style),
                "原岗位证书号（未获工种年限）": ""
                if rng.random() < 0.9
                else f"{rng.randint(1, 9)}年",
                "执行工资等级起始时间": f"{wage_year}.{wage_month:02d}",
                "报考等级": LEVEL_TEXT[letter],
                # conduct, work and ethics are graded; theory and practice are scored
                **{column: rng.choice(GRADES) for column in EXAM_COLUMNS[:3]},
                **{column: rng.randint(60, 99) for column in EXAM_COLUMNS[3:]},
            }
        rows.append(row)
    if technician:  # drawn up trade by trade (§四.(五)2), numbered in that order
        rows.sort(key=lambda row: str(row["报考工种"]))
    for index, (row, number) in enumerate(zip(rows, _numbers(plan), strict=True), start=1):
        row["颁发证书编号"] = number
        if technician:
            row["序号"] = index
    return rows


def write_csv_register(path: Path, plan: RegisterPlan, rows: list[dict[str, object]]) -> None:
    """``plan``'s rows to a CSV with one flat header row of the annex's columns."""
    columns = LAYOUTS[plan.kind].form_columns
    with path.open("w", encoding=plan.encoding, newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(columns)
        writer.writerows([row.get(c, "") for c in columns] for row in rows)


def write_xlsx_register(path: Path, plan: RegisterPlan, rows: list[dict[str, object]]) -> None:
    """``plan``'s rows as an annex-shaped ``.xlsx``: title, merged header, footer with counts."""
    footer = None
    if plan.kind == "approval-roster":
        counts = Counter(str(row["颁发证书编号"])[0] for row in rows)
        footer = approval_footer({letter: counts[letter] for letter in LEVELS})
    write_xlsx(path, LAYOUTS[plan.kind], rows, footer=footer)


def write_directory(
    directory: Path,
    plans: list[RegisterPlan],
    seed: int = SEED,
    corrected: str | None = None,
    only: str | None = None,
) -> None:
    """Write every register of ``plans`` and the ``registers.toml`` that lists them.

    ``corrected`` names one file to write as its corrected version (see `register_rows`).
    ``only`` names the one file to write (the manifest then lists it alone); the registers before
    it are still generated, so that its holders are the ones it has among all of ``plans``.
    """
    directory.mkdir(parents=True, exist_ok=True)
    taken: set[HolderKey] = set()
    written = []
    for plan in plans:
        rows = register_rows(plan, seed, 100 if plan.file == corrected else 0, taken)
        if only is not None and plan.file != only:
            continue
        written.append(plan)
        path = directory / plan.file
        if plan.file.endswith(".xlsx"):
            write_xlsx_register(path, plan, rows)
        else:
            write_csv_register(path, plan, rows)
        if plan.file == only:
            break
    manifest = "# Generated by bench/generate.py: synthetic people, valid registers.\n\n"
    manifest += "\n".join(plan.manifest() for plan in written)
    (directory / "registers.toml").write_text(manifest, encoding="utf-8")
