"""An anonymous visitor cannot crash, stall or fool the public app (issue #13).

Hostile spreadsheets go to the public upload of a real ``certreg serve`` (uvicorn process): each
is refused with a 4xx and a Chinese message, and the same server process is alive and answering
afterwards, its own memory bounded. Then, in-process: uploads are charged before they are
parsed and refunded after, a full set of parsing slots answers 503 with Retry-After, hostile
JSON is a 400, undeclared methods a 405 with Allow, and HSTS is sent over https only.
"""

from __future__ import annotations

import io
import json
import os
import re
import subprocess
import sys
import time
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx2 as httpx
import openpyxl
import pytest
from openpyxl.worksheet.worksheet import Worksheet
from starlette.datastructures import Secret
from starlette.testclient import TestClient

from tests.hostile_files import HOSTILE, MAIN_NS, build
from tests.servers import free_port
from tests.test_employer_allowances import issue_key
from tests.verify_fixtures import (
    SECRET,
    VALID,
    AppClient,
    Clock,
    app_client,
    clock,
    csrf_token,
    distinct_items,
    registry_db,
    sync_samples,
)
from verify_app.app import create_app
from verify_app.body_text import body_text
from verify_app.settings import Settings

__all__ = ["app_client", "clock", "registry_db"]

CHINESE = re.compile(r"[\u4e00-\u9fff]")
PROBLEM = re.compile(r'<p (?:id="form-error" )?class="problem" role="alert">([^<]*)</p>')
MAX_SERVER_RSS_MB = 300
MAX_BODY_BYTES = Settings.max_body_bytes


# The hostile corpus: `tests.hostile_files` (the spreadsheets that beat python-calamine), less
# the FIFO and /dev/zero (no upload is a device), plus a few of the upload's own below.


def _workbook(fill: Callable[[Worksheet], None]) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    fill(sheet)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _one_cell_at(cell: str) -> bytes:
    """openpyxl's own workbook (styles, theme…) with a header and one far cell."""

    def fill(sheet: Worksheet) -> None:
        sheet["A1"], sheet["B1"] = "证书编号", "姓名"
        sheet[cell] = "x"

    return _workbook(fill)


