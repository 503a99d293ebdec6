"""Names, dates, exam results, issuing rules and the trade catalogue: the pure rules of SPEC §3, §5."""

from __future__ import annotations

import datetime as dt
import errno
import re
from collections.abc import Callable
from importlib.resources import files
from pathlib import Path

import pytest

from registry.domain import os_reasons
from registry.domain.characters import simplified_characters
from registry.domain.clock import BEIJING, beijing_day
from registry.domain.counties import city_codes, parse_counties
from registry.domain.dates import BadDate, parse_date, parse_year, parse_year_month, slip_of
from registry.domain.documents import (
    document_key,
    document_year,
    revoking_problem,
    same_document,
    year_problem,
)
from registry.domain.exam import EXAM_CLAUSE, exam_problem
from registry.domain.names import mask_name, name_key, normalise_name, sex_of
from registry.domain.regions import (
    REGIONS,
    authority_name,
    issuing_problem,
    parse_regions,
    region_code,
)
from registry.domain.statuses import valid_when_collected
from registry.domain.trades import CatalogueError
from registry.kinds.roster_cells import age_at_issue
from registry.sync.catalogue import load_catalogue
from tests.hostile_files import bounded


@pytest.mark.parametrize(
    ("raw", "normal"),
    [
        ("李\u3000芳", "李芳"),
        (" 王 建 国 ", "王建国"),
        ("阿依古丽•买买提", "阿依古丽·买买提"),
        ("热合曼・吐尔逊", "热合曼·吐尔逊"),
        ("马‧尔古", "马·尔古"),
        ("马･尔古", "马·尔古"),
        ("马∙尔古", "马·尔古"),
        ("ＬＩ　Ｍｉｎｇ", "LIMing"),
    ],
)
def test_name_normalisation(raw: str, normal: str) -> None:
    assert normalise_name(raw) == normal


def test_name_key_ignores_case_and_dot_variants() -> None:
    assert (
        name_key("阿依古丽•买买提") == name_key("阿依古丽・买买提") == name_key("阿依古丽·买买提")
    )
    assert name_key("Li Ming") == name_key("LI MING")


@pytest.mark.parametrize(
    ("name", "masked"),
    [
        ("张三明", "张*明"),
        ("张三", "张*"),
        ("欧阳明", "欧阳*"),
        ("欧阳三明", "欧阳*明"),
        ("阿依古丽·买买提", "阿***·**提"),
        ("李", "李"),
    ],
)
def test_mask_keeps_surname_only(name: str, masked: str) -> None:
    assert mask_name(name) == masked


