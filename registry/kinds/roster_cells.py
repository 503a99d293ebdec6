"""The roster rules that look at one cell alone (§二, §四.(三), 附件4), memoised per column.

A roster of 40,000 rows repeats a few hundred dates and a handful of sexes, levels, trades and
grades; each distinct value is checked once and its verdict reused for every row.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
import unicodedata
from collections.abc import Callable, Iterable

from registry.domain.counties import unit_regions
from registry.domain.dates import (
    BadDate,
    parse_year,
    parse_year_month,
    year_month_text,
    years_after,
)
from registry.domain.exam import EXAM_COLUMNS, exam_problem
from registry.domain.levels import LEVELS, bare_grade, read_level
from registry.domain.names import SEX_RULE, normalise_name, sex_of
from registry.domain.regions import PROVINCE, issuing_problem, region_name
from registry.domain.trades import TradeCatalogue
from registry.sheets.cells import Cell, text

NUMBER_COLUMN = "颁发证书编号"
SINCE_COLUMN = "执行工资等级起始时间"

ROSTER_FORMS = "附件4、附件5"
"""What a check of a cell's plausibility cites: the roster forms whose column it reads — the
notice sets no age, and §四.(三) (how a certificate is filled in) is not where it comes from."""
MIN_AGE_AT_ISSUE = 16
"""The youngest a holder can be (the legal working age): a younger one is a mistyped birth."""
MAX_AGE_AT_ISSUE = 70
"""The oldest: a worker takes a grade before retiring; 1900-01 is what a date cell holding 1
shows."""
MIN_AGE_AT_WORK = 12
"""The youngest a holder can have started work: a birth year typed a decade off is caught, and
a holder born in the 1940s who started at 13 (records of the time show it) is not refused."""

Verdict = tuple[object, tuple[str, str | None] | None]
"""A checked cell: its value as stored and, when it breaks a rule, (rule, clause)."""

DITTO_WORDS = frozenset({"同上", "仝上", "同前", "同左"})
DITTO_MARKS = frozenset("〃″”“\"'々")
_NOT_SAID = re.compile(r"[\s。，,.、]")


def age_at_issue(birth: str, issued_on: str) -> str | None:
    """Why a holder born in ``birth`` (YYYY-MM) cannot have been issued a certificate on
    ``issued_on``: aged `MAX_AGE_AT_ISSUE` or more, or not yet `MIN_AGE_AT_ISSUE` — a birth year
    typed one digit off (2015 for 1965), or a 1 in a date cell. None for a holder of working age
    — and for one born in the very month 70 or 16 years before, whose day is not stored: the
    doubt goes to the holder at both ends (a 69-year-old born on the 25th was refused, a
    15-year-old accepted)."""
    if years_after(birth, MAX_AGE_AT_ISSUE) < issued_on[:7]:
        return (
            f"到发证日期 {issued_on} 持证人已满 {MAX_AGE_AT_ISSUE} 周岁，出生年月应有误，"
            "请核对（日期格式的单元格里填 1 会显示为 1900-01-01）"
        )
    if years_after(birth, MIN_AGE_AT_ISSUE) > issued_on[:7]:
        return f"到发证日期 {issued_on} 持证人未满 {MIN_AGE_AT_ISSUE} 周岁，出生年月应有误，请核对"
    return None


_DITTO_FIRST = frozenset({word[0] for word in DITTO_WORDS} | DITTO_MARKS)


def is_ditto(value: Cell) -> bool:
    """A mark that repeats the row above on paper (同上, 同 上。, 〃, ″, 〃〃…): the registry
    stores each row on its own. (Cells come stripped: one look at the first character clears
    nearly every value.)"""
    if not isinstance(value, str) or value[:1] not in _DITTO_FIRST:
        return False
    said = _NOT_SAID.sub("", value)
    return said in DITTO_WORDS or (bool(said) and set(said) <= DITTO_MARKS)


DITTO_RULE = "请写出完整内容：登记库逐行保存，不能用“同上”或“〃”代替上一行的内容"
EMPTY = ("必填项为空：名册各栏须按要求填写", "§四.(五)")


def _unless_ditto(check: Callable[[Cell], Verdict]) -> Callable[[Cell], Verdict]:
    """``check``, but a ditto mark is told as one, not as a value the column does not take (性别
    “同上” is not “neither 男 nor 女”)."""

    def checked(value: Cell) -> Verdict:
        return (None, (DITTO_RULE, "§四.(五)")) if is_ditto(value) else check(value)

    return checked


ColumnCheck = tuple[str, dict[Cell, Verdict], Callable[[Cell], Verdict]]
"""(column, memo of verdicts by value, the check for a value not seen yet)"""


def level_verdict(value: Cell, region: str = PROVINCE) -> Verdict:
    """报考等级 → level letter; shared with `certreg number`, which numbers by level. A bare
    grade (四级) is refused with the level it is, yet the row's level stays unread: counted as
    中级, a row whose number and footer both said 初级 was told its letter, the footer's 初级
    and 中级 counts too — four refusals of a roster one word off, each a change the clerk
    should not make (a review of the day's diff); unread, the footer's counts it cannot
    explain are still told (`registry.kinds.roster_totals.footer_problems`). One a roster
    numbered in ``region`` may not issue (二级, 技师, in a city's) is told so (§三): told
    请填写“技师”, the clerk who did was then told a city cannot issue 技师."""
    written = normalise_name(text(value))
    letter, why = read_level(written)
    if letter:
        return letter, None
    if graded := bare_grade(written):
        if barred := issuing_problem(region, region, graded):
            return None, (f"报考等级“{written}”即{LEVELS[graded]}。{barred}", "§三")
        return None, (why or "", "附件4")
    return None, (why or "报考等级应为 初级、中级、高级 或 技师", "附件4")


def exam_verdict(value: Cell) -> Verdict:
    """A result as stored: in normal form, so that ８５ is kept as the 85 it passes as (staff's
    queries and counts compare it as written)."""
    stored = unicodedata.normalize("NFKC", text(value)) or None
    return stored, exam_problem(value if value is not None else "")


def unit_problem(value: Cell, region: str) -> tuple[str, str] | None:
    """工作单位 of a roster numbered for a city: a unit of another city (成都市… in 绵阳's, or
    of one of its counties: 富顺县…, 自贡市's) holds a certificate numbered with that city's code
    (附件3 三) — and, but for a 技师's, issued by it (§三) —: numbered here, its region code
    would send an employer checking it to the wrong department. (Read for a city's roster only:
    中央在川 units in the province's may bear the name of the city they are in.)"""
    codes = unit_regions(text(value), preferring=region) if value else ()
    if not codes or region in codes:
        return None
    city = "或".join(region_name(code) for code in codes)  # 市中区: 内江市's or 乐山市's
    rule = (
        f"工作单位属于{city}，而本名册的证书编号地区是 {region}"
        f"（{region_name(region)}）：证书按持证人单位所在市（州）的代码编号（附件3 三；初级至"
        f"高级由该市（州）核发，技师由省厅核发）。请把这一行移到{city}的名册，或核对工作单位"
    )
    return rule, "§四.(四)"


class CellChecks:
    def __init__(
        self, issued_on: dt.date, catalogue: TradeCatalogue, today: dt.date, region: str
    ) -> None:
        self.issued_on = issued_on
        self.catalogue = catalogue
        self.today = today
        self.region = region
        checks: dict[str, Callable[[Cell], Verdict]] = {
            "性别": self._sex,
            "出生年月": self._birth,
            "出生日期": self._birth,
            "参加工作时间": self._work_start,
            SINCE_COLUMN: self._since,
            "报考年度": self._exam_year,
            "报考工种": self._trade,
            "报考等级": functools.partial(level_verdict, region=region),
            **{column: exam_verdict for column in EXAM_COLUMNS},
        }
        self._checks = {column: _unless_ditto(check) for column, check in checks.items()}
        self._checks["工作单位"] = self._unit  # a ditto mark is told as the optional columns' is
        self._memo: dict[str, dict[Cell, Verdict]] = {column: {} for column in self._checks}
        self.since_months: dict[Cell, str] = {}
        """a well-formed 执行工资等级起始时间 as written → its ``YYYY-MM``"""

    def plan(self, columns: Iterable[str]) -> list[ColumnCheck]:
        """(column, memo, check) per column: the row loop looks a value up in the memo and calls
        the check only for a value it has not seen (inlined there: it runs 400,000 times for a
        40,000-row roster)."""
        return [(column, self._memo[column], self._checks[column]) for column in columns]

    @staticmethod
    def _sex(value: Cell) -> Verdict:
        if value is None:
            return None, EMPTY
        sex = sex_of(text(value))
        return (sex, None) if sex else (None, (SEX_RULE[0], ROSTER_FORMS))  # 附件5's too

    def _year_month(self, value: Cell) -> Verdict:
        if value is None:
            return None, EMPTY
        try:
            year, month = parse_year_month(value, not_after=self.today)
        except BadDate as exc:
            return None, (str(exc), "§四.(三)")
        return year_month_text(year, month), None

    def _birth(self, value: Cell) -> Verdict:
        """出生年月: a holder of working age when the certificate is issued — a birth year typed
        one digit off (2015 for 1965) gives a certificate nobody can hold."""
        stored, problem = self._year_month(value)
        if stored and (age := age_at_issue(str(stored), self.issued_on.isoformat())):
            return None, (age, ROSTER_FORMS)
        return stored, problem

    def _work_start(self, value: Cell) -> Verdict:
        """参加工作时间: a year-month before the certificate's issue (the grade is for work
        done)."""
        stored, problem = self._year_month(value)
        if stored and str(stored) > self.issued_on.isoformat()[:7]:
            return None, (
                f"参加工作时间晚于发证日期 {self.issued_on.isoformat()}，请核对",
                ROSTER_FORMS,
            )
        return stored, problem

    def _since(self, value: Cell) -> Verdict:
        """执行工资等级起始时间: may be left empty; when filled in, a year-month no later than
        the certificate's issue (the roster asking for it is drawn up before). Stored as that
        month (2008-10), as the other dates are: as written, one month was 2008.10, 200810,
        2008年10月 and a date cell's 2008-10-01 in one roster, four values to staff's facet (a
        clerk's review; `registry.store.migrations` months those stored before). The month also
        goes to `since_months`, for the row's check against 参加工作时间."""
        if value is None or value == "":
            return None, None
        month, problem = self._year_month(value)
        if month and str(month) > self.issued_on.isoformat()[:7]:
            rule = f"执行工资等级起始时间晚于发证日期 {self.issued_on.isoformat()}，请核对"
            problem = (rule, "附件4")
        elif month:
            self.since_months[value] = str(month)
        return (month or text(value)), problem

    def _unit(self, value: Cell) -> Verdict:
        return value, unit_problem(value, self.region)

    def _exam_year(self, value: Cell) -> Verdict:
        try:
            year = parse_year(value or "")
        except BadDate as exc:
            return None, (str(exc), "§四.(三)")
        if year > self.issued_on.year:
            rule = (
                f"报考年度晚于发证日期 {self.issued_on.isoformat()}（发证日期是批准合格名单的时间）"
            )
            return year, (rule, "§四.(三)")
        return year, None

    def _trade(self, value: Cell) -> Verdict:
        written = text(value)
        if not written:
            # a technician roster drawn up trade by trade often merges each group's trade cell:
            # only its first row then holds the name
            rule = "报考工种为空：每一行都要填写工种。如该列用了合并单元格，请取消合并，在每一行填上工种"
            return None, (rule, "§四.(三)")
        trade = self.catalogue.resolve(written)
        if trade is not None:
            return trade, None
        return None, (self.catalogue.unknown(written), "§四.(三)")


def exam_too_early(exam: int, birth: object, work_start: object) -> str | None:
    """Why 报考年度 cannot be (a clerk's review: 1911 for a holder born 1979 loaded): before
    the holder was `MIN_AGE_AT_WORK`, or before work started — a grade is a worker's."""
    if birth and exam < int(str(birth)[:4]) + MIN_AGE_AT_WORK:
        return f"报考年度早于出生年月 {birth} 后 {MIN_AGE_AT_WORK} 年，请核对报考年度和出生年月"
    if work_start and exam < int(str(work_start)[:4]):
        return f"报考年度早于参加工作时间 {work_start}：参加工作以后才能报考，请核对这两列"
    return None
