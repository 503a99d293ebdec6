"""What the bound on guessing a holder's name (`verify_app.guesses`) costs one check.

``python -m bench.guess_cost REGISTRY`` runs `Verifier.check` of one valid certificate of the
registry (the samples' Z1122020123 周杰 by default) in process, with the limits' counts in
memory, on two verifiers taking turns — the bound on (10 names an hour) and off (0) — and prints
the median µs per check of each and their ratio.
"""

from __future__ import annotations

import argparse
import statistics
import time
from dataclasses import replace
from pathlib import Path

from starlette.datastructures import Secret

from verify_app.answers import Item
from verify_app.quotas import Caller
from verify_app.service import Verifier
from verify_app.settings import Settings


def per_check(verifier: Verifier, item: Item, checks: int) -> float:
    """µs per check over ``checks`` checks of ``item``."""
    caller = Caller("203.0.113.7")
    started = time.perf_counter()
    for _ in range(checks):
        verifier.check(caller, item, "api", serial=True)  # as `check_soon` runs it
    return (time.perf_counter() - started) / checks * 1e6


def measure(registry: Path, item: Item, rounds: int, checks: int) -> None:
    base = Settings(db=registry, secret=Secret("x" * 40), rate_limit=0, batch_rows_per_hour=0)
    verifiers = {"on": Verifier(replace(base, name_guesses_per_hour=10))}
    verifiers["off"] = Verifier(replace(base, name_guesses_per_hour=0))
    for verifier in verifiers.values():
        verifier.start()
    times: dict[str, list[float]] = {"on": [], "off": []}
    for turn in range(rounds):
        for name in ("on", "off") if turn % 2 else ("off", "on"):
            times[name].append(per_check(verifiers[name], item, checks))
    for verifier in verifiers.values():
        verifier.close()
    on, off = (statistics.median(times[name]) for name in ("on", "off"))
    print(f"bound on {on:.1f} µs, off {off:.1f} µs per check, on ÷ off {on / off:.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("registry", type=Path, help="a synced registry (certreg sync …)")
    parser.add_argument("number", nargs="?", default="Z1122020123", help="a certificate of it")
    parser.add_argument("name", nargs="?", default="周杰", help="its holder")
    parser.add_argument("--rounds", type=int, default=11)
    parser.add_argument("--checks", type=int, default=5000, help="checks a round")
    args = parser.parse_args()
    if not args.registry.is_file():
        parser.error(f"{args.registry} is not a registry file")
    measure(args.registry, Item(args.number, args.name), args.rounds, args.checks)


if __name__ == "__main__":
    main()