@pytest.mark.parametrize(
    "value",
    [
        "1970.05",
        "1970-05",
        "1970年5月",
        "197005",
        "1970/5",
        dt.date(1970, 5, 1),
        197005,
        "1970.5",
        "1970 年 05 月",
        1970.05,  # a number cell typed 1970.05
        "1970-05-01 00:00:00",  # a date cell written out by a program (pandas, a database)
        "1970-05-01 0:00",
        "1970-05-01T00:00:00",
        "1970-05-01T00:00:00.000Z",
        "1970-05-01 00:00:00+08:00",
        "1970-05-01 12:00:00 AM",
        "1970-05-01-00.00.00.000000",  # DB2's
        "19700501",  # =MID(身份证号,7,8): refused as no year-month, though 1970.05.01 was one
        19700501,
        "1970。05",  # a Chinese input method's full stop (a clerk's review: refused)
        "1970.5.",  # a full stop after the month, as a date's (a clerk's review: refused)
        "1970。05。",
        "1970。5。1",
    ],
)
def test_year_month_formats(value: object) -> None:
    assert parse_year_month(value) == (1970, 5)


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("一九七〇年五月", "阿拉伯数字"),
        ("1970.13", "月份 13"),
        ("May 1970", "应为年月"),
        ("19700", "应为年月"),
        # a number cell: typed 1970.10 or 1970.1 — shown 1970.10 under a 0.00 format, so the
        # value quoted is said to be what the cell holds, not what the clerk may see
        (1970.1, "单元格里存的是数字 1970.1，分不清是 1 月还是 10 月.*写成 1970.01 或 1970.10$"),
        ("1970.1", "^1970.1 分不清.*另存为 CSV 时可能写成 1970.1"),  # the same saved as CSV
        ("1970.02.30", "日期不存在"),
        # 1975.05 typed into a yyyy.mm date cell: day 1975 and 72 minutes (it was told the
        # holder was over 70, the value quoted in ISO)
        (
            dt.datetime(1905, 5, 28, 1, 12),
            "^单元格是日期格式：填的 1975.05 被存成了日期 1905-05-28（显示为 1905 年）",
        ),
        (dt.date(1905, 7, 3), "填的 2011 被存成了日期 1905-07-03"),
        # a General-format cell, and how to write it in a year-month column
        (27485, "27485 像是日期 1975-04-01 丢了日期格式后显示的序列号.*或直接写成 1975.04$"),
        ("27485", "像是日期 1975-04-01"),  # the same saved as CSV
        # a date cell saved to CSV by Excel set to American or British English: which is the month?
        ("5/1/1972 0:00", "分不清是 1972年5月1日 还是 1972年1月5日.*写成 1972.05 或 1972.01$"),
        ("13/5/1972", "应是 1972年5月13日：请写成 1972.05$"),  # only one reading is a day
        ("5/5/1972", "应是 1972年5月5日：请写成 1972.05$"),
        ("31/2/1972", "应为年月，如 1970.05、1970-05、1970年5月 或 197005$"),  # neither is
        ("5/1-1972", "197005$"),  # two different separators: not a date written out
        ("1975²", "应为年月"),  # a digit to str.isdigit, not to int()
        ("①", "应为年月"),
        (float("inf"), "应为年月"),  # <v>inf</v> in a hostile .xlsx
        (float("nan"), "应为年月"),
        ("19700231", "日期不存在"),  # eight digits are a day: a real one
        # digits past a float's range, or past int()'s 4,300 (a staff date parameter, a cell)
        ("9" * 309, "应为年月"),
        ("9" * 5000, "应为年月"),
        (10**400, "应为年月"),
        ("١٩٦٥.٠٥", "0–9"),  # another script's digits: NFKC leaves them, int() reads them
        # an identity card's number, a date written 年月日 short (a clerk's review)
        (
            "11010519491231002X",
            r"这是身份证号码，其中的出生日期写作 1949\.12；登记库不保存身份证号",
        ),
        ("510100750401123", r"出生日期写作 1975\.04"),
        ("720515", r"如 720515 是年月日，出生年月请写作 1972\.05"),
        ("'1978.11", "开头的撇号是 Excel 的“文本”标记，不是日期的一部分，请删去"),  # a review
    ],
)
def test_bad_year_months(value: object, reason: str) -> None:
    with pytest.raises(BadDate, match=reason):
        parse_year_month(value)


@pytest.mark.parametrize(
    "day",
    [
        dt.datetime(1975, 5, 1),  # a 出生年月 typed one column off
        dt.datetime(1975, 1, 1),  # … born on a 1 January
        dt.datetime(1900, 1, 1),  # a 1 typed into a date cell
        dt.datetime(2011, 1, 1, 8, 30),  # a moment, not a year
    ],
)
def test_another_date_in_the_exam_year_is_told_it_is_a_date(day: dt.datetime) -> None:
    with pytest.raises(BadDate, match=f"单元格里是日期 {day:%Y-%m-%d}：报考年度只填年份"):
        parse_year(day)


@pytest.mark.parametrize("typed", ["'2011", "’2011"])
def test_a_year_led_by_excels_text_mark_is_told_to_drop_it(typed: str) -> None:
    """'2011 got only 应为四位年份 (a clerk's review), where a number and a name so written are
    told what the apostrophe is."""
    with pytest.raises(BadDate, match="开头的撇号是 Excel 的“文本”标记，不是年份的一部分"):
        parse_year(typed)


def test_a_year_typed_into_a_date_cell_is_told_so() -> None:
    """2011 typed into a date-formatted cell is stored as that serial and shown as 1905-07-03."""
    with pytest.raises(BadDate, match="填的 2011 被显示成了 1905-07-03"):
        parse_year(dt.datetime(1905, 7, 3))


