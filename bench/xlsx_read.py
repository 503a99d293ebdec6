"""The bare read of an ``.xlsx`` with python-calamine — the same call `registry.sheets.table` makes.

Run as ``python -m bench.xlsx_read FILE``; prints the number of rows read.
"""

from __future__ import annotations

import sys

import python_calamine

if __name__ == "__main__":
    workbook = python_calamine.CalamineWorkbook.from_path(sys.argv[1])
    rows = workbook.get_sheet_by_index(0).to_python(skip_empty_area=False)
    print(len(rows), "rows")
