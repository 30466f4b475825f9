"""Cursors: reading the cursor a request sends (refused when malformed, tampered with or another runtime's), the
runtime a cursor page lists, and the nextCursor handed out with a page."""
from __future__ import annotations

import time
from dataclasses import replace
from datetime import datetime, timedelta, timezone

from .. import cursor
from ..checks import BAD_CURSOR, CURSOR_TWICE, FOREIGN_CURSOR, SIZES, TIME, WALK_END, WALK_SIZES
from ..cursor import CursorError, Position
from ..edge import SCROLL_KEEP_ALIVE_SECONDS, Redeemed, Scrolls
from ..fault import Fault
from ..messages import Query
from ..probes import (L7, WALK_ACROSS_A_TICK, foreign_cursor, forged_cursor, page, paused, ticks_between_pages,
                      walk, with_cursor)
from ..store import Run, RunStore
from ..times import fmt_time
from ..variants import Variants
from .errors import Errors

FAULTS = [
    Fault("cursor-single-use", "equivalence",
          "cursors are kept in a server-side table and deleted when redeemed (to stop replays): a client that asks "
          "for the same page again, as it does when it retries a GET whose answer it lost, gets 400 cursor_invalid",
          rules=("query.equivalent",), issue=23, blind_spot=4, check=CURSOR_TWICE,
          observe=with_cursor([("limit", "3")], [("limit", "3")], repeat=[("limit", "3")])),
    Fault("cursor-loops", "pagination",
          "the cursor handed out on the third page points back to the start (a walk never ends)",
          rules=("cursor.walk",), check=WALK_SIZES,
          observe=walk(L7)),
    Fault("cursor-on-last-page", "pagination",
          "the last page still returns a nextCursor, which leads to an empty page",
          rules=("cursor.walk",), check=WALK_END,
          observe=walk([("limit", "50")])),
    Fault("cursor-not-validated", "pagination",
          "a malformed cursor is treated as 'start from the beginning' (200)",
          rules=("cursor.opaque",), check=BAD_CURSOR,
          observe=page([("cursor", "garbage")])),
    Fault("cursor-tamper-accepted", "pagination",
          "the cursor's HMAC tag is not checked (an altered cursor is accepted)",
          rules=("cursor.opaque",), check=BAD_CURSOR,
          observe=page(forged_cursor)),
    Fault("cursor-runtime-from-cursor", "pagination",
          "the page lists the runtime the cursor was handed out for (the cursor carries it), not the path's: another "
          "runtime of the key given this cursor lists the first runtime's runs",
          rules=("cursor.scope",), blind_spot=4, check=FOREIGN_CURSOR,
          observe=foreign_cursor("empty")),
    Fault("offset-cursor", "pagination",
          "the cursor encodes an OFFSET into the list: runs that start at the head during a walk shift the pages, "
          "and the walk sees a run twice",
          rules=("cursor.walk",), blind_spot=7, needs=("churn",), check=WALK_SIZES,
          observe=WALK_ACROSS_A_TICK),
    Fault("cursor-buffer-overflow-500", "pagination",
          "cursor parts are base64-decoded into pooled 512-byte buffers before the length check, and a part that "
          "does not fit raises a ValueError the cursor code does not turn into a refusal: a cursor longer than about "
          "700 characters (any long base64-looking string) is a 500 instead of a 400",
          rules=("server.no-5xx", "server.sizes"), issue=16, check=SIZES,
          observe=page([("cursor", "A" * 2000)])),
    Fault("cursor-regex-backtracking-500", "pagination",
          "the cursor's shape is checked first with ^(?:[A-Za-z0-9_-]+)*\\.(?:[A-Za-z0-9_-]+)*$ on a backtracking "
          "engine with PCRE's default limit of 1,000,000 steps: a cursor with a run of 20 or more word characters "
          "not followed by the rest of the shape (a long cursor without a dot, or with two) exhausts the limit in "
          "about half a second, and the engine's error is answered 500",
          rules=("server.no-5xx",), issue=16, check=BAD_CURSOR,
          observe=page([("cursor", "A" * 40)])),
    Fault("scroll-expired-restarts", "pagination",
          "later pages are read from a server-side scroll context the first page opened, with a keep-alive written "
          "`scroll=1s` (meant: 1m) and renewed by each page; a cursor whose scroll is gone is not refused but "
          "silently starts a new scroll from the top: a cursor redeemed more than a second after its page gets the "
          "first page again, and the walk repeats runs",
          rules=("cursor.walk", "cursor.time"), issue=16, check=TIME,
          observe=paused(1.3)),
    Fault("scroll-expired-ends-walk", "pagination",
          "the same one-second scroll context, but a cursor whose scroll is gone gets the scroll API's 'no more "
          "hits': an empty page with a null nextCursor, so a cursor redeemed more than a second after its page ends "
          "the walk early (the runs after it never listed)",
          rules=("cursor.walk", "cursor.no-empty-page", "cursor.time"), issue=16, check=TIME,
          observe=paused(1.3)),
    Fault("cursor-ttl-seconds", "pagination",
          "cursors carry the time they were handed out and expire after CURSOR_TTL = 2 (minutes, says the comment), "
          "passed to timedelta(seconds=...): a cursor redeemed more than two seconds after its page is refused 400 "
          "as expired, and a client that paused cannot go on",
          rules=("cursor.walk", "cursor.time"), issue=16, check=TIME,
          observe=paused(2.3)),
    Fault("cursor-as-of-hides-ended", "pagination",
          "cursors carry when the walk began, and later pages are pinned to it with `finished_at IS NULL OR "
          "finished_at <= :as_of` (meant as 'the runs as they were then'): a run that ends between two pages "
          "vanishes from the rest of the walk, which skips it",
          rules=("cursor.walk", "cursor.time"), needs=("churn",), issue=16, check=TIME,
          observe=ticks_between_pages()),
]

