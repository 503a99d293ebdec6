"""The trade catalogue a sync checks 报考工种 against (§四.(三)): the built-in starting list, or the
official one an administrator keeps beside the registers (``trades = "…"`` in ``registers.toml``
or ``certreg sync --trades FILE``), plus any trades and aliases an administrator adds
(``trades_extra = "…"`` / ``--trades-extra FILE``) without copying the whole list."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from registry.domain.os_reasons import reason
from registry.domain.trades import (
    CatalogueError,
    TradeCatalogue,
    builtin_catalogue,
    parse_catalogue,
)
from registry.sheets.encoding import read_text
from registry.sheets.guard import WORKBOOK_SUFFIXES
from registry.store import transaction
from registry.store.trades import (
    keep_catalogue,
    replaced_catalogue,
    stored_catalogue,
    unlisted_in_use,
)

MAX_CATALOGUE_BYTES = 4 * 1024 * 1024
"""A catalogue of every trade with its aliases is a few hundred kilobytes at most."""


def _text(path: Path, key: str) -> str:
    """The text of the catalogue ``path`` that the manifest's ``key`` (trades, trades_extra)
    names, or why it cannot be read."""
    try:
        if not path.exists():
            raise CatalogueError(
                f"工种目录 {path} 不存在：请核对文件名（registers.toml 中的文件名相对于它所在的"
                f"文件夹）；不用这个工种目录时，删去 registers.toml 中 {key} 这一行"
            )
        if not path.is_file():
            raise CatalogueError(f"工种目录 {path} 不是普通文件。请指定一个 .csv 文件")
        if path.suffix.lower() in WORKBOOK_SUFFIXES:
            raise CatalogueError(
                f"工种目录 {path} 是电子表格，须为 CSV 文件：请在 Excel 或 WPS 中“另存为”"
                "CSV（逗号分隔）后指定该 .csv 文件"
            )
        if path.stat().st_size > MAX_CATALOGUE_BYTES:
            limit = MAX_CATALOGUE_BYTES // 1024 // 1024
            raise CatalogueError(f"工种目录 {path} 超过 {limit} MB，不像是工种目录。请核对文件")
        return read_text(path)
    except OSError as exc:
        raise CatalogueError(f"无法读取工种目录 {path}：{reason(exc)}") from exc
    except UnicodeDecodeError as exc:
        raise CatalogueError(
            f"工种目录 {path} 的编码无法识别：请另存为 CSV（UTF-8 或 GB18030 编码）"
        ) from exc


def load_catalogue(
    path: Path | None = None, extra: Path | None = None, held: TradeCatalogue | None = None
) -> TradeCatalogue:
    """The catalogue at ``path`` — else ``held``, the one the registry holds
    (`registry.store.trades.held_catalogue`), else the one shipped inside the package —,
    with the trades and aliases of ``extra`` added."""
    if path is not None:
        catalogue = parse_catalogue(_text(path, "trades"), str(path))
    else:
        catalogue = held or builtin_catalogue()
    if extra is not None:
        parse_catalogue(_text(extra, "trades_extra"), str(extra), into=catalogue)
    return catalogue


def adopt(conn: sqlite3.Connection, catalogue: TradeCatalogue, *, dry_run: bool) -> list[str]:
    """What a sync tells of its catalogue before its registers: one that replaces the
    registry's (`registry.store.trades.replaced_catalogue`) is stored at once, whatever becomes
    of the registers — a replaced catalogue waited for the next roster to load, and the public
    confirmation kept the old one —, and the trades of registered certificates it does not list are named: the certificates
    stay as they are, but a corrected version of their roster will be refused for them. The
    trades it adds and drops are named (`_changes`); a file edited in place is said to be, not
    swapped for itself."""
    before = replaced_catalogue(conn, catalogue)
    if not before:  # none to replace, or a registry's first: stored with its first roster
        return []
    missing = unlisted_in_use(conn, catalogue)
    changes = _changes(stored_catalogue(conn), catalogue)
    if not dry_run:
        with transaction(conn):  # decided again under the write lock: another sync's first
            if not keep_catalogue(conn, catalogue):
                return []
    done = "将换用" if dry_run else "已换用"
    if before == catalogue.source:  # the same file, edited in place
        edited = "将按更改后的内容换用" if dry_run else "已按更改后的内容换用"
        notes = [f"工种目录：{catalogue.source} 的内容有改动，{edited}（{changes}）"]
    else:
        notes = [f"工种目录：{done} {catalogue.source}（登记库原用 {before}；{changes}）"]
    if missing:
        listed = _named([f"{trade}（{n} 本）" for trade, n in missing])
        notes.append(
            f"新目录中没有登记库已有证书所用的工种：{listed}。这些证书不受影响，公众查验照常；"
            "但其名册再提交更正版本时，这些行会因工种不在目录中被退回。"
            "如这些工种确在《机关事业单位工勤人员岗位等级规范（试行）》中，请把它们补入工种目录"
        )
    return notes


SHOWN_TRADES = 20
"""Trades named in a catalogue's report; the rest are counted."""


def _named(trades: list[str]) -> str:
    more = f"等 {len(trades)} 个工种" if len(trades) > SHOWN_TRADES else ""
    return "、".join(trades[:SHOWN_TRADES]) + more


def _changes(before: TradeCatalogue | None, after: TradeCatalogue) -> str:
    """What a catalogue replacing ``before`` (the registry's) changes, for the administrator to
    check against what was meant: the trades it adds and those it drops — an old name kept as
    an alias said so, since certificates registered under it stay that trade."""
    old = set(before.names) if before else set()
    added = sorted(set(after.names) - old)
    dropped = [
        f"{name}（现为“{now}”的别名）" if (now := after.resolve(name)) else name
        for name in sorted(old - set(after.names))
    ]
    parts = [f"新增工种 {_named(added)}"] if added else []
    parts += [f"删去工种 {_named(dropped)}"] if dropped else []
    return "；".join(parts) or "工种未增减，改动的是别名或代码"
