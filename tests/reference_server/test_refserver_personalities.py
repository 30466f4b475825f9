"""Personalities: other stacks' habits, each legal. Each test shows its option changes what the server answers the
way the option says, on the wire where an HTTP client would hide it (header name case, framing, content coding)."""
from __future__ import annotations

import asyncio
import base64
import gzip
import json
import re
import subprocess
import sys
import time
from datetime import datetime

import pytest
import requests

from reference_server import ReferenceServer
from reference_server import asgi as asgi_module
from reference_server import churn as churn_module
from reference_server import handler as handler_module
from reference_server.numbers import ajv_integer, js_number, js_parse_int, parse_int_10
from reference_server.times import parse_time
from reference_server.variants import PERSONALITIES, Variants
from reference_server.wire import accepts_gzip, header_name

from test_refserver_cli import REPO
from wire_client import exchange

UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def _path(srv, runtime=None) -> str:
    return f"/v2/runtimes/{runtime or srv.seed_info.runtime_id}/runs"


def _auth(srv) -> tuple[str, str]:
    return ("Authorization", f"Bearer {srv.seed_info.api_key}")


def _get(srv, params=(), runtime=None, authorized=True, **kwargs):
    headers = dict([_auth(srv)]) if authorized else {}
    return requests.get(srv.base_url + _path(srv, runtime), headers=headers, params=list(params), **kwargs)


def _walk(srv, params=(), runtime=None, cursor=None):
    """Every run of a cursor walk, from `cursor` if given (asserting each page is a 200)."""
    runs = []
    for _ in range(300):
        answer = _get(srv, [*params, *([("cursor", cursor)] if cursor else [])], runtime)
        assert answer.status_code == 200, answer.text
        runs += answer.json()["data"]
        cursor = answer.json()["nextCursor"]
        if cursor is None:
            return runs
    raise AssertionError("the walk did not end")


def _instant(text: str) -> datetime:
    """An RFC 3339 timestamp as an aware datetime (any case, Z or offset, up to 9 fractional digits)."""
    match = re.fullmatch(r"(\d{4}-\d\d-\d\d)[Tt](\d\d:\d\d:\d\d)(?:\.(\d+))?([Zz]|[+-]\d\d:\d\d)", text)
    assert match, text
    day, clock, fraction, zone = match.groups()
    micro = (fraction or "0")[:6].ljust(6, "0")
    return datetime.fromisoformat(f"{day}T{clock}.{micro}{'+00:00' if zone in 'Zz' else zone}")


# ---- header_case ----------------------------------------------------------------------------------------------

@pytest.mark.parametrize("case, expected", [
    ("as-written", ["Server", "Date", "Content-Type", "x-request-id", "Content-Length", "Connection"]),
    ("lower", ["server", "date", "content-type", "x-request-id", "content-length", "connection"]),
    ("canonical", ["Server", "Date", "Content-Type", "X-Request-Id", "Content-Length", "Connection"]),
])
def test_header_case_on_the_wire(case, expected):
    """header_case: the header names exactly so on the wire, Server and Date included; the status line as is."""
    with ReferenceServer(variants=Variants(header_case=case)) as srv:
        page = exchange(srv.port, "GET", _path(srv) + "?limit=1", [_auth(srv)])
        error = exchange(srv.port, "DELETE", _path(srv), [_auth(srv)])
    assert page.status_line == "HTTP/1.1 200 OK" and page.names == expected
    assert error.status_line == "HTTP/1.1 405 Method Not Allowed"
    assert ("allow" if case == "lower" else "Allow") in error.names


def test_header_name_cases():
    assert [header_name("x-request-id", case) for case in ("as-written", "lower", "canonical")] == [
        "x-request-id", "x-request-id", "X-Request-Id"]
    assert header_name("WWW-Authenticate", "canonical") == "Www-Authenticate"  # as Go writes it


# ---- charset --------------------------------------------------------------------------------------------------

def test_charset():
    """charset=True: pages and error bodies are `application/json; charset=utf-8`; by default no parameter."""
    with ReferenceServer(variants=Variants(charset=True)) as srv:
        assert _get(srv, [("limit", "1")]).headers["Content-Type"] == "application/json; charset=utf-8"
        assert _get(srv, authorized=False).headers["Content-Type"] == "application/json; charset=utf-8"
    with ReferenceServer() as srv:
        assert _get(srv, [("limit", "1")]).headers["Content-Type"] == "application/json"


# ---- compression ----------------------------------------------------------------------------------------------

