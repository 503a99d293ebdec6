"""Login for the whole instance: staff accounts from the environment, anonymous visitors to the form.

metadata.yml's top-level ``allow: {id: "*"}`` refuses every page to a visitor who is not signed
in; this plugin supplies the accounts datasette-auth-passwords checks, and turns the refusal
into a redirect to ``/-/login`` so nobody is left at a bare 403 page.
"""

from __future__ import annotations

import os
from typing import Any

from datasette import hookimpl
from datasette.utils.asgi import Response

from datasette_config.staff import AccountProblem, auth_passwords_config


@hookimpl
def get_metadata(datasette: Any, key: Any, database: Any, table: Any) -> dict[str, Any]:
    """Each ``CERTREG_STAFF_<username>`` variable becomes an account (read on every request,
    so the hash stays in the environment and out of ``/-/metadata``)."""
    try:
        accounts = auth_passwords_config(os.environ)
    except AccountProblem:
        # certreg browse refuses to start with a malformed account; here, no account works.
        accounts = {}
    return {"plugins": {"datasette-auth-passwords": accounts}}


@hookimpl
def forbidden(datasette: Any, request: Any, message: str) -> Response | None:
    if request.actor is None:
        return Response.redirect(datasette.urls.path("/-/login"))
    return None
