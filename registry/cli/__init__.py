"""``certreg``: the command line (SPEC §1). A thin click layer over the library: the commands live
in the modules below, each registering itself on the group in `registry.cli.base`."""

from registry.cli import (
    checks,
    keys,
    numbering,
    registers,
    replicas,
    reports,
    retention,
    stock,
    web,
)
from registry.cli.base import cli

__all__ = [
    "checks",
    "cli",
    "keys",
    "numbering",
    "registers",
    "replicas",
    "reports",
    "retention",
    "stock",
    "web",
]
