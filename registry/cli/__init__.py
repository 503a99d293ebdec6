"""``certreg``: the command line (SPEC §1). A thin click layer over the library: the commands live
in the modules below, each registering itself on the group in `registry.cli.base`."""

from registry.cli import checks, registers, web
from registry.cli import replicas as replicas  # certreg follow, certreg collect-logs
from registry.cli.base import cli

__all__ = ["checks", "cli", "registers", "web"]
