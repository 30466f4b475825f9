"""transport.py: PoliteSession retries, budget, Retry-After cap and pacing, against real servers."""
from __future__ import annotations

import threading
import time
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from urllib3 import HTTPResponse
from reference_server import ReferenceServer

from conformance.contract import load_contract
from conformance.judge.response import judged
from conformance.outcomes import BudgetExhausted, ContractViolation, TargetUnavailable, ToolError
from conformance.transport.client import ApiClient
from conformance.transport.endings import ConnectionEnded, NoAnswer
from conformance.transport.politeness import (BACKOFF_FACTOR, IDEMPOTENT_METHODS, RETRY_STATUSES, Pacer, PoliteRetry,
                                              RequestBudget)
from conformance.transport.session import PoliteSession
from reference_server.variants import NODE_HEAD_LIMIT, Variants
from reference_server.wire_faults import PROXY_BUFFER

CONTRACT = load_contract()


def session(*, budget: int = 100, retries: int = 3, retry_after_max: float = 30) -> PoliteSession:
    return PoliteSession(budget=budget, rate=0, timeout=5, retries=retries, retry_after_max=retry_after_max)


def runs_url(srv: ReferenceServer) -> str:
    return f"{srv.base_url}/v2/runtimes/{srv.seed_info.runtime_id}/runs"


def auth(srv: ReferenceServer) -> dict:
    return {"Authorization": f"Bearer {srv.seed_info.api_key}"}


def settled_log(srv: ReferenceServer, count: int, timeout: float = 2.0) -> list:
    """The server's request log once it holds `count` records (it records a request after answering it)."""
    deadline = time.monotonic() + timeout
    while len(srv.request_log) < count and time.monotonic() < deadline:
        time.sleep(0.01)
    return srv.request_log


@contextmanager
def local_server(handler: type[BaseHTTPRequestHandler]):
    """`handler` served on a free loopback port, in a thread; yields its base URL."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


class QuietHandler(BaseHTTPRequestHandler):
    """What the local servers' handlers share: HTTP/1.1 (kept-alive connections), and no log lines."""

    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass


@contextmanager
def scripted_server(*answers):
    """A tiny local HTTP server answering the n-th request with answers[n] (the last one repeats):
    (status, headers) or "drop" (close the connection without a byte). Yields (base_url, methods seen)."""
    seen: list[str] = []

    class Handler(QuietHandler):

        def _answer(self):
            length = int(self.headers.get("Content-Length") or 0)
            if length:
                self.rfile.read(length)
            seen.append(self.command)
            answer = answers[min(len(seen), len(answers)) - 1]
            if answer == "drop":
                self.close_connection = True
                return
            status, headers = answer
            body = b'{"error": {"code": "x", "message": "m", "requestId": "r"}}'
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        do_GET = do_POST = _answer

    with local_server(Handler) as base_url:
        yield base_url, seen


def test_get_is_retried_through_transient_trouble_until_it_succeeds():
    """With retries, every GET through 429/503/dropped/slow trouble ends 200, and the retries are recorded."""
    with ReferenceServer(trouble_rate=0.5) as srv:
        polite = session(retries=3)
        responses = [polite.get(runs_url(srv), headers=auth(srv)) for _ in range(6)]
        log = settled_log(srv, polite.requests_sent)
    assert [response.status_code for response in responses] == [200] * 6
    assert polite.retry_count > 0
    reasons = [reason for response in responses for reason in response.exchange.retries]
    assert len(reasons) == polite.retry_count
    assert set(reasons) <= {"429", "503", "ProtocolError"}
    assert polite.requests_sent == len(log) == 6 + polite.retry_count
    assert [record.status for record in log if record.trouble in ("429", "503")] == \
        [int(record.trouble) for record in log if record.trouble in ("429", "503")]


def test_get_without_retries_through_constant_trouble_raises_target_unavailable():
    """With retries=0 and trouble on every request, a GET that is refused or dropped, by a target not yet seen
    serving anything (a session of its own each), raises TargetUnavailable."""
    raised: list[TargetUnavailable] = []
    sessions = [session(retries=0) for _ in range(10)]
    with ReferenceServer(trouble_rate=1.0) as srv:
        for polite in sessions:
            try:
                response = polite.get(runs_url(srv), headers=auth(srv))
            except TargetUnavailable as error:
                raised.append(error)
                continue
            assert response.status_code == 200  # only the 'slow' kind of trouble gets an answer
        troubles = [record.trouble for record in settled_log(srv, 10)]
    assert issubclass(TargetUnavailable, ToolError)
    assert len(raised) == sum(kind != "slow" for kind in troubles) > 0
    assert len(troubles) == 10 and sum(polite.retry_count for polite in sessions) == 0
    assert all("target unavailable (GET /v2/runtimes/" in str(error) for error in raised)


