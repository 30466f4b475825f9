"""The uvicorn stack: the same app served by uvicorn (h11) over ASGI, started and stopped from a thread."""
from __future__ import annotations

import gzip
import json
import socket
import subprocess
import sys
import threading
from collections import Counter

import pytest
import requests

from reference_server import ReferenceServer
from reference_server.variants import PERSONALITIES, Variants

from test_refserver_cli import REPO
from wire_client import exchange


@pytest.fixture(scope="module")
def uv():
    with ReferenceServer(stack="uvicorn") as srv:
        yield srv


def _path(srv, runtime=None) -> str:
    return f"/v2/runtimes/{runtime or srv.seed_info.runtime_id}/runs"


def _auth(srv) -> tuple[str, str]:
    return ("Authorization", f"Bearer {srv.seed_info.api_key}")


def test_serves_the_contract(uv):
    """A walk lists every run once in order; refusals keep their status, code and headers."""
    runs, cursor = [], None
    url, headers = uv.base_url + _path(uv), dict([_auth(uv)])
    while True:
        body = requests.get(url, headers=headers, params={"limit": 7, **({"cursor": cursor} if cursor else {})}).json()
        runs += body["data"]
        cursor = body["nextCursor"]
        if cursor is None:
            break
    assert [run["id"] for run in runs] == [run.id for run in uv.store.all_runs(uv.seed_info.runtime_id)]
    unauthenticated = requests.get(url)
    assert unauthenticated.status_code == 401 and unauthenticated.headers["WWW-Authenticate"] == "Bearer"
    assert unauthenticated.json()["error"]["code"] == "auth.required"
    deleted = requests.delete(url, headers=headers)
    assert deleted.status_code == 405 and deleted.headers["Allow"] == "GET, HEAD"
    assert requests.get(url, headers=headers, params={"limit": "0"}).status_code == 400
    assert requests.get(uv.base_url + _path(uv, uv.seed_info.other_runtime_id), headers=headers).status_code == 404


def test_header_names_lower_case_on_the_wire(uv):
    """uvicorn writes lower-case header names (its own `server` and `date` too), except the ones h11 sets itself
    (Connection, Transfer-Encoding): h11 writes those title-case."""
    answer = exchange(uv.port, "GET", _path(uv) + "?limit=1", [_auth(uv)])
    assert answer.status_line == "HTTP/1.1 200 OK"
    assert answer.names == ["date", "server", "content-type", "x-request-id", "content-length", "Connection"]
    assert answer.header("server") == "uvicorn" and int(answer.header("content-length")) == len(answer.body)


def test_raw_target_reaches_the_app(uv):
    """The path and query reach the app as sent (percent-escapes untouched): the request log shows them, and the
    escaped spelling names the same runtime."""
    runtime = uv.seed_info.runtime_id
    escaped = runtime.replace("-", "%2D", 1)
    answer = exchange(uv.port, "GET", f"/v2/runtimes/{escaped}/runs?status=%61ctive&limit=2", [_auth(uv)])
    assert answer.status == 200 and all(run["status"] == "active" for run in json.loads(answer.body)["data"])
    record = uv.request_log[-1]
    assert (record.path, record.query) == (f"/v2/runtimes/{escaped}/runs", "status=%61ctive&limit=2")


def test_raw_path_decides_a_fault(uv):
    """Fault tenant-check-raw-path reads the raw path: under uvicorn it shows as under http.server (another
    tenant's runtime, one character escaped, is served)."""
    with ReferenceServer(stack="uvicorn", faults=["tenant-check-raw-path"]) as srv:
        other = srv.seed_info.other_runtime_id
        index = next(i for i, char in enumerate(other) if char.isdigit())
        escaped = f"{other[:index]}%{ord(other[index]):02X}{other[index + 1:]}"
        assert exchange(srv.port, "GET", _path(srv, escaped), [_auth(srv)]).status == 200
        assert exchange(srv.port, "GET", _path(srv, other), [_auth(srv)]).status == 404


@pytest.mark.parametrize("name", ["authorization", "AUTHORIZATION", "aUtHoRiZaTiOn"])
def test_request_headers_case_insensitive(uv, name):
    answer = exchange(uv.port, "GET", _path(uv) + "?limit=1", [(name, f"Bearer {uv.seed_info.api_key}")])
    assert answer.status == 200


def test_head(uv):
    """HEAD: the GET's headers, Content-Length included, and no body."""
    get = exchange(uv.port, "GET", _path(uv) + "?limit=3", [_auth(uv)])
    head = exchange(uv.port, "HEAD", _path(uv) + "?limit=3", [_auth(uv)])
    assert head.status == 200 and head.raw_body == b""
    assert head.header("content-length") == get.header("content-length")


