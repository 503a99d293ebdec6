"""What ``certreg sync PATH`` is asked to sync: the registers of a folder's ``registers.toml``,
or one file described by the command line's options (``--kind``, ``--authority`` …), with the
spreadsheets the manifest forgot and the trade catalogue's files."""

from __future__ import annotations

import re
import shlex
from pathlib import Path
from typing import NamedTuple

from registry.kinds.base import RegisterEntry
from registry.sync.manifest import (
    ENTRY_KEYS,
    MANIFEST_NAME,
    ManifestError,
    load_manifest,
    make_entry,
)
from registry.sync.unlisted import unlisted

_MANIFEST_KEY = re.compile(rf"\b({'|'.join(sorted(ENTRY_KEYS - {'file'}))})\b")


class ToSync(NamedTuple):
    entries: list[RegisterEntry]
    """the registers, in the manifest's order"""
    forgotten: list[str]
    """the spreadsheets beside them the manifest does not list (`unlisted`)"""
    catalogues: tuple[Path | None, Path | None]
    """the trade catalogue replacing the built-in one, and the one adding to it"""


def _as_option(key: re.Match[str]) -> str:
    """A registers.toml key as the option that gives it on the command line (issued_on →
    --issued-on)."""
    return "--" + key[1].replace("_", "-")


def registers_to_sync(
    path: Path,
    single: dict[str, str | None],
    trades: Path | None,
    trades_extra: Path | None,
) -> ToSync:
    """The registers to sync — a folder's manifest, or one file described by the options
    (``single``: each entry key's option, None when not given) —, the spreadsheets the manifest
    forgot, and the trade catalogue's files: those named by the options, else by the manifest.
    A `ManifestError` says what is wrong, worded for the options where they described the file."""
    if path.name == MANIFEST_NAME:  # the folder's list, not a register
        raise ManifestError(
            f"{path.name} 是名册清单，不是名册：请写它所在的文件夹，如 certreg sync {path.parent}"
        )
    if path.is_dir():
        if any(single.values()):
            raise ManifestError("目录模式下名册信息写在 registers.toml 中，不能再用 --kind 等选项")
        manifest = load_manifest(path)
        catalogues = (trades or manifest.trades, trades_extra or manifest.trades_extra)
        return ToSync(
            manifest.entries, unlisted(path, manifest, (trades, trades_extra)), catalogues
        )
    raw = {k: v for k, v in single.items() if v is not None}
    if not raw.get("kind"):
        raise ManifestError(
            "单个文件需要 --kind 说明它是哪种登记表"
            "（approval-roster、technician-roster、status-changes 等），名册还需要发证机关、"
            f"批准文号和发证日期，例如：certreg sync {shlex.quote(str(path))} --kind "
            "approval-roster --authority 2202 --approval-doc 绵人社函〔2012〕5号 "
            "--issued-on 2012-03-20"
        )
    try:
        entry = make_entry(path, path.name, raw, "命令行选项")
    except ManifestError as exc:  # worded for registers.toml: name the options typed
        raise ManifestError(_MANIFEST_KEY.sub(_as_option, str(exc))) from exc
    return ToSync([entry], [], (trades, trades_extra))
