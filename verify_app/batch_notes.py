"""What of an uploaded list is not a row to check: a title over it, a total, a signature or a
date under it, an employee left without number and name — and what the result file tells each.

A note of the list (its title, 合计, 填表人：王五, 2026年12月1日) is kept in the result file, as
the HR file had it, but is nobody to follow up: the page's summary counts only the rows of people
left unchecked (a phone review's 未查验 1 was the sign-off line under the list)."""

from __future__ import annotations

import re
from collections.abc import Sequence

from registry.kinds.not_records import TOTAL_WORDS
from registry.sheets.layout import header_key
from verify_app.answers import listed
from verify_app.batch_columns import name_like, number_like
from verify_app.list_headers import NAME_HEADERS, NUMBER_HEADERS

UNCHECKED_ADVICE = "此行没有可查验的证书编号和姓名，未查验。"
NAME_ONLY = "此行证书编号为空，未查验。如要查验，请填写证书编号后重新上传。"
_NO_NAME_TOLD = (
    "有证书编号，但没能确定哪一列是姓名（姓名中不能有数字或括号，不能是性别、等级、部门或工种；"
    "除证书编号外有两列以上都像姓名时，如民族、职务、单位名称，也无法确定）"
)
_ONE_A_LINE = (
    "请每行按“证书编号，姓名”填写，其他列写在后面，或在第一行加上各列的表头（如 证书编号，姓名，部门）"
    "后重新提交。"
)
COLUMNS_ADVICE = f"此行{_NO_NAME_TOLD}，未查验。{_ONE_A_LINE}"
"""A pasted line of more columns than the two, no one column of them the name's alone
(`verify_app.watch_lines`): its columns were checked as the name — 周杰，男，Z1122020123 as
男 — and a real certificate was told 未查到."""
NOTE_ADVICE = "此行不是要查验的人（名单的标题、说明、合计、签字或日期），未查验。"
"""The advice of a note of the list (`advice`): not counted as 未查验 in the page's summary."""
NOTE_LABEL = "名单说明"
"""What a note of the list is called in the results' 查验结果, where a person left unchecked is
未查验: a list's 制表人 and 合计 were listed as 未查验 rows, and counted among its rows."""

_TOTAL = re.compile(f"(?:{'|'.join(TOTAL_WORDS)})(?![\u3400-\u9fff])")
"""A cell that says 合计 (合计：, 合计 30人), not a word beginning so (总计划科, 小计量室)."""
_LABEL = re.compile(r"[^\d:：]{1,12}[:：]")
"""A label (填表人：, 联系电话：, 单位（盖章）：) before what is written on it."""
_SIGN_OFF = re.compile(
    r"[^\d:：]{0,10}(?:人|电话|手机|日期|时间|单位|盖章|签字|签名|审核|审批|复核|备注|说明|注|部门|科室|地址|邮箱)"
    r"[）)]?\s*[:：]"
)
"""A sign-off's label: its words (制表人：, 联系电话：, 单位（盖章）：, 注：) — not a name's
(李四：证书待补, between the rows checked, was told a note and the page said all were checked)."""
_NAME_FIRST = re.compile(r"[\u3400-\u9fff]{2,4}(?=[\s，,、（(\-—:：]|$)")
"""A name at the start of a cell, a remark after it (王五 技术中心, 孙七，待补, 马九-证书遗失)."""
_NO_NAMES = ("你好", "您好", "以上", "以下", "如下", "说明", "备注", "附件", "请", "谢谢")
"""Words a chat's or a list's own lines begin with (你好，请帮我查…), not a name."""
_DATE = re.compile(r"\d{4}\s*[年./-]\s*\d{1,2}\s*(?:[月./-]\s*\d{1,2}\s*日?|月)?")
"""A sign-off's date: 2026年12月1日, 2026.12.1, 2026-12, 2026年12月."""
_SHORT_NAME = 4
"""The most characters of a name alone on a line taken for a name whatever it says."""
_TITLE_WORDS = (
    *("名单", "名册", "花名", "表", "人员", "职工", "统计", "汇总", "证书", "单位"),
    *("公司", "医院", "学校", "中心", "部门", "情况", "一览", "登记", "查验"),
)
"""Words of a list's title (某公司持证人员名单, 职工证书统计): a longer name alone on its line
without them — a minority name (阿依古丽·买买提), a compound surname's (司马相如风) — is a
person's, asked for the number (a hostile review: told a note, and every person checked)."""


def _a_note(number: str, name: str) -> bool:
    """A line above or under a list, in its number's or its name's column — a title
    (某公司持证人员名单), a total, a signature — with nothing like a certificate number in it:
    no digit at all, or words of a total or a colon. With both columns filled, a sign-off
    (填表人：王五 | 联系电话：138…) was checked as a malformed number, and charged."""
    if number and name:
        if number_like(number):
            return False
        if _SIGN_OFF.match(name) or _header_again(number, name):  # 联系人：王五 | 138…
            return True
        return not any(c.isdigit() for c in number) and bool(_LABEL.match(number))
    if name and not number_like(name):  # 李四（2025.3退休）: a name, no number to check
        return True
    text = number or name
    if not any(character.isdigit() for character in text):
        return True  # every certificate number has ten digits
    return (text.startswith(TOTAL_WORDS) or ":" in text or "：" in text) and not number_like(text)


