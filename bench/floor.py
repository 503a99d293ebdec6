"""The floor of a register load: plain ``csv`` + ``sqlite3.executemany``, nothing else.

Reads every CSV that ``registers.toml`` lists (UTF-8 tried first, then GB18030, as certreg
does), and inserts all rows into one table keyed by 颁发证书编号, in one transaction, with the
same journal settings as the registry (WAL, synchronous=NORMAL). No validation, no
normalisation, no history, no secondary index: what no real loader can beat.

Run as ``python -m bench.floor DIRECTORY DATABASE``.
"""

from __future__ import annotations

import csv
import io
import sqlite3
import sys
import tomllib
from pathlib import Path

KEY = "颁发证书编号"


def _text(path: Path) -> str:
    data = path.read_bytes()
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("gb18030")


def load(directory: Path, database: Path) -> int:
    """Load the directory's CSV registers into ``database``; return the rows inserted."""
    manifest = tomllib.loads((directory / "registers.toml").read_text(encoding="utf-8"))
    files = [directory / entry["file"] for entry in manifest["register"]]
    headers = {path: next(csv.reader(io.StringIO(_text(path)))) for path in files}
    columns = list(dict.fromkeys(c for header in headers.values() for c in header))
    conn = sqlite3.connect(database, isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = NORMAL")
    definitions = ", ".join(f"[{c}] TEXT{' PRIMARY KEY' if c == KEY else ''}" for c in columns)
    conn.execute(f"CREATE TABLE certificates ({definitions})")
    total = 0
    conn.execute("BEGIN")
    for path in files:
        reader = csv.reader(io.StringIO(_text(path), newline=""))
        header = next(reader)
        names = ", ".join(f"[{c}]" for c in header)
        marks = ", ".join("?" * len(header))
        cursor = conn.executemany(f"INSERT INTO certificates ({names}) VALUES ({marks})", reader)
        total += cursor.rowcount
    conn.execute("COMMIT")
    conn.close()
    return total


if __name__ == "__main__":
    print(load(Path(sys.argv[1]), Path(sys.argv[2])), "rows")
