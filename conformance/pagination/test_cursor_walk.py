"""Cursor pagination: walks end, repeat nothing, skip nothing and keep the contract's order across pages.

Live data: new runs may appear at the head and active runs may end during a walk; keyset order keys never
change, so a walk must still see every run that existed when it began, once, in order (see judge/live.py).
"""

from __future__ import annotations

import math

import pytest

from conformance.inputs.cursors import GARBAGE, altered, truncated, wrapped
from conformance.judge.expect import expect, expect_status
from conformance.judge.live import duplicates, missed_runs, out_of_order, unexplained_runs
from conformance.judge.response import judged
from conformance.judge.walk import Walk, unexplained_empty_page, walk_runs
from conformance.profiles import cases
from conformance.readiness import RuntimeData, crossing, empty_runtime, ended_runs, not_judged, require
from conformance.readiness.needs import size_of
from conformance.transport.client import page_params

pytestmark = pytest.mark.ahead  # run ahead of their turn, a few at once (conformance/plugin/ahead.py)

SMALL_PRIME = 7
PAGE_SIZES = {"one": 1, "small-prime": SMALL_PRIME, "default": "limit_default", "maximum": "limit_max"}
FILTERED_WALK_PAGES = 5  # pages a filtered walk spans: a cursor that goes wrong after a few pages shows
# A filtered walk over several pages: pages of at least 2 runs (a page of 1 proves nothing of the limit), 2 pages.
FILTERED_WALK = ended_runs(2 * 2)
A_CURSOR = crossing(1)  # a first page of 1 run with a nextCursor


def _expect_well_formed(walk, contract, label):
    repeated = duplicates(walk)
    expect(not repeated, f"A {label} walk lists every run once", expected="no run twice",
           actual=f"{len(repeated)} runs twice, first {repeated[:1]}",
           exchange=walk.page_of(repeated[0]) if repeated else None)
    wrong = out_of_order(walk, contract)
    if wrong:
        index, previous, current = wrong
        expect(False, f"A {label} walk keeps the contract's order ({contract.order.describe()}) across pages",
               expected=f"run {index} after run {index - 1} in that order",
               actual=f"{previous['createdAt']} {previous['id']} then {current['createdAt']} {current['id']}",
               exchange=walk.page_of(current["id"]))


@pytest.mark.rule("cursor.walk", "cursor.order", "page.schema", "cursor.no-empty-page")
@pytest.mark.smoke
@pytest.mark.needs(crossing("limit_max"))
def test_cursor_walk_ends_once_and_in_order(api, contract, shared_walk):
    """Following nextCursor from the first page ends with nextCursor null, lists each run once, in the
    contract's order (ties included), and never hands out a cursor to an empty page."""
    walk = shared_walk  # the run's shared walk at the largest page size, judged here
    _expect_well_formed(walk, contract, "maximum-page")
    number, page = unexplained_empty_page(api, walk) or (None, None)
    expect(page is None, "A nextCursor is given only while runs remain (unfiltered runs never vanish)",
           expected=f"runs on page {number}", actual="an empty page after a non-null nextCursor", exchange=page)


@pytest.mark.rule("cursor.walk", "cursor.order")
@pytest.mark.parametrize("size_name", [pytest.param(name, marks=pytest.mark.needs(crossing(size)))
                                       for name, size in PAGE_SIZES.items()])
def test_walks_with_any_page_size_see_the_same_runs_in_the_same_order(api, contract, settings, max_walk_runs,
                                                                     size_name):
    """A walk with pages of 1, 7, the default or the maximum sees every run a reference walk saw before it, in
    the same order, and no older run the reference did not see (only new runs may appear, at the head)."""
    size = size_of(contract, PAGE_SIZES[size_name])
    reference = walk_runs(api, limit=contract.limit_max, max_runs=max_walk_runs)
    require(crossing(PAGE_SIZES[size_name]), contract, RuntimeData.of(reference.runs, reference.complete))
    walk = walk_runs(api, limit=size, max_runs=min(max_walk_runs, size * settings.max_walk_pages))
    _expect_well_formed(walk, contract, f"{size}-per-page")
    missed = missed_runs(reference, walk, contract)
    expect(not missed, f"A walk of pages of {size} sees every run that existed when it began",
           expected="every run of the reference walk in its range",
           actual=f"{len(missed)} missing, first {missed[0]['id']} ({missed[0]['createdAt']})" if missed else "",
           exchange=walk.pages[-1])
    extra = unexplained_runs(reference, walk, contract)
    expect(not extra, f"A walk of pages of {size} lists only runs of this runtime",
           expected="no run older than the reference walk's head that the reference did not list",
           actual=f"{len(extra)} such runs, first {extra[0]['id']} ({extra[0]['createdAt']})" if extra else "",
           exchange=walk.pages[-1])