def test_gzip_when_accepted():
    """compression=gzip: with Accept-Encoding: gzip the body is gzip (Content-Length its size), Vary says so;
    without it, or with gzip;q=0, identity with the same Vary."""
    with ReferenceServer(variants=Variants(compression="gzip")) as srv:
        zipped = exchange(srv.port, "GET", _path(srv) + "?limit=3", [_auth(srv), ("Accept-Encoding", "gzip")])
        plain = exchange(srv.port, "GET", _path(srv) + "?limit=3", [_auth(srv)])
        refused = exchange(srv.port, "GET", _path(srv) + "?limit=3", [_auth(srv), ("Accept-Encoding", "gzip;q=0, br")])
        error = exchange(srv.port, "GET", _path(srv) + "?limit=0", [_auth(srv), ("Accept-Encoding", "br, *")])
    assert zipped.header("Content-Encoding") == "gzip" and zipped.header("Vary") == "Accept-Encoding"
    assert int(zipped.header("Content-Length")) == len(zipped.body)
    assert json.loads(gzip.decompress(zipped.body)) == json.loads(plain.body)
    for answer in (plain, refused):
        assert answer.header("Content-Encoding") is None and answer.header("Vary") == "Accept-Encoding"
        assert len(json.loads(answer.body)["data"]) == 3
    assert error.status == 400 and json.loads(gzip.decompress(error.body))["error"]["code"] == "request.invalid"


def test_gzip_head_has_the_get_headers_and_no_body():
    """A HEAD answer carries the headers the GET would (the compressed length too), and no body."""
    with ReferenceServer(variants=Variants(compression="gzip")) as srv:
        headers = [_auth(srv), ("Accept-Encoding", "gzip")]
        get = exchange(srv.port, "GET", _path(srv) + "?limit=5", headers)
        head = exchange(srv.port, "HEAD", _path(srv) + "?limit=5", headers)
    assert head.raw_body == b"" and head.header("Content-Encoding") == "gzip"
    assert head.header("Content-Length") == get.header("Content-Length") == str(len(get.body))


@pytest.mark.parametrize("field, accepted", [
    ("gzip", True), ("GZIP;q=0.5", True), ("deflate, gzip;q=1.0, *;q=0.5", True), ("*", True), ("x-gzip", True),
    ("", False), ("identity", False), ("br, deflate", False), ("gzip;q=0", False), ("gzip;q=0.000", False),
    ("*;q=0", False), ("gzip;q=0, *", False), ("br, *;q=0.1", True),
])
def test_accept_encoding_reading(field, accepted):
    assert accepts_gzip(field) is accepted


# ---- framing --------------------------------------------------------------------------------------------------

def test_chunked_framing():
    """framing=chunked: Transfer-Encoding: chunked, no Content-Length, the body in a few chunks; HEAD has the
    framing header and no body; an HTTP/1.0 client gets Content-Length."""
    with ReferenceServer(variants=Variants(framing="chunked")) as srv:
        page = exchange(srv.port, "GET", _path(srv) + "?limit=4", [_auth(srv)])
        error = exchange(srv.port, "GET", _path(srv), [])
        head = exchange(srv.port, "HEAD", _path(srv) + "?limit=4", [_auth(srv)])
        old = exchange(srv.port, "GET", _path(srv) + "?limit=4", [_auth(srv)], version="HTTP/1.0")
        assert len(_walk(srv, [("limit", "30")])) == 130  # a client follows it
    for answer in (page, error):
        assert answer.header("Transfer-Encoding") == "chunked" and answer.header("Content-Length") is None
        assert len(answer.chunks) >= 2
    assert len(json.loads(page.body)["data"]) == 4
    assert json.loads(error.body)["error"]["code"] == "auth.required"
    assert head.header("Transfer-Encoding") == "chunked" and head.raw_body == b""
    assert old.header("Transfer-Encoding") is None and int(old.header("Content-Length")) == len(old.raw_body)


def test_chunked_gzip_together():
    """Both at once: the gzip stream is what is chunked."""
    with ReferenceServer(variants=Variants(framing="chunked", compression="gzip")) as srv:
        answer = exchange(srv.port, "GET", _path(srv) + "?limit=4", [_auth(srv), ("Accept-Encoding", "gzip")])
    assert answer.header("Transfer-Encoding") == "chunked" and answer.header("Content-Encoding") == "gzip"
    assert len(json.loads(gzip.decompress(answer.body))["data"]) == 4


