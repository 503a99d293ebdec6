"""The shipped deployment, really run on loopback: Debian's nginx with ``deploy/nginx/certreg.conf``
(TLS with a throw-away certificate; rendered by `bench.deployment`, as the benchmark runs it) in front of two ``certreg serve`` replicas started with the
shipped unit's command line, their rate limits shared through a real Redis.

Clients connect from their own loopback addresses (127.0.0.2, 127.0.0.3 …) so that the address
the limiter and the log see can be told from nginx's (127.0.0.1).
"""

from __future__ import annotations

import os
import re
import signal
import socket
import sqlite3
import ssl
import subprocess
import threading
import urllib.parse
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from functools import partial
from pathlib import Path

import httpx2 as httpx
import pytest

from bench.deployment import Missing, prepare_nginx, site_config
from registry.public.follower import follow_state
from tests.servers import stop
from tests.test_redis_limits import redis_server
from tests.test_replicas import unit_command, wait_for
from tests.verify_fixtures import SECRET, VALID, batch_workbook, sync_samples

CHECK = {"number": VALID[0], "name": VALID[1]}
NAME = VALID[1]


@dataclass
class Deployment:
    https: str
    http: str
    replicas: list[subprocess.Popen[bytes]]
    data: list[Path]
    logs: list[Path]


@contextmanager
def deployment(
    tmp_path: Path, rate_limit: str, extra: dict[str, str] | None = None
) -> Iterator[Deployment]:
    prefix = tmp_path / "nginx"
    *ports, http, https = free_ports(4)
    try:
        command = prepare_nginx(prefix, site_config(ports, http, https, prefix))
    except Missing as exc:
        pytest.skip(f"{exc}; .ci/run installs it")
    logs: list[Path] = [prefix / "logs" / "error.log"]
    with ExitStack() as stack:
        redis = stack.enter_context(redis_server(tmp_path / "redis"))
        replicas: list[subprocess.Popen[bytes]] = []
        data: list[Path] = []
        for name, port in zip(("a", "b"), ports, strict=True):
            folder = tmp_path / f"replica-{name}"
            sync_samples(folder / "registry.db")
            env = {
                "CERTREG_DATA": str(folder),
                "CERTREG_SECRET": SECRET,
                "CERTREG_RATE_LIMIT": rate_limit,
                "CERTREG_RATE_LIMIT_STORAGE": redis.url,
                "CERTREG_TRUSTED_PROXIES": "127.0.0.1",
                **(extra or {}),
            }
            argv = unit_command("certreg-serve.service", env)
            argv = [{"0.0.0.0": "127.0.0.1", "8000": str(port)}.get(a, a) for a in argv]
            log = tmp_path / f"serve-{name}.log"
            logs.append(log)
            with log.open("wb") as output:
                replica = subprocess.Popen(
                    argv,
                    env={**os.environ, **env},
                    stdout=output,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,  # its own process group: uvicorn and its workers
                )
            stack.callback(stop_group, replica)
            replicas.append(replica)
            data.append(folder)
        for port in ports:
            wait_for(f"replica on {port}", partial(answers, f"http://127.0.0.1:{port}"), logs)
        # each replica is its own process, listening on its own port (none took another's)
        assert all(replica.poll() is None for replica in replicas), "a replica exited"
        nginx = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        stack.callback(stop, nginx, 30)
        base = f"https://127.0.0.1:{https}"
        wait_for("nginx", lambda: answers(base), logs)
        yield Deployment(base, f"http://127.0.0.1:{http}", replicas, data, logs)


def free_ports(count: int) -> list[int]:
    """``count`` different free ports: the sockets are held together, so no port comes twice."""
    with ExitStack() as stack:
        sockets = [stack.enter_context(socket.socket()) for _ in range(count)]
        for sock in sockets:
            sock.bind(("127.0.0.1", 0))
        return [int(sock.getsockname()[1]) for sock in sockets]


def answers(base: str) -> bool:
    try:
        return httpx.get(f"{base}/healthz", verify=False).status_code == 200
    except httpx.TransportError:
        return False


