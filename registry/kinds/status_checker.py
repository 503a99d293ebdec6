"""The events of a status-change register checked one by one, in date order, against the
registry and the events before them in the same file (`Events`): each certificate's state as
the file changes it, a number given twice, an approval used twice, an applied event edited.
"""

from __future__ import annotations

import sqlite3
from collections import Counter
from collections.abc import Collection

from registry.domain.documents import document_key
from registry.domain.numbers import parse
from registry.domain.problems import Problem
from registry.domain.statuses import EVENT_TYPES, REVOKE, StatusEvent, status_after
from registry.domain.trades import TradeCatalogue
from registry.kinds.base import RegisterEntry
from registry.kinds.status_elsewhere import (
    approved_in,
    chain_before,
    registered_elsewhere,
    registered_in,
)
from registry.kinds.status_rules import ended_state, event_problems, given_before, recorded_late
from registry.kinds.status_state import (
    CertificateState,
    Found,
    before_its_number,
    corrected,
    held_already,
    load_state,
    numbering_problems,
)
from registry.kinds.status_versions import Identity
from registry.store.numbering_runs import highest_sequence


def _used_on(kind: str, number: str, event: StatusEvent) -> tuple[str, str]:
    """(the certificate, the rule) of an approval ``event`` repeats: one event of its own
    certificate; on a certificate it replaced, any (its own needs its own document)."""
    if number == event.number:
        return "这本证书", f"一份批准文件只办理一次{kind}"
    rule = f"一份批准文件只办理一次变更，新证书 {event.number} 的{event.type}须另有批准文件"
    return f"原证书 {number}", rule