# ---- timestamps -----------------------------------------------------------------------------------------------

_SHAPES = {
    "milliseconds": r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z",
    "nanoseconds": r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}000000Z",
    "lower-case": r"\d{4}-\d\d-\d\dt\d\d:\d\d:\d\d\.\d{3}z",
    "offset": r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+01:00",
    "nanoseconds-offset": r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}000000\+01:00",
}


@pytest.mark.parametrize("style", list(_SHAPES))
def test_timestamps_rendering(style):
    """timestamps: every createdAt/startedAt/finishedAt written as the style says, each the stored instant; a walk
    still lists every run once in order (cursors and comparisons stay on the stored instants)."""
    with ReferenceServer(variants=Variants(timestamps=style)) as srv:
        runs = _walk(srv, [("limit", "7")])
        stored = srv.store.all_runs(srv.seed_info.runtime_id)
    assert [run["id"] for run in runs] == [run.id for run in stored]
    for run, row in zip(runs, stored):
        for key, value in (("createdAt", row.created_at), ("startedAt", row.started_at),
                           ("finishedAt", row.finished_at)):
            if value is None:
                assert run[key] is None
            else:
                assert re.fullmatch(_SHAPES[style], run[key]), run[key]
                assert _instant(run[key]) == parse_time(value)
    assert runs[0]["createdAt"] == {"milliseconds": "2026-03-01T10:15:00.000Z",
                                    "nanoseconds": "2026-03-01T10:15:00.000000000Z",
                                    "lower-case": "2026-03-01t10:15:00.000z",
                                    "offset": "2026-03-01T11:15:00.000+01:00",
                                    "nanoseconds-offset": "2026-03-01T11:15:00.000000000+01:00"}[style]


# ---- limit_parser ---------------------------------------------------------------------------------------------

_AJV_ACCEPTS = {"5": 5, "5.0": 5, "1e1": 10, "0x10": 16, " 5 ": 5, "+5": 5, "0b11": 3, "0o7": 7, ".5e1": 5,
                "5.": 5, "\u00a05\t": 5, "100": 100, "0100": 100}
_AJV_REFUSES = ["", " ", "abc", "1.5", "0", "101", "-1", "-0", "Infinity", "1_0", "-0x5", "0x", "5px", "1,2", "NaN",
                "1e400", "５"]
_PARSE_INT_ACCEPTS = {"5": 5, "10abc": 10, "1.5": 1, "1e2": 1, "1_0": 1, "1,2": 1, " 7": 7, "+5": 5, "\n 3x": 3,
                      "0100": 100, "100.9": 100}
_PARSE_INT_REFUSES = ["", "abc", "0", "-5", "101", "101abc", "0x10", "+-5", " ", ".5", "Infinity", "NaN"]


@pytest.mark.parametrize("text, value", list(_AJV_ACCEPTS.items()))
def test_limit_javascript_number_accepts(text, value):
    """limit_parser=javascript-number (Ajv's coercion at Fastify's defaults): what Number() reads as an integer
    within the bounds is that limit."""
    with ReferenceServer(variants=Variants(limit_parser="javascript-number")) as srv:
        answer = _get(srv, [("limit", text)])
    assert answer.status_code == 200 and len(answer.json()["data"]) == value


@pytest.mark.parametrize("text", _AJV_REFUSES)
def test_limit_javascript_number_refuses(text):
    with ReferenceServer(variants=Variants(limit_parser="javascript-number")) as srv:
        answer = _get(srv, [("limit", text)])
    assert answer.status_code == 400 and answer.json()["error"]["code"] == "request.invalid"


@pytest.mark.parametrize("text, value", list(_PARSE_INT_ACCEPTS.items()))
def test_limit_parse_int_accepts(text, value):
    """limit_parser=parse-int: parseInt(text, 10), its leading digits, then the bounds."""
    with ReferenceServer(variants=Variants(limit_parser="parse-int")) as srv:
        answer = _get(srv, [("limit", text)])
    assert answer.status_code == 200 and len(answer.json()["data"]) == value


@pytest.mark.parametrize("text", _PARSE_INT_REFUSES)
def test_limit_parse_int_refuses(text):
    with ReferenceServer(variants=Variants(limit_parser="parse-int")) as srv:
        answer = _get(srv, [("limit", text)])
    assert answer.status_code == 400 and answer.json()["error"]["code"] == "request.invalid"


