"""The sync benchmark: `certreg sync` against the floor and the tools a user would otherwise use.

All figures come from the same generated files in the same run (see `bench.generate`):

- ``certreg sync`` of the whole directory into a fresh registry;
- the floor (`bench.floor`): plain ``csv`` + ``executemany`` into one keyed table;
- ``sqlite-utils insert … --csv --pk 颁发证书编号`` of every file, as a user would type it;
- ``certreg sync`` again on the unchanged directory (no-op);
- one register's first load (into the registry that holds all the others) and, on the full
  registry, the load of a corrected version of it (every 100th row changed);
- one annex-shaped ``.xlsx`` register: ``certreg sync`` against reading it with python-calamine.

Each figure is the median of ``repeat`` runs, and the commands a ratio compares take turns
(`bench.measure.measure_in_turns`).
"""

from __future__ import annotations

import json
import shutil
import sys
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

from bench.generate import SEED, VERSION, write_directory
from bench.measure import Command, Figure, measure_in_turns, ratio, run_once
from bench.plans import RegisterPlan, plan_registers
from bench.report import Target, table

MAX_ROWS = 39_996


@dataclass(frozen=True)
class SyncSizes:
    registers: int
    rows: int
    xlsx_rows: int
    repeat: int


def console_script(name: str) -> str:
    """A console script of the running environment (certreg, sqlite-utils)."""
    candidate = Path(sys.executable).parent / name
    found = shutil.which(name)
    return str(candidate) if candidate.exists() else (found or name)


