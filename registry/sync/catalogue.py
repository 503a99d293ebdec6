"""The trade catalogue a sync checks 报考工种 against (§四.(三)): the built-in starting list, or the
official one an administrator keeps beside the registers (``trades = "…"`` in ``registers.toml``
or ``certreg sync --trades FILE``)."""

from __future__ import annotations

from pathlib import Path

from registry.domain.trades import (
    CatalogueError,
    TradeCatalogue,
    builtin_catalogue,
    parse_catalogue,
)
from registry.sheets.encoding import read_text


def load_catalogue(path: Path | None = None) -> TradeCatalogue:
    """The catalogue at ``path``, or the one shipped inside the package."""
    if path is None:
        return builtin_catalogue()
    try:
        return parse_catalogue(read_text(path), str(path))
    except OSError as exc:
        raise CatalogueError(f"无法读取工种目录 {path}：{exc.strerror}") from exc
