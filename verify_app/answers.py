"""What one check is and answers, on every channel: the pair (and what the paper shows) asked
about, the answer as the employer sees it — whole, or with the confirmed fields withheld — and
the limits on what may be typed. `verify_app.service.Verifier` makes them."""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field

from registry.domain.names import name_key
from registry.domain.numbers import MAX_NUMBER_CHARS as MAX_NUMBER_CHARS
from registry.domain.numbers import normalise
from registry.domain.statuses import MALFORMED, NO_MATCH, REVOKED, SUPERSEDED, VALID
from registry.domain.text import MAX_NAME_CHARS as MAX_NAME_CHARS
from registry.domain.trades import TradeCatalogue
from registry.public import lookup
from registry.public.confirm import (
    CONFIRMABLE,
    MATCH,
    MISMATCH,
    WITHHELD,
    anything_typed,
    confirm,
    mismatch_advice,
    withheld,
)
from registry.public.lookup import Verification

MAX_CONFIRM_CHARS = 40
"""Longest value typed from the paper (a trade name, a date written out)."""


def too_long(number: str, name: str, typed: Mapping[str, str] | None = None) -> tuple[str, ...]:
    """The fields of a check longer than any channel takes — ``number``, ``name``, and each of
    ``typed`` (what the paper shows) by its field — in that order; each channel words it."""
    limits = {"number": (number, MAX_NUMBER_CHARS), "name": (name, MAX_NAME_CHARS)}
    limits |= {field: (value, MAX_CONFIRM_CHARS) for field, value in (typed or {}).items()}
    return tuple(field for field, (value, limit) in limits.items() if len(value) > limit)


_NOT_A_DIGIT = re.compile(r"[^0-9]")
NUMBER_DIGITS = 10
"""附件3: a number's digits after its level letter."""


def screened_number(number: str) -> str:
    """The number as the log and the reports keep it (SPEC §7: never the name): a malformed
    answer carries what was typed, which is the holder's name when a client swapped the fields
    or a batch file has its name column first — in Latin letters too (JOESMITH) — or another
    personal number typed in the wrong field (an ID card's 18 digits, a phone's 11, +86…).
    Only what a certificate number holds (附件3) is kept: its first character if a letter or
    digit, digits after it, and none of them if there are more than a number has (10: a
    phone's 11, an ID card's 18). Each other character becomes ``*``, so staff still see its
    shape and length. A well-formed number is unchanged."""
    typed = number[:MAX_NUMBER_CHARS]
    head, rest = typed[:1], typed[1:]
    if sum(ch.isdigit() for ch in number) > NUMBER_DIGITS:  # another number: none of it
        return (head if head.isascii() and head.isalpha() else "*" * len(head)) + "*" * len(rest)
    if head.isascii() and head.isalnum() and rest.isascii() and rest.isdigit():
        return typed  # every well-formed number (or one without its letter), in C
    first = head if head.isascii() and head.isalnum() else "*" * len(head)
    return first + _NOT_A_DIGIT.sub("*", rest)


@dataclass(frozen=True)
class Item:
    """One requested check: the number and holder name as typed, and what the employer typed
    from the paper to confirm (`registry.public.confirm.CONFIRMABLE` → text; blank: nothing)."""

    number: str
    name: str
    typed: Mapping[str, str] = field(default_factory=dict)


def charged_rows(items: Sequence[Item]) -> int:
    """The rows of ``items`` a batch is charged: a row repeated exactly — the same number and
    name as the lookup reads them, the same values typed from the paper — once. Its answer is
    its twin's, telling nothing more; a roster merged from two offices' lists carried each of
    their shared applicants twice, and paid twice (an integrator's review)."""
    if len(items) < 2:
        return len(items)
    return len(
        {
            (
                normalise(item.number),
                name_key(item.name) or item.name,
                frozenset((field, value.strip()) for field, value in item.typed.items()),
            )
            for item in items
        }
    )


