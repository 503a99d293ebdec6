"""How a roster row's certificate number fits its row and its register (附件3, §三, §四.(四)):
its level letter, year code and region, and a number the file gives twice; `RowNumbers` reads
them as `registry.kinds.roster_rows` checks the rows."""

from __future__ import annotations

from registry.domain.clock import beijing_today
from registry.domain.levels import LEVELS
from registry.domain.numbers import (
    CertificateNumber,
    MalformedNumber,
    parse_canonical,
    year_of_code,
)
from registry.domain.problems import NUMBER_TAKEN, Problem
from registry.domain.regions import PROVINCE, issuing_problem, region_name
from registry.domain.registers import TECHNICIAN_ROSTER
from registry.kinds.base import RegisterEntry
from registry.kinds.roster_cells import NUMBER_COLUMN
from registry.kinds.roster_order import NumberedRow
from registry.kinds.roster_result import RosterResult
from registry.sheets.cells import text
from registry.sheets.table import Record


def number_problems(
    parsed: CertificateNumber, letter: str | None, entry: RegisterEntry
) -> tuple[tuple[str, str], ...]:
    """(rule, clause) for each way a well-formed number does not fit its row and register."""
    found = []
    if letter and parsed.letter != letter:
        found.append(
            (f"首位“{parsed.letter}”（{parsed.level}）与报考等级“{LEVELS[letter]}”不符", "附件3")
        )
    if parsed.year_code != entry.year_code:
        found.append((_year_code_problem(parsed.year_code, entry), "附件3"))
    if parsed.region != entry.region:  # one problem, not also the issuing rights it implies
        found.append((_region_problem(parsed.region, entry), "§四.(四)"))
    # the rights of the row's level, as its 报考等级 (or the roster's kind) says: a Z number on
    # a 附件5 row was also told the province numbers 中级 with 2200 — to mend the region, not
    # the letter (an auditor's review)
    elif reason := issuing_problem(entry.authority, parsed.region, letter or parsed.letter):
        found.append((reason, "§三"))
    return tuple(found)


def _region_problem(written: str, entry: RegisterEntry) -> str:
    """Why a number's region is not its register's, and what to write: a 附件5 roster's region
    only — its authority is the province's (§三), and a clerk told ``--region 或 --authority``
    who gave ``--authority 2213`` was refused for it (a clerk's review)."""
    said, ours = region_name(written), region_name(entry.region)
    mismatch = (
        f"地区代码“{written}”（{said}）与本名册的编号地区 {entry.region}（{ours}）不符："
        "编号第4-7位是发证地区的代码（附件3 三）。"
    )
    if entry.kind == TECHNICIAN_ROSTER:
        mend = (
            f'如本名册确是{said}的技师，请在 registers.toml 中写 region = "{written}"（单个文件'
            f"用 --region {written}）：技师证书由省厅核发，authority 仍为 {PROVINCE}，编号用持证人"
            "所在市（州）的代码（§三）"
        )
    else:
        mend = (
            f"如本名册确是{said}的，请改正 registers.toml 中的 region（未写时即 authority；"
            "单个文件用 --region 或 --authority）"
        )
    return f"{mismatch}{mend}；否则请改正编号"


def _year_code_problem(written: str, entry: RegisterEntry) -> str:
    """Why a number's year code is not its batch's, and what to do: a year after the issue
    date cannot be the batch's (附件3 二), so the numbers are to be made again — its advice to
    write that year into registers.toml was then refused there as later than the issue date."""
    mismatch = f"年份代码“{written}”与本批次核发年份代码“{entry.year_code}”不符"
    year = year_of_code(written, beijing_today())
    if entry.issued_on and year > entry.issued_on.year:
        return (
            f"{mismatch}：编号中的 {year} 年晚于发证日期 {entry.issued_on.isoformat()}（附件3 二："
            "年份代码是核发年份），这些编号是按错误的年份编的（常见于编号时未指定 --year-code，"
            f"取了今年）。请对原文件重新运行 certreg number，加 --year-code {entry.year_code} "
            "--again，再导入新的编号副本；原副本中的编号不再使用"
        )
    return (
        f"{mismatch}（本批次的年份代码是 registers.toml 的 year_code，未写时取发证日期的年份后两位）。"
        f'如编号无误，请在 registers.toml 中写 year_code = "{written}"'
        f"（单个文件用 --year-code {written}）；否则请改正编号"
    )