def test_strict_limit_by_default():
    with ReferenceServer() as srv:
        assert [_get(srv, [("limit", text)]).status_code for text in ("5", "5.0", "+5", "10abc")] == [200, 400,
                                                                                                     400, 400]


def test_javascript_readers_match_javascript():
    """The readers against values JavaScript gives (Number(), parseInt(_, 10))."""
    import math
    assert [js_number(t) for t in ("", " \n", "0x1F", "1e3", "-.5", "+Infinity", "\ufeff42\u3000")] == [
        0, 0, 31, 1000, -0.5, math.inf, 42]
    assert all(math.isnan(js_number(t)) for t in ("1_000", "+0x1", "0x", "1e", "--1", "inf", "\x1c1"))
    assert [js_parse_int(t) for t in ("08", "-12px", " +3.9", "0x1F", "9" * 400)] == [8, -12, 3, 0, math.inf]
    assert all(math.isnan(js_parse_int(t)) for t in ("", "-", "px", "Infinity", "\x1c1"))
    with pytest.raises(ValueError):
        ajv_integer("")
    with pytest.raises(ValueError):
        parse_int_10("NaN")


# ---- unrouted -------------------------------------------------------------------------------------------------

_OFF_ROUTE = ["{path}/", "/v2/runtimes//runs", "/v2//runtimes/{id}/runs", "{path}/extra", "/v2/runtimes/{id}",
              "/v2/runtimes/{id}/runs.json"]


def test_router_404_fastify():
    """unrouted=router-404: other methods and paths the route does not match get the router's 404 with Fastify's
    body (req.url is the target as sent); GET and HEAD on the route are served."""
    with ReferenceServer(variants=Variants(unrouted="router-404")) as srv:
        path, runtime = _path(srv), srv.seed_info.runtime_id
        for method in ("DELETE", "POST", "PUT", "PATCH", "OPTIONS", "TRACE"):
            answer = requests.request(method, srv.base_url + path + "?limit=2", headers=dict([_auth(srv)]))
            assert answer.status_code == 404 and "Allow" not in answer.headers
            assert answer.json() == {"message": f"Route {method}:{path}?limit=2 not found", "error": "Not Found",
                                     "statusCode": 404}
        for spelling in _OFF_ROUTE:
            target = spelling.format(path=path, id=runtime)
            answer = exchange(srv.port, "GET", target, [_auth(srv)])
            assert answer.status == 404 and json.loads(answer.body) == {
                "message": f"Route GET:{target} not found", "error": "Not Found", "statusCode": 404}
        assert _get(srv, [("limit", "1")]).status_code == 200
        assert exchange(srv.port, "HEAD", path, [_auth(srv)]).status == 200


def test_router_404_html_express():
    """unrouted=router-404-html: Express's router. Other methods get finalhandler's HTML 404 naming the pathname,
    OPTIONS on the route is answered 200 with Allow; the route matches any case and an optional trailing slash;
    other paths get the HTML 404."""
    with ReferenceServer(variants=Variants(unrouted="router-404-html")) as srv:
        path, runtime = _path(srv), srv.seed_info.runtime_id
        answer = requests.delete(srv.base_url + path + "?limit=2", headers=dict([_auth(srv)]))
        assert answer.status_code == 404 and answer.headers["Content-Type"] == "text/html; charset=utf-8"
        assert f"<pre>Cannot DELETE {path}</pre>" in answer.text and answer.text.startswith("<!DOCTYPE html>")
        assert answer.headers["Content-Security-Policy"] == "default-src 'none'"
        options = requests.options(srv.base_url + path, headers=dict([_auth(srv)]))
        assert (options.status_code, options.headers["Allow"], options.text) == (200, "GET,HEAD", "GET,HEAD")
        served = [exchange(srv.port, "GET", target + "?limit=2", [_auth(srv)])
                  for target in (path + "/", f"/V2/Runtimes/{runtime}/RUNS")]
        assert [answer.status for answer in served] == [200, 200]
        assert all(len(json.loads(answer.body)["data"]) == 2 for answer in served)
        for target in ("/v2/runtimes//runs", f"/v2//runtimes/{runtime}/runs", f"{path}/extra", "/v2/a<i>/ru\u00e9ns"):
            answer = exchange(srv.port, "GET", target, [_auth(srv)])
            assert answer.status == 404 and answer.header("Content-Type") == "text/html; charset=utf-8"
        assert b"<pre>Cannot GET /v2/a%3Ci%3E/ru%E9ns</pre>" in answer.body  # encodeurl, then escaped


