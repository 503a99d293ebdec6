"""The rules a holder's name must meet to be registered (§四.(三)): no digit, no symbol, one
writing system, separators only between two characters, no gap that hides its end, at most
the length the public check accepts. `registry.domain.names` is the name's normal form and
mask; this module is what refuses one."""

from __future__ import annotations

import re
import unicodedata
from collections import Counter

from registry.domain.names import COMPOUND_SURNAMES
from registry.domain.text import MAX_NAME_CHARS, code_point

LOST_CHARACTER = "?\ufffd□■"
"""What a character a file's encoding or font could not hold becomes: a question mark, the
replacement character, a box. (Not *: that is a masked name copied from a public answer.)"""


def _symbols(name: str) -> list[str]:
    """The characters of a normalised name that are neither letters nor a minority name's dot
    (=HYPERLINK(…), +王五, 张三(男)): a formula or a note, not a name."""
    if name.isalpha():
        return []
    found = (  # hidden characters (C*, Z*) are refused on their own, by code point; 〇 is Nl
        ch
        for ch in name
        if ch not in _SEPARATOR_CHARS and unicodedata.category(ch)[0] not in "LMCZ" and ch != "〇"
    )
    return [f"“{ch}”" for ch in dict.fromkeys(found)]


_SEPARATOR_CHARS = "·.-'’"


def _misplaced_separator(name: str) -> str | None:
    """Where a separator of ``name`` cannot be: first, last, or right after another — an
    Excel text marker ('李强), a dot left over (阿依古丽·), two typed for one."""
    if name[0] in _SEPARATOR_CHARS:
        return f"以“{name[0]}”开头"
    if name[-1] in _SEPARATOR_CHARS:
        return f"以“{name[-1]}”结尾"
    doubled = next(
        (
            a + b
            for a, b in zip(name, name[1:], strict=False)
            if a in _SEPARATOR_CHARS and b in _SEPARATOR_CHARS
        ),
        None,
    )
    return f"中有连续的“{doubled}”" if doubled else None


_HAN_CHARACTERS = (
    "〇\u3400-\u4dbf\u4e00-\u9fff\ue000-\uf8ff\uf900-\ufaff"
    "\U00020000-\U0003ffff\U000f0000-\U0010ffff"
)
"""Chinese characters, the extensions' rare ones (assigned or not yet known to this Python) and
the private-use code points older systems type rare characters with; 〇 as in 李〇明."""
_HAN = re.compile(f"[{_HAN_CHARACTERS}]")
_HAN_NAME = re.compile(f"[{_HAN_CHARACTERS}·]+")
"""A name of Chinese characters alone (a minority name's dots between): nearly every name."""
_SCRIPTS = {
    "LATIN": "拉丁字母",
    "CYRILLIC": "西里尔字母",
    "GREEK": "希腊字母",
    "HIRAGANA": "日文假名",
    "KATAKANA": "日文假名",
    "KATAKANA-HIRAGANA": "日文假名",
    "BOPOMOFO": "注音符号",
    "HANGUL": "朝鲜文字母",
    "TIBETAN": "藏文",
    "YI": "彝文",
}
_IN_CHINESE = (
    "证书上的姓名是汉字，藏文、彝文等的姓名请填写证书上印的汉字译写（如 扎西多吉、吉克曲布）"
)
"""What a clerk of 甘孜, 阿坝 or 凉山 is told of a name in Tibetan or Yi script (or mixed in)."""
_CHINESE = "汉字"


def _script(ch: str) -> str:
    """The writing system of a letter of a normalised name, in words a clerk knows."""
    if _HAN.match(ch):
        return _CHINESE
    word = unicodedata.name(ch, "").split(" ")[0]
    return _CHINESE if word in ("CJK", "IDEOGRAPHIC") else _SCRIPTS.get(word, "其他文字")


