"""uvicorn's access log without the secrets and the personal data some requests carry (what
nginx's ``certreg`` log format does in front of the replicas, deploy/nginx/certreg.conf): a
receipt's token re-checks a certificate, a watch list's token reads and deletes the list —
whoever reads the log must not be able to open either; the number a program asks to decode
may be a name or an ID card's number sent in the wrong field; and a query string can hold a name (a
staff search ``?姓名=…``, a filter ``?name__exact=…``, a hand-made link to ``/check``), which
never goes to a log. The staff server (``certreg browse``) installs the same filter."""

from __future__ import annotations

import logging
import re

_SECRET_LINKS = re.compile(r"^/(?:r/[^/?]+|watch/[^/?.]+)")
_NUMBER_PATH = re.compile(r"^/api/v1/numbers/[^?]*")
"""A number to decode is typed by a program, which may have put a name or an ID card's number
where the certificate number goes — slashes and all: the line keeps that a number was decoded,
not which."""
_ENCODED = re.compile(r"/[^/?]*%[^/?]*")
"""A path segment written with escapes: no address of ours has one (tokens and numbers are
ASCII), so it was typed by hand — a name after a slash (/张三明) — and is logged as ``[…]``."""
ACCESS_LOGGER = "uvicorn.access"
STAFF_LOGGER = "certreg.staff"
"""Who of the staff opened what (`datasette_config.plugins.certreg_session`): an auditor asks
which clerk looked at whose record, and uvicorn's line does not know the user."""


def redacted(path: str) -> str:
    """The path with a link's token as ``[token]`` and each query value as ``*`` (the keys
    stay: they say which search or filter was used)."""
    path, mark, query = path.partition("?")
    path = _SECRET_LINKS.sub(lambda m: m[0][: m[0].index("/", 1) + 1] + "[token]", path)
    path = _NUMBER_PATH.sub("/api/v1/numbers/[number]", path)
    path = _ENCODED.sub("/[…]", path)
    parts = (part.split("=", 1)[0] + "=*" if "=" in part else "*" for part in query.split("&"))
    return path + mark + ("&".join(parts) if query else "")


class RedactSecrets(logging.Filter):
    """Rewrites the path argument of uvicorn's access records (``client - "GET path HTTP/1.1"
    status``) before any handler formats them."""

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if isinstance(args, tuple) and len(args) >= 3 and isinstance(args[2], str):
            record.args = (*args[:2], redacted(args[2]), *args[3:])
        return True


def redact_access_log() -> None:
    """Install the filter on uvicorn's access logger, once per process."""
    logger = logging.getLogger(ACCESS_LOGGER)
    if not any(isinstance(f, RedactSecrets) for f in logger.filters):
        logger.addFilter(RedactSecrets())


def staff_log() -> logging.Logger:
    """The staff log, written to stderr (the service's journal) beside the access log."""
    logger = logging.getLogger(STAFF_LOGGER)
    if not any(isinstance(h, _StaffHandler) for h in logger.handlers):  # once per process
        logger.addHandler(_StaffHandler())  # the journal stamps each line with its own time
        logger.propagate = False
    logger.setLevel(logging.INFO)
    return logger


class _StaffHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """stderr, the staff log's own: known again by its class, whatever else the logger has."""
