"""The layers of `registry` (docs/ARCHITECTURE.md): a module imports only from its own layer or
the layers below it, and only the command line imports the apps built on the library."""

from __future__ import annotations

import ast
import html
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


def _imports(path: Path, package: tuple[str, ...] | None = None) -> set[str]:
    """The modules ``path`` imports, and each name it imports from one, as absolute names: a
    relative import (``from ..store import db``) is resolved against the module's ``package``
    (by default, where ``path`` is), or it passed every layer check unseen."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = package or path.relative_to(ROOT).parent.parts
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            base = package[: len(package) - node.level + 1] if node.level else ()
            module = ".".join([*base, *([node.module] if node.module else [])])
            found.add(module)
            found.update(f"{module}.{alias.name}" for alias in node.names)
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


def test_a_relative_import_is_seen_as_the_module_it_names(tmp_path: Path) -> None:
    """The layer checks above read ``from ..store import db`` in the domain as no import."""
    imported = {
        "from ..store import db": {"registry.store", "registry.store.db"},
        "from . import names": {"registry.domain", "registry.domain.names"},
        "from .names import mask_name": {
            "registry.domain.names",
            "registry.domain.names.mask_name",
        },
    }
    probe = tmp_path / "probe.py"
    for line, expected in imported.items():
        probe.write_text(line + "\n", encoding="utf-8")
        assert _imports(probe, ("registry", "domain")) == expected, line


def test_every_register_kind_has_its_name_and_its_rank_in_the_sync() -> None:
    """A kind added to `registry.kinds.KINDS` alone crashed the sync (a KeyError on its load
    rank) as soon as a register of its run was refused."""
    from registry.domain.registers import KIND_LABELS, LOAD_ORDER, kind_code
    from registry.kinds import KINDS

    assert set(KIND_LABELS) == set(KINDS) == set(LOAD_ORDER)
    # and the manifest and --kind take it by its code and its name
    assert all(kind_code(code) == kind_code(label) == code for code, label in KIND_LABELS.items())


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


@pytest.mark.parametrize(("command", "module"), [("sync", "registers"), ("verify", "checks")])
def test_a_command_imports_its_own_module_alone(command: str, module: str) -> None:
    """Every command's module was imported for any command: ``certreg sync`` loaded Starlette,
    uvicorn and both apps, which it never starts (0.15 s of a no-op sync's 0.9 s); ``certreg
    verify`` loaded the public app's settings for the contacts file."""
    loaded = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys, click; from registry.cli import cli;"
            f" cli.get_command(click.Context(cli), '{command}'); print(*sorted(sys.modules))",
        ],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    ).stdout.split()
    web = ("starlette", "uvicorn", "datasette", *APPS)
    assert [m for m in loaded if m.split(".")[0] in web] == []
    assert f"registry.cli.{module}" in loaded and "registry.cli.web" not in loaded


def test_every_command_is_defined_where_the_group_looks_for_it() -> None:
    context = click.Context(cli)
    commands = {name: cli.get_command(context, name) for name in cli.list_commands(context)}
    assert list(commands) == sorted(COMMANDS)
    assert {name: command.name if command else None for name, command in commands.items()} == {
        name: name for name in COMMANDS
    }


SOURCES = sorted(
    path
    for package in ("registry", "verify_app", "datasette_config", "bench")
    for path in (ROOT / package).rglob("*.py")
)


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_docstring_follows_the_name_it_explains(path: Path) -> None:
    """Two strings in a row: the second explains nothing, or was meant for a name above the
    first (an exit code's meaning had ended up under another code's)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    bodies = [tree.body] + [node.body for node in ast.walk(tree) if isinstance(node, ast.ClassDef)]
    for body in bodies:
        for first, second in zip(body, body[1:], strict=False):
            if all(
                isinstance(node, ast.Expr)
                and isinstance(node.value, ast.Constant)
                and isinstance(node.value.value, str)
                for node in (first, second)
            ):
                raise AssertionError(f"{path.name}:{second.lineno} follows another docstring")


@pytest.mark.parametrize("picture", ["architecture.dot", "architecture.svg"])
def test_the_architecture_picture_names_every_command(picture: str) -> None:
    """The picture's command line box left `purge-log` out; the .svg is drawn from the .dot
    (the command at the .dot's top), so a .dot changed alone is seen too."""
    text = html.unescape((ROOT / "docs" / picture).read_text(encoding="utf-8"))  # SVG: &#45;
    assert [name for name in COMMANDS if name not in text] == []
