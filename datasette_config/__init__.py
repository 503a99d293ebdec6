"""Datasette configuration for staff browsing (SPEC §8), located by ``certreg browse``.

The folder is a Datasette deployment: ``metadata.yml`` (Chinese titles, column labels, canned
queries, the login requirement), ``settings.json``, one-off ``plugins/`` and ``templates/``.
It ships inside the installed package, so ``certreg browse`` finds it with `importlib.resources`.
"""

from __future__ import annotations

from importlib.resources import as_file, files
from pathlib import Path


def config_dir() -> Path:
    """The installed configuration folder as a real directory Datasette can read."""
    with as_file(files(__name__)) as path:
        return Path(path)