def stop_group(process: subprocess.Popen[bytes]) -> None:
    try:
        os.killpg(process.pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def client_from(address: str) -> httpx.Client:
    """A client whose connections come from ``address`` (any 127.x.y.z is this machine)."""
    transport = httpx.HTTPTransport(local_address=address, verify=False)
    return httpx.Client(transport=transport, verify=False, timeout=30)


def logged(folder: Path) -> list[tuple[str, str]]:
    """(client, result) of every check a replica logged (its log beside its registry)."""
    conn = sqlite3.connect(f"{(folder / 'verify_log.db').as_uri()}?mode=ro", uri=True)
    try:
        return conn.execute("SELECT client, result FROM checks ORDER BY id").fetchall()
    finally:
        conn.close()


def test_the_client_address_reaches_the_shared_limit_through_nginx(tmp_path: Path) -> None:
    with deployment(tmp_path, rate_limit="5") as site:
        spoofed = {"X-Forwarded-For": "198.51.100.200"}  # believed by no one: nginx overwrites it
        with client_from("127.0.0.2") as client:
            statuses = [
                client.post(f"{site.https}/api/v1/verify", json=CHECK, headers=spoofed).status_code
                for _ in range(7)
            ]
            refused = client.post(f"{site.https}/api/v1/verify", json=CHECK)
            redirect = client.get(f"{site.http}/", follow_redirects=False)
        with client_from("127.0.0.3") as other:
            answer = other.post(f"{site.https}/api/v1/verify", json={**CHECK, "receipt": True})
            token = answer.json()["receipt_url"].rsplit("/", 1)[1]
            receipt = other.get(f"{site.https}/r/{token}")
            by_hand = other.get(
                f"{site.https}/check", params={"number": CHECK["number"], "name": NAME}
            )
            swapped = other.get(f"{site.https}/api/v1/numbers/{NAME}")  # a name to decode
            split = other.get(f"{site.https}/api/v1/numbers/{NAME[0]}/{NAME[1:]}")  # slashes too
        # Give the replicas' log writers a moment to commit: a readiness wait, not a timing check.
        wait_for(
            "both replicas' logs",
            lambda: sum(len(logged(folder)) for folder in site.data) == 7,  # 6 + the receipt
            site.logs,
        )
    # one allowance of 5 for 127.0.0.2 across both replicas (round robin), none used by nginx
    assert statuses == [200] * 5 + [429] * 2
    assert refused.status_code == 429 and "查验过于频繁" in refused.json()["message"]
    assert answer.status_code == 200 and answer.json()["result"] == "valid"
    assert answer.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    assert answer.json()["receipt_url"].startswith("https://")  # X-Forwarded-Proto arrived
    assert redirect.status_code == 301 and redirect.headers["location"].startswith("https://")
    # the receipt opened; its secret link is in no access log, nginx's or the replicas'
    assert receipt.status_code == 200
    access_logs = [tmp_path / "nginx" / "logs" / "certreg.access.log", *site.logs[1:]]
    logged_text = "".join(path.read_text(encoding="utf-8") for path in access_logs)
    assert token not in logged_text and "/r/[token]" in logged_text
    # a name in a hand-made link's query string is in no access log either
    assert by_hand.status_code == 303 and "?" not in by_hand.headers["location"]  # no name
    assert "/check?[query]" in logged_text
    # nor one a program sent to be decoded as a number
    assert swapped.status_code == 422 and "/api/v1/numbers/[number]" in logged_text
    assert split.status_code == 422
    for part in (NAME, NAME[1:]):
        assert part not in logged_text and urllib.parse.quote(part) not in logged_text
    per_replica = [logged(folder) for folder in site.data]
    assert all(per_replica), "round robin: each replica served some of the checks"
    clients = {client for rows in per_replica for client, _ in rows}
    assert clients == {"127.0.0.2", "127.0.0.3"}


def test_watch_lists_and_large_bodies_behind_nginx(tmp_path: Path) -> None:
    """A watch list lives in the log of the replica that made it: every request for it reaches
    that replica (round robin gave 404 every other time). A body over the app's limit is
    refused by the app, as JSON in Chinese — not by nginx's English page; one over nginx's own
    limit (2 MB) by nginx, in Chinese too: JSON for the API, for a form the app's advice and
    the ways back (an accessibility review: "413 Request Entity Too Large", no link) — worded
    for a pasted list too (a watch list's box was told 上传的文件过大)."""
    with deployment(tmp_path, rate_limit="0") as site, client_from("127.0.0.2") as client:
        made = client.post(f"{site.https}/api/v1/watches", json={"items": [CHECK]})
        assert made.status_code == 201, made.text
        feed = site.https + urllib.parse.urlsplit(made.json()["json_url"]).path
        statuses = [client.get(feed).status_code for _ in range(6)]
        gone = client.delete(feed)
        after = client.get(feed)
        big = client.post(
            f"{site.https}/api/v1/verify/batch",
            content=b'{"items": [' + b" " * 1_200_000 + b"]}",
            headers={"Content-Type": "application/json"},
        )
        huge = client.post(
            f"{site.https}/api/v1/verify/batch",
            content=b'{"items": [' + b" " * 2_200_000 + b"]}",
            headers={"Content-Type": "application/json"},
        )
        form = client.get(f"{site.https}/batch")
        token = re.search(r'name="csrf_token" value="([^"]+)"', form.text)
        assert token is not None, form.text[:300]
        photos = {"file": ("名单.xlsx", b"PK" + b"\0" * 2_200_000)}  # a workbook full of photos
        upload = client.post(f"{site.https}/batch", data={"csrf_token": token[1]}, files=photos)
        listed = "\n".join(["G1122000001 张三明"] * 120_000)  # a list pasted into /watch's box
        pasted = client.post(
            f"{site.https}/watch", data={"csrf_token": token[1], "entries": listed}
        )
    assert statuses == [200] * 6
    assert (gone.status_code, after.status_code) == (204, 404)
    assert big.status_code == 413 and big.json()["error"] == "too_large"
    assert "请求内容过大" in big.json()["message"]
    assert huge.status_code == 413 and huge.json()["error"] == "too_large"
    assert "请求内容过大" in huge.json()["message"]
    assert upload.status_code == 413
    assert upload.headers["Content-Type"] == "text/html; charset=utf-8"
    assert "提交的内容过大" in upload.text and "删去表格中的图片" in upload.text
    assert '<a href="/batch">返回批量查验</a>' in upload.text
    assert "Request Entity Too Large" not in upload.text
    # the same page answers a pasted list, and the form it came from: no file to blame
    assert pasted.status_code == 413 and pasted.text == upload.text
    assert "上传的文件过大" not in pasted.text and "粘贴的是名单的：请分成几份" in pasted.text
    assert '<a href="/watch">返回关注证书变更</a>' in pasted.text
    assert "Strict-Transport-Security" in upload.headers


def slow_request(host: str, port: int, address: str) -> ssl.SSLSocket:
    """A check whose body stops after its first byte, its connection held open (slowloris)."""
    raw = socket.create_connection((host, port), source_address=(address, 0))
    context = ssl.create_default_context()
    context.check_hostname, context.verify_mode = False, ssl.CERT_NONE
    tls = context.wrap_socket(raw)
    head = "POST /api/v1/verify HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
    tls.sendall(f"{head}Content-Length: 100\r\n\r\n{{".encode())
    return tls


def test_nginx_holds_slow_and_oversized_requests_off_the_replicas(tmp_path: Path) -> None:
    """uvicorn times out no unfinished request and limits no header: one client holding a
    thousand slow connections, or sending headers of megabytes, stalled a replica reached
    directly. Behind the shipped nginx, one address may have 64 requests in progress and headers
    of 32 KB; the others are answered all along."""
    with deployment(tmp_path, rate_limit="0") as site, ExitStack() as held:
        url = urllib.parse.urlsplit(site.https)
        host, port = url.hostname or "127.0.0.1", url.port or 443
        for _ in range(64):
            held.enter_context(slow_request(host, port, "127.0.0.4"))
        with client_from("127.0.0.4") as greedy, client_from("127.0.0.5") as other:
            refused = greedy.post(f"{site.https}/api/v1/verify", json=CHECK)
            page = greedy.get(f"{site.https}/")
            served = other.post(f"{site.https}/api/v1/verify", json=CHECK)
            huge = other.post(
                f"{site.https}/api/v1/verify", json=CHECK, headers={"Cookie": "x" * 40_000}
            )
    # the API's refusal is its documented JSON (ErrorBody), a page's is text; both say when
    assert refused.status_code == 429 and refused.headers["Retry-After"] == "5"
    assert refused.headers["Content-Type"] == "application/json; charset=utf-8"
    assert refused.json()["error"] == "rate_limited" and "请稍后再试" in refused.json()["message"]
    assert page.status_code == 429 and page.headers["Retry-After"] == "5"
    assert page.headers["Content-Type"].startswith("text/plain") and "请稍后再试" in page.text
    assert all("Strict-Transport-Security" in r.headers for r in (refused, page))
    # the refusals quote no request in nginx's error log (a name sent as a number, a token)
    errors = (tmp_path / "nginx" / "logs" / "certreg.error.log").read_text(encoding="utf-8")
    assert "limiting connections" not in errors
    assert served.status_code == 200 and served.json()["result"] == "valid"
    assert huge.status_code == 400 and "Too Large" in huge.text


def test_a_replica_killed_mid_load_loses_no_request(tmp_path: Path) -> None:
    total, threads = 600, 6
    with deployment(tmp_path, rate_limit="0") as site:
        answers_: list[tuple[int, str]] = []
        lock = threading.Lock()

        def load(index: int) -> None:
            with client_from(f"127.0.0.{10 + index}") as client:
                for _ in range(total // threads):
                    try:
                        response = client.post(f"{site.https}/api/v1/verify", json=CHECK)
                        outcome = (response.status_code, response.text[:80])
                        if response.status_code == 200:
                            outcome = (200, response.json()["result"])
                    except (httpx.HTTPError, ValueError, KeyError) as exc:
                        # a broken answer (cut short, not JSON) is a lost request, counted below
                        outcome = (0, repr(exc))
                    with lock:
                        answers_.append(outcome)

        workers = [threading.Thread(target=load, args=(i,)) for i in range(threads)]
        for worker in workers:
            worker.start()
        wait_for("load under way", lambda: len(answers_) >= total // 4, site.logs)
        os.killpg(site.replicas[0].pid, signal.SIGKILL)  # the machine is gone: no goodbye
        for worker in workers:
            worker.join(timeout=300)
        killed_at = site.replicas[0].wait(timeout=30)
    assert killed_at == -signal.SIGKILL
    assert len(answers_) == total, f"{total - len(answers_)} requests never came back"
    lost = [answer for answer in answers_ if answer != (200, "valid")]
    # nginx's own account of each failed attempt (retried or not) tells why a request was lost
    errors = (site.logs[0].parent / "certreg.error.log").read_text(errors="replace")
    # The one loss nginx cannot retry: the replica killed between writing an answer's head and
    # its body (uvicorn writes them apart). nginx has passed the head on ("…while reading
    # upstream", not "…response header"), so the client sees the answer cut short. Rare (the
    # kill must land between two writes; ~1 run in 20 under CPU load): each such loss must be
    # one nginx logged so; any other loss (a 502, a refused or reset retry) fails.
    begun = errors.count("upstream prematurely closed connection while reading upstream")
    cut_short = [
        answer for answer in lost if answer[0] == 0 and "complete message body" in answer[1]
    ]
    assert lost == cut_short and len(cut_short) <= begun, (
        f"{len(lost)} of {total} requests lost: {lost[:5]}\n{errors[-4000:]}"
    )
    assert logged(site.data[1]), "the surviving replica took over"


def test_a_hung_replica_costs_its_requests_a_wait_not_an_answer(tmp_path: Path) -> None:
    """A replica that stops answering without closing its connections (a frozen VM, a cut
    network) is no killed one: nginx waited out its 30 s read timeout, past the window for
    trying the other replica, and answered 504. Each request now goes to the other one."""
    with deployment(tmp_path, rate_limit="0") as site, client_from("127.0.0.9") as client:
        os.killpg(site.replicas[0].pid, signal.SIGSTOP)
        try:
            answered = [
                client.post(f"{site.https}/api/v1/verify", json=CHECK).status_code
                for _ in range(4)  # round robin: the frozen replica's turn comes first or second
            ]
        finally:
            os.killpg(site.replicas[0].pid, signal.SIGCONT)
    assert answered == [200] * 4
    errors = (site.logs[0].parent / "certreg.error.log").read_text(errors="replace")
    assert "upstream timed out" in errors  # the frozen replica was tried, and passed over


def test_uploads_that_find_every_parsing_slot_busy_take_no_replica_out(tmp_path: Path) -> None:
    """One parsing slot a replica, eight offices uploading at once: the uploads a replica has
    no slot for are answered busy (503, try again), by the replica. nginx took that answer for
    a failed replica: both busy, both were left out, and every check meanwhile got 502."""
    # a workbook, parsed in the guarded child process (a 250-row CSV was sometimes read before
    # the next upload arrived), sent by all offices at the same moment
    workbook = batch_workbook([[index, VALID[1], VALID[0]] for index in range(1, 251)])
    offices = 8
    ready = threading.Barrier(offices, timeout=60)
    with deployment(tmp_path, "0", {"CERTREG_UPLOAD_CONCURRENCY": "1"}) as site:
        uploads: list[int] = []
        lock = threading.Lock()

        def upload(index: int) -> None:
            with client_from(f"127.0.0.{20 + index}") as client:
                form = client.get(f"{site.https}/batch")
                token = re.search(r'name="csrf_token" value="([^"]+)"', form.text)
                assert token is not None, form.text[:300]
                files = {"file": ("名单.xlsx", workbook)}
                ready.wait()
                answer = client.post(
                    f"{site.https}/batch", data={"csrf_token": token[1]}, files=files
                )
                with lock:
                    uploads.append(answer.status_code)

        workers = [threading.Thread(target=upload, args=(i,)) for i in range(offices)]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join(timeout=120)
        with client_from("127.0.0.3") as client:
            checks = [
                client.post(f"{site.https}/api/v1/verify", json=CHECK).status_code for _ in range(4)
            ]
    assert len(uploads) == offices and set(uploads) <= {200, 503}, uploads
    assert 503 in uploads, "no upload found the slots busy: the test proved nothing"
    assert checks == [200] * 4


def test_no_replica_to_answer_is_said_in_chinese_json_for_the_api(tmp_path: Path) -> None:
    """An operator's review: with the replica holding the watch lists down (or both), nginx
    answered its own English 502 page — to the JSON API an HR program branches on too."""
    with deployment(tmp_path, rate_limit="0") as site, client_from("127.0.0.2") as client:
        stop_group(site.replicas[0])  # the watch lists' replica
        api = client.post(f"{site.https}/api/v1/watches", json={"items": [CHECK]})
        page = client.get(f"{site.https}/watch/abc")
    assert api.status_code == 503 and api.headers["retry-after"] == "30"
    assert api.json()["error"] == "server_error" and "请稍后再试" in api.json()["message"]
    assert page.status_code == 503 and page.text.startswith("查验服务暂时无法应答")


def test_a_probe_through_nginx_sees_a_failing_replica_and_leaves_it_in_rotation(
    tmp_path: Path,
) -> None:
    """replica-b's follower stopped: its own /healthz answered 503 registry_stale, through nginx
    200 every time — nginx retried the 503 on replica-a — and each probe took replica-b out of
    rotation for fail_timeout (an operator's review). /healthz is passed on as the replica
    answered it, a replica that cannot be reached still passed over."""
    with deployment(tmp_path, rate_limit="0") as site, client_from("127.0.0.2") as client:
        follow_state(site.data[1] / "registry.db").mkdir()  # a follower that never finished a round
        probes = [client.get(f"{site.https}/healthz") for _ in range(4)]
        checks = [client.post(f"{site.https}/api/v1/verify", json=CHECK) for _ in range(4)]
        wait_for("the checks logged", lambda: sum(map(len, map(logged, site.data))) == 4, site.logs)
    failing = [probe for probe in probes if probe.status_code == 503]
    assert len(failing) == 2, [probe.status_code for probe in probes]  # round robin: b's turns
    assert all(probe.json()["error"] == "registry_stale" for probe in failing)
    assert [check.status_code for check in checks] == [200] * 4
    assert len(logged(site.data[1])) == 2, "replica-b was left out of rotation by the probes"
