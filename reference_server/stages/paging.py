"""Paging: the runs of a page (newest first, one look-ahead run to know whether more remain), the page's body with
its nextCursor, and the caches a page may come from."""
from __future__ import annotations

import time
from dataclasses import replace

from ..checks import EMPTY, EXACT_WALKS, LEDGER, LIMIT_BOUNDS, ONE_PAGE_FILTER, OVERLAP, WALK_END, WALK_SIZES
from ..cursor import Position
from ..edge import Instances, PageCache
from ..fault import Fault
from ..messages import Query, SharedContext, json_bytes, without_cursor
from ..probes import L3, TWO_WALKS_ACROSS_A_TICK, churned, main_then, overlapping, page, walk
from ..store import DB_ROUND_TRIP, Run, RunStore
from ..variants import Variants
from .cursors import Cursors
from .rendering import run_json

FAULTS = [
    Fault("next-cursor-omitted", "schema",
          "the last page omits the nextCursor key instead of sending null",
          rules=("page.schema",), check=WALK_END,
          observe=page(runtime="empty")),
    Fault("data-null-when-empty", "schema",
          "an empty page sends \"data\": null",
          rules=("page.empty-runtime",), check=EMPTY,
          observe=page(runtime="empty")),
    Fault("limit-plus-one", "limit",
          "pages hold limit+1 runs",
          rules=("limit.bounds",), check=LIMIT_BOUNDS,
          observe=page([("limit", "5")])),
    Fault("filtered-listing-local-time", "invariants",
          "filtered listings come from a search index whose indexer ran with TZ=Europe/Paris and stored naive local "
          "times, sent with a Z: a run's createdAt, startedAt and finishedAt are an hour later in filtered listings "
          "than in unfiltered ones (each listing is consistent on its own)",
          rules=("run.immutable",), blind_spot=3, check=LEDGER,
          observe=page([("limit", "5"), ("status", "stopped")])),
    Fault("stale-status-cache", "invariants",
          "one app instance in four reads status and finishedAt from a cache it filled when it started and never "
          "invalidates: a run seen ended is later seen active again, finishedAt null",
          rules=("run.immutable",), blind_spot=3, needs=("churn",), check=LEDGER,
          observe=churned(reads=4)),
    Fault("page-cache-ignores-runtime", "invariants",
          "an app-level page cache (60 s) keyed by tenant and query string, not the path: a runtime answers another "
          "runtime's cached page for the same query, so a run is listed under two runtimes",
          rules=("run.one-runtime", "page.empty-runtime"), blind_spot=3, check=LEDGER,
          observe=main_then("empty")),
    Fault("more-when-page-full", "pagination",
          "nextCursor is decided by 'the page is full' instead of a look-ahead run: a last page exactly full hands "
          "out a cursor to an empty page",
          rules=("cursor.no-empty-page",), blind_spot=5, check=EXACT_WALKS,
          observe=walk([("limit", "13")])),
    Fault("more-counts-cursor-row", "pagination",
          "cursor pages use an inclusive keyset that re-reads the cursor's own run and drop it after counting it: "
          "when the runs left exactly fill a page, it hands out a cursor to an empty page",
          rules=("cursor.no-empty-page",), blind_spot=5, check=EXACT_WALKS,
          observe=walk([("limit", "13")])),
    Fault("filtered-more-from-unfiltered", "pagination",
          "a filtered page's look-ahead ignores the filter: its last page hands out a cursor to an empty page "
          "whenever older runs of other statuses exist",
          rules=("cursor.no-empty-page",), blind_spot=5, check=ONE_PAGE_FILTER,
          observe=page([("limit", "100"), ("status", "stopped")])),
    Fault("last-page-memo-cursor", "pagination",
          "the page is memoised on the app instance for the Link-header middleware, which also asks for a total "
          "count (a round trip), and nextCursor is made from the memo afterwards: under overlap a page's nextCursor "
          "points into another request's page (another runtime's position), so the walk skips or repeats runs",
          rules=("cursor.walk", "cursor.scope", "tenant.overlap"), issue=16, check=OVERLAP,
          observe=overlapping(*[("main", "main", L3), ("main", "second", L3)] * 4)),
    Fault("page-cache-keyed-by-page-number", "pagination",
          "cursor pages are cached for 30 s under the query without its cursor and the page number the cursor "
          "carries (the cursor changes on every request, the page number does not): once runs have started, a later "
          "walk's page 2 is an earlier walk's page 2, and the runs that moved onto it are skipped",
          rules=("cursor.walk",), needs=("churn",), issue=16, check=WALK_SIZES,
          observe=TWO_WALKS_ACROSS_A_TICK),
]

NUMBERED_PAGE_CACHE_SECONDS = 30.0  # fault page-cache-keyed-by-page-number


