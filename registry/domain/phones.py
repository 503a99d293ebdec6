"""A telephone number as an authorities file writes it (0816-2345678 转 8001、13800138000（王老师）):
whether an employer could dial it (`phone_problem`, refusing the file otherwise), and the
``tel:`` address of each of its numbers (`dial_parts`), for a tap from a phone's page."""

from __future__ import annotations

import re
import unicodedata

NOT_A_PHONE = (
    "不是电话号码：请写号码，如 0816-2345678；几个号码用顿号分隔，分机写“转 123”，"
    "说明写在号码后的括号里，不含数字（如“（办公室）”）"
)
_NUMBERS = re.compile(r"[、，,;；/]|或")
_DASHES = re.compile("[\u2010-\u2015\u2212\ufe63]")
"""Every dash an input method writes between an area code and a number (028—86113498)."""
_WORDS = re.compile(r"[(（][^()（）\d]*[)）]")
"""Words in brackets beside a number: 13800138000（王老师）, 028-86113498（传真）."""
_EXTENSION_WORD = re.compile(r"转|分机|ext\.?", re.I)
"""What writes an extension after a number: 转 8001, 分机：8001, ext. 8001."""
_EXTENSION = re.compile(
    rf"(?:{_EXTENSION_WORD.pattern})\s*[:：]?\s*\d{{1,6}}(?!\d)"
    rf"(?:\s*(?:{_EXTENSION_WORD.pattern})\s*[:：]?\s*\d{{1,6}}(?!\d))*",
    re.I,
)
"""An extension and each further one after a pause: the digits right after its word, no more
(转 8001（工作日 9:00-17:00） dialled 80019001700, 转 8001 传真 028-86113499 glued the fax on);
no longer than six (转 1234567 is refused: its seventh digit was glued onto the number)."""
_PHONE = re.compile(
    r"(?:\+86|0086)?(?:0\d{9,11}|1[3-9]\d{9}|[48]00\d{7}|123\d{2}|\d{7,8})"
    r"|(?:\+86|0086)[1-9]\d{8,10}"  # +86 28 8611 3498: the area code's 0 left out
)
"""A landline with its area code, a mobile, a 400/800 line, a hotline (12333), or a local
number without area code; after the country's code, a landline may leave its 0 out."""
_LANDLINE_EXTENSION = re.compile(r"(.*\d{7,8})-(\d{1,5})")
"""0816-2345678-8001: a landline's extension after a dash, as government listings write it."""


def phone_problem(written: str) -> str | None:
    """Why ``written`` (NFKC) is no telephone number an employer could dial, if it is not one;
    several are allowed, separated by 、 or ；, each with an extension (转 123)."""
    if not written:
        return None
    if re.fullmatch(r"[\d.]+[eE][+-]?\d+|\d+\.0+", written):
        return (
            "Excel 把电话号码当成了数字（科学计数法或末尾的 .0）：请把这一列设为“文本”格式，"
            "重新输入号码，如 0816-2345678"
        )
    numbers = [n.strip() for n in _NUMBERS.split(written) if n.strip()]
    if not numbers:  # 、、: separators of nothing
        return NOT_A_PHONE
    for number in numbers:
        number, _ = _without_extension(number)
        digits = re.sub(r"[\s\-()（）]", "", number)
        if _PHONE.fullmatch(digits):
            continue
        if re.fullmatch(r"[2-9]\d{8,10}", digits):
            return (
                "像是区号前的 0 被 Excel 去掉了（0816-2345678 成了 8162345678）：请把这一列设为"
                "“文本”格式，重新输入带区号的号码"
            )
        return NOT_A_PHONE
    return None


def _without_extension(number: str) -> tuple[str, str]:
    """One number of a phone (NFKC) without the words beside it, and its extension's digits
    ("" if none): 0816-2345678 转 8001 and 0816-2345678-8001 alike; each further 转 after a
    comma, a pause before the next (028-86113498 转 8001 转 2 dials 8001, then 2 — not 80012)."""
    number = _WORDS.sub("", _DASHES.sub("-", number))
    extensions = []
    if found := _EXTENSION.search(number):  # what follows it stays, for the number to refuse
        number = number[: found.start()] + number[found.end() :]
        extensions = [re.sub(r"\D", "", part) for part in _EXTENSION_WORD.split(found[0])]
    number = number.strip()
    if extended := _LANDLINE_EXTENSION.fullmatch(number):
        number, extensions = extended[1], [extended[2], *extensions]
    return number, ",".join(filter(None, extensions))


_DIALLED = re.compile(r"\(?\+?\d(?:.*\d)?")
"""What of a number's text a link holds: from its first digit (or the + or bracket before it,
or both: (+86)028-86113498 whole) to its last — 13800138000（王老师） links 13800138000 only."""
_TRUNK = re.compile(r"^(\+86|0086)0")
"""The area code's 0 after the country's code, which a call from abroad must not dial:
(+86)028-86113498 is tel:+862886113498."""


def dial_parts(written: str) -> list[tuple[str, str]]:
    """``written`` (a phone `phone_problem` accepts, as written) cut into its numbers, each with
    the ``tel:`` address that dials it, and what is between them (a 、, words in brackets) with
    "": joined, the parts are ``written`` again. The address has the digits (and a leading +)
    only, an extension after a comma (tel:08162345678,8001): a whole phone as one address, or
    one cut at its first space or dash, dialled 028 alone or an extension glued on."""
    # each character as NFKC reads it, one for one, to find ０２８－… 's digits where they are
    folded = "".join(unicodedata.normalize("NFKC", c)[:1] or c for c in written)
    parts: list[tuple[str, str]] = []
    start = 0
    for separator in [*_NUMBERS.finditer(folded), None]:
        end = separator.start() if separator else len(written)
        if found := _DIALLED.search(folded, start, end):
            number, extension = _without_extension(found[0])
            digits = _TRUNK.sub(r"\1", ("+" if "+" in number else "") + re.sub(r"\D", "", number))
            href = f"tel:{digits}" + (f",{extension}" if extension else "")
            parts += [(written[start : found.start()], ""), (written[slice(*found.span())], href)]
            start = found.end()
        stop = separator.end() if separator else end
        parts.append((written[start:stop], ""))
        start = stop
    return [(text, href) for text, href in parts if text]