def test_request_budget_raises_on_the_request_past_the_budget():
    """The request after the budget is spent raises BudgetExhausted without reaching the server."""
    with ReferenceServer() as srv:
        polite = session(budget=3)
        for _ in range(3):
            assert polite.get(runs_url(srv), headers=auth(srv)).status_code == 200
        with pytest.raises(BudgetExhausted, match="BCTRL_REQUEST_BUDGET: the budget of 3 requests is spent"):
            polite.get(runs_url(srv), headers=auth(srv))
        assert len(settled_log(srv, 3)) == 3
    assert polite.requests_sent == 3


def test_request_budget_counts_retries():
    """Retries spend the budget too: with a budget of 3, the third retry of one GET is refused."""
    with scripted_server((503, {"Retry-After": "0"})) as (base_url, seen):
        polite = session(budget=3, retries=5)
        with pytest.raises(BudgetExhausted):
            polite.get(base_url + "/runs")
    assert polite.requests_sent == 3
    assert polite.retry_count == 2
    assert seen == ["GET"] * 3


def test_request_budget_alone():
    """RequestBudget lets `limit` spends through and refuses the next."""
    budget = RequestBudget(2)
    budget.spend()
    budget.spend()
    with pytest.raises(BudgetExhausted):
        budget.spend()
    assert budget.spent == 2


def test_a_retry_after_longer_than_the_cap_raises_target_unavailable():
    """A 429 asking to wait 120 s, above retry_after_max, raises TargetUnavailable naming BCTRL_RETRY_AFTER_MAX
    at once, without waiting (urllib3's own same-named clamp must not swallow it)."""
    with scripted_server((429, {"Retry-After": "120"})) as (base_url, seen):
        started = time.monotonic()
        with pytest.raises(TargetUnavailable) as raised:
            session(retries=1, retry_after_max=0.5).get(base_url + "/runs")
        waited = time.monotonic() - started
    assert "BCTRL_RETRY_AFTER_MAX" in str(raised.value)
    assert seen == ["GET"] and waited < 0.4


def test_polite_retry_get_retry_after_above_the_cap_raises():
    """PoliteRetry(retry_after_max=30).get_retry_after raises TargetUnavailable for Retry-After: 120."""
    response = HTTPResponse(body=b"", headers={"Retry-After": "120"}, status=429)
    retry = PoliteRetry(total=3, retry_after_max=30)
    with pytest.raises(TargetUnavailable, match="BCTRL_RETRY_AFTER_MAX"):
        retry.get_retry_after(response)


def test_polite_retry_get_retry_after_within_the_cap_is_returned():
    """A Retry-After within the cap is returned as seconds."""
    response = HTTPResponse(body=b"", headers={"Retry-After": "2"}, status=503)
    assert PoliteRetry(total=3, retry_after_max=30).get_retry_after(response) == 2


def test_a_retry_after_within_the_cap_is_honoured():
    """A 503 with Retry-After: 0 is retried and the retry's answer is returned."""
    with scripted_server((503, {"Retry-After": "0"}), (200, {})) as (base_url, seen):
        polite = session(retries=3)
        response = polite.get(base_url + "/runs")
    assert response.status_code == 200
    assert response.exchange.retries == ["503"]
    assert seen == ["GET", "GET"]


def test_pacer_spaces_requests():
    """Pacer(rate=20) makes 5 waits last at least 4 intervals (about 0.2 s) in total."""
    pacer = Pacer(rate=20)
    started = time.monotonic()
    for _ in range(5):
        pacer.wait()
    assert time.monotonic() - started >= 0.19


def test_pacer_without_a_rate_does_not_wait(monkeypatch):
    """Pacer(rate=0) never sleeps (its sleeps are counted, not timed: a loaded machine's clock proves nothing)."""
    slept = []
    monkeypatch.setattr(time, "sleep", slept.append)
    pacer = Pacer(rate=0)
    for _ in range(100):
        pacer.wait()
    assert slept == []


def test_post_with_503_and_retry_after_is_retried():
    """A POST answered 503 with Retry-After is retried (the target said it did not handle it)."""
    with scripted_server((503, {"Retry-After": "0"}), (405, {"Allow": "GET, HEAD"})) as (base_url, seen):
        polite = session(retries=2)
        response = polite.post(base_url + "/runs")
    assert response.status_code == 405
    assert response.exchange.retries == ["503"]
    assert seen == ["POST", "POST"]