class Pages:
    """The listing: a page of a runtime's runs for a Query."""

    def __init__(self, faults: frozenset[str], variants: Variants, store: RunStore, context: SharedContext,
                 cursors: Cursors):
        self.faults, self.variants, self.store, self.context, self.cursors = faults, variants, store, context, cursors
        self.page_cache, self.instances = PageCache(), Instances()
        self.numbered_pages = PageCache(ttl=NUMBERED_PAGE_CACHE_SECONDS)  # fault page-cache-keyed-by-page-number
        # Filled when the instance starts and never invalidated: only read under the stale-status-cache fault.
        self.status_cache = {run.id: (run.status, run.finished_at) for runtime in (store.seed_info.runtime_id,)
                             for run in store.all_runs(runtime)}

    def payload(self, tenant: str, runtime_id: str, query: str, params: Query, rendered: bool = True) -> bytes | None:
        """The page's body as sent, from a cache where a fault keeps one; None when it is not `rendered` (fault
        head-500's HEAD shortcut)."""
        cache_key = (tenant, query)  # the fault's cache forgets the path, and with it the runtime
        cached = self.page_cache.get(cache_key) if "page-cache-ignores-runtime" in self.faults else None
        numbered = None
        if "page-cache-keyed-by-page-number" in self.faults and params.position is not None:
            # Cursor pages are cached for 30 s under their page number (the cursor changes on every request, the
            # page number does not): the key is the query without its cursor, and the number the cursor carries.
            numbered = (tenant, runtime_id, without_cursor(query), params.position.page)
            cached = self.numbered_pages.get(numbered)
        payload = (cached or json_bytes(self.page(runtime_id, params))) if rendered else None
        if "page-cache-ignores-runtime" in self.faults and cached is None:
            self.page_cache.put(cache_key, payload)
        if numbered and cached is None:
            self.numbered_pages.put(numbered, payload)
        return payload

    def page(self, runtime_id: str, params: Query) -> dict:
        """The page's body: its runs and nextCursor."""
        size = params.limit + 1 if "limit-plus-one" in self.faults else params.limit
        rows, more = self._rows(runtime_id, params, size)
        cursor_rows = rows
        if "last-page-memo-cursor" in self.faults:
            self.context.last_page = rows  # the page, memoised for the Link-header middleware
            time.sleep(DB_ROUND_TRIP)  # which also asks for the total count (a round trip)
            cursor_rows = self.context.last_page  # and nextCursor is made from the memo
        # Filtered listings come from the search index under the filtered-listing-local-time fault.
        local = bool(params.statuses) and "filtered-listing-local-time" in self.faults
        stale = "stale-status-cache" in self.faults and self.instances.next_is_stale()
        shown = [self._stale(run) if stale else run for run in rows]
        body = {"data": [run_json(run, self.faults, self.variants, local) for run in shown],
                "nextCursor": self.cursors.next(cursor_rows, more, params, runtime_id)}
        if not rows and "data-null-when-empty" in self.faults:
            body["data"] = None
        if body["nextCursor"] is None and "next-cursor-omitted" in self.faults:
            del body["nextCursor"]
        return body

    def _rows(self, runtime_id: str, params: Query, size: int) -> tuple[list[Run], bool]:
        """The page's runs, and whether more remain (known from one look-ahead run past the page)."""
        statuses, position = params.statuses, params.position
        if "more-when-page-full" in self.faults:  # no look-ahead: a full page is taken to mean more remain
            rows = self.store.page(runtime_id, statuses, position, size, as_of=params.as_of)
            return rows, len(rows) == size
        if position is not None and "more-counts-cursor-row" in self.faults:
            # An inclusive keyset re-reads the cursor's own run and drops it, but counts it first.
            rows = self.store.page(runtime_id, statuses, position, size + 1, inclusive=True, as_of=params.as_of)
            more = len(rows) > size
            return (rows[1:] if rows and rows[0].id == position.run_id else rows)[:size], more
        if params.scroll_gone:
            return [], False
        ended_by = self.cursors.ended_by(position)
        rows = self.store.page(runtime_id, statuses, position, size + 1, as_of=params.as_of, ended_by=ended_by)
        more, rows = len(rows) > size, rows[:size]
        if statuses and rows and "filtered-more-from-unfiltered" in self.faults:
            # The look-ahead asks whether any run follows the page's last one, forgetting the filter.
            more = bool(self.store.page(runtime_id, (), Position(rows[-1].created_at, rows[-1].id), 1,
                                        as_of=params.as_of))
        return rows, more

    def _stale(self, run: Run) -> Run:
        """The run as the instance with a stale status cache renders it: status and finishedAt from its cache."""
        status, finished = self.status_cache.get(run.id, (run.status, run.finished_at))
        return replace(run, status=status, finished_at=finished)

