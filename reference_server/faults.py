"""The fault catalogue: realistic bugs the reference server can be switched into.

Each fault is checked (``"name" in faults``) at the one place in the server where
that bug would live in a real implementation.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Fault:
    name: str
    area: str
    description: str


_CATALOGUE = [
    # schema
    ("created-at-epoch", "schema", "createdAt is sent as epoch milliseconds (a number)"),
    ("timestamp-without-offset", "schema", "createdAt/startedAt/finishedAt are sent without the Z/offset"),
    ("run-id-not-uuid", "schema", "run ids are sent as run_<24 hex> instead of UUIDs"),
    ("status-uppercase", "schema", "run status is sent upper-case (ACTIVE)"),
    ("next-cursor-omitted", "schema", "the last page omits the nextCursor key instead of sending null"),
    ("data-null-when-empty", "schema", "an empty page sends \"data\": null"),
    # invariants
    ("started-before-created", "invariants", "startedAt is one minute before createdAt"),
    ("active-with-finished-at", "invariants", "active runs carry a finishedAt"),
    ("terminal-without-finished-at", "invariants", "stopped/failed runs have finishedAt null"),
    ("finished-before-started", "invariants", "finishedAt is one hour earlier than startedAt (a time-zone bug)"),
    # pagination
    ("duplicate-at-page-boundary", "pagination", "inclusive cursor comparison: each next page repeats the previous page's last run"),
    ("skip-at-page-boundary", "pagination", "each next page skips the first run it should return (off by one)"),
    ("cursor-loops", "pagination", "the cursor handed out on the third page points back to the start (a walk never ends)"),
    ("cursor-on-last-page", "pagination", "the last page still returns a nextCursor, which leads to an empty page"),
    ("tie-break-ascending", "pagination", "runs sharing a createdAt are ordered by id ascending"),
    ("cursor-ignores-tie", "pagination", "the cursor keys on createdAt only, skipping runs that share the last run's createdAt"),
    ("order-ascending", "pagination", "pages are ordered oldest first"),
    ("filter-first-page-only", "pagination", "the status filter is ignored when a cursor is given"),
    ("limit-first-page-only", "pagination", "the limit is ignored (default used) when a cursor is given"),
    ("cursor-not-validated", "pagination", "a malformed cursor is treated as 'start from the beginning' (200)"),
    ("cursor-tamper-accepted", "pagination", "the cursor's HMAC tag is not checked (an altered cursor is accepted)"),
    # limit
    ("limit-plus-one", "limit", "pages hold limit+1 runs"),
    ("default-limit-20", "limit", "the default page size is 20 instead of 50"),
    ("limit-clamped", "limit", "a limit above the maximum is clamped to the maximum instead of 400"),
    ("limit-zero-means-default", "limit", "limit=0 returns a default-size page instead of 400"),
    ("limit-float-truncated", "limit", "limit=1.5 is accepted as 1 instead of 400"),
    ("limit-repeated-last-wins", "limit", "two limit keys: the last one is used instead of 400"),
    ("limit-huge-500", "limit", "a limit beyond 64-bit integers crashes the handler (500 server.error)"),
    # filters
    ("status-array-first-only", "filters", "only the first of repeated status values is applied"),
    ("status-case-insensitive", "filters", "status=ACTIVE is accepted as active instead of 400"),
    ("status-unknown-ignored", "filters", "an unknown status value is ignored (unfiltered result, 200)"),
    ("status-empty-ignored", "filters", "status= is treated as no filter instead of 400"),
    ("status-stopped-includes-failed", "filters", "filtering by stopped also returns failed runs"),
    ("status-repeat-duplicates", "filters", "a repeated identical status value returns each run twice (UNION ALL bug)"),
    # auth
    ("auth-any-scheme", "auth", "any scheme word is accepted (Token <key>, Basic <key>)"),
    ("auth-bearer-case-sensitive", "auth", "lower-case 'bearer' is rejected with 401"),
    ("auth-key-prefix", "auth", "a key with extra trailing characters is accepted (prefix match)"),
    ("auth-key-without-scheme", "auth", "the bare key (no scheme word) is accepted"),
    ("validate-before-auth", "auth", "query validation runs before authentication (no key + limit=0 gives 400)"),
    ("tenant-leak", "auth", "another tenant's runtime is served (200, its runs)"),
    ("other-tenant-403", "auth", "another tenant's runtime answers 403 auth.forbidden instead of 404"),
    ("unknown-runtime-empty", "auth", "an unknown runtime answers 200 with an empty page instead of 404"),
    # errors
    ("error-stack-trace", "errors", "400 bodies include a Python traceback with file paths in details.trace"),
    ("error-plain-text", "errors", "404 answers text/plain 'Not Found'"),
    ("invalid-query-422", "errors", "invalid query values answer 422 instead of 400"),
    ("error-echoes-key", "errors", "401 bodies echo the presented Authorization header value"),
    ("error-missing-code", "errors", "error bodies carry only {\"message\": ...} (no code, no envelope)"),
    # content-type
    ("content-type-text-html", "content-type", "200 pages are served with Content-Type: text/html"),
    # methods
    ("post-served-as-get", "methods", "POST is served like GET (200) instead of 405"),
    ("405-without-allow", "methods", "405 answers lack the Allow header"),
]

FAULTS: dict[str, Fault] = {name: Fault(name, area, desc) for name, area, desc in _CATALOGUE}


def check_fault_names(names) -> frozenset[str]:
    """Return the names as a frozenset; raise ValueError naming any unknown one."""
    names = frozenset(names)
    unknown = sorted(names - FAULTS.keys())
    if unknown:
        raise ValueError(f"unknown fault(s): {', '.join(unknown)}")
    return names