@pytest.mark.parametrize(
    ("stored", "day"),
    [
        ("2026-12-01T15:59:59+00:00", "2026-12-01"),
        ("2026-12-01T16:00:00+00:00", "2026-12-02"),  # midnight in Beijing
        ("2026-12-01 16:00:00", "2026-12-02"),  # SQLite's own clock: UTC
        ("2026-12-01T23:30:00+08:00", "2026-12-01"),
        ("2012-03-15", "2012-03-15"),  # a date is its own day
        ("1975-05", None),  # a year-month is no day, as SQLite's date() says too
        ("2012-02-30", None),
        ("2026-02-30T10:00:00+00:00", None),
        ("not a time", None),
        (2460000.5, "2023-02-25"),  # a Julian day, as SQLite's date() reads a number
        (None, None),
    ],
)
def test_the_beijing_day_of_a_stored_moment(stored: object, day: str | None) -> None:
    assert beijing_day(stored) == day


def test_today_is_beijings() -> None:
    """date('now') in staff's SQL: Beijing's today, as date(at) is Beijing's day."""
    assert beijing_day("now") == dt.datetime.now(BEIJING).date().isoformat()


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("２２０２", "2202"),
        ("绵阳", "2202"),
        ("凉山彝族自治州", "2213"),  # the official name of 凉山州
        ("阿坝藏族羌族自治州人力资源和社会保障局", "2219"),
        ("四川省绵阳市", "2202"),  # the province's name before a city's is the city's
        ("泸州市", "2207"),  # a 州 of a city's own name
        ("达州", "2212"),
        ("四川省泸州市", "2207"),
        ("省厅", "2200"),
        ("绵阳德阳", None),  # two cities: neither
        ("阳", None),
        ("", None),
    ],
)
def test_a_region_as_staff_name_it(typed: str, code: str | None) -> None:
    assert region_code(typed) == code


@pytest.mark.parametrize(
    ("code", "department"),
    [
        ("2202", "绵阳市人力资源和社会保障局"),
        ("2213", "凉山彝族自治州人力资源和社会保障局"),  # as its seal reads, not 凉山州…
        ("2219", "阿坝藏族羌族自治州人力资源和社会保障局"),
        ("2220", "甘孜藏族自治州人力资源和社会保障局"),
        ("2200", "四川省人力资源和社会保障厅"),
    ],
)
def test_a_department_is_named_as_its_seal_reads(code: str, department: str) -> None:
    assert authority_name(code) == department
    assert region_code(department) == code


def test_a_date_written_with_its_weekday_is_read_and_the_weekday_checked() -> None:
    """2012年3月1日（星期四） was told 不能用汉字数字: the weekday's numeral is none of the
    date's. A weekday that is not the date's says one of them is wrong."""
    assert parse_date("2012年3月1日（星期四）") == dt.date(2012, 3, 1)
    assert parse_date("2012。3。1") == dt.date(2012, 3, 1)
    assert parse_date("2012年3月4日 周日") == dt.date(2012, 3, 4)
    assert parse_date("2012-03-04(星期天)") == dt.date(2012, 3, 4)
    with pytest.raises(BadDate, match="2012年3月2日是星期五，不是写的星期四"):
        parse_date("2012年3月2日 星期四")
    with pytest.raises(BadDate, match="汉字数字"):
        parse_date("二〇一二年三月一日（星期四）")
    with pytest.raises(BadDate, match="应为日期"):
        parse_date("2012年3月1日（星期四")  # a bracket left open is no weekday written after
    # a 出生年月 or 报考年度 written as a dated day, its weekday too
    assert parse_year_month("1975年5月1日（星期四）") == (1975, 5)
    assert parse_year("2011年1月1日（星期六）") == 2011
    with pytest.raises(BadDate, match="是星期四，不是写的星期五"):
        parse_year_month("1975年5月1日（星期五）")