def test_bctrl_unrouted_by_default():
    with ReferenceServer() as srv:
        answer = requests.delete(srv.base_url + _path(srv), headers=dict([_auth(srv)]))
        assert answer.status_code == 405 and answer.headers["Allow"] == "GET, HEAD"
        assert exchange(srv.port, "GET", _path(srv) + "/", [_auth(srv)]).status == 404


# ---- runtime_id_shape -----------------------------------------------------------------------------------------

def test_runtime_id_shape_uuid():
    """runtime_id_shape=uuid: a runtime id that is not a UUID is refused 400 request.invalid after authentication;
    a UUID of any case goes on to the lookup (an unknown one, 404)."""
    with ReferenceServer(variants=Variants(runtime_id_shape="uuid")) as srv:
        for runtime in ("not-a-uuid", "12345", srv.seed_info.runtime_id + "0", srv.seed_info.runtime_id[:-1] + "g"):
            answer = _get(srv, runtime=runtime)
            assert answer.status_code == 400 and answer.json()["error"]["code"] == "request.invalid", runtime
        assert _get(srv, runtime="not-a-uuid", authorized=False).status_code == 401
        assert _get(srv, runtime=srv.seed_info.unknown_runtime_id).status_code == 404
        assert _get(srv, runtime=srv.seed_info.runtime_id.upper()).status_code == 404
        assert _get(srv).status_code == 200
    with ReferenceServer() as srv:
        assert _get(srv, runtime="not-a-uuid").status_code == 404


# ---- cursor_binding -------------------------------------------------------------------------------------------

@pytest.mark.parametrize("style", ["signed", "page-number"])
def test_cursor_bound_to_its_filter(style):
    """cursor_binding=filter: a cursor is served with the status filter it was handed out with (in any order or
    repetition, with any limit) and refused 400 pagination.cursor_invalid with another one or none."""
    with ReferenceServer(variants=Variants(cursor_binding="filter", cursor_style=style)) as srv:
        filtered = _get(srv, [("status", "active"), ("status", "failed"), ("limit", "3")]).json()["nextCursor"]
        unfiltered = _get(srv, [("limit", "3")]).json()["nextCursor"]
        for params in ([("status", "failed"), ("status", "active")], [("status", "active"), ("status", "failed"),
                       ("status", "active"), ("limit", "9")]):
            assert _get(srv, [*params, ("cursor", filtered)]).status_code == 200
        assert _get(srv, [("limit", "5"), ("cursor", unfiltered)]).status_code == 200
        for params, token in (([("status", "active")], filtered), ([], filtered), ([("status", "active")], unfiltered)):
            answer = _get(srv, [*params, ("cursor", token)])
            assert answer.status_code == 400 and answer.json()["error"]["code"] == "pagination.cursor_invalid"
        statuses = [run["status"] for run in _walk(srv, [("status", "stopped"), ("limit", "7")])]
        assert len(statuses) == 50 and set(statuses) == {"stopped"}
    with ReferenceServer() as srv:  # by default the cursor is a position: the client resends the query
        token = _get(srv, [("status", "active"), ("limit", "3")]).json()["nextCursor"]
        assert _get(srv, [("status", "failed"), ("cursor", token)]).status_code == 200


# ---- cursor_style ---------------------------------------------------------------------------------------------

def _page_cursor(number) -> str:
    return base64.b64encode(json.dumps({"page": number}).encode()).decode()


def test_page_number_cursor_shape_and_walk():
    """cursor_style=page-number: the cursor is standard padded base64 of {"page": N}; a walk lists every run once,
    in order; N grows with (createdAt, id)."""
    with ReferenceServer(variants=Variants(cursor_style="page-number")) as srv:
        tokens, cursor, runs = [], None, []
        while True:
            body = _get(srv, [("limit", "7")] + ([("cursor", cursor)] if cursor else [])).json()
            runs += body["data"]
            cursor = body["nextCursor"]
            if cursor is None:
                break
            tokens.append(cursor)
        stored = srv.store.all_runs(srv.seed_info.runtime_id)
    assert [run["id"] for run in runs] == [run.id for run in stored]
    numbers = []
    for token in tokens:
        assert re.fullmatch(r"[A-Za-z0-9+/]+={0,2}", token) and len(token) % 4 == 0
        payload = json.loads(base64.b64decode(token, validate=True))
        assert set(payload) == {"page"} and type(payload["page"]) is int
        numbers.append(payload["page"])
    assert numbers == sorted(numbers, reverse=True) and len(set(numbers)) == len(numbers)


