"""What the three blank-certificate registers share (附件1, 附件2, §四.(六)1; SPEC section 9).

Quantities of blanks (本) per level, the recipient a 单位 / 领取单位 names, the opinion cells of
附件1. Pure: their writes are `registry.store.blanks.replace_rows`.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from registry.domain.counties import unit_regions
from registry.domain.dates import CHINESE_NUMERALS, FIRST_DAY, TOO_EARLY, BadDate, parse_date
from registry.domain.levels import QUANTITY_COLUMNS
from registry.domain.names import normalise_name
from registry.domain.numbers import MAX_SEQUENCE
from registry.domain.opinions import DATE_IN_TEXT, approves, awaits, refuses
from registry.domain.regions import PROVINCE, REGIONS, bureau_region, short_name, written_names
from registry.kinds.cells import NONE_WRITTEN
from registry.sheets.cells import Cell

_CHANGED = ("核减", "核增", "减为", "增为", "改为", "调整", "调减", "调增")
"""Words of an approval of other quantities than the form's (同意，核减中级为3本)."""
_NO_WORDS = re.compile(r"[\s\W_]|印章|盖章|公章")
_PRINTED = re.compile("签字|签名|签章|负责人|经办人|日期|[年月日]")
_PRINTED_ANY = re.compile(f"印章|盖章|公章|{_PRINTED.pattern}")
"""What the form prints in an opinion's box beside 印章 — 年 月 日, 签字 —, left as printed by
an office that gives no opinion (a provincial unit has no city's)."""
_NONE = frozenset({"/", "-", "--", "—", "——", "———", "–", "－", "／", "\\", "无", "暂无"})
"""What an office writes in a box to say it gives no opinion (a cross is one: a refusal)."""


@dataclass(frozen=True, slots=True)
class Recipient:
    """Who receives blanks: a city bureau (``city`` = its code) or a provincial-direct unit."""

    name: str
    city: str | None = None


def recipient(unit: str, authority: str = "") -> Recipient:
    """The recipient a 单位 / 领取单位 cell names.

    A name starting with a city's name (绵阳市, 绵阳市人力资源和社会保障局, 绵阳市示例医院,
    凉山彝族自治州…), after the province's (四川省绵阳市…), or with one of its counties' (富顺县…
    is 自贡市's; `registry.domain.counties`), is that city: city units get their blanks through
    their bureau (§四.(二)). A city is recorded under its 附件3 name (`short_name`: 凉山州,
    whichever name the regions file gives), so its requisitions still meet its later slips.
    ``authority``: the register's, which a county of two cities is taken to be in (简阳市,
    资阳市's until 2016).
    Any other name is a central-in-Sichuan or provincial-direct unit, compared in normal form
    (NFKC, no whitespace) with the ``unit`` of its rosters' manifest entries.
    """
    if code := bureau_region(unit):  # 绵阳人社局: the bureau, though its 市 is left out
        return Recipient(short_name(code), code)
    name = normalise_name(unit)
    local = name.removeprefix("四川省")  # 四川省绵阳市人力资源和社会保障局 is 绵阳市's
    for code, city in REGIONS.items():
        if code != PROVINCE and local.startswith(tuple(written_names(city))):
            return Recipient(short_name(code), code)
    # a county's unit (富顺县…) is its city's; one of two cities' (简阳市…) is the one reporting
    counties = unit_regions(name, preferring=authority)
    if len(counties) == 1:
        return Recipient(short_name(counties[0]), counties[0])
    return Recipient(name)


def county_problem(unit: str, authority: str = "") -> str | None:
    """Why ``unit`` cannot be given its city: it begins with the name of a county of two
    cities (市中区: 内江市's and 乐山市's; 简阳市 moved in 2016) that ``authority`` does not
    tell apart — taken for a provincial unit of its own, it skipped its city's opinion."""
    if bureau_region(unit) or len(codes := unit_regions(unit, preferring=authority)) < 2:
        return None
    cities = "或".join(REGIONS[code] for code in codes)
    return (
        f"单位名称以{cities}的县（市、区）名开头，分不出属于哪个市（州）：请在前面写上所属"
        f"市（州），如“{REGIONS[codes[0]]}{unit}”"
    )


MAX_QUANTITY = MAX_SEQUENCE
"""The most blanks of one level a row may count: the four-digit sequence numbers of 附件3."""


_DIGITS_READ = 15
"""The longest quantity read as a number (a float's whole digits): a longer one is far too many."""


def quantity(value: Cell, most: int = MAX_QUANTITY) -> int:
    """A number of blanks: a whole number from 0 to ``most`` in Arabic numerals; empty is 0, as
    is what an office writes for none (—, /, 无), as in a roster's footer.

    Raises ValueError with the reason in Chinese.
    """
    if value is None:
        return 0
    if isinstance(value, bool) or isinstance(value, dt.date):
        raise ValueError("数量应为整数")
    if isinstance(value, float):
        if not value.is_integer():
            raise ValueError("数量应为整数（本），不能有小数")
        value = int(value)
    if isinstance(value, str):
        written = unicodedata.normalize("NFKC", value).strip().removesuffix("本").strip()
        if written in NONE_WRITTEN:
            return 0
        if re.fullmatch(r"\d{1,3}(,\d{3})+", written):  # 1,200 as a spreadsheet shows it
            written = written.replace(",", "")
        if CHINESE_NUMERALS.search(written):
            raise ValueError("数量须按§四.(三)用阿拉伯数字填写")
        if not re.fullmatch(r"-?\d+(\.\d+)?", written):
            raise ValueError("数量应为整数（本）")
        if written.startswith("-"):
            raise ValueError("数量不能为负数")
        if len(written.partition(".")[0].lstrip("0")) > _DIGITS_READ:  # 4,300 digits raise
            raise ValueError(
                f"数量 {written[:_DIGITS_READ]}…（{len(written)} 位）超过 {most} 本，请核对"
            )
        # whole, read whole: as a float, 99999999999999999999 was said to be 10^20
        return quantity(int(written) if written.isdigit() else float(written), most)
    if value < 0:
        raise ValueError("数量不能为负数")
    if value > most:
        raise ValueError(
            f"数量 {value} 超过 {most} 本：一个地区每年每个等级的证书编号最多 {MAX_QUANTITY} 个"
            "（附件3 顺序号四位），请核对"
        )
    return value


