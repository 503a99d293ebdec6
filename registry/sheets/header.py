"""Finding a register's header: the row (or rows — a merged group over its sub-columns, names
broken over two rows, the form's own column numbers below) whose cells name the layout's
columns, within the first `HEADER_SEARCH_ROWS` rows."""

from __future__ import annotations

from collections.abc import Callable, Iterator

from registry.sheets._extent import column_letters
from registry.sheets.cells import Cell
from registry.sheets.errors import HeaderNotFound, UnreadableSheet
from registry.sheets.layout import Column, Layout, header_key
from registry.sheets.rows import Row

HEADER_SEARCH_ROWS = 30


def _match_header(layout: Layout, keys: list[str]) -> dict[str, int]:
    columns: dict[str, int] = {}
    for index, key in enumerate(keys):
        column = layout.column(key)
        if column and column.name not in columns:
            columns[column.name] = index
    # then the cells that name a column still missing with a note added (出生年月（年.月）),
    # then those naming it by a heading clerks use (工种 for 报考工种)
    columns |= _named_once(keys, columns, layout, layout.noted)
    fallen = _named_once(keys, columns, layout, layout.fallback)
    columns |= {name: index for name, index in fallen.items() if not _rivalled(keys, index, layout)}
    return columns


def _rivalled(keys: list[str], index: int, layout: Layout) -> bool:
    """Whether another heading the layout does not read ends with the heading of cell ``index``
    (工种 beside 申报工种, 等级 beside 技术等级): a heading clerks use for a column is read as it
    only alone — 工种, the holder's present trade, was loaded as every certificate's trade
    while the examined one stood in 申报工种 (a review); refused, the clerk is asked which it
    is. Not 年度考核 beside 年度, nor the form's 未获工种年限 beside 工种."""
    own = keys[index]
    return any(
        i != index and key != own and key.endswith(own) and layout.column(key) is None
        for i, key in enumerate(keys)
    )


def _named_once(
    keys: list[str],
    columns: dict[str, int],
    layout: Layout,
    names: Callable[[str], Column | None],
) -> dict[str, int]:
    """The columns still missing that one cell names by ``names``: two such cells for one
    column (证书编号（原）, 证书编号（新）) name none of it."""
    found: dict[str, list[int]] = {}
    for index, key in enumerate(keys):
        column = names(key) if layout.column(key) is None else None
        if column and column.name not in columns:
            found.setdefault(column.name, []).append(index)
    return {name: indexes[0] for name, indexes in found.items() if len(indexes) == 1}


def _refuse_twice_named(layout: Layout, keys: list[str]) -> None:
    """A header naming one of the layout's columns twice: only the first would be read, and the
    first may be a column hidden from whoever checked the sheet (a hidden 姓名 beside the
    visible one loaded names nobody saw). Two different names of an optional column are two
    halves of it some forms split (原岗位证书号 | 未获工种年限): the first is read, as before."""
    seen: dict[str, tuple[int, str]] = {}
    for index, key in enumerate(keys):
        column = layout.column(key) if key else None
        if column is None:
            continue
        if column.name in seen and (column.required or seen[column.name][1] == key):
            first, written = seen[column.name]
            where = f"第 {column_letters(first + 1)} 列“{written}”和第 {column_letters(index + 1)} 列“{key}”"
            raise UnreadableSheet(
                f"表头中有两列都是“{column.name}”（{where}，其中一列可能被隐藏）：每一栏只能有一列。"
                "请取消隐藏、核对后删除多余的一列，再重新保存"
            )
        seen.setdefault(column.name, (index, key))


def _keys(cells: list[Cell]) -> list[str]:
    return [header_key(c) if c is not None else "" for c in cells]


def merged_header(keys: list[str], above: list[str]) -> list[str]:
    """A two-row header read as one: a sub-header cell wins over the merged cell above it, but
    a note under a column's name (出生年月 over （年.月）) is read with it. An uploaded HR list's
    header is read so too (`verify_app.batch_columns`)."""
    return [_under(above[i] if i < len(above) else "", k) for i, k in enumerate(keys)] + above[
        len(keys) :
    ]


def _under(above: str, key: str) -> str:
    if not key:
        return above
    if above and key[0] in "(（" and key[-1] in ")）":
        return above + key
    return key


_BRACKETS = str.maketrans("", "", "()（）")


def _column_numbers(cells: list[Cell]) -> bool:
    """A row that numbers the columns (1, 2, 3… or (1), (2)…), as printed forms do under their
    header: no holder's row, and its small numbers are no one's scores."""
    filled = [header_key(c).translate(_BRACKETS) for c in cells if c is not None]
    return len(filled) >= 3 and filled == [str(n) for n in range(1, len(filled) + 1)]


def _sub_header(cells: list[Cell], layout: Layout, above: list[str]) -> list[str] | None:
    """The header's keys with ``cells`` read under them, when ``cells`` is one more header row:
    every filled cell names a column of the layout, one at least not matched above — the
    sub-columns of a merged group (补发材料 over 个人申请, 单位证明, 原公布文件) when every
    required column is merged over both rows and the first row alone looked complete."""
    keys = _keys(cells)
    if not any(keys) or any(key and layout.column(key) is None for key in keys):
        return None
    merged = merged_header(keys, above)
    if len(_match_header(layout, merged)) > len(_match_header(layout, above)):
        return merged
    return None