def _mixed(name: str) -> tuple[str, list[str]]:
    """The writing system of ``name`` (its Chinese characters', else most of its letters') and
    its letters from another: カ beside 王 reads as 王力 and is not; Cyrillic А in Anna is not
    the A typed."""
    # letters only (not the modifier letters, such as Uzbek Gʻulom's ʻ, of no script; but the
    # kana's ー, which reads as 一): hidden characters and symbols are refused on their own
    letters = [
        ch
        for ch in name
        if unicodedata.category(ch)[0] == "L"
        and not unicodedata.name(ch, "").startswith("MODIFIER LETTER")
    ]
    scripts = {ch: _script(ch) for ch in letters}
    counted = Counter(scripts[ch] for ch in letters)
    own = _CHINESE if _CHINESE in counted else counted.most_common(1)[0][0] if counted else _CHINESE
    return own, [ch for ch in scripts if scripts[ch] != own]


def _marked_han(name: str) -> list[str]:
    """The combining marks of a normalised name that sit on a Chinese character, or on nothing
    (first, or after a dot): 王̇明 (U+0307) is drawn as 王明 with a speck, no reviewer reads the
    mark, and no check typed 王明 matches it. A Latin letter's accent NFKC has not joined to it
    (n̈) is a letter's own."""
    found, base = [], ""
    for ch in name:
        if not unicodedata.category(ch).startswith("M"):
            base = ch
        elif not base or base in _SEPARATOR_CHARS or _HAN.match(base):
            found.append(ch)
    return list(dict.fromkeys(found))


def _mixed_problem(own: str, foreign: list[str]) -> str:
    shown = "、".join(f"“{ch}”（{code_point(ch)}，{_script(ch)}）" for ch in foreign)
    if {_script(ch) for ch in foreign} & {_SCRIPTS["TIBETAN"], _SCRIPTS["YI"]}:
        return f"姓名中混有不是汉字的字符 {shown}。{_IN_CHINESE}"
    if own == _CHINESE:
        return (
            f"姓名中混有不是汉字的字符 {shown}：像汉字的假名、注音符号或字母（如 カ 与 力、ロ 与 口、"
            "ㄧ 与 一）让审核人员看到的姓名与登记的不同，查验时也对不上。请用汉字输入法重新输入"
        )
    return f"姓名混用了不同的文字 {shown}：看起来相同的字母并不相同，查验时对不上。请重新输入"


def _symbols_problem(name: str, symbols: list[str]) -> str:
    """The rule a name's ``symbols`` break, with what most likely put them there."""
    if any(mark in name for mark in LOST_CHARACTER):  # (NFKC made ？ a ?)
        advice = (
            "这个符号常是另存为 CSV 或从别的系统导出时存不下的生僻字：请在原表格中重新输入"
            "该字，另存为 .xlsx（或 UTF-8 编码的 CSV）"
        )
    elif "*" in name:
        advice = "带 * 的姓名像是从查验结果中复制的遮挡姓名（如 张*明）：请填写完整的姓名"
    elif any("\u0f00" <= ch <= "\u0fff" for ch in name):  # the tsheg ་ between syllables
        advice = _IN_CHINESE
    elif radicals := [ch for ch in name if "\u2e80" <= ch <= "\u2eff"]:  # ⻩, not 黄
        # (a Kangxi radical, ⾦, is its character to NFKC, as a name is read: 金)
        shown = "、".join(f"“{ch}”（{code_point(ch)}）" for ch in radicals)
        advice = (
            f"其中{shown}是部首符号，不是汉字，只是看上去像汉字（如 ⻩ 与 黄）：常是从 PDF "
            "或网页复制来的。请删去它，用输入法重新输入该字"
        )
    else:
        advice = "请核对是否填到了别的栏目，或删去符号"
    return (
        f"姓名中有符号 {'、'.join(symbols)}：姓名只由文字组成（少数民族姓名的间隔号写作“·”）。"
        + advice
    )


def _letters_problem(name: str) -> str | None:
    """The rule a name's letters break: a combining mark on a Chinese character, or letters of
    two writing systems."""
    if _HAN_NAME.fullmatch(name) or name.isascii():  # nearly every name, in C
        return None
    if marks := _marked_han(name):
        shown = "、".join(f"“◌{ch}”（{code_point(ch)}）" for ch in marks)
        return (
            f"姓名中有加在汉字上的附加符号 {shown}：汉字不带这样的符号（常是从别的系统复制时带入的），"
            "审核人员看不出，查验时也对不上。请删去该符号后重新输入"
        )
    own, foreign = _mixed(name)
    return _mixed_problem(own, foreign) if foreign else None


