"""The rosters of 附件4 (审批名册) and 附件5 (审核名册): every row a certificate.

Two steps, so that a sync can run the first for the next registers in other processes while it
writes this one: `registry.kinds.roster_rows.check_rows` is pure (the file's own rules);
`registry.kinds.roster_holdings.check_holdings` then adds the problems only the registry can show
(a number already given to another register's holder), with the other registry checks this module
runs. This module holds the layouts, those registry checks and the kinds.
"""

from __future__ import annotations

import sqlite3
from dataclasses import replace

from registry.domain.exam import EXAM_COLUMNS
from registry.domain.numbers import CertificateNumber, parse
from registry.domain.problems import NUMBER_TAKEN, Problem, numbered
from registry.domain.regions import PROVINCE, region_name
from registry.domain.registers import APPROVAL_ROSTER, TECHNICIAN_ROSTER
from registry.kinds.base import Kind, LoadContext, RegisterEntry
from registry.kinds.closing_total import counted_rows
from registry.kinds.handed_out import handed_out_elsewhere
from registry.kinds.roster_cells import NUMBER_COLUMN
from registry.kinds.roster_documents import document_problems_across
from registry.kinds.roster_gaps import closed_before, previous_numbers
from registry.kinds.roster_history import collected_rewritten, history_problems
from registry.kinds.roster_holders import registered_holders
from registry.kinds.roster_holdings import check_holdings, holdings_reader
from registry.kinds.roster_renumber import renumbered
from registry.kinds.roster_result import RosterResult
from registry.kinds.roster_rows import check_rows
from registry.kinds.roster_versions import (
    another_roster,
    issued_failing,
    new_rows_order_problems,
    registered_before,
)
from registry.sheets.layout import Column, Layout
from registry.store.certificates import as_registered, write_roster
from registry.store.numbering_runs import highest_sequence
from registry.store.syncs import loaded_version
from registry.store.writes import Applied

EXAM_GROUP = "考试考核结果"
EXAM_YEAR_AND_TRADE = (
    Column("报考年度", fallbacks=("年度",)),
    Column("报考工种", fallbacks=("工种",)),
)
"""报考年度 and 报考工种 as clerks head them in both rosters: a roster so headed was refused as
lacking them. Such a heading is read only where it can name no other column of the roster: so
also 附件4's 出生日期 and 等级 (its 执行工资等级起始时间 is a time, not a level) and 附件5's
证书号码 — not 附件4's, which may head its 原岗位证书号."""

APPROVAL_LAYOUT = Layout(
    APPROVAL_ROSTER,
    "中央在川和省直机关事业单位工人技术等级（职务）证书审批名册（附件4）",
    (
        Column("序号", required=False, in_form=False),
        Column("姓名"),
        Column("性别"),
        Column("出生年月", fallbacks=("出生日期",)),
        Column("参加工作时间"),
        Column(
            "原岗位证书号（未获工种年限）", required=False, aliases=("原岗位证书号", "未获工种年限")
        ),
        Column("执行工资等级起始时间", required=False),
        *EXAM_YEAR_AND_TRADE,
        Column("报考等级", fallbacks=("等级",)),
        *(Column(name) for name in EXAM_COLUMNS),
        Column(NUMBER_COLUMN, aliases=("证书编号",)),
        Column("工作单位", required=False, aliases=("单位",), in_form=False, lines=True),
        Column("备注", required=False, in_form=False, lines=True),
    ),
    groups={EXAM_GROUP: EXAM_COLUMNS},
)

TECHNICIAN_LAYOUT = Layout(
    TECHNICIAN_ROSTER,
    "四川省机关事业单位工人技师资格证书审核名册（附件5）",
    (
        Column("序号", required=False),
        Column("姓名"),
        Column("性别"),
        Column("出生日期", aliases=("出生年月",)),
        Column("文化程度"),
        Column("工作单位", lines=True),  # 成都市第一人民医院 / 后勤科, Alt+Enter between
        *EXAM_YEAR_AND_TRADE,
        Column("批准文号"),
        Column(NUMBER_COLUMN, aliases=("证书编号",), fallbacks=("证书号码",)),
        Column("备注", required=False, in_form=False, lines=True),
    ),
)

