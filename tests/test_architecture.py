"""The layers of `registry` (docs/ARCHITECTURE.md): a module imports only from its own layer or
the layers below it, and only the command line imports the apps built on the library."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import click
import pytest

from registry.cli import cli
from registry.cli.base import COMMANDS

ROOT = Path(__file__).resolve().parent.parent
LAYERS = ("domain", "sheets", "store", "kinds", "sync", "public", "cli")
"""Bottom to top. ``sync`` and ``public`` are side by side: neither imports the other."""
RANK = {"domain": 0, "sheets": 1, "store": 2, "kinds": 3, "sync": 4, "public": 4, "cli": 5}
APPS = ("verify_app", "datasette_config")


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return found


def _layer(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if parts[0] == "registry" and len(parts) > 1 and parts[1] in RANK else None


MODULES = sorted((ROOT / "registry").glob("*/*.py"))


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_module_imports_a_layer_above_it(path: Path) -> None:
    layer = path.parent.name
    if layer not in RANK:
        return
    for module in _imports(path):
        other = _layer(module)
        if other is not None and other != layer:
            assert RANK[other] < RANK[layer], f"{path.name} ({layer}) imports {module} ({other})"
        if module.split(".")[0] in APPS:
            assert layer == "cli", f"{path.name} ({layer}) imports the app module {module}"


def test_every_layer_exists_and_holds_code() -> None:
    assert set(LAYERS) == set(RANK)
    for layer in LAYERS:
        assert list((ROOT / "registry" / layer).glob("*.py")), layer


def test_the_domain_does_no_io() -> None:
    """Pure rules: no database, no files, no processes (reference data ships as package data)."""
    for path in (ROOT / "registry" / "domain").glob("*.py"):
        imports = _imports(path)
        for forbidden in ("sqlite3", "sqlite_utils", "subprocess", "python_calamine", "openpyxl"):
            assert forbidden not in imports, f"{path.name} imports {forbidden}"


def test_every_register_kind_has_its_name_and_its_rank_in_the_sync() -> None:
    """A kind added to `registry.kinds.KINDS` alone crashed the sync (a KeyError on its load
    rank) as soon as a register of its run was refused."""
    from registry.domain.registers import KIND_LABELS, LOAD_ORDER
    from registry.kinds import KINDS

    assert set(KIND_LABELS) == set(KINDS) == set(LOAD_ORDER)


@pytest.mark.parametrize("app", APPS)
def test_the_apps_import_the_library_not_each_other(app: str) -> None:
    """Staff's Datasette read the verification log's schema from the public app: what both
    share (the log's tables, the access-log filter) lives in the library."""
    other = next(name for name in APPS if name != app)
    for path in sorted((ROOT / app).rglob("*.py")):
        imported = {module.split(".")[0] for module in _imports(path)}
        assert other not in imported, f"{path.relative_to(ROOT)} imports {other}"


def test_the_public_app_answers_json_with_its_charset_said() -> None:
    """Every JSON answer of the public app is `verify_app.json_response.JSONResponse`, which says
    charset=utf-8 (PowerShell 5.1 read Chinese without it as ISO-8859-1): a module reaching
    for Starlette's own would answer without it."""
    for path in sorted((ROOT / "verify_app").rglob("*.py")):
        if path.name != "json_response.py":
            imported = _imports(path)
            assert "starlette.responses.JSONResponse" not in imported, path.relative_to(ROOT)


def test_the_apps_and_the_command_line_start_without_the_pinyin_dictionaries() -> None:
    """pypinyin's dictionaries take 130 ms and 50 MB: only a 换发 rewriting a name loads them,
    not every verification worker and command that compares names."""
    loaded = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys, verify_app.app, registry.cli; print(sorted(sys.modules))",
        ],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    ).stdout
    assert "pypinyin" not in loaded and "registry.domain.names" in loaded


def test_a_command_imports_its_own_module_alone() -> None:
    """Every command's module was imported for any command: ``certreg sync`` loaded Starlette,
    uvicorn and both apps, which it never starts (0.15 s of a no-op sync's 0.9 s)."""
    loaded = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys, click; from registry.cli import cli;"
            " cli.get_command(click.Context(cli), 'sync'); print(*sorted(sys.modules))",
        ],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    ).stdout.split()
    web = ("starlette", "uvicorn", "datasette", *APPS)
    assert [m for m in loaded if m.split(".")[0] in web] == []
    assert "registry.cli.registers" in loaded and "registry.cli.web" not in loaded


def test_every_command_is_defined_where_the_group_looks_for_it() -> None:
    context = click.Context(cli)
    commands = {name: cli.get_command(context, name) for name in cli.list_commands(context)}
    assert list(commands) == sorted(COMMANDS)
    assert {name: command.name if command else None for name, command in commands.items()} == {
        name: name for name in COMMANDS
    }