def test_page_number_cursor_is_a_position():
    """Any {"page": N} is a position: N of a run serves the runs after that run; on another runtime of the key, that
    runtime's own runs after it; N beyond every run, the first page; below every run, an empty last page."""
    with ReferenceServer(variants=Variants(cursor_style="page-number")) as srv:
        info = srv.seed_info
        main = srv.store.all_runs(info.runtime_id)
        target = main[10]
        answer = _get(srv, [("limit", "5"), ("cursor", _page_cursor(target.serial))])
        assert [run["id"] for run in answer.json()["data"]] == [run.id for run in main[11:16]]
        second = srv.store.all_runs(info.second_runtime_id)
        after = [run.id for run in second if (run.created_at, run.id) < (target.created_at, target.id)]
        assert 0 < len(after) < len(second)
        listed = [run["id"] for run in _walk(srv, [("limit", "3")], info.second_runtime_id,
                                             _page_cursor(target.serial))]
        assert listed == after
        top = _get(srv, [("limit", "2"), ("cursor", _page_cursor(10**30))]).json()
        assert [run["id"] for run in top["data"]] == [run.id for run in main[:2]]
        assert _get(srv, [("cursor", _page_cursor(0))]).json() == {"data": [], "nextCursor": None}


@pytest.mark.parametrize("token", [
    "abc", base64.b64encode(b'{"page":-1}').decode(), base64.b64encode(b'{"page":"3"}').decode(),
    base64.b64encode(b'{"page":1.5}').decode(), base64.b64encode(b'{"page":true}').decode(),
    base64.b64encode(b'{"pg":3}').decode(), base64.b64encode(b'{"page":3,"x":1}').decode(),
    base64.b64encode(b'[3]').decode(), base64.b64encode(b'{"page":3}').decode().rstrip("="), "",
])
def test_page_number_cursor_refusals(token):
    """Anything that does not decode to {"page": <non-negative integer>} is 400 pagination.cursor_invalid."""
    with ReferenceServer(variants=Variants(cursor_style="page-number")) as srv:
        answer = _get(srv, [("cursor", token)])
    assert answer.status_code == 400 and answer.json()["error"]["code"] == "pagination.cursor_invalid"


def test_page_number_walk_under_churn_is_keyset():
    """Under live data, runs started during a walk do not shift its pages: each seeded run is listed once."""
    with ReferenceServer(churn=True, variants=Variants(cursor_style="page-number")) as srv:
        seeded = {run.id for run in srv.store.all_runs(srv.seed_info.runtime_id)}
        ids = []
        cursor = None
        while True:
            time.sleep(0.05)
            body = _get(srv, [("limit", "10")] + ([("cursor", cursor)] if cursor else [])).json()
            ids += [run["id"] for run in body["data"]]
            cursor = body["nextCursor"]
            if cursor is None:
                break
    assert len(ids) == len(set(ids)) and seeded <= set(ids)


# ---- error_media_type and request_id ---------------------------------------------------------------------------

def test_problem_json_errors():
    """error_media_type=application/problem+json: error answers say so, with the same envelope; pages stay JSON."""
    with ReferenceServer(variants=Variants(error_media_type="application/problem+json", charset=True)) as srv:
        error = _get(srv, [("limit", "0")])
        page = _get(srv, [("limit", "1")])
    assert error.headers["Content-Type"] == "application/problem+json; charset=utf-8"
    assert error.json()["error"]["code"] == "request.invalid"
    assert page.headers["Content-Type"] == "application/json; charset=utf-8"


@pytest.mark.parametrize("envelope", ["nested", "flat"])
def test_request_id_in_the_header_only(envelope):
    """request_id=header: no requestId in error bodies, the x-request-id header stays."""
    with ReferenceServer(variants=Variants(request_id="header", error_envelope=envelope)) as srv:
        answer = _get(srv, authorized=False)
    body = answer.json()
    assert answer.status_code == 401 and answer.headers["x-request-id"].startswith("req_")
    assert "requestId" not in json.dumps(body) and (body.get("code") or body["error"]["code"]) == "auth.required"


# ---- read_lag, retention, latency ------------------------------------------------------------------------------

