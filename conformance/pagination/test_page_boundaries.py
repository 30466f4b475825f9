"""Page boundaries as classes, not accidents: walks whose last page is exactly full or one off, walks that never
send limit, and a filter whose matches fill exactly one page.

Every walk is judged the same way (`_expect_clean_walk`): it ends; every page followed by a nextCursor holds
exactly the page size; no nextCursor leads to an empty page; it lists only runs of its filter, and every run a
reference walk (just before) saw. The page sizes come from that reference walk, never from known data: the smallest
size within the limit bounds that divides the count in at most MAX_PAGES pages (the last page exactly full), and
the sizes one below and one above it; for a filter, the number of its matches and one below and above (one page
exactly full, one run left after a full page, one short of full).

Live data (see harness/live.py): new runs appear only at the head, runs never leave the unfiltered list, and an
ended run never leaves its status's filter; only an active run may leave an `active` filter. So only unfiltered
walks and filters of ended statuses are used here, and on them:
- "a page followed by a nextCursor is full" is judged within one answer, where nothing moves;
- "no nextCursor leads to an empty page" and "every run of the reference is seen" hold whatever happens between
  two requests: the runs behind a cursor can only stay (a new run lands at the head, before every cursor; a run
  that ends joins its status's filter and stays there);
- the last page being exactly full is what the sizes aim at, not what is judged: a new run at the head shifts
  every page by one and an ended run joins a filter, so on live data a walk may miss the boundary it aimed at,
  but it cannot be judged wrongly. On still data (the fault matrix, a quiet staging) it hits it.
"""

from __future__ import annotations

import math

import pytest

from conformance.harness.expect import expect
from conformance.harness.live import duplicates, missed_runs
from conformance.harness.walk import Walk, empty_page_after_cursor, walk_runs
from conformance.profiles import cases

MAX_PAGES = 10  # pages per boundary walk at most: the three walks of one count cost about 3 * MAX_PAGES requests


def _expect_clean_walk(walk: Walk, size: int, statuses: list[str] | None, reference: Walk, contract,
                       label: str) -> None:
    """Judge one walk of an unfiltered list or of ended statuses (where listed runs never leave)."""
    __tracebackhide__ = True
    for number, page in enumerate(walk.pages, start=1):
        if page.next_cursor is not None:
            expect(len(page.runs) == size, f"Page {number} of {label} holds {size} runs: a nextCursor follows it",
                   expected=f"{size} runs", actual=f"{len(page.runs)} runs and a nextCursor", exchange=page)
    number, empty = empty_page_after_cursor(walk) or (None, None)
    expect(empty is None, f"Every nextCursor of {label} leads to more runs (listed runs never leave this list)",
           expected=f"runs on page {number}", actual=f"an empty page after page {(number or 1) - 1}'s nextCursor",
           exchange=empty)
    strays = [run for run in walk.runs if statuses and run["status"] not in statuses]
    expect(not strays, f"Every page of {label} keeps its status filter", expected=f"statuses {statuses}",
           actual=f"{len(strays)} others, first {strays[0]['id']} is {strays[0]['status']!r}" if strays else "",
           exchange=walk.page_of(strays[0]["id"]) if strays else None)
    repeated = duplicates(walk)
    expect(not repeated, f"{label} lists every run once", expected="no run twice",
           actual=f"{len(repeated)} runs twice, first {repeated[:1]}",
           exchange=walk.page_of(repeated[0]) if repeated else None)
    missed = missed_runs(reference, walk, contract)
    expect(not missed, f"{label} sees every run that was in its list when it began",
           expected=f"all {len(reference.runs)} runs of the reference walk",
           actual=f"{len(missed)} missing, first {missed[0]['id']} ({missed[0]['createdAt']})" if missed else "",
           exchange=walk.pages[-1])


def _restricted(reference: Walk, statuses: list[str] | None) -> Walk:
    """The part of a complete unfiltered reference walk that a filter on `statuses` lists."""
    if statuses is None:
        return reference
    return Walk(runs=[run for run in reference.runs if run["status"] in statuses], complete=reference.complete)


def _label(statuses: list[str] | None, limit: int | None) -> str:
    parts = [f"status={status}" for status in statuses or ()] + ([f"limit={limit}"] if limit else ["no limit"])
    return f"the walk {'&'.join(parts)}"


def _exact_size(count: int, contract) -> int | None:
    """The smallest page size dividing `count` in at most MAX_PAGES pages, with a size one below and one above it
    still within the limit bounds."""
    lowest = max(contract.limit_min + 1, math.ceil(count / MAX_PAGES))
    highest = min(contract.limit_max - 1, count)
    return next((size for size in range(lowest, highest + 1) if count % size == 0), None)


