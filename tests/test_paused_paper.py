"""A number paused for every anonymous caller (too many names tried with it today) still opens to
an employer who types the paper's 发证日期 and 工种 as well — answered only when the name and
both fields match, refused with the same pause otherwise, each (name, date, trade) a guess on the
caller's own hourly counter (`verify_app.guesses_asked`)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

from tests.test_name_guesses import NAME, NUMBER, bounded, storage
from tests.verify_fixtures import Clock, clock, context_of, csrf_token, registry_db
from verify_app.app import create_app

__all__ = ["clock", "registry_db", "storage"]

PAPER = {"issued_on": "2012-03-15", "trade": "汽车驾驶员"}
"""What G1122000001's paper shows (张三明, 高级工)."""
GUESSED = ["张伟明", "张建明", "张志明", "张国明"]


@pytest.fixture
def paused(registry_db: Path, storage: str, clock: Clock) -> Iterator[Any]:
    """An app whose anonymous callers together have tried a day's names (4) with NUMBER, from
    two addresses; yields a client of a third address, an employer who never checked it."""
    app = create_app(bounded(registry_db, storage, per_hour=2, per_day=4), clock=clock)
    with TestClient(app, client=("203.0.113.1", 1)):
        for i, name in enumerate(GUESSED):
            guesser = TestClient(app, client=(f"203.0.113.{10 + i // 2}", 1))
            guesser.post("/api/v1/verify", json={"number": NUMBER, "name": name})
        yield TestClient(app, client=("198.51.100.7", 1))


def check(client: TestClient, name: str, **paper: str) -> Any:
    body: dict[str, Any] = {"number": NUMBER, "name": name}
    if paper:
        body["confirm"] = paper
    return client.post("/api/v1/verify", json=body)


def test_the_paper_opens_a_number_paused_for_everyone(paused: TestClient) -> None:
    name_alone = check(paused, NAME)
    with_paper = check(paused, NAME, **PAPER)
    assert name_alone.status_code == 429 and name_alone.json()["reason"] == "number_paused"
    assert "请同时填写证书上的发证日期和工种" in name_alone.json()["message"]
    assert with_paper.status_code == 200, with_paper.text
    body = with_paper.json()
    assert body["result"] == "valid"
    assert body["confirmation"] == {"issued_on": "match", "trade": "match"}


@pytest.mark.parametrize(
    ("name", "paper"),
    [
        (NAME, {**PAPER, "issued_on": "2012-03-16"}),  # the right name, a day off
        (NAME, {**PAPER, "trade": "电工"}),
        ("张红明", PAPER),  # a name guessed with the right paper
        (NAME, {"issued_on": PAPER["issued_on"]}),  # the date alone
    ],
    ids=["date off", "other trade", "other name", "no trade"],
)
def test_anything_the_paper_gets_wrong_meets_the_same_pause(
    paused: TestClient, name: str, paper: dict[str, str]
) -> None:
    """A refusal tells nothing of which part was wrong: the same as the name alone's."""
    refused = check(paused, name, **paper)
    alone = check(paused, NAME)
    assert refused.status_code == 429
    assert refused.json() == alone.json()


def test_each_date_tried_is_a_guess_of_the_callers_own(paused: TestClient) -> None:
    """Trying dates for one name is no cheaper than trying names: two wrong (name, date, trade)
    spend the caller's hour (2), and then even the whole paper waits — the caller's own pause."""
    wrong = [check(paused, NAME, **{**PAPER, "issued_on": f"2012-03-{d}"}) for d in (16, 17)]
    right = check(paused, NAME, **PAPER)
    assert [w.status_code for w in wrong] == [429, 429]
    assert right.status_code == 429
    assert "一小时内" in right.json()["message"]  # its own hour, not the day everyone shares


def test_a_batch_row_with_the_paper_is_answered_while_its_number_is_paused(
    paused: TestClient,
) -> None:
    batch = paused.post(
        "/api/v1/verify/batch",
        json={"items": [{"number": NUMBER, "name": NAME, "confirm": PAPER}]},
    )
    assert batch.status_code == 200, batch.text
    assert batch.json()["results"][0]["result"] == "valid"


def test_the_page_tells_the_employer_to_type_the_paper_and_then_answers(
    paused: TestClient,
) -> None:
    form = {"number": NUMBER, "name": NAME, "csrf_token": csrf_token(paused)}
    refused = paused.post("/check", data=form)
    answered = paused.post("/check", data={**form, **PAPER, "confirm": "1"})
    assert refused.status_code == 429 and "发证日期和工种" in refused.text
    assert answered.status_code == 200 and context_of(answered)["check"].result == "valid"
