"""Mutation testing of the public decision path (docs/MUTATION.md): run by ``scripts/mutation``.

Two kinds of mutants:

1. mutmut's, inside every function of the modules ``[tool.mutmut] only_mutate`` names. mutmut
   first runs the selected tests once and records which tests call which function; each mutant
   then runs only the tests that exercise its function.
2. ``DATA_MUTANTS`` below: changes to module-level data (the lookup's SQL, the number's regular
   expressions, the advice texts, the compound surnames), which mutmut 3 never mutates. Each is
   applied to a scratch copy of the project and the tests that exercise it are run there.

Prints, per module, mutants / killed / survived / kill rate, and the names of survivors
(``mutmut show NAME`` prints one's diff). Slow — minutes, not seconds — so not run in CI.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import tomllib
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MUTANTS = ROOT / "mutants"
COPIED = ("registry", "verify_app", "datasette_config", "tests", "data", "pyproject.toml")
KILLED = {1, 3}  # mutmut's exit codes for a failed test run
SURVIVED = {0}


@dataclass(frozen=True)
class DataMutant:
    path: str
    old: str
    new: str
    tests: tuple[str, ...]
    why: str


DECISIONS = "tests/test_public_decisions.py"
NO_MATCH_ADVICE = (
    '"登记库中没有与该编号和姓名都相符的证书。请核对编号和姓名是否输入正确"'
    '"（姓名须与证书一致）；如仍查不到，请向发证机关核实。"'
)
NAMES = "tests/test_names_masking.py"
DATA_MUTANTS = (
    DataMutant(
        "registry/public/lookup.py",
        '" FROM certificates c WHERE number = ?"',
        '" FROM certificates c WHERE number >= ? ORDER BY number"',
        (DECISIONS,),
        "an unregistered number answers with the next registered one",
    ),
    DataMutant(
        "registry/public/lookup.py",
        '"SELECT name FROM certificates WHERE number = ?"',
        '"SELECT name FROM certificates WHERE number >= ? ORDER BY number"',
        (DECISIONS, "tests/test_verify_app_receipts.py"),
        "a receipt re-checks the next registered number",
    ),
    DataMutant(
        "registry/public/lookup.py",
        '    REISSUED: "该证书曾遗失并于 {status_date} 补发。只有正页右下方注明“补发”字样、"\n'
        '    "于 {status_date} 补发的证书有效，此前的原件已作废。",',
        f"    REISSUED: {NO_MATCH_ADVICE},",
        (DECISIONS,),
        "reissued advice replaced by the not-found advice",
    ),
    DataMutant(
        "registry/public/lookup.py",
        '    REVOKED: "该证书已于 {status_date} 被发证机关撤销，不能作为资格凭证。"\n'
        '    "如对撤销有疑问，请向发证机关核实。",',
        f"    REVOKED: {NO_MATCH_ADVICE},",
        (DECISIONS,),
        "revoked advice replaced by the not-found advice",
    ),
    DataMutant(
        "registry/public/lookup.py",
        '    MALFORMED: "{reason}。证书编号为11位，如 Z1122020123，请核对后重新输入。"\n',
        f"    MALFORMED: {NO_MATCH_ADVICE}\n",
        (DECISIONS,),
        "malformed advice replaced by the not-found advice",
    ),
    DataMutant(
        "registry/domain/numbers.py",
        '_DIGITS = re.compile(r"[0-9]+")',
        '_DIGITS = re.compile(r"\\d+")',
        (DECISIONS, "tests/test_numbers.py"),
        "digits of other scripts (٣ ३ ๓) accepted",
    ),
    DataMutant(
        "registry/domain/numbers.py",
        "_CANONICAL = re.compile(f\"[{''.join(LEVELS)}][0-9]{{10}}\")",
        "_CANONICAL = re.compile(f\"[{''.join(LEVELS)}]\\\\d{{10}}\")",
        (DECISIONS, "tests/test_numbers.py"),
        "the fast path takes digits of other scripts as canonical",
    ),
    DataMutant(
        "registry/domain/names.py",
        '"欧阳 司马 上官 诸葛 东方 皇甫',
        '"欧阳 司马 上官 诸葛 皇甫',
        (NAMES,),
        "东方 dropped from the compound surnames",
    ),
    DataMutant(
        "registry/domain/names.py",
        '_SPACE = re.compile(r"\\s+")',
        '_SPACE = re.compile(r" +")',
        (NAMES, DECISIONS),
        "tabs, newlines and U+3000 kept in names",
    ),
    DataMutant(
        "registry/domain/names.py",
        '_DOTS = re.compile("[·•・‧･∙\\u2027\\u30fb\\uff65\\u2219\\u2022]")',
        '_DOTS = re.compile("[·・‧･∙\\u2027\\u30fb\\uff65\\u2219]")',
        (NAMES,),
        "one middle-dot variant (• U+2022) no longer folded",
    ),
    DataMutant(
        "verify_app/receipts.py",
        '_PAYLOAD = re.compile(r"([0-9A-Z]+)-([0-9a-f]+)")',
        '_PAYLOAD = re.compile(r"([0-9A-Za-z]+)-([0-9a-f]+)")',
        ("tests/test_receipts_properties.py",),
        "a receipt of a non-canonical number opens",
    ),
)


def configured_modules() -> list[str]:
    """The modules ``[tool.mutmut] only_mutate`` in pyproject.toml names."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    return [str(path) for path in config["tool"]["mutmut"]["only_mutate"]]


