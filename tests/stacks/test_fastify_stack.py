"""The Fastify implementation (stacks/fastify) itself: a correct server on the stack the real API most likely runs,
at Fastify's defaults. These tests pin what that stack does, so that the suite can be run against it."""

from __future__ import annotations

import base64
import http.client
import json
import time
from urllib.parse import urlsplit

import pytest
import requests

import stacks.fastify as fastify_stack
from stacks.fastify import FastifyServer, FastifyStackUnavailable

RUNS = "/v2/runtimes/{}/runs"
STATUSES = {"active", "stopped", "failed"}


@pytest.fixture(scope="module")
def server():
    with FastifyServer() as started:
        yield started


def get(server, runtime_id, params=None, key=None, scheme="Bearer"):
    headers = {} if key is False else {"Authorization": f"{scheme} {key or server.api_key}"}
    return requests.get(server.base_url + RUNS.format(runtime_id), params=params, headers=headers, timeout=5)


def walk(server, runtime_id, limit, **params):
    runs, cursor, pages = [], None, 0
    while True:
        answer = get(server, runtime_id, {**params, "limit": limit, **({"cursor": cursor} if cursor else {})})
        assert answer.status_code == 200, answer.text
        body = answer.json()
        runs += body["data"]
        pages += 1
        cursor = body["nextCursor"]
        if cursor is None:
            return runs, pages
        assert len(body["data"]) == limit and pages < 200


def order_key(run):
    return (run["createdAt"], run["id"])


def test_settings_line_and_env(server):
    """The server prints its settings; env() gives them as the suite's BCTRL_* variables."""
    env = server.env()
    assert set(env) == {"BCTRL_BASE_URL", "BCTRL_API_KEY", "BCTRL_RUNTIME_ID", "BCTRL_OTHER_RUNTIME_ID",
                        "BCTRL_EMPTY_RUNTIME_ID", "BCTRL_SECOND_RUNTIME_ID", "BCTRL_OTHER_API_KEY"}
    assert env["BCTRL_BASE_URL"].startswith("http://127.0.0.1:")
    assert server.api_key.startswith("bctrl_sk_test_") and len(server.api_key) == len("bctrl_sk_test_") + 32
    assert server.other_api_key != server.api_key


def test_a_page(server):
    """A page of 3: runs newest first, with every field, and a nextCursor that is base64url of a JSON position."""
    answer = get(server, server.runtime_id, {"limit": 3})
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "application/json; charset=utf-8"
    body = answer.json()
    assert set(body) == {"data", "nextCursor"} and len(body["data"]) == 3
    for run in body["data"]:
        assert set(run) == {"id", "createdAt", "startedAt", "status", "finishedAt"}
        assert run["status"] in STATUSES and (run["finishedAt"] is None) == (run["status"] == "active")
    assert body["data"] == sorted(body["data"], key=order_key, reverse=True)
    position = json.loads(base64.urlsafe_b64decode(body["nextCursor"] + "=" * (-len(body["nextCursor"]) % 4)))
    assert position == {"createdAt": body["data"][-1]["createdAt"], "id": body["data"][-1]["id"]}


def test_walks_end_and_agree(server):
    """Walks at page sizes 7 and 50 end (nextCursor null on the last page), list the same 130 runs once each, in
    createdAt-then-id descending order; the seed's tie groups straddle the ends of first pages."""
    full, pages = walk(server, server.runtime_id, 50)
    assert len(full) == 130 and pages == 3 and len({run["id"] for run in full}) == 130
    assert full == sorted(full, key=order_key, reverse=True)
    assert walk(server, server.runtime_id, 7)[0] == full
    assert {status: sum(run["status"] == status for run in full) for status in STATUSES} == \
        {"active": 40, "stopped": 50, "failed": 40}
    assert all(full[size - 1]["createdAt"] == full[size]["createdAt"] for size in (1, 7, 50, 100))
    for run in full:
        assert run["createdAt"] <= run["startedAt"] and (run["finishedAt"] is None or run["startedAt"] <= run["finishedAt"])


def test_status_filter_one_value_and_repeated_keys(server):
    """status=failed lists the failed runs; status=active&status=failed lists both (repeated keys)."""
    one = get(server, server.runtime_id, {"status": "failed", "limit": 100}).json()
    assert len(one["data"]) == 40 and {run["status"] for run in one["data"]} == {"failed"}
    both, _ = walk(server, server.runtime_id, 30, status=["active", "failed"])
    assert len(both) == 80 and {run["status"] for run in both} == {"active", "failed"}


