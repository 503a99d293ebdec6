"""Staff Datasette with the shipped config: login for everything, nothing writable from the web."""

from __future__ import annotations

import urllib.parse
from pathlib import Path

import pytest
from datasette.app import Datasette
from datasette_auth_passwords.utils import hash_password

from tests.datasette_fixtures import (
    STAFF_HASH,
    STAFF_PASSWORD,
    STAFF_USER,
    shipped_datasette,
    shipped_metadata,
    signed_in,
    snapshot,
)

pytestmark = pytest.mark.anyio

LOGIN = "/-/login"
HOLDER = "周杰"  # holder of Z1122020123 in the samples

# path → (status for an anonymous visitor, status for signed-in staff)
PATHS = [
    ("/", 302, 200),
    ("/registry", 302, 200),
    ("/registry.json", 302, 200),
    ("/registry/certificates", 302, 200),
    ("/registry/certificates.json", 302, 200),
    ("/registry/certificates/Z1122020123", 302, 200),
    ("/registry/certificates/Z1122020123.json", 302, 200),
    ("/registry/syncs", 302, 200),
    ("/registry/problems", 302, 200),
    ("/registry/status_events", 302, 200),
    ("/registry/certificate?证书编号=Z1122020123", 302, 200),
    ("/registry/holders.json?姓名=周杰", 302, 200),
    ("/registry/counts", 302, 200),
    ("/registry?sql=select+name+from+certificates", 302, 200),
    ("/registry.json?sql=select+name+from+certificates", 302, 200),
    ("/verify_log", 302, 200),
    ("/verify_log/checks", 302, 200),
    ("/verify_log/suspicious_clients", 302, 200),
    # Datasette's pages about itself: every account's name, the server's paths (a review)
    ("/-/metadata.json", 302, 404),
    ("/-/metadata", 302, 404),
    ("/-/databases.json", 302, 404),
    ("/-/plugins.json", 302, 404),
    ("/-/settings.json", 302, 404),
    ("/-/threads", 302, 404),
    ("/-/versions.json", 302, 404),
    ("/-/allow-debug", 302, 404),
    ("/-/messages", 302, 404),
    # Downloading a whole database file is off for everyone (settings.json allow_download).
    ("/registry.db", 302, 403),
    ("/verify_log.db", 302, 403),
    ("/_internal", 302, 403),
    # The login form itself and static assets must be reachable without a login.
    (LOGIN, 200, 200),
    ("/-/static/app.css", 200, 200),
]


@pytest.mark.parametrize(("path", "anonymous", "staff"), PATHS)
async def test_path_status_anonymous_and_signed_in(
    ds: Datasette, path: str, anonymous: int, staff: int
) -> None:
    anon = await ds.client.get(path)
    assert anon.status_code == anonymous
    if anonymous == 302:  # to the login, which then leads back to the page asked for
        location = urllib.parse.urlsplit(anon.headers["location"])
        assert location.path == LOGIN
        back = urllib.parse.parse_qs(location.query).get("next", ["/"])[0]
        assert urllib.parse.unquote(back) == path
    assert HOLDER not in anon.text
    signed = await ds.client.get(path, cookies=signed_in(ds))
    assert signed.status_code == staff


async def test_signed_in_staff_see_holders(ds: Datasette) -> None:
    response = await ds.client.get(
        "/registry/certificates/Z1122020123.json?_shape=objects", cookies=signed_in(ds)
    )
    assert response.json()["rows"][0]["name"] == HOLDER


async def test_cookie_signed_with_another_secret_is_anonymous(ds: Datasette) -> None:
    other = Datasette([], secret="not the instance secret")
    response = await ds.client.get("/registry/certificates", cookies=signed_in(other))
    assert response.status_code == 302
    assert response.headers["location"].split("?")[0] == LOGIN


async def test_login_form_accepts_the_account_from_the_environment(ds: Datasette) -> None:
    form = await ds.client.get(LOGIN)
    token = form.cookies["ds_csrftoken"]
    wrong = await ds.client.post(
        LOGIN,
        data={"username": STAFF_USER, "password": "wrong", "csrftoken": token},
        cookies={"ds_csrftoken": token},
    )
    assert wrong.status_code == 200
    assert "用户名或密码不正确" in wrong.text
    assert "ds_actor" not in wrong.cookies
    right = await ds.client.post(
        LOGIN,
        data={"username": STAFF_USER, "password": STAFF_PASSWORD, "csrftoken": token},
        cookies={"ds_csrftoken": token},
    )
    assert right.status_code == 302
    page = await ds.client.get("/registry", cookies={"ds_actor": right.cookies["ds_actor"]})
    assert page.status_code == 200


