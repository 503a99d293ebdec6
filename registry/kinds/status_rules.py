"""The rules one 换发 / 补发 / 撤销 meets against its certificate as the events before it left it
(§四.(三)(六), §五.(三), 附件3): the holder, the authority, the dates, the documents, a 换发's
corrections and a new number. `registry.kinds.status_changes` runs them in date order.
"""

from __future__ import annotations

from collections.abc import Callable

from registry.domain.dates import BadDate, slip_of, years_after
from registry.domain.documents import EVENT_DATE, document_key, revoking_problem, year_problem
from registry.domain.name_changes import another_name
from registry.domain.names import mask_name, name_key, same_holder
from registry.domain.numbers import parse, year_code_of, year_of_code
from registry.domain.opinions import signed_on
from registry.domain.regions import authority_name, covers
from registry.domain.statuses import REISSUE, REVOKE, REVOKED, SUPERSEDED, StatusEvent
from registry.kinds.base import RegisterEntry
from registry.kinds.roster_cells import MIN_AGE_AT_WORK, age_at_issue
from registry.kinds.status_rows import CORRECTED, REVIEWS
from registry.kinds.status_state import CertificateState, Found, collected_after

USED = "该编号已被使用"
"""How the problem of a 新证书编号 already in use begins."""


def given_before(found: Found, row: int) -> Found:
    """A 新证书编号 in use named with the row of this file that gives it first: of two 换发 rows
    giving one number, the clerk fixes the second, not looks for the number elsewhere."""
    column, value, rule, clause = found
    if column == "新证书编号" and rule.startswith(USED):
        return column, value, f"与本文件第{row}行的新证书编号重复：{rule}", clause
    return found


def event_problems(
    event: StatusEvent,
    current: CertificateState,
    entry: RegisterEntry,
    certificate: Callable[[str], CertificateState | None],
    next_free: Callable[[str], str],
) -> list[Found]:
    """(column, value, rule, clause) for each rule of SPEC §6 the event breaks."""
    if not covers(entry.authority, current.authority):
        # nothing more of another authority's certificate: neither its holder nor its history
        issuer = f"{authority_name(current.authority)}（{current.authority}）"
        rule = (
            f"该证书由{issuer}核发，不是本机关（{entry.authority}）核发的，无权登记其变更："
            f"请由{issuer}登记，或核对证书编号"
        )
        return [("证书编号", event.number, rule, "§三")]
    found: list[Found] = []
    if not same_holder(current.name_key, name_key(event.name)):
        rule = (
            f"姓名与登记库中该证书的持证人（{mask_name(current.name or current.name_key)}）不符："
            "请核对本行的证书编号和姓名"
        )
        found.append(("姓名", event.name, rule, "§四.(六)"))
    found += _history_problems(event, current)
    if (
        event.type == REISSUE
        and current.original_document
        and not document_key(event.original_document or "")
        == document_key(current.original_document)
    ):
        rule = (
            f"原公布文件应为公布该持证人合格名单的文件 {current.original_document}"
            "（即该证书所在名册的批准文件）"
        )
        found.append(("原公布文件", event.original_document, rule, "§四.(六)3"))
    if birth := dict(event.corrections).get("birth"):
        found += _birth_problems(birth, current)
    if event.corrections and (another := _another_person(event, current)):
        found.append(another)
    if event.type == REVOKE:
        issued = int(current.issued_on[:4]) if current.issued_on else None
        if unapproved := revoking_problem(event.approval_doc, event.date.year, issued):
            found.append(("批准文号", event.approval_doc, unapproved, "§五.(三)"))
    elif unapproved := year_problem(event.approval_doc, event.date.year, EVENT_DATE):
        found.append(("批准文号", event.approval_doc, unapproved, "§四.(三)"))
    if event.new_number:
        found += _new_number_problems(event, event.new_number, current, certificate, next_free)
    return found


def _reviews_before_issue(event: StatusEvent, issued_on: str) -> list[Found]:
    """A 补发's reviews, of the loss of a certificate issued: not dated before it was (a
    review dated 2011 of a certificate issued in 2012 loaded, a date tester found)."""
    found: list[Found] = []
    for column, written in zip(
        REVIEWS, (event.supervisor_review, event.issuer_review), strict=True
    ):
        try:
            day = signed_on(written or "")
        except BadDate:  # said by the row's own check
            continue
        if day is not None and day.isoformat() < issued_on:
            rule = (
                f"审核日期 {day.isoformat()} 早于该证书的发证日期 {issued_on}：补发审核的是已颁发"
                "证书的遗失，请核对审核日期"
            )
            found.append((column, written or "", rule, "§四.(六)3"))
    return found


