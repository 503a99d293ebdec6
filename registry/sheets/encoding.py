"""Text files from Chinese offices: UTF-8 (with or without BOM) or GB18030/GBK, detected."""

from __future__ import annotations

from pathlib import Path


def decode(data: bytes) -> tuple[str, str]:
    """(text, encoding name). UTF-8 is tried first: GB18030 decodes almost anything, UTF-8 does not."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8"), "utf-8-sig"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        return data.decode("gb18030"), "gb18030"


def read_text(path: Path) -> str:
    return decode(path.read_bytes())[0]
