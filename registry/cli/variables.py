"""The environment variables certreg reads (and those the deployment's environment files set for
its units), so that one it does not — a setting misspelt in an environment file
(``CERTREG_RATELIMIT=10``) — is told when a server starts, not silently ignored while the
default applies."""

from __future__ import annotations

from collections.abc import Iterable
from difflib import get_close_matches

KNOWN = frozenset(
    {
        # certreg serve (verify_app.settings)
        "CERTREG_SECRET",
        "CERTREG_PREVIOUS_SECRET",
        "CERTREG_RATE_LIMIT",
        "CERTREG_RATE_LIMIT_STORAGE",
        "CERTREG_BATCH_ROWS_PER_HOUR",
        "CERTREG_REPORTS_PER_DAY",
        "CERTREG_NAME_GUESSES_PER_HOUR",
        "CERTREG_NAME_GUESSES_PER_DAY",
        "CERTREG_WATCH_DAYS",
        "CERTREG_RECEIPT_DAYS",
        "CERTREG_STALE_DAYS",
        "CERTREG_MAX_BODY_BYTES",
        "CERTREG_MIN_FREE_BYTES",
        "CERTREG_UPLOAD_CONCURRENCY",
        "CERTREG_PUBLIC_URL",
        "CERTREG_TRUSTED_PROXIES",
        "CERTREG_AUTHORITIES",
        # every command
        "CERTREG_DB",
        "CERTREG_OPERATOR",
        # the deployment's environment files (deploy/env), which several units share
        "CERTREG_DATA",
        "CERTREG_REGISTERS",
        "CERTREG_REGISTRY_REPLICA",
        "CERTREG_LOG_REPLICA",
        "CERTREG_LOG_REPLICAS",
        # certreg browse: the registry it hands Datasette (datasette_config.launch)
        "CERTREG_BROWSED_REGISTRY",
    }
)
"""Not here: ``CERTREG_UPDATE_SCREENSHOT``, which the browser tests read (README), not certreg."""
PREFIXES = ("CERTREG_STAFF_",)
"""Variables named by their users: a staff account each (datasette_config.staff)."""


def unknown_settings(names: Iterable[str]) -> list[str]:
    """A warning for each ``CERTREG_*`` name certreg does not read, with the setting it most
    likely meant."""
    warnings = []
    for name in sorted(names):
        if not name.startswith("CERTREG_") or name in KNOWN or name.startswith(PREFIXES):
            continue
        close = get_close_matches(name, KNOWN, n=1, cutoff=0.8)
        guess = (
            f"是否应为 {close[0]}？"
            if close
            else "请核对变量名（各项设置见 README、docs/DEPLOY.md 和 deploy/env/）。"
        )
        warnings.append(f"环境变量 {name} 不是 certreg 的设置，不起作用：{guess}")
    return warnings
