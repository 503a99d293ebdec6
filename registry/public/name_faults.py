"""What makes a typed name no name to check: nothing at all, characters shown in another order
than they are held, or text a program's wrong charset destroyed. Each is answered ``malformed``
with the reason — never 未查到, which would advise reporting a forgery and count a wrong name
against a real number."""

from __future__ import annotations

import re

from registry.domain.text import REORDERING

EMPTY_NAME = "持证人姓名为空"
REORDERED_NAME = "持证人姓名中有改变文字显示顺序的控制字符，屏幕上显示的与输入的不是同一个姓名"
GARBLED_NAME = (
    "持证人姓名是问号或乱码（如 ???、�、å¼ ä¸‰）：请照证书输入姓名；"
    "由程序发送的，多半是程序用错了字符编码，请以 UTF-8 编码发送"
)

_LOST = re.compile(r"[?？\ufffd\s]+")
"""A name a charset could not carry: question marks (GBK to Latin-1) or replacement characters."""
_LATIN = re.compile(
    "[\u0080-\u00ff\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192\u02c6\u02dc\u2013-\u2122]+"
)
"""What UTF-8 or GBK bytes read as Latin-1 or Windows-1252 are made of, and nothing else: a
Chinese name's bytes are all past ASCII (O’Neil and Zoë, with ASCII letters, are names)."""
_HAN = re.compile("[\u3400-\u9fff]")


def garbled(name: str) -> bool:
    """Whether ``name`` is text a wrong charset destroyed: only question marks, a replacement
    character, or Chinese bytes read as Latin-1 (张三明 sent by PowerShell 5.1 as å¼ ä¸‰æ˜Ž)."""
    if "\ufffd" in name or _LOST.fullmatch(name):
        return True
    if not _LATIN.fullmatch(name):
        return False
    for single in ("cp1252", "latin-1"):
        try:
            raw = name.encode(single)
        except UnicodeEncodeError:
            continue
        for wide in ("utf-8", "gb18030"):
            try:
                if _HAN.search(raw.decode(wide)):
                    return True
            except UnicodeDecodeError:
                pass
    return False


def name_fault(name: str, key: str) -> str | None:
    """Why ``name`` (whose comparison key is ``key``) cannot be checked, or None."""
    if not key:
        return EMPTY_NAME
    if REORDERING.search(name):
        return REORDERED_NAME
    return GARBLED_NAME if garbled(name) else None
