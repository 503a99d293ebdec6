"""A JSON body's bytes as text, by what its Content-Type declares and what the bytes say: the
API's part of the charsets an HR system's client may send (`verify_app.api_bodies`)."""

from __future__ import annotations

import json
import re

from verify_app.forms import CHARSETS
from verify_app.request_errors import InvalidRequest


def body_text(body: bytes, declared: str | None) -> str:
    """The body as text: as JSON is read (UTF-8, or UTF-16/32 by its first bytes or a byte
    order mark) — unless its Content-Type declares a Chinese charset (``; charset=GBK``, read
    as GB18030) and the body reads so, or a Western one (ISO-8859-1, windows-1252) and the body
    is not UTF-8. A GBK body read as UTF-8 was not always refused: 郑路's GBK bytes are UTF-8
    too, and a real certificate was answered 未查到 with a forgery ticket (an integrator's
    review); a UTF-8 body mislabelled GBK reads as other Chinese characters (a review): where
    both readings are as much Chinese text, neither is guessed."""
    codec = CHARSETS.get("utf-8" if declared is None else declared)
    found = json.detect_encoding(body)  # a BOM, or the NULs of UTF-16/32, say it whatever the label
    if codec == "utf-8" or body.isascii() or found != "utf-8":
        return body.decode(found, "surrogatepass")
    as_utf8 = _decoded(body, "utf-8")
    if codec is None:  # a Western charset: what programs send by default, whatever they hold
        western = _WESTERN.get(declared or "")
        text = as_utf8 if as_utf8 is not None or not western else _decoded(body, western)
        if text is None:
            # "" is two charsets declared (`verify_app.forms.declared_charset`): none is named
            named = f"“{declared}”" if declared else "（声明了两次，且不相同）"
            message = (
                f"请求体声明的字符编码{named}无法读取：请以 UTF-8 编码发送 JSON"
                "（Content-Type: application/json; charset=utf-8）。"
            )
            raise InvalidRequest(415, "unsupported_media_type", message)
        return text
    as_declared = _decoded(body, codec)
    if as_declared is None:
        if as_utf8 is None:
            message = (
                f"请求体不是有效的 JSON：不是按声明的 {declared} 编码的文本。请以 UTF-8 编码发送。"
            )
            raise InvalidRequest(400, "bad_json", message)
        return as_utf8
    if as_utf8 is None or as_utf8 == as_declared:
        return as_declared
    declared_share, utf8_share = _han_share(as_declared), _han_share(as_utf8)
    if abs(declared_share - utf8_share) >= CLEARLY:
        return as_declared if declared_share > utf8_share else as_utf8
    message = (
        f"请求体声明的字符编码是 {declared}，但按 UTF-8 也能读出另外的文字，无法确定是哪一种："
        "请以 UTF-8 编码发送 JSON（Content-Type: application/json; charset=utf-8）。"
    )
    raise InvalidRequest(400, "bad_json", message)


CLEARLY = 0.25
"""How much more of one reading's characters past ASCII must be Chinese ones for it to be
taken: a GBK name read as UTF-8 is none (郑路 is ֣·), a UTF-8 one read as GBK all of them —
and a batch's one ・ or ① must not tip a body into the wrong reading (a review)."""


def _han_share(text: str) -> float:
    """The share of the characters of ``text`` past ASCII — but those any text may hold beside
    Chinese (a name's dot ・, punctuation, ①, é) — that are Chinese ideographs."""
    wide = [ch for ch in text if ch > "\x7f" and not _NEUTRAL.match(ch)]
    return sum(1 for ch in wide if _HAN.match(ch)) / len(wide) if wide else 1.0


_WESTERN = {
    name: "cp1252"
    for name in ("iso-8859-1", "iso8859-1", "latin1", "latin-1", "windows-1252", "cp1252")
}
"""Western charsets a program may declare by default: read as windows-1252, Latin-1's
superset as browsers read it."""
_HAN = re.compile("[\u3400-\u9fff\uf900-\ufaff]")
"""A Chinese ideograph (the unified ideographs and the compatibility ones)."""
_NEUTRAL = re.compile(
    "[\u00a0-\u00ff\u0370-\u03ff\u2010-\u2027\u2100-\u22ff\u2460-\u257f\u3000-\u303f\u30fb\uff00-\uffef]"
)
"""Characters Chinese text holds beside its ideographs: Latin-1's letters and signs, Greek,
dashes and dots, letterlike signs (℃), Roman numerals, arrows and mathematical signs, circled
numerals and box drawing, CJK punctuation, the katakana dot of names, full-width forms."""


def _decoded(body: bytes, codec: str) -> str | None:
    try:
        return body.decode(codec)
    except UnicodeDecodeError:
        return None
