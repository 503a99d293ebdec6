"""Datasette configuration for staff browsing (SPEC §8), located by ``certreg browse``."""