class Events:
    """Checks a register's new events in date order against the registry and the events before
    them in the file, keeping each certificate's state as the file changes it."""

    def __init__(
        self,
        conn: sqlite3.Connection,
        entry: RegisterEntry,
        catalogue: TradeCatalogue,
        events: list[StatusEvent],
        vanished: list[Identity],
        problems: list[Problem],
        present: list[StatusEvent],
        amended: Collection[Identity] = (),
    ) -> None:
        self.conn, self.entry, self.problems = conn, entry, problems
        self.catalogue = catalogue
        """what a corrected trade is compared with the registered ones by (§二)"""
        self.vanished = vanished
        """the applied events (identities) a new version lacks: a new row may be one edited"""
        self.created = {e.new_number: e for e in events if e.new_number}
        ordered = sorted(events, key=lambda e: -e.row)  # the first row's, written last
        self.first_given = {e.new_number: e.row for e in ordered if e.new_number}
        """new number → the row of this file that gives it first"""
        self.state: dict[str, CertificateState | None] = {}
        self.rows: dict[Identity, int] = {}
        self.approvals: dict[tuple[str, str, str], int] = {}
        """(type, number, 批准文号) → the row of this file registering it first"""
        self.skipped = {*vanished, *(e.identity for e in present)}
        # as the file now writes them; judged only where a correction changed the 文号 (a
        # register is not judged again by a rule that came after it)
        for event in sorted(present, key=lambda e: (e.identity in amended, e.row)):
            twice = self._approved_twice(event, registry=event.identity in amended, new=False)
            if twice and event.identity in amended:
                self.problems.append(
                    Problem(event.row, "批准文号", event.approval_doc, twice, "§四.(六)")
                )
        self.late: set[Identity] = set()
        self.new_numbers = Counter(parse(e.new_number).prefix for e in events if e.new_number)

    def certificate(self, number: str) -> CertificateState | None:
        if number not in self.state:
            self.state[number] = load_state(self.conn, number)
        return self.state[number]

    def check(self, event: StatusEvent, incomplete: bool) -> None:
        """Record the event's problems; apply it to the state when it has none of its own."""
        current = self._known(event)
        if current is None:
            return
        if edit := self._edit_of(event):  # judged as a new change, it was told three wrong things
            found = [edit]
        else:
            found = event_problems(event, current, self.entry, self.certificate, self.next_free)
            if held := held_already(self.conn, event, current, self.state, self.catalogue):
                found.append(held)
            if event.new_number and not found:
                found += numbering_problems(self.conn, event, self.new_numbers)
        given = self.first_given.get(event.new_number or "", event.row)
        found = [given_before(f, given) if given != event.row else f for f in found]
        self.problems.extend(Problem(event.row, *f, number=event.number) for f in found)
        if not found and not incomplete:
            self._apply(event, current)

    def next_free(self, number: str) -> str:
        """The number to use instead of ``number``: after the highest of its level, year and
        region used in the registry, handed out by a numbering run, or created in this file."""
        taken = parse(number)
        highest = highest_sequence(self.conn, taken.letter, taken.year_code, taken.region)
        created = [parse(n).sequence for n in self.created if parse(n).prefix == taken.prefix]
        return str(taken._replace(sequence=max([highest, *created]) + 1))

    def _edit_of(self, event: StatusEvent) -> Found | None:
        """The applied event this new row is an edit of — its date, new number or type changed
        in a new version of the register — named by what changed (applied events stand)."""
        kind, number, date, new = event.identity
        keep = "已生效的变更不能修改。请恢复原来那一行"
        for old_kind, old_number, old_date, old_new in self.vanished:
            if (old_kind, old_number) == (kind, number) and old_date != date:
                again = (  # a revoked certificate takes no later change: no second 撤销 either
                    "撤销后证书不能再有变更"
                    if kind == REVOKE
                    else f"如确是又一次{kind}，请保留原来那一行，另起一行登记"
                )
                rule = (
                    f"此前登记生效的是 {old_date} 的{kind}，新版本中没有那一行，却有这一行："
                    f"{keep}（改了日期就成了又一次{kind}）；{again}；"
                    "如这是另一份同名的登记表，请换一个文件名"
                )
                return ("日期", date, rule, "§四.(六)")
            if (old_kind, old_number, old_date) == (kind, number, date):
                rule = (
                    f"此前登记生效的这次{kind}的新证书编号是 {old_new or '（无）'}，新版本改成了 "
                    f"{new or '（无）'}：{keep}的新证书编号"
                )
                return ("新证书编号", new or None, rule, "§四.(六)")
            if (old_number, old_date) == (number, date) and old_kind != kind:
                rule = (
                    f"此前登记生效的是 {date} 的{old_kind}，新版本把这一行改成了{kind}："
                    f"{keep}的类型；如确有新的变更，请另起一行登记"
                )
                return ("类型", kind, rule, "§四.(六)")
        return None

    def _known(self, event: StatusEvent) -> CertificateState | None:
        """The certificate the event is about, unless the event is refused outright: a second
        row of it, one registered elsewhere, a number the registry lacks."""
        rule = None
        if event.identity in self.rows:  # one event, one row: a second 补发 mark is a second paper
            first = self.rows[event.identity]
            rule = f"与本文件第{first}行是同一变更（类型、编号、日期都相同），重复登记"
        elif elsewhere := registered_in(self.conn, event, self.entry):
            rule = registered_elsewhere(*elsewhere)
        else:
            rule = self._approved_twice(event)
        self.rows.setdefault(event.identity, event.row)
        current = None if rule else self.certificate(event.number)
        creator = self.created.get(event.number)
        if current is None and not rule and creator is not None:
            rule = before_its_number(event, creator)
        if current is None:
            waits = not rule  # the number may come with a roster (or a 换发) later in the run
            rule = rule or "登记库中没有该证书编号；请先导入其名册，或核对编号"
            problem = Problem(event.row, "证书编号", event.number, rule, "§四.(六)", waits)
            self.problems.append(problem)
        return current

    def _approved_twice(
        self, event: StatusEvent, registry: bool = True, new: bool = True
    ) -> str | None:
        """Why ``event`` repeats one its approval document approved already (another date, the
        same 文号): one approval, one event — a 补发 twice over is two papers, one void; and
        one used on a certificate this one replaced approves nothing of this one (it was issued
        before it existed: §四.(六)3's 补发 is applied for, and approved, each time). An applied
        row the file still lists counts with the 文号 it now has (an amendment may change it);
        ``registry``: also against what other registers hold; ``new``: a row not applied, which
        is told the certificate's state when no second change can follow."""
        document = document_key(event.approval_doc)
        earlier = chain_before(self.conn, event.number, self.created)
        first = self.approvals.setdefault((event.type, event.number, document), event.row)
        kind, number = event.type, event.number
        used = [  # by key, not by reading every approval: a register of 40,000 events
            (row, used_kind, used_number)
            for used_number in earlier
            for used_kind in EVENT_TYPES
            if (row := self.approvals.get((used_kind, used_number, document))) is not None
        ]
        if first == event.row and used:  # not this certificate's: one it replaced
            first, kind, number = min(used)
        if first != event.row:
            on, once = _used_on(kind, number, event)
            of = "" if number == event.number else f"（{on}）"
            return f"与本文件第{first}行{of}是同一批准文号“{event.approval_doc}”的{kind}：{once}"
        found = registry and approved_in(self.conn, event, self.entry.key, self.skipped, earlier)
        if not found:
            return None
        register, date, registered, kind, number = found
        ended = self._ended(event) if new else None
        on, once = _used_on(kind, number, event)
        return (
            f"登记表“{register}”已按同一批准文号“{registered}”登记了{on} {date} 的{kind}："
            f"{once}，请删去这一行（已生效的那一次不能改动）；"
            + (ended or f"如确是又一次{event.type}，请填写这一次的批准文号")
        )

    def _ended(self, event: StatusEvent) -> str | None:
        """The state that leaves ``event`` no place, as the state checks would tell it the next
        round: a certificate revoked, or exchanged for a new one, takes no second change — told
        to give “这一次的批准文号”, a second 撤销 was refused as 已撤销 once the clerk did."""
        current = self.certificate(event.number)
        if current is None or recorded_late(event, current):
            return None
        if (ended := ended_state(current)) is None:
            return None
        rule, clause = ended
        if clause == "§四.(六)":  # exchanged: the new one's change needs its own document
            return f"{rule}，并填写这一次的批准文号"
        return f"{rule}（{clause}）"  # the problem's own

    def _apply(self, event: StatusEvent, current: CertificateState) -> None:
        if recorded_late(event, current):  # what came after it stands
            self.late.add(event.identity)
            return
        date = event.date.isoformat()
        current.status, current.last_event = status_after(event.type, event.new_number), date
        if event.new_number:
            current.successor = event.new_number
            self.state[event.new_number] = corrected(current, event)
