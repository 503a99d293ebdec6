"""Document numbers (文号) such as 川人社函〔2012〕389号: the year they carry, and whether two
spellings name the same document.

§四.(三): the issue date written on a certificate is the date of the department's document
approving the passers — so the year in that document's number is the issue year.
"""

from __future__ import annotations

import re
import unicodedata

_YEAR = re.compile(r"[〔\[【(（〖]\s*((?:19|20)\d{2})\s*[〕\]】)）〗]")
_BRACKETS = str.maketrans(
    {"[": "〔", "]": "〕", "【": "〔", "】": "〕", "(": "〔", ")": "〕", "〖": "〔", "〗": "〕"}
)
_ORDINAL = re.compile(r"〕第(?=\d)")
"""〔2012〕第12号 is 〔2012〕12号: some offices write the ordinal."""


def document_year(number: str) -> int | None:
    """The year of a document number (``〔2012〕``, ``[2012]``, ``【2012】``), or None."""
    match = _YEAR.search(unicodedata.normalize("NFKC", number))
    return int(match[1]) if match else None


_SERIAL = re.compile(r"〕0*([1-9]\d*|0)号?$")
"""The document's serial after its year: 〔2013〕05号 and 〔2013〕5 are 〔2013〕5号."""


_TITLE = re.compile(r"《[^《》]*》")
_CITED = re.compile(
    r"(?<![^\s《》〔〕“”\"',，。;；:：、])[^\s《》〔〕“”\"',，。;；:：、]*〔\d{4}〕\d+号?"
)
"""A document number inside a citation: 《关于…的通知》（绵人社函〔2012〕8号）, …8号（关于…通知）.
Tried only where a word starts: from every character of a long one it took 20 s for 60,000
characters (a staff query's parameter), every other request waiting on the lock it held."""


def document_key(number: str, *, citation: bool = True) -> str:
    """How two spellings of a document number are compared: NFKC, no spaces, one bracket style,
    no ordinal (第), the serial without leading zeros and with its 号 — and of a citation, its
    one number outside the title (as the notice cites 《…通知》（川人社办发〔2011〕346号））,
    unless ``citation`` is false: then 川人社函〔2012〕12号之一 and …12号（补充） are other
    documents than …12号, as two rosters' approval documents are (a review)."""
    key = _spelt(number)
    cited = _CITED.findall(_TITLE.sub("", key)) if citation else ()
    if len(cited) == 1 and cited[0] != key:
        key = cited[0]
    return _SERIAL.sub(r"〕\1号", key)


def _spelt(number: str) -> str:
    """``number`` as `document_key` compares it, before a citation is read: NFKC, no spaces,
    one bracket style, no ordinal."""
    text = unicodedata.normalize("NFKC", number)
    return _ORDINAL.sub("〕", re.sub(r"\s+", "", text).translate(_BRACKETS))


def same_document(first: str, second: str) -> bool:
    """Whether two spellings name one document: compared by `document_key`, a citation read as
    its number (《关于同意换发证书的批复》（川人社函〔2012〕30号）) — but a number with more after
    it (…26号之一, …26-1号, …26号（补充）) is another document (a review: compared as citations,
    a corrected 文号 was thrown away; compared without, a 文号 cited with its title was taken for
    a correction)."""
    return document_key(first) == document_key(second) and _after(first) == _after(second)


def _after(number: str) -> str:
    """What follows the one document number cited in ``number`` (之一, -1号, 〔补充〕), its
    closing brackets aside; "" for a number alone or none found."""
    key = _TITLE.sub("", _spelt(number))
    cited = list(_CITED.finditer(key))
    if len(cited) != 1:
        return ""
    after = key[cited[0].end() :]
    return "" if _CITATION_END.fullmatch(after) else after.rstrip("〕")


