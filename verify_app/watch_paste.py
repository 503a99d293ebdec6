"""A watch list copied from a spreadsheet into the form: the cells of a row arrive separated by
tabs, often with the table's header row and more columns than the two asked for (序号, 部门).
Such a table is read by its header as an uploaded file is (`batch_columns.find_columns`):
otherwise its header became a certificate to check, and a 序号 or 部门 column part of the name
— every line refused as a mismatch, and charged as a check."""

from __future__ import annotations

from verify_app.batch_columns import BatchFileProblem, find_columns, name_like
from verify_app.list_headers import typed_header
from verify_app.watch_lines import MAX_WATCH_ITEMS, NUMBER_AT_START, TYPED_NUMBER, WatchProblem

MAX_CELLS = 64
"""Cells of a pasted row read (an HR sheet has a few dozen columns): a line of a million tabs
had the column search look at each of them, for 0.8 s of the event loop."""


def as_lines(entries: str) -> str:
    """``entries`` with a pasted table's rows reduced to ``编号<TAB>姓名`` and its header — and a
    title above it, a line without a certificate's number — blanked, so that every other line
    keeps the number the officer sees; a line typed by hand (no tab) as typed, to be read or
    refused as such; a list typed by hand, or two columns without a header, as it is."""
    lines = entries.splitlines()
    filled = sum(1 for line in lines if line.strip())
    if filled > MAX_WATCH_ITEMS or not any("\t" in line for line in lines):
        return entries  # typed by hand; or too long, refused by its count (`parse_lines`)
    rows = [
        (number, [cell.strip() for cell in line.split("\t", MAX_CELLS)[:MAX_CELLS]])
        for number, line in enumerate(lines, 1)
        if line.strip()
    ]
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


def joined_pairs(entries: str) -> str:
    """A name and its number pasted on two lines (a chat's 郑浩⏎Z1122020124, either first) as
    one line, the next left blank so that every other line keeps the number the officer sees:
    each was read alone — a name without a number and a number without a name, neither checked
    (a phone review). Only a run of such lines that alternates throughout, pair after pair: a
    line above it (名单如下, 你好) or a number left out in it would pair every name with another's
    number (a diff review: both real certificates 未查到). A paste of more lines than any list
    holds is left as it is, to be refused by its count (`parse_lines`, the upload's rows)."""
    lines = entries.splitlines()
    if len(lines) > 2 * MAX_WATCH_ITEMS + MAX_CELLS:
        return entries
    kinds = [_kind(line.strip()) for line in lines]
    start = 0
    while start < len(lines):
        end = start
        while end < len(lines) and kinds[end]:
            end += 1
        run = kinds[start:end]
        if run and len(run) % 2 == 0 and all(k != run[0] for k in run[1::2]):
            if all(k == run[0] for k in run[::2]):
                for place in range(start, end, 2):
                    first, second = lines[place].strip(), lines[place + 1].strip()
                    number, name = (first, second) if run[0] == "number" else (second, first)
                    lines[place : place + 2] = [f"{number} {name}", ""]
        start = end + 1
    return "\n".join(lines)


def _kind(line: str) -> str:
    """``number`` for a certificate's number alone, ``name`` for a name alone, else '' (the
    list's header typed on one line, 证书编号 姓名, among them)."""
    if TYPED_NUMBER.fullmatch(line):  # C11220200O2 too: checked, and told which digit
        return "number"
    named = name_like(line) and not any(c.isdigit() for c in line)
    return "name" if named and not typed_header(line) else ""