def _counted_lists(api, contract, max_walk_runs):
    """(statuses or None, complete reference walk) for the unfiltered list, then each ended status alone: the lists
    whose runs can be counted within BCTRL_MAX_WALK_RUNS, and whose listed runs never leave."""
    reference = walk_runs(api, limit=contract.limit_max, max_runs=max_walk_runs)
    if reference.complete:
        yield None, reference
    for status in contract.terminal_statuses:
        if reference.complete:
            yield [status], _restricted(reference, [status])
        else:
            walk = walk_runs(api, limit=contract.limit_max, status=status, max_runs=max_walk_runs)
            if walk.complete:
                yield [status], walk


@pytest.mark.rule("cursor.no-empty-page", "cursor.walk", "cursor.keeps-query")
def test_walks_whose_last_page_is_exactly_full_or_one_off_end_cleanly(api, contract, max_walk_runs):
    """Walks whose last page is exactly full, and with a page size one below and one above, end without a
    nextCursor to an empty page, with every page but the last full, and see every run."""
    counted = next(((statuses, reference, size) for statuses, reference in _counted_lists(api, contract, max_walk_runs)
                    if (size := _exact_size(len(reference.runs), contract))), None)
    if counted is None:
        pytest.skip(f"no page size in {contract.limit_min + 1}..{contract.limit_max - 1} divides the run count of "
                    f"BCTRL_RUNTIME_ID (or of one of its ended statuses) in at most {MAX_PAGES} pages, or none of "
                    f"them fits within BCTRL_MAX_WALK_RUNS ({max_walk_runs})")
    statuses, reference, exact = counted
    for size in (exact, exact - 1, exact + 1):
        walk = walk_runs(api, limit=size, status=statuses, max_runs=max_walk_runs)
        shape = ("the last page exactly full" if size == exact else
                 f"one run {'fewer' if size < exact else 'more'} per page than fills the last page exactly")
        _expect_clean_walk(walk, size, statuses, reference, contract,
                           f"{_label(statuses, size)} ({len(reference.runs)} runs: {shape})")


@pytest.mark.rule("limit.default", "cursor.no-empty-page", "cursor.walk")
@pytest.mark.parametrize("listed", cases(["unfiltered", "ended"], smoke=["ended"]))
def test_walks_that_never_send_limit_get_the_default_on_every_page(api, contract, max_walk_runs, listed):
    """A walk that never sends limit (unfiltered, or filtered on the ended statuses) gets the default page size
    on every page but the last, and no nextCursor to an empty page."""
    statuses = None if listed == "unfiltered" else list(contract.terminal_statuses)
    reference = _restricted(walk_runs(api, limit=contract.limit_max, max_runs=max_walk_runs), statuses)
    if reference.complete and len(reference.runs) <= contract.limit_default:
        pytest.skip(f"BCTRL_RUNTIME_ID has {len(reference.runs)} {'ended ' if statuses else ''}runs: a walk of "
                    f"default pages ({contract.limit_default}) over several pages needs more")
    walk = walk_runs(api, status=statuses, max_runs=max_walk_runs)
    _expect_clean_walk(walk, contract.limit_default, statuses, reference, contract, _label(statuses, None))


@pytest.mark.rule("cursor.no-empty-page", "cursor.keeps-query", "cursor.walk")
@pytest.mark.smoke
def test_a_filter_whose_matches_fill_exactly_one_page(api, contract, max_walk_runs):
    """With limit equal to the number of runs in an ended status, that filter gives one full page and a null
    nextCursor (never a cursor to an empty page); with one less, a full page then one run; with one more, one page."""
    fitting = [(statuses, reference) for statuses, reference in _counted_lists(api, contract, max_walk_runs)
               if statuses and contract.limit_min < len(reference.runs) < contract.limit_max]
    if not fitting:
        pytest.skip(f"BCTRL_RUNTIME_ID has no ended status with {contract.limit_min + 1}..{contract.limit_max - 1} "
                    "runs: a filter whose matches fill exactly one page needs one")
    statuses, reference = max(fitting, key=lambda item: len(item[1].runs))
    matches = len(reference.runs)
    for size in (matches, matches - 1, matches + 1):
        walk = walk_runs(api, limit=size, status=statuses, max_runs=max_walk_runs)
        _expect_clean_walk(walk, size, statuses, reference, contract,
                           f"{_label(statuses, size)} ({matches} matches)")