def test_read_lag():
    """read_lag (under churn): runs the churn added within the lag are not listed yet, runs it ended within the lag
    still show as active (finishedAt null); older changes show."""
    lag = 0.6
    with ReferenceServer(churn=True, variants=Variants(read_lag=lag, max_limit=1000)) as srv:
        time.sleep(1.4)
        before = time.time()
        listed = {run["id"]: run for run in _get(srv, [("limit", "1000")]).json()["data"]}  # one snapshot
        after = time.time()
    # Read once the churn has stopped: the store's state and its wall-clock times agree.
    rows = {run.id: run for run in srv.store.all_runs(srv.seed_info.runtime_id)}
    times = srv.store.wall_clock_times(srv.seed_info.runtime_id)
    added = {run_id: at for run_id, (at, _) in times.items() if at is not None}
    assert [run_id for run_id, at in added.items() if at > after - lag and run_id in listed] == []
    assert {run_id for run_id, at in added.items() if at <= before - lag} <= listed.keys()
    assert any(at > after - lag for at in added.values()), "nothing added within the lag: the test proved nothing"
    recently_ended = [run_id for run_id, (_, ended) in times.items() if ended is not None and ended > after - lag
                      and run_id in listed]
    assert recently_ended, "nothing ended within the lag: the test proved nothing"
    for run_id in recently_ended:
        assert rows[run_id].status != "active"
        assert listed[run_id]["status"] == "active" and listed[run_id]["finishedAt"] is None
    for run_id, (_, ended) in times.items():
        if ended is not None and ended <= before - lag and run_id in listed:
            assert listed[run_id]["status"] == rows[run_id].status != "active"


def test_retention_deletes_the_oldest_runs(monkeypatch):
    """retention (under churn): now and then the main runtime's oldest run is deleted for good."""
    monkeypatch.setattr(churn_module, "RETENTION_SECONDS", 0.3)
    with ReferenceServer(churn=True, variants=Variants(retention=True)) as srv:
        oldest = [run.id for run in srv.store.all_runs(srv.seed_info.runtime_id)][-3:]
        time.sleep(1.1)
        remaining = {run["id"] for run in _walk(srv, [("limit", "100")])}
    assert not set(oldest[1:]) & remaining  # the two oldest are gone (at least three deletions in 1.1 s)
    with ReferenceServer(churn=True) as srv:
        oldest = srv.store.all_runs(srv.seed_info.runtime_id)[-1].id
        time.sleep(0.5)
        assert oldest in {run["id"] for run in _walk(srv, [("limit", "100")])}


@pytest.mark.parametrize("stack", ["http.server", "uvicorn"])
def test_latency(stack):
    """latency_ms: every answer waits that long before it is written."""
    with ReferenceServer(variants=Variants(latency_ms=200), stack=stack) as srv:
        for params, authorized in (([("limit", "1")], True), ([], False)):
            started = time.monotonic()
            _get(srv, params, authorized=authorized)
            assert time.monotonic() - started >= 0.2
    # Without it, no answer waits: the server's sleeps are counted, not timed (a loaded machine's clock proves nothing).
    slept: list[float] = []
    with ReferenceServer(stack=stack) as srv, pytest.MonkeyPatch.context() as patch:
        patch.setattr(handler_module, "time", _SleepsRecorded(time, slept))
        patch.setattr(asgi_module, "asyncio", _SleepsRecorded(asyncio, slept))
        _get(srv, [("limit", "1")])
        _get(srv, [], authorized=False)
    assert slept == []


class _SleepsRecorded:
    """A module seen through: its `sleep` (plain or a coroutine, as the module's is) records, everything else is it."""

    def __init__(self, module, slept: list[float]):
        self._module, self._slept = module, slept

    def __getattr__(self, name):
        return getattr(self._module, name)

    def sleep(self, seconds):
        self._slept.append(seconds)
        return asyncio.sleep(0) if self._module is asyncio else None


# ---- validation, presets, CLI ----------------------------------------------------------------------------------

@pytest.mark.parametrize("kwargs", [{"header_case": "upper"}, {"charset": "yes"}, {"compression": "br"},
                                    {"framing": "close"}, {"timestamps": "seconds"}, {"limit_parser": "python"},
                                    {"unrouted": "404"}, {"runtime_id_shape": "ulid"}, {"cursor_binding": "limit"},
                                    {"cursor_style": "offset"}, {"error_media_type": "text/plain"},
                                    {"request_id": "body"}, {"read_lag": -1}, {"read_lag": "1"},
                                    {"retention": 1}, {"latency_ms": -5}, {"latency_ms": 1.5}])
def test_bad_personalities_raise(kwargs):
    with pytest.raises(ValueError, match=next(iter(kwargs))):
        Variants(**kwargs)


