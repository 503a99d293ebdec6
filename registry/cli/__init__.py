"""``certreg``: the command line (SPEC §1). A thin click layer over the library: the commands live
in the modules below, each registering itself on the group in `registry.cli.base`, which imports
a command's module when that command is asked for (`registry.cli.base.COMMANDS`)."""

from registry.cli.base import cli

__all__ = ["cli"]