def test_full_dates() -> None:
    assert parse_date("2012年3月15日") == dt.date(2012, 3, 15)
    assert parse_date("2012年03月15号") == dt.date(2012, 3, 15)  # the day as it is said
    assert parse_date("20120315") == dt.date(2012, 3, 15)
    assert parse_date("2012-03-15 00:00:00") == dt.date(2012, 3, 15)
    with pytest.raises(BadDate, match="应为日期"):
        parse_date("2012-03-15 08:30:00")  # a time of day is not the day the clerk wrote
    with pytest.raises(BadDate, match="不存在"):
        parse_date("2012-02-30")
    # a date's column is told to write a date, not a year-month
    with pytest.raises(
        BadDate, match="40988 像是日期 2012-03-20 丢了日期格式.*或直接写成 2012-03-20$"
    ):
        parse_date(40988)
    with pytest.raises(BadDate, match="分不清.*写成 2012-03-05 或 2012-05-03$"):
        parse_date("3/5/2012")  # and its year-last date is told the two days it may be
    for hostile in ("❶", "𐩀", float("-inf")):
        with pytest.raises(BadDate, match="应为日期"):
            parse_date(hostile)
    # a year typed a digit short or long was stored as real: an approval dated 0212 let every
    # dispatch after it pass (a date tester's review)
    for short_or_long in ("0212-02-20", "1899-12-31", "2101-01-01", dt.date(212, 2, 20)):
        with pytest.raises(BadDate, match="不合理"):
            parse_date(short_or_long)
    with pytest.raises(BadDate, match="0–9"):
        parse_date("٢٠١٢-٠٤-٠١")


@pytest.mark.parametrize("value", ["合格", "良好", "优秀", "及格", 60, 99.5, "75分", "６０"])
def test_passes(value: object) -> None:
    assert exam_problem(value) is None


@pytest.mark.parametrize(
    ("value", "reason", "clause"),
    [
        ("不合格", "考核结果为不合格，不能发证", EXAM_CLAUSE),  # not 结果“不合格”不合格
        ("不及格", "考核结果“不及格”即不合格", EXAM_CLAUSE),
        (59, "低于 60 分", EXAM_CLAUSE),
        ("59.5", "低于 60 分", EXAM_CLAUSE),
        (101, "0-100", "附件4"),
        ("", "为空", "§四.(五)"),
        ("较好", "应为", "附件4"),
        ("七十八", "须用阿拉伯数字", "§四.(三)"),
        ("八十五分", "须用阿拉伯数字", "§四.(三)"),
        ("一般", "应为 合格、良好、优秀", "附件4"),  # no score in numerals: a word, 一 in it
        ("二等", "应为 合格、良好、优秀", "附件4"),
        # a fail in other words is a fail (an auditor's review: 较差 was a word to rewrite)
        ("较差", "考核结果“较差”即不合格", EXAM_CLAUSE),
        ("不通过", "即不合格", EXAM_CLAUSE),
        ("基本合格", "请照此改写（如实为不合格，则不能发证）", "附件4"),
        (0.85, "百分比格式时显示为 85%", "附件4"),  # not 低于 60 分，不合格: no row to remove
        (1, "百分比格式时显示为 100%", "附件4"),
    ],
)
def test_failures(value: object, reason: str, clause: str) -> None:
    """Only a failed result cites §二 (its row is removed); an unreadable one is rewritten."""
    problem = exam_problem(value)
    assert problem is not None and reason in problem[0] and problem[1] == clause


@pytest.mark.parametrize(
    ("authority", "region", "letter", "allowed"),
    [
        ("2200", "2200", "Z", True),
        ("2200", "2202", "J", True),
        ("2200", "2202", "Z", False),
        ("2202", "2202", "G", True),
        ("2202", "2202", "J", False),
        ("2202", "2201", "C", False),
        ("2299", "2299", "C", False),
    ],
)
def test_issuing_rules_of_section_3(
    authority: str, region: str, letter: str, allowed: bool
) -> None:
    assert (issuing_problem(authority, region, letter) is None) is allowed