def test_post_with_a_dropped_connection_is_not_retried():
    """A POST whose connection is dropped is not retried: it raises TargetUnavailable after one attempt."""
    with scripted_server("drop", (405, {})) as (base_url, seen):
        polite = session(retries=2)
        with pytest.raises(TargetUnavailable, match=r"no answer after 0 retries"):
            polite.post(base_url + "/runs")
    assert seen == ["POST"]
    assert polite.retry_count == 0


def test_post_with_503_without_retry_after_is_not_retried():
    """A POST answered 503 without Retry-After is not retried."""
    with scripted_server((503, {}), (405, {})) as (base_url, seen):
        response = session(retries=2).post(base_url + "/runs")
    assert response.status_code == 503
    assert seen == ["POST"]


def test_polite_retry_is_retry_rules():
    """is_retry: idempotent methods on RETRY_STATUSES; non-idempotent only on 429/503 with Retry-After."""
    retry = PoliteRetry(total=2, status_forcelist=RETRY_STATUSES, allowed_methods=IDEMPOTENT_METHODS)
    assert retry.is_retry("GET", 503) and retry.is_retry("GET", 429) and retry.is_retry("QUERY", 502)
    assert not retry.is_retry("GET", 500) and not retry.is_retry("GET", 404)
    assert retry.is_retry("POST", 503, has_retry_after=True)
    assert retry.is_retry("POST", 429, has_retry_after=True)
    assert not retry.is_retry("POST", 503, has_retry_after=False)
    assert not retry.is_retry("POST", 502, has_retry_after=True)
    assert not PoliteRetry(total=0, status_forcelist=RETRY_STATUSES,
                           allowed_methods=IDEMPOTENT_METHODS).is_retry("POST", 503, has_retry_after=True)


def test_polite_retry_copies_keep_the_callback_and_the_cap():
    """Retry.new() copies carry on_retry and the Retry-After cap."""
    calls: list[str] = []
    retry = PoliteRetry(total=2, on_retry=calls.append, retry_after_max=7)
    copy = retry.new(total=1)
    assert copy.on_retry is retry.on_retry and copy.wait_cap == 7 and copy.total == 1


def test_every_answer_reaches_the_listeners_the_retried_ones_included():
    """Each listener hears one Exchange per request: the final answer, with every answer retried before it (with
    its headers: a 429 without Retry-After is retried with backoff, and still reported), and when it was sent; the
    caller's response carries the same record."""
    heard: list = []
    with scripted_server((429, {"X-Limit": "burst"}), (200, {"Cache-Control": "no-store"})) as (base_url, seen):
        polite = session(retries=2)
        polite.listen(heard.append)
        polite.listen(heard.append)
        response = polite.get(base_url + "/runs")
    assert response.status_code == 200 and response.exchange.retries == ["429"] and seen == ["GET", "GET"]
    assert len(heard) == 2 and heard[0] is heard[1] is response.exchange
    exchange = heard[0]
    assert [attempt.status for attempt in exchange.attempts] == [429] and exchange.attempts[0].retried
    assert exchange.attempts[0].headers.get("x-limit") == "burst" and "Retry-After" not in exchange.attempts[0].headers
    assert exchange.status == 200 and not exchange.retried and exchange.sent < exchange.received


def test_the_answer_given_up_on_reaches_the_listeners():
    """When retries run out, the request's record has no answer, and the last answer (never returned to the
    caller) is its last attempt."""
    heard: list = []
    with scripted_server((503, {"Retry-After": "0"})) as (base_url, seen):
        polite = session(retries=1)
        polite.listen(heard.append)
        with pytest.raises(TargetUnavailable):
            polite.get(base_url + "/runs")
    assert len(seen) == 2 and polite.requests_sent == 2
    (exchange,) = heard
    assert exchange.status is None and exchange.retries == ["503", "503"]
    assert exchange.attempts[-1].headers.get("Retry-After") == "0"