def test_chunked_and_gzip_under_uvicorn():
    """framing=chunked and compression=gzip reach the wire through uvicorn: the app's body pieces are chunks."""
    with ReferenceServer(stack="uvicorn", variants=Variants(framing="chunked", compression="gzip")) as srv:
        answer = exchange(srv.port, "GET", _path(srv) + "?limit=4", [_auth(srv), ("Accept-Encoding", "gzip")])
        head = exchange(srv.port, "HEAD", _path(srv) + "?limit=4", [_auth(srv), ("Accept-Encoding", "gzip")])
        old = exchange(srv.port, "GET", _path(srv) + "?limit=4", [_auth(srv)], version="HTTP/1.0")
    assert ("Transfer-Encoding", "chunked") in answer.headers and answer.header("content-length") is None
    assert answer.header("content-encoding") == "gzip" and answer.header("vary") == "Accept-Encoding"
    assert len(answer.chunks) >= 2 and len(json.loads(gzip.decompress(answer.body))["data"]) == 4
    assert head.header("transfer-encoding") == "chunked" and head.raw_body == b""
    assert old.header("transfer-encoding") is None and len(json.loads(old.body)["data"]) == 4


@pytest.mark.parametrize("name", ["fastify", "express-parseint"])
def test_presets_under_uvicorn(name):
    """A preset served by uvicorn: its router answers and cursors as under http.server."""
    with ReferenceServer(stack="uvicorn", variants=PERSONALITIES[name]) as srv:
        headers = dict([_auth(srv)])
        first = requests.get(srv.base_url + _path(srv), headers=headers, params={"limit": "5"}).json()
        second = requests.get(srv.base_url + _path(srv), headers=headers,
                              params={"limit": "5", "cursor": first["nextCursor"]})
        assert second.status_code == 200 and len(second.json()["data"]) == 5
        assert requests.delete(srv.base_url + _path(srv), headers=headers).status_code == 404


def test_only_answered_trouble():
    """Under uvicorn, trouble is only 429 and 503 answers (with Retry-After): no connection is dropped."""
    with ReferenceServer(stack="uvicorn", trouble_rate=1.0) as srv:
        url = srv.base_url + _path(srv)
        answers = [requests.get(url, headers=dict([_auth(srv)])) for _ in range(16)]
        kinds = Counter(record.trouble for record in srv.request_log)
    assert set(kinds) == {"429", "503"} and sum(kinds.values()) == 16
    assert all(answer.status_code in (429, 503) and answer.headers["Retry-After"] == "1" for answer in answers)


def test_start_accepts_and_stop_releases():
    """start() returns once connections are accepted; stop() leaves no thread and frees the port."""
    threads = set(threading.enumerate())
    srv = ReferenceServer(stack="uvicorn").start()
    port = srv.port
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=2):
            pass
        assert requests.get(srv.base_url + _path(srv), headers=dict([_auth(srv)])).status_code == 200
        keep_alive = socket.create_connection(("127.0.0.1", port), timeout=2)  # an idle connection at stop
    finally:
        srv.stop()
    keep_alive.close()
    assert not set(threading.enumerate()) - threads
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.1", port), timeout=2)
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", port))
    with ReferenceServer(stack="uvicorn", port=port) as again:  # the same port serves again
        assert requests.get(again.base_url + _path(again), headers=dict([_auth(again)])).status_code == 200


def test_bad_stack_settings():
    with pytest.raises(ValueError, match="stack"):
        ReferenceServer(stack="gunicorn")
    with pytest.raises(ValueError, match="canonical"):
        ReferenceServer(stack="uvicorn", variants=PERSONALITIES["go-chi"])


def test_cli_stack_uvicorn():
    """--stack uvicorn: the banner names the stack and the exports work."""
    proc = subprocess.Popen([sys.executable, "-m", "reference_server", "--port", "0", "--stack", "uvicorn"], cwd=REPO,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        lines = [proc.stdout.readline().rstrip("\n") for _ in range(10)]
        env = dict(line[len("export "):].split("=", 1) for line in lines[1:5])
        answer = requests.get(f"{env['BCTRL_BASE_URL']}/v2/runtimes/{env['BCTRL_RUNTIME_ID']}/runs",
                              headers={"Authorization": f"Bearer {env['BCTRL_API_KEY']}"}, params={"limit": 2})
        assert answer.status_code == 200 and answer.headers["server"] == "uvicorn"
        assert lines[9] == "# stack: uvicorn"
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    assert proc.returncode == 0
    refused = subprocess.run([sys.executable, "-m", "reference_server", "--stack", "uvicorn", "--personality",
                              "go-chi"], cwd=REPO, capture_output=True, text=True, timeout=20)
    assert refused.returncode == 2 and "canonical" in refused.stderr