CURSOR_BUFFER_BYTES = 512  # fault cursor-buffer-overflow-500: the pooled decode buffers
CURSOR_TTL = 2  # minutes (fault cursor-ttl-seconds: used as timedelta(seconds=CURSOR_TTL))


def filter_key(statuses: tuple[str, ...]) -> tuple[str, ...]:
    """A status filter as a set (repeats and order do not change it), for binding a cursor to it."""
    return tuple(sorted(set(statuses)))


class Cursors:
    """The cursor code: decoding and checking what is sent, encoding what is handed out."""

    def __init__(self, faults: frozenset[str], variants: Variants, store: RunStore, secret: bytes, errors: Errors):
        self.faults, self.variants, self.store, self.secret, self.errors = faults, variants, store, secret, errors
        self.scrolls = Scrolls(SCROLL_KEEP_ALIVE_SECONDS)  # faults scroll-expired-*
        self.redeemed = Redeemed()  # fault cursor-single-use

    def read(self, values: list[str]) -> Position | None:
        """The position the cursor values sent name; None without one."""
        if not values:
            return None
        try:
            if len(values) > 1:
                raise CursorError("cursor given more than once")
            if self.variants.cursor_style == "page-number":
                serial, statuses = cursor.decode_page(values[0])
                return replace(self.store.position_at_serial(serial), statuses=statuses)
            if "cursor-regex-backtracking-500" in self.faults and not cursor.matches_shape_rule(values[0]):
                raise CursorError("cursor does not have the shape of one")
            position = cursor.decode(values[0], self.secret, verify="cursor-tamper-accepted" not in self.faults,
                                     buffer_size=CURSOR_BUFFER_BYTES if "cursor-buffer-overflow-500" in self.faults
                                     else None)
            if "cursor-ttl-seconds" in self.faults and position.minted is not None \
                    and datetime.now(timezone.utc) - datetime.fromtimestamp(position.minted, timezone.utc) \
                    > timedelta(seconds=CURSOR_TTL):
                raise CursorError("cursor expired")
            if "cursor-single-use" in self.faults and not self.redeemed.add(values[0]):
                raise CursorError("cursor already used")
            return position
        except CursorError:
            if "cursor-not-validated" in self.faults:
                return None
            raise self.errors.invalid("pagination.cursor_invalid", "cursor is invalid or expired",
                                      {"parameter": "cursor"})

    def runtime(self, runtime_id: str, position: Position | None) -> str:
        """The runtime a page lists: the path's, for which a cursor must have been handed out (else 400)."""
        if position is None or self.variants.cursor_style == "page-number":  # a position on any runtime of the key
            return runtime_id
        if position.runtime and "cursor-runtime-from-cursor" in self.faults:
            return position.runtime
        if position.runtime != runtime_id:
            raise self.errors.invalid("pagination.cursor_invalid", "cursor is invalid or expired",
                                      {"parameter": "cursor"})
        return runtime_id

    def scroll(self, params: Query) -> Query:
        """Faults scroll-expired-*: later pages are read from a server-side scroll context the first page opened
        (`scroll=1s`, meant as 1m); each page renews it. A cursor whose scroll is gone is not refused: the walk
        silently starts again from the top (restarts) or is taken to be over (ends-walk)."""
        if not {"scroll-expired-restarts", "scroll-expired-ends-walk"} & self.faults:
            return params
        position = params.position
        if position is None:
            return replace(params, scroll=self.scrolls.open())
        if position.scroll and self.scrolls.renew(position.scroll):
            return replace(params, scroll=position.scroll)
        if "scroll-expired-restarts" in self.faults:
            return replace(params, position=None, scroll=self.scrolls.open())
        return replace(params, scroll_gone=True)  # the scroll API's "no more hits"

    def ended_by(self, position: Position | None) -> str | None:
        """Fault cursor-as-of-hides-ended: the time later pages are pinned to (None: not pinned)."""
        if position is not None and position.minted is not None and "cursor-as-of-hides-ended" in self.faults:
            # Later pages are pinned to when the walk began with `finished_at IS NULL OR finished_at <= :as_of`:
            # meant as "the runs as they were then", it drops the runs that ended since.
            return fmt_time(datetime.fromtimestamp(position.minted, timezone.utc))
        return None

    def next(self, rows: list[Run], more: bool, params: Query, runtime_id: str) -> str | None:
        """The nextCursor of a page of `rows` (None on the last page)."""
        if not rows or not (more or "cursor-on-last-page" in self.faults):
            return None
        position = params.position
        bound = filter_key(params.statuses) if self.variants.cursor_binding == "filter" else None
        if self.variants.cursor_style == "page-number":
            return cursor.encode_page(rows[-1].serial, bound)
        last = Position(rows[-1].created_at, rows[-1].id, runtime=runtime_id, statuses=bound)
        if "cursor-carries-query" in self.faults:
            last = replace(last, query=(params.limit, params.statuses))
        if params.scroll:
            last = replace(last, scroll=params.scroll)
        if "cursor-as-of-hides-ended" in self.faults:  # when the walk began, carried from page to page
            last = replace(last, minted=position.minted if position and position.minted else time.time())
        elif "cursor-ttl-seconds" in self.faults:  # when this cursor was handed out
            last = replace(last, minted=time.time())
        if "page-cache-keyed-by-page-number" in self.faults:  # the number of the page it leads to
            last = replace(last, page=(position.page if position and position.page else 1) + 1)
        if "offset-cursor" in self.faults:
            last = replace(last, offset=((position.offset or 0) if position else 0) + len(rows))
        if "cursor-loops" in self.faults:
            page = (position.page or 2) if position else 1  # number of the page being served
            last = replace(cursor.START, page=1, runtime=runtime_id) if page == 3 else replace(last, page=page + 1)
        return cursor.encode(last, self.secret)