def test_requests_sent_from_several_threads_keep_their_own_retries():
    """What one request retried is its own, even while other threads send through the same session."""
    import threading

    heard: list = []
    with scripted_server((429, {}), (200, {}), (200, {}), (200, {})) as (base_url, seen):
        polite = session(retries=2)
        polite.listen(heard.append)
        threads = [threading.Thread(target=polite.get, args=(base_url + "/runs",)) for _ in range(3)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert sorted(len(exchange.attempts) for exchange in heard) == [0, 0, 1]


def test_after_a_429_the_rest_of_the_run_sends_one_request_at_a_time():
    """Several in flight until the target answers 429; from then on one at a time, whatever the cap."""
    with scripted_server((429, {}), (200, {})) as (base_url, seen):
        polite = PoliteSession(budget=100, rate=0, timeout=5, retries=2, retry_after_max=30, in_flight=4)
        assert not polite.throttled
        polite.get(base_url + "/runs")
        assert polite.throttled and seen == ["GET", "GET"]
        in_flight, most = [0], [0]
        lock = threading.Lock()

        def counted(request, **kwargs):
            with lock:
                in_flight[0] += 1
                most[0] = max(most[0], in_flight[0])
            time.sleep(0.05)
            with lock:
                in_flight[0] -= 1
            return original(request, **kwargs)

        original, polite._send = polite._send, counted
        threads = [threading.Thread(target=polite.get, args=(base_url + "/runs",)) for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert most[0] == 1


def test_a_429_without_retry_after_holds_every_thread_for_its_backoff():
    """A 429 without Retry-After holds the whole session for the backoff of the request that got it."""
    held: list[float] = []
    with scripted_server((429, {}), (503, {}), (200, {})) as (base_url, _):
        polite = session(retries=3)
        polite.pacer.hold = held.append
        polite.get(base_url + "/runs")
    assert held == [BACKOFF_FACTOR]  # the 429's (its first retry's backoff is 0); the 503's holds no one


def test_the_environment_is_read_once_per_origin(monkeypatch):
    """requests reads proxies and the CA bundle from os.environ on each request; the session reads them once per
    origin (pytest rewrites os.environ between tests while other threads send)."""
    import requests

    calls = []
    original = requests.Session.merge_environment_settings
    monkeypatch.setattr(requests.Session, "merge_environment_settings",
                        lambda self, *args: calls.append(args[0]) or original(self, *args))
    with scripted_server((200, {})) as (base_url, _):
        polite = session()
        for _ in range(3):
            polite.get(base_url + "/runs", params={"limit": 1})
    assert len(calls) == 1


@pytest.mark.parametrize("authorization", [None, "Bearer bctrl_sk_test_under_test"])
def test_a_netrc_entry_for_the_host_never_replaces_the_authorization_sent(tmp_path, monkeypatch, authorization):
    """A ~/.netrc entry for the target's host changes nothing: a request keeps the Authorization header its check
    built, or goes without one (requests would otherwise send the netrc's Basic credentials instead)."""
    import requests

    netrc = tmp_path / "netrc"
    netrc.write_text("machine 127.0.0.1 login someone password elsewhere\n", encoding="utf-8")
    monkeypatch.setenv("NETRC", str(netrc))
    headers = {"Authorization": authorization} if authorization else {}
    prepared = session().prepare_request(requests.Request("GET", "http://127.0.0.1:9/runs", headers=headers))
    assert prepared.headers.get("Authorization") == authorization


# -- answers the connection ends early (issue 23: the wire, refusals at the transport) --------------------------------
def test_an_answer_cut_short_is_kept_with_how_its_connection_ended_it():
    """A body shorter than its Content-Length is no traceback: the answer comes back with what came of its body, and
    its exchange says how the connection ended it."""
    with ReferenceServer(faults=["large-answer-cut-at-proxy-buffer"]) as srv:
        response = session(retries=0).get(runs_url(srv), headers=auth(srv), params={"limit": 100})
    assert response.status_code == 200 and len(response.content) == PROXY_BUFFER
    assert "after 16,384 bytes of its body (IncompleteRead(16384 bytes read" in response.exchange.ended


def test_a_cut_answer_breaks_the_contract_and_a_whole_one_does_not():
    """The judgement of an answer names a cut one, with how it ended and a curl command."""
    with ReferenceServer(faults=["last-page-chunk-missing"]) as srv:
        api = ApiClient(session(retries=0), srv.base_url, srv.seed_info.api_key, srv.seed_info.runtime_id, CONTRACT)
        judged(api.list_runs(params=[("limit", 5)]), api.contract)  # a page with more after it: whole
        with pytest.raises(ContractViolation) as raised:
            # the last page: its last chunk missing
            judged(api.list_runs(params=[("limit", 100), ("status", "active")]), api.contract)
    assert "the answer is cut short: the connection ended the answer after" in str(raised.value)
    assert "reproduce: curl" in str(raised.value)


def test_nodes_431_and_reset_is_a_refusal_for_a_request_refusable_for_its_size():
    """Against Node's way (a bare 431, then a reset, above 16 KiB of request head), a request a server may refuse for
    its size comes back as the refusal it is (431 cut short, or no answer at all): never a traceback, never the
    target taken for gone; the default contract allows it (sizeRefusals: closed)."""
    with ReferenceServer(variants=Variants(head_limit=NODE_HEAD_LIMIT)) as srv:
        api = ApiClient(session(retries=1), srv.base_url, srv.seed_info.api_key, srv.seed_info.runtime_id, CONTRACT)
        answers = [api.list_runs(params=f"cursor={'A' * size}", refusable_for_size=True)
                   for size in (17_000, 100_000, 1_000_000)]
        within = api.list_runs(params=[("limit", 5)])  # a head within the limit: served as ever
    assert within.status == 200 and not within.ended
    assert all(answer.status in (431, None) and answer.ended for answer in answers), [a.summary() for a in answers]
    assert all(CONTRACT.refused_at_transport(answer.status) for answer in answers)


def test_no_answer_to_one_request_every_time_while_others_are_served_is_the_apis_failure():
    """A connection that ends with no answer to one request on every try, while the target answers the others, is a
    contract violation saying how it ended and how often, with a curl command: not the target gone."""
    # A worker that crashes on the second request and on both of its retries; the others are answered.
    with scripted_server((200, {}), "drop", "drop", "drop", (200, {})) as (base_url, _):
        polite = session(retries=2)
        assert polite.get(base_url + "/v2/runtimes/r/runs").status_code == 200
        with pytest.raises(NoAnswer) as raised:
            polite.get(base_url + "/v2/runtimes/r/runs?cursor=abc")
    assert isinstance(raised.value, ContractViolation) and not isinstance(raised.value, ToolError)
    assert "on each of its 3 tries, while the target answered other requests" in str(raised.value)
    assert "curl" in str(raised.value) and "cursor=abc" in str(raised.value)


def test_a_connection_ended_with_no_answer_is_the_target_gone_unless_the_request_may_be_refused_for_its_size():
    """No answer at all: a tool error for an ordinary request (ConnectionEnded, a TargetUnavailable); for a request
    the caller says may be refused for its size, its answer: status None, and how the connection ended."""
    with scripted_server("drop") as (base_url, _):
        api = ApiClient(session(retries=0), base_url, "bctrl_sk_test_" + "0" * 32, "r", CONTRACT)
        with pytest.raises(ConnectionEnded):
            api.list_runs()
        answer = api.list_runs(params=f"cursor={'A' * 9000}", refusable_for_size=True)
    assert answer.status is None and "no answer to a request of 9," in answer.ended
    assert answer.summary().startswith("no answer (the connection ended with no answer")


# -- honest blame: one request failing while the target serves the others (issue 23) ----------------------------------
@contextmanager
def server_by_path(answers: dict[str, list[int]]):
    """A local server answering GET `path` with its statuses in turn (the last repeats). Yields (base_url, paths seen)."""
    seen: list[str] = []

    class Handler(QuietHandler):

        def do_GET(self):
            statuses = answers[self.path]
            status = statuses[min(seen.count(self.path), len(statuses) - 1)]
            seen.append(self.path)
            body = b'{"data": [], "nextCursor": null}'
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    with local_server(Handler) as base_url:
        yield base_url, seen


def test_a_5xx_one_request_keeps_getting_while_the_target_serves_others_is_its_answer():
    """After its retries, a request still answered 502 while the target serves the others (the last served GET sent
    again is served) is sent once more and, 502 again, comes back as the API's answer, to be judged: not the target
    taken for unavailable."""
    with server_by_path({"/good": [200], "/bad": [502]}) as (base_url, seen):
        polite = session(retries=1)
        assert polite.get(base_url + "/good").status_code == 200
        answer = polite.get(base_url + "/bad")
    assert answer.status_code == 502 and answer.exchange.status == 502
    assert seen == ["/good", "/bad", "/bad", "/good", "/bad", "/bad"]
    assert polite.requests_sent == len(seen)


def test_a_5xx_from_a_target_seen_serving_nothing_is_the_target_unavailable():
    """A request still answered 503 after its retries, by a target no request has been served by, is a tool error."""
    with server_by_path({"/bad": [503]}) as (base_url, seen):
        with pytest.raises(TargetUnavailable, match="still 503 after 1 retries"):
            session(retries=1).get(base_url + "/bad")
    assert seen == ["/bad", "/bad"]


def test_a_5xx_that_passes_when_sent_once_more_was_transient():
    """A request 502 through its retries, then served when sent once more (the target serving the others), gets the
    answer it was served: the trouble was transient."""
    with server_by_path({"/good": [200], "/flaky": [502, 502, 200]}) as (base_url, seen):
        polite = session(retries=1)
        polite.get(base_url + "/good")
        answer = polite.get(base_url + "/flaky")
    assert answer.status_code == 200 and seen == ["/good", "/flaky", "/flaky", "/good", "/flaky"]
