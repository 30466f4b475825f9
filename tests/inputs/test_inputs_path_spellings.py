"""spelling.py and ApiClient.get_exactly: path spellings are sent as written, redirects followed only on the same
origin, and the verdict allows exactly what the contract allows."""
from __future__ import annotations

import time

import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from reference_server import ReferenceServer

from conformance.contract import load_contract
from conformance.inputs.path_spellings import (
    OTHER, OWN, PATH_FORMS, TELLING_SPELLINGS, UNKNOWN, Spelling, escaped, telling_spelling,
)
from conformance.judge.path_spellings import expect_spelling_answered, fetch
from conformance.judge.walk import Walk
from conformance.outcomes import ContractViolation
from conformance.representation import fullwidth, unknown_like
from conformance.transport.client import ApiClient, exact_query
from conformance.transport.exchange import Exchange
from conformance.transport.session import PoliteSession

CONTRACT = load_contract()
RUNTIME = "9531985d-5d9d-49f8-9818-e811892f902b"
RUN = {"id": "3451d013-5675-46ad-b25b-55dd78572976", "createdAt": "2026-03-01T10:15:00.000Z",
       "startedAt": "2026-03-01T10:15:01.000Z", "status": "active", "finishedAt": None}
OLDER = {**RUN, "id": "0b6c1d6e-7f1a-4c3b-9d2e-5a4b3c2d1e0f", "createdAt": "2026-03-01T10:14:00.000Z",
         "startedAt": "2026-03-01T10:14:01.000Z"}
FOREIGN = {**RUN, "id": "07c0909c-797b-4538-a5a1-5b79bcc0fd98", "createdAt": "2026-02-20T08:00:00.000Z",
           "startedAt": "2026-02-20T08:00:06.372Z"}
OLDEST = {**RUN, "id": "0a5b0c5d-6e0f-4b2a-8c1d-4f3a2b1c0d9e", "createdAt": "2026-03-01T10:13:00.000Z",
          "startedAt": "2026-03-01T10:13:01.000Z"}
REFERENCE = Walk(runs=[RUN, OLDER, OLDEST], complete=True)
JSON = {"Content-Type": "application/json"}


def client(base_url: str, api_key: str = "k", runtime_id: str = RUNTIME) -> ApiClient:
    session = PoliteSession(budget=100, rate=0, timeout=5, retries=0, retry_after_max=30)
    return ApiClient(session, base_url, api_key, runtime_id, CONTRACT)


def answer(status: int, body: object = None, headers: dict | None = None) -> Exchange:
    text = body if isinstance(body, str) else json.dumps(body if body is not None else {})
    return Exchange(method="GET", url="http://127.0.0.1/x", sent_headers={}, status=status,
                    headers=JSON if headers is None else headers, text=text)


def verdict(status: int, body: object = None, family: str = OTHER) -> None:
    expect_spelling_answered([answer(status, body)], Spelling(family, "test", "/x"), CONTRACT, REFERENCE)


# -- making spellings -------------------------------------------------------------------------------------------
def test_escaped_escapes_what_a_segment_cannot_hold_and_what_is_chosen():
    """Unsafe characters are always escaped (UTF-8, upper hex); safe ones only when every or chosen."""
    assert escaped("a b/é;") == "a%20b%2F%C3%A9;"
    assert escaped("ab", every=True) == "%61%62"
    assert escaped("abc", chosen=lambda index: index == 1) == "a%62c"


def test_fullwidth_maps_printable_ascii():
    """Fullwidth forms are U+FF01..U+FF5E for '!'..'~'; other characters stay."""
    assert fullwidth("a-1 ") == "\uff41\uff0d\uff11 "


def test_unknown_like_keeps_the_shape_and_avoids_known_ids():
    """The unknown id has the same length, separators and character classes, and is none of the known ids."""
    unknown = unknown_like(RUNTIME)
    assert unknown != RUNTIME and len(unknown) == len(RUNTIME)
    assert unknown[:24] == RUNTIME[:24] and unknown[-12:].isalnum()
    assert all(a.isdigit() == b.isdigit() for a, b in zip(RUNTIME, unknown))
    assert unknown_like(RUNTIME, avoid={unknown}) not in {unknown, RUNTIME}


def test_every_telling_spelling_differs_from_the_canonical_path():
    """Each telling spelling is a different path from the canonical one, and names its family."""
    canonical = PATH_FORMS["canonical"](RUNTIME)
    paths = {name: telling_spelling(name, OWN, RUNTIME).path for name in TELLING_SPELLINGS}
    assert canonical not in paths.values() and len(set(paths.values())) == len(paths)
    assert telling_spelling("trailing-slash", OTHER, RUNTIME) == Spelling(OTHER, "trailing-slash", canonical + "/")