FIELD_COLUMNS = {
    "letter": "报考等级",
    "level": "报考等级",
    "year_code": NUMBER_COLUMN,
    "region": NUMBER_COLUMN,
    "sequence": NUMBER_COLUMN,
    "name": "姓名",
    "sex": "性别",
    "birth": "出生年月",
    "work_start": "参加工作时间",
    "unit": "工作单位",
    "education": "文化程度",
    "prior_certificate": "原岗位证书号（未获工种年限）",
    "wage_grade_since": "执行工资等级起始时间",
    "exam_year": "报考年度",
    "trade": "报考工种",
    **dict(
        zip(("conduct", "work_record", "ethics", "theory", "practice"), EXAM_COLUMNS, strict=True)
    ),
    "approval_doc": "批准文号",
    "issued_on": "发证日期",
    "authority": "发证机关",
    "remark": "备注",
    "source_row": "所在行",
}
"""The roster column (or manifest key, 发证日期) each field of a certificate is read from: how a
corrected version's changes are named to the clerk."""


def _with_next_free(
    conn: sqlite3.Connection, result: RosterResult, entry: RegisterEntry, problems: list[Problem]
) -> list[Problem]:
    """A number given twice names the next number free for its level, so the clerk can fix the
    row in one go (附件3 四: numbers are taken in order, never reused) — or, for a roster loaded
    before, that no number is, when the next free one skips another certificate's (`closed_before`)."""
    if not any(problem.code == NUMBER_TAKEN for problem in problems):
        return problems
    in_file: dict[str, int] = {}
    for _, _, number in result.numbers:
        parsed = parse(number)
        in_file[parsed.prefix] = max(in_file.get(parsed.prefix, 0), parsed.sequence)
    loaded = loaded_version(conn, entry.key) is not None
    previous = previous_numbers(result) if loaded else {}
    free: dict[str, CertificateNumber] = {}
    advised = []
    for problem in problems:
        if problem.code == NUMBER_TAKEN:
            taken = parse(problem.value or "")
            if taken.prefix not in free:
                highest = highest_sequence(conn, taken.letter, taken.year_code, taken.region)
                last = max(highest, in_file[taken.prefix])
                free[taken.prefix] = taken._replace(sequence=last + 1)
            next_free = str(free[taken.prefix])
            closed = loaded and closed_before(conn, previous, entry, problem.row or 0, next_free)
            advice = (
                closed
                or f"下一个可用的{taken.level}编号是 {next_free}（或用 certreg number 重新编号）"
            )
            problem = replace(problem, rule=f"{problem.rule}；{advice}")
        advised.append(problem)
    return advised


def check_roster(
    result: RosterResult, entry: RegisterEntry, context: LoadContext
) -> tuple[list[Problem], RosterResult]:
    """The rules only the registry can decide; the order rules unless the register was loaded
    before (a register is not judged again by rules that came after it)."""
    conn = context.conn
    # a trade the catalogue now spells otherwise is no change: checked and written as registered
    result.certificates = as_registered(conn, entry.key, result.certificates, context.catalogue)
    problems = [
        *result.problems,
        *check_holdings(result, entry, holdings_reader(conn), context.catalogue),
        *registered_holders(conn, result, entry, context.catalogue),
        *history_problems(conn, result, entry),
        *another_roster(conn, result, entry),
        *handed_out_elsewhere(conn, result, entry),
        *document_problems_across(conn, entry),
        *provincial_region(conn, result, entry),
    ]
    problems += new_rows_order_problems(conn, result, entry)
    problems = renumbered(conn, result, entry, problems)  # after a row removed: not moved up
    problems = registered_before(conn, result, entry, problems)
    problems = issued_failing(conn, result, entry, problems)
    problems = _with_next_free(conn, result, entry, problems)
    # in row order, as a clerk reads the report
    # each row's problem names the row's number: staff's history of a number lists a refused
    # roster's row by it (a failing score, not only a number cell, kept a number out)
    problems = numbered(problems, {row: number for row, _, number in result.numbers})
    problems.sort(key=lambda p: -1 if p.row is None else p.row)
    result.notices = collected_rewritten(conn, result, entry, context.catalogue)
    return problems, result


def apply_roster(
    conn: sqlite3.Connection, entry: RegisterEntry, result: RosterResult, sync_id: int, at: str
) -> Applied:
    applied = write_roster(conn, entry.key, result.certificates, sync_id, at)
    applied.conflicts += result.notices
    return applied


