"""The status filter: one value or several as repeated keys, meaning any of them; anything else refused.

Live data: a run may end (leave the running status) between two requests, so a filtered walk is compared with
unfiltered walks just before and after it, and only where a run's status is certain (see judge/live.py).
"""

from __future__ import annotations

from itertools import combinations

import pytest

from conformance.inputs.query_spellings import (
    COMMA_SPELLINGS, STATUS_SPELLINGS, invalid_filters, resembled, status_spelling,
)
from conformance.judge.expect import expect, expect_judged, expect_status
from conformance.judge.live import (
    covers, duplicates, lagging_until, missed_runs, out_of_order, possible_statuses,
)
from conformance.judge.walk import Walk, walk_runs
from conformance.transport.client import exact_query, page_params

from conformance.judge.response import judged
from conformance.profiles import cases
from conformance.readiness import RuntimeData, ended_runs, not_judged, require, status_runs

pytestmark = pytest.mark.ahead  # run ahead of their turn, a few at once (conformance/plugin/ahead.py)

INVALID_FILTERS = ("unknown", "wrong-case", "empty", "one-bad-among-good")
AN_ENDED_RUN = ended_runs(1)  # among the newest: a run whose status is certain, to tell a filter from none
FIRST_ENDED = status_runs(pick=lambda contract: contract.terminal_statuses[:1])  # a run in the first ended status


def _expect_filter_applied(api, contract, max_walk_runs, statuses):
    """Walk unfiltered, filtered, unfiltered; judge the filtered walk against what is certain."""
    wanted = set(statuses)
    before = walk_runs(api, limit=contract.limit_max, max_runs=max_walk_runs)
    require(status_runs(*sorted(wanted)), contract, RuntimeData.of(before.runs, before.complete))
    filtered = walk_runs(api, limit=contract.limit_max, status=statuses, max_runs=max_walk_runs)
    after = walk_runs(api, limit=contract.limit_max, max_runs=max_walk_runs)
    label = "&".join(f"status={status}" for status in statuses)
    last = filtered.pages[-1]

    strays = [run for run in filtered.runs if run["status"] not in wanted]
    expect(not strays, f"{label} returns only runs in {sorted(wanted)}", expected=f"statuses {sorted(wanted)}",
           actual=f"{len(strays)} others, first {strays[0]['id']} is {strays[0]['status']!r}" if strays else "",
           exchange=last)
    repeated = duplicates(filtered)
    expect(not repeated, f"{label} lists each run once", expected="no run twice",
           actual=f"{len(repeated)} runs twice", exchange=last)
    wrong = out_of_order(filtered, contract)
    expect(wrong is None, f"{label} keeps the contract's order", expected=contract.order.describe(),
           actual=f"run {wrong[0]} ({wrong[2]['id']}) out of order" if wrong else "",
           exchange=filtered.page_of(wrong[2]["id"]) if wrong else last)

    lagging = lagging_until(filtered.pages, contract)

    def possible(run: dict) -> set[str]:
        return possible_statuses(run["id"], before, after, contract, lagging)

    # Missing as the contract reads a later walk (live.missed_runs): not counting the newest runs a lagging read may
    # not show yet, nor the oldest, which a retention job may have deleted since (liveData).
    missing = [run for run in missed_runs(before, filtered, contract) if possible(run) <= wanted]
    listed = set(filtered.ids)
    forbidden = [run for run in before.runs
                 if run["id"] in listed and covers(filtered, run, contract) and not possible(run) & wanted]
    expect(not missing, f"{label} returns every run that was in {sorted(wanted)} throughout",
           expected="each such run of the unfiltered walks",
           actual=f"{len(missing)} missing, first {missing[0]['id']} ({missing[0]['status']})" if missing else "",
           exchange=last)
    expect(not forbidden, f"{label} returns no run that was never in {sorted(wanted)}",
           expected="none", actual=f"{len(forbidden)} such runs" if forbidden else "", exchange=last)