def _history_problems(event: StatusEvent, current: CertificateState) -> list[Found]:
    """Its place in the certificate's history: after its issue, its last change and its
    collection, on a certificate not ended — but for a 补发 `recorded_late`."""
    date = event.date.isoformat()
    found: list[Found] = []
    if date < current.issued_on:
        found.append(
            ("日期", date, f"早于该证书的发证日期 {current.issued_on}，请核对日期", "§四.(六)")
        )
    if event.type == REISSUE:
        found += _reviews_before_issue(event, current.issued_on)
    late = recorded_late(event, current)
    if current.last_event and date < current.last_event and not late:
        rule = (
            f"早于该证书上一次变更的日期 {current.last_event}：此后的变更已登记，"
            "这次变更会使它们失效，不能补登。请核对日期；如确实如此，请与省厅联系更正"
        )
        found.append(("日期", date, rule, "§四.(六)"))
    if collected := collected_after(event, current):
        found.append(collected)
    if current.status == REVOKED and not late:
        rule = "该证书已撤销，不能再换发、补发或撤销"
        found.append(("证书编号", event.number, rule, "§五.(三)"))
    elif current.status == SUPERSEDED and not late:
        rule = f"该证书已换发/补发为 {current.successor}，请对新证书登记"
        found.append(("证书编号", event.number, rule, "§四.(六)"))
    return found


def recorded_late(event: StatusEvent, current: CertificateState) -> bool:
    """A 补发 under the same number dated before the certificate's last change, or on its day,
    registered after it. It ended nothing — the certificate went on, its paper marked 补发 — so
    it takes its place in the history and what came after stands (SPEC §6: events apply in date
    order); refused, it could never be recorded, and the 补发 mark would be lost. On the day of
    the change it came first: a 换发 takes the paper in, a 撤销 ends the certificate, and a
    补发 under a new number replaces the paper — none leaves a paper to lose that day."""
    last = current.last_event
    return (
        event.type == REISSUE
        and not event.new_number
        and bool(last)
        and (event.date.isoformat() <= str(last))
    )


def _new_number_problems(
    event: StatusEvent,
    written: str,
    current: CertificateState,
    certificate: Callable[[str], CertificateState | None],
    next_free: Callable[[str], str],
) -> list[Found]:
    """A 新证书编号: not the old number, of the event's year, the old number's level and region,
    and free (附件3)."""
    if written == event.number:
        rule = (
            "新证书编号与证书编号相同：以原编号补发时，新证书编号一栏应留空；"
            "以新编号换发、补发时，填写一个未用过的编号"
        )
        return [("新证书编号", written, rule, "附件3")]
    found: list[Found] = []
    new = parse(written)
    if year := _year_code_problem(new.year_code, event, parse(event.number).year_code):
        found.append(("新证书编号", written, year, "附件3 二"))
    if new.letter != current.letter or new.region != current.region:
        rule = (
            f"新证书编号的等级代码和地区代码须与原证书相同：应以 {current.letter} 开头，"
            f"地区代码为 {current.region}（如 {current.letter}{new.year_code}{current.region}…）"
        )
        found.append(("新证书编号", written, rule, "附件3"))
    if certificate(written) is not None:
        rule = f"{USED}，新证书编号必须是未用过的编号：下一个可用的编号是 {next_free(written)}"
        found.append(("新证书编号", written, rule, "附件3"))
    return found


FIRST_HOLDER = "与该证书最初的持证人相比，"
"""How a rule judging a 换发 with those before it opens."""


