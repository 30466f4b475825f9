"""Requests of every size: values no client sends on purpose but any client can. Whatever the size, the answer is
what the contract says of the values sent, or a refusal the overlay allows for the size (sizeRefusals: a front end
refusing an entity, a URI or headers too large); never a 5xx, and a refusal shows no internals."""

from __future__ import annotations

import pytest

from conformance.inputs.path_spellings import padded
from conformance.judge.expect import expect, expect_status
from conformance.judge.response import error_body_problems, response_problems
from conformance.profiles import cases
from conformance.transport.client import exact_query

pytestmark = pytest.mark.ahead  # run ahead of their turn, a few at once (conformance/plugin/ahead.py)

MANY = 1000  # repeated values or parameters: far beyond what a client means, within what a URL may hold
LONG = 8_000  # characters of one value: beyond common limits of keys, columns and caches
HUGE = 100_000  # characters of one value: beyond common limits of request lines


def _sizes(contract, shared_walk, unknown_runtime_id):
    """Each request as (runtime, encoded query, whether its values alone are valid)."""
    first, statuses = contract.statuses[0], contract.statuses
    cursor = shared_walk.pages[0].next_cursor or "x"
    return {
        "many-repeated-statuses": (None, exact_query([("status", first)] * MANY), True),
        "every-status-many-times": (None, exact_query([("status", statuses[i % len(statuses)])
                                                       for i in range(MANY)]), True),
        "many-unknown-parameters": (None, exact_query([(f"conformance{i}", i) for i in range(MANY)]), None),
        "a-long-cursor": (None, exact_query([("cursor", cursor + "A" * LONG)]), False),
        "a-huge-cursor": (None, exact_query([("cursor", "A" * HUGE)]), False),
        # A contract that clamps serves a huge limit as its maximum (or refuses it as beyond any integer type).
        "a-long-limit": (None, exact_query([("limit", "1" * LONG)]), contract.limit_clamped),
        "a-long-status": (None, exact_query([("status", first * (LONG // len(first)))]), False),
        "a-long-runtime-id": (padded(unknown_runtime_id, LONG), "", False),
    }


SIZES = ("many-repeated-statuses", "every-status-many-times", "many-unknown-parameters", "a-long-cursor",
         "a-huge-cursor", "a-long-limit", "a-long-status", "a-long-runtime-id")


@pytest.mark.rule("server.sizes", "server.no-5xx", "errors.hygiene", "http.framing")
@pytest.mark.parametrize("size", cases(SIZES))
def test_a_request_of_any_size_gets_the_contracts_answer_never_a_5xx(api, contract, shared_walk, unknown_runtime_id,
                                                                    size):
    """Hundreds of repeated statuses or parameters, a long or huge cursor, a long limit, status or runtime id get
    what their values get (a page, or the contract's refusal) or a refusal for the size the overlay allows; never a
    5xx."""
    runtime_id, query, valid = _sizes(contract, shared_walk, unknown_runtime_id)[size]
    answer = api.list_runs(runtime_id, query, refusable_for_size=True)
    if answer.status is None or answer.ended:  # the connection ended: a refusal at the transport, or a cut answer
        expect(contract.refused_at_transport(answer.status), f"A request with {size.replace('-', ' ')} is answered, "
               "or refused by a connection that ends as sizeRefusals allows",
               expected="an answer whole" + (", or a refusal that ends the connection (no answer, or 413, 414 or 431)"
                                             if contract.size_refusal_may_close else ""),
               actual=answer.summary(), exchange=answer)
        if answer.status is None:
            return
    expect(answer.status < 500, f"A request with {size.replace('-', ' ')} gets no 5xx",
           expected="a page or a refusal", actual=answer.summary(), exchange=answer)
    refusals = set(contract.size_refusal_statuses) | (
        set(contract.path_refusal_statuses) if runtime_id else set()) | (
        set(contract.unknown_parameter_statuses) - {200} if valid is None else set())
    allowed = refusals | ({200} if valid in (True, None) else set())
    expect_status(answer, allowed, f"A request with {size.replace('-', ' ')} gets what its values get, or a refusal "
                                   "for its size")
    problems = (list(response_problems(answer, contract)) if answer.status == 200
                else list(error_body_problems(answer.text, contract, answer.url)))
    expect(not problems, f"The answer to a request with {size.replace('-', ' ')} is clean",
           expected="a page the contract allows, or a refusal without internals", actual="; ".join(problems),
           exchange=answer)