@pytest.mark.rule("cursor.keeps-query")
@pytest.mark.smoke
@pytest.mark.needs(FILTERED_WALK)
def test_following_a_cursor_keeps_the_filter_and_limit(api, contract, max_walk_runs, shared_walk):
    """Resending the same status filter and limit with each cursor (as bctrl's SDKs do) applies both on every
    page: every page holds only that status, and every page but the last holds exactly `limit` runs."""
    baseline = shared_walk
    counts = {status: sum(run["status"] == status for run in baseline.runs) for status in contract.terminal_statuses}
    status, count = max(counts.items(), key=lambda item: item[1])
    require(FILTERED_WALK, contract, RuntimeData.of(baseline.runs, baseline.complete))
    limit = max(2, math.ceil(count / FILTERED_WALK_PAGES))
    walk = walk_runs(api, limit=limit, status=status, max_runs=min(max_walk_runs, limit * FILTERED_WALK_PAGES))
    for number, page in enumerate(walk.pages, start=1):
        others = sorted({run["status"] for run in page.runs} - {status})
        expect(not others, f"Page {number} of a status={status} walk holds only '{status}' runs",
               expected=f"status {status}", actual=f"also {', '.join(others)}", exchange=page)
        last = page.next_cursor is None
        expect(len(page.runs) <= limit if last else len(page.runs) == limit,
               f"Page {number} of a limit={limit} walk holds {'at most' if last else 'exactly'} {limit} runs",
               expected=f"{limit} runs", actual=f"{len(page.runs)} runs", exchange=page)
    expect(len(walk.pages) > 1, "The filtered walk spans several pages", expected="2 pages or more",
           actual=f"{len(walk.pages)} page", exchange=walk.pages[-1])


@pytest.mark.rule("cursor.opaque", "server.no-5xx")
@pytest.mark.needs(A_CURSOR)
@pytest.mark.parametrize("damage", cases(["garbage", "truncated", "tampered"]))
def test_malformed_or_tampered_cursor_is_rejected(api, contract, shared_walk, damage):
    """A cursor the API did not hand out gets the contract's 400: garbage always; a truncated or altered one too
    (numbers the suite can see in it among the alterations, grown by where machine integers wrap), or, where the
    overlay's alteredCursor allows unsigned positions, a page of this runtime's own runs only, never the page of the
    cursor a wrapped number reads as."""
    first = judged(api.list_runs(params=page_params(limit=1)), contract)
    cursor = first.next_cursor
    if cursor is None:
        not_judged(A_CURSOR, contract, RuntimeData.of(first.runs, complete=True).describe())
    bad = {"garbage": GARBAGE, "truncated": truncated(cursor), "tampered": altered(cursor)}[damage]
    _expect_refused_or_own_runs(judged(api.list_runs(params=page_params(limit=1, cursor=bad)), contract), contract,
                                shared_walk, damage)
    wraps = wrapped(cursor) if damage == "tampered" else {}
    handed = judged(api.list_runs(params=page_params(limit=1, cursor=cursor)), contract) if wraps else None
    for name, number in wraps.items():
        answer = judged(api.list_runs(params=page_params(limit=1, cursor=number)), contract)
        _expect_refused_or_own_runs(answer, contract, shared_walk, f"{damage} ({name})")
        expect(not (answer.status == 200 and answer.runs and answer.runs == handed.runs),
               f"A cursor whose number grew by where machine integers wrap ({name}) is not read as the cursor "
               "handed out", expected="a refusal, or the page at the position the number names (past every run)",
               actual=f"the {len(answer.runs)} runs of the cursor handed out, first {answer.runs[0]['id']}"
               if answer.runs else "", exchange=answer)


def _expect_refused_or_own_runs(answer, contract, shared_walk, damage):
    """A damaged cursor's answer: the contract's 400, or, where alteredCursor allows a position, this runtime's runs."""
    refused = contract.error_status("invalidQuery")
    served = damage != "garbage" and "served" in contract.altered_cursor
    allowed = ({refused} if damage == "garbage" or "refused" in contract.altered_cursor else set()) | (
        {200} if served else set())
    expect_status(answer, allowed, f"A {damage} cursor is refused" + (", or served as a position" if served else ""))
    if answer.status == 200:
        listed = Walk(runs=answer.runs, pages=[answer], complete=answer.next_cursor is None)
        foreign = unexplained_runs(shared_walk, listed, contract)
        expect(not foreign, f"A {damage} cursor served as a position lists only this runtime's runs",
               expected="runs of BCTRL_RUNTIME_ID only",
               actual=f"{len(foreign)} others, first {foreign[0]['id']}" if foreign else "", exchange=answer)


@pytest.mark.rule("page.empty-runtime")
@pytest.mark.smoke
@pytest.mark.needs(empty_runtime())
def test_empty_runtime_gives_one_empty_page(api, empty_runtime_id):
    """A runtime without runs answers one page with no runs and a null nextCursor."""
    page = judged(api.list_runs(empty_runtime_id), api.contract)
    expect_status(page, 200, "An empty runtime's runs are listed")
    expect(page.runs == [] and page.next_cursor is None, "An empty runtime gives no runs and nextCursor null",
           expected='{"data": [], "nextCursor": null}', actual=page.summary(), exchange=page)
