"""Reports of suspected forgeries through the API (§五.(三)): an HR system that checks 1,200
employees by API found 240 numbers not registered, and could report them only by scraping the
result page's form for its ticket."""

from __future__ import annotations

import datetime as dt
import re
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from tests.verify_fixtures import (
    MALFORMED,
    NO_MATCH_UNKNOWN,
    REVOKED,
    VALID,
    AppClient,
    app_client,
    clock,
    registry_db,
    reports_of,
)
from verify_app import reports
from verify_app.openapi import openapi_document

__all__ = ["app_client", "clock", "registry_db"]


def ticket_of(client: Any, number: str, name: str) -> str:
    answer = client.post("/api/v1/verify", json={"number": number, "name": name}).json()
    ticket: str = answer["report_ticket"]
    return ticket


@pytest.mark.parametrize("case", [NO_MATCH_UNKNOWN, REVOKED, MALFORMED])
def test_an_answer_a_forgery_may_be_reported_from_carries_its_ticket(
    app_client: AppClient, registry_db: Path, case: tuple[str, str]
) -> None:
    with app_client() as client:
        ticket = ticket_of(client, *case)
        sent = client.post(
            "/api/v1/reports",
            json={"ticket": ticket, "contact": "人事处 028-1234567", "text": "应聘者的证书查不到"},
        )
        again = client.post("/api/v1/reports", json={"ticket": ticket, "text": "再报一次"})
        # a retry after a timeout, word for word: a resend, not a new report
        retried = client.post(
            "/api/v1/reports",
            json={"ticket": ticket, "contact": "人事处 028-1234567", "text": "应聘者的证书查不到"},
        )
    assert sent.status_code == 201, sent.text
    filed = sent.json()
    assert re.fullmatch(r"\d{8}-[0-9A-F]{6}", filed["ref"]) and filed["again"] is False
    assert filed["contact"]["name"]  # whom the report went to, to call about it
    [report] = reports_of(registry_db)
    assert (report["ref"], report["text"]) == (filed["ref"], "应聘者的证书查不到")
    assert report["contact"] == "人事处 028-1234567"
    assert filed["number"] == (report["number"] if case != MALFORMED else None)
    # the same check reported twice is one report: the first's number, nothing more stored
    assert again.status_code == 200 and again.json()["ref"] == filed["ref"]
    assert again.json()["again"] is True and len(reports_of(registry_db)) == 1
    assert retried.status_code == 200 and retried.json()["again"] is True
    assert retried.json()["ref"] == filed["ref"]
    dump = "\n".join(sqlite3.connect(registry_db.parent / "verify_log.db").iterdump())
    assert case[1] not in dump  # the typed name, nowhere in clear


def test_a_valid_answer_has_no_ticket(app_client: AppClient) -> None:
    with app_client() as client:
        answer = client.post("/api/v1/verify", json={"number": VALID[0], "name": VALID[1]})
        batch = client.post(
            "/api/v1/verify/batch",
            json={
                "items": [
                    {"number": VALID[0], "name": VALID[1]},
                    dict(zip(("number", "name"), REVOKED, strict=True)),
                ]
            },
        )
    assert "report_ticket" not in answer.json()
    first, revoked = batch.json()["results"]
    assert "report_ticket" not in first and revoked["report_ticket"]


@pytest.mark.parametrize(
    ("body", "said"),
    [
        ({"ticket": "not-a-ticket", "text": "可疑"}, "已过期或不完整"),
        ({"ticket": "", "text": "可疑"}, "ticket"),
        ({"ticket": 5, "text": "可疑"}, "应为字符串"),
        ({"tiket": "x", "text": "可疑"}, "是否应为 ticket"),
        ([], "请求体应为"),
    ],
)
def test_a_report_without_a_genuine_ticket_is_refused(
    app_client: AppClient, registry_db: Path, body: object, said: str
) -> None:
    with app_client() as client:
        refused = client.post("/api/v1/reports", json=body)
    assert refused.status_code == 422 and refused.json()["error"] == "invalid"
    assert said in refused.json()["message"]
    assert reports_of(registry_db) == []


@pytest.mark.parametrize(("text", "said"), [("", "写明可疑之处"), ("\u202e可疑", "U+202E")])
def test_a_report_says_what_was_seen_in_plain_text(
    app_client: AppClient, registry_db: Path, text: str, said: str
) -> None:
    with app_client() as client:
        refused = client.post(
            "/api/v1/reports", json={"ticket": ticket_of(client, *REVOKED), "text": text}
        )
    assert refused.status_code == 422 and said in refused.json()["message"]
    assert reports_of(registry_db) == []