def test_presets():
    """The presets hold the habits the stacks have (and nothing that is a fault)."""
    assert PERSONALITIES["fastify"].changed() == {
        "header_case": "lower", "charset": True, "limit_parser": "javascript-number", "unrouted": "router-404",
        "cursor_style": "page-number"}
    express = PERSONALITIES["express-parseint"]
    assert (express.limit_parser, express.unrouted, express.header_case, express.cursor_binding) == (
        "parse-int", "router-404-html", "as-written", "filter")
    go = PERSONALITIES["go-chi"]
    assert go.timestamps.startswith("nanoseconds") and go.runtime_id_shape == "uuid"
    assert (go.error_media_type, go.request_id) == ("application/problem+json", "header")


@pytest.mark.parametrize("name", sorted(PERSONALITIES))
def test_preset_serves_the_contract(name):
    """Each preset serves every run once in order over a cursor walk, refuses a bad limit and an unknown key, and
    tells another tenant's runtime it is not found."""
    with ReferenceServer(variants=PERSONALITIES[name]) as srv:
        runs = _walk(srv, [("limit", "20")])
        assert [run["id"] for run in runs] == [run.id for run in srv.store.all_runs(srv.seed_info.runtime_id)]
        assert all(UUID.fullmatch(run["id"]) for run in runs)
        assert _get(srv, [("limit", "0")]).status_code == 400
        assert _get(srv, authorized=False).status_code == 401
        assert _get(srv, runtime=srv.seed_info.other_runtime_id).status_code == 404


def _banner(*args) -> list[str]:
    proc = subprocess.Popen([sys.executable, "-m", "reference_server", "--port", "0", *args], cwd=REPO,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        return [proc.stdout.readline().rstrip("\n") for _ in range(10)]
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_cli_personality_and_overrides():
    """--personality NAME sets the preset; single options override its fields."""
    lines = _banner("--personality", "fastify", "--header-case", "as-written", "--no-charset", "--latency", "5",
                    "--framing", "chunked")
    assert lines[8] == ("# variants: framing=chunked, limit-parser=javascript-number, unrouted=router-404, "
                        "cursor-style=page-number, latency-ms=5")
    assert lines[9] == "# stack: http.server"


def test_cli_rejects_bad_personality_values():
    for args in (["--personality", "django"], ["--latency", "-1"], ["--read-lag", "x"], ["--timestamps", "s"]):
        result = subprocess.run([sys.executable, "-m", "reference_server", *args], cwd=REPO, capture_output=True,
                                text=True, timeout=20)
        assert result.returncode == 2, args


def test_help_lists_the_personalities():
    text = subprocess.run([sys.executable, "-m", "reference_server", "--help"], cwd=REPO, capture_output=True,
                          text=True, timeout=20).stdout
    start, end = text.index("personalities:"), text.index("faults:")
    for option in ("--personality", "--header-case", "--charset", "--compression", "--framing", "--timestamps",
                   "--limit-parser", "--unrouted", "--runtime-id-shape", "--cursor-binding", "--cursor-style",
                   "--error-media-type", "--request-id", "--read-lag", "--retention", "--latency"):
        assert start < text.index(f"  {option}") < end, option


def test_the_nginx_front_end_answers_its_own_refusals():
    """front_end="nginx": two Authorization lines get nginx's HTML 400, TRACE its 405 without Allow, a request line
    past 8 KiB its 414 (as nginx 1.22 at its defaults answers each, checked against the real one); the rest passes."""
    with ReferenceServer(variants=Variants(front_end="nginx")) as srv:
        info = srv.seed_info
        url = f"{srv.base_url}/v2/runtimes/{info.runtime_id}/runs"
        lines = [("Authorization", "Bearer bctrl_sk_test_wrong"), ("Authorization", f"Bearer {info.api_key}")]
        twice = exchange(srv.port, "GET", f"/v2/runtimes/{info.runtime_id}/runs", lines)
        trace = requests.request("TRACE", url, timeout=5)
        long = requests.get(url, params={"cursor": "A" * 9000}, headers={"Authorization": f"Bearer {info.api_key}"},
                            timeout=5)
        served = _get(srv, [("limit", "1")])
    assert twice.status == 400 and b"<center>nginx</center>" in twice.raw_body
    assert trace.status_code == 405 and "Allow" not in trace.headers and "nginx" in trace.text
    assert long.status_code == 414 and served.status_code == 200
