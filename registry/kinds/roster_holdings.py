"""Who holds the numbers a roster gives (附件3, §四.(三)): a number another register already gives
is refused, and a corrected version of the roster may not change who holds one of its own — nor
the trade of one a 换发 or 补发 has replaced."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import PurePath

from registry.domain.names import same_holder, shared_key
from registry.domain.numbers import prefix_of
from registry.domain.problems import NUMBER_TAKEN, Problem
from registry.domain.registers import TECHNICIAN_ROSTER
from registry.domain.trades import TradeCatalogue
from registry.kinds.base import RegisterEntry
from registry.kinds.roster_cells import NUMBER_COLUMN
from registry.kinds.roster_result import RosterResult
from registry.store.holdings import same_trade
from registry.store.rows import CertificateRow


@dataclass(frozen=True, slots=True)
class Holding:
    """Who holds a number already in the registry."""

    register: str
    name: str
    name_key: str
    sex: object
    birth: object
    trade: object
    predecessor: str | None
    """the number a 换发 or 补发 replaced with this one (the holding register lists events)"""
    successor: str | None
    """the number a 换发 or 补发 replaced this one with"""


def holdings_reader(conn: sqlite3.Connection) -> Callable[[str], Mapping[str, Holding]]:
    def holdings(prefix: str) -> Mapping[str, Holding]:
        rows = conn.execute(
            "SELECT number, register, name, name_key, sex, birth, trade, predecessor, successor"
            " FROM certificates"
            " WHERE number >= ? AND number < ?",
            (prefix, prefix + "~"),
        )
        return {row[0]: Holding(*row[1:]) for row in rows}

    return holdings


def _respelt(holder: Holding, certificate: CertificateRow) -> bool:
    """Whether a corrected row writes the holder's name as registered but for a minority name's
    dots or apostrophes (阿依古丽.买买提, registered by an older certreg, is 阿依古丽·买买提 now)
    or the case of its letters — what the registry's guard lets a correction change. Not its
    script: 張偉 is the holder 张伟 (one key), but the name as registered is what the paper
    shows, and it stays."""
    if not same_holder(holder.name_key, certificate.name_key):
        return False
    return shared_key(holder.name.casefold()) == shared_key(certificate.name.casefold())


def _kept(
    holder: Holding, certificate: CertificateRow, field: str, catalogue: TradeCatalogue
) -> bool:
    """Whether a corrected row leaves ``field`` of the holding as registered: a name respelt
    (`_respelt`), a trade the catalogue now spells otherwise (电工 renamed 电工作业, the old
    name its alias: `same_trade`) — a clerk who typed the trade as registered changed nothing."""
    if field == "name_key":
        return _respelt(holder, certificate)
    if field == "trade":
        return same_trade(catalogue, holder.trade, certificate.trade)
    return bool(getattr(holder, field) == getattr(certificate, field))


def _identity_changes(
    certificate: CertificateRow,
    holder: Holding,
    birth_column: str,
    current_trade: object,
    catalogue: TradeCatalogue,
) -> list[Problem]:
    """§四.(三) 不得涂改: a corrected register may not change who holds a number — nor, once it
    was replaced, the trade, unless to the one its newest certificate has (a 换发 corrected
    it): the holding (§二) is that certificate's; another trade, carried down to it
    (`registry.store.certificates.CARRIED`), could make it a second one of the holder's. A
    trade is that trade under any name ``catalogue`` gives it (`same_trade`)."""
    problems = []
    changes = [
        ("姓名", "name_key", holder.name, certificate.name),
        ("性别", "sex", holder.sex, certificate.sex),
        (birth_column, "birth", holder.birth, certificate.birth),
    ]
    if holder.successor and not same_trade(catalogue, current_trade, certificate.trade):
        changes.append(("报考工种", "trade", holder.trade, certificate.trade))
    for column, field, old, new in changes:
        if _kept(holder, certificate, field, catalogue):
            continue
        rule = f"证书 {certificate.number} 已登记，{column}原为“{old}”，不能改为“{new}”：证书不得涂改。"
        if holder.successor:  # replaced: the new certificate is the one to correct
            rule += (
                f"该证书已换发或补发为新证书 {holder.successor}，原证书的登记不再更改：请把本行的"
                f"{column}改回“{old}”；新证书上的{column}确需更正的，对新证书按§四.(六)2办理换发"
            )
        else:
            rule += f"确属错填的，须按§四.(六)2收回旧证换发新证，在换发登记中写明更正后的{column}"
        problems.append(
            Problem(
                certificate.source_row,
                column,
                str(new),
                rule,
                "§四.(三)",
                number=certificate.number,
            )
        )
    return problems


_SAVED_AS = {
    ".xlsx": "Excel 工作簿（.xlsx）",
    ".xlsm": "Excel 启用宏的工作簿（.xlsm）",
    ".xls": "Excel 97-2003 工作簿（.xls）",
    ".ods": "OpenDocument 电子表格（.ods）",
    ".csv": "CSV UTF-8（逗号分隔）（.csv）",
    ".txt": "文本文件（.txt）",
}
"""Each file type a roster is read from, as Excel's and WPS's 另存为 lists it."""


def _keep_name(register: str, file: str) -> str:
    """What a corrected version saved as ``file`` is to keep of ``register``'s, the name it was
    loaded under: the name — and its format, when ``file`` is of another. Told only the name,
    a clerk renamed 名册.csv to 名册.xlsx and was refused for a CSV named .xlsx (a clerk's
    review)."""
    kept = f"沿用原文件名“{register}”"
    was, now = PurePath(register).suffix.lower(), PurePath(file).suffix.lower()
    if was == now:
        return f"{kept}（在 registers.toml 中写该文件名），不要另起文件名"
    return (
        f"{kept}和原格式：请在 Excel/WPS 中打开本文件，另存为“{_SAVED_AS.get(was, was)}”，文件名"
        f"用“{register}”（在 registers.toml 中写该文件名）。只把扩展名改为 {was} 不行：文件内容"
        f"仍是 {now} 的格式"
    )


def _held_by(
    holder: Holding, certificate: CertificateRow | None, file: str, before: Holding | None = None
) -> tuple[str, str | None]:
    """(rule, code) of a number another register holds that cannot be this row's: another
    person's (`NUMBER_TAKEN`); this very holder's under another file name — a corrected version
    saved as a new file —; or the new number a 换发 or 补发 gave, which no roster lists: the same
    person's whether the row names the holder as the new certificate does or as the one it
    replaced (``before``; a 换发 may have corrected the name or birth). ``file``: the name the
    row's register is loaded under (`_keep_name`). ``certificate`` is None
    for a row with other problems (a failing score, a year code not the register's), which made
    no certificate to compare: its rule names both cases, without
    `NUMBER_TAKEN`'s advice of another number for what may be the same person's certificate."""
    same = certificate is not None and any(
        certificate.birth == held.birth and same_holder(held.name_key, certificate.name_key)
        for held in (holder, before)
        if held is not None
    )
    if holder.predecessor:
        if certificate is None:  # no certificate to compare (the row's other problems)
            return (
                f"该编号是登记表“{holder.register}”为证书 {holder.predecessor} 换发或补发的新证书"
                "编号，已在登记库中，名册中不能再用：请先改正本行的其他问题，再核对本行的编号",
                None,
            )
        if not same:
            return (
                f"该编号已由登记表“{holder.register}”换发或补发给另一持证人（原证书 "
                f"{holder.predecessor}），编号不能重复使用",
                NUMBER_TAKEN,
            )
        return (
            f"该编号是登记表“{holder.register}”为证书 {holder.predecessor} 换发或补发的新证书"
            "编号，已在登记库中；名册只列原发证书，请删除此行或改回原证书编号",
            None,
        )
    if same:
        return (
            f"此证书已由名册“{holder.register}”登记给同一人：这像是该名册的更正版本。更正版本须"
            f"{_keep_name(holder.register, file)}",
            None,
        )
    if certificate is None:  # no certificate to compare (the row's other problems): whose?
        return (
            f"该编号已由名册“{holder.register}”登记。本行若与该名册所列是同一人，这像是该名册的"
            f"更正版本，须{_keep_name(holder.register, file)}；若是另一人，编号不能重复使用。"
            "请先改正本行的其他问题，再导入一次",
            None,
        )
    return f"该编号已由名册“{holder.register}”登记给另一持证人，编号不能重复使用", NUMBER_TAKEN


def check_holdings(
    result: RosterResult,
    entry: RegisterEntry,
    holdings: Callable[[str], Mapping[str, Holding]],
    catalogue: TradeCatalogue,
) -> list[Problem]:
    """A problem for each number the registry already gives to another register's holder, and
    for each change of holder a corrected version of this register would make — a trade as
    ``catalogue`` names it, under its old name or its new.

    ``holdings(prefix)`` returns the numbers registered that start with ``prefix`` (level
    letter + year code + region), so uniqueness is checked without loading the whole registry.
    """
    held: dict[str, Mapping[str, Holding]] = {}
    mine = {c.number: c for c in result.certificates}
    birth_column = "出生日期" if entry.kind == TECHNICIAN_ROSTER else "出生年月"
    found = []
    for row, written, number in result.numbers:
        prefix = prefix_of(number)
        if prefix not in held:
            held[prefix] = holdings(prefix)
        holder = held[prefix].get(number)
        if holder is None:
            continue
        if holder.register != entry.key:
            before = None
            if holder.predecessor:  # whom the replaced certificate was registered to
                earlier = prefix_of(holder.predecessor)
                if earlier not in held:
                    held[earlier] = holdings(earlier)
                before = held[earlier].get(holder.predecessor)
            certificate = mine.get(number)
            rule, code = _held_by(holder, certificate, entry.key, before)
            # a 换发's or 补发's new number is registered by its register (§四.(六)); any other
            # number registered already is one 附件3 gives once — a renamed correction's too: the
            # clerk reading the history had no clause to look it up by (a staff review)
            clause = "附件3" if code == NUMBER_TAKEN or not holder.predecessor else "§四.(六)"
            found.append(Problem(row, NUMBER_COLUMN, written, rule, clause, code=code))
        elif number in mine:
            current = holder
            while current.successor:  # the holder's newest certificate, down the chain
                following = prefix_of(current.successor)
                if following not in held:
                    held[following] = holdings(following)
                current = held[following][current.successor]
            found += _identity_changes(mine[number], holder, birth_column, current.trade, catalogue)
    return found
