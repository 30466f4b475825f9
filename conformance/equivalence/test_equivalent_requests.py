"""Equivalent requests get equivalent answers: the same query with its parameters in another order or its characters
percent-escaped in either hex case (RFC 3986 §6.2.2), and a cursor redeemed twice (a GET is idempotent: RFC 9110
§9.2.2); the same page through GET and HEAD is methods/test_head.py's.
Each pair is asked back to back on one connection, read from the bytes (so no client normalises the escapes away),
and compared only on what cannot change between two reads while the data changes (conformance/judge/live.py): the
status, the media type, the page size while runs remain, the runs of the first answer the second covers, and the
statuses a filtered page may list."""

from __future__ import annotations

import pytest

from conformance.inputs.query_spellings import EQUIVALENT_SPELLINGS, equivalent_queries, size_other_than_default
from conformance.judge.expect import expect
from conformance.judge.live import missed_runs
from conformance.judge.response import judged
from conformance.judge.walk import Walk
from conformance.profiles import cases
from conformance.readiness import RuntimeData, crossing, ended_runs, not_judged
from conformance.representation import media_type
from conformance.transport.client import exact_query, page_params

pytestmark = pytest.mark.ahead  # run ahead of their turn, a few at once (conformance/plugin/ahead.py)

SPELLINGS = EQUIVALENT_SPELLINGS[1:]  # each compared with the first, "as-written"


def _differences(first, second, contract, statuses=None) -> list[str]:
    """What the second answer changes that cannot change between two reads of the same question."""
    if first.status != second.status:
        return [f"status {first.status}, then {second.status}"]
    found = []
    if media_type(first.headers.get("Content-Type")) != media_type(second.headers.get("Content-Type")):
        found.append(f"Content-Type {first.headers.get('Content-Type')!r}, then {second.headers.get('Content-Type')!r}")
    if first.status != 200:
        return found
    if first.next_cursor is not None and second.next_cursor is not None and len(first.runs) != len(second.runs):
        found.append(f"a page of {len(first.runs)} runs, then of {len(second.runs)}, runs remaining after both")
    earlier = Walk(runs=first.runs, pages=[first], complete=first.next_cursor is None)
    later = Walk(runs=second.runs, pages=[second], complete=second.next_cursor is None)
    missed = missed_runs(earlier, later, contract)
    if missed:
        found.append(f"{len(missed)} runs of the first answer missing from the second, first {missed[0]['id']}")
    foreign = [run for run in second.runs if statuses and run.get("status") not in statuses]
    if foreign:
        found.append(f"{len(foreign)} runs outside the filter ({', '.join(statuses)}), first {foreign[0]['id']} "
                     f"({foreign[0].get('status')})")
    return found


def _ask_twice(api, contract, queries, spelling):
    """The query as written, then spelled `spelling`, back to back on one connection, each judged as an answer."""
    with api.on_one_connection():
        return [judged(api.get_exactly(f"{api.runs_url()}?{queries[name]}"), contract)
                for name in ("as-written", spelling)]


def _expect_same(first, second, contract, what, statuses=None):
    differences = _differences(first, second, contract, statuses)
    expect(not differences, what, expected="the same answer, but for what may change between two reads",
           actual="; ".join(differences) + f" (first asked: {first.url})", exchange=second)


@pytest.mark.rule("query.equivalent")
@pytest.mark.parametrize("spelling", cases(SPELLINGS, marks={spelling: [pytest.mark.needs(ended_runs(2))]
                                                              for spelling in SPELLINGS}))
def test_a_page_after_a_cursor_asked_another_way_is_the_same_page(api, contract, cursor_pages, spelling):
    """A cursor of a filtered page and the query it was handed out with, sent in another order or with every
    character percent-escaped in upper or lower hex, get the same page after that cursor."""
    queries = equivalent_queries(cursor_pages["with-a-filtered-cursor"].with_values([]))  # as it was handed out
    first, second = _ask_twice(api, contract, queries, spelling)
    statuses = [value for key, value in cursor_pages["with-a-filtered-cursor"].query if key == "status"]
    _expect_same(first, second, contract, f"The page after a cursor, asked with {spelling.replace('-', ' ')}, is the "
                                          "same page", statuses)


@pytest.mark.rule("query.equivalent", "status.union")
@pytest.mark.parametrize("spelling", cases(SPELLINGS, marks={spelling: [pytest.mark.needs(ended_runs(1))]
                                                              for spelling in SPELLINGS}))
def test_a_filter_asked_another_way_lists_the_same_runs(api, contract, spelling):
    """A filter on the ended statuses with a limit, its keys in another order or every character percent-escaped in
    upper or lower hex, lists the same runs."""
    statuses = contract.terminal_statuses
    pairs = [*(("status", status) for status in statuses), ("limit", size_other_than_default(contract))]
    first, second = _ask_twice(api, contract, equivalent_queries(pairs), spelling)
    _expect_same(first, second, contract, f"A filter on {' and '.join(statuses)}, asked with "
                                          f"{spelling.replace('-', ' ')}, lists the same runs", statuses)


@pytest.mark.rule("query.equivalent", "cursor.walk")
@pytest.mark.needs(crossing(1))
def test_a_cursor_redeemed_twice_gets_the_same_page(api, contract):
    """A nextCursor redeemed a second time (a client retrying its GET, which HTTP makes idempotent) gets the same
    page."""
    first = judged(api.list_runs(params=page_params(limit=contract.limit_min)), contract)
    if first.next_cursor is None:
        not_judged(crossing(1), contract, RuntimeData.of(first.runs, complete=True).describe())
    url = f"{api.runs_url()}?{exact_query(page_params(limit=contract.limit_min, cursor=first.next_cursor))}"
    with api.on_one_connection():
        once, twice = (judged(api.get_exactly(url), contract) for _ in range(2))
    _expect_same(once, twice, contract, "The page after a cursor, redeemed twice, is the same page")
