"""The blank-certificate reconciliation as a clerk reads it (``certreg stock``): the table, and
what to do about each line, said from the line's own figures — one sentence for every flagged
line ("补登漏记的发放单，或查明多出的证书从何而来") was wrong for a shortfall a 换发 made or a
roster without its unit (a clerk's review), and a line of blanks dispatched and never used, or
approved and never dispatched, said nothing."""

from __future__ import annotations

import unicodedata

from registry.domain.levels import LEVEL_ORDER, LEVELS
from registry.domain.regions import PROVINCE
from registry.domain.statuses import PENDING, REFUSED
from registry.store.stock import UNNAMED_UNIT, StockLine


def advice(line: StockLine) -> str | None:
    """What to do about a line flagged (`StockLine.flag`), or None: each cause its figures
    show, the blanks missing counted."""
    if not line.flag:
        return None
    if line.recipient == UNNAMED_UNIT:
        return (
            "省直名册没有写 unit：请在 registers.toml 中写上报送名册的单位（与申领计划表中的名称一致），"
            "再运行 certreg sync"
        )
    told = []
    if line.negative:
        told += _shortfall(line)
    if line.dispatched > line.approved:
        told.append(
            f"发放 {line.dispatched} 本超过了批准的 {line.approved} 本：请补登批准这些空白证书的"
            "申领计划（附件1），或核对发放单（附件2）的数量"
        )
    return "；".join(told)


def _shortfall(line: StockLine) -> list[str]:
    """Why a line's certificates outnumber its blanks: no records at all, a requisition not
    (yet) approved, a dispatch not recorded, or certificates beyond every approval."""
    if not line.requested and not line.dispatched:
        if line.region != PROVINCE:  # a city's line is named by its certificates' numbers
            return ["没有该市（州）的申领和发放记录：请补登其申领计划表（附件1）和发放单（附件2）"]
        return [
            "没有这个单位的申领和发放记录：多半是名册的 unit 与申领计划表中的名称写法不同，请核对；"
            "否则请补登其申领计划和发放单"
        ]
    if not line.approved and not line.dispatched:
        if line.awaiting(REFUSED) and not line.awaiting(PENDING):
            return [
                "申领计划省厅未批准，也没有发放记录：请查明这些证书用的空白证书从何而来，"
                "或补登获批准的申领计划和发放单"
            ]
        return ["申领计划尚未获省厅批准，也没有发放记录：请补登批准后的申领计划和发放单"]
    told = []
    if line.approved > line.dispatched:
        missing = min(line.approved, line.registered + line.spoiled + line.used) - line.dispatched
        told.append(
            f"已批准 {line.approved} 本、只记有发放 {line.dispatched} 本：请补登漏记的发放单"
            f"（至多 {missing} 本）"
        )
    beyond = line.registered + line.spoiled + line.used - max(line.approved, line.dispatched)
    if beyond > 0 and line.spoiled + line.used >= beyond:
        told.append(
            f"换发、补发用去的空白证书多出批准、发放的 {beyond} 本：请为换发、补发补登申领计划和发放单"
        )
    elif beyond > 0:
        told.append(
            f"登记的证书比批准、发放的空白证书多 {beyond} 本：请查明多出的证书从何而来"
            "（是否列入了别的单位的人员）"
        )
    return told


def note(line: StockLine) -> str | None:
    """What a line still tells besides its flag: blanks requested and awaiting the province's
    opinion, or refused (the table counts both as requested and not approved: a clerk chasing an
    approval must tell them apart, and find the requisition); for a line not flagged, blanks
    approved and not yet dispatched, or dispatched and no certificate registered from them yet —
    a clerk chasing a unit's leftovers."""
    told = [
        f"申领的 {line.requested} 本中{_unapproved(line, state)}"
        for state in (PENDING, REFUSED)
        if line.awaiting(state)
    ]
    if line.flag:  # its advice says the rest
        pass
    elif line.approved > line.dispatched:
        told.append(f"已批准 {line.approved} 本，尚有 {line.approved - line.dispatched} 本未发放")
    elif line.dispatched and not line.registered:
        told.append(f"已发放 {line.dispatched} 本，还没有登记用它们填发的证书")
    return "；".join(told) or None


_UNAPPROVED_SAID = {
    PENDING: ("尚待省厅批准", "批准后才计入“批准”"),
    REFUSED: ("省厅未批准", "不计入“批准”；仍需要时请重新申领"),
}
"""Per requisition state: what the blanks are, and what follows for the line."""


def _unapproved(line: StockLine, state: str) -> str:
    """The blanks of requisitions in ``state`` and where those requisitions are (file, rows)."""
    rows: dict[str, list[str]] = {}
    for u in line.unapproved:
        if u.state == state:
            rows.setdefault(u.register, []).append(f"第{u.row}行")
    where = "，".join(f"{register} {'、'.join(said)}" for register, said in rows.items())
    what, then = _UNAPPROVED_SAID[state]
    return f" {line.awaiting(state)} 本{what}（{where}），{then}"


HEADINGS = (
    ("recipient", "领证单位"),
    ("level", "等级"),
    ("requested", "申领"),
    ("approved", "批准"),
    ("dispatched", "已发放"),
    ("registered", "已登记证书"),
    ("spoiled", "换发作废"),
    ("used", "补发用去"),
    ("balance", "应有结余"),
    ("collected", "已领取"),
    ("uncollected", "未领取"),
)


TOTAL = "全省合计"
FIGURES = tuple(field for field, _ in HEADINGS[2:])
"""The counted columns, summed per level into the province's totals."""


def totals(lines: list[StockLine]) -> list[dict[str, object]]:
    """Per level, in the table's order, the province's figures (every recipient's added): the
    blank-certificate clerk's yearly report to the province asks for them, and a table of a
    hundred lines had to be added up by hand (a clerk's review)."""
    summed: dict[str, dict[str, int]] = {}
    for line in lines:
        level = summed.setdefault(line.letter, dict.fromkeys(FIGURES, 0))
        for field in FIGURES:
            level[field] += getattr(line, field)
    return [
        {"recipient": TOTAL, "level": LEVELS[letter], "letter": letter, **summed[letter]}
        for letter in LEVEL_ORDER
        if letter in summed
    ]


def _width(value: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in value)


def stock_text(lines: list[StockLine]) -> str:
    """The reconciliation as an aligned table, then each flagged line with what to do."""
    if not lines:
        return (
            "登记库中还没有申领、发放或证书记录。请先用 certreg sync 导入名册和申领计划表、发放单。"
        )
    table = [[label for _, label in HEADINGS]]
    table += [[str(getattr(line, field)) for field, _ in HEADINGS] for line in lines]
    if len({line.recipient for line in lines}) > 1:  # one recipient's lines are its totals
        table += [[str(row[field]) for field, _ in HEADINGS] for row in totals(lines)]
    widths = [max(_width(row[i]) for row in table) for i in range(len(HEADINGS))]
    out = []
    for row in table:
        cells = [
            cell + " " * (w - _width(cell)) if i < 2 else " " * (w - _width(cell)) + cell
            for i, (cell, w) in enumerate(zip(row, widths, strict=True))
        ]
        out.append("  ".join(cells).rstrip())
    for line in lines:
        if todo := advice(line):
            out.append(
                f"⚠ {line.recipient} {line.level}：{line.flag}（结余 {line.balance}）。{todo}"
            )
    for line in lines:
        if said := note(line):
            out.append(f"ℹ {line.recipient} {line.level}：{said}")
    return "\n".join(out)