def test_spelling_repr_is_short():
    """A spelling's repr shows its family, how it was made and a shortened path."""
    text = repr(Spelling(UNKNOWN, "padded", "/" + "0" * 8000))
    assert "a runtime that exists nowhere" in text and "(8001 chars)" in text and len(text) < 250


# -- sending ----------------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def server():
    with ReferenceServer() as srv:
        yield srv


def test_get_exactly_sends_escapes_and_dot_segments_as_written(server):
    """An escaped unreserved character (%39), an escaped dot and a literal dot segment reach the server as written
    (requests would have decoded or removed them)."""
    api = client(server.base_url, server.seed_info.api_key, server.seed_info.runtime_id)
    for path in (f"/v2/runtimes/%39{server.seed_info.runtime_id[1:]}/runs", "/v2/runtimes/x/%2E/runs",
                 "/v2/runtimes/x/./runs"):
        before = len(server.request_log)
        api.get_exactly(server.base_url + path)
        assert _next_record(server, before).path == path


def _next_record(server, before, seconds=5.0):
    """The request-log entry after `before`: the server records a request just after it has answered it."""
    deadline = time.monotonic() + seconds
    while len(server.request_log) <= before and time.monotonic() < deadline:
        time.sleep(0.01)
    return server.request_log[before]


def test_exact_query_escapes_a_space_as_percent_20(server):
    """exact_query writes a space as %20 and escapes brackets in keys; list_runs sends it as is."""
    assert exact_query([("status[]", " active")]) == "status%5B%5D=%20active"
    api = client(server.base_url, server.seed_info.api_key, server.seed_info.runtime_id)
    api.list_runs(params=exact_query([("limit", " 5")]))
    assert server.request_log[-1].query == "limit=%205"


class _Redirecting(BaseHTTPRequestHandler):
    """Redirects /away elsewhere, /here to /final on the same origin, and answers /final with 404."""

    def do_GET(self):
        if self.path == "/final":
            self.send_response(404)
            self.send_header("Content-Length", "0")
        else:
            self.send_response(308)
            self.send_header("Location", "http://elsewhere.invalid/x" if self.path == "/away" else "/final")
            self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def redirecting():
    httpd = HTTPServer(("127.0.0.1", 0), _Redirecting)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def test_fetch_follows_a_same_origin_redirect_only(redirecting):
    """A redirect to the same origin is followed (its answer judged too); one elsewhere is not."""
    api = client(redirecting)
    assert [a.status for a in fetch(api, Spelling(OWN, "here", "/here"))] == [308, 404]
    assert [a.status for a in fetch(api, Spelling(OWN, "away", "/away"))] == [308]


# -- the verdict ------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("status", [404, 400, 403, 414, 431])
def test_a_refusal_the_overlay_allows_passes_even_without_a_bctrl_envelope(status):
    """A listed refusal passes with a proxy's own body (not a bctrl envelope)."""
    verdict(status, "<html>Not Found</html>")


def test_a_redirect_passes():
    """A redirect the overlay allows is no violation in itself."""
    verdict(308, "")


@pytest.mark.parametrize("status, body, words", [
    (200, {"data": [], "nextCursor": None}, "is served"),
    (500, {"error": "boom"}, "5xx"),
    (401, {"error": {"code": "auth.invalid", "message": "no", "requestId": "r"}}, "refusal the overlay allows"),
    (404, {"data": [FOREIGN]}, "lists 1 runs"),
    (404, 'Traceback (most recent call last):\n  File "/app/x.py", line 3', "leaks internals"),
])
def test_another_tenants_spelling_is_refused_cleanly(status, body, words):
    """For a runtime the key cannot see: any 2xx, a 5xx, an unlisted status, runs or a leak is a violation."""
    with pytest.raises(ContractViolation, match=words):
        verdict(status, body)


def test_the_keys_runtime_may_be_served_with_its_own_runs():
    """A 200 for the key's runtime listing its runs (and a newer one) passes."""
    newer = {**RUN, "id": "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d", "createdAt": "2026-03-01T10:16:00.000Z",
             "startedAt": "2026-03-01T10:16:00.000Z"}
    verdict(200, {"data": [newer, RUN, OLDER], "nextCursor": None}, family=OWN)


@pytest.mark.parametrize("runs, words", [
    ([RUN, OLDER, FOREIGN], "not the runtime's"),
    ([], "an empty page"),
    ([RUN, OLDEST], "missing from the page"),
])
def test_the_keys_runtime_served_with_other_runs_is_a_violation(runs, words):
    """A 200 for the key's runtime with a foreign run, no run, or a run left out is a violation."""
    with pytest.raises(ContractViolation, match=words):
        verdict(200, {"data": runs, "nextCursor": None}, family=OWN)
