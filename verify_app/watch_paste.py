"""A watch list copied from a spreadsheet into the form: the cells of a row arrive separated by
tabs, often with the table's header row and more columns than the two asked for (序号, 部门).
Such a table is read by its header as an uploaded file is (`batch_columns.find_columns`):
otherwise its header became a certificate to check, and a 序号 or 部门 column part of the name
— every line refused as a mismatch, and charged as a check."""

from __future__ import annotations

from verify_app.batch_columns import BatchFileProblem, find_columns
from verify_app.watch_lines import NUMBER_AT_START, WatchProblem


def as_lines(entries: str) -> str:
    """``entries`` with a pasted table's rows reduced to ``编号<TAB>姓名`` and its header — and a
    title above it, a line without a certificate's number — blanked, so that every other line
    keeps the number the officer sees; a line typed by hand (no tab) as typed, to be read or
    refused as such; a list typed by hand, or two columns without a header, as it is."""
    lines = entries.splitlines()
    rows = [
        (number, [cell.strip() for cell in line.split("\t")])
        for number, line in enumerate(lines, 1)
        if line.strip()
    ]
    if not any("\t" in line for line in lines):
        return entries
    try:
        columns = find_columns(rows)
    except BatchFileProblem as exc:  # worded for a file: here the list is submitted again
        raise WatchProblem(str(exc).replace("上传", "提交")) from None
    if columns.header is None and all(len(cells) <= 2 for _, cells in rows):
        return entries
    table = list(lines)
    for place, (number, cells) in enumerate(rows):
        if len(cells) == 1:  # typed by hand above, between or below the pasted rows
            if place < columns.start and not NUMBER_AT_START.search(cells[0]):
                table[number - 1] = ""  # a title over the table
        elif place < columns.start:  # the header, or a title spread over cells
            table[number - 1] = ""
        else:
            picked = [cells[i] if i < len(cells) else "" for i in (columns.number, columns.name)]
            table[number - 1] = "\t".join(picked)
    return "\n".join(table)
