"""Schemathesis fuzzes the operation from the effective contract, positive and negative, with every check on."""

from __future__ import annotations

import pytest
import schemathesis

from .config import contract_rules_check

schema = schemathesis.pytest.from_fixture("fuzz_target_schema")


@pytest.mark.rule("server.no-5xx", "http.methods", "page.schema", "run.schema", "run.lifecycle", "errors.envelope", "errors.hygiene")
@schema.parametrize()
def test_fuzzed_requests_get_answers_the_contract_allows(case, http_session, settings, contract):
    """Every generated request, valid or not, gets an answer the effective contract allows (status, headers,
    content type, schema, run invariants), valid input is accepted and invalid input refused, never a 5xx."""
    try:
        case.call_and_validate(session=http_session, additional_checks=[contract_rules_check(contract)])
    except BaseException as failure:  # Schemathesis raises an exception group; say how to replay the run
        failure.add_note(f"Replay the whole fuzz run: BCTRL_SEED={settings.seed} python -m pytest conformance/fuzz")
        raise
