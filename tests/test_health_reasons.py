"""What a replica's 503 names as the cause — the registry, or the verification log's disk — on
the API, the pages and ``/healthz``: a monitor reads ``error`` to know which to look at."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from tests.test_older_registry import older
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


def test_a_disk_short_of_space_is_told_by_every_worker(
    app_client: AppClient, registry_db: Path
) -> None:
    """A full disk under ``certreg serve --workers 2``: /healthz answered 503 and 200 in turn,
    as a failed write of the log is known only to the worker that made it (an operator's
    review). The disk's free space is the same to every worker: below the bound /healthz
    says so, before any write failed; the checks go on while the log takes their rows."""
    free = shutil.disk_usage(registry_db.parent).free
    with app_client(min_free_bytes=free + 2**30) as client:
        health = client.get("/healthz")
        check = client.post("/api/v1/verify", json=CHECK)
        client.app.state.verifier.log.flush()
        failed = client.app.state.verifier.log.unwritable
    with app_client() as client:  # the default bound: far below a test machine's free space
        sound = client.get("/healthz")
    assert health.status_code == 503 and health.headers["Retry-After"] == "30"
    assert health.json()["error"] == "server_error"
    said = health.json()["message"]
    assert "查验日志所在磁盘" in said and "CERTREG_MIN_FREE_BYTES" in said and "df -h" in said
    assert check.json()["result"] == "valid" and not failed
    assert sound.status_code == 200 and sound.json()["status"] == "ok"


def test_a_data_folder_gone_is_a_503_not_a_500(
    app_client: AppClient, registry_db: Path, tmp_path: Path
) -> None:
    """The data folder moved away under the app (its open files read on): the disk's figures
    cannot be read, and /healthz says the log cannot be written rather than fail itself."""
    with app_client() as client:
        client.app.state.verifier.log.flush()
        registry_db.parent.rename(tmp_path / "moved")
        health = client.get("/healthz")
    assert health.status_code == 503 and health.json()["error"] == "server_error"
    assert "查验日志所在的文件夹无法访问" in health.json()["message"]


@pytest.mark.parametrize("broken", ["garbage", "older"])
def test_a_check_the_registry_could_not_answer_is_not_charged(
    app_client: AppClient, registry_db: Path, broken: str
) -> None:
    """Answered 503 registry_unavailable, a batch stayed charged — and nginx asked the other
    replica, which charged it again (a review of the day's diff): refunded, as a check the log
    cannot take is never charged. So is one of a registry an older certreg made (the review
    of those fixes)."""
    garbage = registry_db.parent / "incoming.db"
    if broken == "older":
        older(registry_db, garbage)
    else:
        garbage.write_bytes(os.urandom(8192))
    with app_client(batch_rows_per_hour=10) as client:
        quotas = client.app.state.verifier.quotas
        assert client.post("/api/v1/verify/batch", json={"items": [CHECK]}).status_code == 200
        os.replace(garbage, registry_db)  # under the connection the first check opened
        items = {"items": [CHECK, {"number": "Z1122020124", "name": "某人"}]}
        refused = client.post("/api/v1/verify/batch", json=items)
        left = quotas.batch_left("203.0.113.7")
    assert refused.json()["error"] == "registry_unavailable" and left == 9  # the first's row
