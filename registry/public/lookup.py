"""The public check of SPEC §7: certificate number + holder name → result.

One implementation, used by ``certreg verify`` and by every channel of the verification app,
and the only place that answers a check (a watch list's feed reads the later events of numbers
it was given by checks like this one: `verify_app.watch_store`). An unknown number and a known
number with another name give the *same* ``no_match`` answer, so the check cannot be used to
discover who holds a number.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass

from registry.domain.names import mask_name, name_key, same_holder
from registry.domain.numbers import (
    MISTAKEN_LETTER,
    TYPED_AROUND,
    MalformedNumber,
    parse_canonical,
    shown,
)
from registry.domain.regions import authority_name
from registry.domain.statuses import (
    MALFORMED,
    NO_MATCH,
    REISSUE,
    REISSUED,
    RESULT_LABELS,
    REVOKED,
    SUPERSEDED,
    VALID,
)
from registry.public.fields import FIELD_NAMES
from registry.public.name_faults import EMPTY_NAME, GARBLED_NAME, REORDERED_NAME, name_fault
from registry.store import data_version, registry_as_of

AsOf = Callable[[sqlite3.Connection, int], str | None]
"""The registry's snapshot time on a connection, given the ``PRAGMA data_version`` read with the
answer: a server caches the time and reads it again only when the version moves (a sync)."""


def stored_as_of(conn: sqlite3.Connection, version: int) -> str | None:
    """`registry_as_of`, read every time (``certreg verify``, one check a run)."""
    return registry_as_of(conn)


def _as_of_now(conn: sqlite3.Connection, as_of: AsOf) -> str | None:
    """``as_of`` for an answer read without the certificate row (which carries the version)."""
    return as_of(conn, data_version(conn))


REISSUE_COPY = (
    "证书有效。该证书为补发证书（{origin}），证书正页右下方应注明“补发”字样；"
    "请核对持证人出示的证书原件有此字样，且等级、工种、发证日期等与登记的一致。"
)
"""§四.(六)3: a 补发 copy under a new number — or the 换发 of one, which keeps the mark — and
what an employer must look for on its paper."""
REISSUE_ORIGIN = "原证书 {reissue_of} 已作废"
EXCHANGED_COPY = "由补发证书换发，原补发证书已作废"

REORDERED_NUMBER = "证书编号中有改变文字显示顺序的控制字符，屏幕上显示的与输入的不是同一个编号"
"""A number is read without what nobody sees (a zero-width space pasted along, an embedding a
copy wraps it in), but not past a bidi override, which shows its characters in another order
than it holds them, as for a name (an integrator's review)."""
OVERRIDES = re.compile("[\u202d\u202e]")
"""Left-to-right and right-to-left overrides: the only controls that reorder a number's letters
and digits (an embedding or isolate around them shows them as they are)."""
NOT_CHECKED_ADVICE = {
    EMPTY_NAME: "请填写证书上的持证人姓名后重新查验",
    REORDERED_NAME: "请照证书逐字输入姓名（不要复制粘贴）后重新查验",
    GARBLED_NAME: "请核对发送姓名的程序的字符编码（应为 UTF-8），或在查验页面上照证书输入姓名后重新查验",
    REORDERED_NUMBER: "请照证书逐字输入证书编号（不要复制粘贴）后重新查验",
}
"""The reasons of a `malformed` answer about what was typed, not about a number of ours — no
sign of a forgery: what to do instead."""
NOT_CHECKED = "未查验"
"""The label of such an answer: the number may well be right, it was not looked up."""

OLD_STYLE = (
    "本库只登记按川人社函〔2012〕389号核发的《资格证书》：持此前颁发的旧式证书（如《中华人民共和国"
    "机关事业单位工人技术岗位证书》）的，在本库查不到不等于证书无效，请向发证机关核实（通知 §五.(四) "
    "停用的只是当时尚未使用的空白旧证书，已经颁发的旧证书不受影响）。"
)
"""What a malformed number may be: an older certificate's. Not said of a letter typed for a
digit (G1122OOOOO1), a number of ours mistyped, where it was noise to an officer on a phone."""

ADVICE: dict[str, str] = {
    VALID: "证书有效。请核对持证人出示的证书原件，其等级、工种、发证日期等应与登记的一致。",
    REISSUED: "该证书曾遗失并于 {status_date} 补发。只有正页右下方注明“补发”字样、"
    "于 {status_date} 补发的证书有效，此前的原件已作废。",
    SUPERSEDED: "该证书已于 {status_date} 换发为新证书 {successor}，原证书作废。"
    "请持证人出示新证书 {successor}，并以该编号和新证书上的姓名重新查验（换发时可能更正过姓名；"
    "新证书此后也可能已被换发、补发或撤销，以重新查验的结果为准）。",
    REVOKED: "该证书已于 {status_date} 被发证机关撤销，不能作为资格凭证。"
    "如对撤销有疑问，请向发证机关核实。",
    MALFORMED: "{reason}。证书编号是1个字母加10位数字，如 Z1122020123，请核对后重新输入。",
    NO_MATCH: "登记库中没有与该编号和姓名都相符的证书。请核对编号和姓名是否输入正确"
    "（姓名须与证书一致）。查不到不一定是假证：也可能是输入有误，或该证书尚未录入登记库；"
    "仍查不到的，请向发证机关核实，核实前请勿以此证书为凭。",
}
"""What the employer should do next, per result (filled in with the answer's fields)."""
REISSUED_UNDATED = (
    "该证书曾遗失并补发。只有正页右下方注明“补发”字样的补发证书有效，此前的原件已作废。"
)
"""`REISSUED`'s advice when its date is withheld (a confirmation: the date is the paper's)."""
REPLACED_BY_REISSUE = (
    "该证书已于 {status_date} 遗失补发，补发的新证书编号为 {successor}，原证书作废。"
    "请持证人出示补发证书（正页右下方注明“补发”字样），并以该编号重新查验。"
)


@dataclass(frozen=True)
class Verification:
    """The answer to one check: the result and the `registry.public.fields.PUBLIC_FIELDS`
    that have a value — only what SPEC §7 allows the public to see."""

    result: str
    number: str
    as_of: str | None = None
    reason: str | None = None
    level: str | None = None
    trade: str | None = None
    authority: str | None = None
    issued_on: str | None = None
    holder: str | None = None
    status_date: str | None = None
    successor: str | None = None
    replaced_by: str | None = None
    reissue: bool | None = None
    reissue_of: str | None = None
    faulty_input: str | None = None

    @property
    def label(self) -> str:
        """The result's Chinese name; a check without a name was not made (its number may well
        be right), so it is not called a malformed number."""
        return NOT_CHECKED if self.reason in NOT_CHECKED_ADVICE else RESULT_LABELS[self.result]

    @property
    def wants_contact(self) -> bool:
        """Whether the answer names whom to ask (§五.(四): the issuing departments' contacts),
        as its advice tells the employer to: for a 未查到 answer and a revoked certificate; not
        for a certificate in force, nor for a check without a name."""
        return (
            not self.matched or self.result == REVOKED
        ) and self.reason not in NOT_CHECKED_ADVICE

    @property
    def matched(self) -> bool:
        return self.result not in (NO_MATCH, MALFORMED)

    def advice(self) -> str:
        """What the employer should do next, in Chinese."""
        if self.result == SUPERSEDED and self.replaced_by == REISSUE:
            return REPLACED_BY_REISSUE.format_map(vars(self))
        if self.reason in NOT_CHECKED_ADVICE:  # the number may be right: nothing to say about it
            return f"{self.reason}。{NOT_CHECKED_ADVICE[self.reason]}。"
        if self.reissue and self.result == VALID:
            origin = REISSUE_ORIGIN.format_map(vars(self)) if self.reissue_of else EXCHANGED_COPY
            return REISSUE_COPY.format(origin=origin)
        if self.result == REISSUED and self.status_date is None:
            return REISSUED_UNDATED
        advice = ADVICE[self.result].format_map(vars(self))
        if self.result == MALFORMED and MISTAKEN_LETTER not in (self.reason or ""):
            if not self.typed_around:
                advice += OLD_STYLE  # a number that is none of ours, not one of ours mistyped
        return advice

    @property
    def typed_around(self) -> bool:
        """Whether the number was typed with what is no part of it, or is an ID card's: a phone
        review was offered to report a forgery, and told of older certificates, for a chat's
        card pasted whole (证书编号：Z1122020123 姓名：周杰)."""
        return self.result == MALFORMED and any(m in (self.reason or "") for m in TYPED_AROUND)

    def as_json(self) -> dict[str, object]:
        """The result and each public field that has a value, in the table's order."""
        answer: dict[str, object] = {"result": self.result}
        for name in FIELD_NAMES:
            value = getattr(self, name)
            if value is not None:
                answer[name] = value
        return answer


_READ = (
    "name_key", "name", "level", "trade", "authority", "issued_on", "status", "status_date",
    "successor", "reissue", "predecessor",
)  # fmt: skip
"""The certificate's columns a check reads (`verify` takes each by its name)."""
_COLUMNS = ", ".join(f"c.{column}" for column in _READ)
_QUERY = (
    f"SELECT d.data_version, {_COLUMNS}"
    " FROM pragma_data_version d LEFT JOIN certificates c ON c.number = ?"
)
"""The row — NULLs when there is none — and the ``data_version`` of the snapshot it was read
from, in one statement: a check is one step into SQLite, not two."""
_WITH_EVENTS = (
    f"SELECT {_COLUMNS},"
    " (SELECT e.type FROM status_events e WHERE e.number = c.number"
    "  AND e.new_number = c.successor ORDER BY e.date DESC LIMIT 1),"
    " EXISTS (SELECT 1 FROM status_events e WHERE e.number = c.predecessor"
    "  AND e.new_number = c.number AND e.type = ?)"
    " FROM certificates c WHERE number = ?"
)
"""The row with what replaced the certificate and whether it is the 补发 copy of its
predecessor, in one statement (one snapshot: a sync between two reads could pair a row with
events it does not have yet). Read only for the few with a successor or marked 补发 with a
predecessor, so that checking a valid certificate is one primary-key read. (Who revoked a
certificate is not read: a public answer shows no document.)

A certificate marked 补发 names its predecessor only when that 补发 created it: one issued by a
换发 and later reissued under its own number replaced its predecessor by the 换发 (§四.(六))."""


_NOBODY = "\x00"
"""The registered key an unregistered number's name is compared with: no name key is it, so the
comparison takes the path a wrong name takes (`registry.domain.names.same_holder`)."""


def verify(
    conn: sqlite3.Connection, number: str, name: str, *, as_of: AsOf = stored_as_of
) -> Verification:
    """Check ``number`` against the holder ``name`` in the registry open on ``conn``.

    ``as_of`` tells the registry's snapshot time; a server passes a cached version of it.
    """
    try:
        if OVERRIDES.search(number):
            raise MalformedNumber(REORDERED_NUMBER)
        _, canonical = parse_canonical(number)
    except MalformedNumber as exc:
        snapshot = _as_of_now(conn, as_of)
        return Verification(
            MALFORMED, shown(number), snapshot, reason=str(exc), faulty_input="number"
        )
    key = name_key(name)
    if reason := name_fault(name, key):
        snapshot = _as_of_now(conn, as_of)
        return Verification(MALFORMED, canonical, snapshot, reason=reason, faulty_input="name")
    version, *found = conn.execute(_QUERY, (canonical,)).fetchone()
    snapshot = as_of(conn, version)
    # a number not registered compares the name too, with a key no name has: a wrong name's
    # comparison alone took microseconds a stranger could time to learn the number is real —
    # so nothing else is done before it (the row is read by name only once the name matched)
    if not same_holder(found[0] if found[0] is not None else _NOBODY, key) or found[0] is None:
        return Verification(NO_MATCH, canonical, snapshot)
    row = dict(zip(_READ, found, strict=True))
    replaced_by, reissue_copy = None, False
    # a successor, or a 补发 mark on a certificate that replaced another. Only after the name
    # matched: read for a wrong name too, the second query's time would tell a stranger who
    # knows only the number that it was replaced (SPEC §7).
    if row["successor"] or (row["reissue"] and row["predecessor"]):
        again = conn.execute(_WITH_EVENTS, (REISSUE, canonical)).fetchone()
        if again is None or not same_holder(again[0], key):  # a sync in between changed it
            return Verification(NO_MATCH, canonical, snapshot)
        *values, replaced_by, reissue_copy = again
        row = dict(zip(_READ, values, strict=True))
    successor, reissue = row["successor"], row["reissue"]
    return Verification(
        result=row["status"],
        number=canonical,
        as_of=snapshot,
        level=row["level"],
        trade=row["trade"],
        authority=authority_name(row["authority"]),
        issued_on=row["issued_on"],
        holder=mask_name(row["name"]),
        status_date=row["status_date"],
        successor=successor,
        replaced_by=replaced_by if successor else None,
        reissue=True if reissue else None,
        reissue_of=row["predecessor"] if reissue and reissue_copy else None,
    )


def recheck(
    conn: sqlite3.Connection,
    number: str,
    holder_matches: Callable[[str], bool],
    *,
    as_of: AsOf = stored_as_of,
) -> tuple[Verification, str | None]:
    """The current answer for a receipt, which knows the holder only by a keyed hash:
    ``holder_matches(name)`` says whether the registered holder is the one checked. With the
    answer, the holder's name as registered when it is that holder (the log hashes it)."""
    row = conn.execute("SELECT name FROM certificates WHERE number = ?", (number,)).fetchone()
    if row is None or not holder_matches(row[0]):
        return Verification(NO_MATCH, number, _as_of_now(conn, as_of)), None
    return verify(conn, number, row[0], as_of=as_of), row[0]


def certificate_count(conn: sqlite3.Connection) -> int:
    """How many certificates the registry holds (for the health check)."""
    return int(conn.execute("SELECT count(*) FROM certificates").fetchone()[0])
