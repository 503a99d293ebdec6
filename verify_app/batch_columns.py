"""Which columns of an uploaded HR file hold the certificate's number, the holder's name and what
the paper shows: HR files title their columns in their own words, and often keep more numbers
than the certificate's (工号, 员工编号, 身份证号码, 工作证号)."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from registry.sheets.layout import header_key


class BatchFileProblem(ValueError):
    """The upload cannot be used; the message (Chinese) says what to fix."""


HEADER_SEARCH_ROWS = 10
NUMBER_HEADERS = ("证书编号", "颁发证书编号", "编号", "证书号")
NAME_HEADERS = ("姓名", "持证人", "持证人姓名")
HEADER_WORDS = ("姓名", "名字", "编号", "证书", "序号", "工号")
"""Words that make a row a header the service could not place, not a row to check."""
CONFIRM_HEADERS: dict[str, tuple[str, ...]] = {
    "level": ("等级", "证书等级", "技术等级"),
    "trade": ("工种", "证书工种"),
    "issued_on": ("发证日期", "发证时间"),
    "reissue_mark": ("补发", "补发字样", "注明补发"),
}
"""Optional columns with what the paper shows (`registry.public.confirm.CONFIRMABLE`)."""


@dataclass(frozen=True)
class Columns:
    start: int
    """index of the first data row"""
    number: int
    name: int
    confirms: dict[str, int]
    header: list[str] | None


def _column(keys: Sequence[str], ranks: Sequence[Callable[[str], bool]]) -> int | None:
    """The first column the surest of ``ranks`` takes: HR files name their columns in their
    own words, and often have more numbers than the certificate's (编号, 员工编号)."""
    for takes in ranks:
        found = next((i for i, key in enumerate(keys) if takes(key)), None)
        if found is not None:
            return found
    return None


_CERTIFICATE_NUMBER = re.compile("证书?(编号|号码?|编码)")
"""资格证书编号, 证书号码, 资格证号, 等级证编号, 证号"""
_OTHER_CARDS = ("身份", "工作证", "上岗证", "驾驶证", "居住证", "学生证", "军官证")
"""Cards whose numbers an HR file may keep beside the certificate's"""
NUMBER_RANKS: tuple[Callable[[str], bool], ...] = (
    lambda key: key in NUMBER_HEADERS and key != "编号",
    lambda key: (
        bool(_CERTIFICATE_NUMBER.search(key)) and not any(card in key for card in _OTHER_CARDS)
    ),
    # 职业资格证书, 等级证书: the certificate itself — not 证书名称, 证书有效期, 是否取得证书
    lambda key: key.endswith("证书") and not any(word in key for word in ("是否", "有无", "取得")),
    lambda key: key == "编号",
    # 员工编号, when nothing names the certificate — never another card's
    lambda key: "编号" in key and not any(card in key for card in _OTHER_CARDS),
)
"""How a certificate number's column is told, the surest first."""
NAME_RANKS: tuple[Callable[[str], bool], ...] = (
    lambda key: key in NAME_HEADERS,
    lambda key: "姓名" in key,
)


def find_columns(rows: Sequence[tuple[int, Sequence[str]]]) -> Columns:
    """Where the number, the name and what the paper shows are, from a header row among the
    first rows; without one, the number first and the name second."""
    for index, (_, row) in enumerate(rows[:HEADER_SEARCH_ROWS]):
        keys = [header_key(cell) for cell in row]
        number = _column(keys, NUMBER_RANKS)
        name = _column(keys, NAME_RANKS)
        if number is not None and name is not None and number != name:
            confirms = {
                field: i
                for field, titles in CONFIRM_HEADERS.items()
                for i in [next((i for i, k in enumerate(keys) if k in titles), None)]
                if i is not None
            }
            return Columns(index + 1, number, name, confirms, list(row))
    for line, row in rows[:HEADER_SEARCH_ROWS]:
        if any(word in key for key in map(header_key, row) for word in HEADER_WORDS):
            raise BatchFileProblem(
                f"第{line}行像是表头，但没有找到“证书编号”和“姓名”两列：请把这两列的表头"
                "分别写成“证书编号”和“姓名”，或删去表头，让第一列是证书编号、第二列是姓名"
            )
    return _without_header(rows)