@pytest.mark.parametrize(
    ("edit", "told"),
    [
        (lambda text: text.replace("2202,绵阳市\n", ""), "多出或缺少：2202"),
        (lambda text: text + "制表人：张三,\n", "多出或缺少：制表人：张三"),
        (lambda text: text.replace("2202,绵阳市", "2202,"), "没有名称：2202"),
    ],
    ids=["code-removed", "note-row", "name-blanked"],
)
def test_an_edited_regions_file_stops_with_what_to_restore(
    edit: Callable[[str], str], told: str
) -> None:
    """A code removed made valid certificates 编号格式错误 and a note row went into the help."""
    shipped = files("registry.defaults").joinpath("regions.csv").read_text(encoding="utf-8")
    with pytest.raises(SystemExit, match=re.escape(told)) as stopped:
        parse_regions(edit(shipped).encode(), "regions.csv")
    assert "请恢复随软件提供的原文件" in str(stopped.value)
    # as Excel saves it: a BOM, GB18030, spaces after a code — read, not refused
    for data in (b"\xef\xbb\xbf" + shipped.encode(), shipped.encode("gb18030")):
        assert parse_regions(data, "regions.csv") == REGIONS
    assert parse_regions(shipped.replace("2202,", "2202 ,").encode(), "x")["2202"] == "绵阳市"


def test_the_county_list_files_each_county_under_a_city_of_annex_3() -> None:
    """Sichuan's 183 county-level divisions, each under one city (简阳市 under two: it moved in
    2016), a former name (郫县) read as the county; a row under no city of 附件3 is refused
    with its line — its units would pass every city's rule."""
    shipped = files("registry.defaults").joinpath("counties.csv").read_text(encoding="utf-8")
    counties = parse_counties(shipped.encode(), "counties.csv")
    current = [line for line in shipped.splitlines()[1:] if not line.split(",")[3]]
    assert len(current) == 183  # 市中区 twice: 内江市's and 乐山市's
    assert counties["富顺县"] == ("2203",) and counties["郫县"] == counties["郫都区"] == ("2201",)
    assert counties["简阳市"] == ("2201", "2221")
    assert parse_counties(shipped.encode("gb18030"), "counties.csv") == counties
    # as clerks shorten an autonomous county's name (a code review: 北川县… was no county)
    assert counties["北川县"] == ("2202",) and counties["木里县"] == ("2213",)
    odd = shipped + "某某县,重庆市,,\n"
    with pytest.raises(SystemExit, match="第 186 行：“某某县”所属的“重庆市”不是附件3的市（州）"):
        parse_counties(odd.encode(), "counties.csv")
    # saved by a Mac's Excel (CR-only lines) or as "Unicode 文本" (UTF-16): read, not a traceback
    for data in (shipped.replace("\n", "\r").encode(), shipped.encode("utf-16")):
        assert parse_counties(data, "counties.csv") == counties
    # a header renamed turned every county rule off without a word
    with pytest.raises(SystemExit, match="表头应为：名称,市（州）,曾用名,说明"):
        parse_counties(
            shipped.replace("名称,市（州）", "县名,所属市州", 1).encode(), "counties.csv"
        )
    # an administrator's edit: the header in ASCII brackets, former names split by ；
    edited = shipped.replace("市（州）", "市(州)", 1).replace(
        "郫都区,成都市,郫县", "郫都区,成都市,郫县；郫筒"
    )
    assert parse_counties(edited.encode(), "counties.csv")["郫筒"] == ("2201",)


def test_a_prefecture_the_regions_file_names_officially_keeps_its_counties() -> None:
    """An administrator wrote 凉山州's official name, 凉山彝族自治州, in the regions file (its
    names only name the codes): every command stopped on the counties file's 凉山州, told to
    write 凉山州 (a clerk's review). Either name files a county under 2213, and the advice
    quotes the names the regions file gives."""
    shipped = files("registry.defaults").joinpath("counties.csv").read_text(encoding="utf-8")
    renamed = city_codes({**REGIONS, "2213": "凉山彝族自治州"})
    assert parse_counties(shipped.encode(), "counties.csv", renamed)["西昌市"] == ("2213",)
    assert renamed["凉山州"] == renamed["凉山彝族自治州"] == "2213"
    with pytest.raises(SystemExit, match="如 自贡市、凉山州"):
        parse_counties((shipped + "某某县,重庆市,,\n").encode(), "counties.csv")


