"""The fuzz test's own Schemathesis check: what no schema says (run invariants, error-body hygiene)."""

from __future__ import annotations

import json
from types import SimpleNamespace

import pytest

from conformance.contract import load_contract
from conformance.fuzz.config import contract_rules_check, filter_query

GOOD_RUN = {"id": "3fa85f64-5717-4562-b3fc-2c963f66afa6", "createdAt": "2026-01-01T00:00:00Z",
            "startedAt": "2026-01-01T00:00:01Z", "status": "stopped", "finishedAt": "2026-01-01T00:01:00Z"}


def _response(status: int, body) -> SimpleNamespace:
    text = body if isinstance(body, str) else json.dumps(body)
    return SimpleNamespace(status_code=status, content=text.encode(),
                           request=SimpleNamespace(url="http://api.test/v2/runtimes/rt/runs"))


def test_check_passes_a_good_page_and_a_clean_error():
    """A page of consistent runs and a plain error body pass the check."""
    check = contract_rules_check(load_contract())
    check(None, _response(200, {"data": [GOOD_RUN], "nextCursor": None}), None)
    check(None, _response(400, {"error": {"code": "request.invalid", "message": "bad", "requestId": "r"}}), None)


def test_check_flags_a_run_that_finished_before_it_started():
    """A run whose finishedAt precedes its startedAt fails the check."""
    run = {**GOOD_RUN, "finishedAt": "2025-12-31T23:00:00Z"}
    with pytest.raises(AssertionError, match="finishedAt .* is before startedAt"):
        contract_rules_check(load_contract())(None, _response(200, {"data": [run], "nextCursor": None}), None)


def test_check_flags_a_stack_trace_in_an_error_body():
    """An error body carrying a Python traceback fails the check."""
    body = {"error": "boom", "code": "server.error", "details": {"trace": 'Traceback (most recent call last):\n  '
                                                                          'File "/app/api.py", line 3, in handle'}}
    with pytest.raises(AssertionError, match="leaks internals"):
        contract_rules_check(load_contract())(None, _response(400, body), None)


@pytest.mark.parametrize("query, kept", [({"limit": 2**63 - 1}, True), ({"limit": 2**63}, False),
                                         ({"limit": "9" * 30}, True), ({}, True), (None, True)])
def test_under_clamp_no_limit_beyond_64_bit_integers_is_generated(query, kept):
    """Under a clamping contract the fuzzer drops integer limits beyond 64 bits (clamped or refused: left open)."""
    assert filter_query(None, query) is kept
