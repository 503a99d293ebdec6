"""certreg: registry of Sichuan's worker technical-grade certificates (川人社函〔2012〕389号)."""

from __future__ import annotations

__version__ = "2026.12.6.4"
"""The release, by the date it was made (year.month.day, and .N for a later one that day):
docs/DEPLOY.md's upgrade steps name releases by date, and an operator compares it across hosts
(``certreg --version``, ``/healthz``)."""
