"""http_rules.py and answers.py: the HTTP rules judged on every answer, retried ones included."""
from __future__ import annotations

import pytest

from conformance.contract import load_contract
from conformance.judge.http_rules import cache_directives, http_problems, report
from conformance.transport.answers import AnswerLog
from conformance.transport.exchange import Exchange

CONTRACT = load_contract()


URL = "http://127.0.0.1:1/v2/runtimes/rt/runs"


ENVELOPE = '{"error": {"code": "rate_limited", "message": "Slow down.", "requestId": "req_1"}}'


def attempt(status: int, headers: dict, auth: str | None = "Bearer k", body: str = ENVELOPE) -> Exchange:
    """An answer the client's retries consumed (by default a bctrl error in JSON)."""
    return Exchange("GET", URL, {"Authorization": auth} if auth else {}, status,
                    {"Content-Type": "application/json", **headers}, body, retried=True)


def trip(status: int, headers: dict, *, retried: tuple[Exchange, ...] = (), auth: str | None = "Bearer k",
         test: str = "") -> Exchange:
    return Exchange("GET", URL, {"Authorization": auth} if auth else {}, status, headers, "{}", sent=1.0,
                    received=1.1, wall=1_800_000_000.0, test=test, attempts=list(retried))


def problems(*trips: Exchange) -> list[str]:
    log = AnswerLog()
    for exchange in trips:
        log.record(exchange)
    assert not log.errors
    return [rule for answer in log.answers for rule, _ in http_problems(answer, CONTRACT)]


def test_cache_control_directives_are_parsed_case_insensitively_with_their_values():
    """Names lower-cased, values kept, quoted values with commas stay whole."""
    assert cache_directives('Public, MAX-AGE=60, private="Set-Cookie, X", s-maxage = 5') == {
        "public": None, "max-age": "60", "private": '"Set-Cookie, X"', "s-maxage": "5"}
    assert cache_directives(None) == {}


@pytest.mark.parametrize("value", [None, "no-store", "private, max-age=60", "no-cache", "max-age=0, must-revalidate",
                                   "public, no-store", "private, s-maxage=60"])
def test_answers_no_shared_cache_may_store_pass(value):
    """No Cache-Control, or one that keeps shared caches from storing the answer (no-store, private): fine."""
    assert problems(trip(200, {"Cache-Control": value} if value else {})) == []


@pytest.mark.parametrize("value", ["public, max-age=60", "s-maxage=300", "max-age=60, PUBLIC",
                                   'private="Set-Cookie", public'])
def test_public_or_s_maxage_on_an_answer_to_an_authenticated_request_is_a_problem(value):
    """public or s-maxage (private limited to some fields does not help) lets a shared cache store it."""
    assert problems(trip(200, {"Cache-Control": value})) == ["http.shared-cache"]


def test_an_answer_to_an_anonymous_request_may_be_public():
    """RFC 9111 §3.5 concerns requests with Authorization only."""
    assert problems(trip(401, {"Cache-Control": "public, max-age=60"}, auth=None)) == []


def test_a_429_without_retry_after_is_a_problem_even_when_the_client_retried_it():
    """The retried 429 no test saw is judged; one with Retry-After, and a 503 without it, are fine."""
    hidden = attempt(429, {"Content-Type": "application/json"})
    polite = attempt(429, {"retry-after": "1"})
    assert problems(trip(200, {}, retried=(hidden, polite, attempt(503, {})))) == ["http.retry-after"]
    assert problems(trip(429, {"Retry-After": "2"})) == []
    assert problems(trip(429, {})) == ["http.retry-after"]


def test_a_retried_429_or_json_503_is_judged_as_an_error_of_the_api_before_its_retry():
    """A 429 the client retried without a test seeing it keeps the contract's error rules (JSON, a bctrl envelope);
    so does a 503 in JSON; a 503 in HTML may be a front end's own and is left alone."""
    html = attempt(429, {"Retry-After": "1", "Content-Type": "text/html"}, body="<h1>Too Many Requests</h1>")
    assert problems(trip(200, {}, retried=(html,))) == ["errors.envelope"]
    leaky = attempt(503, {}, body='{"error": {"code": "x", "message": "Traceback (most recent call last):", '
                                  '"requestId": "r"}}')
    assert problems(trip(200, {}, retried=(leaky,))) == ["errors.envelope"]
    bare = attempt(503, {}, body='{"message": "unavailable"}')
    assert problems(trip(200, {}, retried=(bare,))) == ["errors.envelope"]
    front_end = attempt(503, {"Content-Type": "text/html"}, body="<html>503 Service Temporarily Unavailable</html>")
    assert problems(trip(200, {}, retried=(front_end, attempt(429, {"Retry-After": "1"})))) == []


def test_the_report_groups_answers_by_problem_with_a_curl_for_each_example():
    """One heading per rule and problem with the count, then the first examples, each with its curl command."""
    log = AnswerLog()
    for _ in range(4):
        log.record(trip(200, {"Cache-Control": "public"}, test="conformance/x/test_x.py::test_x"))
    offending = [(rule, problem, answer) for answer in log.answers for rule, problem in http_problems(answer, CONTRACT)]
    lines = report(offending, examples=2)
    assert lines[0] == ("http.shared-cache: Cache-Control 'public' lets shared caches store an answer to an "
                        "authenticated request (public): 4 answers, the first 2:")
    assert len(lines) == 5 and lines[1].startswith("    200 [cache-control: public] to GET in conformance/x/")
    assert lines[2] == "      curl -sS -i -H 'Authorization: Bearer k' http://127.0.0.1:1/v2/runtimes/rt/runs"
