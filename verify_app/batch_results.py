"""The results of a batch upload (`verify_app.batch_files`): each row's result columns, and the
result file.

The result file is the HR file itself — every column it had, employee numbers and departments
included, as HR wrote them — with the result columns appended: the registry adds only public
fields (`registry.public.fields.PUBLIC_FIELDS`), times in Beijing time; every cell that a
spreadsheet would run as a formula is neutralised (`registry.sheets.formulas.neutralise`), and
digits and months Excel would turn into numbers or dates are kept as text
(`registry.sheets.formulas.as_text`).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence

from registry.public.confirm import CONFIRMABLE
from registry.public.fields import PUBLIC_FIELDS, PublicField
from registry.public.lookup import NOT_CHECKED
from registry.sheets.formulas import as_text, neutralise
from registry.sheets.layout import header_key
from verify_app.answers import Checked
from verify_app.batch_notes import NOTE_ADVICE, NOTE_LABEL
from verify_app.presentation import shown_time

MATCH_LABELS = {"match": "相符", "mismatch": "不符"}

EXPORT_COLUMNS = (
    ("row", "行号"),
    ("number", "证书编号"),
    ("label", "查验结果"),
    ("advice", "下一步"),
    *((f.name, f.label) for f in PUBLIC_FIELDS if f.exported and f.name != "number"),
    ("result", "结果代码"),
)
"""The result columns: the row, the result in words, what to do next (as a single check says
it: whom to ask about a certificate not found, what a revoked one means), the public fields (the
registry's names never), and last the API's result code, for a program — an officer filtering
in Excel reads 查验结果, where a code (valid for a paper that differs) misled. A row not checked
has none, but one set aside for its number's names (该编号暂停查验, 同一编号配了太多姓名):
``number_paused``, the reason of the API's refusal of it — a program read it as a row missing."""
CONFIRM_COLUMNS = tuple((f"confirm_{k}", f"核对：{v}") for k, v in CONFIRMABLE.items())
"""One result column per confirmable field, when the upload had its column."""


def unchecked_row(row: int, advice: str, code: str = "", number: str = "") -> dict[str, str]:
    """The result columns of a row not checked (`verify_app.batch_files.BatchFile.unchecked`),
    ``advice`` saying why: a note of the list (`verify_app.batch_notes.NOTE_ADVICE`) called
    so, not 未查验 as a person left unchecked is; ``code``, its 结果代码 when it was refused as
    the API refuses it (`BatchFile.refused`), else none: nothing in it to check; ``number``,
    the number it was refused for — its 证书编号 was blank on the page and in the file, the
    number said only in the advice (an employer's review)."""
    return {key: "" for key, _ in (*EXPORT_COLUMNS, *CONFIRM_COLUMNS)} | {
        "row": str(row),
        "number": number,
        "label": NOTE_LABEL if advice == NOTE_ADVICE else NOT_CHECKED,
        "advice": advice,
        "result": code,
    }


PAPER_DIFFERS = "paper_differs"
"""Set in a result row whose paper disagrees with the registry (`export_row`)."""


def export_row(
    row: int, checked: Checked, contact: str | None = None, unread: str = ""
) -> dict[str, str]:
    """The result columns of the file's row ``row``; for a certificate not found, ``contact``
    says whom to ask, as the single check's page does; ``unread``, what the row gave of the
    paper that could not be read, before the advice."""
    answer = checked.answer
    values = {k: PublicField.text(v) for k, v in answer.as_json().items()}
    advice = (f"{unread}。" if unread else "") + checked.advice() + (contact or "")
    values.update(
        row=str(row),
        label=checked.label,
        advice=advice,
        as_of=shown_time(answer.as_of),
    )
    result = {key: values.get(key, "") for key, _ in EXPORT_COLUMNS}
    for key, _ in CONFIRM_COLUMNS:
        field = key.removeprefix("confirm_")
        verdict = (checked.confirmation or {}).get(field)
        result[key] = MATCH_LABELS.get(verdict, "") if verdict else ""
    if checked.mismatched:  # not a column: the results page marks the row as the answer's
        result[PAPER_DIFFERS] = "1"
    return result


def result_columns(confirms: Iterable[str]) -> list[tuple[str, str]]:
    """The appended columns: the results, and a 核对 column per confirmed field."""
    wanted = {f"confirm_{field}" for field in confirms}
    *results, code = EXPORT_COLUMNS  # the API's result code last, after the 核对 columns too
    return [*results, *((k, t) for k, t in CONFIRM_COLUMNS if k in wanted), code]


def write_csv(
    header: Sequence[str],
    cells: Iterable[Sequence[str]],
    results: Iterable[dict[str, str]],
    confirms: Iterable[str] = (),
) -> str:
    """The HR file with the results appended, UTF-8 with BOM so that Excel opens the Chinese
    text correctly. Every cell — the file's own too — is neutralised: a file that went through
    the service must not come back with a formula in it."""
    columns = result_columns(confirms)
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out)
    width = len(header)
    own_titles = {header_key(t) for t in header}
    titles = [f"{t}（查验）" if header_key(t) in own_titles else t for _, t in columns]
    writer.writerow([neutralise(t) for t in header] + titles)
    for own, result in zip(cells, results, strict=True):
        padded = list(own)[:width] + [""] * (width - len(own))
        writer.writerow(
            [as_text(neutralise(c)) for c in padded] + [neutralise(result[k]) for k, _ in columns]
        )
    return out.getvalue()
