"""What a 换发 of a misfilled certificate corrects (§四.(六)2): each correction cell read as a
roster reads the field, and the corrections a reason naming the misfilled field asks for."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping

from registry.domain.dates import BadDate, parse_year_month, year_month_text
from registry.domain.name_rules import check_name
from registry.domain.names import SEX_RULE, name_key, normalise_name, sex_of
from registry.domain.statuses import MISFILLED, MISFILLED_FIELDS
from registry.domain.trades import TradeCatalogue
from registry.sheets.cells import Cell, text

Corrected = list[tuple[str, str]]
"""(certificate field, corrected value) of one correction cell."""
Refusal = tuple[str, ...]
"""(rule, clause) of a correction cell that cannot be read."""

MISFILLED_SAID = {
    column: re.compile(f"(?:{'|'.join(words)})[^，,。；;、]{{0,2}}?(?:{'|'.join(MISFILLED)})")
    for column, words in MISFILLED_FIELDS.items()
}
"""A reason saying that field was misfilled, the word beside it (工种填错, 出生年月填写错误) —
not 照片与本人不符，姓名无误, whose 姓名 is no error."""


def corrected(
    column: str, written: str, today: dt.date, catalogue: TradeCatalogue
) -> Corrected | Refusal:
    """The certificate fields a correction cell sets, or why it cannot be read."""
    if column == "更正姓名":
        name = normalise_name(written)
        problem = check_name(name)
        return problem if problem else [("name", name), ("name_key", name_key(name))]
    if column == "更正性别":
        sex = sex_of(written)
        return SEX_RULE if sex is None else [("sex", sex)]
    if column == "更正出生年月":
        try:
            year, month = parse_year_month(written, not_after=today)
        except BadDate as exc:
            return (str(exc), "§四.(三)")
        return [("birth", year_month_text(year, month))]
    trade = catalogue.resolve(written)
    return (catalogue.unknown(written), "§四.(三)") if trade is None else [("trade", trade)]


def uncorrected(values: Mapping[str, Cell]) -> list[str]:
    """The correction columns a 换发's reason asks for (工种填错: 更正工种) and the row leaves
    empty: the new certificate would repeat the error it was exchanged for."""
    reason = text(values.get("原因"))
    return [
        column
        for column, said in MISFILLED_SAID.items()
        if said.search(reason) and not text(values.get(column))
    ]
