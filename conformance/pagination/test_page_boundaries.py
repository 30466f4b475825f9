"""Page boundaries as classes, not accidents: walks whose last page is exactly full or one off, walks that never
send limit, and a filter whose matches fill exactly one page.

Every walk is judged the same way (`_expect_clean_walk`): it ends; every page followed by a nextCursor holds
exactly the page size; no nextCursor leads to an empty page; it lists only runs of its filter, and every run a
reference walk (just before) saw. The page sizes come from that reference walk, never from known data: the smallest
size within the limit bounds that divides the count in at most MAX_PAGES pages (the last page exactly full), and
the sizes one below and one above it; for a filter, the number of its matches and one below and above (one page
exactly full, one run left after a full page, one short of full).

Live data (see judge/live.py): new runs appear only at the head, runs never leave the unfiltered list, and an
ended run never leaves its status's filter; only an active run may leave an `active` filter. So only unfiltered
walks and filters of ended statuses are used here, and on them:
- "a page followed by a nextCursor is full" is judged within one answer, where nothing moves;
- "no nextCursor leads to an empty page" and "every run of the reference is seen" hold whatever happens between
  two requests: the runs behind a cursor can only stay (a new run lands at the head, before every cursor; a run
  that ends joins its status's filter and stays there);
- the last page being exactly full is what the sizes aim at, not what is judged: a new run at the head shifts
  every page by one and an ended run joins a filter, so on live data a walk may miss the boundary it aimed at,
  but it cannot be judged wrongly. On still data (the fault matrix, a quiet staging) it hits it.

The counts those walks need (a count some page size divides, a status with fewer runs than the maximum page) are
searched in BCTRL_RUNTIME_ID first, then in BCTRL_SECOND_RUNTIME_ID when set: a busy runtime (or one that grew under
live data) may have outgrown them, a small second runtime still has them.
"""

from __future__ import annotations

import math

import pytest

from conformance.judge.expect import expect
from conformance.judge.live import duplicates, missed_runs
from conformance.judge.walk import Walk, unexplained_empty_page, walk_runs
from conformance.profiles import cases
from conformance.readiness import RuntimeData, counted, crossing, not_judged, require
from conformance.readiness.needs import describe_runtimes

pytestmark = pytest.mark.ahead  # run ahead of their turn, a few at once (conformance/plugin/ahead.py)

MAX_PAGES = 10  # pages per boundary walk at most: the three walks of one count cost about 3 * MAX_PAGES requests


def _expect_clean_walk(api, walk: Walk, size: int, statuses: list[str] | None, reference: Walk, contract,
                       label: str) -> None:
    """Judge one walk of an unfiltered list or of ended statuses (where listed runs never leave)."""
    __tracebackhide__ = True
    for number, page in enumerate(walk.pages, start=1):
        if page.next_cursor is not None:
            expect(len(page.runs) == size, f"Page {number} of {label} holds {size} runs: a nextCursor follows it",
                   expected=f"{size} runs", actual=f"{len(page.runs)} runs and a nextCursor", exchange=page)
    number, empty = unexplained_empty_page(api, walk) or (None, None)
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


def _counts(data: RuntimeData, contract) -> list[int] | None:
    """The counts a complete walk knows: all runs, then each ended status's (None: the walk was a bounded prefix)."""
    return [data.runs, *(data.count([status]) for status in contract.terminal_statuses)] if data.complete else None


def _has_exact_count(data: RuntimeData, contract) -> bool | None:
    counts = _counts(data, contract)
    return None if counts is None else any(_exact_size(count, contract) for count in counts)


def _has_one_page_status(data: RuntimeData, contract) -> bool | None:
    counts = _counts(data, contract)
    return None if counts is None else any(contract.limit_min < count < contract.limit_max for count in counts[1:])


EXACT_COUNT = counted(
    "runs-to-page", lambda contract: f"a walk whose last page is exactly full needs a run count (all runs, or one "
    f"ended status's) that a page size in {contract.limit_min + 1}..{contract.limit_max - 1} divides in at most "
    f"{MAX_PAGES} pages", _has_exact_count, or_second=True)
ONE_PAGE_STATUS = counted(
    "statuses", lambda contract: f"a filter whose matches fill exactly one page needs an ended status with "
    f"{contract.limit_min + 1}..{contract.limit_max - 1} runs", _has_one_page_status, or_second=True)


def _ended_beyond_default(data: RuntimeData, contract) -> bool:
    return data.count(contract.terminal_statuses) > contract.limit_default


ENDED_PAGES = counted(
    "statuses", lambda contract: f"a walk of ended runs in default pages crosses a page with more than "
    f"{contract.limit_default} ended runs", _ended_beyond_default)
# A filter's page size against its number of matches: exactly one full page, one run fewer, one run more.
ONE_PAGE_SHAPES = {"exactly-full": 0, "one-fewer": -1, "one-more": 1}
DEFAULT_PAGES = {"unfiltered": crossing("limit_default"), "ended": ENDED_PAGES}


def _label(statuses: list[str] | None, limit: int | None, runtime_id: str | None = None) -> str:
    parts = [f"status={status}" for status in statuses or ()] + ([f"limit={limit}"] if limit else ["no limit"])
    return f"the walk {'&'.join(parts)}" + (" of BCTRL_SECOND_RUNTIME_ID" if runtime_id else "")


def _exact_size(count: int, contract) -> int | None:
    """The smallest page size dividing `count` in at most MAX_PAGES pages, with a size one below and one above it
    still within the limit bounds."""
    lowest = max(contract.limit_min + 1, math.ceil(count / MAX_PAGES))
    highest = min(contract.limit_max - 1, count)
    return next((size for size in range(lowest, highest + 1) if count % size == 0), None)


