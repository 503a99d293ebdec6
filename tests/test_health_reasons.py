"""What a replica's 503 names as the cause — the registry, or the verification log's disk — on
the API, the pages and ``/healthz``: a monitor reads ``error`` to know which to look at."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.verify_fixtures import (
    VALID,
    AppClient,
    app_client,
    clock,
    csrf_token,
    registry_db,
)

__all__ = ["app_client", "clock", "registry_db"]

CHECK = {"number": VALID[0], "name": VALID[1]}


def test_a_registry_that_cannot_be_read_is_named_registry_unavailable(
    app_client: AppClient, registry_db: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """registry.db replaced by a file that is no database while the app ran: the checks and
    /healthz answered ``server_error`` — "the verification log cannot be written" in the
    OpenAPI document — and a monitor looked at the wrong component (an API integrator's
    review). The registry is named, and /healthz says what the operator should check."""
    garbage = registry_db.parent / "incoming.db"
    garbage.write_bytes(os.urandom(8192))
    with app_client() as client:
        assert client.post("/api/v1/verify", json=CHECK).status_code == 200
        token = csrf_token(client)
        os.replace(garbage, registry_db)
        single = client.post("/api/v1/verify", json=CHECK)
        batch = client.post("/api/v1/verify/batch", json={"items": [CHECK]})
        page = client.post("/check", data={**CHECK, "csrf_token": token})
        health = client.get("/healthz")
    for answer in (single, batch, health):
        assert answer.status_code == 503 and answer.headers["Retry-After"] == "60"
        assert answer.json()["error"] == "registry_unavailable"
    assert "登记库无法读取" in single.json()["message"] == batch.json()["message"]
    assert page.status_code == 503 and "登记库无法读取" in page.text
    said = health.json()["message"]
    assert "登记库文件" in said and "certreg follow" in said and "not a database" in said
    assert "登记库无法读取（POST check）" in caplog.text  # the administrator's journal