def _remove_db(path: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def _copy_db(source: Path, target: Path) -> None:
    _remove_db(target)
    for suffix in ("", "-wal"):
        if Path(f"{source}{suffix}").exists():
            shutil.copyfile(f"{source}{suffix}", f"{target}{suffix}")


def _link(target: Path, source: Path) -> None:
    """``target`` as a hard link to ``source`` (a copy where the file system has none): the sync
    refuses a symbolic link to a file outside the manifest's folder."""
    try:
        target.hardlink_to(source)
    except OSError:
        shutil.copyfile(source, target)


def _linked_directory(directory: Path, source: Path, plans: list[RegisterPlan]) -> None:
    """A directory listing ``plans`` whose files are links to the ones in ``source``."""
    shutil.rmtree(directory, ignore_errors=True)
    directory.mkdir(parents=True)
    for plan in plans:
        _link(directory / plan.file, source / plan.file)
    manifest = "\n".join(plan.manifest() for plan in plans)
    (directory / "registers.toml").write_text(manifest, encoding="utf-8")


def prepare_data(out: Path, registers: int, rows: int, xlsx_rows: int) -> dict[str, Path]:
    """Generate (once per size and seed) every directory the benchmark reads."""
    stamp = {
        "registers": registers,
        "rows": rows,
        "xlsx_rows": xlsx_rows,
        "seed": SEED,
        "version": VERSION,
    }
    root = out / f"data-{registers}x{rows}-xlsx{xlsx_rows}"
    dirs = {
        "full": root / "registers",
        "all_but_last": root / "all-but-last",
        "changed": root / "changed",
        "xlsx": root / "xlsx",
    }
    stamp_file = root / "stamp.json"
    if stamp_file.exists() and json.loads(stamp_file.read_text()) == stamp:
        return dirs
    shutil.rmtree(root, ignore_errors=True)
    plans = plan_registers(registers, rows)
    write_directory(dirs["full"], plans)
    last = plans[-1]
    _linked_directory(dirs["all_but_last"], dirs["full"], plans[:-1])
    _linked_directory(dirs["changed"], dirs["full"], plans[:-1])
    write_directory(dirs["changed"] / "_corrected", plans, corrected=last.file, only=last.file)
    _link(dirs["changed"] / last.file, dirs["changed"] / "_corrected" / last.file)
    (dirs["changed"] / "registers.toml").write_text(
        "\n".join(plan.manifest() for plan in plans), encoding="utf-8"
    )
    write_directory(dirs["xlsx"], plan_registers(1, xlsx_rows, suffix="xlsx"))
    stamp_file.write_text(json.dumps(stamp))
    return dirs


def _sqlite_utils_script(directory: Path, database: Path) -> list[str]:
    """One ``sqlite-utils insert`` per register, as a user would type them, in one shell."""
    lines = ["set -e"]
    for path in sorted(directory.glob("*.csv")):
        try:
            path.read_bytes().decode("utf-8")
            encoding = ""
        except UnicodeDecodeError:
            encoding = " --encoding gb18030"
        lines.append(
            f"'{console_script('sqlite-utils')}' insert '{database}' certificates '{path}'"
            f" --csv --pk 颁发证书编号 --alter{encoding}"
        )
    return ["sh", "-c", "\n".join(lines)]


def sync_command(certreg: str, directory: Path, database: Path) -> list[str]:
    return [certreg, "sync", str(directory), "--db", str(database)]


@dataclass
class SyncResults:
    figures: dict[str, Figure]
    targets: list[Target]
    registry: Path
    """the registry loaded from the whole directory, kept for the serving benchmark"""


def run(
    out: Path, sizes: SyncSizes, certreg: str, say: Callable[[str], None] = print
) -> SyncResults:
    """Measure every sync figure of the ``certreg`` executable; return them with the targets."""
    say(f"generating {sizes.registers} × {sizes.rows} rows and one {sizes.xlsx_rows}-row .xlsx …")
    dirs = prepare_data(out, sizes.registers, sizes.rows, sizes.xlsx_rows)
    work = out / "work"
    work.mkdir(parents=True, exist_ok=True)
    registry = out / "registry.db"
    scratch = work / "scratch.db"
    repeat = sizes.repeat
    figures: dict[str, Figure] = {}

    total = sizes.registers * sizes.rows
    say("certreg sync, the floor and sqlite-utils, taking turns …")
    figures["certreg"], figures["floor"], figures["sqlite_utils"] = measure_in_turns(
        [
            Command(
                f"certreg sync, {total:,} rows, fresh registry",
                sync_command(certreg, dirs["full"], registry),
                lambda: _remove_db(registry),
            ),
            Command(
                "floor: csv + sqlite3.executemany, one table",
                [sys.executable, "-m", "bench.floor", str(dirs["full"]), str(scratch)],
                lambda: _remove_db(scratch),
            ),
            Command(
                f"sqlite-utils insert --csv ({sizes.registers} files)",
                _sqlite_utils_script(dirs["full"], scratch),
                lambda: _remove_db(scratch),
            ),
        ],
        repeat,
    )
    say("no-op re-sync …")
    [figures["noop"]] = measure_in_turns(
        [
            Command(
                "certreg sync again, nothing changed",
                sync_command(certreg, dirs["full"], registry),
            )
        ],
        repeat,
    )
    say("one register: first load and a corrected version …")
    base = work / "all-but-last.db"
    _remove_db(base)
    run_once(sync_command(certreg, dirs["all_but_last"], base))
    figures["first_load"], figures["changed"] = measure_in_turns(
        [
            Command(
                f"certreg sync, one {sizes.rows:,}-row register added to the rest",
                sync_command(certreg, dirs["full"], scratch),
                lambda: _copy_db(base, scratch),
            ),
            Command(
                "certreg sync, that register corrected (1% rows changed)",
                sync_command(certreg, dirs["changed"], scratch),
                lambda: _copy_db(registry, scratch),
            ),
        ],
        repeat,
    )
    _remove_db(base)
    say(".xlsx register …")
    xlsx_file = next(dirs["xlsx"].glob("*.xlsx"))
    figures["xlsx"], figures["xlsx_read"] = measure_in_turns(
        [
            Command(
                f"certreg sync, one {sizes.xlsx_rows:,}-row .xlsx",
                sync_command(certreg, dirs["xlsx"], scratch),
                lambda: _remove_db(scratch),
            ),
            Command(
                "python-calamine read of the same .xlsx",
                [sys.executable, "-m", "bench.xlsx_read", str(xlsx_file)],
            ),
        ],
        repeat,
    )
    _remove_db(scratch)

    f = figures
    targets = [
        Target("sync ÷ floor", ratio(f["certreg"].wall, f["floor"].wall), 2.0, at_most=True),
        Target(
            "sqlite-utils ÷ sync",
            ratio(f["sqlite_utils"].wall, f["certreg"].wall),
            6.0,
            at_most=False,
        ),
        Target("sync peak RSS", f["certreg"].rss_mb, 256, at_most=True, unit=" MiB"),
        Target("no-op re-sync", f["noop"].wall, 1.0, at_most=True, unit=" s"),
        Target(
            "corrected register ÷ its first load",
            ratio(f["changed"].wall, f["first_load"].wall),
            2.0,
            at_most=True,
        ),
        Target(
            ".xlsx sync ÷ bare read", ratio(f["xlsx"].wall, f["xlsx_read"].wall), 1.5, at_most=True
        ),
    ]
    return SyncResults(figures, targets, registry)


def figures_table(figures: dict[str, Figure]) -> str:
    """Median wall time, CPU time and peak RSS of each figure, with the ratio to the floor's
    time; the process tree's RSS too, which differs when the command runs worker processes."""
    floor = figures["floor"].wall
    rows = []
    for figure in figures.values():
        if figure.wall is None or figure.rss_mb is None:
            reason = (figure.error or "").strip().splitlines()[-1:] or ["?"]
            rows.append([figure.label, "failed", "—", "—", "—", "—", reason[0][:120]])
            continue
        to_floor = ratio(figure.wall, floor)
        rows.append(
            [
                figure.label,
                f"{figure.wall:.2f} s",
                f"{figure.cpu or 0:.2f} s",
                f"{figure.rss_mb:.0f} MiB",
                f"{figure.tree_rss_mb or 0:.0f} MiB",
                "—" if to_floor is None else f"{to_floor:.2f}×",
                " ".join(f"{r.wall:.2f}" for r in figure.runs),
            ]
        )
    headers = ["measured", "median wall", "CPU", "peak RSS", "all processes", "÷ floor", "runs (s)"]
    return table(headers, rows)


def as_json(results: SyncResults) -> dict[str, object]:
    return {
        "figures": {k: asdict(v) for k, v in results.figures.items()},
        "targets": [asdict(t) | {"verdict": t.verdict} for t in results.targets],
    }