_CITATION_END = re.compile(
    r"(?:〔[^〔〕]*(?:关于|通知|批复|决定|意见)[^〔〕]*〕|文)?[〕。.,;；“”\"'’‘]*"
)
"""What may follow a number cited, no part of it: its title in brackets (…26号（关于…的通知）),
文, a full stop, closing quotes or brackets (a review: each was taken for another document)."""


EVENT_DATE = "换发、补发的日期"
"""What a status change's year is the year of, in `year_problem`'s words."""


CHINESE_YEAR = re.compile(
    r"[〔\[【(（〖]\s*(?=[0-9Oo]*[〇○零一二三四五六七八九])[〇○零一二三四五六七八九0-9Oo]{4}年?\s*[〕\]】)）〗]"
)
"""A year written in Chinese numerals in brackets: 〔二〇一二〕, 〔二0一二〕, 〔二O一二年〕."""


def _yearless(number: str, year: int) -> str:
    """Why a document number gives no year: none written, or one in Chinese numerals."""
    if CHINESE_YEAR.search(unicodedata.normalize("NFKC", number)):
        return f"文号中的年份须用阿拉伯数字（§四.(三)），应写成如 川人社函〔{year}〕12号 的样式"
    return f"文号中没有年份：应写成如 川人社函〔{year}〕12号 的样式（年份在六角括号中）"


def year_problem(number: str | None, year: int, dated: str = "发证日期") -> str | None:
    """Why a document approving certificates issued in ``year`` — their ``dated`` (a 换发 or
    补发: `EVENT_DATE`) — cannot be ``number``: it carries no year, or another one; or None."""
    if not number:
        return None
    written = document_year(number)
    if written is None:
        return _yearless(number, year)
    if written == year:
        return None
    return f"文号中的年份〔{written}〕与{dated}的年份 {year} 不符：{dated}应为该文件的批准时间"


def revoking_problem(number: str | None, year: int, issued: int | None = None) -> str | None:
    """Why ``number`` cannot be the document revoking a certificate on a day of ``year`` (one
    issued in ``issued``): it carries no year, or one after the revocation or before the
    certificate — a decision not yet made, or made of a certificate not yet issued. Not held
    to the revocation's own year, as a 换发's is (`year_problem`): a decision of December is
    registered in January. Staff read it in the certificate's history; the public answer names no
    document (SPEC §7)."""
    if not number:
        return None
    written = document_year(number)
    if written is None:
        return _yearless(number, year)
    if written > year:
        return (
            f"文号中的年份〔{written}〕晚于撤销日期的年份 {year}：撤销须依据已作出的决定，"
            "请核对文号或撤销日期"
        )
    if issued is not None and written < issued:
        return (
            f"文号中的年份〔{written}〕早于该证书的发证年份 {issued}：这份文件不能撤销它，"
            "请核对文号"
        )
    return None


_SHAPED = re.compile(r"(?P<issuer>[^〔]*)〔\d{4}〕(?P<serial>[^〕]*)")
"""A document number as `document_key` writes it: who issued it, its year, its serial."""


def shape_problem(number: str) -> str | None:
    """Why ``number`` is not a whole document number — 绵人社函〔2012〕 with no serial,
    〔2012〕8号 with no issuer, 〔2012〕零八号 with a serial in Chinese numerals —, or None. A
    roster's approval document is what its 补发 cite as their 原公布文件, matched exactly: a
    number missing a part was let through, and every later citation held to it (an auditor's
    review)."""
    shaped = _SHAPED.fullmatch(document_key(number))
    if shaped is None:
        return None  # a year missing or in Chinese numerals: `year_problem` says so
    example = f"应写成如 川人社函〔{document_year(number)}〕12号 的样式"
    if not shaped["issuer"]:
        return f"文号“{number}”没有发文机关代字：{example}"
    serial = shaped["serial"]
    if not serial:
        return f"文号“{number}”没有序号：{example}"
    if not re.fullmatch(r"\d+号", serial):
        return f"文号“{number}”的序号须用阿拉伯数字（§四.(三)）：{example}"
    return None