@dataclass(frozen=True)
class Checked:
    """One answered check: the answer as it may be shown, and the confirmation when the
    employer typed something from the paper (then the answer withholds what was confirmed)."""

    answer: Verification
    name_hash: str
    confirmation: dict[str, str] | None = None
    holder_hash: str = ""
    """for a certificate found: what its receipt carries (`verify_app.name_hashes.holder_hash`)"""
    registered: Mapping[str, str] = field(default_factory=dict)
    """what the registry said of the confirmed fields it withholds (`registered_values`): its
    receipt keeps a digest of them"""

    @property
    def mismatched(self) -> list[str]:
        """The confirmed fields the paper got wrong."""
        return [k for k, v in (self.confirmation or {}).items() if v == MISMATCH]

    @property
    def label(self) -> str:
        """The result's label, with why a number is malformed, or — when the paper disagreed —
        which fields it got wrong (a batch row's 结果说明)."""
        if self.answer.reason:
            return f"{self.answer.label}：{self.answer.reason}"
        if not self.mismatched:
            return self.answer.label
        fields = "、".join(CONFIRMABLE[field] for field in self.mismatched)
        return f"{self.answer.label}，但所填的{fields}与登记不符"

    def advice(self) -> str:
        """What the employer does next: with a paper that disagrees with the registry, not
        what a matching certificate's answer says (证书有效…) — but after what a revoked or
        replaced certificate's says, which no paper makes good (a batch row said only to
        check the paper, and never that the certificate was revoked)."""
        if not self.mismatched:
            confirmed = (self.confirmation or {}).items()
            matched = [MATCHED_LABELS.get(k, CONFIRMABLE[k]) for k, v in confirmed if v == MATCH]
            if matched and self.answer.result == VALID and not self.answer.reissue:
                # not 请核对…应与登记的一致: the page withholds what was registered
                return PAPER_MATCHES.format(fields="、".join(matched))
            return self.answer.advice()
        paper = mismatch_advice(self.answer, self.mismatched)
        if self.answer.result in (REVOKED, SUPERSEDED):
            return f"{self.answer.advice()}{paper}"
        return paper

    @property
    def wants_contact(self) -> bool:
        """Whether the answer names whom to ask: as the answer says, and for a paper that
        disagrees with the registry, whose advice is to ask the issuing department."""
        return self.answer.wants_contact or bool(self.mismatched)

    @property
    def reportable(self) -> bool:
        """Whether the employer is offered to report a suspected forgery (§五.(三))."""
        if self.answer.reason in lookup.NOT_CHECKED_ADVICE:  # a check not made, no sign of forgery
            return False
        if self.answer.typed_around:  # the typing's fault
            return False
        if not self.answer.number.strip():  # no number typed: nothing to report about
            return False
        return self.answer.result in REPORTABLE or bool(self.mismatched)


MATCHED_LABELS = {"reissue_mark": "有无“补发”字样"}
"""A field as `PAPER_MATCHES` names it: 正页右下方注明“补发”与登记的一致 read as if the
paper bore the mark, said of one that rightly does not."""
PAPER_MATCHES = (
    "证书有效，证书上的{fields}与登记的一致。请再核对持证人的身份证件，确认证书是其本人的。"
)
"""The advice of a valid certificate whose paper matched every field typed."""

REPORTABLE = (NO_MATCH, REVOKED, MALFORMED)
"""Results from which a suspected forgery may be reported."""


def confirmed(
    answer: Verification,
    typed: Mapping[str, str],
    hashes: tuple[str, str],
    catalogue: TradeCatalogue,
    originals: Collection[str] = (),
) -> Checked:
    """The answer as the employer sees it: whole, or — when anything from the paper was typed —
    without the confirmable values, with match/mismatch for each typed field instead.
    ``hashes``: the name's and the holder's (`Checked.name_hash`, `Checked.holder_hash`);
    ``originals``: the issue dates a 补发 copy's paper may print too (`first_issues`)."""
    hashed, holder = hashes
    if not anything_typed(typed):
        return Checked(answer, hashed, holder_hash=holder)
    confirmation = confirm(answer, typed, catalogue, originals)
    registered = registered_values(answer, confirmation, originals)
    return Checked(withheld(answer), hashed, confirmation, holder, registered)


def registered_values(
    answer: Verification, fields: Collection[str], originals: Collection[str] = ()
) -> dict[str, str]:
    """What ``answer`` says of those of ``fields`` an answer withholds once they are confirmed
    (level, trade, issue date) — what a later correction of the registry changes. With a
    confirmed issue date, a 补发 copy's ``originals`` (`first_issues`) too: its paper may print
    any of them, and a receipt kept saying 与登记相符 after the original's date was corrected."""
    values = {name: str(getattr(answer, name)) for name in WITHHELD if name in fields}
    if "issued_on" in values and originals:
        values[FIRST_ISSUES] = " ".join(sorted(originals))
    return values


FIRST_ISSUES = "first_issues"
"""`registered_values`' name for a 补发 copy's original dates (not a field of an answer)."""


def registered_forms(
    answer: Verification, fields: Collection[str], originals: Collection[str] = ()
) -> tuple[dict[str, str], ...]:
    """`registered_values` as a receipt's digest may hold them: as now, and — for a 补发 copy
    whose issue date was confirmed — without the original dates, as receipts issued before
    2026-12-06 digested them (told 此后登记的内容有更正 of a correction none made)."""
    values = registered_values(answer, fields, originals)
    if FIRST_ISSUES not in values:
        return (values,)
    return values, {name: value for name, value in values.items() if name != FIRST_ISSUES}


SHOWN_PROBLEMS = 10
"""Rows named in a refusal: enough to fix a run of mistakes in one go, short enough to read."""


def listed(problems: list[str], unit: str, then: str) -> str:
    """Every row (``unit``: 行, 项) to fix — the first `SHOWN_PROBLEMS` of them — not only the
    first: the employer corrects the file or the request once, not once per row."""
    shown = "；".join(problems[:SHOWN_PROBLEMS])
    more = len(problems) - SHOWN_PROBLEMS
    tail = f"；另有 {more} {unit}有问题" if more > 0 else ""
    # a problem asking (是否应为 confirm？) ends its sentence itself: not followed by 。
    end = "" if not tail and shown.endswith(_SENTENCE_ENDS) else "。"
    return f"{shown}{tail}{end}{then}"


_SENTENCE_ENDS = ("。", "？", "！")
"""What ends a problem's last sentence without a 。 after it."""