def dotted(path: str) -> str:
    return path.removesuffix(".py").replace("/", ".")


def run_mutmut(modules: list[str], max_children: int | None) -> None:
    mutmut = Path(sys.executable).with_name("mutmut")
    command = [str(mutmut), "run"]
    if max_children:
        command += ["--max-children", str(max_children)]
    if modules != configured_modules():
        command += [f"{dotted(path)}.*" for path in modules]
    print("$", " ".join(command), flush=True)
    subprocess.run(command, cwd=ROOT, check=True)


def mutmut_results(path: str) -> tuple[int, int, list[str], list[str]]:
    """(mutants, killed, survivors, others) for one module, from mutmut's meta file."""
    meta = MUTANTS / f"{path}.meta"
    if not meta.exists():
        return 0, 0, [], []
    codes: dict[str, int | None] = json.loads(meta.read_text())["exit_code_by_key"]
    killed = sum(1 for code in codes.values() if code in KILLED)
    survivors = sorted(name for name, code in codes.items() if code in SURVIVED)
    others = sorted(
        f"{name} (exit {code})"
        for name, code in codes.items()
        if code not in KILLED and code not in SURVIVED
    )
    return len(codes), killed, survivors, others


def run_data_mutant(mutant: DataMutant) -> bool:
    """Apply ``mutant`` to a scratch copy of the project; True when its tests fail there."""
    with tempfile.TemporaryDirectory(prefix="certreg-mutant-") as scratch:
        copy = Path(scratch)
        for name in COPIED:
            source = ROOT / name
            if source.is_dir():
                shutil.copytree(source, copy / name, ignore=shutil.ignore_patterns("__pycache__"))
            else:
                shutil.copy2(source, copy / name)
        target = copy / mutant.path
        text = target.read_text(encoding="utf-8")
        if text.count(mutant.old) != 1:
            raise SystemExit(f"data mutant no longer applies to {mutant.path}: {mutant.old!r}")
        target.write_text(text.replace(mutant.old, mutant.new), encoding="utf-8")
        result = subprocess.run(
            [sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider", *mutant.tests],
            cwd=copy,
            env={**os.environ, "PYTHONPATH": str(copy)},
            capture_output=True,
            text=True,
        )
        if result.returncode not in (0, 1):
            raise SystemExit(f"pytest could not run for {mutant.why}:\n{result.stdout}")
        return result.returncode == 1


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "modules", nargs="*", help="paths of modules to mutate (default: every one configured)"
    )
    parser.add_argument("--keep", action="store_true", help="reuse mutants/ from the last run")
    parser.add_argument("--max-children", type=int, help="parallel mutmut workers")
    parser.add_argument("--skip-data", action="store_true", help="mutmut's mutants only")
    args = parser.parse_args()
    configured = configured_modules()
    modules = args.modules or configured
    if unknown := set(modules) - set(configured):
        raise SystemExit(f"not configured in [tool.mutmut] only_mutate: {sorted(unknown)}")

    if not args.keep:
        shutil.rmtree(MUTANTS, ignore_errors=True)
    run_mutmut(modules, args.max_children)
    data = [] if args.skip_data else [m for m in DATA_MUTANTS if m.path in modules]
    data_killed = {mutant: run_data_mutant(mutant) for mutant in data}

    print(
        f"\n{'module':28} {'mutants (mutmut + data)':>24} {'killed':>7} {'survived':>9} {'rate':>7}"
    )
    survivors: list[str] = []
    for path in modules:
        total, killed, left, others = mutmut_results(path)
        ours = [m for m in data if m.path == path]
        killed += sum(data_killed[m] for m in ours)
        left += [f"{path}: data mutant: {m.why}" for m in ours if not data_killed[m]]
        count = total + len(ours)
        rate = f"{100 * killed / count:.1f}%" if count else "-"
        mutants = f"{count} ({total} + {len(ours)})"
        print(f"{path:28} {mutants:>24} {killed:7} {len(left):9} {rate:>7}")
        survivors += left + [f"{name}: not killed, not survived" for name in others]
    if data:
        print(
            f"\n(of which module-level data mutants: {sum(data_killed.values())}/{len(data)} killed)"
        )
    if survivors:
        print("\nsurvivors:")
        for name in survivors:
            print("   ", name)


if __name__ == "__main__":
    main()
