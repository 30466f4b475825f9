"""Query: the query string read into a Query (limit, status filter, cursor), every value checked or refused (400),
on the first page and on cursor pages alike."""
from __future__ import annotations

import re
from urllib.parse import parse_qs

from .. import number_faults
from ..checks import (BAD_LIMIT, BAD_STATUS, DEFAULT_LIMIT, DEFAULT_WALKS, LIMIT_BRACKETS, LIMIT_EVERY_PAGE,
                      LIMIT_GRAMMAR, SIZES, STATUS_BRACKETS, STATUS_EVERY_PAGE, STATUS_GRAMMAR, UNION, WALK_KEEPS)
from ..edge import BoundedMemo
from ..fault import Fault
from ..messages import Query, short
from ..numbers import ajv_integer, go_parse_int_base_0, javascript_number_is_integer, parse_int_10, python_int
from ..probes import L7, page, walk, with_cursor
from ..seed import STATUSES
from ..variants import Variants
from .cursors import Cursors, filter_key
from .errors import Errors

FAULTS = [
    Fault("filter-first-page-only", "pagination",
          "the status filter is ignored when a cursor is given",
          rules=("cursor.keeps-query",), check=WALK_KEEPS,
          observe=walk([("limit", "7"), ("status", "active")])),
    Fault("limit-first-page-only", "pagination",
          "the limit is ignored (default used) when a cursor is given",
          rules=("cursor.keeps-query",), check=WALK_KEEPS,
          observe=walk(L7)),
    Fault("default-limit-20", "limit",
          "the default page size is 20 instead of 50",
          rules=("limit.default",), check=DEFAULT_LIMIT,
          observe=page()),
    Fault("limit-clamped", "limit",
          "a limit above the maximum is clamped to the maximum instead of 400",
          rules=("limit.refusal",), check=BAD_LIMIT,
          observe=page([("limit", "101")])),
    Fault("limit-zero-means-default", "limit",
          "limit=0 returns a default-size page instead of 400",
          rules=("limit.refusal",), check=BAD_LIMIT,
          observe=page([("limit", "0")])),
    Fault("limit-float-truncated", "limit",
          "limit=1.5 is accepted as 1 instead of 400",
          rules=("limit.refusal",), check=BAD_LIMIT,
          observe=page([("limit", "1.5")])),
    Fault("limit-repeated-last-wins", "limit",
          "two limit keys: the last one is used instead of 400",
          rules=("limit.refusal",), check=BAD_LIMIT,
          observe=page([("limit", "2"), ("limit", "3")])),
    Fault("limit-huge-500", "limit",
          "a limit beyond 64-bit integers crashes the handler (500 server.error)",
          rules=("server.no-5xx",), check=BAD_LIMIT,
          observe=page([("limit", "99999999999999999999999")])),
    Fault("limit-python-int", "limit",
          "limit is read with Python's int() (try/except ValueError) instead of checked as digits: '+5', ' 5', '5_0' "
          "and other scripts' digits ('５', '٥') are accepted",
          rules=("limit.grammar",), blind_spot=2, check=LIMIT_GRAMMAR,
          observe=page([("limit", "\uff15")])),
    Fault("limit-javascript-number", "limit",
          "limit is read as JavaScript's Number() and checked with Number.isInteger: '5.0', '5e0', '0x5' and ' 5 ' "
          "are accepted as 5",
          rules=("limit.grammar",), blind_spot=2, check=LIMIT_GRAMMAR,
          observe=page([("limit", "5e0")])),
    Fault("limit-go-base-prefix", "limit",
          "limit is read with Go's strconv.ParseInt(s, 0, 64) (base from the prefix): '010' is octal 8, '0x5' is 5, "
          "'1_0' is 10, '+5' is 5",
          rules=("limit.grammar",), blind_spot=2, check=LIMIT_GRAMMAR,
          observe=page([("limit", "010")])),
    Fault("limit-array-coerced", "limit",
          "the query parser (qs) reads limit[]=5 as the array ['5'], which Number() turns into 5: the bracketed key "
          "sets the page size",
          rules=("limit.grammar",), blind_spot=2, check=LIMIT_BRACKETS,
          observe=page([("limit[]", "5")])),
    Fault("default-limit-on-cursor-pages", "limit",
          "without a limit, cursor pages use the paginator's own default (20), not the contract's (a second constant "
          "in the cursor code path)",
          rules=("limit.default",), blind_spot=5, check=DEFAULT_WALKS,
          observe=walk()),
    Fault("default-limit-with-filter", "limit",
          "without a limit, a filtered request uses the filtered query's own default page size (25)",
          rules=("limit.default",), blind_spot=5, check=DEFAULT_WALKS,
          observe=page([("status", "stopped")])),
    Fault("cursor-page-limit-unchecked", "limit",
          "cursor pages take a second code path (the continuation handler) that reads limit with Python's int() and "
          "puts it straight into LIMIT: with a cursor, limit=0, 500, -1 or '+5' is served instead of refused (SQLite "
          "reads a negative LIMIT as no limit)",
          rules=("limit.refusal", "limit.grammar", "query.every-page"), issue=16, check=LIMIT_EVERY_PAGE,
          observe=with_cursor([("limit", "5")], [("limit", "500")])),
    Fault("cursor-carries-query", "pagination",
          "the cursor carries the first page's limit and filter (a page token that holds the request), and cursor "
          "pages take them from it without reading what was sent: with a cursor an invalid limit or status is never "
          "refused, and another valid limit or filter is ignored",
          rules=("limit.refusal", "status.refusal", "cursor.keeps-query", "query.every-page"),
          issue=16, check=LIMIT_EVERY_PAGE,
          observe=with_cursor([("limit", "5")], [("limit", "abc")])),
    Fault("cursor-page-repeated-params", "limit",
          "the continuation handler reads its single-valued parameters with a first-value getter (request.args.get): "
          "with a cursor, a repeated limit (limit=5&limit=6) is served with the first value instead of refused",
          rules=("limit.refusal", "query.every-page"), issue=16, check=LIMIT_EVERY_PAGE,
          observe=with_cursor([("limit", "5")], [("limit", "5"), ("limit", "6")])),
    Fault("validated-query-memo-by-cursor", "pagination",
          "validated queries are memoised by cursor (polling clients re-request the same cursor): a cursor sent "
          "again brings back the query it first came with, so an invalid limit or status sent with it later is never "
          "checked, and a changed one never applied",
          rules=("limit.refusal", "status.refusal", "cursor.keeps-query", "query.every-page"),
          issue=16, check=LIMIT_EVERY_PAGE,
          observe=with_cursor([("limit", "5")], [("limit", "0")], repeat=[("limit", "5")])),
    Fault("query-max-fields-500", "limit",
          "the query parser was hardened with parse_qs(max_num_fields=100), whose ValueError ('Max number of fields "
          "exceeded') reaches the generic error handler instead of becoming a 400: a query with more than 100 "
          "parameters (a hundred status values, say) is a 500",
          rules=("server.no-5xx", "server.sizes"), issue=16, check=SIZES,
          observe=page([("limit", "5")] + [("status", "active")] * 150)),
    Fault("status-array-first-only", "filters",
          "only the first of repeated status values is applied",
          rules=("status.union",), check=UNION,
          observe=page([("limit", "100"), ("status", "active"), ("status", "failed")])),
    Fault("status-case-insensitive", "filters",
          "status=ACTIVE is accepted as active instead of 400",
          rules=("status.refusal",), check=BAD_STATUS,
          observe=page([("status", "ACTIVE")])),
    Fault("status-unknown-ignored", "filters",
          "an unknown status value is ignored (unfiltered result, 200)",
          rules=("status.refusal",), check=BAD_STATUS,
          observe=page([("status", "zzz")])),
    Fault("status-empty-ignored", "filters",
          "status= is treated as no filter instead of 400",
          rules=("status.refusal",), check=BAD_STATUS,
          observe=page([("status", "")])),
    Fault("status-comma-split", "filters",
          "status values are split on commas (a framework's list parsing): status=active,failed filters on both "
          "instead of 400",
          rules=("status.grammar", "status.refusal"), blind_spot=2, check=STATUS_GRAMMAR,
          observe=page([("status", "active,failed")])),
    Fault("status-whitespace-stripped", "filters",
          "status values are stripped of surrounding whitespace before the check: status=' active' is accepted",
          rules=("status.grammar", "status.refusal"), blind_spot=2, check=STATUS_GRAMMAR,
          observe=page([("status", " active")])),
    Fault("status-bracket-array", "filters",
          "Rails/PHP-style array keys: status[]=failed is read as the status filter instead of an unknown parameter",
          rules=("status.grammar",), blind_spot=2, check=STATUS_BRACKETS,
          observe=page([("status[]", "failed")])),
    Fault("cursor-page-drops-unknown-status", "filters",
          "cursor pages pass the status values through the enum (dropping what is not in it) instead of validating "
          "them: with a cursor, status=zzz or a misspelt value beside a valid one is silently dropped, 200",
          rules=("status.refusal", "query.every-page"), issue=16, check=STATUS_EVERY_PAGE,
          observe=with_cursor([("limit", "5"), ("status", "active")],
                              [("limit", "5"), ("status", "active"), ("status", "zzz")])),
    Fault("cursor-page-status-normalised", "filters",
          "cursor pages compare the sent filter with the one stored for the walk after normalising it the way the "
          "stored one was (split on commas, stripped, lower-cased): with a cursor, status=ACTIVE, ' active' or "
          "active,failed is accepted",
          rules=("status.grammar", "status.refusal", "query.every-page"), issue=16, check=STATUS_EVERY_PAGE,
          observe=with_cursor([("limit", "5"), ("status", "active")], [("limit", "5"), ("status", "ACTIVE")])),
]

