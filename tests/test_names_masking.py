"""The holder's name as the public sees it (SPEC §7: 张*明, 欧阳*): what the mask may show, for
any name length and any compound surname, the normal form every comparison uses, and when a
corrected name is another name (a 换发's, §二)."""

from __future__ import annotations

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from registry.domain.name_changes import another_name
from registry.domain.names import MIDDLE_DOT, mask_name, name_key, normalise_name

# The two-character surnames a mask must keep whole (欧阳明 → 欧阳*): written out here rather than
# read from the module, so that dropping one from the code fails a test.
COMPOUND = (
    "欧阳 司马 上官 诸葛 东方 皇甫 尉迟 公孙 慕容 长孙 宇文 司徒 夏侯 轩辕 令狐 端木 独孤 南宫 西门 "
    "百里 呼延 万俟 闻人 赫连 澹台 公羊 申屠 太史 淳于 单于 钟离 宗政 濮阳 仲孙 东郭 第五".split()
)

# Name characters: common Han characters (some pairs of them, like 夏侯, are compound surnames)
# and Latin letters; never whitespace, a middle dot or "*".
HAN = "张王李赵刘陈杨黄周吴郑孙马朱胡林郭何高罗梁宋唐许邓冯韩曹曾彭萧蔡潘田董袁于余叶蒋杜苏魏程吕丁沈任姚卢钟姜崔谭陆范汪廖石金贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤明芳伟强军杰浩敏静丽娟霞秀英华建国红"
LETTERS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
names = st.text(alphabet=HAN + LETTERS, min_size=1, max_size=50)
compound_names = st.builds(
    lambda surname, given: surname + given,
    st.sampled_from(COMPOUND),
    st.text(alphabet=HAN, max_size=48),
)
DOTS = "·•・‧･∙\u2027\u30fb\uff65\u2219\u2022" + "\u02d9\u318d\u2e31"  # ˙ ㆍ ⸱: a palette's


def shown(mask: str) -> set[int]:
    return {i for i, ch in enumerate(mask) if ch != "*"}


@given(name=st.one_of(names, compound_names))
@example(
    name="欧阳"
)  # a two-character name that is a compound surname: 欧 + 阳, not 欧阳 + nothing
@example(name="东方")
@example(name="张三四五")  # a three-character given name
@example(name="欧阳三四五")
@example(name="李")
def test_mask_shows_at_most_the_surname_and_the_last_character(name: str) -> None:
    mask = mask_name(name)
    n = len(name)
    compound = n > 2 and name[:2] in COMPOUND
    surname = 2 if compound else 1
    given_length = n - surname
    assert len(mask) == n
    assert all(m in (ch, "*") for m, ch in zip(mask, name, strict=True))
    # the surname is always shown …
    assert mask[:surname] == name[:surname]
    # … the last character only when the given name has two or more, and nothing else
    expected = set(range(surname)) | ({n - 1} if given_length >= 2 else set())
    assert shown(mask) == expected
    if n >= 2:
        assert "*" in mask  # a name of two or more characters is never shown whole


@pytest.mark.parametrize("surname", COMPOUND)
def test_every_compound_surname_stays_whole(surname: str) -> None:
    assert mask_name(surname + "明") == surname + "*"
    assert mask_name(surname + "建国") == surname + "*国"
    assert mask_name(surname) == surname[0] + "*"  # two characters: surname + given name


@given(
    parts=st.lists(st.text(alphabet=HAN, min_size=1, max_size=8), min_size=2, max_size=4),
    dot=st.sampled_from(DOTS),
)
@example(parts=["阿依古丽", "买买提"], dot="•")
@example(parts=["达", "瓦"], dot="·")
def test_minority_names_keep_their_dots_first_and_last(parts: list[str], dot: str) -> None:
    """The first letter, and the last past two letters: 达·瓦 and 马·力 were shown whole,
    where 达瓦 shows 达*."""
    name = dot.join(parts)
    mask = mask_name(name)
    normal = MIDDLE_DOT.join(parts)
    letters = len(normal) - normal.count(MIDDLE_DOT)
    assert len(mask) == len(normal)
    for i, ch in enumerate(normal):
        keep = ch == MIDDLE_DOT or i == 0 or (i == len(normal) - 1 and letters > 2)
        assert mask[i] == (ch if keep else "*"), (name, mask)
    assert "*" in mask  # never shown whole


def test_a_letter_is_masked_with_the_marks_written_on_it() -> None:
    """A Tibetan name masked code point by code point left a vowel sign on a ``*``."""
    assert mask_name("རྡོརྗེ") == "རྡོ*"  # two syllables: rdo, rje


@pytest.mark.parametrize(
    ("typed", "mask"),
    [
        ("张\t三\n明", "张*明"),
        ("张\r\n三明", "张*明"),
        ("\u3000张\u3000三\u3000", "张*"),
        ("欧\u00a0阳\u2003明", "欧阳*"),
        ("Li Ming", "L****g"),
        ("ＬＩ　Ｍｉｎｇ", "L****g"),
    ],
)
def test_whitespace_of_any_kind_is_not_part_of_the_name(typed: str, mask: str) -> None:
    assert mask_name(typed) == mask