def _million_rows() -> bytes:
    """A worksheet of 1,048,576 rows (Excel's most; ``r`` attributes are optional), ~50 KB."""
    base = _workbook(lambda sheet: sheet.append(["证书编号", "姓名"]))
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(base)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as target,
    ):
        for info in source.infolist():
            if info.filename != "xl/worksheets/sheet1.xml":
                target.writestr(info, source.read(info))
        with target.open("xl/worksheets/sheet1.xml", "w") as part:
            part.write(f'<worksheet xmlns="{MAIN_NS}"><sheetData>'.encode())
            block = b'<row><c t="n"><v>1</v></c></row>' * 4096
            for _ in range(1_048_576 // 4096):
                part.write(block)
            part.write(b"</sheetData></worksheet>")
    return out.getvalue()


UPLOAD_HOSTILE: dict[str, Callable[[], bytes]] = {
    "openpyxl-xfd1048576.xlsx": lambda: _one_cell_at("XFD1048576"),
    "openpyxl-xfd3000.xlsx": lambda: _one_cell_at("XFD3000"),
    "million-rows.xlsx": _million_rows,
    "wide-field.csv": lambda: b'"' + b"9" * 300_000 + b'",x\n',
    "many-rows.csv": lambda: f"{VALID[0]},{VALID[1]}\n".encode() * 600,
}
NOT_UPLOADABLE = ("fifo/r.csv", "dev-zero/r.csv")
CORPUS = [h.name for h in HOSTILE if h.name not in NOT_UPLOADABLE] + list(UPLOAD_HOSTILE)


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Callable[[str], bytes]:
    """The bytes of a corpus file by name, built on first use."""
    folder = tmp_path_factory.mktemp("corpus")
    by_name = {h.name: h for h in HOSTILE}

    def file(name: str) -> bytes:
        if name in UPLOAD_HOSTILE:
            return UPLOAD_HOSTILE[name]()
        return build(folder, by_name[name]).read_bytes()

    return file


@dataclass(frozen=True)
class Served:
    base: str
    process: subprocess.Popen[bytes]
    log: Path

    def peak_rss_mb(self) -> float:
        """The server process's own peak resident set (VmHWM), children not included."""
        status = Path(f"/proc/{self.process.pid}/status").read_text()
        match = re.search(r"^VmHWM:\s+(\d+) kB", status, re.M)
        assert match, status
        return int(match[1]) / 1024


@contextmanager
def serve(db: Path) -> Iterator[Served]:
    """``certreg serve`` as a real uvicorn process, with its process handle for liveness."""
    port = free_port()
    log = db.parent / f"serve-{port}.log"
    env = {**os.environ, "CERTREG_SECRET": SECRET, "CERTREG_RATE_LIMIT": "0"}
    argv = [sys.executable, "-m", "registry", "serve", "--db", str(db), "--port", str(port)]
    with log.open("wb") as output:
        process = subprocess.Popen(argv, env=env, stdout=output, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(200):  # readiness, not timing: up to ~20 s for the process to listen
            assert process.poll() is None, log.read_text()
            try:
                if httpx.get(f"{base}/healthz").status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.1)
        else:
            raise AssertionError("certreg serve did not start listening")
        yield Served(base, process, log)
    finally:
        process.terminate()
        process.wait(timeout=30)


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    db = tmp_path_factory.mktemp("hostile") / "registry.db"
    sync_samples(db)
    with serve(db) as server:
        yield server


def _upload(base: str, filename: str, data: bytes) -> httpx.Response:
    with httpx.Client(base_url=base, timeout=120) as client:
        form = client.get("/batch")
        token = re.search(r'name="csrf_token" value="([0-9a-f]+)"', form.text)
        assert token
        return client.post(
            "/batch", data={"csrf_token": token[1]}, files={"file": (filename, data)}
        )


@pytest.mark.parametrize("filename", CORPUS)
def test_hostile_upload_refused_and_server_unharmed(
    served: Served, corpus: Callable[[str], bytes], filename: str
) -> None:
    data = corpus(filename)
    response = _upload(served.base, Path(filename).name, data)
    assert 400 <= response.status_code < 500, (response.status_code, response.text[-2000:])
    if len(data) > MAX_BODY_BYTES:  # refused unread by the body limit: a page with a way back
        assert response.status_code == 413
        assert response.headers["content-type"].startswith("text/html")
        assert 'lang="zh-CN"' in response.text and 'href="/batch"' in response.text
        assert '<header class="site">' in response.text  # the site's own page, not a bare one
        problem = PROBLEM.search(response.text)
        assert problem, response.text
        message = problem[1]
    else:  # read, and refused on the upload page
        problem = PROBLEM.search(response.text)
        assert problem, response.text[-2000:]
        message = problem[1]
    assert CHINESE.search(message), message
    assert "Traceback" not in response.text
    assert served.process.poll() is None, served.log.read_text()[-3000:]
    assert httpx.get(f"{served.base}/healthz").json()["status"] == "ok"
    assert served.peak_rss_mb() <= MAX_SERVER_RSS_MB
    assert "Traceback" not in served.log.read_text()


def test_a_good_upload_still_works_after_the_hostile_ones(served: Served) -> None:
    response = _upload(served.base, "list.csv", f"证书编号,姓名\n{VALID[0]},{VALID[1]}\n".encode())
    assert response.status_code == 200
    assert 'class="result-valid"' in response.text


# Uploads are paid for before they are parsed.


def _upload_in(client: object, filename: str, data: bytes) -> httpx.Response:
    token = csrf_token(client)  # type: ignore[arg-type]
    response: httpx.Response = client.post(  # type: ignore[attr-defined]
        "/batch", data={"csrf_token": token}, files={"file": (filename, data)}
    )
    return response


CHECK = {"number": VALID[0], "name": VALID[1]}


@pytest.fixture
def clear_of_a_new_window() -> None:
    """Start a counting test at least 3 s before the batch allowance's next one-hour window:
    the sliding-window counter weighs the last window's count as it rolls over and can let one
    more row through then, which would blur an exact count."""
    to_next = 3600 - time.time() % 3600
    if to_next < 3:
        time.sleep(to_next + 0.1)


def _batch_rows(client: object, rows: int) -> list[int]:
    """API batch checks of one row each, charged to the batch allowance: their statuses."""
    return [
        client.post("/api/v1/verify/batch", json={"items": [CHECK]}).status_code  # type: ignore[attr-defined]
        for _ in range(rows)
    ]


@pytest.mark.usefixtures("clear_of_a_new_window")
def test_upload_without_allowance_is_refused_before_parsing(app_client: AppClient) -> None:
    with app_client(batch_rows_per_hour=5) as client:
        assert (
            client.post("/api/v1/verify/batch", json={"items": distinct_items(5)}).status_code
            == 200
        )
        # an unreadable file: had it been parsed, the answer would be its 400
        response = _upload_in(client, "broken.xlsx", b"PK\x03\x04 not a workbook")
    assert response.status_code == 429
    assert response.headers["Retry-After"].isdigit()
    assert "批量查验额度不够" in response.text


@pytest.mark.usefixtures("clear_of_a_new_window")
def test_upload_pays_for_its_rows_only(app_client: AppClient) -> None:
    rows = f"证书编号,姓名\n{VALID[0]},{VALID[1]}\n{VALID[0]},别人\n{VALID[0]},他人\n"
    with app_client(batch_rows_per_hour=30) as client:
        page = _upload_in(client, "list.csv", rows.encode())
        rest = _batch_rows(client, 28)
    assert page.status_code == 200
    assert len(page.context["results"]) == 3  # type: ignore[attr-defined]
    assert rest == [200] * 27 + [429]  # 3 + 27 = 30 an hour


class Ticking(Clock):
    """The app's clock, twelve seconds further on at each reading: by it an upload's parse takes
    twelve seconds, as a workbook of a million empty cells takes two."""

    def __call__(self) -> float:
        self.now += 12
        return self.now


@pytest.mark.usefixtures("clear_of_a_new_window")
def test_a_client_whose_hour_of_parsing_is_spent_waits_but_may_paste(registry_db: Path) -> None:
    """A one-row workbook of a million empty cells held a parsing slot for two seconds at the
    price of a row: four addresses sending it in turn kept every employer's upload 503 (a
    security review). Thirty seconds of parsing an hour per client: the third slow file waits
    (its rows untouched), a pasted list goes on, another client is not held up."""
    settings = Settings(db=registry_db, secret=Secret(SECRET), rate_limit=0)
    app = create_app(settings, clock=Ticking())
    data = f"{VALID[0]},{VALID[1]}\n".encode()
    with TestClient(app, client=("203.0.113.9", 1)) as client:
        slow = [_upload_in(client, "slow.csv", data) for _ in range(4)]
        named_as_pasted = _upload_in(client, "粘贴的名单.txt", data)  # a file, whatever its name
        pasted = client.post(
            "/batch", data={"csrf_token": csrf_token(client), "entries": " ".join(VALID)}
        )
        left = client.post("/api/v1/verify/batch", json={"items": [CHECK]})
        elsewhere = _upload_in(TestClient(app, client=("198.51.100.20", 1)), "slow.csv", data)
    # 12 s, 24 s, 36 s: the third is parsed (some time was left), the fourth waits
    assert [page.status_code for page in slow] == [200, 200, 200, 429]
    assert "本小时您上传的文件读取用时已满（每个网络地址每小时 30 秒" in slow[3].text
    assert "把名单粘贴到文本框中" in slow[3].text
    assert named_as_pasted.status_code == 429
    assert pasted.status_code == 200 and elsewhere.status_code == 200
    # three rows and the pasted one charged; the refused file's row given back
    assert left.headers["RateLimit-Remaining"] == str(settings.batch_rows_per_hour - 4 - 1)


@pytest.mark.usefixtures("clear_of_a_new_window")
def test_an_api_keys_uploads_have_their_own_hour_of_parsing(registry_db: Path) -> None:
    """A key reserves one row of its day for a file: untimed, one key kept the slots busy at a
    row a file (the fixes' review)."""
    settings = Settings(db=registry_db, secret=Secret(SECRET), rate_limit=0)
    _, key = issue_key(registry_db, per_day=1000)
    app = create_app(settings, clock=Ticking())
    data = f"{VALID[0]},{VALID[1]}\n".encode()
    with TestClient(app, client=("203.0.113.10", 1)) as client:
        client.headers["Authorization"] = f"Bearer {key}"
        keyed = [_upload_in(client, "slow.csv", data) for _ in range(4)]
        del client.headers["Authorization"]
        anonymous = _upload_in(client, "slow.csv", data)  # the address's own hour is untouched
    assert [page.status_code for page in keyed] == [200, 200, 200, 429]
    assert anonymous.status_code == 200


@pytest.mark.usefixtures("clear_of_a_new_window")
def test_refused_upload_costs_one_check(app_client: AppClient) -> None:
    with app_client(batch_rows_per_hour=30) as client:
        page = _upload_in(client, "broken.xlsx", b"PK\x03\x04 not a workbook")
        rest = _batch_rows(client, 30)
    assert page.status_code == 400
    assert rest == [200] * 29 + [429]


@pytest.mark.usefixtures("clear_of_a_new_window")
def test_upload_with_every_parsing_slot_taken_is_503(app_client: AppClient) -> None:
    data = f"{VALID[0]},{VALID[1]}\n".encode()
    with app_client(upload_concurrency=1, batch_rows_per_hour=30) as client:
        with client.app.state.uploads.slot():
            busy = _upload_in(client, "list.csv", data)
        free = _upload_in(client, "list.csv", data)
        rest = _batch_rows(client, 30)
    assert busy.status_code == 503
    assert busy.headers["Retry-After"].isdigit()
    assert "请 5 秒后重新提交" in busy.context["error"]  # type: ignore[attr-defined]
    assert free.status_code == 200
    assert rest == [200] * 29 + [429]  # the 503 cost nothing, the good file one row


# Hostile JSON


@pytest.mark.parametrize(
    ("name", "number", "said"),
    [
        ("周杰", "Z1122020123", "valid"),  # its GBK reading is no Chinese text: UTF-8 it is
        ("吴敏", "C1122020002", "ambiguous"),  # both readings Chinese: neither guessed
    ],
)
def test_a_body_two_charsets_read_differently_is_never_answered_no_match(
    app_client: AppClient, name: str, number: str, said: str
) -> None:
    """Labelled GBK, a body UTF-8 also reads: the reading that is Chinese text is taken; where
    both are, neither is guessed — a 400 saying to send UTF-8, not 未查到 with a forgery ticket
    and a wrong name counted against a real number (a review). 郑路 in GBK, whose bytes are
    UTF-8 too (an integrator's review), is read as GBK: its UTF-8 reading is no Chinese."""
    body = json.dumps({"number": number, "name": name}, ensure_ascii=False).encode()
    assert body.decode("gb18030") != body.decode()  # two readings
    with app_client() as client:
        answered = client.post(
            "/api/v1/verify",
            content=body,
            headers={"content-type": "application/json; charset=GBK"},
        )
    if said == "valid":
        assert answered.status_code == 200 and answered.json()["result"] == "valid"
    else:
        assert answered.status_code == 400 and "无法确定是哪一种" in answered.json()["message"]
    zheng_lu = "郑路".encode("gbk")
    assert zheng_lu.decode("utf-8") != "郑路" and body_text(zheng_lu, "gbk") == "郑路"
    # a batch's one ・ (a name's dot) tipped the whole body into its GBK reading (a review)
    items = [{"number": number, "name": name}, {"number": "C1122020003", "name": "王・"}]
    batch = json.dumps({"items": items}, ensure_ascii=False).encode()
    with app_client() as client:
        answered = client.post(
            "/api/v1/verify/batch",
            content=batch,
            headers={"content-type": "application/json; charset=GBK"},
        )
    assert answered.status_code == 400


@pytest.mark.parametrize(
    ("charset", "encoding", "status"),
    [
        ("GBK", "gbk", 200),
        ("gb2312", "gbk", 200),
        ('"GB18030"', "gb18030", 200),
        ("utf-8", "utf-8", 200),
        ("utf-16", "utf-16", 200),
        ("iso-8859-1", "ascii", 200),  # only ASCII: every charset reads it alike
        ("iso-8859-1", "utf-8", 200),  # a program's default label on a UTF-8 body, as before
        ("windows-1252", "utf-8", 200),
        ("cp936", "gbk", 200),
        ("x-gbk", "gbk", 200),
        ("gbk; charset=utf-8", "utf-8", 200),  # which one? the body says UTF-8
        ("koi8-r", "gbk", 415),
        ("GBK", "utf-8-sig", 200),  # a byte order mark says UTF-8 whatever the label (a review)
        ("iso-8859-1", "utf-8-sig", 200),
        ("utf-8", "gbk", 400),
    ],
)
def test_a_json_body_is_read_in_the_charset_it_declares(
    app_client: AppClient, charset: str, encoding: str, status: int
) -> None:
    """A GBK body was read as UTF-8 whatever it declared: 郑路's GBK bytes are UTF-8 too, and
    the real holder was answered 未查到 with the advice to report a forgery (an integrator's
    review). A UTF-8 body labelled as a program labels it by default is read as before; a
    charset it cannot read is refused, not guessed."""
    name = "Zhang San Ming" if encoding == "ascii" else "张三明"
    body = json.dumps({"number": "G1122000001", "name": name}, ensure_ascii=False)
    with app_client() as client:
        response = client.post(
            "/api/v1/verify",
            content=body.encode(encoding),
            headers={"content-type": f"application/json; charset={charset}"},
        )
    assert response.status_code == status, response.text
    if encoding == "ascii":
        assert response.json()["result"] == "no_match"
    elif status == 200:
        assert response.json()["result"] == "valid"
    else:
        assert "请以 UTF-8 编码发送" in response.json()["message"]


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"[" * 100_000, "嵌套层数过多"),
        (b'{"a":' * 100_000, "嵌套层数过多"),
        (b'{"number": ' + b"1" * 5000 + b"}", "数字位数过多"),
        (b'{"number": "\\u12"}', "第 1 行第 14 列格式有误"),
        (b"", "请求体为空"),
        (b'{"number": "Z1122020123",\n "name": }', "第 2 行第 10 列格式有误"),
        (b'{"number": "\xff"}', "不是 UTF-8 编码的文本"),
        ('{"number": "周"}'.encode("utf-16")[:-1], "不是 UTF-8 编码的文本"),
        # which one counts is the parser's choice: a proxy reading the first saw another check
        (
            '{"number": "G1122000099", "number": "G1122000001", "name": "张三明"}'.encode(),
            "“number”在同一个对象中出现了不止一次",
        ),
        (
            '{"items": [{"number": "G1122000001", "name": "甲", "name": "张三明"}]}'.encode(),
            "“name”在同一个对象中出现了不止一次",
        ),
        # a key UTF-8 cannot carry, named twice: quoted as it came, the answer would not encode
        (
            b'{"\\ud800": 1, "\\ud800": 2}',
            "字段（含无效 Unicode 字符）在同一个对象中出现了不止一次",
        ),
        (b'{"\xed\xa0\x80": 1, "\xed\xa0\x80": 2}', "（含无效 Unicode 字符）在同一个对象中"),
        (
            b'{"items": [{"number": "G1122000001", "name": "x", "\\udfff": 1, "\\udfff": 2}]}',
            "（含无效 Unicode 字符）在同一个对象中",
        ),
    ],
)
@pytest.mark.parametrize("path", ["/api/v1/verify", "/api/v1/verify/batch"])
def test_hostile_json_is_a_400(app_client: AppClient, path: str, body: bytes, message: str) -> None:
    with app_client() as client:
        response = client.post(path, content=body, headers={"content-type": "application/json"})
    assert response.status_code == 400
    assert response.json()["error"] == "bad_json"
    assert message in response.json()["message"]
    words = re.sub(r"\b(number|name|Unicode)\b", "", response.json()["message"])
    assert not re.search(r"[a-z]{4}", words)  # no Python message in English


