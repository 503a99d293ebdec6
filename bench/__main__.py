"""``python -m bench``: generate the registers, measure sync and serving, print the tables.

Example:

    python -m bench                 # full size: 25 registers × 39,996 rows, 3 runs each, ~15 min
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
from pathlib import Path

import click

from bench import hostile_bench, serve_bench, staff_bench, sync_bench
from bench.measure import run_once
from bench.report import machine, targets_table

ROOT = Path(__file__).resolve().parent.parent


@click.command(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--quick", is_flag=True, help="Small sizes and short runs: under a minute.")
@click.option("--registers", type=int, help="Registers to generate (default 25; quick 4).")
@click.option(
    "--rows", type=int, help="Rows per register, at most 39,996 (default 39,996; quick 1,500)."
)
@click.option(
    "--only",
    type=click.Choice(["sync", "serve", "hostile", "staff"]),
    help="Run one part only; hostile and staff run only when asked for (neither is in --quick).",
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
    registers = registers or (4 if quick else 25)
    rows = min(rows or (1_500 if quick else sync_bench.MAX_ROWS), sync_bench.MAX_ROWS)
    sizes = sync_bench.SyncSizes(
        registers, rows, xlsx_rows=rows, repeat=repeat or (1 if quick else 3)
    )
    seconds = seconds or (2 if quick else 15)
    warmup = 1 if quick else 5
    out.mkdir(parents=True, exist_ok=True)
    work = out / "work"
    work.mkdir(exist_ok=True)

    report: dict[str, object] = {}
    click.echo(f"# certreg benchmarks, {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC\n")
    click.echo(machine())
    click.echo(f"- command: python -m bench {' '.join(sys.argv[1:])}\n")
    certreg = certreg or sync_bench.console_script("certreg")
    registry = out / "registry.db"
    if only in (None, "sync"):
        results = sync_bench.run(out, sizes, certreg, say)
        registry = results.registry
        click.echo(f"## Sync: {registers} registers × {rows:,} rows, median of {sizes.repeat}\n")
        click.echo(sync_bench.figures_table(results.figures) + "\n")
        click.echo(targets_table(results.targets) + "\n")
        report["sync"] = sync_bench.as_json(results)
    if only in (None, "serve", "hostile") and not registry.exists():
        say("no registry yet: loading the generated registers first …")
        dirs = sync_bench.prepare_data(out, registers, rows, rows)
        run_once(sync_bench.sync_command(certreg, dirs["full"], registry))
    if only in (None, "serve"):
        served = serve_bench.run(
            registry, work, seconds, warmup, not no_install, say, rounds or (1 if quick else 3)
        )
        click.echo(
            f"## Serving: {serve_bench.CONNECTIONS} connections, {seconds} s after a {warmup} s"
            " warm-up; server on core 0, wrk on core 1; median of the rounds\n"
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
    if only == "hostile" or (only is None and not quick):
        hostile = hostile_bench.run(
            registry, work, seconds, warmup, not no_install, say, rounds or (1 if quick else 3)
        )
        click.echo(
            f"## Hostile uploads: {serve_bench.CONNECTIONS} connections of normal checks, "
            f"{seconds} s after a {warmup} s warm-up, alone then with "
            f"{hostile_bench.UPLOADERS} hostile uploads at once\n"
        )
        click.echo(hostile_bench.figures_table(hostile) + "\n")
        click.echo(targets_table(hostile.targets) + "\n")
        report["hostile"] = hostile_bench.as_json(hostile)
    if json_path:
        json_path.write_text(json.dumps(report, ensure_ascii=False, indent=2), encoding="utf-8")


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
    sizes = staff_bench.StaffSizes(
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
