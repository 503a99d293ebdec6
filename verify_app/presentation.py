"""How results are shown on pages: Beijing time, the QR code of a receipt link, the number's parts."""

from __future__ import annotations

import datetime as dt
import io
import re
from functools import lru_cache

import segno
from markupsafe import Markup, escape

from registry.domain.clock import beijing_minute
from registry.domain.levels import LEVELS
from registry.domain.phones import dial_parts
from registry.domain.regions import REGIONS
from registry.public.fields import PUBLIC_FIELDS, PublicField
from registry.public.lookup import Verification

NUMBER_PARTS = (
    ("第1位", "等级代码", "、".join(f"{k} {v}" for k, v in LEVELS.items())),
    ("第2-3位", "核发年份代码", "取核发年份的后两位；首批证书统一取 11（附件3 二）"),
    ("第4-7位", "地区代码", "、".join(f"{k} {v}" for k, v in list(REGIONS.items())[:3]) + "……"),
    ("第8-11位", "顺序号", "0001-9999"),
)
"""The structure of 附件3 explained beside the form."""

REGION_LIST = tuple(REGIONS.items())
"""All region codes, listed under the form."""


@lru_cache(maxsize=256)
def shown_time(value: str | dt.datetime | None) -> str:
    """A moment as an employer reads it (`beijing_minute`), written as the page's dates are
    (2012-03-15) — one page showed 2012-03-15 beside 2026年12月04日 (a copy editor's and a date
    tester's review). Staff read seconds (`beijing_clock`).

    Cached: every result page shows the registry's snapshot time, which rarely changes."""
    return "未知" if value is None else beijing_minute(value)


def shown_now(now: dt.datetime) -> str:
    """`shown_time` of the present moment, to the minute it shows: one cached entry a minute,
    not one per page (each a miss, pushing the snapshot time out of the cache)."""
    return shown_time(now.replace(second=0, microsecond=0))


PAGE_FIELDS = tuple(f for f in PUBLIC_FIELDS if f.on_page and f.name != "number")
"""The fields listed under an answer's number on the result and receipt pages."""


def page_fields(answer: Verification) -> list[tuple[PublicField, object]]:
    """The `PAGE_FIELDS` the answer has, with their values, for the pages' list. Read here
    rather than as ``answer[field.name]`` in the template: Jinja tries an item first, and on a
    dataclass each try raises and catches an exception (and its ``attr`` filter is slower still)."""
    values = ((f, getattr(answer, f.name)) for f in PAGE_FIELDS)
    return [(f, value) for f, value in values if value]


def qr_svg(url: str) -> bytes:
    """The link as a standalone SVG QR code, served as an image beside the receipt link.

    Drawing a QR code takes longer than the check itself, so pages refer to it with ``<img>``
    and only a browser that shows (or prints) the page asks for it.
    """
    out = io.BytesIO()
    segno.make(url, error="m").save(out, kind="svg", scale=3, title="查验回执链接的二维码")
    return out.getvalue()


_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def whole_dates(text: str) -> Markup:
    """``text`` escaped, each date (2012-05-08) in a span that a narrow screen does not break
    (the browser broke it at its hyphen: 2012-05- / 08, at 320 px)."""
    return Markup(_DATE.sub(lambda m: f'<span class="nowrap">{m[0]}</span>', str(escape(text))))


_CONTACT = re.compile(r"([^。]*电话：)((?:[^。（(]|[（(][^）)]*[）)])+)")
"""A sentence up to its 电话： and the phone after it, which `Authority.contact_line` writes
last: the phone runs to the sentence's end (its 。, or the text's; not one inside the phone's
own brackets, 028-86113498（工作日。节假日除外）). What follows its last digit — the ）of
`Contacts.text_for`'s （电话未收录，可联系…，电话：…）— is never linked (`dial_parts`)."""


def _linked(phone: str) -> str:
    """Each number of the phone its own ``tel:`` link (`dial_parts`), the text as written and
    escaped."""
    parts = dial_parts(phone)
    return "".join(
        f'<a href="{escape(href)}">{escape(text)}</a>' if href else str(escape(text))
        for text, href in parts
    )


def dialable(text: str) -> Markup:
    """`whole_dates`, each phone number after 电话： a ``tel:`` link, not broken: a batch row's
    下一步 (the authority to ask, as the single check's page links it) was plain text, one
    number wrapped after 028- on a phone and not a tap from a call. Every format the contacts
    file takes dials whole: 028 8611 3498 dialled 028, 028-86113498、028-86113499 the first;
    0816-2345678 分机：8001；13800138000 lost its extension and second number at the ：."""
    # every piece escaped (an authority's address may hold anything), the phone cut as written
    # rather than found again in escaped text, whose entities (&#39;) hold digits and a ;
    shown, start = [], 0
    for found in _CONTACT.finditer(text):
        shown += [whole_dates(text[start : found.end(1)]), _linked(found[2])]
        start = found.end()
    return Markup("".join(map(str, [*shown, whole_dates(text[start:])])))