def total_of(value: Cell) -> int:
    """A 合计 cell: a quantity of up to one level's most for each level."""
    return quantity(value, len(QUANTITY_COLUMNS) * MAX_QUANTITY)


def check_total(
    values: Mapping[str, Cell],
    quantities: Mapping[str, int],
    fail: Callable[[str, Cell, str], None],
    *,
    required: bool,
) -> None:
    """The 合计 cell against the sum of the four quantities, told to ``fail`` when it is no
    count or another sum; ``required``: a 合计 left blank too (附件1 asks for one; a 发放单's
    may be left blank)."""
    given = values.get("合计")
    if given is None and not required:
        return
    requested = sum(quantities.values())
    try:
        total = total_of(given)
    except ValueError as exc:
        fail("合计", given, str(exc))
        return
    if given is None or total != requested:
        fail("合计", given, f"合计应等于各等级数量之和 {requested}")


def read_quantities(
    values: Mapping[str, Cell], fail: Callable[[str, Cell, str], None]
) -> dict[str, int] | None:
    """The four quantities by column name, or None after reporting each bad one to ``fail``."""
    result: dict[str, int] = {}
    for column in QUANTITY_COLUMNS:
        try:
            result[column] = quantity(values.get(column))
        except ValueError as exc:
            fail(column, values.get(column), str(exc))
    return result if len(result) == len(QUANTITY_COLUMNS) else None


@dataclass(frozen=True, slots=True)
class Opinion:
    """An opinion cell of 附件1: ``agreed`` True/False, or None when blank (not yet given)."""

    agreed: bool | None
    on: dt.date | None = None


def _agreed(written: str) -> bool | None:
    """False for words that do not approve, True for an approval of the form's quantities,
    None for neither (a bare date and a stamp count as approval; other words are asked about).
    Raises ValueError for an approval of other quantities, which the register cannot hold."""
    refused = refuses(written)
    agreed = approves(written)
    if refused and agreed:
        raise ValueError(
            "意见中既有同意又有不同意的字样，看不出是否批准：请写“同意 2012-03-01”或“不同意”"
        )
    if refused:
        return False
    if any(word in written for word in _CHANGED):
        raise ValueError(
            "意见改动了申领数量：登记库把表中各等级的数量记为批准数。请把表中数量改为批准的数量，"
            "意见写“同意”和日期，再导入（§四.(二)：经审核批准后领取）"
        )
    return True if agreed else None


_CHINESE_DATE = re.compile("[〇零一二三四五六七八九十]{2,4}年[〇零一二三四五六七八九十]{1,3}月")
"""A date written in Chinese numerals (二〇一二年二月), as a stamp's caption may be."""


def opinion(value: Cell, today: dt.date) -> Opinion:
    """Read an opinion cell: blank, a date, ``同意 2012-03-01`` or ``不同意…``.

    An agreement must carry its date (the date the approval counts from); raises ValueError with
    the reason in Chinese.
    """
    if value is None or (isinstance(value, str) and not value.strip()):
        return Opinion(None)
    printed = unicodedata.normalize("NFKC", value).strip() if isinstance(value, str) else ""
    if printed.strip("()（）。.、 ") in _NONE or (
        _PRINTED_ANY.search(printed) and not _PRINTED.sub("", _NO_WORDS.sub("", printed))
    ):  # "none" (/, 无), or the printed form's (印章) 年 月 日 not filled in — but √ or × is
        return Opinion(None)
    if awaits(printed):  # 待审, 审核中: not given yet, as a blank
        return Opinion(None)
    agreed: bool | None = True
    if isinstance(value, dt.date):
        day = value
    else:
        written = unicodedata.normalize("NFKC", str(value))
        agreed = _agreed(written)
        match = DATE_IN_TEXT.search(written)
        if match is None:
            if agreed is False:
                return Opinion(False)
            if _CHINESE_DATE.search(written):  # 二〇一二年二月二十日: dated, in other numerals
                raise ValueError(
                    "意见的日期须用阿拉伯数字填写（§四.(三)），如“同意 2012-02-20”"
                    "（写成“二〇一二年…”的日期无法读取）"
                )
            raise ValueError("意见须注明日期，如“同意 2012-03-01”（日期用阿拉伯数字）")
        if agreed is None:  # a date and a stamp agree, as the form is signed; other words ask
            if _NO_WORDS.sub("", written.replace(match[0], "")):
                raise ValueError(
                    "看不出是否同意：请写“同意 2012-03-01”，或“不同意”"
                    "（空白证书须经批准后领取，§四.(二)）"
                )
            agreed = True
        try:
            day = parse_date(match[0].replace("号", "日"))
        except BadDate as exc:
            raise ValueError(str(exc)) from exc
    if day > today:
        raise ValueError("意见日期在将来，请核对")
    if day < FIRST_DAY:
        raise ValueError(f"意见{TOO_EARLY}")
    return Opinion(agreed, day)
