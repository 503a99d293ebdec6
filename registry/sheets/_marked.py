"""The rows an .xlsx worksheet marks as left out — hidden (``<row hidden="1">``), or holding a
cell struck through (its font, or the text's own run, ``<strike/>``), the way clerks cross out a
holder on paper —, the rows with a formula saved without its value, and the columns it hides
(``<col hidden="1">``: a column nobody reviewing the sheet saw, yet loaded like the others).

python-calamine reads hidden and struck rows like any other and says nothing of them, yet a
clerk hides or strikes a row to leave it out of what is reviewed and printed: loaded, it would
give a certificate to a holder nobody meant to register. A formula saved without its value (a
file a program wrote, not Excel or WPS) it reads as empty, whatever the formula shows. So a child
process finds these rows (`registry.sheets._marks_child`), beside the parse, and the sync
refuses a register with one, naming it (`registry.kinds.marked.marked_rows`).

The same pass finds the cells whose format hides what they hold (`registry.sheets._formats`)
and those whose text vanishes — in its background's colour or too small to read — by their
format or by a run of the text (`registry.sheets._runs`).

Most sheets have none of it: each block costs a few searches (`registry.sheets._probe`), and a
workbook whose styles and shared strings strike, hide and colour nothing is not looked at
again. A hit — any formula, any ``hidden``, any ``strike``, a run's colour or size, however
spelt — sends the sheet through one exact expat pass (`exact_marks`), which reads every
spelling XML allows. An .xls's marks the parse child reads with xlrd
(`registry.sheets._xls_marks`); an .ods's, `registry.sheets._ods_marked`.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from registry.sheets._colours import RGB
from registry.sheets._conditional import ConditionalFormats, hides_filled
from registry.sheets._extent import cell_position, parse_marks, style_index, whole_number
from registry.sheets._formats import CONDITIONAL, CellFormats
from registry.sheets._limits import SheetLimits, unreadable
from registry.sheets._runs import Runs, StringMarks, shared_index, vanish

_TRUE = ("1", "true")
ROW_TOO_SMALL = 4.0
"""A row height (points) below which nothing in it can be read (Excel's default is 13.5–15)."""
COLUMN_TOO_SMALL = 1.0
"""A column width (characters) below which nothing in it can be seen."""


def _too_small(size: str | None, smallest: float) -> bool:
    """Whether a written size is below ``smallest`` — or no number (``0,5``, ``NaN``): what
    Excel would make of it is not known, and a sheet from outside is hostile."""
    if size is None:
        return False
    try:
        return not float(size) >= smallest  # NaN is no size
    except ValueError:
        return True


@dataclass(frozen=True)
class Marks:
    """The numbers of the rows a worksheet hides, of those with a struck-through cell, and of
    those with a formula saved without its value; the columns it hides and the cells it shows
    as something else."""

    hidden: frozenset[int] = frozenset()
    struck: frozenset[int] = frozenset()
    unsaved: frozenset[int] = frozenset()
    hidden_columns: frozenset[int] = frozenset()
    """the columns it hides, 1-based (A is 1; an .xlsx's ``<col hidden="1">``)"""
    disguised: frozenset[tuple[int, int]] = frozenset()
    """(row, column) of the filled cells whose number format shows other words than they hold,
    or nothing (`registry.sheets._formats`)"""
    unseen: frozenset[tuple[int, int]] = frozenset()
    """(row, column) of the filled cells whose text, or a run of it, vanishes: in (nearly) its
    background's colour, or too small to read (`registry.sheets._colours`)"""
    formulas: frozenset[tuple[int, int]] = frozenset()
    """(row, column) of the cells holding a formula and the value saved with it: what is loaded
    is that value, while the program opening the file may work the formula out again and show
    another (a file asking for it, ``fullCalcOnLoad``, or not saved by Excel)"""
    errors: frozenset[tuple[int, int, str]] = frozenset()
    """(row, column, shown) of the cells holding an error value (``t="e"``: #N/A, #REF!), a
    formula's or one pasted as a value: read as empty, though the sheet shows the error"""
    unsaved_cells: frozenset[tuple[int, int]] = field(default=frozenset(), compare=False)
    """(row, column) of the formulas saved without a value (of `unsaved`'s rows, their detail:
    not compared): a column the register does not load (序号 =ROW()-1) reads as empty to no
    harm"""
    short_dates: frozenset[tuple[int, int, str]] = frozenset()
    """(row, column, what its format writes of a date) of the filled date cells whose format
    leaves out the year, month or day (`registry.sheets._date_formats`)"""
    struck_cells: frozenset[tuple[int, int]] = field(default=frozenset(), compare=False)
    """(row, column) of the filled cells struck through: `struck`'s detail (not compared; none
    from an .xls or .ods), so that a row is told its struck cell, not to clear a whole row's"""
    partly_struck: frozenset[tuple[int, int]] = field(default=frozenset(), compare=False)
    """of `struck_cells`, those with part of their text struck (a number struck, the right
    one typed after it): the struck text is to be deleted, not its strike cleared"""
    worded: frozenset[tuple[int, int, str]] = field(default=frozenset(), compare=False)
    """(row, column, format code) of the filled number cells whose format writes words beside
    the digits (``"Z"0``: `registry.sheets._shown_numbers`)"""


NO_MARKS = Marks()


def _strikes(attributes: dict[str, str]) -> bool:
    return attributes.get("val", "1") in _TRUE


TEXT_CELLS = ("s", "inlineStr", "str")
"""The ``t`` of a cell holding text: a shared string, an inline string, a formula's text."""
MARKED_CELLS = 10_000
"""Of each kind of marked cell, how many are kept: enough to refuse the register and name
every header's and many rows' (a report of more helps nobody); a sheet of 2.9 million cells in
a format hiding their contents kept a set of all of them, 410 MB."""
ERROR_CHARS = 16
"""Of an error cell's value, what a report quotes (the longest of Excel's is #GETTING_DATA)."""
NUMBER_CELLS = (None, "n", "d")
"""The ``t`` of a cell holding a number (or an ISO date), which a number format shows."""


def exact_marks(
    blocks: Iterator[bytes],
    formats: CellFormats,
    strings: StringMarks,
    limits: SheetLimits,
    deadline: float,
) -> Marks:
    """Every mark by expat, in any spelling XML allows (prefixes, quotes, whitespace): a row
    without ``r`` numbered after the one before it, as python-calamine does; a struck row one
    with a filled cell in a struck format or a struck run (``strings``: the shared strings with
    one); a disguised cell, a filled one in a format that hides what it holds; an unseen one, a
    filled one in a format whose font is its fill's colour, or with a run of text in white on
    no fill. Rows past the limit are left to the child, which refuses them: no set grows.

    The cell being read lives in a few local variables (an object per cell would double the
    pass's time on a 40,000-row sheet): its row, whether its format strikes, whether its value
    indexes the shared strings (``t="s"``) or is a formula's text (``t="str"``: an empty
    ``<v/>`` is a saved empty string), whether it has a formula, a value element, a value."""
    hidden: set[int] = set()
    rows: set[int] = set()
    unsaved: set[int] = set()
    unsaved_cells: set[tuple[int, int]] = set()
    columns: set[int] = set()
    disguised: set[tuple[int, int]] = set()
    invisible: set[tuple[int, int]] = set()
    formulas: set[tuple[int, int]] = set()
    errors: set[tuple[int, int, str]] = set()
    dates: set[tuple[int, int, str]] = set()
    struck_cells: set[tuple[int, int]] = set()
    partly: set[tuple[int, int]] = set()
    worded: set[tuple[int, int, str]] = set()
    filled_rows: dict[int, list[int]] = {}  # column → [first, last] row holding a value
    conditional = ConditionalFormats(formats.conditional, formats.palette)
    styled_sheet = bool(formats or formats.fills)  # else no cell's style number is read
    most = limits.max_rows
    zero_height = False  # rows not sized otherwise are 0 high (<sheetFormatPr zeroHeight="1">)
    narrow = False  # columns not sized otherwise are too narrow (<sheetFormatPr defaultColWidth>)
    sized: set[int] = set()  # the columns a <col width> sizes
    row = cell = column = 0
    kind: str | None = None
    styled = hiding = vanishing = formula = value = filled = in_value = False
    fill: RGB | None = None  # the cell's format's, for its text runs of a colour of their own
    short: str | None = None  # what the cell's format writes of a date it shows short
    words: str | None = None  # the cell's format's code, when it writes words beside a number
    runs = Runs(formats.palette)  # an inline string's
    index = shown = ""

    def start(name: str, attributes: dict[str, str]) -> None:
        nonlocal row, cell, column, kind, styled, hiding, vanishing, fill, formula, value, filled
        nonlocal in_value, index, zero_height, narrow, shown, short, words
        local = name.rpartition(" ")[2]
        if local == "c":
            position = cell_position(attributes.get("r", ""))
            cell, column = position if position else (row, column + 1)
            kind = attributes.get("t")
            style = style_index(attributes.get("s", "0")) if styled_sheet else None
            styled = style in formats.struck
            vanishing = style in formats.unseen
            fill = formats.fills.get(style) if style is not None else None
            short = words = None
            if kind in NUMBER_CELLS and style is not None:
                short, words = formats.short_dates.get(style), formats.worded.get(style)
            hiding = style in (
                formats.hiding_text
                if kind in TEXT_CELLS
                else formats.hiding_numbers
                if kind in NUMBER_CELLS
                else ()
            )
            formula = value = filled = False
            index = shown = ""
            runs.new_string()
        elif local in ("v", "is"):
            in_value = value = True
        elif local == "f":
            formula = True
        elif local == "row":
            row = whole_number(attributes.get("r", "")) or row + 1
            column = 0
            height = attributes.get("ht")
            hides = attributes.get("hidden", "").strip() in _TRUE or _too_small(
                height, ROW_TOO_SMALL
            )
            if (hides or (zero_height and height is None)) and row <= most:
                hidden.add(row)
        elif local == "sheetFormatPr":
            zero_height = attributes.get("zeroHeight", "").strip() in _TRUE or _too_small(
                attributes.get("defaultRowHeight"), ROW_TOO_SMALL
            )
            default_width = attributes.get("defaultColWidth", attributes.get("baseColWidth"))
            narrow = _too_small(default_width, COLUMN_TOO_SMALL)
        elif local == "col":
            # a range, often to the sheet's last column (XFD): only the first columns can be
            # the register's
            first = whole_number(attributes.get("min", "")) or 0
            last = whole_number(attributes.get("max", "")) or first
            span = range(max(first, 1), min(last, limits.max_columns) + 1)
            width = attributes.get("width")
            if width is not None:
                sized.update(span)
            if attributes.get("hidden", "").strip() in _TRUE or _too_small(width, COLUMN_TOO_SMALL):
                columns.update(span)
        elif local == "strike" and _strikes(attributes):  # an inline string's struck run
            runs.strike()
        elif in_value:  # an inline string's run
            runs.start(local, attributes)
        else:
            conditional.start(local, attributes)

    def text(data: str) -> None:
        nonlocal filled, index, shown
        conditional.text(data)
        if in_value and data:
            filled = True
            if kind == "e":  # #N/A, #REF!: a few characters (a long one is cut, not kept)
                shown = (shown + data)[:ERROR_CHARS]
            elif kind == "s":  # leading zeros dropped as they come; 21 characters tell an overflow
                index = (index + data).lstrip("0")[:21]
            else:
                runs.text(data)

    def end(name: str) -> None:
        nonlocal in_value
        local = name.rpartition(" ")[2]
        if local in ("v", "is"):
            in_value = False
        elif local == "c" and cell <= most:
            shared = shared_index(index) if kind == "s" and strings else None
            if filled and (styled or runs.struck or shared in strings.struck):
                rows.add(cell)
                if len(struck_cells) < MARKED_CELLS:
                    struck_cells.add((cell, column))
                    if not styled and (runs.partly_struck or shared in strings.partly):
                        partly.add((cell, column))
            if formula and not filled and not (kind == "str" and value):
                unsaved.add(cell)
                if len(unsaved_cells) < MARKED_CELLS:
                    unsaved_cells.add((cell, column))
            elif formula and filled and len(formulas) < MARKED_CELLS:
                formulas.add((cell, column))
            if hiding and filled and len(disguised) < MARKED_CELLS:
                disguised.add((cell, column))
            if short and filled and len(dates) < MARKED_CELLS:
                dates.add((cell, column, short))
            if words and filled and len(worded) < MARKED_CELLS:
                worded.add((cell, column, words))
            if kind == "e" and filled and len(errors) < MARKED_CELLS:
                errors.add((cell, column, shown.strip()))
            shared_runs = strings.coloured.get(shared, ()) if shared is not None else ()
            faded = vanish(runs.colours, fill) or vanish(shared_runs, fill)
            tiny = runs.tiny or shared in strings.tiny
            if filled and (vanishing or faded or tiny) and len(invisible) < MARKED_CELLS:
                invisible.add((cell, column))
            if filled and column <= limits.max_columns:
                span = filled_rows.get(column)
                if span is None:
                    filled_rows[column] = [cell, cell]
                elif cell > span[1]:  # rows come in order, mostly
                    span[1] = cell
                elif cell < span[0]:
                    span[0] = cell
        else:
            conditional.end(local)

    parse_marks(blocks, start, end, text=text, limits=limits, deadline=deadline)
    if narrow:  # every filled column no <col width> sizes is drawn too narrow to see
        columns.update(column for column in filled_rows if column not in sized)
    if hides_filled(conditional.hiding, filled_rows):  # judged once every cell is known
        raise unreadable(CONDITIONAL)
    return Marks(
        frozenset(hidden),
        frozenset(rows),
        frozenset(unsaved),
        frozenset(columns),
        frozenset(disguised),
        frozenset(invisible),
        frozenset(formulas),
        frozenset(errors),
        frozenset(unsaved_cells),
        frozenset(dates),
        frozenset(struck_cells),
        frozenset(partly),
        frozenset(worded),
    )
