"""``python -m bench``: generate the registers, measure sync and serving, print the tables.

Example:

    python -m bench                 # full size: 34 registers × 29,412 rows, 3 runs each, ~15 min
    python -m bench --quick         # small sizes, under a minute (what CI smoke-tests)
    python -m bench --only sync --registers 5 --rows 10000
    python -m bench --only hostile  # normal checks while 8 hostile uploads hit the server
    python -m bench --only staff    # staff Datasette pages at a million certificates, ~25 min
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sys
from dataclasses import dataclass
from pathlib import Path

import click

from bench import hostile_bench, serve_bench, staff_bench, staff_registry, sync_bench, wrk
from bench.measure import run_once
from bench.plans import plan_registers
from bench.report import machine, targets_table

ROOT = Path(__file__).resolve().parent.parent


@click.command(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--quick", is_flag=True, help="Small sizes and short runs: under a minute.")
@click.option("--registers", type=int, help="Registers to generate (default 34; quick 4).")
@click.option(
    "--rows",
    type=int,
    help="Rows per register, at most 39,996 (default 29,412; quick 1,500); the .xlsx has as many, or 39,996 by default.",
)
@click.option(
    "--only",
    type=click.Choice(["sync", "serve", "hostile", "staff"]),
    help="Run one part only; a full run (no --only) takes sync, serve and hostile, not staff; "
    "--quick leaves hostile and staff out.",
)
@click.option("--repeat", type=int, help="Runs per sync figure; the median is kept (default 3).")
@click.option("--seconds", type=int, help="Seconds per wrk run after the warm-up (default 15).")
@click.option(
    "--rounds",
    type=int,
    help="Serving runs per server, taking turns; the median is kept (default 3; quick 1).",
)
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=ROOT / "bench" / "out",
    show_default=True,
    help="Where generated registers, registries and logs go (git-ignored).",
)
@click.option(
    "--certreg",
    "certreg",
    help="The certreg executable whose sync is measured (default: the one beside this Python).",
)
@click.option("--no-install", is_flag=True, help="Do not apt-get install wrk when it is missing.")
@click.option(
    "--json", "json_path", type=click.Path(path_type=Path), help="Also write figures as JSON."
)
def main(
    quick: bool,
    registers: int | None,
    rows: int | None,
    only: str | None,
    repeat: int | None,
    seconds: int | None,
    rounds: int | None,
    out: Path,
    certreg: str | None,
    no_install: bool,
    json_path: Path | None,
) -> None:
    """Measure certreg's sync and verification against the tools a user would otherwise use.

    Prints Markdown tables (figures, ratios, targets) ready for bench/RESULTS.md.

    Example:

        python -m bench --quick
    """
    # the helper modules (bench.floor, bench.ceiling …) run as subprocesses from any directory
    os.environ["PYTHONPATH"] = os.pathsep.join(
        p for p in (str(ROOT), os.environ.get("PYTHONPATH")) if p
    )
    if only == "staff":
        staff(quick, registers, rows, rounds, out, certreg, json_path)
        return
    sizes = sync_sizes(quick, registers, rows, repeat)
    serving = Serving.of(quick, seconds, rounds, install=not no_install)
    out.mkdir(parents=True, exist_ok=True)
    (out / "work").mkdir(exist_ok=True)

    report: dict[str, object] = {}
    click.echo(f"# certreg benchmarks, {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC\n")
    click.echo(machine())
    click.echo(f"- command: python -m bench {' '.join(sys.argv[1:])}\n")
    certreg = certreg or sync_bench.console_script("certreg")
    registry = out / "registry.db"
    if only in (None, "sync"):
        registry = sync_section(out, sizes, certreg, report)
    if only in (None, "serve", "hostile") and not registry.exists():
        say("no registry yet: loading the generated registers first …")
        dirs = sync_bench.prepare_data(out, sizes.registers, sizes.rows, sizes.rows)
        run_once(sync_bench.sync_command(certreg, dirs["full"], registry))
    if only in (None, "serve"):
        serve_section(registry, out / "work", serving, report)
    if only == "hostile" or (only is None and not quick):
        hostile_section(registry, out / "work", serving, report)
    if json_path:
        json_path.write_text(json.dumps(report, ensure_ascii=False, indent=2), encoding="utf-8")


@dataclass(frozen=True)
class Serving:
    """How long and how often the servers are measured."""

    seconds: int
    warmup: int
    rounds: int
    install: bool
    """apt-get install wrk when it is missing"""

    @classmethod
    def of(cls, quick: bool, seconds: int | None, rounds: int | None, install: bool) -> Serving:
        """The options given, else the defaults of a quick or a full run."""
        if quick:
            return cls(seconds or 2, 1, rounds or 1, install)
        return cls(seconds or 15, 5, rounds or 3, install)


def sync_sizes(
    quick: bool, registers: int | None, rows: int | None, repeat: int | None
) -> sync_bench.SyncSizes:
    """The options given, else the defaults of a quick or a full run.

    A full run is a million certificates in 34 registers of 29,412 rows: only 16 provincial
    rosters (2011–2026) can hold 4 × 9,999, the city rosters 3 × 9,999. The one ``.xlsx`` is a
    full provincial roster of 39,996 rows unless ``--rows`` says otherwise."""
    default_rows = 1_500 if quick else 29_412
    given = rows
    rows = min(given or default_rows, sync_bench.MAX_ROWS)
    registers = registers or (4 if quick else 34)
    try:  # a register of more than 3 × 9,999 rows is provincial: one per year, 2011–2026
        plan_registers(registers, rows)
    except ValueError as exc:
        raise click.UsageError(f"{exc}: ask for fewer registers (--registers) or rows") from exc
    return sync_bench.SyncSizes(
        registers,
        rows,
        xlsx_rows=sync_bench.MAX_ROWS if given is None and not quick else rows,
        repeat=repeat or (1 if quick else 3),
    )


def sync_section(
    out: Path, sizes: sync_bench.SyncSizes, certreg: str, report: dict[str, object]
) -> Path:
    """Measure the sync; print its tables; the registry it built."""
    results = sync_bench.run(out, sizes, certreg, say)
    click.echo(
        f"## Sync: {sizes.registers} registers × {sizes.rows:,} rows, median of {sizes.repeat}\n"
    )
    click.echo(sync_bench.figures_table(results.figures) + "\n")
    click.echo(targets_table(results.targets) + "\n")
    report["sync"] = sync_bench.as_json(results)
    return results.registry


def serve_section(registry: Path, work: Path, serving: Serving, report: dict[str, object]) -> None:
    """Measure the verification app against Datasette and the ceiling, and two replicas."""
    served = serve_bench.run(
        registry, work, serving.seconds, serving.warmup, serving.install, say, serving.rounds
    )
    click.echo(
        f"## Serving: {wrk.CONNECTIONS} connections, {serving.seconds} s after a"
        f" {serving.warmup} s warm-up; server on core 0, wrk on core 1; median of the rounds\n"
    )
    click.echo(serve_bench.scenarios_table(served.scenarios) + "\n")
    click.echo(targets_table(served.targets) + "\n")
    click.echo(
        "### Two replicas behind nginx on this machine\n\n"
        "Server side on core 0, wrk on core 1: two replicas share the one core, so this shows"
        " the cost of nginx (TLS) and of the limits in Redis, not the gain of a second"
        " machine. CPU/request (every server-side process) projects capacity per core.\n"
    )
    click.echo(serve_bench.replicas_table(served.scenarios) + "\n")
    report["serve"] = serve_bench.as_json(served)


def hostile_section(
    registry: Path, work: Path, serving: Serving, report: dict[str, object]
) -> None:
    """Measure normal checks alone and under hostile uploads."""
    hostile = hostile_bench.run(
        registry, work, serving.seconds, serving.warmup, serving.install, say, serving.rounds
    )
    click.echo(
        f"## Hostile uploads: {wrk.CONNECTIONS} connections of normal checks, "
        f"{serving.seconds} s after a {serving.warmup} s warm-up, alone then with "
        f"{hostile_bench.UPLOADERS} hostile uploads at once\n"
    )
    click.echo(hostile_bench.figures_table(hostile) + "\n")
    click.echo(targets_table(hostile.targets) + "\n")
    report["hostile"] = hostile_bench.as_json(hostile)


def say(text: str) -> None:
    click.echo(f"[{dt.datetime.now():%H:%M:%S}] {text}", err=True)


def staff(
    quick: bool,
    registers: int | None,
    rows: int | None,
    rounds: int | None,
    out: Path,
    certreg: str | None,
    json_path: Path | None,
) -> None:
    """``--only staff``: 40 rosters × 25,000 rows (a million certificates) by default."""
    sizes = staff_registry.StaffSizes(
        registers or (4 if quick else 40),
        rows or (1_500 if quick else 25_000),
        samples=3 if quick else 20,
        rounds=rounds or (1 if quick else 2),
    )
    out.mkdir(parents=True, exist_ok=True)
    click.echo(f"# certreg staff benchmark, {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC\n")
    click.echo(machine())
    click.echo(f"- command: python -m bench {' '.join(sys.argv[1:])}\n")
    results = staff_bench.run(out, sizes, certreg or sync_bench.console_script("certreg"), say)
    synced = ", ".join(f"{what} {seconds:.1f} s" for what, seconds in results.sync_seconds.items())
    click.echo(
        f"## Staff pages: {results.certificates:,} certificates; {sizes.rounds} round(s) per"
        f" server taking turns, up to {sizes.samples} requests per page and round\n"
    )
    click.echo(f"Building the registry: certreg sync of {synced}.\n")
    click.echo(staff_bench.pages_table(results) + "\n")
    click.echo(targets_table(results.targets) + "\n")
    if json_path:
        report = {"staff": staff_bench.as_json(results)}
        json_path.write_text(json.dumps(report, ensure_ascii=False, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
