"""Schemathesis fuzzes the operation from the effective contract, positive and negative, with every check on."""

from __future__ import annotations

import json

import schemathesis

from conformance.contract import load_contract
from conformance.harness.validation import error_body_problems, run_invariant_problems

schema = schemathesis.pytest.from_fixture("fuzz_target_schema")


@schemathesis.check
def bctrl_run_invariants_and_error_hygiene(ctx, response, case):
    """Runs keep their own invariants; error bodies show no stack trace, source path or key."""
    contract = load_contract()
    text = response.content.decode("utf-8", errors="replace")
    problems = []
    if response.status_code == 200:
        try:
            runs = json.loads(text).get("data") or []
        except (ValueError, AttributeError):
            runs = []  # the schema check reports a body that is not a page
        for run in runs if isinstance(runs, list) else []:
            problems += [f"run {run.get('id')}: {problem}" for problem in run_invariant_problems(run, contract)
                         if isinstance(run, dict)]
    if response.status_code >= 400:
        problems += list(error_body_problems(text, contract))
    if problems:
        raise AssertionError("; ".join(problems))


@schema.parametrize()
def test_fuzzed_requests_get_answers_the_contract_allows(case, http_session, settings):
    """Every generated request, valid or not, gets an answer the effective contract allows (status, headers,
    content type, schema, run invariants), valid input is accepted and invalid input refused, never a 5xx."""
    try:
        case.call_and_validate(session=http_session)
    except BaseException as failure:  # Schemathesis raises an exception group; say how to replay the run
        failure.add_note(f"Replay the whole fuzz run: BCTRL_SEED={settings.seed} python -m pytest conformance/fuzz")
        raise
