"""What a number format that writes words of its own beside a whole number's digits shows of it:
``"Z"0`` shows 1122130006 as Z1122130006, ``"Z112213"0000`` shows 6 as Z1122130006. A clerk
typing a certificate number into a cell so formatted sees the number she meant while the cell
holds other digits: told only ``“1122130006”：证书编号应为11位``, or that the format shows
something else, she could not see what was wrong (a clerk's review). `worded` tells such a
format, `shown_number` renders what it shows, so that the refusal can say both.

Only the plain formats a clerk writes are rendered: one section for positive numbers with digit
placeholders (``0``, ``#``, ``?``) or General among quoted words, no date, decimals, percent,
thousands or condition; any other is left to `registry.sheets._number_formats`.
"""

from __future__ import annotations

from registry.sheets._number_formats import MAX_CODE, WHITE, tokens

_WORDS = ("quote", "escape", "word", "decoration")
"""What a section writes as it is."""
_PADDING = {"0": "0", "#": "", "?": " "}
"""What a digit placeholder no digit falls to shows."""


def _positive_section(code: str) -> list[tuple[str, str]] | None:
    """The parts of the section a positive number goes by, or None when it is not plain (a
    condition, white, Chinese numerals, a date, a decimal point, a percent, thousands, text);
    a currency written in brackets (``[$¥-804]``) as the words it shows."""
    parts: list[tuple[str, str]] = []
    for kind, text in tokens(code):
        said = text.strip().lower()
        if kind == ";":
            break
        if kind == "bracket" and (said[:1] in "<>=" or said in WHITE or "dbnum" in said):
            return None
        if kind in ("date", "at", "comma", "fill") or (kind == "decoration" and text in ".%"):
            return None
        if kind == "bracket" and said.startswith("$"):
            kind, text = "quote", text.strip()[1:].partition("-")[0]
        parts.append((kind, text))
    return parts


def worded(code: str) -> bool:
    """Whether ``code`` shows a positive whole number with words of its own beside its digits
    (a letter, a digit, any character but spaces and signs), plainly enough to render: digit
    placeholders, or one General."""
    if len(code) > MAX_CODE:
        return False
    parts = _positive_section(code)
    if not parts:
        return False
    kinds = [kind for kind, _ in parts if kind in ("digit", "general")]
    words = "".join(text for kind, text in parts if kind in ("quote", "escape", "word"))
    plain = kinds == ["general"] or (bool(kinds) and "general" not in kinds)
    return plain and bool(words.strip())


def shown_number(code: str, value: object) -> str | None:
    """What ``code`` shows of ``value``, a non-negative whole number, when it is `worded`; None
    for any other value or format. The digits fill the placeholders from the right, the first
    placeholder taking all that are left, as Excel does; without the spaces at its ends (a
    padding ``_)``, a quoted space), which the clerk neither sees nor is to type."""
    if isinstance(value, bool) or not isinstance(value, int | float) or not worded(code):
        return None
    if value < 0 or value != int(value) or value >= 1e15:
        return None
    parts = _positive_section(code) or []
    digits = str(int(value)) if value else ""
    first = next(i for i, (kind, _) in enumerate(parts) if kind in ("digit", "general"))
    shown: list[str] = []
    for index in range(len(parts) - 1, -1, -1):
        kind, text = parts[index]
        if kind == "general":
            shown.append(digits or "0")
        elif kind == "digit":
            taken = digits if index == first else digits[-1:]
            digits = "" if index == first else digits[:-1]
            shown.append(taken or _PADDING[text])
        elif kind == "space":
            shown.append(" ")
        elif kind in _WORDS:
            shown.append(text)
    return "".join(reversed(shown)).strip()
