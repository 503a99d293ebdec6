"""The cells of an .ods's first table that show something else than they hold, or perhaps
do: a data style that disguises the value, text in its background's colour or too small, a
formula beside the value saved with it (LibreOffice may work it out again on opening), a
formula saved without one (read as empty, whatever it shows), a date in a data style leaving
out its year, month or day — `CellDisguises`, fed by `registry.sheets._ods_marked.ods_marks`.
"""

from __future__ import annotations

from itertools import islice

from registry.sheets._colours import RGB, unseen
from registry.sheets._ods_formats import DataStyles

SAVED_VALUES = {
    "float": "office:value",
    "percentage": "office:value",
    "currency": "office:value",
    "date": "office:date-value",
    "time": "office:time-value",
    "boolean": "office:boolean-value",
}
"""The attribute holding a formula's saved result, by its ``office:value-type``: python-calamine
reads the cell's value from it alone (a float with only its text, ``<text:p>2</text:p>``, reads
as empty). A ``string`` result is its text, an empty one a saved empty string (as an .xlsx's
``t="str"``)."""


def unsaved_formula(attributes: dict[str, str]) -> bool:
    """Whether a cell holds a formula without the result python-calamine reads — no
    ``office:value-type``, or none of its value: a file a program wrote without working its
    formulas out (LibreOffice and WPS always save the result), read as empty whatever the
    formula shows (`registry.sheets._marked.Marks.unsaved`)."""
    if "table:formula" not in attributes:
        return False
    kind = attributes.get("office:value-type", "")
    if kind == "string":
        return False
    value = SAVED_VALUES.get(kind)  # none for another type (``void``), or none at all
    return value is None or value not in attributes


class CellDisguises:
    """The filled cells of a table whose data style disguises them, whose text vanishes, or
    that hold a formula, as (row, column), 1-based: fed its columns (their default cell
    styles), rows and cells in order."""

    def __init__(self, styles: DataStyles, max_columns: int) -> None:
        self.styles = styles
        self.found: set[tuple[int, int]] = set()
        self.unseen: set[tuple[int, int]] = set()
        """the filled cells whose text is the colour of their background"""
        self.formulas: set[tuple[int, int]] = set()
        """the filled cells holding a formula (``table:formula``) beside its saved value"""
        self.unsaved: set[int] = set()
        """the rows with a formula saved without its result (`unsaved_formula`)"""
        self.unsaved_cells: set[tuple[int, int]] = set()
        """their cells, no more than `cell_end`'s limit"""
        self.short_dates: set[tuple[int, int, str]] = set()
        """(row, column, what its data style writes) of the filled date cells whose data style
        leaves out the year, month or day (`DataStyles.short_date`)"""
        self._max_columns = max_columns
        self._defaults: dict[int, str] = {}
        """column → the cell style of its cells that name none"""
        self._row_default: str | None = None
        self.filled_rows: dict[int, list[int]] = {}
        """column → [first, last] row holding a value"""
        self.hiding_areas: list[str] = []
        """the areas (as an .xlsx writes them) of conditional formats that may hide a value"""
        self._areas = ""
        self._columns = 0
        self._column = 0
        self._hides = self._unseen = self._formula = self._unsaved = False
        self._style: str | None = None
        self._short: str | None = None
        self._span = 1

    def column(self, span: int, default: str | None) -> None:
        """A ``<table:table-column>`` of ``span`` columns."""
        if default:
            last = min(self._columns + span, self._max_columns)
            self._defaults.update(dict.fromkeys(range(self._columns + 1, last + 1), default))
        self._columns += span

    def row(self, default: str | None) -> None:
        """A row begins; ``default``: the cell style of its cells that name none."""
        self._column = 0
        self._row_default = default

    def cell(self, attributes: dict[str, str], span: int) -> None:
        """A cell (``span``: its ``number-columns-repeated``) begins."""
        style = (
            attributes.get("table:style-name")
            or self._row_default
            or self._defaults.get(self._column + 1)
        )
        self._hides = self.styles.hides(style, attributes.get("office:value-type", ""))
        self._unseen = self.styles.unseen(style)
        self._formula = "table:formula" in attributes
        self._unsaved = unsaved_formula(attributes)
        dated = attributes.get("office:value-type") == "date"
        self._short = self.styles.short_date(style) if dated else None
        self._style = style
        self._span = span

    def span_text(self, fault: RGB | str) -> None:
        """The cell holds text in a span whose text style has a colour of its own (unseen on a
        background of about that colour) or is too small to read
        (`registry.sheets._ods_formats.DataStyles.span_faults`)."""
        if isinstance(fault, str):  # TINY
            self._unseen = True
        else:
            self._unseen = self._unseen or unseen(fault, self.styles.background(self._style))

    def cell_end(self, filled: bool, row: int, rows: int, most: int, limit: int) -> None:
        """The cell ends, ``filled`` or not, in the ``rows`` rows from ``row`` + 1 (the row's
        repeats); no more than ``limit`` cells are kept."""
        columns = range(self._column + 1, min(self._column + self._span, self._max_columns) + 1)
        self._column += self._span
        if self._unsaved and columns:
            self._unsaved_end(row, rows, most, columns, limit)
        if not filled:
            return
        for column in columns:
            span = self.filled_rows.get(column)
            if span is None:
                self.filled_rows[column] = [row + 1, row + rows]
            else:  # an .ods's rows come in order
                span[1] = row + rows
        below = range(row + 1, min(row + rows, most) + 1)
        for found, marked in (
            (self.found, self._hides),
            (self.unseen, self._unseen),
            (self.formulas, self._formula),
        ):
            if marked and len(found) < limit:
                cells = ((r, c) for r in below for c in columns)
                found.update(islice(cells, limit - len(found)))  # repeats: a few kept
        if self._short and len(self.short_dates) < limit:
            dates = ((r, c, self._short) for r in below for c in columns)
            self.short_dates.update(islice(dates, limit - len(self.short_dates)))

    def _unsaved_end(self, row: int, rows: int, most: int, columns: range, limit: int) -> None:
        """A formula saved without its result ends, in the ``rows`` rows from ``row`` + 1 and
        ``columns``: its rows noted up to ``most``, no more than ``limit`` of its cells."""
        below = range(row + 1, min(row + rows, most) + 1)
        self.unsaved.update(below)
        cells = ((r, c) for r in below for c in columns)
        self.unsaved_cells.update(islice(cells, max(0, limit - len(self.unsaved_cells))))

    def conditional_format(self, target: str) -> None:
        """A conditional format of LibreOffice's own (``<calcext:conditional-format>``) over
        ``target`` (``名册.A1:名册.Z9``) begins."""
        self._areas = " ".join(
            ":".join(side.rpartition(".")[2] for side in area.split(":")) for area in target.split()
        )

    def condition(self, style: str) -> None:
        """One of its conditions applies the cell style of display name ``style``."""
        if self.styles.hides_any(style):
            self.hiding_areas.append(self._areas)