def test_a_report_without_contact_may_send_it_as_null(
    app_client: AppClient, registry_db: Path
) -> None:
    """A generated client sends null for the optional contact: a report, not a 422."""
    with app_client() as client:
        ticket = ticket_of(client, *REVOKED)
        sent = client.post(
            "/api/v1/reports", json={"ticket": ticket, "contact": None, "text": "证书疑似伪造"}
        )
    assert sent.status_code == 201, sent.text
    assert len(reports_of(registry_db)) == 1


def test_a_clients_reports_a_day_are_counted_by_the_api(app_client: AppClient) -> None:
    """The day's allowance of reports, as the report form's (test_employer_reports): the API's
    second report is a 429 the client can wait out."""
    with app_client(reports_per_day=1) as client:
        first = client.post(
            "/api/v1/reports", json={"ticket": ticket_of(client, *REVOKED), "text": "可疑"}
        )
        second = client.post(
            "/api/v1/reports", json={"ticket": ticket_of(client, *MALFORMED), "text": "可疑"}
        )
    assert first.status_code == 201
    assert second.status_code == 429 and second.json()["reason"] == "reports_daily"
    assert int(second.headers["Retry-After"]) > 0
    # and the document says so of this operation's 429, not only of checks' allowances
    documented = openapi_document()["paths"]["/api/v1/reports"]["post"]["responses"]["429"]
    assert "reports_daily" in documented["description"]


def test_a_report_the_log_cannot_store_is_to_be_sent_again(
    app_client: AppClient, registry_db: Path
) -> None:
    """A log that fails under the app (here its reports' table gone, as in a damaged file) is a
    503 saying to send the report again."""
    with app_client() as client:
        ticket = ticket_of(client, *NO_MATCH_UNKNOWN)
        client.app.state.verifier.log.flush()
        with sqlite3.connect(registry_db.parent / "verify_log.db") as log:
            log.execute("DROP TABLE reports")
        sent = client.post("/api/v1/reports", json={"ticket": ticket, "text": "查不到"})
    assert sent.status_code == 503 and sent.headers["Retry-After"] == "30"
    assert "请稍后再提交" in sent.json()["message"]


def test_a_ticket_an_earlier_version_signed_is_still_reported(app_client: AppClient) -> None:
    """A site upgraded within a day of an employer's check: its ticket, signed before tickets
    carried a token of their check, was a KeyError — a 500 for a report of a forgery."""
    with app_client() as client:
        at = client.app.state.verifier.now().replace(microsecond=0).isoformat()
        earlier = {"number": NO_MATCH_UNKNOWN[0], "result": "no_match", "at": at}
        ticket = client.app.state.report_tickets.dumps({**earlier, "name_hash": "ab" * 32})
        sent = client.post("/api/v1/reports", json={"ticket": ticket, "text": "查不到"})
    assert sent.status_code == 201, sent.text


def test_a_mistake_of_the_codes_own_storing_a_report_is_no_503(
    app_client: AppClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A 503 says to send again, and nginx fails over from the replica: an integrity error —
    the code's own, not the log's trouble — is raised as it is (a 500), not answered so."""

    def breaks(*args: object) -> None:
        raise sqlite3.IntegrityError("UNIQUE constraint failed: reports.ref")

    monkeypatch.setattr(reports, "file_report", breaks)
    with app_client() as client:
        ticket = ticket_of(client, *NO_MATCH_UNKNOWN)
        with pytest.raises(sqlite3.IntegrityError):
            client.post("/api/v1/reports", json={"ticket": ticket, "text": "查不到"})


def test_a_ticket_of_a_check_days_ahead_of_the_clock_is_refused(app_client: AppClient) -> None:
    """A replica whose clock ran days ahead signed tickets that outlived their day by as much:
    a check dated past a few minutes ahead is no check of ours."""
    with app_client() as client:
        verifier = client.app.state.verifier
        ahead = (verifier.now() + dt.timedelta(days=2)).replace(microsecond=0).isoformat()
        check = {"number": NO_MATCH_UNKNOWN[0], "result": "no_match", "check": "ab" * 32}
        ticket = client.app.state.report_tickets.dumps({**check, "at": ahead})
        sent = client.post("/api/v1/reports", json={"ticket": ticket, "text": "查不到"})
    assert sent.status_code == 422 and "已过期或不完整" in sent.json()["message"], sent.text
