"""The bound on guessing a holder's name (SPEC §7 abuse limits, `verify_app.guesses`): a number
is no secret, so the names a caller may try against one number are bounded, not only the pace."""

from __future__ import annotations

from pathlib import Path

import pytest

from registry.public.lookup import Verification
from tests.verify_fixtures import (
    VALID,
    AppClient,
    app_client,
    clock,
    context_of,
    csrf_token,
    read_log,
    registry_db,
)
from verify_app import guesses
from verify_app.answers import Checked, Item
from verify_app.guesses import NameGuesses
from verify_app.quotas import Caller, Quotas
from verify_app.ratelimit import CheckLimiter, RateLimited

__all__ = ["app_client", "clock", "registry_db"]

NUMBER, NAME = VALID
WRONG = ["张伟明", "张建明", "张志明"]


def test_names_past_the_bound_pause_the_number_for_that_caller_whatever_the_name(
    app_client: AppClient, registry_db: Path
) -> None:
    """Forty candidate names for one number found the holder's. After three that do not match,
    the right name is refused as a wrong one is: the refusal tells nothing of the name."""
    with app_client(name_guesses_per_hour=3) as client:
        answers = [
            client.post("/api/v1/verify", json={"number": NUMBER, "name": name})
            for name in [*WRONG, WRONG[0]]
        ]
        right = client.post("/api/v1/verify", json={"number": NUMBER, "name": NAME})
        another_number = client.post(
            "/api/v1/verify", json={"number": "Z1122020123", "name": "周杰"}
        )
    assert [a.status_code for a in answers[:3]] == [200, 200, 200]
    assert answers[3].status_code == 429  # (the same wrong name again is no new guess: fits)
    assert right.status_code == 429 and "为防止有人猜测持证人姓名" in right.json()["message"]
    assert int(right.headers["Retry-After"]) > 0
    assert another_number.status_code == 200  # only the number guessed at waits
    assert len(read_log(registry_db)) == 4  # what was refused was not looked up


def test_a_repeated_wrong_name_is_one_guess(app_client: AppClient) -> None:
    with app_client(name_guesses_per_hour=2) as client:
        statuses = [
            client.post("/api/v1/verify", json={"number": NUMBER, "name": WRONG[0]}).status_code
            for _ in range(5)
        ]
        right = client.post("/api/v1/verify", json={"number": NUMBER, "name": NAME})
    assert statuses == [200] * 5 and right.json()["result"] == "valid"


def test_another_caller_is_not_paused(app_client: AppClient) -> None:
    """The bound is per caller: a stranger's guesses do not stop an employer's check."""
    with app_client(("198.51.100.9", 1), name_guesses_per_hour=2) as stranger:
        for name in WRONG:
            stranger.post("/api/v1/verify", json={"number": NUMBER, "name": name})
    with app_client(name_guesses_per_hour=2) as employer:
        answer = employer.post("/api/v1/verify", json={"number": NUMBER, "name": NAME})
    assert answer.status_code == 200 and answer.json()["result"] == "valid"


def test_a_batch_of_many_names_for_one_number_is_refused_unread(
    app_client: AppClient, registry_db: Path
) -> None:
    items = [{"number": NUMBER, "name": name} for name in [*WRONG, NAME]]
    with app_client(name_guesses_per_hour=3) as client:
        refused = client.post("/api/v1/verify/batch", json={"items": items})
        fewer = client.post("/api/v1/verify/batch", json={"items": items[2:]})
    assert refused.status_code == 422 and refused.json()["error"] == "too_many"
    assert f"证书编号 {NUMBER} 一次配了 4 个不同的姓名" in refused.json()["message"]
    assert [r["result"] for r in fewer.json()["results"]] == ["no_match", "valid"]
    assert len(read_log(registry_db)) == 2


def test_zero_turns_the_bound_off(app_client: AppClient) -> None:
    with app_client(name_guesses_per_hour=0) as client:
        for name in WRONG * 3:
            client.post("/api/v1/verify", json={"number": NUMBER, "name": name + "x"})
        right = client.post("/api/v1/verify", json={"number": NUMBER, "name": NAME})
    assert right.json()["result"] == "valid"


def test_a_watch_form_with_many_names_for_one_number_says_so(app_client: AppClient) -> None:
    """Its refusal was the watch form's for a list larger than the hour's batch allowance."""
    lines = "\n".join(f"{NUMBER} {name}" for name in [*WRONG, NAME])
    with app_client(name_guesses_per_hour=3) as client:
        page = client.post("/watch", data={"entries": lines, "csrf_token": csrf_token(client)})
    assert page.status_code == 422
    assert f"证书编号 {NUMBER} 一次配了 4 个不同的姓名" in context_of(page)["error"]


def test_keys_too_many_to_remember_make_every_check_read_its_counter(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """With counts in memory, a check skips reading a counter this process never counted: once
    it had to drop what it remembered, it reads every counter again, and the bound holds."""
    monkeypatch.setattr(guesses, "MAX_REMEMBERED", 4)
    bound = NameGuesses(Quotas(CheckLimiter(0), batch_rows_per_hour=0, reports_per_day=0), 1)
    caller = Caller("203.0.113.7")
    for i in range(6):  # one name missed against each of six numbers: more than remembered
        number = f"Z11220201{i:02d}"
        checked = Checked(Verification("no_match", number), name_hash=f"{i:064x}")
        bound.count(caller, [checked])
    with pytest.raises(RateLimited):
        bound.allow(caller, [Item("Z1122020100", "周杰")])
