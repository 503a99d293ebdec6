"""One row of a status-changes register (换发 / 补发 / 撤销), checked on its own: the fields a
row must carry for its type (§四.(六)2–3, §五.(三)), and the values a 换发 corrects."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from registry.domain.characters import simplified_characters
from registry.domain.dates import BadDate, parse_date
from registry.domain.documents import document_year
from registry.domain.name_rules import check_name
from registry.domain.names import normalise_name
from registry.domain.numbers import MalformedNumber, parse
from registry.domain.opinions import review_passes, signed_on
from registry.domain.problems import (
    DOCUMENT_GIVEN,
    REVIEW_DATE,
    REVIEW_ORDER,
    UNCORRECTED,
    Problem,
)
from registry.domain.statuses import (
    EVENT_TYPES,
    EXCHANGE,
    MISFILLED,
    REISSUE,
    REVOKE,
    TYPE_WORDS,
    StatusEvent,
)
from registry.domain.text import mentions
from registry.domain.trades import TradeCatalogue
from registry.kinds.cells import NONE_WRITTEN, digits_lost
from registry.kinds.status_corrections import corrected, uncorrected
from registry.kinds.status_headings import FALLBACKS, NEW_NUMBER_ALIASES, said_otherwise
from registry.kinds.status_misplaced import misplaced
from registry.kinds.status_reasons import CLAUSES, document_missing, reason_problem, required
from registry.kinds.status_remarks import void_event
from registry.sheets.cells import Cell, text
from registry.sheets.layout import Column
from registry.sheets.table import Record

REISSUE_DOCUMENTS = {
    "个人申请": "personal_application",
    "单位证明": "unit_certificate",
    "原公布文件": "original_document",
    "主管部门审核": "supervisor_review",
    "发证机关审核": "issuer_review",
}
"""What a 补发 needs (§四.(六)3): three documents and two reviews → `StatusEvent` field."""
REVIEWS = ("主管部门审核", "发证机关审核")
"""The two of them that are opinions: each must approve"""
GIVEN = ("个人申请", "单位证明")
"""The two the holder and the unit give (the 原公布文件 is matched to the register's)."""

CORRECTED = {"name": "更正姓名", "sex": "更正性别", "birth": "更正出生年月", "trade": "更正工种"}
"""The column of each field a 换发 corrects."""
CORRECTIONS = tuple(CORRECTED.values())
"""Columns a 换发 row may fill with the values the misfilled certificate should have carried."""

COLUMNS = (
    Column("序号", required=False),
    Column("类型"),
    *(Column(name, fallbacks=FALLBACKS[name]) for name in ("证书编号", "姓名", "日期")),
    Column("新证书编号", required=False, aliases=NEW_NUMBER_ALIASES),
    Column("原因"),
    Column("批准文号", fallbacks=FALLBACKS["批准文号"]),
    Column("个人申请", required=False),
    Column("单位证明", required=False),
    Column("原公布文件", required=False, aliases=("原公布合格人员名单文件",)),
    Column("主管部门审核", required=False, aliases=("主管部门审核意见",)),
    Column("发证机关审核", required=False, aliases=("发证机关审核意见",)),
    *(Column(name, required=False, aliases=said_otherwise(name)) for name in CORRECTIONS),
)


def _type_rule(kind: str) -> str:
    """What a 类型 the notice does not name is told: which it may mean, for an office word or
    one with a type's word in it (遗失补发, 遗失补办, 损坏换发, 注销证书 were told no more than
    补办 was, a clerk's review) — asked, not guessed, and not of one naming two (补发/换发) nor
    of a refusal (不予补发 was asked 是否为“补发”？ — the one thing it is not)."""
    said = simplified_characters(kind)
    meant = [t for t, words in TYPE_WORDS.items() if any(w in said for w in (t, *words))]
    hint = f"：是否为“{meant[0]}”？请照通知的用词填写" if len(meant) == 1 else ""
    if any(word in said for word in ("不予", "不同意", "不准", "驳回")):  # refused: no change
        hint = f"：“{kind}”是未获批准的申请，证书没有变更，不在本表登记（请删去这一行）"
    return f"类型应为 换发、补发 或 撤销{hint}"


class StatusRow:
    """One row's field-level checks. `event` is None when the row cannot be read as an event
    (its type, numbers, name or date); ``complete`` says whether it broke no rule at all."""

    def __init__(
        self,
        record: Record,
        problems: list[Problem],
        today: dt.date,
        catalogue: TradeCatalogue,
        unread: Iterable[tuple[str, Cell]] | None = None,
    ) -> None:
        """``unread``: the row's cells in columns the layout does not read (its 备注)."""
        self.record, self.problems, self.today = record, problems, today
        self.unread = unread or ()
        self.withheld: Problem | None = None
        """the row's remarks withdraw it (`void_event`): refused unless applied before"""
        self.catalogue = catalogue
        self.certificate: str | None = None
        """the row's 证书编号 as registered, once it reads: every problem of the row carries it"""
        self.values = record.values
        self.complete = False

    def fail(
        self,
        column: str,
        value: Cell,
        rule: str,
        clause: str | None = None,
        code: str | None = None,
    ) -> None:
        self.problems.append(Problem(self.record.row, column, text(value), rule, clause, code=code))

    def number(self, column: str) -> str | None:
        written = text(self.values.get(column))
        if column == "新证书编号" and written.strip("()（）") in NONE_WRITTEN:
            written = ""
        if not written and column == "新证书编号":
            return None
        try:
            return str(parse(written))
        except MalformedNumber as exc:
            self.fail(column, written, f"{exc}（附件3）", "附件3")
            return None

    def date(self) -> dt.date | None:
        try:
            return parse_date(self.values.get("日期") or "", not_after=self.today)
        except BadDate as exc:
            self.fail("日期", self.values.get("日期"), str(exc), "§四.(六)")
            return None

    def kind_rules(self, kind: str, new_written: str) -> None:
        if kind not in EVENT_TYPES:
            self.fail("类型", self.values.get("类型"), _type_rule(kind), "§四.(六)")
        if kind == EXCHANGE and not new_written:
            rule = "换发须持旧证换发新证，请填写新证书编号"
            self.fail("新证书编号", new_written, rule, "§四.(六)2")
        if kind == REVOKE and new_written:
            self.fail("新证书编号", new_written, "撤销不产生新证书，新证书编号应为空", "§五.(三)")
        for column in ("原因", "批准文号"):
            if not text(self.values.get(column)):
                self.fail(column, None, required(kind, column), CLAUSES.get(kind))
        reason = text(self.values.get("原因"))
        if found := reason_problem(kind, reason):
            self.fail("原因", reason, *found)
        if kind == REISSUE:
            self._reissue_documents()

    def _reissue_documents(self) -> None:
        """A 补发's three documents and two approving reviews (§四.(六)3)."""
        for column in REISSUE_DOCUMENTS:
            written = text(self.values.get(column))
            if not written:
                rule = f"补发须有{column}（经主管部门、发证机关审核），请填写其文号、编号或审核意见"
                self.fail(column, None, rule, "§四.(六)3")
            elif column in GIVEN and document_missing(written):
                rule = (
                    f"补发须提交{column}，这一栏写的是没有或未提交，不能登记补发。"
                    "收到后写明其编号、日期或“已提交”再导入"
                )
                self.fail(column, written, rule, "§四.(六)3", DOCUMENT_GIVEN)
            elif column in REVIEWS and not review_passes(written):
                rule = (
                    "补发须经主管部门审核、发证机关审核同意；这一栏写的是未同意或未审核"
                    "（或看不出已同意），不能登记补发。审核同意后，写明“同意”（或审核文件的文号）"
                    "再导入"
                )
                self.fail(column, written, rule, "§四.(六)3")

    def review_dates(self, reissued: dt.date) -> None:
        """§四.(六)3: a 补发 is registered after both reviews agreed — the 主管部门's first — so
        a review is not dated after the 补发 (nor in the future), nor its document's year — for
        an event registered before this rule with the same reviews, not refused
        (`registry.kinds.status_changes`)."""
        days: dict[str, dt.date] = {}
        for column in REVIEWS:
            written = text(self.values.get(column))
            try:
                day = signed_on(written)
            except BadDate as exc:
                self.fail(column, written, f"审核{exc}，请核对", "§四.(六)3", REVIEW_DATE)
                continue
            year = document_year(written)
            if day is not None and day > self.today:
                self.fail(column, written, "审核日期在将来，请核对", "§四.(六)3", REVIEW_DATE)
            elif (day and day > reissued) or (year and year > reissued.year):
                rule = (
                    f"审核{'日期' if day and day > reissued else '文件的年份'}晚于补发日期 "
                    f"{reissued.isoformat()}：补发须先经主管部门、发证机关审核同意，请核对审核日期或补发日期"
                )
                self.fail(column, written, rule, "§四.(六)3", REVIEW_DATE)
            elif day is not None:
                days[column] = day
        first, second = (days.get(column) for column in REVIEWS)
        if first and second and second < first:
            rule = f"发证机关审核（{second.isoformat()}）早于主管部门审核（{first.isoformat()}）：补发先经主管部门审核，再由发证机关审核，请核对日期"
            self.fail(
                REVIEWS[1], text(self.values.get(REVIEWS[1])), rule, "§四.(六)3", REVIEW_ORDER
            )

    def corrections(self, kind: str) -> tuple[tuple[str, str], ...]:
        """The certificate columns a 换发 corrects, with their new values, each checked as a
        roster checks it."""
        found: list[tuple[str, str]] = []
        for column in CORRECTIONS:
            written = text(self.values.get(column))
            if not written:
                continue
            if kind not in EVENT_TYPES:  # 类型 unread (换证?): its own problem says what it is
                continue
            if kind != EXCHANGE:
                rule = "只有换发（错填）可以更正证书内容；补发、撤销不改变证书上的内容"
                self.fail(column, written, rule, "§四.(六)2")
                continue
            if not mentions(text(self.values.get("原因")), MISFILLED):
                rule = (
                    "只有因错填而换发的证书可以更正内容；因损坏换发的新证书与原证书内容相同。"
                    "如原证书确有错填，请在原因中注明“错填”"
                )
                self.fail(column, written, rule, "§四.(六)2")
                continue
            found.extend(self._corrected(column, written))
        if kind == EXCHANGE:
            self._uncorrected()
        return tuple(found)

    def _uncorrected(self) -> None:
        """A 换发 whose reason says a field was misfilled and corrects nothing of it
        (`uncorrected`)."""
        for column in uncorrected(self.values):
            rule = (
                f"原因写明错填，却没有填写「{column}」：因错填换发的新证书要改正错填的内容，"
                f"否则新证书与原证书一样有错。请填写「{column}」（表中没有这一列的，加上这一列）"
            )
            self.fail("原因", self.values.get("原因"), rule, "§四.(六)2", UNCORRECTED)

    def _corrected(self, column: str, written: str) -> list[tuple[str, str]]:
        found = corrected(column, written, self.today, self.catalogue)
        if isinstance(found, tuple):
            self.fail(column, written, *found)
            return []
        return found

    def event(self) -> StatusEvent | None:
        start = len(self.problems)
        values = self.values
        kind = simplified_characters(normalise_name(text(values.get("类型"))))  # 補發 is 补发
        self.withheld = void_event(kind).problem(self.record.row, self.unread)
        self.certificate = number = self.number("证书编号")
        name = normalise_name(text(values.get("姓名")))
        name_problem = check_name(name, new=False)
        if name_problem:
            self.fail("姓名", values.get("姓名"), *name_problem)
        date = self.date()
        new_number = self.number("新证书编号")
        readable = len(self.problems) == start and number is not None and date is not None
        new_written = text(values.get("新证书编号"))
        own = {str(n) for n in (number, new_number) if n}
        self.problems += misplaced(self.record.row, self.unread, own)
        self.kind_rules(kind, "" if new_written.strip("()（）") in NONE_WRITTEN else new_written)
        if kind == REISSUE and date is not None:
            self.review_dates(date)
        corrections = self.corrections(kind)
        for column in (*REISSUE_DOCUMENTS, "原因", "批准文号"):  # kept as written: every digit
            if lost := digits_lost(values.get(column)):
                self.fail(column, values.get(column), lost, "§四.(三)")
                readable = False
        self.complete = len(self.problems) == start
        if not readable or kind not in EVENT_TYPES:
            return None
        assert number is not None and date is not None
        documents = {
            field: text(values.get(column)) or None for column, field in REISSUE_DOCUMENTS.items()
        }
        return StatusEvent(
            self.record.row,
            kind,
            number,
            name,
            date,
            new_number,
            text(values.get("原因")),
            text(values.get("批准文号")),
            **documents,
            corrections=corrections,
            name_written=text(values.get("姓名")),
        )
