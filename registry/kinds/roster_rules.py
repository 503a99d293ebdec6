"""The roster rules that look at the rows together, not one by one: the same holder twice (§二)
and the year of the approval documents (§四.(三)); the footer's approval counts (§四.(六)1) are
`registry.kinds.roster_footer`'s, the order of the numbers `registry.kinds.roster_order`'s. Pure
functions over a roster's rows."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

from registry.domain.documents import document_key, year_problem
from registry.domain.names import holder_key
from registry.domain.problems import Problem
from registry.kinds.base import RegisterEntry
from registry.kinds.roster_cells import is_ditto
from registry.kinds.roster_remarks import REMOVAL, WITHHELD_CLAUSE, different_person
from registry.sheets.cells import text
from registry.sheets.table import Record
from registry.store.rows import CertificateRow

REVOKE_INSTEAD = (
    "。此证书已随本名册登记发证，不能从名册中删去（删去的证书仍然保留，查验仍为有效）："
    "如该持证人确实{why}，请在换发、补发、撤销登记表中登记撤销（§五.(三)）；{restore}"
)
"""What replaces it for a certificate the registry holds already."""
REVOKED_ALREADY = "。此证书已于 {date} 撤销（§五.(三)），查验结果为已撤销；{restore}"
"""… and for one already revoked: the revocation is what records the failure."""


def revoke_instead(problem: Problem, revoked_on: str | None) -> Problem:
    """``problem`` (a failed examination, or a row its remarks withhold) advised for a
    certificate issued already, revoked on ``revoked_on`` or not."""
    exam = problem.clause != WITHHELD_CLAUSE
    if exam or problem.column == "备注":  # what the registry holds of the row: put it back
        what = "考核结果" if exam else "备注"
        restore = f"本名册中此行请恢复为原来登记的{what}后重新导入"
    else:  # a column it never read: the remark is only to go
        restore = f"请删去本行“{problem.column}”栏中的这条意见后重新导入"
    if revoked_on:
        advice = REVOKED_ALREADY.format(date=revoked_on, restore=restore)
    else:
        advice = REVOKE_INSTEAD.format(why="不合格" if exam else "不应发证", restore=restore)
    return replace(problem, rule=problem.rule.split(REMOVAL)[0] + advice)


Holding = tuple[str, object, object, str]
"""What makes two rows the same holder of the same certificate: name key (without a minority
name's dots, which the public check overlooks too), birth, trade, level."""


def holding(certificate: CertificateRow) -> Holding:
    return (
        holder_key(certificate.name_key),
        certificate.birth,
        certificate.trade,
        certificate.letter,
    )


def duplicate_holders(certificates: Iterable[CertificateRow]) -> list[Problem]:
    """§二: a certificate per person and level — a row whose holder appears earlier in the file
    with the same trade and level is refused, unless its 备注 says it is somebody else."""
    seen: dict[Holding, CertificateRow] = {}
    problems = []
    for certificate in certificates:
        key = holding(certificate)
        first = seen.setdefault(key, certificate)
        if first is certificate or different_person(certificate.remark):
            continue
        problems.append(
            duplicate_problem(certificate, f"本文件第{first.source_row}行（{first.number}）")
        )
    return problems


def held_already_rule(where: str) -> str:
    """§二's refusal of a holder registered ``where`` (本文件第4行, 登记库中…) already."""
    return f"此人（姓名、出生年月、工种、等级均相同）已在{where}登记，同一人同一等级只发一本证书"


ANOTHER_PERSON = "如确是同名同生日的另一人，请在“备注”中注明（如“同名同生日，另一人”）"
"""What `different_person` reads in 备注, as a clerk is told to write it."""


def duplicate_problem(certificate: CertificateRow, where: str, advice: str = "") -> Problem:
    rule = f"{held_already_rule(where)}；{ANOTHER_PERSON}{advice}"
    return Problem(
        certificate.source_row, "姓名", certificate.name, rule, "§二", number=certificate.number
    )


def document_problems(entry: RegisterEntry, records: Iterable[Record]) -> list[Problem]:
    """§四.(三): the issue date is the date of the approving document, so their years agree —
    the manifest's approval document, and a 附件5 row's own 批准文号: every row's, a row with
    another problem too (one without a number yet included), so that one report lists both."""
    assert entry.issued_on is not None
    year = entry.issued_on.year
    problems = []
    reason = year_problem(entry.approval_doc, year)
    if reason:  # the manifest's fault, not the file's: said where it is fixed
        reason += "：这是清单中为本名册写的批准文号，请改正 registers.toml 中的 approval_doc（单个文件时为 --approval-doc）"
        problems.append(Problem(None, "approval_doc", entry.approval_doc, reason, "§四.(三)"))
    for record in records:
        written = record.values.get("批准文号")
        document = text(written)
        if not document or document == entry.approval_doc or is_ditto(written):
            continue  # a ditto mark is refused as one (`roster_rows`)
        if reason := year_problem(document, year) or _another_document(document, entry):
            problems.append(Problem(record.row, "批准文号", document, reason, "§四.(三)"))
    return problems


def _another_document(document: str, entry: RegisterEntry) -> str | None:
    """Why a 附件5 row approved by another document than the register's cannot be loaded with
    it: its certificate would carry the register's 发证日期, the date of that other document."""
    if not entry.approval_doc or document_key(document) == document_key(entry.approval_doc):
        return None
    return (
        f"本行的批准文号与本名册的批准文号“{entry.approval_doc}”不是同一文件：发证日期是批准文件"
        "的日期，一份名册只登记同一文件批准的人员。请核对本行的批准文号；确是另一文件批准的，"
        "请把该行移到按那份文件登记的名册中（registers.toml 中写明它的 approval_doc 和 issued_on）"
    )
