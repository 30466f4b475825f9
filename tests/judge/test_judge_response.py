"""validation.py: run invariants, error-body hygiene and whole-response checks against the contract."""
from __future__ import annotations

import json
import uuid

import pytest

from conformance.contract import load_contract
from conformance.judge.response import (check_response, error_body_problems, response_problems,
                                            run_invariant_problems)
from conformance.outcomes import ContractViolation
from conformance.redaction import register_secret
from conformance.transport.exchange import Exchange

CONTRACT = load_contract()
JSON = {"Content-Type": "application/json; charset=utf-8"}
GOOD_RUNNING = {"id": "0b6c1d6e-7f1a-4c3b-9d2e-5a4b3c2d1e0f", "createdAt": "2026-03-01T10:15:00.000Z",
                "startedAt": "2026-03-01T10:15:01.000Z", "status": "active", "finishedAt": None}
GOOD_STOPPED = {"id": "3f1c2a4e-8b7d-4e6f-9a1b-2c3d4e5f6a7b", "createdAt": "2026-03-01T10:14:00.000Z",
                "startedAt": "2026-03-01T10:14:00.000Z", "status": "stopped", "finishedAt": "2026-03-01T10:20:00Z"}
NESTED_401 = {"error": {"code": "auth.unauthenticated", "message": "Missing or invalid API key",
                        "requestId": "req_0123"}}


def problems(run: dict) -> list[str]:
    return list(run_invariant_problems(run, CONTRACT))


def exchange(status: int, body: object, headers: dict | None = None, method: str = "GET") -> Exchange:
    text = body if isinstance(body, str) else json.dumps(body)
    return Exchange(method=method, url="http://127.0.0.1/v2/runtimes/rt/runs", sent_headers={}, status=status,
                    headers=JSON if headers is None else headers, text=text)


# -- run invariants ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("run", [GOOD_RUNNING, GOOD_STOPPED, {**GOOD_STOPPED, "status": "failed"}])
def test_run_invariants_are_silent_on_a_good_run(run):
    """A run whose timestamps and finishedAt agree with its status has no invariant problem."""
    assert problems(run) == []


def test_run_invariants_flag_started_before_created():
    """startedAt earlier than createdAt is flagged."""
    [problem] = problems({**GOOD_RUNNING, "startedAt": "2026-03-01T10:14:00.000Z"})
    assert "startedAt 2026-03-01T10:14:00.000Z is before createdAt" in problem


def test_run_invariants_compare_instants_not_text():
    """The same instant written with another offset is not 'before' (timestamps compare as instants)."""
    assert problems({**GOOD_RUNNING, "startedAt": "2026-03-01T11:15:00.000+01:00"}) == []


def test_run_invariants_flag_finished_at_on_a_running_run():
    """A running (active) run with finishedAt set is flagged."""
    [problem] = problems({**GOOD_RUNNING, "finishedAt": "2026-03-01T10:16:00.000Z"})
    assert "status is 'active' but finishedAt is" in problem and "must be null while running" in problem


@pytest.mark.parametrize("status", ["stopped", "failed"])
def test_run_invariants_flag_a_terminal_run_without_finished_at(status):
    """A terminal (stopped/failed) run with finishedAt null is flagged."""
    [problem] = problems({**GOOD_STOPPED, "status": status, "finishedAt": None})
    assert f"status is '{status}' but finishedAt is null" in problem


def test_run_invariants_flag_finished_before_started():
    """finishedAt earlier than startedAt is flagged."""
    [problem] = problems({**GOOD_STOPPED, "finishedAt": "2026-03-01T09:14:00.000Z"})
    assert "finishedAt 2026-03-01T09:14:00.000Z is before startedAt" in problem


def test_run_invariants_leave_malformed_values_to_the_schema():
    """Malformed or naive timestamps and non-object runs give no invariant problem (the schema reports them)."""
    assert problems({**GOOD_RUNNING, "startedAt": "2026-03-01T10:14:00"}) == []
    assert problems({**GOOD_RUNNING, "createdAt": 12345}) == []
    assert list(run_invariant_problems("not a run", CONTRACT)) == []


# -- error-body hygiene -----------------------------------------------------------------------------------------

def test_error_body_flags_a_python_traceback():
    """An error body holding a Python traceback is flagged as leaking internals."""
    text = json.dumps({"error": "boom", "code": "x", "details": {"trace": 'Traceback (most recent call last):\n'
                       '  File "/srv/app/handler.py", line 42, in get\nValueError: bad'}})
    found = list(error_body_problems(text, CONTRACT))
    assert found and all("leaks internals" in problem for problem in found)
    assert any("Traceback" in problem for problem in found)


def test_error_body_flags_a_source_path():
    """An error body naming a /usr/lib/... path is flagged."""
    found = list(error_body_problems('{"error": "failed in /usr/lib/python3/dist-packages/x", "code": "c"}',
                                     CONTRACT))
    assert len(found) == 1 and "/usr/lib/python3/dist-packages/x" in found[0]


def test_error_body_flags_an_echoed_key():
    """An error body that echoes the API key is flagged."""
    key = f"bctrl_sk_test_{uuid.uuid4().hex}"
    register_secret(key)
    assert list(error_body_problems(f'{{"error": "bad key Bearer {key}", "code": "c"}}', CONTRACT)) == [
        "the error body echoes the API key"]


