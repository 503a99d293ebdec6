"""The domain does no I/O (docs/ARCHITECTURE.md's layers): no database, no files, no
processes, no network — only its reference data, read as package data. Only import names were
compared once: ``open(...)``, ``__import__("sqlite3")`` and ``import urllib.request`` passed."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tests.test_architecture import ROOT, _imports

DOMAIN_FORBIDDEN = (
    *("sqlite3", "sqlite_utils", "dbm", "shelve", "python_calamine", "openpyxl"),
    *("os", "pathlib", "shutil", "tempfile", "glob", "fileinput", "mmap", "builtins"),
    *("subprocess", "multiprocessing", "concurrent", "signal", "ctypes"),
    *("socket", "ssl", "select", "selectors", "urllib", "http", "ftplib", "smtplib"),
    *("httpx", "requests", "redis", "click", "starlette", "datasette", "uvicorn"),
)
"""What a pure rule has no use for: a database, files and folders, processes, the network, a
command line or a web framework (its reference data ships as package data, `importlib`)."""

DOMAIN_FORBIDDEN_CALLS = frozenset(("open", "__import__", "exec", "eval", "compile"))
"""Builtins that reach a file or a module the imports above do not show."""

RESOURCE_PACKAGES = frozenset(("registry.defaults", "opencc"))
"""What the domain reads, and all it reads: its reference tables (regions, counties, trades,
authorities), shipped as package data, and OpenCC's character table (`characters`). It opens
them as `importlib.resources.files(package).joinpath(...)` and reads them with `read_text` or
`read_bytes`, there or through a name that holds such a path."""

READS = frozenset(("read_text", "read_bytes", "open", "write_text", "write_bytes", "iterdir"))
FUNCTIONS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)


def _root(node: ast.expr) -> ast.expr:
    """Where a chain of calls and attributes starts: a `RESOURCE_PACKAGES` ``files(...)`` call,
    or the name or other value it is read from."""
    while True:
        if isinstance(node, ast.Call) and _is_resource_call(node):
            return node
        if isinstance(node, ast.Call):
            node = node.func
        elif isinstance(node, ast.Attribute):
            node = node.value
        else:
            return node


def _is_resource_call(node: ast.Call) -> bool:
    return (
        isinstance(node.func, ast.Name)
        and node.func.id == "files"
        and len(node.args) == 1
        and isinstance(node.args[0], ast.Constant)
        and node.args[0].value in RESOURCE_PACKAGES
    )


def _scope_nodes(scope: ast.AST) -> list[ast.AST]:
    """The nodes of a module or function body, not those of the functions inside it."""
    found: list[ast.AST] = []
    stack = list(ast.iter_child_nodes(scope))
    while stack:
        node = stack.pop()
        found.append(node)
        if not isinstance(node, FUNCTIONS):
            stack.extend(ast.iter_child_nodes(node))
    return found


def _read_faults(scope: ast.AST) -> list[str]:
    """Each call in ``scope`` that opens, imports or reads what is no package resource: a read
    on a name counts only where that name was given a resource in the same function."""
    nodes = _scope_nodes(scope)
    resources = {
        target.id
        for node in nodes
        if isinstance(node, ast.Assign) and isinstance(_root(node.value), ast.Call)
        for target in node.targets
        if isinstance(target, ast.Name)
    }
    faults = []
    for node in nodes:
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        if isinstance(func, ast.Name) and func.id in DOMAIN_FORBIDDEN_CALLS:
            faults.append(f"{func.id}() at line {func.lineno}")
        elif isinstance(func, ast.Name) and func.id == "files" and not _is_resource_call(node):
            faults.append(f"files() of another package at line {func.lineno}")
        elif isinstance(func, ast.Attribute) and func.attr in READS:
            root = _root(func.value)
            if not isinstance(root, ast.Call) and getattr(root, "id", None) not in resources:
                faults.append(f".{func.attr}() of no package resource at line {func.lineno}")
    return faults


def _domain_faults(tree: ast.Module, imported: set[str]) -> list[str]:
    """Each way ``tree`` reaches a database, a file, a process or the network: a forbidden
    import, `importlib` beyond `importlib.resources`, a builtin that opens or imports, or a
    read of anything but a `RESOURCE_PACKAGES` resource."""
    faults = [m for m in imported if m.split(".")[0] in DOMAIN_FORBIDDEN]
    faults += [m for m in imported if m.startswith("importlib") and m[:19] != "importlib.resources"]
    scopes = [tree, *(node for node in ast.walk(tree) if isinstance(node, FUNCTIONS))]
    return faults + [fault for scope in scopes for fault in _read_faults(scope)]


def test_the_domain_does_no_io() -> None:
    """Pure rules: no database, no files, no processes, no network (reference data ships as
    package data)."""
    for path in (ROOT / "registry" / "domain").glob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        assert _domain_faults(tree, _imports(path)) == [], path.name


@pytest.mark.parametrize(
    "line",
    [
        'def _h():\n    return open("/etc/hostname").read()',
        "import urllib.request as _net",
        '_S = __import__("sqlite3").connect(":memory:")',
        "from importlib import import_module",
        'exec("import os")',
        'files("registry").joinpath("../../x").read_text()',
        "def _r(path):\n    return path.read_bytes()",
    ],
)
def test_the_domain_check_sees_each_way_to_io(line: str, tmp_path: Path) -> None:
    probe = tmp_path / "probe.py"
    probe.write_text(line + "\n", encoding="utf-8")
    faults = _domain_faults(ast.parse(probe.read_text()), _imports(probe, ("registry", "domain")))
    assert faults != [], line
