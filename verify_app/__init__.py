"""The public verification app (SPEC §7): Starlette, served by ``certreg serve``."""