ROSTER_NEEDS = ("approval_doc", "issued_on")
"""A roster's approval document and issue date (§四.(三))."""


def roster_entry_rule(entry: RegisterEntry) -> str | None:
    """A city numbers with its own code (§四.(四))."""
    if entry.authority != PROVINCE and entry.region != entry.authority:
        return (
            f"市（州）核发的证书只能用本地代码 {entry.authority} 编号，region 不能是 {entry.region}"
        )
    return None


def provincial_region(
    conn: sqlite3.Connection, result: RosterResult, entry: RegisterEntry
) -> list[Problem]:
    """The province's 附件4 roster is of 中央在川 and 省直 units, numbered 2200 — a city's 技师
    go on a 附件5 roster (§四.(五)2): one numbered for a city had its 技师 rows loaded past
    附件5's own checks (an auditor's review). The register refused, not its folder's manifest;
    one loaded so before is not judged again by this rule (a review). Its advice follows the
    rows' levels: a city's 初级, 中级 and 高级 are the city's own to issue (§三) — a roster of
    中级 rows was sent to 附件5, a form of 技师 (a clerk's review)."""
    if entry.kind != APPROVAL_ROSTER or entry.authority != PROVINCE or entry.region == PROVINCE:
        return []
    if loaded_version(conn, entry.key) is not None:
        return []
    city, region = region_name(entry.region), entry.region
    letters = {number[0] for _, _, number in result.numbers}
    advice = []
    if letters - {"J"} or not letters:
        advice.append(
            f"{city}单位的初级、中级、高级证书由{city}人力资源和社会保障部门自己核发、编号"
            f"（§三、§四.(五)2），发证机关是{city}：请在 registers.toml 中把 authority 写为 "
            f"{region}（单个文件用 --authority {region}）"
        )
    if "J" in letters:
        advice.append(
            f"{city}单位的技师请填技师审核名册（附件5），在 registers.toml 中写 "
            'kind = "technician-roster"'
        )
    rule = (
        "省厅的审批名册（附件4）是中央在川和省直单位的，编号地区为 2200，"
        f"不能是 {region}：{'；'.join(advice)}"
    )
    clause = "§三、§四.(五)2" if letters - {"J"} or not letters else "§四.(五)2"
    return [Problem(None, "region", region, rule, clause)]


def without_unit(entry: RegisterEntry) -> str | None:
    """A provincial roster names its unit, the recipient of its blanks (a city's roster: the
    city); without it `certreg stock` files its certificates under no recipient. Said, not
    refused: the manifest's description of a roster does not require it."""
    if entry.authority != PROVINCE or entry.region != PROVINCE or entry.unit:
        return None  # (a city's roster, or a city's 技师 the province issues: the city's)
    return (
        '未写 unit（报送名册的单位，如 unit = "省水利厅"）：空白证书按单位申领、发放和对账'
        "（§四.(一)(二)），本名册的证书在 certreg stock 中归入“（未注明单位）”，该单位领取的"
        "空白证书看似未用。请在 registers.toml 中补写 unit（单个文件用 --unit），再运行 certreg sync"
    )


def technician_entry_rule(entry: RegisterEntry) -> str | None:
    if entry.authority != PROVINCE:
        city = entry.authority
        return (
            f"技师审核名册的发证机关必须是省厅 2200（§三），不是 {city}：技师证书由省厅核发，按持证人"
            f"所在市（州）的代码编号——请把发证机关改为 2200，region 写 {city}"
        )
    return roster_entry_rule(entry)


APPROVAL: Kind[RosterResult, RosterResult] = Kind(
    layout=APPROVAL_LAYOUT,
    check_alone=check_rows,
    validate=check_roster,
    apply=apply_roster,
    needs=ROSTER_NEEDS,
    entry_rule=roster_entry_rule,
    entry_note=without_unit,
    rows=counted_rows("姓名"),
)
TECHNICIAN: Kind[RosterResult, RosterResult] = Kind(
    layout=TECHNICIAN_LAYOUT,
    check_alone=check_rows,
    validate=check_roster,
    apply=apply_roster,
    needs=ROSTER_NEEDS,
    entry_rule=technician_entry_rule,
    rows=counted_rows("姓名"),
)
