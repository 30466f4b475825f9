"""The default contract of the clean server (no faults)."""
from __future__ import annotations

import base64
import json

import pytest
import requests

from reference_server import ReferenceServer

from wire_client import exchange


def strip_request_ids(value):
    """The value with every requestId removed, for comparing two responses."""
    if isinstance(value, dict):
        return {k: strip_request_ids(v) for k, v in value.items() if k != "requestId"}
    if isinstance(value, list):
        return [strip_request_ids(v) for v in value]
    return value


def error_code(response: requests.Response) -> str | None:
    body = response.json()
    return body["error"]["code"] if isinstance(body.get("error"), dict) else body.get("code")


def walk(url, headers, params, max_pages=200):
    """Every run of a cursor walk, and the number of pages it took."""
    runs, cursor, pages = [], None, 0
    while pages < max_pages:
        r = requests.get(url, headers=headers, params={**params, **({"cursor": cursor} if cursor else {})})
        assert r.status_code == 200, r.text
        body = r.json()
        assert "nextCursor" in body
        runs += body["data"]
        pages += 1
        cursor = body["nextCursor"]
        if cursor is None:
            return runs, pages
    raise AssertionError("walk did not end")


@pytest.mark.parametrize("limit", [1, 7, 50, 100])
def test_walk_returns_every_run_once_in_order(runs_url, auth, limit):
    """A cursor walk returns all 130 runs exactly once, createdAt desc then id desc."""
    runs, pages = walk(runs_url, auth, {"limit": limit})
    keys = [(r["createdAt"], r["id"]) for r in runs]
    assert len(set(keys)) == len(keys) == 130
    assert keys == sorted(keys, reverse=True)
    assert pages == -(-130 // limit)


@pytest.mark.parametrize("statuses", [["active"], ["stopped"], ["failed"], ["active", "failed"], ["failed", "failed"]])
def test_status_filter_walk(server, runs_url, auth, statuses):
    """Filtered walks return exactly the runs with any of the given statuses, without duplicates."""
    runs, _ = walk(runs_url, auth, {"status": statuses, "limit": 7})
    expected = [r.id for r in server.store.all_runs(server.seed_info.runtime_id) if r.status in statuses]
    assert [r["id"] for r in runs] == expected


def test_page_shape_and_headers(runs_url, auth):
    """A page is JSON {data, nextCursor} with the default 50 runs and an x-request-id header."""
    r = requests.get(runs_url, headers=auth)
    assert r.status_code == 200 and r.headers["Content-Type"] == "application/json"
    assert r.headers["x-request-id"].startswith("req_")
    body = r.json()
    assert set(body) == {"data", "nextCursor"} and len(body["data"]) == 50 and isinstance(body["nextCursor"], str)
    assert set(body["data"][0]) == {"id", "createdAt", "startedAt", "status", "finishedAt"}


def test_empty_runtime_page(server, auth):
    """The empty runtime answers {"data": [], "nextCursor": null}."""
    r = requests.get(f"{server.base_url}/v2/runtimes/{server.seed_info.empty_runtime_id}/runs", headers=auth)
    assert r.status_code == 200 and r.json() == {"data": [], "nextCursor": None}


def test_unknown_query_parameters_are_ignored(runs_url, auth):
    """Unknown query parameters do not change the answer."""
    a = requests.get(runs_url, headers=auth, params={"limit": 3}).json()
    b = requests.get(runs_url, headers=auth, params={"limit": 3, "foo": "bar", "sort": "asc"}).json()
    assert a == b


def test_head_has_headers_but_no_body(runs_url, auth):
    """HEAD answers like GET with the same Content-Length and no body."""
    get, head = requests.get(runs_url, headers=auth), requests.head(runs_url, headers=auth)
    assert head.status_code == 200 and head.content == b""
    assert head.headers["Content-Length"] == get.headers["Content-Length"]


@pytest.mark.parametrize("value", ["Bearer {key}", "bearer {key}", "BEARER {key}", "Bearer    {key}"])
def test_auth_accepted(runs_url, server, value):
    """The Bearer scheme word is case-insensitive and may be followed by several spaces."""
    headers = {"Authorization": value.format(key=server.seed_info.api_key)}
    assert requests.get(runs_url, headers=headers, params={"limit": 1}).status_code == 200


@pytest.mark.parametrize("value,code", [
    (None, "auth.required"), ("", "auth.required"), ("Bearer", "auth.invalid"), ("Bearer ", "auth.invalid"),
    ("Basic {key}", "auth.invalid"), ("Token {key}", "auth.invalid"), ("{key}", "auth.invalid"),
    ("Bearer bctrl_sk_test_wrong", "auth.invalid"), ("Bearer {key}x", "auth.invalid"),
    ("Bearer {other}", "auth.invalid"),
])
def test_auth_rejected(runs_url, server, value, code):
    """Missing credentials give auth.required, anything else wrong auth.invalid, with WWW-Authenticate."""
    headers = {} if value is None else {
        "Authorization": value.format(key=server.seed_info.api_key, other="bctrl_sk_test_nope")}
    r = requests.get(runs_url, headers=headers)
    assert r.status_code == 401 and error_code(r) == code
    assert r.headers["WWW-Authenticate"] == "Bearer"
    assert server.seed_info.api_key not in r.text


@pytest.mark.parametrize("order", ["valid-first", "valid-last"])
def test_two_authorization_headers_rejected(server, order):
    """Authorization may appear once: two of them (even one with the right key) are refused 401 auth.invalid."""
    good, bad = f"Bearer {server.seed_info.api_key}", "Bearer bctrl_sk_test_wrong"
    pair = [good, bad] if order == "valid-first" else [bad, good]
    answer = exchange(server.port, "GET", f"/v2/runtimes/{server.seed_info.runtime_id}/runs?limit=1",
                      [("Authorization", value) for value in pair])
    assert answer.status == 401 and json.loads(answer.body)["error"]["code"] == "auth.invalid"
    assert server.seed_info.api_key.encode() not in answer.raw_body


def test_auth_before_validation(runs_url):
    """A request without credentials and with invalid query values gets 401."""
    assert requests.get(runs_url, params={"limit": 0, "status": "zzz"}).status_code == 401


def test_other_tenant_and_unknown_runtime_look_the_same(server, auth):
    """Another tenant's runtime and an unknown runtime both answer an identical 404 runtime.not_found."""
    info = server.seed_info
    bodies = []
    for runtime in (info.other_runtime_id, info.unknown_runtime_id):
        r = requests.get(f"{server.base_url}/v2/runtimes/{runtime}/runs", headers=auth)
        assert r.status_code == 404 and error_code(r) == "runtime.not_found"
        assert runtime not in r.text
        bodies.append(strip_request_ids(r.json()))
    assert bodies[0] == bodies[1]


def test_other_tenant_key_sees_its_own_runtime(server):
    """Tenant B's key reads tenant B's runtime."""
    info = server.seed_info
    r = requests.get(f"{server.base_url}/v2/runtimes/{info.other_runtime_id}/runs",
                     headers={"Authorization": f"Bearer {info.other_api_key}"}, params={"limit": 100})
    assert r.status_code == 200 and len(r.json()["data"]) == 30


@pytest.mark.parametrize("path", ["/", "/v2/runtimes//runs", "/v2/runtimes/x/runs/", "/v1/runtimes/x/runs",
                                  "/v2/runtimes/x", "/v2/runtimes/a/b/runs"])
def test_unknown_route(server, auth, path):
    """Paths other than the route answer 404 route.not_found as JSON."""
    r = requests.get(server.base_url + path, headers=auth)
    assert r.status_code == 404 and error_code(r) == "route.not_found"


@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE", "FOO"])
def test_other_methods_405(runs_url, auth, method):
    """Methods other than GET and HEAD answer 405 with Allow: GET, HEAD and a JSON error."""
    r = requests.request(method, runs_url, headers=auth, data=b"{}")
    assert r.status_code == 405 and r.headers["Allow"] == "GET, HEAD"
    assert error_code(r) == "method.not_allowed"


@pytest.mark.parametrize("limit", ["0", "-1", "101", "1.5", "abc", "", "99999999999999999999999", ["2", "3"]])
def test_invalid_limit(runs_url, auth, limit):
    """Invalid limit values answer 400 request.invalid naming limit."""
    r = requests.get(runs_url, headers=auth, params={"limit": limit})
    assert r.status_code == 400 and error_code(r) == "request.invalid"
    assert r.json()["error"]["details"]["parameter"] == "limit"


@pytest.mark.parametrize("limit,size", [("1", 1), ("100", 100), ("007", 7)])
def test_valid_limit(runs_url, auth, limit, size):
    """Limits from 1 to the maximum give pages of that size."""
    assert len(requests.get(runs_url, headers=auth, params={"limit": limit}).json()["data"]) == size


def test_max_limit_setting(auth):
    """max_limit changes the largest accepted limit."""
    with ReferenceServer(max_limit=10) as srv:
        url = f"{srv.base_url}/v2/runtimes/{srv.seed_info.runtime_id}/runs"
        headers = {"Authorization": f"Bearer {srv.seed_info.api_key}"}
        assert requests.get(url, headers=headers, params={"limit": 10}).status_code == 200
        assert requests.get(url, headers=headers, params={"limit": 11}).status_code == 400


@pytest.mark.parametrize("status", ["ACTIVE", "", "zzz", ["active", "bogus"], "active,failed"])
def test_invalid_status(runs_url, auth, status):
    """Unknown, empty or wrongly cased status values answer 400 status.invalid."""
    r = requests.get(runs_url, headers=auth, params={"status": status})
    assert r.status_code == 400 and error_code(r) == "status.invalid"


def _tampered(cursor: str) -> str:
    payload, tag = cursor.split(".")
    data = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    data["i"] = "ffffffff-ffff-4fff-bfff-ffffffffffff"
    raw = base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()
    return f"{raw}.{tag}"


@pytest.mark.parametrize("mangle", ["garbage", "empty", "truncated", "tampered", "repeated", "flipped"])
def test_invalid_cursor(runs_url, auth, mangle):
    """Malformed, truncated, tampered or repeated cursors answer 400 pagination.cursor_invalid."""
    good = requests.get(runs_url, headers=auth, params={"limit": 5}).json()["nextCursor"]
    cursor = {"garbage": "not-a-cursor!", "empty": "", "truncated": good[: len(good) // 2],
              "tampered": _tampered(good), "repeated": [good, good],
              "flipped": good[:-1] + ("A" if good[-1] != "A" else "B")}[mangle]
    r = requests.get(runs_url, headers=auth, params={"limit": 5, "cursor": cursor})
    assert r.status_code == 400 and error_code(r) == "pagination.cursor_invalid"


def test_a_cursor_is_valid_only_for_its_runtime(server, runs_url, auth):
    """A nextCursor sent to another runtime of the key answers 400 pagination.cursor_invalid, with or without
    its query; on the runtime it was handed out for it is valid."""
    good = requests.get(runs_url, headers=auth, params={"limit": 5}).json()["nextCursor"]
    assert requests.get(runs_url, headers=auth, params={"limit": 5, "cursor": good}).status_code == 200
    for runtime in (server.seed_info.empty_runtime_id, server.seed_info.second_runtime_id):
        url = f"{server.base_url}/v2/runtimes/{runtime}/runs"
        for params in ({"limit": 5, "cursor": good}, {"cursor": good}):
            r = requests.get(url, headers=auth, params=params)
            assert r.status_code == 400 and error_code(r) == "pagination.cursor_invalid"


def test_error_bodies_nested(runs_url):
    """Nested envelope errors carry code, message, requestId and reasonClass, and no trace."""
    r = requests.get(runs_url)
    err = r.json()["error"]
    assert {"code", "message", "requestId", "reasonClass"} <= set(err) and err["reasonClass"] == "unauthorized"
    assert err["requestId"] == r.headers["x-request-id"]
    assert "Traceback" not in r.text and ".py" not in r.text


def test_error_bodies_flat():
    """The flat envelope puts message in error and code/requestId/reasonClass beside it."""
    with ReferenceServer(error_envelope="flat") as srv:
        url = f"{srv.base_url}/v2/runtimes/{srv.seed_info.runtime_id}/runs"
        r = requests.get(url, headers={"Authorization": f"Bearer {srv.seed_info.api_key}"}, params={"limit": 0})
        body = r.json()
        assert r.status_code == 400 and isinstance(body["error"], str)
        assert body["code"] == "request.invalid" and body["reasonClass"] == "invalid_input"
        assert body["requestId"] == r.headers["x-request-id"] and body["details"]["parameter"] == "limit"


def test_request_log_records_requests(server, runs_url, auth):
    """Each request is recorded with method, path, query and status."""
    requests.get(runs_url, headers=auth, params={"limit": 2, "marker": "log-test"})
    record = [x for x in server.request_log if "marker=log-test" in x.query][-1]
    assert record.method == "GET" and record.status == 200 and record.trouble is None
    assert record.path.endswith("/runs")


def test_keep_alive_connection_reused(runs_url, auth):
    """Several requests (including errors and a 405 with a body) work over one keep-alive connection."""
    with requests.Session() as s:
        for _ in range(3):
            assert s.get(runs_url, headers=auth, params={"limit": 1}).status_code == 200
            assert s.post(runs_url, headers=auth, data=b"x" * 1000).status_code == 405
            assert s.get(runs_url, params={"limit": "x"}).status_code == 401
