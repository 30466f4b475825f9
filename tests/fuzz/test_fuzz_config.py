"""fuzz/config.py: the fuzz test's own Schemathesis check (what no schema says: run invariants, error-body
hygiene), and the queries it keeps the fuzzer from generating (answers the contract leaves open)."""

from __future__ import annotations

import copy
import json
from types import SimpleNamespace

import pytest

from conformance.contract import RUNS_PATH, Contract, load_contract
from conformance.fuzz.config import contract_rules_check, query_filter

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


def _contract_with(**lines):
    document = copy.deepcopy(load_contract().document)
    rules = document["paths"][RUNS_PATH]["get"]["x-bctrl-contract"]
    for key, value in lines.items():
        rules[key] = {**rules.get(key, {}), **value} if isinstance(value, dict) else value
    return Contract(document)


@pytest.mark.parametrize("query, kept", [({"limit": 2**63 - 1}, True), ({"limit": 2**63}, False),
                                         ({"limit": "9" * 30}, True), ({}, True), (None, True)])
def test_under_clamp_no_limit_beyond_64_bit_integers_is_generated(query, kept):
    """Under a clamping contract the fuzzer drops integer limits beyond 64 bits (clamped or refused: left open)."""
    assert query_filter(_contract_with(limitAboveMaximum="clamp"))(None, query) is kept


@pytest.mark.parametrize("query, kept", [({"limit": 5}, True), ({"limit": 1.5}, False), ({"limit": "abc"}, True),
                                         ({"limit": [5, 7]}, False), ({"status": "active"}, True),
                                         ({"status": "ACTIVE"}, False), ({"status": ["active", "zzz"]}, True)])
def test_under_a_lenient_grammar_no_value_a_parser_reads_as_valid_is_generated(query, kept):
    """Where the overlay reads other spellings leniently, the fuzzer drops values a common parser reads as valid
    (a negative case `1.5` would be the page size 1); valid values and values nothing reads stay."""
    lenient = _contract_with(queryGrammar={"limitOutsideGrammar": "lenient", "statusOutsideGrammar": "lenient"})
    assert query_filter(lenient)(None, query) is kept


def test_under_the_default_contract_every_query_is_kept():
    """The default contract is strict: every generated value is judged as generated."""
    keep = query_filter(load_contract())
    assert all(keep(None, query) for query in ({"limit": 1.5}, {"status": "ACTIVE"}, {"limit": 2**63}))