async def test_an_empty_password_never_signs_in(
    ds: Datasette, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Even for an account whose hash is the empty password's (a script's mistake `certreg
    browse` refuses at its start; an environment changed under a running Datasette is not)."""
    monkeypatch.setenv("CERTREG_STAFF_script", hash_password("", iterations=1000))
    form = await ds.client.get(LOGIN)
    token = form.cookies["ds_csrftoken"]
    response = await ds.client.post(
        LOGIN,
        data={"username": "script", "password": "", "csrftoken": token},
        cookies={"ds_csrftoken": token},
    )
    assert response.status_code == 200 and "ds_actor" not in response.cookies


@pytest.mark.parametrize(
    ("asked", "landing"),
    [
        ("/registry/certificates?level=中级工", "/registry/certificates?level=中级工"),
        ("//evil.example/x", "/"),
        ("/\\evil.example", "/"),
        ("https://evil.example/", "/"),
        ("/-/login?next=/registry", "/"),
        ("/registry\x00", "/"),  # a control character would break the Location header
    ],
)
async def test_login_leads_back_to_the_page_asked_for_and_nowhere_else(
    ds: Datasette, asked: str, landing: str
) -> None:
    """A shared link to a report queue survives the login; a crafted one leads to no other
    site."""
    form = await ds.client.get(LOGIN, params={"next": asked})
    token = form.cookies["ds_csrftoken"]
    right = await ds.client.post(
        LOGIN,
        data={
            "username": STAFF_USER,
            "password": STAFF_PASSWORD,
            "csrftoken": token,
            "next": asked,
        },
        cookies={"ds_csrftoken": token},
    )
    assert right.status_code == 302
    assert right.headers["location"] == landing
    assert ('name="next"' in form.text) == (landing != "/")


async def test_no_account_configured_means_nobody_gets_in(
    registry_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(f"CERTREG_STAFF_{STAFF_USER}", raising=False)
    ds = shipped_datasette(registry_db)
    form = await ds.client.get(LOGIN)
    assert "尚未配置职员账号" in form.text


async def test_metadata_shows_no_password_hash_and_no_account(ds: Datasette) -> None:
    """The served metadata named every staff account (the password plugin's configuration):
    Datasette's pages about itself are none for staff."""
    response = await ds.client.get("/-/metadata.json", cookies=signed_in(ds))
    assert response.status_code == 404
    assert STAFF_HASH not in response.text and "pbkdf2_sha256" not in response.text
    assert STAFF_USER not in response.text


WRITE_SQL = [
    "insert into certificates (number) values ('Z1122029999')",
    "update certificates set status = 'revoked'",
    "delete from certificates",
    "select 1; delete from certificates",
    "drop table certificates",
    "attach database 'x.db' as x",
    "pragma writable_schema = 1",
]


@pytest.mark.parametrize("sql", WRITE_SQL)
async def test_write_sql_is_refused(ds: Datasette, registry_db: Path, sql: str) -> None:
    before = snapshot(registry_db)
    response = await ds.client.get(
        "/registry.json", params={"sql": sql, "_shape": "array"}, cookies=signed_in(ds)
    )
    assert response.status_code == 400
    assert snapshot(registry_db) == before


@pytest.mark.parametrize(
    "path",
    [
        "/registry",
        "/registry/certificates",
        "/registry/certificates/Z1122020123",
        "/registry/certificate",
        "/verify_log/suspicious_clients",
        "/registry/certificates/-/insert",
        "/registry/-/create",
    ],
)
async def test_posts_are_refused_as_read_only(ds: Datasette, registry_db: Path, path: str) -> None:
    before = snapshot(registry_db)
    form = await ds.client.get(LOGIN)
    token = form.cookies["ds_csrftoken"]
    response = await ds.client.post(
        path,
        data={"sql": "delete from certificates", "csrftoken": token},
        cookies={**signed_in(ds), "ds_csrftoken": token},
    )
    assert response.status_code == 405
    assert "只读" in response.text
    assert snapshot(registry_db) == before


def test_no_canned_query_writes() -> None:
    for database in shipped_metadata()["databases"].values():
        for name, query in database.get("queries", {}).items():
            assert not query.get("write"), name