def test_built_in_catalogue_resolves_aliases_and_suggests() -> None:
    catalogue = load_catalogue()
    assert catalogue.resolve("电工") == "电工"
    assert catalogue.resolve("维修电工") == "电工"
    assert catalogue.resolve("司机") == "汽车驾驶员"
    assert catalogue.resolve("宇航员") is None
    assert "汽车驾驶员" in catalogue.suggestions("汽车驾驶")


def test_replacement_catalogue(tmp_path: Path) -> None:
    path = tmp_path / "official.csv"
    path.write_bytes("工种,代码,别名\n锅炉操作工,0901,司炉工\n".encode("gb18030"))
    catalogue = load_catalogue(path)
    assert catalogue.resolve("司炉工") == "锅炉操作工"
    assert catalogue.resolve("电工") is None


def test_catalogue_alias_clash_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text("工种,别名\n电工,技工\n焊工,技工\n", encoding="utf-8")
    with pytest.raises(CatalogueError, match="第3行"):
        load_catalogue(path)


@pytest.mark.parametrize(
    ("text", "told"),
    [
        (
            "工种,代码\n电工,1\n制表人：张三 2024年5月1日,\n",
            "第3行：“制表人:张三2024年5月1日”不像工种名称",
        ),
        ("工种,代码\n电工,1\n電工,\n", "第3行：“電工”与第2行的“电工”是同一工种"),
        ("工种,代码\n电工,1\n电工,2\n", "第3行：“电工”的代码“2”与前面的“1”不同"),
        ("名称,代码\n电工,1\n", "缺少“工种”列（第一行的列名为：名称、代码"),
    ],
    ids=["note-row", "traditional-twice", "two-codes", "header-renamed"],
)
def test_a_catalogue_an_administrator_saved_wrong_is_refused(
    tmp_path: Path, text: str, told: str
) -> None:
    """A note under the table became a trade, 電工 a trade beside 电工, a second code won."""
    path = tmp_path / "official.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(CatalogueError, match=re.escape(told)):
        load_catalogue(path)


def test_a_catalogue_saved_as_excel_unicode_text_or_a_workbook(tmp_path: Path) -> None:
    """Excel's "Unicode 文本" (UTF-16, tab-separated) is read; a workbook is told to be a CSV."""
    text = tmp_path / "official.txt"
    text.write_text("工种\t代码\t别名\n锅炉操作工\t0901\t司炉工\n", encoding="utf-16")
    assert load_catalogue(text).resolve("司炉工") == "锅炉操作工"
    workbook = tmp_path / "official.xlsx"
    workbook.write_bytes(b"PK\x03\x04")
    with pytest.raises(CatalogueError, match="是电子表格，须为 CSV 文件"):
        load_catalogue(workbook)


@pytest.mark.parametrize(
    "value",
    [
        "2012",
        "2012年",
        "2012年度",
        " 2012 年度",
        2012,
        dt.datetime(2012, 1, 1),
        dt.date(2012, 1, 1),
        "2012-01-01",  # such a date cell saved as CSV
        "2012/1/1 0:00",
    ],
)
def test_exam_year_as_clerks_write_it(value: object) -> None:
    """A year in a date cell is its 1 January, shown as 2012 under a ``yyyy`` format."""
    assert parse_year(value) == 2012


def test_a_year_a_csv_holds_from_a_number_column_is_read() -> None:
    """2011.0 is what a CSV exported from a float column holds of 2011 (refused as text, where
    the number cell 2011.0 was read); 2011.5 is no year."""
    assert parse_year("2011.0") == parse_year("2011.00") == 2011
    with pytest.raises(BadDate, match="应为四位年份"):
        parse_year("2011.5")


@pytest.mark.parametrize(
    "value", ["12", "二〇一二年", "2012年3月", "2012届", "2012-03-01", "1975-01-01"]
)
def test_exam_year_that_is_not_one(value: object) -> None:
    with pytest.raises(BadDate):
        parse_year(value)