def _without_header(rows: Sequence[tuple[int, Sequence[str]]]) -> Columns:
    """A list without header: the number in the column most like numbers (a 序号, an ID card's
    number, a 工号, a department may come first), the name in the column most like names —
    the nearest to the number on a tie, after it on a tie of those; without anything like a
    name, the column beside the
    number (after it when the number comes first); the first two columns when nothing looks
    like a number."""
    width = max((len(row) for _, row in rows[:HEADER_SEARCH_ROWS]), default=0)
    counts = [_numbers_in(rows, column) for column in range(width)]
    if not counts or max(counts) == 0:
        return Columns(0, 0, 1, {}, None)
    number = counts.index(max(counts))
    others = [column for column in range(width) if column != number]
    scores = {column: _names_in(rows, column) for column in others}
    if not others or max(scores.values()) == 0:
        return Columns(0, number, number + 1 if number == 0 else number - 1, {}, None)
    name = max(others, key=lambda column: (scores[column], -abs(column - number), column > number))
    return Columns(0, number, name, {}, None)


NAME_LIKE = re.compile(
    r"[\u3400-\u9fff]{2,6}|[\u3400-\u9fff]{1,10}(?:·[\u3400-\u9fff]{1,10})+|[A-Za-z][A-Za-z .'-]+"
)
"""A name as a list holds it: a few Chinese characters (parts joined by a middle dot for
some), or Latin letters."""
SURNAMES = frozenset(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁"
    "任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴"
    "莫孔向汤常温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞左柳甘祝包宁尚符舒阮柯纪"
    "梅童凌毕单季裴霍涂成苗谷盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲房滕屈饶解牟艾尤阳时穆农司卓古吉缪简"
    "车项连芦麦褚娄窦戚岑景党宫费卜冷晏席卫米柏宗瞿桂全佟应臧闵苟邬边卞姬师和仇栾隋商刁沙荣巫寇桑郎甄"
    "丛仲虞敖巩明佘池查麻苑迟邝"
)
"""Common Chinese surnames (a name's first character): what tells 张三明 from 后勤 or 保卫."""


UNIT_ENDINGS = (
    "室",
    "科",
    "处",
    "部",
    "组",
    "队",
    "中心",
    "局",
    "院",
    "所",
    "站",
    "办",
    "厅",
    "班",
    "股",
)
"""How a department's name ends (车队 begins like a name)."""


def name_like(cell: str) -> bool:
    """Whether ``cell`` reads as a holder's name: a Chinese one beginning with a common
    surname (or joined by a middle dot) and not ending as a department does, or a Latin one."""
    cell = cell.strip()
    if not NAME_LIKE.fullmatch(cell) or cell.endswith(UNIT_ENDINGS):
        return False
    return cell[0].isascii() or cell[0] in SURNAMES or "·" in cell


def _names_in(rows: Sequence[tuple[int, Sequence[str]]], column: int) -> int:
    """How many of the first rows hold something like a holder's name in ``column``."""
    return sum(
        1 for _, row in rows[:HEADER_SEARCH_ROWS] if column < len(row) and name_like(row[column])
    )


_NUMBER_LIKE = re.compile(r"[A-Za-zＡ-Ｚａ-ｚ](?:[\s\-－]*[0-9０-９]){10}")
"""A certificate number: its level letter and ten digits, whatever was typed between (a 工号
such as E1001 is none)."""


def _numbers_in(rows: Sequence[tuple[int, Sequence[str]]], column: int) -> int:
    """How many of the first rows hold something like a certificate number in ``column``."""
    return sum(
        1
        for _, row in rows[:HEADER_SEARCH_ROWS]
        if column < len(row) and _NUMBER_LIKE.match(row[column].strip())
    )