def test_runtimes_of_the_seed(server):
    """SECOND has 12 runs, EMPTY none; the other key sees its own runtime's 30 runs."""
    assert len(get(server, server.second_runtime_id, {"limit": 100}).json()["data"]) == 12
    assert get(server, server.empty_runtime_id).json() == {"data": [], "nextCursor": None}
    other = get(server, server.other_runtime_id, {"limit": 100}, key=server.other_api_key)
    assert other.status_code == 200 and len(other.json()["data"]) == 30


@pytest.mark.parametrize(("key", "scheme", "code"), [
    (False, None, "auth.required"),
    ("bctrl_sk_test_00000000000000000000000000000000", "Bearer", "auth.invalid"),
    (None, "Basic", "auth.invalid"),
])
def test_auth_401_in_the_nested_envelope_before_validation(server, key, scheme, code):
    """A missing or bad key gets 401 with the nested envelope, even with an invalid query."""
    answer = get(server, server.runtime_id, {"limit": 0}, key=key, scheme=scheme)
    assert answer.status_code == 401
    error = answer.json()["error"]
    assert error["code"] == code and error["message"] and error["requestId"]


def test_scheme_word_in_any_case(server):
    """`bearer` and `BEARER` are the same scheme."""
    assert get(server, server.runtime_id, {"limit": 1}, scheme="bearer").status_code == 200
    assert get(server, server.runtime_id, {"limit": 1}, scheme="BEARER").status_code == 200


def test_other_tenant_is_not_found_like_an_unknown_runtime(server):
    """Another tenant's runtime gets the same 404 runtime.not_found as a runtime that does not exist."""
    other = get(server, server.other_runtime_id)
    unknown = get(server, "00000000-0000-4000-8000-000000000000")
    assert other.status_code == unknown.status_code == 404
    assert other.json()["error"]["code"] == unknown.json()["error"]["code"] == "runtime.not_found"


@pytest.mark.parametrize("spelling", ["5.0", "1e1", "0x10", " 5", "+5"])
def test_ajv_coerces_limit_at_fastify_defaults(server, spelling):
    """Ajv at Fastify's defaults reads these spellings of limit as numbers (5.0 gives 5 runs)."""
    answer = get(server, server.runtime_id, {"limit": spelling})
    assert answer.status_code == 200
    assert len(answer.json()["data"]) == int(float.fromhex(spelling) if "x" in spelling else float(spelling))


@pytest.mark.parametrize(("params", "code"), [
    ({"limit": "0"}, "request.invalid"),
    ({"limit": "101"}, "request.invalid"),
    ({"limit": "five"}, "request.invalid"),
    ({"limit": ["5", "6"]}, "request.invalid"),
    ({"limit": "1" * 400}, "request.invalid"),  # Ajv coerces it to Infinity, which passes maximum: the route refuses
    ({"status": "running"}, "status.invalid"),
    ({"status": "active,failed"}, "status.invalid"),
    ({"cursor": "not-a-cursor"}, "pagination.cursor_invalid"),
    ({"cursor": base64.urlsafe_b64encode(b'{"page":2}').decode().rstrip("=")}, "pagination.cursor_invalid"),
])
def test_invalid_query_is_400_with_its_code(server, params, code):
    """Refusals of the query: 400 in the nested envelope, with the code of the parameter at fault."""
    answer = get(server, server.runtime_id, params)
    assert answer.status_code == 400, answer.text
    assert answer.json()["error"]["code"] == code


def test_a_cursor_is_a_position_on_any_runtime_of_the_key(server):
    """A cursor is only a position: on SECOND it lists SECOND's own runs older than that position."""
    first = get(server, server.runtime_id, {"limit": 60}).json()
    answer = get(server, server.second_runtime_id, {"cursor": first["nextCursor"], "limit": 100})
    assert answer.status_code == 200
    boundary = order_key(first["data"][-1])
    second_all = get(server, server.second_runtime_id, {"limit": 100}).json()["data"]
    assert answer.json()["data"] == [run for run in second_all if order_key(run) < boundary]


