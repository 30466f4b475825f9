"""Every response matches the contract's schema (Draft 2020-12, formats checked) and each run's invariants.

Every response a check receives is judged (judge/response.py); these tests make sure the whole runtime and each
kind of answer is looked at at least once.
"""

from __future__ import annotations

import pytest

from conformance.judge.expect import expect_status
from conformance.judge.response import judged
from conformance.judge.walk import walk_runs
from conformance.readiness import RuntimeData, require, runs
from conformance.transport.client import page_params

pytestmark = pytest.mark.ahead  # run ahead of their turn, a few at once (conformance/plugin/ahead.py)

SOME_RUNS = runs()


@pytest.mark.rule("page.schema")
def test_first_page_matches_the_page_schema(api):
    """The first page is a 200 whose body is a page of runs as the contract describes it."""
    page = judged(api.list_runs(), api.contract)
    expect_status(page, 200, "The first page of a runtime's runs is served")


@pytest.mark.rule("run.schema", "run.lifecycle")
@pytest.mark.needs(SOME_RUNS)
def test_every_run_of_the_runtime_matches_the_run_schema(api, contract, max_walk_runs):
    """Every run on every page has a uuid id, RFC 3339 timestamps, a known status and consistent times."""
    # The walk judges each page as it arrives: a run that breaks the schema fails the walk.
    walk = walk_runs(api, limit=contract.limit_max, max_runs=max_walk_runs)
    require(SOME_RUNS, contract, RuntimeData.of(walk.runs, walk.complete))


@pytest.mark.rule("errors.envelope", "errors.hygiene")
@pytest.mark.parametrize(
    "kind, params, authorized, runtime",
    [
        pytest.param("invalidQuery", page_params(limit=0), True, None, id="invalid-query"),
        pytest.param("unauthenticated", [], False, None, id="no-key"),
        pytest.param("notVisible", [], True, "unknown", id="unknown-runtime"),
    ],
)
def test_error_answers_use_a_bctrl_error_envelope(api, contract, unknown_runtime_id, kind, params, authorized,
                                                  runtime):
    """Each kind of refusal has its documented status and a JSON body in one of bctrl's error envelopes, sent as one
    of the error media types, with a request id where the contract allows."""
    runtime_id = unknown_runtime_id if runtime == "unknown" else None
    answer = judged(api.list_runs(runtime_id, params, **({} if authorized else {"authorization": None})), contract)
    expect_status(answer, contract.error_status(kind), f"A {kind} refusal has the contract's status")
