"""What an .xls's formatting does to its first sheet, read with xlrd in the parse child
(`registry.sheets._worker`, which loads this module by its path): the rows it hides or strikes
through, the columns it hides, the cells its number formats disguise
(`registry.sheets._number_formats`) and those whose text vanishes (`registry.sheets._colours`).

python-calamine reads none of it; xlrd does, from the formatting it reads alongside the cells.
Like the child, this module imports nothing of ours: the child hands it the two modules it
needs, loaded by their paths.

And the formulas saved without their results (`unsaved`), which xlrd does not tell apart: it
reads them as empty text, as python-calamine reads them as empty. Those come from the sheet's
own records.
"""

from __future__ import annotations

import os
import struct
from types import ModuleType
from typing import Any

Cells = list[tuple[int, int]]
Dated = tuple[int, str, Cells]
"""A number format's id, its code ("" for a built-in one xlrd does not spell) and the date
cells in it."""
MARKED_CELLS = 10_000
"""Of the formulas saved without a result, how many cells are named: as
`registry.sheets._marked.MARKED_CELLS` (a test holds them equal), which this module cannot
import; past it, the register is refused by their rows."""
FORMULA, BOF, EOF = 0x0006, 0x0809, 0x000A
"""The BIFF5/8 records of a formula cell and of a substream's beginning and end."""
RECORD = struct.Struct("<HH")
"""A record's header: its type and the length of its data."""
CELL = struct.Struct("<HH2xB5xH")
"""Of a FORMULA record's data: its row, its column (0-based), the first byte of its result
and the result's last two (0xFFFF: no number, the first byte says which other result)."""
EMPTY_RESULT = 3
"""A result's first byte for the empty string: what Excel saves for ``=IF(A4="","",…)``,
and what a program not working its formulas out saves for every one (xlwt does)."""


def xls_marks(
    data: bytes, height: int, width: int, number_formats: ModuleType, colours: ModuleType
) -> tuple[list[int], list[int], list[int], Cells, Cells, list[int], Cells, list[Dated]]:
    """The rows of an .xls's first sheet that are hidden, those with a filled cell struck
    through (its format's font, or a run of its text), at most ``height`` each, the columns
    it hides, at most ``width``, the (row, column) of the filled cells its number formats
    show as other words or nothing (`registry.sheets._formats`), and of those whose text is
    the colour of their fill (`registry.sheets._colours`), and the rows and cells of the
    formulas saved without their results (`unsaved`), and the date cells by their format
    (`dated`); 1-based.

    A clerk hides or strikes a row to leave a holder out (`registry.sheets._marked`).
    ``number_formats`` and ``colours`` are those two modules of ours."""
    import xlrd  # only for an .xls: most registers are .xlsx

    with open(os.devnull, "w") as quiet:  # xlrd's warnings would corrupt the frames on stdout
        book = xlrd.open_workbook(
            file_contents=data, formatting_info=True, on_demand=True, logfile=quiet
        )
        sheet = book.sheet_by_index(0)
    fonts = {i for i, font in enumerate(book.font_list) if font.struck_out}
    formats = {i for i, xf in enumerate(book.xf_list) if xf.font_index in fonts}
    last = min(sheet.nrows, height)
    hidden = [r + 1 for r, info in sheet.rowinfo_map.items() if info.hidden and r < last]
    empty = (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK)
    struck = {
        r + 1
        for r in (range(last) if formats else ())
        if any(c.xf_index in formats and c.ctype not in empty for c in sheet.row(r))
    }
    struck.update(
        r + 1
        for (r, _), runs in sheet.rich_text_runlist_map.items()
        if r < last and any(font in fonts for _, font in runs)
    )
    columns = [c + 1 for c, info in sheet.colinfo_map.items() if info.hidden and c < width]
    disguised = _disguised(book, sheet, last, number_formats)
    unseen = _unseen(book, sheet, last, colours)
    unsaved, cells = unsaved_formulas(book, last, width)
    dates = dated(book, sheet, last, width)
    return sorted(hidden), sorted(struck), sorted(columns), disguised, unseen, unsaved, cells, dates


def _filled(sheet: Any, last: int, formats: set[int] | dict[int, set[int]]) -> Cells:
    """The filled cells of the first ``last`` rows in one of ``formats`` (by kind of cell)."""
    import xlrd

    empty = (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK)
    return [
        (r + 1, c + 1)
        for r in range(last)
        for c, cell in enumerate(sheet.row(r))
        if cell.ctype not in empty
        and cell.xf_index in (formats.get(cell.ctype, ()) if isinstance(formats, dict) else formats)
    ]


def _unseen(book: Any, sheet: Any, last: int, colours: ModuleType) -> Cells:
    """The filled cells of the first ``last`` rows whose font's colour is their fill's: the
    palette's colour (None for the system's: the automatic text is black, 0x7FFF), on no fill
    (the sheet's white), a plain fill's colour, or a pattern's (taken to show the text), or
    too small to read; and those with a run of text too small, or in a font whose colour is
    the cell's fill's (张三 and a white 丰)."""
    palette = book.colour_map

    def shade(index: int) -> Any:
        return colours.BLACK if index in (0x7FFF, 64) else palette.get(index) or colours.UNKNOWN

    formats, fills = set(), {}
    for i, xf in enumerate(book.xf_list):
        font = book.font_list[xf.font_index] if xf.font_index < len(book.font_list) else None
        pattern = xf.background.fill_pattern
        fill = None if pattern == 0 else colours.UNKNOWN
        if pattern == 1:
            fill = shade(xf.background.pattern_colour_index)
        if font is not None and (
            colours.unseen(shade(font.colour_index), fill) or colours.too_small(font.height / 20)
        ):
            formats.add(i)
        fills[i] = fill
    fonts = book.font_list

    def hidden(font: int, fill: Any) -> bool:  # a run's font on its cell's fill
        run = fonts[font] if font < len(fonts) else None
        return run is not None and (
            colours.too_small(run.height / 20) or colours.unseen(shade(run.colour_index), fill)
        )

    found = _filled(sheet, last, formats) if formats else []
    for (r, c), runs in sheet.rich_text_runlist_map.items():
        text = str(sheet.cell_value(r, c)) if r < last else ""
        ends = [start for start, _ in runs[1:]] + [len(text)]
        fill = fills.get(sheet.cell_xf_index(r, c)) if text else None
        if any(
            text[start:end].strip() and hidden(font, fill)
            for (start, font), end in zip(runs, ends, strict=True)
        ):
            found.append((r + 1, c + 1))
    return found