def _another_person(event: StatusEvent, current: CertificateState) -> Found | None:
    """A 换发 that hands the certificate to another person, no 错填 corrected (§二): one that
    leaves the first holder's name, sex and birth all changed (in itself, or after the 换发
    before it); one that writes another name altogether (`another_name`) and changes the sex
    or the birth with it; and one that completes another name and the other sex than the first
    holder's over several 换发 — the sex corrected one day and the name the next, or the other
    way round — or a name changed at all (a character more: 王建 → 王建国, his father; the
    words of a name reordered; a character alike) and a birth more than a slip from the first
    holder's (`slip_of`). Another name alone is the holder's new name (改名); a birth a slip off
    corrected before or after it is not followed over several 换发 (a digit mis-written is the
    commonest 错填), the sex is (its slip is rare, and with another name it is another person)."""
    fixed = dict(event.corrections)
    if not fixed.keys() & {"name_key", "sex", "birth"}:
        return None  # (a trade corrected hands nothing over, whatever came before)
    name, sex, birth = current.root
    same_person = since = ""
    after_name = fixed.get("name_key", current.name_key)
    after_sex = fixed.get("sex", current.sex)
    if (
        not same_holder(name, after_name)
        and after_sex != sex
        and fixed.get("birth", current.birth) != birth
    ):
        what = "姓名、性别和出生年月与该证书最初的持证人全都不同"
    elif (
        "name_key" in fixed
        and (changed := _also_changed(fixed, current))
        and another_name(current.name_key, after_name, strict="性别" in changed)
    ):
        what, same_person = _described(current.name_key, after_name, f"{changed}也改了")
    elif (
        ("name_key" in fixed or "sex" in fixed)
        and sex
        and after_sex != sex
        and another_name(name, after_name, strict=True)
    ):
        also = "性别也不同（连同此前的换发）"
        what, same_person = _described(name, after_name, also, first=True)
        since = FIRST_HOLDER
    elif (
        birth
        and not slip_of(after_birth := fixed.get("birth", current.birth), birth)
        and not same_holder(name, after_name)  # a character more, reordered, alike: changed
    ):
        also = (
            f"出生年月 {after_birth} 也与最初的 {birth} 相差不止一个数字或两个月（连同此前的换发）"
        )
        what, same_person = _described(name, after_name, also, first=True)
        since = FIRST_HOLDER
    else:
        return None
    rule = (
        f"{since}更正后的{what}：这不是填错，而是换了一个人，证书不能这样转给他人（§二）。"
        "请核对；如原名册确把证书发给了别人，请登记撤销该证书（§五.(三)），由审批部门为其本人办理"
        + same_person
    )
    blamed = "name" if "name" in fixed else "sex" if "sex" in fixed else "birth"
    return (CORRECTED[blamed], fixed.get(blamed), rule, "§四.(六)2")


def _described(
    registered: str, corrected: str, also: str, *, first: bool = False
) -> tuple[str, str]:
    """How the name changed, for the rule (``also``: what else did; ``first``: against the
    first holder), and what to do if it is one person all the same."""
    if another_name(registered, corrected):
        hint = (
            "；如确是同一人（此前的性别确属填错，其后依法改名），请与省厅联系核实" if first else ""
        )
        return f"姓名换成了完全不同的另一个，{also}", hint
    if abs(len(registered) - len(corrected)) == 1:  # a slip, were nothing else changed too
        hint = "；如确是同一人（姓名漏写或多写了一个字，其他也填错了），请与省厅联系核实"
        return f"姓名多了或少了一个字，{also}", hint
    hint = "；如确是同一人（姓名的字序或字写错了，其他也填错了），请与省厅联系核实"
    return f"姓名的字序或写法也改了，{also}", hint


def _also_changed(fixed: dict[str, str], current: CertificateState) -> str:
    """What besides the name a 换发 changes of the holder: 性别, 出生年月, both, or ""."""
    return "和".join(
        label
        for label, field, was in (
            ("性别", "sex", current.sex),
            ("出生年月", "birth", current.birth),
        )
        if field in fixed and fixed[field] != was
    )


def _birth_problems(birth: str, current: CertificateState) -> list[Found]:
    """A corrected birth is checked as a roster's is: the holder of working age when starting
    work and when the certificate was issued."""
    found: list[Found] = []
    work = str(current.work_start or "")
    if work and years_after(birth, MIN_AGE_AT_WORK) > work:
        rule = (
            f"更正后的出生年月距该持证人的参加工作时间 {work} 不足 {MIN_AGE_AT_WORK} 年，"
            "请核对出生年月"
        )
        found.append(("更正出生年月", birth, rule, "§四.(三)"))
    if age := age_at_issue(birth, current.issued_on):
        found.append(("更正出生年月", birth, f"按更正后的出生年月，{age}", "§四.(三)"))
    return found


def _year_code_problem(code: str, event: StatusEvent, old_code: str) -> str | None:
    """Why a new certificate issued on the event's date cannot carry year code ``code``: a year
    that had not come (附件3 二: the code is the issue year's), or one before the certificate it
    replaces."""
    issued = event.date
    year = year_of_code(code, issued)
    if year_of_code(old_code, issued) <= year <= issued.year:
        return None
    return (
        f"年份代码“{code}”不对：新证书于 {issued.isoformat()} 核发，年份代码应为核发年份的后两位"
        f"“{year_code_of(issued.year)}”（附件3 二），且不早于原证书的“{old_code}”"
    )