@pytest.mark.parametrize(
    ("ended_on", "revoked", "valid"),
    [
        ("2012-04-02", True, True),
        ("2012-04-01", False, True),  # exchanged the day it was handed out: brought back
        ("2012-04-01", True, False),  # no paper is handed out the day it is revoked
        ("2012-03-31", False, False),
    ],
)
def test_a_paper_was_valid_when_collected_unless_it_ended_first(
    ended_on: str, revoked: bool, valid: bool
) -> None:
    assert valid_when_collected("2012-04-01", ended_on, revoked=revoked) is valid


@pytest.mark.parametrize(
    "written",
    [
        "川人社函〔2012〕12号",
        "川人社函[2012]12号",
        "川人社函〖2012〗12号",
        "川人社函〔2012〕第12号",
    ],
)
def test_a_document_number_is_read_however_an_office_brackets_it(written: str) -> None:
    """〖〗 is what input methods offer for 〔〕; some offices write 第12号."""
    assert document_year(written) == 2012
    assert document_key(written) == document_key("川人社函〔2012〕12号")


@pytest.mark.parametrize(
    ("written", "sex"),
    [
        ("男", "男"),
        (" 女\u3000", "女"),
        ("女 ", "女"),
        ("男性", "男"),  # a clerk's review: refused, as if it could be anything else
        ("女 性", "女"),
        ("M", None),
        ("1", None),
        ("性", None),
        ("", None),
    ],
)
def test_a_sex_is_read_alike_in_a_roster_and_in_a_correction(written: str, sex: str | None) -> None:
    """One reading of 男/女 for a roster's 性别 and a 换发's 更正性别 (the two had drifted);
    男性 is 男, M and 1 are for the clerk to write out."""
    assert sex_of(written) == sex


@pytest.mark.parametrize(
    "written",
    [
        "绵人社函〔2013〕05号",
        "绵人社函〔2013〕5",
        "绵人社函[2013]第5号",
        "绵人社函 〔２０１３〕 5 号",
        "绵人社函〔2013〕5号文",  # as a 原公布文件 was cited, and refused as another document
        "绵人社函〔2013〕5号文件",
        "绵人社函〔2013〕5号《关于公布2012年技术等级合格人员名单的通知》",
        "《关于公布2012年技术等级合格人员名单的通知》（绵人社函〔2013〕5号）",  # as the notice cites
        "绵人社函〔2013〕5号（关于公布合格人员名单的通知）",
        "绵人社函〔2013〕5号通知",
        "《关于转发川人社函〔2011〕1号的通知》（绵人社函〔2013〕5号）",  # a title naming another
    ],
)
def test_a_documents_spellings_share_its_key(written: str) -> None:
    """A copied 补发 under 〔2013〕05号 or 〔2013〕5 passed the one-approval rule as another
    document; one cited with 文 or its title after it was refused as another."""
    assert document_key(written) == document_key("绵人社函〔2013〕5号")
    assert document_key(written) != document_key("绵人社函〔2013〕50号")


def test_two_documents_cited_together_are_not_one_of_them() -> None:
    both = document_key("绵人社函〔2013〕5号、绵人社函〔2013〕6号")
    assert both not in (document_key("绵人社函〔2013〕5号"), document_key("绵人社函〔2013〕6号"))


def test_the_birth_month_itself_gives_the_holder_the_benefit_of_the_doubt_at_both_ends() -> None:
    """出生年月 keeps no day: born 1942-03-25 is 69 on 2012-03-20 and was refused as 70, born
    1996-03-25 is 15 and was accepted as 16 (a date tester's review)."""
    assert age_at_issue("1942-03", "2012-03-20") is None
    assert age_at_issue("1996-03", "2012-03-20") is None
    assert age_at_issue("1942-02", "2012-03-20") and age_at_issue("1996-04", "2012-03-20")


@pytest.mark.parametrize(
    ("written", "meant", "slip"),
    [
        ("1975-05", "1975-05", True),
        ("1975-08", "1975-05", True),  # one digit
        ("1957-05", "1975-05", True),  # two next to each other swapped
        ("1980-01", "1979-12", True),  # a month off, every digit but one changed
        ("1975-10", "1975-09", True),
        ("1975-08", "1972-05", False),  # two digits apart
        ("1979-11", "1975-05", False),
        (None, "1975-05", False),
    ],
)
def test_a_birth_a_slip_from_another(written: str | None, meant: str, slip: bool) -> None:
    """A 换发's corrected birth, judged against the first holder's (§二)."""
    assert slip_of(written, meant) is slip