@pytest.mark.parametrize(
    ("path", "body", "message"),
    [
        ("/api/v1/verify", {**CHECK, "receipt": {}}, "receipt 应为 true 或 false"),
        ("/api/v1/verify", {**CHECK, "receipt": "yes"}, "receipt 应为 true 或 false"),
        ("/api/v1/verify/batch", {"items": [CHECK], "receipts": 1}, "receipts 应为 true 或 false"),
    ],
)
def test_receipt_flags_must_be_booleans(
    app_client: AppClient, path: str, body: dict[str, object], message: str
) -> None:
    with app_client() as client:
        response = client.post(path, json=body)
    assert response.status_code == 422
    assert response.json()["message"] == message


@pytest.mark.parametrize(
    ("method", "path", "allowed"),
    [
        ("TRACE", "/api/v1/verify", {"POST"}),
        ("DELETE", "/api/v1/verify/batch", {"POST"}),
        ("TRACE", "/healthz", {"GET", "HEAD"}),
        ("PUT", "/api/v1/numbers/G1122000001", {"GET", "HEAD"}),
    ],
)
def test_undeclared_method_is_405_with_allow(
    app_client: AppClient, method: str, path: str, allowed: set[str]
) -> None:
    with app_client() as client:
        response = client.request(method, path)
    assert response.status_code == 405
    assert {m.strip() for m in response.headers["Allow"].split(",")} == allowed
    assert f"此地址不支持 {method} 请求" in response.json()["message"]


# HSTS

HSTS = "max-age=31536000; includeSubDomains"


def test_hsts_over_https(app_client: AppClient) -> None:
    with app_client() as client:
        client.base_url = httpx.URL("https://testserver")
        for response in (client.get("/"), client.get("/healthz"), client.get("/nowhere")):
            assert response.headers["Strict-Transport-Security"] == HSTS


def test_hsts_from_a_trusted_proxy_only(app_client: AppClient) -> None:
    https = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "192.0.2.1"}
    with app_client(trusted_proxies=("10.0.0.0/8",), client=("10.1.2.3", 4000)) as client:
        proxied = client.get("/healthz", headers=https)
        plain = client.get("/healthz")
    with app_client(client=("198.51.100.9", 4000)) as client:
        spoofed = client.get("/healthz", headers=https)
    assert proxied.headers["Strict-Transport-Security"] == HSTS
    assert "Strict-Transport-Security" not in plain.headers
    assert "Strict-Transport-Security" not in spoofed.headers
