"""A cursor walk, judged as it goes: each page against the contract, and the walk's own rules (it ends, no cursor
comes twice); with what a walk saw and the empty pages a walk must not meet."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Iterable

from ..outcomes import ContractViolation
from ..transport.client import ApiClient, pages
from ..transport.exchange import Exchange
from .expect import expect, expect_status
from .response import check_response

PAGE_SLACK = 3  # pages a walk may take beyond what its run count needs before it counts as endless


@dataclass
class Walk:
    """What one walk saw: the runs in the order they came, the pages, and whether it reached the last page."""

    runs: list[dict] = field(default_factory=list)
    pages: list[Exchange] = field(default_factory=list)
    complete: bool = False

    @property
    def ids(self) -> list[str]:
        return [run["id"] for run in self.runs]

    def by_id(self) -> dict[str, dict]:
        return {run["id"]: run for run in self.runs}

    def restricted(self, statuses: Iterable[str] | None) -> "Walk":
        """The part of this unfiltered walk that a filter on `statuses` lists (all of it for None). Sound for ended
        statuses only, where a listed run stays (judge/live.py)."""
        if statuses is None:
            return self
        return Walk(runs=[run for run in self.runs if run["status"] in statuses], complete=self.complete)

    def page_of(self, run_id: str) -> Exchange:
        """The last page that listed this run (the last page of the walk if none did)."""
        return next((page for page in reversed(self.pages) if any(r.get("id") == run_id for r in page.runs)),
                    self.pages[-1])


def empty_page_after_cursor(walk: Walk) -> tuple[int, Exchange] | None:
    """The first page served for a nextCursor that holds no runs, as (page number, page); None if there is none.

    A contract break wherever the runs behind a cursor cannot vanish (unfiltered lists, filters of ended statuses:
    see judge/live.py); a run that was active may leave an `active` filter between two pages."""
    return next(((number, page) for number, page in enumerate(walk.pages[1:], start=2) if not page.runs), None)


def unexplained_empty_page(api: ApiClient, walk: Walk) -> tuple[int, Exchange] | None:
    """The first empty page served for a nextCursor (empty_page_after_cursor), unless the overlay lets the oldest
    runs be deleted (liveData.oldestRunsMayBeDeleted) and asking the page before it again shows that the list now
    ends there: the runs behind the cursor were deleted in between. A cursor handed out again to an empty page is
    no deletion."""
    found = empty_page_after_cursor(walk)
    if found is None or not api.contract.oldest_runs_may_be_deleted:
        return found
    number, _ = found
    again = api.get_exactly(walk.pages[number - 2].url)
    return None if again.status == 200 and again.next_cursor is None else found


def page_budget(max_runs: int, page_size: int) -> int:
    """Pages a walk of up to `max_runs` runs may take before it counts as endless."""
    return math.ceil(max_runs / page_size) + PAGE_SLACK


def walk_runs(
    api: ApiClient,
    *,
    max_runs: int,
    limit: int | None = None,
    status: str | Iterable[str] | None = None,
    runtime_id: str | None = None,
) -> Walk:
    """Walk pages until nextCursor is null (complete) or `max_runs` runs were seen (a bounded prefix), judging each.

    A cursor seen twice, or more pages than the runs can fill, is a ContractViolation, never a hang."""
    __tracebackhide__ = True
    page_size = limit or api.contract.limit_default
    budget = page_budget(max_runs, page_size)
    walk, seen_cursors = Walk(), set()
    for page in pages(api, limit=limit, status=status, runtime_id=runtime_id):
        check_response(page, api.contract)
        expect_status(page, 200, f"Page {len(walk.pages) + 1} of a cursor walk is served")
        walk.pages.append(page)
        walk.runs.extend(page.runs)
        cursor = page.next_cursor
        if cursor is None:
            walk.complete = True
            return walk
        if len(walk.runs) >= max_runs:
            return walk
        expect(cursor not in seen_cursors, "A cursor walk never sees the same nextCursor twice",
               expected="a new cursor on every page", actual=f"page {len(walk.pages)} repeats an earlier cursor",
               exchange=page)
        seen_cursors.add(cursor)
        if len(walk.pages) >= budget:
            raise ContractViolation(
                "A cursor walk ends",
                expected=f"the last page (nextCursor null) within {budget} pages of {page_size}",
                actual=f"still a nextCursor after {len(walk.pages)} pages and {len(walk.runs)} runs",
                exchange=page,
            )
    return walk