@given(name=names, spaces=st.lists(st.sampled_from(" \t\n\r\u3000\u00a0\u2003"), max_size=5))
def test_name_key_ignores_whitespace_width_and_case(name: str, spaces: list[str]) -> None:
    padded = "".join(spaces) + " ".join(name) + "".join(spaces)
    wide = "".join(chr(ord(ch) + 0xFEE0) if ch in LETTERS else ch for ch in name)
    assert normalise_name(padded) == name
    assert name_key(padded) == name_key(wide.swapcase()) == name_key(name)
    assert name_key(name) == name.casefold()


@pytest.mark.parametrize("dot", DOTS)
def test_every_middle_dot_variant_becomes_u00b7(dot: str) -> None:
    assert normalise_name(f"热合曼{dot}吐尔逊") == "热合曼·吐尔逊"


@pytest.mark.parametrize(
    ("registered", "corrected", "another"),
    [
        ("周杰", "周洁", False),  # read alike
        ("周杰", "舟洁", False),
        ("周杰", "邹婕", False),  # zh and z, alike in Sichuan's speech
        ("张晶晶", "张金金", False),  # ing and in
        ("刘丽", "牛丽", False),  # l and n
        ("周杰", "ZHOU JIE", False),  # in letters
        ("周杰", "杰周", False),  # in another order
        ("周杰", "周傑倫", False),  # traditional, one character added
        ("欧阳娜", "欧阳娜娜", False),
        ("买买提·艾力", "麦麦提·艾力", False),
        ("周杰", "刘洁", True),  # one syllable alike
        ("周杰", "周丽", True),  # the surname alike
        ("王伟", "王秀英", True),
        ("王建国", "王建芳", True),  # siblings' generation character
        ("刘建华", "陈建芳", True),
        ("吉克阿依", "吉克伍呷", True),  # a Yi clan name
        ("艾力·买买提", "阿依古丽·买买提", True),  # a father's name
        ("公孙强", "孙秀英", True),
        ("周杰", "欧阳娜娜", True),
        ("郑丽华", "曾丽华", False),  # 曾 read zeng, as a surname
        ("李吉华", "李𠮷华", False),  # a rare character pypinyin cannot read, typed as 吉
        ("José Li", "Jose Li", False),
        ("王建安", "王家兰", True),  # jian an and jia lan: alike only run together
        ("王新安", "王喜兰", True),
        ("王金国", "王吉诺", True),  # jin guo and ji nuo
        ("王明", "王梦", True),  # meng: an archaic reading of 明, no name's
        ("王胜", "王欣", True),
        ("王乐", "王悦", True),  # 乐 is yue as a surname only
        ("乐丽", "岳丽", False),
        ("王强", "王강", True),  # another script's letter is only itself
        ("김민수", "이지은", True),
        ("李吉华", "李\ue000华", False),  # a rare character typed in the private-use area
        ("曾丽", "陈丽", True),  # 曾 is zeng as a surname, never ceng (Sichuan's chen)
        ("单强", "但强", True),  # shan, not dan
        ("区强", "屈强", True),
        # a Tibetan name's syllable, written in Chinese as the clerk heard it (甘孜, 阿坝)
        ("扎西多吉", "扎西多杰", False),
        ("尼玛次仁", "尼玛才仁", False),
        ("泽仁拉姆", "泽让拉姆", False),
        ("扎西多吉", "扎西拉姆", True),  # another name
        ("王吉", "王杰", True),  # a Han name's: ji is not jie, 仁 not 让
        ("刘仁", "刘让", True),
        ("欧阳吉华", "欧阳杰华", True),  # four characters, a compound surname: Han
    ],
)
def test_another_name(registered: str, corrected: str, another: bool) -> None:
    """A name mis-written by pen or by ear is not another name; what a family shares is not
    one name."""
    assert another_name(name_key(registered), name_key(corrected)) is another


@pytest.mark.parametrize(("registered", "corrected"), [("王建", "王建芳"), ("张伟", "张伟红")])
def test_a_character_more_is_another_name_with_another_sex(registered: str, corrected: str) -> None:
    """One character left out or added is a slip of the pen — but not with the sex changed
    too: 王建 and 王建芳 are a brother and his sister."""
    assert not another_name(name_key(registered), name_key(corrected))
    assert another_name(name_key(registered), name_key(corrected), strict=True)


@pytest.mark.parametrize(("registered", "corrected"), [("张婷", "张婷婷"), ("欧阳娜", "欧阳娜娜")])
def test_a_character_written_twice_is_a_slip_even_with_another_sex(
    registered: str, corrected: str
) -> None:
    """张婷婷 recorded as 张婷, and 男 for it: the doubled character a clerk dropped, and the sex
    guessed from what was left."""
    assert not another_name(name_key(registered), name_key(corrected), strict=True)