_BRACKET_KEY = re.compile(r"(\w+)\[\d*\]")  # status[], status[0], limit[]
# Rails/PHP/qs-style array keys read as the parameter they name: status[]=a is the list ["a"] (fault
# status-bracket-array); limit[]=5 is the qs array ["5"], which JavaScript's Number() reads as 5 (limit-array-coerced).
_BRACKET_FAULTS = {"status": "status-bracket-array", "limit": "limit-array-coerced"}
_DIGITS = re.compile(r"[0-9]+")
_DECIMAL = re.compile(r"[0-9]+\.[0-9]+")
INT64_MAX = 2**63 - 1
MAX_QUERY_FIELDS = 100  # fault query-max-fields-500: parse_qs(max_num_fields=...)
CURSOR_PAGE_DEFAULT_LIMIT = 20  # only the "default-limit-on-cursor-pages" fault: the paginator's own constant
FILTERED_DEFAULT_LIMIT = 25  # only the "default-limit-with-filter" fault: the filtered query's own constant
# The limit read with a lenient number parser instead of checked as plain digits (faults limit-python-int,
# limit-javascript-number, limit-go-base-prefix): the value is then bounds-checked as usual.
_LENIENT_LIMIT_PARSERS = {"limit-python-int": python_int, "limit-javascript-number": javascript_number_is_integer,
                          "limit-go-base-prefix": go_parse_int_base_0}