def _as_typed(record: Record) -> dict[str, object]:
    """A row's cells but its 序号, text without the spaces that pad it (郑　浩)."""
    return {
        column: "".join(value.split()) if isinstance(value, str) else value
        for column, value in record.values.items()
        if column != "序号"
    }


def given_twice(first: Record, again: Record, written: str) -> Problem:
    """The problem of a number the file gives twice: a row copied whole (its 序号 aside) a
    clerk deletes — renumbering it, as for two holders, would register one person twice."""
    if _as_typed(first) == _as_typed(again):
        rule = f"与本文件第{first.row}行完全相同：同一个人登记了两次。请删除这一行"
        return Problem(again.row, NUMBER_COLUMN, written, rule, "附件3")
    rule = f"与本文件第{first.row}行的编号重复"
    return Problem(again.row, NUMBER_COLUMN, written, rule, "附件3", code=NUMBER_TAKEN)


class RowNumbers:
    """The certificate numbers of a roster's rows, read row by row into its result: each well-formed
    number (`RosterResult.numbers`), the problems of one missing, malformed, not fitting its row
    or given twice, and each row's place in its run for the order rules (`NumberedRow`)."""

    def __init__(self, entry: RegisterEntry, result: RosterResult) -> None:
        self.entry = entry
        self.result = result
        self.seen: dict[str, Record] = {}
        """number → the first row giving it"""
        self.numbered: list[NumberedRow] = []
        self.fits: dict[tuple[str, str | None, str, str], tuple[tuple[str, str], ...]] = {}

    def _run(self, letter: str | None) -> str | None:
        """The run (number prefix) a row of level ``letter`` numbers in: made only for a number
        refused for itself, not for every row."""
        return f"{letter}{self.entry.year_code}{self.entry.region}" if letter else None

    def read(
        self, record: Record, letter: str | None, trade: object
    ) -> tuple[CertificateNumber, str] | None:
        """The row's certificate number and its canonical text, when it is well-formed (fitting
        or not)."""
        row, written = record.row, text(record.values.get(NUMBER_COLUMN))
        if not written:
            rule = "没有证书编号。请先用 certreg number 按名册顺序编号，再导入编号后的副本"
            self.result.problems.append(Problem(row, NUMBER_COLUMN, written, rule, "§四.(四)"))
            return None
        # A number refused for its form, or for a letter, year code or region that is not the
        # row's and register's, holds its place in the row's own run (`order_problems`): counted
        # in another run, or as another level's number taken, it would make the correct rows
        # after it look out of order or duplicated.
        trade_name = str(trade) if trade else None
        try:
            parsed, number = parse_canonical(written)
        except MalformedNumber as exc:
            self.result.problems.append(
                Problem(row, NUMBER_COLUMN, written, f"{exc}（附件3）", "附件3")
            )
            self.numbered.append(NumberedRow(row, written, None, trade_name, self._run(letter)))
            return None
        fit_key = (parsed.letter, letter, parsed.year_code, parsed.region)
        fit = self.fits.get(fit_key)
        if fit is None:  # a register has a handful of letter/region combinations
            fit = self.fits[fit_key] = number_problems(parsed, letter, self.entry)
        first = self.seen.setdefault(number, record) if not fit else record
        twice = first is not record
        self.result.numbers.append((row, written, number))
        holds = self._run(letter) if fit or twice else None
        self.numbered.append(NumberedRow(row, written, parsed, trade_name, holds))
        if fit:
            self.result.problems.extend(Problem(row, NUMBER_COLUMN, written, *f) for f in fit)
        elif twice:
            self.result.problems.append(given_twice(first, record, written))
        return parsed, number
