"""Cursor scope: a cursor handed out for one runtime never lists another runtime's runs.

Real cursors are taken from the key's main runtime (BCTRL_RUNTIME_ID) at a few places of its list (after its first
run, after a full maximum page, in the middle of a status filter) and sent elsewhere: to the key's empty runtime, to
another runtime of the key that has runs, to another tenant's runtime. What a server does with such a foreign
cursor is its choice within the overlay's `foreignCursor` (a refusal, an empty page, or, where the overlay allows
it, a page of that runtime's own runs); it must never list the main runtime's runs there, and another tenant's
runtime stays as invisible with a cursor as without one.

Live data: the main runtime may gain runs at the head and see runs end meanwhile, but a run never moves to another
runtime, so a run the main runtime listed is one no other runtime may list, at any time.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import pytest

from conformance.judge.expect import expect
from conformance.judge.response import judged
from conformance.judge.walk import walk_runs
from conformance.readiness import (
    RuntimeData, crossing, empty_runtime, ended_runs, not_judged, other_tenant, second_runtime,
)
from conformance.transport.client import page_params

pytestmark = pytest.mark.ahead  # run ahead of their turn, a few at once (conformance/plugin/ahead.py)


@dataclass(frozen=True)
class MainCursor:
    """A nextCursor the main runtime handed out, and the query (limit, status) it was handed out with."""

    taken: str  # where in the main runtime's list, for messages
    query: list[tuple[str, object]]
    cursor: str

    def params(self, same_query: bool) -> list[tuple[str, object]]:
        return (self.query if same_query else []) + [("cursor", self.cursor)]


# Where in the main runtime's list a cursor is taken, and what that needs: after its first runs (a page of the
# minimum size), after a full page of the maximum size, in the middle of a filter on an ended status.
TAKEN = {"after-its-first-runs": crossing("limit_min"), "after-a-maximum-page": crossing("limit_max"),
         "in-a-filter": ended_runs(2)}
KEY_RUNTIMES = {"empty": ("the key's empty runtime", empty_runtime()),
                "second": ("another runtime of the key", second_runtime(1))}
TWO_PAGES = second_runtime(2)  # a walk of the second runtime over several pages
SMOKE_CASE = ("second", "after-its-first-runs")


def _main_cursor(api, contract, shared_walk, taken: str) -> MainCursor:
    """A nextCursor the main runtime hands out at `taken`, with the query it was handed out with."""
    if taken == "after-a-maximum-page":
        query, page = page_params(limit=contract.limit_max), shared_walk.pages[0]
    elif taken == "after-its-first-runs":
        query = page_params(limit=contract.limit_min)
        page = judged(api.list_runs(params=query), contract)
    else:
        counts = {status: sum(run["status"] == status for run in shared_walk.runs)
                  for status in contract.terminal_statuses}
        status, count = max(counts.items(), key=lambda item: item[1])
        query = page_params(limit=max(contract.limit_min, count // 2), status=status)
        page = judged(api.list_runs(params=query), contract) if count >= 2 else None
    if page is None or page.status != 200 or page.next_cursor is None:
        not_judged(TAKEN[taken], contract, RuntimeData.of(shared_walk.runs, shared_walk.complete).describe())
    return MainCursor(taken.replace("-", " "), query, page.next_cursor)


def _outcome(answer, contract) -> str:
    if answer.status == contract.error_status("invalidQuery"):
        return "refused"
    if answer.status == 200:
        return "own-runs" if answer.runs else "empty"
    return f"status {answer.status}"


@pytest.mark.rule("cursor.scope")
@pytest.mark.parametrize("where, taken", [
    pytest.param(where, taken, id=f"{where}-{taken}", marks=[pytest.mark.needs(KEY_RUNTIMES[where][1], need)]
                 + ([pytest.mark.smoke] if (where, taken) == SMOKE_CASE else []))
    for where in KEY_RUNTIMES for taken, need in TAKEN.items()])
def test_a_cursor_taken_to_another_runtime_of_the_key_lists_no_run_of_its_own_runtime(
        api, contract, target, shared_walk, where, taken):
    """A nextCursor of the main runtime sent to another runtime of the key (its empty one, one with runs) never
    lists the main runtime's runs, nor any run on the empty one; sent with its query, it gets what the overlay's
    foreignCursor allows (sent alone, also what cursorWithOtherQuery allows)."""
    runtime_id = getattr(target, f"{where}_runtime_id")  # set: the case needs it
    main_cursor = _main_cursor(api, contract, shared_walk, taken)
    allowed, label, main_ids = contract.foreign_cursor_outcomes, KEY_RUNTIMES[where][0], set(shared_walk.ids)
    for same_query in (True, False):
        answer = judged(api.list_runs(runtime_id, main_cursor.params(same_query)), contract)
        sent = f"a cursor taken {main_cursor.taken} {'with its query' if same_query else 'alone'}"
        leaked = [run for run in answer.runs if run.get("id") in main_ids]
        expect(not leaked, f"{sent}, sent to {label}, lists none of the main runtime's runs",
               expected="no run of BCTRL_RUNTIME_ID",
               actual=f"{len(leaked)} of its runs, first {leaked[0]['id']}" if leaked else "", exchange=answer)
        expect(where != "empty" or not answer.runs, f"{sent}, sent to the key's empty runtime, lists no run",
               expected="no runs", actual=f"{len(answer.runs)} runs", exchange=answer)
        bound = not same_query and "refused" in contract.cursor_with_other_query  # a cursor bound to its query
        permitted = allowed | ({"refused"} if bound else set())
        outcome = _outcome(answer, contract)
        expect(outcome in permitted, f"{sent}, sent to {label}, gets what foreignCursor allows",
               expected=" or ".join(sorted(permitted)), actual=f"{outcome}: {answer.summary()}", exchange=answer)


@pytest.mark.rule("tenant.isolation", "cursor.scope")
@pytest.mark.parametrize("taken", [pytest.param(taken, marks=pytest.mark.needs(other_tenant(), need))
                                   for taken, need in TAKEN.items()])
def test_a_cursor_taken_to_another_tenants_runtime_is_answered_like_an_unknown_runtime(
        api, contract, shared_walk, other_runtime_id, unknown_runtime_id, taken):
    """A nextCursor of the main runtime sent with its query to another tenant's runtime never gets a 2xx nor runs,
    and gets the same status and error code as the same request to a runtime that exists nowhere."""
    main_cursor = _main_cursor(api, contract, shared_walk, taken)
    params = main_cursor.params(same_query=True)
    other = judged(api.list_runs(other_runtime_id, params), contract)
    sent = f"A cursor taken {main_cursor.taken}, sent with its query to another tenant's runtime"
    expect(not 200 <= other.status < 300 and not other.runs, f"{sent}, is refused without runs",
           expected=f"a refusal like an unknown runtime's ({contract.error_status('notVisible')})",
           actual=other.summary(), exchange=other)
    unknown = judged(api.list_runs(unknown_runtime_id, params), contract)
    expect((other.status, other.error_code) == (unknown.status, unknown.error_code),
           f"{sent}, is answered like the same request to an unknown runtime",
           expected=f"{unknown.status} with error code {unknown.error_code!r}",
           actual=f"{other.status} with error code {other.error_code!r}", exchange=other)


@pytest.mark.rule("cursor.scope", "run.one-runtime")
@pytest.mark.needs(TWO_PAGES)
def test_two_runtimes_walked_with_their_own_cursors_share_no_run(api, contract, max_walk_runs, second_runtime_id):
    """Walking the main runtime and another runtime of the key, each with its own cursors over several pages,
    never lists one run under both."""
    second_first = judged(api.list_runs(second_runtime_id, page_params(limit=contract.limit_max)), contract)
    count = len(second_first.runs)
    if count < 2:
        not_judged(TWO_PAGES, contract, f"BCTRL_SECOND_RUNTIME_ID has {count} run{'s' * (count != 1)}")
    size = max(contract.limit_min, math.ceil(min(count, max_walk_runs) / 3))  # about three pages
    second = walk_runs(api, limit=size, runtime_id=second_runtime_id, max_runs=max_walk_runs)
    main = walk_runs(api, limit=contract.limit_max, max_runs=max_walk_runs)
    shared = set(main.ids) & set(second.ids)
    run_id = next(iter(sorted(shared)), None)
    expect(not shared, "No run is listed under both runtimes of the key, on any page",
           expected="two disjoint sets of runs",
           actual=f"{len(shared)} runs under both, first {run_id}" if shared else "",
           exchange=second.page_of(run_id) if shared else None)
