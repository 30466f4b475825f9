"""The query string as written, before it is parsed: how its escapes are decoded, and what a cursor is bound to.
Its faults answer two spellings of one query differently, where every reader of URIs takes them for the same
(RFC 3986 §6.2.2: hex digits in either case, parameters in any order; issue 23, equivalent requests)."""
from __future__ import annotations

import json
import re
from urllib.parse import parse_qsl

from ..checks import EQUIVALENT_CURSOR_PAGE
from ..edge import BoundedMemo
from ..fault import Fault
from ..messages import without_cursor
from ..probes import one_connection, with_cursor
from .errors import Errors

FAULTS = [
    Fault("escapes-upper-hex-only", "equivalence",
          "the query decoder (a hand-written table of escapes) knows upper-case hex digits only: %2F is a slash, "
          "%2f stays as written, so a cursor or a key escaped in lower-case hex is not the one sent",
          rules=("query.equivalent",), issue=23, blind_spot=4, check=EQUIVALENT_CURSOR_PAGE,
          observe=one_connection(("GET", "%6c%69%6d%69%74=%33"), ("GET", "limit=3"))),
    Fault("cursor-bound-to-raw-query", "equivalence",
          "each nextCursor is bound to the query it was handed out with (as AIP-158 recommends), kept as the raw "
          "query string without the cursor: the same query with its parameters in another order, or escaped "
          "otherwise, is refused as another query",
          rules=("query.equivalent",), issue=23, blind_spot=4, check=EQUIVALENT_CURSOR_PAGE,
          observe=with_cursor([("limit", "3"), ("status", "failed")], [("status", "failed"), ("limit", "3")])),
]
_LOWER_HEX_ESCAPE = re.compile(r"%(?=[0-9a-fA-F]{2})(?=[0-9A-F]?[a-f])")


class QueryString:
    """The raw query string's stage: decoded (or, under a fault, misread), and its cursor's binding."""

    def __init__(self, faults: frozenset[str], errors: Errors):
        self.faults, self.errors = faults, errors
        self.bound = BoundedMemo()  # fault cursor-bound-to-raw-query: nextCursor -> the raw query without it

    def decoded(self, query: str) -> str:
        """The query as the parser gets it (fault escapes-upper-hex-only: an escape in lower-case hex kept as written)."""
        if "escapes-upper-hex-only" in self.faults:
            query = _LOWER_HEX_ESCAPE.sub("%25", query)
        return query

    def check_binding(self, query: str) -> None:
        """ApiError when the query's cursor was handed out with another raw query (fault cursor-bound-to-raw-query)."""
        if "cursor-bound-to-raw-query" not in self.faults:
            return
        cursors = [value for key, value in parse_qsl(query, keep_blank_values=True) if key == "cursor"]
        bound = self.bound.get(cursors[0]) if cursors else None
        if bound is not None and bound != without_cursor(query):
            raise self.errors.invalid("pagination.cursor_invalid", "cursor was issued for another query",
                                      {"parameter": "cursor"})

    def bind(self, query: str, payload: bytes | None) -> None:
        """Remember the raw query the page's nextCursor was handed out with (fault cursor-bound-to-raw-query)."""
        if "cursor-bound-to-raw-query" not in self.faults or not payload:
            return
        next_cursor = json.loads(payload).get("nextCursor")
        if next_cursor:
            self.bound.put(next_cursor, without_cursor(query))