NUMBER_FAULTS_ON = frozenset(fault.name for fault in number_faults.FAULTS)  # the limit read into a fixed-width integer
# The limit_parser personality: a framework's reading, then the bounds as usual (numbers.py).
_PERSONALITY_LIMIT_PARSERS = {"javascript-number": ajv_integer, "parse-int": parse_int_10}


class QueryReader:
    """The query parameters' validation middleware (and the continuation handler's, on cursor pages)."""

    def __init__(self, faults: frozenset[str], variants: Variants, cursors: Cursors, errors: Errors):
        self.faults, self.variants, self.cursors, self.errors = faults, variants, cursors, errors
        self.max_limit = variants.max_limit
        self.query_memo = BoundedMemo()  # fault validated-query-memo-by-cursor: cursor -> validated query

    def read(self, query: str) -> Query:
        """The query string as a Query; ApiError (400, or the variant's status) for a value the contract refuses."""
        # Fault query-max-fields-500: the parser is hardened with max_num_fields, whose ValueError ("Max number of
        # fields exceeded") reaches the generic error handler instead of becoming a 400.
        hardening = {"max_num_fields": MAX_QUERY_FIELDS} if "query-max-fields-500" in self.faults else {}
        values = parse_qs(query, keep_blank_values=True, **hardening)
        for key in list(values):
            bracketed = _BRACKET_KEY.fullmatch(key)
            if bracketed and _BRACKET_FAULTS.get(bracketed.group(1)) in self.faults:
                values.setdefault(bracketed.group(1), []).extend(values.pop(key))
        continued = bool(values.get("cursor"))  # a cursor page; the faults below live in its code path
        memo_key = values["cursor"][0] if continued else None
        if continued and "validated-query-memo-by-cursor" in self.faults:
            # Validated queries memoised by cursor ("hot" cursors are re-requested by polling clients): a cursor
            # seen before brings back the query it first came with, whatever is sent with it now.
            remembered = self.query_memo.get(memo_key)
            if remembered is not None:
                return remembered
        if continued and "cursor-page-repeated-params" in self.faults:
            # The continuation handler reads its single values with a first-value getter (request.args.get).
            values = {key: given[:1] if key in ("limit", "cursor") else given for key, given in values.items()}
        if continued and "cursor-carries-query" in self.faults:
            # The cursor carries the first page's limit and filter (a page token holding the request, as AIP-158
            # describes), and the handler takes them from it without reading what was sent.
            position = self.cursors.read(values["cursor"])
            if position is not None and position.query is not None:
                return Query(position.query[0], position.query[1], position)
        if continued and "cursor-page-limit-unchecked" in self.faults:
            limit = self._continuation_limit(values.get("limit", []))
        else:
            limit = self._limit(values.get("limit", []))
        statuses = self._statuses(values.get("status", []), continued)
        position = self.cursors.read(values.get("cursor", []))
        if position is not None and self.variants.cursor_binding == "filter" \
                and position.statuses != filter_key(statuses):
            raise self.errors.invalid("pagination.cursor_invalid", "cursor was issued for another status filter",
                                      {"parameter": "cursor"})
        if limit is None:
            limit = self._default_limit(statuses, position)
        if position is not None and "filter-first-page-only" in self.faults:
            statuses = ()
        if position is not None and "limit-first-page-only" in self.faults:
            limit = self._default_limit()
        parsed = Query(limit, statuses, position)
        if continued and "validated-query-memo-by-cursor" in self.faults:
            self.query_memo.put(memo_key, parsed)
        return parsed

    def _continuation_limit(self, values: list[str]) -> int | None:
        """The limit as the cursor-page code path reads it under fault cursor-page-limit-unchecked: Python's
        int() straight into LIMIT, no bounds (SQLite reads a negative LIMIT as no limit at all)."""
        if not values:
            return None
        try:
            return int(values[-1])
        except ValueError:
            raise self.errors.invalid("request.invalid", f"limit must be an integer from 1 to {self.max_limit}",
                                      {"parameter": "limit"}) from None

    def _default_limit(self, statuses: tuple[str, ...] = (), position=None) -> int:
        if position is not None and "default-limit-on-cursor-pages" in self.faults:
            return CURSOR_PAGE_DEFAULT_LIMIT
        if statuses and "default-limit-with-filter" in self.faults:
            return FILTERED_DEFAULT_LIMIT
        return 20 if "default-limit-20" in self.faults else self.variants.default_limit

    def _limit(self, values: list[str]) -> int | None:
        """The limit sent, or None when none was (the default depends on the rest of the query)."""
        if not values:
            return None
        if len(values) > 1 and "limit-repeated-last-wins" not in self.faults:
            raise self.errors.invalid("request.invalid", "limit must be given at most once", {"parameter": "limit"})
        raw = values[-1]
        if "limit-float-truncated" in self.faults and _DECIMAL.fullmatch(raw):
            raw = raw.split(".")[0]
        problem = f"limit must be an integer from 1 to {self.max_limit}"
        lenient = _LENIENT_LIMIT_PARSERS.keys() & self.faults
        parser = (_LENIENT_LIMIT_PARSERS[min(lenient)] if lenient
                  else _PERSONALITY_LIMIT_PARSERS.get(self.variants.limit_parser))
        if parser:
            try:
                raw = str(parser(raw))
            except ValueError:
                raise self.errors.invalid("request.invalid", problem, {"parameter": "limit"}) from None
        if not _DIGITS.fullmatch(raw):
            raise self.errors.invalid("request.invalid", problem, {"parameter": "limit"})
        digits = raw.lstrip("0") or "0"
        if len(digits) > 19 and "limit-huge-500" in self.faults:
            raise OverflowError("Python int too large to convert to SQLite INTEGER")
        value = int(digits) if len(digits) <= 19 else INT64_MAX + 1
        if NUMBER_FAULTS_ON & self.faults:
            value = number_faults.machine_read(int(digits), self.faults)
        if value == 0 and "limit-zero-means-default" in self.faults:
            return self._default_limit()
        if value > self.max_limit and ("limit-clamped" in self.faults or self.variants.above_max == "clamp"):
            return self.max_limit
        if not 1 <= value <= self.max_limit:
            raise self.errors.invalid("request.invalid", problem, {"parameter": "limit", "maximum": self.max_limit})
        return value

    def _statuses(self, values: list[str], continued: bool = False) -> tuple[str, ...]:
        if continued and "cursor-page-status-normalised" in self.faults:
            # Cursor pages compare the sent filter with the cursor's stored one after normalising both the way
            # the stored one was: split on commas, stripped, lower-cased.
            values = [part.strip().lower() for value in values for part in value.split(",")]
        if continued and "cursor-page-drops-unknown-status" in self.faults:
            values = [v for v in values if v in STATUSES]  # the cursor path filters through the enum instead
        if "status-array-first-only" in self.faults:
            values = values[:1]
        if "status-case-insensitive" in self.faults:
            values = [v.lower() for v in values]
        if "status-empty-ignored" in self.faults:
            values = [v for v in values if v != ""]
        if "status-comma-split" in self.faults:
            values = [part for value in values for part in value.split(",")]
        if "status-whitespace-stripped" in self.faults:
            values = [value.strip() for value in values]
        if "status-unknown-ignored" in self.faults:
            values = [v for v in values if v in STATUSES]
        bad = [v for v in values if v not in STATUSES]
        if bad:
            raise self.errors.invalid("status.invalid", f"status must be one of {', '.join(STATUSES)}",
                                      {"parameter": "status", "allowed": list(STATUSES), "received": short(bad[0])})
        return tuple(values)
