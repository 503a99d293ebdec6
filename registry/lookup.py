"""The public check of SPEC §7: certificate number + holder name → result.

One implementation, used by ``certreg verify`` and by every channel of the verification app.
An unknown number and a known number with another name give the *same* ``no_match`` answer, so
the check cannot be used to discover who holds a number.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from dataclasses import dataclass

from registry.names import mask_name, name_key
from registry.numbers import MalformedNumber, normalise, parse
from registry.regions import authority_name
from registry.store import registry_as_of

RESULTS = ("valid", "reissued", "superseded", "revoked", "no_match", "malformed")

RESULT_LABELS = {
    "valid": "有效",
    "reissued": "已补发",
    "superseded": "已由新证书取代",
    "revoked": "已撤销",
    "no_match": "未查到",
    "malformed": "编号格式错误",
}


@dataclass(frozen=True)
class Verification:
    """The answer to one check: only what SPEC §7 allows the public to see."""

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

    @property
    def label(self) -> str:
        return RESULT_LABELS[self.result]

    @property
    def matched(self) -> bool:
        return self.result not in ("no_match", "malformed")

    def advice(self) -> str:
        """What the employer should do next, in Chinese."""
        if self.result == "valid":
            return "证书有效。请核对持证人出示的证书原件与以上信息一致。"
        if self.result == "reissued":
            return (
                f"该证书曾遗失并于 {self.status_date} 补发。只有正页右下方注明“补发”字样、"
                f"于 {self.status_date} 补发的证书有效，此前的原件已作废。"
            )
        if self.result == "superseded":
            return (
                f"该证书已于 {self.status_date} 换发（或补发）为新证书 {self.successor}，原证书作废。"
                f"请持证人出示证书 {self.successor}，并以该编号重新查询。"
            )
        if self.result == "revoked":
            return f"该证书已于 {self.status_date} 被发证机关撤销，不能作为资格凭证。"
        if self.result == "malformed":
            return f"{self.reason}。证书编号为11位，如 Z1122020123，请核对后重新输入。"
        return (
            "登记库中没有与该编号和姓名都相符的证书。请核对编号和姓名是否输入正确"
            "（姓名须与证书一致）；如仍查不到，请向发证机关核实。"
        )

    def as_json(self) -> dict[str, object]:
        """The fields that have a value, in declaration order (``vars``: no deep copy, as
        ``dataclasses.asdict`` would make, on the server's hot path)."""
        return {k: v for k, v in vars(self).items() if v is not None}


_QUERY = (
    "SELECT name_key, name, level, trade, authority, issued_on, status, status_date, successor"
    " FROM certificates WHERE number = ?"
)


def verify(
    conn: sqlite3.Connection,
    number: str,
    name: str,
    *,
    as_of: Callable[[sqlite3.Connection], str | None] = registry_as_of,
) -> Verification:
    """Check ``number`` against the holder ``name`` in the registry open on ``conn``.

    ``as_of`` tells the registry's snapshot time; a server passes a cached version of it.
    """
    typed = normalise(number)
    try:
        parsed = parse(number)
    except MalformedNumber as exc:
        return Verification("malformed", typed, as_of(conn), reason=str(exc))
    canonical = str(parsed)
    snapshot = as_of(conn)
    key = name_key(name)
    if not key:
        return Verification("malformed", canonical, snapshot, reason="持证人姓名为空")
    row = conn.execute(_QUERY, (canonical,)).fetchone()
    if row is None or row[0] != key:
        return Verification("no_match", canonical, snapshot)
    _, holder, level, trade, authority, issued_on, status, status_date, successor = row
    return Verification(
        result=status,
        number=canonical,
        as_of=snapshot,
        level=level,
        trade=trade,
        authority=authority_name(authority),
        issued_on=issued_on,
        holder=mask_name(holder),
        status_date=status_date,
        successor=successor,
    )
