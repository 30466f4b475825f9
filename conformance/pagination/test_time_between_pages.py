"""Time between pages: a cursor handed out when the run started, redeemed when it ends, continues right after the
last run its page showed. Bugs that only live data shows, and only when time passes between two pages (an offset
cursor drifting as new runs arrive, a snapshot that expires and restarts from the top or drops runs, a cursor that
remembers "now"), slip past a walk that finishes in milliseconds; on staging, where runs start every few minutes,
this is how they are seen.

Judged with what cannot change: keyset order. The redeemed page lists no run of the first page again and only runs
after its last one; for the unfiltered list, whose runs never leave it, exactly the runs that follow that position
in a walk made right after (none skipped).
"""

from __future__ import annotations

import time

import pytest

from conformance.judge.expect import expect
from conformance.judge.response import judged
from conformance.judge.walk import walk_runs
from conformance.profiles import cases
from conformance.readiness import crossing, ended_runs

WALK_BEYOND = 3  # pages of the fresh walk beyond the position, at most


@pytest.mark.rule("cursor.time", "cursor.walk", "cursor.no-empty-page")
@pytest.mark.late
@pytest.mark.redeems_early_cursors
@pytest.mark.parametrize("query", cases(["unfiltered", "an ended status", "the default page size"],
                                        marks={
                                            "unfiltered": [pytest.mark.needs(crossing(7))],
                                            "an ended status": [pytest.mark.needs(ended_runs(4))],
                                            "the default page size": [pytest.mark.needs(crossing("limit_default"))]}))
def test_a_cursor_redeemed_long_after_continues_after_its_page(api, contract, max_walk_runs, query,
                                                             early_cursors_after_a_pause):
    """A nextCursor handed out when the run started, redeemed at its end (runs having started and ended meanwhile),
    continues right after the last run its page showed: no run of that page again, only runs after it, and, for
    the unfiltered list, none skipped."""
    minted = (early_cursors_after_a_pause or {}).get(query)
    if minted is None:
        pytest.skip(f"no cursor was handed out early for {query}")
    query_pairs, first, minted_at = minted
    later = judged(api.list_runs(params=[*query_pairs, ("cursor", first.next_cursor)]), contract)
    waited = time.monotonic() - minted_at
    key, position = contract.order.key, first.runs[-1]
    what = f"A cursor of {query} redeemed {waited:.1f} s after it was handed out"
    again = sorted({run["id"] for run in later.runs} & {run["id"] for run in first.runs})
    expect(not again, f"{what} lists no run of its page again", expected="runs after the page's last one",
           actual=f"{len(again)} of its runs again, first {again[0] if again else ''}", exchange=later)
    before = [run for run in later.runs if not key(position) < key(run)]
    expect(not before, f"{what} lists only runs after the last run of its page ({position['id']})",
           expected=f"runs after {position['createdAt']} {position['id']} in {contract.order.describe()}",
           actual=f"{len(before)} not after it, first {before[0]['id']} ({before[0]['createdAt']})" if before else "",
           exchange=later)
    if query == "an ended status":
        return  # a run that ended meanwhile enters the filter anywhere: what follows the position may grow
    limit = dict(query_pairs).get("limit")
    fresh = walk_runs(api, limit=limit, max_runs=min(max_walk_runs, len(first.runs) * (WALK_BEYOND + 1)),
                      status=None)
    # Runs started since push the position down the fresh walk, which may stop before it has all of the page's
    # (a bounded walk): then what both have is compared. An empty page while runs follow skips them all.
    after = [run["id"] for run in fresh.runs if key(position) < key(run)]
    listed = [run["id"] for run in later.runs]
    compared = (len(listed) or 1) if fresh.complete else min(len(listed) or 1, len(after))
    expect(listed[:compared] == after[:compared] or not after,
           f"{what} skips none of the runs after its page",
           expected=f"{', '.join(after[:3])}…", actual=f"{', '.join(listed[:3]) or 'no runs'}…", exchange=later)