def _disguised(book: Any, sheet: Any, last: int, formats: ModuleType) -> Cells:
    """The filled cells of the first ``last`` rows whose format hides text (a text cell) or
    numbers (a number or a date): `registry.sheets._number_formats`, each format read once."""
    import xlrd

    codes = {
        key: f.format_str for key, f in book.format_map.items() if f.format_str
    }  # None: built in
    text = {key for key, code in codes.items() if formats.hides_text(code)}
    numbers = {key for key, code in codes.items() if formats.hides_numbers(code)}
    hiding = {
        xlrd.XL_CELL_TEXT: {i for i, xf in enumerate(book.xf_list) if xf.format_key in text},
        xlrd.XL_CELL_NUMBER: {i for i, xf in enumerate(book.xf_list) if xf.format_key in numbers},
    }
    hiding[xlrd.XL_CELL_DATE] = hiding[xlrd.XL_CELL_NUMBER]
    return _filled(sheet, last, hiding) if any(hiding.values()) else []


def dated(book: Any, sheet: Any, last: int, width: int) -> list[Dated]:
    """The date cells of the first ``last`` rows and ``width`` columns, at most `MARKED_CELLS`
    a format, by their number format: which formats leave out a part of a date the column
    keeps is judged by the parent (`registry.sheets._date_formats.short_dates_by_format`),
    which may import ours.

    The cells' types and formats are read as xlrd keeps them, a list a row (no cell object
    made, a row without a date passed over at once: 0.13 s of a 40,000-row sheet's 2.7 s of
    marks, half what its public accessors cost): xlrd is no longer developed, and its pinned
    version is the one read, as `unsaved_formulas` reads it."""
    import xlrd

    date, keys = xlrd.XL_CELL_DATE, [xf.format_key for xf in book.xf_list]
    types, formats = sheet._cell_types, sheet._cell_xf_indexes
    by_format: dict[int, Cells] = {}
    for r in range(last):
        kinds = types[r]
        if date not in kinds:
            continue
        row_formats = formats[r]
        for c, kind in enumerate(kinds[:width]):
            if kind == date:
                cells = by_format.setdefault(keys[row_formats[c]], [])
                if len(cells) < MARKED_CELLS:
                    cells.append((r + 1, c + 1))
    spelled = book.format_map
    return [
        (key, getattr(spelled.get(key), "format_str", "") or "", cells)
        for key, cells in by_format.items()
    ]


def unsaved_formulas(book: Any, height: int, width: int) -> tuple[list[int], Cells]:
    """The rows of the first sheet's first ``height`` with a formula saved without its result,
    and those formulas' cells, of its first ``width`` columns and no more than `MARKED_CELLS`,
    1-based — if no formula of the sheet has one.

    A FORMULA record always holds eight bytes of result; a program that does not work its
    formulas out (an HR system's export, xlwt) fills them with the empty string's, and the cell
    reads as empty whatever the formula shows, as an .xlsx's formula without ``<v>`` does
    (`registry.sheets._marked.Marks.unsaved`). Excel saves the empty string too, for a formula
    whose result it is; but a sheet Excel or WPS saved has formulas with other results (a
    formula is there to give one), and then none of its empty ones is taken as unsaved.

    One pass over the first sheet's records, from its BOF to its EOF (an embedded chart's
    nested between) — each read by its header's length, the pass no longer than xlrd's own —,
    stopping at the first formula with a result. What xlrd read of the workbook stream is
    read again (``mem``; ``_sh_abs_posn``: where each sheet begins, as xlrd found them): xlrd
    2.0 is no longer developed, and its pinned version is the one read."""
    mem, positions = book.mem, book._sh_abs_posn
    if book.biff_version < 50 or not positions or mem is None:
        return [], []  # BIFF 2–4: no empty result, and one sheet held without its BOF's place
    rows: set[int] = set()
    cells: list[tuple[int, int]] = []
    position, end, depth = positions[0], len(mem), 0
    while position + RECORD.size <= end:
        kind, length = RECORD.unpack_from(mem, position)
        if kind == FORMULA and length >= CELL.size:
            row, column, first, tail = CELL.unpack_from(mem, position + RECORD.size)
            if tail != 0xFFFF or first != EMPTY_RESULT:
                return [], []  # a number, text, a truth value or an error: results were saved
            if row < height and column < width:
                rows.add(row + 1)
                if len(cells) < MARKED_CELLS:  # a cell's records repeated fill no more
                    cells.append((row + 1, column + 1))
        elif kind == BOF:
            depth += 1
        elif kind == EOF:
            depth -= 1
            if depth <= 0:
                break
        position += RECORD.size + length
    return sorted(rows), cells