def _header_again(number: str, name: str) -> bool:
    """The list's header repeated over a page of it (证书编号 | 姓名): it was checked as a number
    of four characters, offered a forgery report, and charged (a review of the fixes)."""
    return header_key(number) in NUMBER_HEADERS and header_key(name) in NAME_HEADERS


def _a_total(row: Sequence[str], number: str, name: str) -> bool:
    """A totals row (合计 | 30人) whatever column its word is in — the 序号's, often — with
    neither a number nor a name to check."""
    if number_like(number) or name_like(name):
        return False
    return any(_TOTAL.match(cell.strip()) for cell in row)


def nothing_to_check(row: Sequence[str], number: str, name: str) -> bool:
    """合计：3人, 制表人：王五, a row without number and name: nothing to check or charge."""
    return _a_note(number, name) or _a_total(row, number, name) or not (number or name)


def typed_name(number: str, name: str, headerless: bool) -> str:
    """What a row not checked gives where a name goes: its name's cell — in a list without
    header, the cell alone on its line, read as the number's column, when that is all there is."""
    return (name or (number if headerless else "")).strip()


def advice(row: Sequence[str], number: str, name: str, headerless: bool, outside: bool) -> str:
    """Why a row with `nothing_to_check` was not checked, in the result file: a name without its
    number is asked for the number, as a number without its name is asked for the name (`_person`).
    A title, a total, a sign-off is a note of the list; so is a lone cell (a date), a cell in the
    number's or the name's column, or a sign-off's cells (`_signed`) ``outside`` the rows
    checked, above the first or under the last. Between them, only a total, a sign-off or the
    header repeated is a note: what is left is a person's row without number and name."""
    alone = "" if number.strip() and name.strip() else typed_name(number, name, headerless)
    if _person(alone, outside):
        return NAME_ONLY
    filled = [cell.strip() for cell in row if cell.strip()]
    if no_name_told(row, number, name):
        return COLUMNS_ADVICE  # Z1122020123，13800001111，后勤: no name beside the number
    if _a_total(row, number, name) or (filled and all(map(_signed, filled))):
        return NOTE_ADVICE
    if _header_again(number, name) or (number and _SIGN_OFF.match(name)):
        return NOTE_ADVICE
    if outside and (number or name or len(filled) <= 1):
        return NOTE_ADVICE
    return UNCHECKED_ADVICE


def no_name_told(row: Sequence[str], number: str, name: str) -> bool:
    """Whether a row is a pasted line of columns with a number but no name told among them
    (`verify_app.batch_files`: neither a number nor a name read from its one cell)."""
    filled = [cell.strip() for cell in row if cell.strip()]
    return not (number or name) and len(filled) == 1 and number_like(filled[0])


def nothing_found(unchecked: Sequence[tuple[int, Sequence[str], str, str]]) -> str:
    """Why a list of ``unchecked`` rows (row, cells, number, name) alone has nothing to check:
    its lines of columns with no name told among them, how to write them — a line pasted alone
    was told only 文件中没有找到要查验的行 — else the two columns it needs."""
    told = [line for line, row, number, name in unchecked if no_name_told(row, number, name)]
    if told:
        return listed([f"第{line}行{_NO_NAME_TOLD}" for line in told], "行", _ONE_A_LINE)
    return "文件中没有找到要查验的行（需要“证书编号”和“姓名”两列）"


def _person(text: str, outside: bool) -> bool:
    """Whether a name's cell without a number holds a person's name. Between the rows checked,
    anything but a total or a sign-off does: 张三（女）, 王五、, 阿依古丽・买买提 were told notes of
    the list, and the page said everyone was checked (a review). Above or under them, a title
    (某公司持证人员名单) and a sentence are notes; a name with its marks (`_name_shaped`) is not."""
    if not text or _signed(text) or text.startswith(TOTAL_WORDS):
        return False
    return not outside or _name_shaped(text)


_ASIDE = re.compile(r"[（(][^）)]*[）)]")
"""A note in brackets after a name: 张三（女）, 李四(退休)."""


def _name_shaped(text: str) -> bool:
    """Whether ``text`` reads as a name, whatever marks it (王五、, 赵六*, 张三 👍, a dot or a
    space of another kind, 王〇): no digit and no sentence's stop, two letters at least — and a
    longer one without a title's words (a minority name, a compound surname's)."""
    first = _NAME_FIRST.match(text)
    if first and not any(w in first[0] for w in _TITLE_WORDS) and not text.startswith(_NO_NAMES):
        return True  # a remark after the name: 孙七，待补 was told a note
    if any(c.isdigit() for c in text) or any(stop in text for stop in "，。；！？,;!?"):
        return False
    letters = [c for c in _ASIDE.sub("", text) if c.isalpha() or c == "〇"]
    if len(letters) < 2:
        return False
    return len(letters) <= _SHORT_NAME or not any(word in text for word in _TITLE_WORDS)


def _signed(cell: str) -> bool:
    """A cell of a sign-off line: a label with what is written on it (制表人：王五, 审核：), a
    total or a date. Spread beside the number's and the name's columns (制表人：王五 under 工号,
    审核：赵六 under 备注), a sign-off was a person left unchecked, 未查验 1 in the summary."""
    return bool(_SIGN_OFF.match(cell) or _TOTAL.match(cell) or _DATE.fullmatch(cell))
