"""What checks of several contract areas share, made from the target once per run (the plugin's fixtures are the
rest: settings, contract, target, api, the run's shared walk and records)."""

from __future__ import annotations

import time

import pytest

from conformance.inputs.cursors import CursorPage
from conformance.judge.response import judged
from conformance.readiness import RuntimeData, crossing, ended_runs, not_judged
from conformance.transport.client import page_params

# The pages after a first one that every query rule is checked on again, and what the data needs to have them.
CURSOR_PAGES = {"with-a-cursor": crossing(1), "with-a-filtered-cursor": ended_runs(2)}


def pytest_generate_tests(metafunc):
    """A check that asks for `cursor_page` runs once on each of CURSOR_PAGES (each case declaring its need); it
    finds the page by that name in `cursor_pages`."""
    if "cursor_page" in metafunc.fixturenames:
        metafunc.parametrize("cursor_page", [pytest.param(name, id=name, marks=pytest.mark.needs(need))
                                             for name, need in CURSOR_PAGES.items()])


class CursorPages(dict):
    """The cursor after each of CURSOR_PAGES's first pages; asked for one the data has none of, the check is not
    judged (live data changed since readiness, which predicts these)."""

    def __init__(self, found: dict[str, CursorPage | None], contract, shared_walk):
        super().__init__(found)
        self.contract, self.shared_walk = contract, shared_walk

    def __getitem__(self, name: str) -> CursorPage:
        found = super().__getitem__(name)
        if found is None:
            not_judged(CURSOR_PAGES[name], self.contract, RuntimeData.of(
                self.shared_walk.runs, self.shared_walk.complete).describe(statuses=self.contract.statuses))
        return found


@pytest.fixture(scope="session")
def cursor_pages(api, contract, shared_walk) -> CursorPages:
    """A cursor after the first run of the runtime, and one after the first run of a filter on the ended status
    with the most runs."""
    counts = {status: sum(run["status"] == status for run in shared_walk.runs) for status in contract.terminal_statuses}
    status = max(counts, key=counts.get)
    queries = {"with-a-cursor": page_params(limit=contract.limit_min),
               "with-a-filtered-cursor": page_params(limit=contract.limit_min, status=status)}
    found = {}
    for name, query in queries.items():
        page = judged(api.list_runs(params=query), contract)
        found[name] = CursorPage(name.replace("-", " "), query, page.next_cursor) if page.next_cursor else None
    return CursorPages(found, contract, shared_walk)


# -- cursors handed out early, redeemed late (pagination/test_time_between_pages.py) --------------------------------
# Seconds at least between handing the early cursors out and redeeming them: a suite whose checks run a few at once
# may reach its late checks within a second, and a cursor or a scroll that expires after a second or two (a real
# client pauses longer) must still show.
PAUSE_SECONDS = 3.0


@pytest.fixture(scope="session", autouse=True)
def early_cursors(request, api, contract, shared_walk):
    """First pages and their cursors, taken when the run starts (the first check) and redeemed by a check that runs
    late: time passes between two pages as it does for a real client. Taken only when that check is selected."""
    if not any(item.get_closest_marker("redeems_early_cursors") for item in request.session.items):
        return None
    counts = {status: sum(run["status"] == status for run in shared_walk.runs) for status in contract.terminal_statuses}
    small = contract.limit_min + 6
    queries = {"unfiltered": page_params(limit=small),
               "an ended status": page_params(limit=contract.limit_min + 2, status=max(counts, key=counts.get)),
               "the default page size": []}
    minted = {name: _first_page(api, query) for name, query in queries.items()}
    # A second page, whose runs stay while their statuses may change (its validators): the larger it is, the more
    # of its runs may end before it is asked for again, so pages of half the runs seen, within the contract's bounds.
    size = max(small, min(contract.limit_max, len(shared_walk.runs) // 2))
    first = minted["unfiltered"] if size == small else _first_page(api, page_params(limit=size))
    if first is not None:
        second_query = [*first[0], ("cursor", first[1].next_cursor)]
        minted["a second page"] = (second_query, judged(api.list_runs(params=second_query), contract), time.monotonic())
    return minted


def _first_page(api, query):
    """(query, first page, when) if the page has runs and a nextCursor, else None."""
    page = judged(api.list_runs(params=query), api.contract)
    return (query, page, time.monotonic()) if page.next_cursor and page.runs else None


@pytest.fixture
def early_cursors_after_a_pause(early_cursors):
    """The early cursors, once PAUSE_SECONDS at least have passed since they were handed out."""
    minted_at = [entry[2] for entry in (early_cursors or {}).values() if entry is not None]
    if minted_at:
        time.sleep(max(0.0, max(minted_at) + PAUSE_SECONDS - time.monotonic()))
    return early_cursors
