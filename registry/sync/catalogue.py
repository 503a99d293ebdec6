"""The trade catalogue a sync checks 报考工种 against (§四.(三)): the built-in starting list, or the
official one an administrator keeps beside the registers (``trades = "…"`` in ``registers.toml``
or ``certreg sync --trades FILE``), plus any trades and aliases an administrator adds
(``trades_extra = "…"`` / ``--trades-extra FILE``) without copying the whole list."""

from __future__ import annotations

from pathlib import Path

from registry.domain.trades import (
    CatalogueError,
    TradeCatalogue,
    builtin_catalogue,
    parse_catalogue,
)
from registry.sheets.encoding import read_text
from registry.sheets.guard import WORKBOOK_SUFFIXES

MAX_CATALOGUE_BYTES = 4 * 1024 * 1024
"""A catalogue of every trade with its aliases is a few hundred kilobytes at most."""


def _text(path: Path) -> str:
    try:
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
        raise CatalogueError(f"无法读取工种目录 {path}：{exc.strerror}") from exc
    except UnicodeDecodeError as exc:
        raise CatalogueError(
            f"工种目录 {path} 的编码无法识别：请另存为 CSV（UTF-8 或 GB18030 编码）"
        ) from exc


def load_catalogue(path: Path | None = None, extra: Path | None = None) -> TradeCatalogue:
    """The catalogue at ``path`` (or the one shipped inside the package), with the trades and
    aliases of ``extra`` added."""
    catalogue = builtin_catalogue() if path is None else parse_catalogue(_text(path), str(path))
    if extra is not None:
        parse_catalogue(_text(extra), str(extra), into=catalogue)
    return catalogue