@pytest.mark.parametrize(
    ("error", "said"),
    [
        (PermissionError(errno.EACCES, "Permission denied"), "没有访问权限"),
        (OSError(errno.ENOSPC, "No space left on device"), "磁盘已满"),
        (
            OSError(errno.ENOTCONN, "Transport endpoint is not connected"),
            "Transport endpoint is not connected",
        ),
    ],
)
def test_the_systems_reasons_are_said_in_chinese(error: OSError, said: str) -> None:
    """A clerk read 无法读取 registers.toml：Permission denied; a rare reason keeps the system's
    words, which an administrator can look up."""
    assert os_reasons.reason(error) == said


def test_a_long_document_number_is_read_in_one_pass() -> None:
    """A staff query's 批准文号 of 60,000 characters held the server 20 s: the citation's
    pattern was tried from every character of one long word (a hang guard, not a timing)."""
    code = (
        "from registry.domain.documents import document_key\n"
        "for c in '1第':\n"
        "    assert document_key(c * 300_000).startswith(c)\n"
        "assert document_key('〕' + '0' * 300_000 + 'x').endswith('x')\n"
        "print(document_key('见《关于…的通知》（绵人社函〔2013〕05号）'))\n"
    )
    assert bounded(code, seconds=10).strip() == "绵人社函〔2013〕5号"


def test_a_kangxi_radical_in_a_name_is_read_as_its_character() -> None:
    """⾦⼭ (U+2F26, U+2F2D), pasted from a PDF, is the name 金山 — checked and matched as it."""
    assert normalise_name("⾦⼭") == "金山"


def test_a_documents_year_in_chinese_numerals_is_told_to_be_written_in_digits() -> None:
    """〔二〇一二〕 was told 文号中没有年份 (a clerk's review): it has one, in the wrong numerals."""
    said = year_problem("绵人社函〔二〇一二〕90号", 2012)
    assert said is not None and said.startswith("文号中的年份须用阿拉伯数字（§四.(三)）")
    assert revoking_problem("绵人社函〔二〇一二〕90号", 2012) == said  # a revocation's too
    for near in ("绵人社函〔二0一二〕90号", "绵人社函〔二O一二年〕90号"):  # a 0 or an O among them
        assert (year_problem(near, 2012) or "").startswith("文号中的年份须用阿拉伯数字"), near
    assert year_problem("绵人社函90号", 2012) == (
        "文号中没有年份：应写成如 川人社函〔2012〕12号 的样式（年份在六角括号中）"
    )


def test_the_fold_to_simplified_characters_ends_where_it_ends() -> None:
    """薴 → 苧 → 苎 in OpenCC's table: folded once to 苧, a key folded again (a registry read
    before its migration) became 苎, and one holder's two keys disagreed."""
    for char in ("薴", "張", "龍", "於", "甯"):
        once = simplified_characters(char)
        assert simplified_characters(once) == once, char
    assert simplified_characters("薴") == "苎"


@pytest.mark.parametrize(
    ("written", "same"),
    [
        ("川人社函[2013]26号", True),
        ("《关于同意换发证书的批复》（川人社函〔2013〕26号）", True),
        # cited with what may follow it (a review of the day's fixes: each another document)
        ("川人社函〔2013〕26号（关于同意换发证书的批复）", True),
        ("川人社函〔2013〕26号。", True),
        ("“川人社函〔2013〕26号”", True),
        ("川人社函〔2013〕26号文", True),
        ("川人社函〔2013〕26号之一", False),
        ("川人社函〔2013〕26-1号", False),
        ("川人社函〔2013〕26号（补充）", False),
        ("川人社函〔2013〕27号（关于同意换发证书的批复）", False),
    ],
)
def test_same_document(written: str, same: bool) -> None:
    assert same_document("川人社函〔2013〕26号", written) is same