def pytest_generate_tests(metafunc):
    """Parametrize by the contract's statuses (in smoke, the filter checks of page_boundaries stand for these).
    Each needs a run in one of its statuses (a filter that returns nothing proves nothing)."""
    statuses = metafunc.config.hook.pytest_bctrl_contract(config=metafunc.config).statuses
    if "status" in metafunc.fixturenames:
        metafunc.parametrize("status", [pytest.param(status, marks=pytest.mark.needs(status_runs(status)))
                                        for status in statuses])
    if "statuses" in metafunc.fixturenames:
        pairs = [pytest.param(list(pair), marks=pytest.mark.needs(status_runs(*pair)), id="+".join(pair))
                 for pair in combinations(statuses, 2)]
        metafunc.parametrize("statuses", pairs + [pytest.param(list(statuses), id="all",
                                                               marks=pytest.mark.needs(status_runs(*statuses)))])


@pytest.mark.rule("status.single")
def test_single_status_returns_exactly_the_runs_in_it(api, contract, max_walk_runs, status):
    """status=X returns every run in status X and no other, in the contract's order, across pages."""
    _expect_filter_applied(api, contract, max_walk_runs, [status])


@pytest.mark.rule("status.union")
def test_repeated_status_keys_return_the_union(api, contract, max_walk_runs, statuses):
    """status=X&status=Y returns the runs in any of them (all statuses: the whole list), in contract order."""
    _expect_filter_applied(api, contract, max_walk_runs, statuses)


@pytest.mark.rule("status.union")
@pytest.mark.needs(FIRST_ENDED)
def test_repeated_identical_status_behaves_like_one(api, contract, max_walk_runs):
    """status=X&status=X returns the same runs as status=X, each once."""
    status = contract.terminal_statuses[0]
    _expect_filter_applied(api, contract, max_walk_runs, [status, status])


@pytest.mark.rule("status.union")
@pytest.mark.needs(FIRST_ENDED)
def test_a_page_of_a_repeated_status_lists_each_run_once(api, contract):
    """One page of status=X&status=X holds each run once, every one in status X (one request: the smoke's view of
    status.union)."""
    status = contract.terminal_statuses[0]
    page = judged(api.list_runs(params=page_params(limit=contract.limit_max, status=[status, status])), contract)
    expect_status(page, 200, f"status={status}&status={status} is served")
    ids = [run.get("id") for run in page.runs]
    twice = sorted({run_id for run_id in ids if ids.count(run_id) > 1})
    expect(not twice, f"A page of status={status}&status={status} lists each run once", expected="no run twice",
           actual=f"{len(twice)} runs twice, first {twice[:1]}", exchange=page)
    others = sorted({run.get("status") for run in page.runs} - {status})
    expect(not others, f"A page of status={status}&status={status} holds only '{status}' runs",
           expected=f"status {status}", actual=f"also {', '.join(map(str, others))}", exchange=page)


def _expect_refused_or_resembled(answer, contract, values, what):
    """Refused with invalidQuery; or, where the overlay is lenient and the values resemble statuses, a page of runs
    in those statuses only. Served where the overlay refuses, and as a lenient reader would read it: that decision."""
    shown = "&".join(f"status={value!r}" for value in values)
    expect_judged(lambda under: _judge_refused_or_resembled(answer, under, values, what), contract,
                  ("queryGrammar.statusOutsideGrammar", "lenient", f"it reads {shown} as the statuses it resembles"))


def _judge_refused_or_resembled(answer, contract, values, what):
    statuses = resembled(contract, values)
    refused = contract.error_status("invalidQuery")
    if not statuses:
        expect_status(answer, refused, f"{what} is refused")
        return
    expect_status(answer, {refused, 200}, f"{what} is refused, or read as {sorted(statuses)} "
                                          "(statusOutsideGrammar: lenient)")
    others = sorted({str(run.get("status")) for run in answer.runs} - statuses)
    expect(not others, f"{what}, read leniently, lists only runs in {sorted(statuses)}",
           expected=f"statuses {sorted(statuses)}", actual=f"also {', '.join(others)}", exchange=answer)


@pytest.mark.rule("status.refusal")
@pytest.mark.parametrize("case", cases(INVALID_FILTERS))
def test_invalid_status_is_rejected(api, contract, case):
    """A status value the contract does not list (unknown, wrong case, empty) gets the contract's 400 (where the
    overlay is lenient, a value that resembles a status may be read as it)."""
    pairs = invalid_filters(contract)[case]
    answer = judged(api.list_runs(params=pairs), contract)
    _expect_refused_or_resembled(answer, contract, [value for _, value in pairs],
                                 f"An invalid status filter ({case})")


