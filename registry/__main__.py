from __future__ import annotations

from registry.cli import cli

cli()
