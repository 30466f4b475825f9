"""Schemathesis fuzzes the operation from the effective contract, positive and negative, with every check on."""

from __future__ import annotations

import pytest
import schemathesis
from schemathesis import GenerationMode

from .config import CURSOR_QUERY, contract_rules_check

schema = schemathesis.pytest.from_fixture("fuzz_target_schema")


@pytest.mark.rule("server.no-5xx", "http.methods", "page.schema", "run.schema", "run.lifecycle", "errors.envelope", "errors.hygiene")
@schema.parametrize()
def test_fuzzed_requests_get_answers_the_contract_allows(case, http_session, settings, contract, fuzz_requests):
    """Every generated request, valid or not, gets an answer the effective contract allows (status, headers,
    content type, schema, run invariants), valid input is accepted and invalid input refused, never a 5xx."""
    if case.meta.generation.mode == GenerationMode.POSITIVE and "refused" in contract.cursor_with_other_query:
        keep_the_cursors_own_query(case)
    fuzz_requests.send(lambda: case.call_and_validate(session=http_session,
                                                      additional_checks=[contract_rules_check(contract)]))


def keep_the_cursors_own_query(case) -> None:
    """A valid case that sends a cursor sends it with the query it was handed out with: where the overlay lets a
    cursor be bound to its query (cursorWithOtherQuery: refused), another filter or limit is not valid input."""
    if case.query and "cursor" in case.query:
        case.query = {"cursor": case.query["cursor"], **CURSOR_QUERY}
