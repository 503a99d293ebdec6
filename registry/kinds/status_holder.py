"""Whether a 换发's corrections leave the certificate with its holder (§二, §四.(三)(六)2): a
corrected birth of working age as a roster's is, and no correction, alone or with the 换发
before it, that turns the holder into another person. `registry.kinds.status_rules` asks it of
each event.
"""

from __future__ import annotations

from registry.domain.dates import slip_of, years_after
from registry.domain.name_changes import another_name
from registry.domain.names import same_holder
from registry.domain.statuses import StatusEvent
from registry.kinds.roster_cells import MIN_AGE_AT_WORK, age_at_issue
from registry.kinds.status_rows import CORRECTED
from registry.kinds.status_state import CertificateState, Found

FIRST_HOLDER = "与该证书最初的持证人相比，"
"""How a rule judging a 换发 with those before it opens."""


def another_person(event: StatusEvent, current: CertificateState) -> Found | None:
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
        what = _all_differ(fixed, current)
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


_HOLDER_FIELDS = (("姓名", "name_key"), ("性别", "sex"), ("出生年月", "birth"))


def _all_differ(fixed: dict[str, str], current: CertificateState) -> str:
    """How a 换发 is told that the first holder's name, sex and birth all differ after it: those
    it corrects, and those an earlier 换发 corrected already, with their values but a name's —
    a 换发 correcting only the name and sex was told it changed all three, the birth corrected
    before (a clerk's review). A value the row restates (the current one, corrected before) is
    not its own: counted so, the earlier 换发 went unmentioned."""
    changes = {field for field, value in fixed.items() if getattr(current, field, None) != value}
    own = "、".join(label for label, field in _HOLDER_FIELDS if field in changes)
    before = [(label, field) for label, field in _HOLDER_FIELDS if field not in changes]
    if not before:
        return "姓名、性别和出生年月与该证书最初的持证人全都不同"
    first = dict(zip(("name_key", "sex", "birth"), current.root, strict=True))
    earlier = "、".join(
        _corrected_before(label, first[field], getattr(current, field)) for label, field in before
    )
    return (
        f"{own}与该证书最初的持证人不同，而此前的换发已将{earlier}"
        "（连同此前的换发，姓名、性别和出生年月全都不同）"
    )


def _corrected_before(label: str, was: str, now: str) -> str:
    """What an earlier 换发 corrected of the holder, from what to what — but a name, which a
    report that may go to a log does not spell."""
    if label == "姓名":
        return "姓名更正"
    return f"{label}{f'从 {was} ' if was else ''}更正为 {now}"


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


def birth_problems(birth: str, current: CertificateState) -> list[Found]:
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