def _counted_lists(api, contract, max_walk_runs, runtime_id=None, seen=None):
    """(statuses or None, complete reference walk) for the unfiltered list, then each ended status alone: the lists
    whose runs can be counted within BCTRL_MAX_WALK_RUNS, and whose listed runs never leave. `seen` collects what
    each runtime's reference walk held (for the reason when none fits)."""
    reference = walk_runs(api, limit=contract.limit_max, max_runs=max_walk_runs, runtime_id=runtime_id)
    if seen is not None:
        seen.append(RuntimeData.of(reference.runs, reference.complete))
    if reference.complete:
        yield None, reference
    for status in contract.terminal_statuses:
        if reference.complete:
            yield [status], reference.restricted([status])
        else:
            walk = walk_runs(api, limit=contract.limit_max, status=status, max_runs=max_walk_runs,
                             runtime_id=runtime_id)
            if walk.complete:
                yield [status], walk


def _lists_of_runtimes(api, contract, max_walk_runs, target, seen):
    """(runtime id or None for the main one, statuses, reference) of the main runtime, then of the second one."""
    for runtime_id in [None] + ([target.second_runtime_id] if target.second_runtime_id else []):
        for statuses, reference in _counted_lists(api, contract, max_walk_runs, runtime_id, seen):
            yield runtime_id, statuses, reference


def _not_found(need, contract, seen):
    not_judged(need, contract, describe_runtimes(seen[0], seen[1] if len(seen) > 1 else None, contract))


# A page size that fills the last page exactly, and one below and one above it (a case each: the smoke profile runs
# one a week).
EXACT_SHAPES = {"exactly-full": 0, "one-fewer-per-page": -1, "one-more-per-page": 1}


@pytest.mark.rule("cursor.no-empty-page", "cursor.walk", "cursor.keeps-query")
@pytest.mark.needs(EXACT_COUNT)
@pytest.mark.parametrize("shape", cases(EXACT_SHAPES))
def test_walks_whose_last_page_is_exactly_full_or_one_off_end_cleanly(api, contract, max_walk_runs, target, shape):
    """Walks whose last page is exactly full, and with a page size one below and one above, end without a
    nextCursor to an empty page, with every page but the last full, and see every run."""
    seen = []
    found = next(((runtime_id, statuses, reference, size)
                  for runtime_id, statuses, reference in _lists_of_runtimes(api, contract, max_walk_runs, target, seen)
                  if (size := _exact_size(len(reference.runs), contract))), None)
    if found is None:
        _not_found(EXACT_COUNT, contract, seen)
    runtime_id, statuses, reference, exact = found
    size = exact + EXACT_SHAPES[shape]
    walk = walk_runs(api, limit=size, status=statuses, max_runs=max_walk_runs, runtime_id=runtime_id)
    described = ("the last page exactly full" if size == exact else
                 f"one run {'fewer' if size < exact else 'more'} per page than fills the last page exactly")
    _expect_clean_walk(api, walk, size, statuses, reference, contract,
                       f"{_label(statuses, size, runtime_id)} ({len(reference.runs)} runs: {described})")


@pytest.mark.rule("limit.default", "cursor.no-empty-page", "cursor.walk")
@pytest.mark.parametrize("listed", cases(DEFAULT_PAGES,
                                         marks={name: [pytest.mark.needs(need)]
                                                for name, need in DEFAULT_PAGES.items()}))
def test_walks_that_never_send_limit_get_the_default_on_every_page(api, contract, max_walk_runs, listed):
    """A walk that never sends limit (unfiltered, or filtered on the ended statuses) gets the default page size
    on every page but the last, and no nextCursor to an empty page."""
    statuses = None if listed == "unfiltered" else list(contract.terminal_statuses)
    reference = walk_runs(api, limit=contract.limit_max, max_runs=max_walk_runs).restricted(statuses)
    require(DEFAULT_PAGES[listed], contract, RuntimeData.of(reference.runs, reference.complete))
    walk = walk_runs(api, status=statuses, max_runs=max_walk_runs)
    _expect_clean_walk(api, walk, contract.limit_default, statuses, reference, contract, _label(statuses, None))


@pytest.mark.rule("cursor.no-empty-page", "cursor.keeps-query", "cursor.walk")
@pytest.mark.needs(ONE_PAGE_STATUS)
@pytest.mark.parametrize("shape", cases(ONE_PAGE_SHAPES))
def test_a_filter_whose_matches_fill_exactly_one_page(api, contract, max_walk_runs, target, shape):
    """With limit equal to the number of runs in an ended status, that filter gives one full page and a null
    nextCursor (never a cursor to an empty page); with one less, a full page then one run; with one more, one page."""
    seen = []
    fitting = [(runtime_id, statuses, reference)
               for runtime_id, statuses, reference in _lists_of_runtimes(api, contract, max_walk_runs, target, seen)
               if statuses and contract.limit_min < len(reference.runs) < contract.limit_max]
    if not fitting:
        _not_found(ONE_PAGE_STATUS, contract, seen)
    runtime_id, statuses, reference = max(fitting, key=lambda item: (item[0] is None, len(item[2].runs)))
    matches = len(reference.runs)
    size = matches + ONE_PAGE_SHAPES[shape]
    walk = walk_runs(api, limit=size, status=statuses, max_runs=max_walk_runs, runtime_id=runtime_id)
    _expect_clean_walk(api, walk, size, statuses, reference, contract,
                       f"{_label(statuses, size, runtime_id)} ({matches} matches)")
