"""uvicorn's access log without the secrets some paths carry (what nginx's ``certreg`` log format
does in front of the replicas, deploy/nginx/certreg.conf): a receipt's token re-checks a
certificate, a watch list's token reads and deletes the list — whoever reads the log must not
be able to open either."""

from __future__ import annotations

import logging
import re

_SECRET_LINKS = re.compile(r"^/(?:r/[^/?]+|watch/[^/?.]+)")
ACCESS_LOGGER = "uvicorn.access"


def _redacted(path: str) -> str:
    return _SECRET_LINKS.sub(lambda m: m[0][: m[0].index("/", 1) + 1] + "[token]", path)


class RedactSecretLinks(logging.Filter):
    """Rewrites the path argument of uvicorn's access records (``client - "GET path HTTP/1.1"
    status``) before any handler formats them."""

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if isinstance(args, tuple) and len(args) >= 3 and isinstance(args[2], str):
            record.args = (*args[:2], _redacted(args[2]), *args[3:])
        return True


def redact_access_log() -> None:
    """Install the filter on uvicorn's access logger, once per process."""
    logger = logging.getLogger(ACCESS_LOGGER)
    if not any(isinstance(f, RedactSecretLinks) for f in logger.filters):
        logger.addFilter(RedactSecretLinks())