def test_error_body_is_silent_on_a_clean_error():
    """A plain bctrl error envelope has no hygiene problem."""
    assert list(error_body_problems(json.dumps(NESTED_401), CONTRACT)) == []


# -- whole responses --------------------------------------------------------------------------------------------

def test_response_passes_a_correct_200_page():
    """A documented 200 JSON page whose runs are valid has no problem, and check_response does not raise."""
    good = exchange(200, {"data": [GOOD_RUNNING, GOOD_STOPPED], "nextCursor": None})
    assert list(response_problems(good, CONTRACT)) == []
    check_response(good, CONTRACT)


@pytest.mark.parametrize("body", [NESTED_401, {"error": "Missing API key", "code": "auth.unauthenticated",
                                                "requestId": "req_1"}], ids=["nested", "flat"])
def test_response_passes_a_correct_401_error(body):
    """A 401 with a bctrl error envelope has no problem."""
    assert list(response_problems(exchange(401, body), CONTRACT)) == []


@pytest.mark.parametrize("content_type", ["application/json; charset=utf-8", "Application/Problem+JSON",
                                          "application/problem+json; charset=UTF-8"])
def test_an_error_in_any_allowed_media_type_and_spelling_passes(content_type):
    """An error body as application/json or application/problem+json (errorMediaTypes), the name in any case, a
    charset parameter or not, under a lower-case header name, has no problem."""
    assert list(response_problems(exchange(401, NESTED_401, {"content-type": content_type}), CONTRACT)) == []


def test_the_request_id_may_travel_in_the_header_only():
    """A refusal whose envelope has no requestId carries it in the x-request-id header (either case): no problem;
    with neither, the request-id rule names both places."""
    bare = {"error": {"code": "auth.invalid", "message": "no"}}
    assert list(response_problems(exchange(401, bare, {"Content-Type": "application/json",
                                                       "X-Request-ID": "req_9"}), CONTRACT)) == []
    assert list(response_problems(exchange(401, bare), CONTRACT)) == [
        "no request id in the body's requestId or the x-request-id header (x-bctrl-contract.requestId)"]


def test_a_path_quoted_back_by_a_router_is_no_leak():
    """A router's body quoting the request path ("Cannot GET /app/v2/...") under a base path shows no internals."""
    url = "http://api.test/app/v2/runtimes/rt/runs/"
    assert list(error_body_problems("<pre>Cannot GET /app/v2/runtimes/rt/runs/</pre>", CONTRACT, url)) == []
    assert list(error_body_problems("<pre>Cannot GET /app/v2/runtimes/rt/runs/</pre>", CONTRACT))


def test_response_flags_an_undocumented_status():
    """A status the contract does not document (500) is flagged, and nothing else is checked."""
    assert list(response_problems(exchange(500, "Internal Server Error", {"Content-Type": "text/plain"}),
                                  CONTRACT)) == ["status 500 is not one the contract documents for this operation"]


def test_response_flags_a_wrong_content_type():
    """A documented status served as text/html is flagged."""
    [problem] = response_problems(exchange(200, {"data": [], "nextCursor": None}, {"Content-Type": "text/html"}),
                                  CONTRACT)
    assert problem == "Content-Type is 'text/html', not application/json"


def test_response_flags_a_missing_content_type():
    """A response without Content-Type is flagged."""
    [problem] = response_problems(exchange(200, {"data": [], "nextCursor": None}, {}), CONTRACT)
    assert "Content-Type is 'missing'" in problem


def test_response_flags_a_429_without_retry_after():
    """A 429 without Retry-After is flagged; with it, the same answer passes."""
    body = {"error": {"code": "rate_limited", "message": "slow down", "requestId": "r"}}
    assert list(response_problems(exchange(429, body), CONTRACT)) == [
        "the Retry-After header is missing (required with 429)"]
    assert list(response_problems(exchange(429, body, {**JSON, "Retry-After": "1"}), CONTRACT)) == []


def test_response_flags_a_non_json_body():
    """A body that does not parse as JSON is flagged even when it claims application/json."""
    assert list(response_problems(exchange(200, "<html>oops</html>"), CONTRACT)) == ["the body is not JSON"]


def test_response_flags_schema_and_invariant_problems_of_runs():
    """A 200 page with a malformed run and a run breaking an invariant lists both."""
    page = {"data": [{**GOOD_RUNNING, "id": "run_1"}, {**GOOD_STOPPED, "finishedAt": None}], "nextCursor": None}
    found = list(response_problems(exchange(200, page), CONTRACT))
    assert any(problem.startswith("schema: at data/0/id:") for problem in found)
    assert any(problem.startswith("data[1] (") and GOOD_STOPPED["id"] in problem
               and "status is 'stopped' but finishedAt is null" in problem for problem in found)


def test_response_flags_an_error_body_in_the_wrong_shape():
    """A 400 whose body is {"message": ...} breaks the error schema, and check_response raises."""
    bad = exchange(400, {"message": "x"}, {"Content-Type": "application/json", "x-request-id": "req_2"})
    found = list(response_problems(bad, CONTRACT))
    assert found and all(problem.startswith("schema: at (body):") for problem in found)
    with pytest.raises(ContractViolation, match="The response breaks the contract"):
        check_response(bad, CONTRACT)