Header = tuple[tuple[int, ...], list[str], set[str]]
"""A candidate header: its row numbers, its keys column by column, its cells' texts"""


def _joined(keys: list[str], upper: list[str], above: list[str]) -> list[str]:
    """A header row whose names continue those of the row above (思想政治 over 表现), read
    under ``above``, the header that row ended: both parts joined where both are filled."""
    joined = []
    for i in range(max(len(keys), len(above))):
        key = keys[i] if i < len(keys) else ""
        part = upper[i] if i < len(upper) else ""
        joined.append(part + key if part and key else key or (above[i] if i < len(above) else ""))
    return joined


def find_header(
    rows: Iterator[Row], layout: Layout
) -> tuple[tuple[int, ...], dict[str, int], frozenset[str], Row | None, list[str]]:
    """(header row numbers, column indexes, the header's cell texts as written, the first row
    after the header when it had to be read to know the header ended, the header's name of each
    spreadsheet column), consuming ``rows`` up to the header."""
    previous: tuple[int, list[str], set[str]] | None = None
    stacked: Header | None = None
    """the best header ending at the previous row"""
    best: dict[str, int] = {}
    best_keys: list[str] = []
    titles: set[str] = set()
    """rows above the header holding one text: the roster's title, which print repeats too"""
    for row_number, cells in rows:
        keys = _keys(cells)
        texts = {c for c in cells if isinstance(c, str)}
        candidates: list[Header] = [((row_number,), keys, texts)]
        if previous is not None:  # a merged cell above its sub-columns
            rows_ = (previous[0], row_number)
            candidates.append((rows_, merged_header(keys, previous[1]), texts | previous[2]))
            if stacked is not None:  # names broken over two rows (思想政治 / 表现) below more
                joined = _joined(keys, previous[1], stacked[1])
                candidates.append(((*stacked[0], row_number), joined, texts | stacked[2]))
        # the fewest rows that match the most columns
        header_rows, header_keys, texts = max(
            candidates, key=lambda header: len(_match_header(layout, header[1]))
        )
        found = _match_header(layout, header_keys)
        stacked = (header_rows, header_keys, texts)
        if len(found) > len(best):
            best, best_keys = found, header_keys
        if all(name in found for name in layout.required):
            after: Row | None = None
            for after in rows:
                if _column_numbers(after[1]):  # the form's own 1, 2, 3… under its header
                    header_rows, after = (*header_rows, after[0]), None
                    continue
                below = _sub_header(after[1], layout, header_keys)
                if below is None:
                    break
                header_rows, header_keys = (*header_rows, after[0]), below
                texts |= {c for c in after[1] if isinstance(c, str)}
                after = None
            _refuse_twice_named(layout, header_keys)
            found = _match_header(layout, header_keys)
            return header_rows, found, frozenset(texts | titles), after, header_keys
        if row_number >= HEADER_SEARCH_ROWS:
            break
        if len(texts) == 1 and len(cells) - cells.count(None) == 1:
            titles |= texts
        previous = (row_number, keys, texts)
    raise _not_found(layout, best, best_keys)


def _not_found(layout: Layout, best: dict[str, int], best_keys: list[str]) -> HeaderNotFound:
    """No header: the columns the likeliest row lacks, and its cells that look like them."""
    missing = [name for name in layout.required if name not in best]
    unmatched = [key for index, key in enumerate(best_keys) if index not in best.values()]
    closest = {k: max(_likeness(k, c.name) for c in layout.columns) for k in unmatched}
    alike = [
        f"“{k}”是否应为“{m}”"
        for m in missing
        for k in unmatched
        if closest[k] and _likeness(k, m) == closest[k]
    ]
    return HeaderNotFound(
        f"在前{HEADER_SEARCH_ROWS}行找不到“{layout.title}”的表头；缺少列：{'、'.join(missing)}"
        + (f"（表头中{'；'.join(alike)}？）" if alike else "")
        + "。请检查文件是否选对了登记类型（kind），或表头名称是否与附件一致"
    )


SYNONYMS = {
    "文化程度": ("学历",),
    "工作单位": ("单位名称", "所在单位"),
    "技术业务理论": ("理论考试", "理论考试成绩"),
}
"""Words HR forms print for a column that share no character with its annex name."""


def _abridges(written: str, name: str) -> bool:
    """Whether ``written`` is ``name`` with characters left out (实操 for 实际操作技能)."""
    rest = iter(name)
    return all(character in rest for character in written)


def _likeness(written: str, name: str) -> int:
    """How much a header cell looks like a mistyped, shortened or other-worded column name: 3
    for one it abridges, holds or is another word for (实操 for 实际操作技能, 学历 for 文化程度),
    2 for the same first two characters (出生时间, 出生年月), 1 for the same last two (考核年度,
    报考年度), 0 for none. Only the columns it is likest are hinted: the last two characters
    say a column's type (年月, 时间), and 参加工作年月 was asked whether it should be 出生年月."""
    if written in SYNONYMS.get(name, ()):
        return 3
    if len(written) < 2:
        return 0
    if _abridges(written, name) or name in written:
        return 3
    return 2 if written[:2] == name[:2] else int(written[-2:] == name[-2:])
