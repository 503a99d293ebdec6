"""certreg: registry of Sichuan's worker technical-grade certificates (川人社函〔2012〕389号)."""

from __future__ import annotations

__version__ = "0.1.0"