MAX_GAP = 4
"""The widest a clerk pads a name, in half-width spaces (张    三; 张　　三: a full-width space is
two)."""
_GAP = re.compile(r"\S(\s+)(?=\S)")


def _width(spaces: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "FW" else 1 for ch in spaces)


def gap_problem(written: str, name: str) -> str | None:
    """A name as written with a run of spaces inside it wider than `MAX_GAP`, which can push
    its end out of the cell's view: 欧阳明, 200 spaces, 丰 (or four full-width ones) is reviewed
    as 欧阳明 and would be stored as 欧阳明丰. (``name`` is its normal form: only a cell longer
    than it by more than half of `MAX_GAP` is searched.)"""
    if len(written) <= len(name) + MAX_GAP // 2:
        return None
    widest = max((_width(found[1]) for found in _GAP.finditer(written)), default=0)
    if widest <= MAX_GAP:
        return None
    return (
        f"姓名中间有宽 {widest} 个半角空格的空白：列宽不够时，空格后面的字被挤出格子，"
        "审核、打印时看不到，却会一并登记。请删去多余的空格后核对姓名"
    )


COMMON_SURNAMES = frozenset(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏"
    "魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付傅方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚"
    "邵万钱严覃武戴莫孔向汤"
)
"""The hundred commonest surnames (nine people in ten carry one): a part of a name cell that
starts with one and is two or three characters long reads as a person's name of its own."""
_HAN_PART = re.compile(f"[{_HAN_CHARACTERS}]{{2,3}}")


def _reads_as_a_name(part: str) -> bool:
    return bool(_HAN_PART.fullmatch(part)) and (
        part[0] in COMMON_SURNAMES or part[:2] in COMPOUND_SURNAMES
    )


def two_names_problem(written: str) -> str | None:
    """Two people's names in one cell, apart by spaces (张伟 李芳, a clerk pasting one row of a
    list over another): every part two or three Chinese characters headed by a common surname.
    Stored as one holder 张伟李芳, neither could ever be verified. A Tibetan name written with a
    space (扎西 多吉) starts with no such surname; 白玛 罗布, which does, is told how to pass: the
    spaces are never stored."""
    parts = written.split()
    if len(parts) < 2 or not all(map(_reads_as_a_name, parts)):
        return None
    return (
        f"姓名“{'、'.join(parts)}”像是 {len(parts)} 个人的姓名：名册每行只登记一人，请分行填写，"
        "各自一个证书编号；若确是一个人的姓名（如藏族姓名），请删去中间的空格"
    )


def check_name(name: str, *, new: bool = True) -> tuple[str, str] | None:
    """(rule, clause) when a normalised holder name cannot be registered: empty, holding a
    digit (a date or number typed one column off), symbols, a combining mark on a Chinese
    character, letters of two writing systems (王カ, read as 王力), a misplaced separator, or
    longer than the public check accepts (the holder could never be verified). A name that only identifies a holder registered
    already (``new`` false: a status change's 姓名) is not refused for digits it may have been
    registered with before this rule."""
    if not name:
        return "姓名为空：请填写持证人的姓名", "§四.(三)"
    if new and any(ch.isdigit() for ch in name):
        return "姓名中有数字：请核对是否填到了别的栏目", "§四.(三)"
    if new and (symbols := _symbols(name)):
        return _symbols_problem(name, symbols), "§四.(三)"
    if new and (letters := _letters_problem(name)):
        return letters, "§四.(三)"
    if new and (misplaced := _misplaced_separator(name)):
        marker = (
            "；开头的撇号是 Excel 的“文本”标记，不是姓名的一部分，请删去" if name[0] in "'’" else ""
        )
        return (
            f"姓名{misplaced}：间隔号、连字符和撇号只能写在姓名的两个字之间，且只写一个"
            f"（如 阿依古丽·买买提）{marker}",
            "§四.(三)",
        )
    if len(name) > MAX_NAME_CHARS:
        return (
            f"姓名有 {len(name)} 个字符，最多 {MAX_NAME_CHARS} 个（公众查验只接受这么长的姓名）",
            "§四.(三)",
        )
    return None