def test_router_404_for_other_methods_and_unknown_paths(server):
    """Fastify's router answers a method or path with no route itself, with its own body."""
    path = RUNS.format(server.runtime_id)
    deleted = requests.delete(server.base_url + path, headers={"Authorization": f"Bearer {server.api_key}"}, timeout=5)
    assert deleted.status_code == 404
    assert deleted.json() == {"message": f"Route DELETE:{path} not found", "error": "Not Found", "statusCode": 404}
    slash = requests.get(server.base_url + path + "/", headers={"Authorization": f"Bearer {server.api_key}"}, timeout=5)
    assert slash.status_code == 404
    assert slash.json() == {"message": f"Route GET:{path}/ not found", "error": "Not Found", "statusCode": 404}


def test_header_names_are_lower_case_on_the_wire(server):
    """Fastify writes its header names in lower case (content-type, content-length), as sent on the wire."""
    url = urlsplit(server.base_url)
    connection = http.client.HTTPConnection(url.hostname, url.port, timeout=5)
    try:
        connection.request("GET", RUNS.format(server.runtime_id) + "?limit=1",
                           headers={"Authorization": f"Bearer {server.api_key}"})
        response = connection.getresponse()
        names = [name for name, _ in response.getheaders()]
        response.read()
    finally:
        connection.close()
    assert response.status == 200
    assert "content-type" in names and "content-length" in names
    assert "Content-Type" not in names and "Cache-Control" not in names and "cache-control" not in names
    assert dict(response.getheaders())["content-type"] == "application/json; charset=utf-8"


def test_head_is_answered_like_get_without_a_body(server):
    """Fastify exposes HEAD for every GET route."""
    answer = requests.head(server.base_url + RUNS.format(server.runtime_id),
                           headers={"Authorization": f"Bearer {server.api_key}"}, timeout=5)
    assert answer.status_code == 200 and answer.content == b""


def test_churn_adds_runs_at_the_head_and_ends_active_ones():
    """--churn: a new active run at the head of MAIN every 0.2 s, and an active run ends (40 stay active: counted on
    one filtered page, read at one instant, since a walk of two pages may straddle a tick)."""
    with FastifyServer(churn=True) as server:
        before = get(server, server.runtime_id, {"limit": 100}).json()["data"]
        time.sleep(0.7)
        after, _ = walk(server, server.runtime_id, 100)
        active = get(server, server.runtime_id, {"limit": 100, "status": "active"}).json()["data"]
    assert len(after) >= 133 and after[0]["status"] == "active" and after[0]["id"] not in {r["id"] for r in before}
    assert after == sorted(after, key=order_key, reverse=True)
    assert len(active) == 40


def test_missing_node_says_what_to_run(monkeypatch):
    """Without node the launcher raises one line naming the install command."""
    monkeypatch.setattr(fastify_stack.shutil, "which", lambda name: None)
    with pytest.raises(FastifyStackUnavailable) as raised:
        FastifyServer().start()
    assert "npm ci --prefix stacks/fastify" in str(raised.value) and "\n" not in str(raised.value)


def test_missing_node_modules_says_what_to_run(monkeypatch, tmp_path):
    """Without the stack's node_modules the launcher raises one line naming the install command."""
    monkeypatch.setattr(fastify_stack, "STACK_DIR", tmp_path)
    with pytest.raises(FastifyStackUnavailable) as raised:
        FastifyServer().start()
    assert "npm ci --prefix stacks/fastify" in str(raised.value) and "\n" not in str(raised.value)


def test_install_is_done_once_per_lock_file(monkeypatch):
    """Once the lock file's packages are installed, install() finds them (a stamp of the lock file's hash) and runs
    no npm at all."""
    fastify_stack.install()  # already done by the session's fixture: finds its stamp
    assert fastify_stack.installed()
    monkeypatch.setattr(fastify_stack.subprocess, "run", lambda *args, **kwargs: pytest.fail("npm ran again"))
    fastify_stack.install()


def test_a_changed_lock_file_is_installed_again(tmp_path, monkeypatch):
    """A lock file other than the one installed (a dependency bumped) is not taken for installed."""
    (tmp_path / "node_modules").mkdir()
    (tmp_path / "package-lock.json").write_text("{}", encoding="utf-8")
    fastify_stack._stamp(tmp_path).write_text("the hash of an older lock file", encoding="utf-8")
    assert not fastify_stack.installed(tmp_path)


def test_install_without_npm_says_what_the_machine_needs(monkeypatch, tmp_path):
    """Without node and npm, install() raises one line naming what to install."""
    monkeypatch.setattr(fastify_stack.shutil, "which", lambda name: None)
    with pytest.raises(FastifyStackUnavailable) as raised:
        fastify_stack.install(tmp_path)
    assert "Node.js" in str(raised.value) and "\n" not in str(raised.value)
