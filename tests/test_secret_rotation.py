"""Changing ``CERTREG_SECRET`` with the old one as ``CERTREG_PREVIOUS_SECRET``: what the old
secret signed — receipts (a confirmation's too), forms filled before, report tickets — still
opens; nothing new is signed with it; without it, all of them are refused as before."""

from __future__ import annotations

import pytest
from starlette.datastructures import Secret

from tests.verify_fixtures import (
    NO_MATCH_UNKNOWN,
    SECRET,
    VALID,
    AppClient,
    app_client,
    clock,
    context_of,
    csrf_token,
    post_check,
    registry_db,
    template_of,
)
from verify_app.settings import Settings, SettingsProblem

__all__ = ["app_client", "clock", "registry_db"]

NEW = Secret("the-new-secret-of-2027-0123456789")
OLD = Secret(SECRET)


def test_a_receipt_of_the_old_secret_opens_while_it_is_the_previous_one(
    app_client: AppClient,
) -> None:
    with app_client() as client:
        url = context_of(post_check(client, *VALID))["receipt_url"]
        confirmed = client.post(
            "/check",
            data={
                "number": VALID[0],
                "name": VALID[1],
                "issued_on": "2012-03-15",  # as registered
                "csrf_token": csrf_token(client),
            },
        )
    confirmed_url = context_of(confirmed)["receipt_url"]
    with app_client(secret=NEW, previous_secret=OLD) as client:
        opened = client.get(url)
        opened_confirmed = client.get(confirmed_url)
        new_url = context_of(post_check(client, *VALID))["receipt_url"]
    with app_client(secret=NEW) as client:
        refused = client.get(url)
        new_opens = client.get(new_url)
    assert opened.status_code == 200 and context_of(opened)["check"].result == "valid"
    # a confirmation's receipt: its digest of the confirmed fields keyed by the old secret too
    assert opened_confirmed.status_code == 200
    assert "与登记相符" in opened_confirmed.text
    assert "此后登记的内容有更正" not in opened_confirmed.text
    assert refused.status_code == 400  # 回执无效, as before there was a previous secret
    # what the app signs now is the new secret's alone
    assert new_opens.status_code == 200 and context_of(new_opens)["check"].result == "valid"


def test_a_form_filled_before_the_secret_changed_is_accepted(app_client: AppClient) -> None:
    """A page served before the restart carries a token of the old secret: its check and its
    report go through rather than come back 表单已失效."""
    with app_client() as client:
        token = csrf_token(client)
        page = post_check(client, *NO_MATCH_UNKNOWN)
        cookies = dict(client.cookies)
    form = {"number": VALID[0], "name": VALID[1], "csrf_token": token}
    report = {
        "ticket": context_of(page)["report_ticket"],
        "text": "应聘者的证书查不到",
        "csrf_token": context_of(page)["csrf_token"],
    }
    with app_client(secret=NEW, previous_secret=OLD) as client:
        client.cookies.update(cookies)
        checked = client.post("/check", data=form)
        sent = client.post("/report", data=report)
    with app_client(secret=NEW) as client:
        client.cookies.update(cookies)
        refused = client.post("/check", data=form)
        refused_report = client.post("/report", data=report)
    assert checked.status_code == 200 and context_of(checked)["check"].result == "valid"
    assert sent.status_code == 200 and template_of(sent) == "report_sent.html"
    assert refused.status_code == 403 and refused_report.status_code == 403


def test_healthz_shows_both_secrets_ids_while_changing(app_client: AppClient) -> None:
    """Every replica must accept the same old secret: monitoring compares its id too."""
    with app_client() as client:
        before = client.get("/healthz").json()
    with app_client(secret=NEW, previous_secret=OLD) as client:
        during = client.get("/healthz").json()
    assert before["previous_secret_id"] is None
    assert during["previous_secret_id"] == before["secret_id"] != during["secret_id"]


@pytest.mark.parametrize(
    ("previous", "said"),
    [
        ("short", "太短"),
        (SECRET, "相同"),
        ("$(python3 -c 'import secrets; print(secrets.token_urlsafe(32))')", "命令"),
    ],
)
def test_an_unusable_previous_secret_stops_the_start(previous: str, said: str) -> None:
    environ = {"CERTREG_SECRET": SECRET, "CERTREG_PREVIOUS_SECRET": previous}
    with pytest.raises(SettingsProblem, match=said):
        Settings.from_environ(environ)


def test_the_previous_secret_is_read_from_the_environment() -> None:
    settings = Settings.from_environ(
        {"CERTREG_SECRET": str(NEW), "CERTREG_PREVIOUS_SECRET": SECRET}
    )
    assert settings.secrets == (str(NEW), SECRET)
    assert Settings.from_environ({"CERTREG_SECRET": SECRET}).secrets == (SECRET,)