@pytest.mark.rule("status.grammar", "status.refusal")
@pytest.mark.parametrize("case", cases(STATUS_SPELLINGS))
def test_status_is_read_only_as_exact_enum_values(api, contract, case):
    """A status value not spelled exactly as the enum (another list syntax than repeated keys, surrounding space,
    quotes, a JSON array, other characters) gets the contract's 400 (where the overlay is lenient, it may be read
    as the statuses it resembles, and no other)."""
    if case in COMMA_SPELLINGS and not contract.statuses_as_repeated_keys:
        pytest.skip("the contract's status parameter is not exploded: several values are comma-separated")
    value = status_spelling(contract, case)
    answer = judged(api.list_runs(params=exact_query([("status", value)])), contract)
    _expect_refused_or_resembled(answer, contract, [value], f"status={value!r} ({case})")


@pytest.mark.rule("query.every-page", "status.refusal", "status.grammar")
@pytest.mark.parametrize("case", cases([*INVALID_FILTERS, *STATUS_SPELLINGS]))
def test_a_status_is_judged_the_same_on_every_page(api, contract, case, cursor_pages, cursor_page):
    """With a cursor (plain, or from a filtered walk), a status value the contract does not list, or one spelled
    otherwise, gets what it gets on the first page: the contract's 400 (or, where the overlay is lenient, a page of
    the statuses it resembles)."""
    if case in COMMA_SPELLINGS and not contract.statuses_as_repeated_keys:
        pytest.skip("the contract's status parameter is not exploded: several values are comma-separated")
    pairs = invalid_filters(contract)[case] if case in INVALID_FILTERS else [("status", status_spelling(contract, case))]
    after = cursor_pages[cursor_page]
    answer = judged(api.list_runs(params=exact_query(after.with_values(pairs))), contract)
    _expect_refused_or_resembled(answer, contract, [value for _, value in pairs],
                                 f"{'&'.join(f'status={value!r}' for _, value in pairs)} ({case}) {after.name}")


@pytest.mark.rule("status.grammar")
@pytest.mark.needs(AN_ENDED_RUN)
@pytest.mark.parametrize("key", cases(["status[]", "status[0]"]))
def test_bracketed_status_key_is_never_applied_as_the_filter(api, contract, key):
    """status[]=X is a parameter the contract does not name: ignored (the unfiltered page) or refused, as the
    overlay says (queryGrammar.unknownParameters), never applied as the status filter."""
    unfiltered = judged(api.list_runs(params=page_params(limit=contract.limit_max)), contract)
    expect_status(unfiltered, 200, "The unfiltered newest page is served")
    # A run that has ended keeps its status: a filter on any other status certainly leaves it out.
    ended = [run for run in unfiltered.runs if run["status"] in contract.terminal_statuses]
    if not ended:
        not_judged(AN_ENDED_RUN, contract, RuntimeData.of(unfiltered.runs, unfiltered.next_cursor is None)
                   .describe(statuses=contract.terminal_statuses))
    status = next(status for status in contract.statuses if status != ended[0]["status"])
    answer = judged(api.list_runs(params=exact_query([(key, status), ("limit", contract.limit_max)])), contract)
    expect_status(answer, contract.unknown_parameter_statuses, f"{key}={status}, a parameter the contract does not name, is ignored or refused")
    if answer.status != 200:
        return
    listed = Walk(runs=answer.runs, pages=[answer], complete=answer.next_cursor is None)
    left_out = [run for run in ended if run["status"] != status and run["id"] not in set(listed.ids)
                and covers(listed, run, contract)]
    expect(not left_out, f"{key}={status} is ignored, not applied as the status filter",
           expected="the unfiltered page: every run listed just before in its range, whatever its status",
           actual=f"{len(left_out)} ended runs not in status {status} left out, first {left_out[0]['id']} "
                  f"({left_out[0]['status']})" if left_out else "", exchange=answer)
