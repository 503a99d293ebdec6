"""The rules one 换发 / 补发 / 撤销 meets against its certificate as the events before it left it
(§四.(三)(六), §五.(三), 附件3): the holder, the authority, the dates, the documents, a 换发's
corrections (whether they leave the certificate with its holder: `registry.kinds.status_holder`)
and a new number. `registry.kinds.status_changes` runs them in date order.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from registry.domain.dates import BadDate
from registry.domain.documents import EVENT_DATE, document_key, revoking_problem, year_problem
from registry.domain.names import mask_name, name_key, same_holder
from registry.domain.numbers import parse, year_code_of, year_of_code
from registry.domain.opinions import signed_on
from registry.domain.regions import authority_name, covers
from registry.domain.statuses import REISSUE, REVOKE, REVOKED, SUPERSEDED, StatusEvent
from registry.kinds.base import RegisterEntry
from registry.kinds.status_holder import another_person, birth_problems
from registry.kinds.status_rows import REVIEWS
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
        # nothing more of another authority's certificate: neither its holder nor its history —
        # but what was tried, which the auditor's history of the number shows (an auditor asked
        # whether anyone had tried to revoke it, and only the file could say)
        issuer = f"{authority_name(current.authority)}（{current.authority}）"
        rule = (
            f"该证书由{issuer}核发，不是本机关（{entry.authority}）核发的，无权登记其{event.type}："
            f"请由{issuer}登记，或核对证书编号"
        )
        return [("证书编号", event.number, rule, "§三")]
    found: list[Found] = []
    if not same_holder(current.name_key, name_key(event.name)):
        rule = (
            f"姓名与登记库中该证书的持证人（{mask_name(current.name or current.name_key)}）不符："
            f"{_name_hint(event, current)}"
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
        found += birth_problems(birth, current)
    if event.corrections and (another := another_person(event, current)):
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


_NOTE = re.compile(r"[(（\[【〔［<《][^()（）\[\]【】〔〕［］<>《》]*[)）\]】〕］>》]")
"""A note in brackets written after (or in) a name: 刘洋（女）, 李四(退休), 王五【已调出】."""


def _name_hint(event: StatusEvent, current: CertificateState) -> str:
    """What a row whose name is not its holder's is told to do: what most likely put another
    name there — a 换发's corrected name written in 姓名 too, a note in brackets after the
    holder's name (another's with a note is told to check: 吴敏（退休） on 周杰's certificate,
    told of the note, was then told 请核对) — or to check the row (a clerk told only 不符 could
    not see why 刘洋（女） was not 刘洋). The note is quoted as typed, not as compared."""
    corrected = dict(event.corrections).get("name")
    if corrected and name_key(corrected) == name_key(event.name):
        return (
            "本行的姓名与更正姓名相同。换发的“姓名”栏填原证书上的姓名，"
            "更正后的姓名填在“更正姓名”栏（§四.(六)2）"
        )
    bare = _NOTE.sub("", event.name).strip()
    note = _NOTE.search(event.name_written) or _NOTE.search(event.name)
    if note and bare and same_holder(current.name_key, name_key(bare)):
        return (
            f"姓名中的“{note.group()}”不是姓名的一部分。“姓名”栏只写姓名，"
            "说明请写在“备注”栏（表中没有这一列的，加上这一列）"
        )
    return "请核对本行的证书编号和姓名"


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
    if (ended := ended_state(current)) and not late:
        found.append(("证书编号", event.number, *ended))
    return found


def ended_state(current: CertificateState) -> tuple[str, str] | None:
    """Why a certificate takes no further 换发、补发 or 撤销, and the clause: it is revoked, or
    its paper was exchanged or replaced under a new number (whose number is the one to act on)."""
    if current.status == REVOKED:
        return "该证书已撤销，不能再换发、补发或撤销", "§五.(三)"
    if current.status == SUPERSEDED:
        return f"该证书已换发/补发为 {current.successor}，请对新证书登记", "§四.(六)"
    return None


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
