"""The fault catalogue: realistic bugs the reference server can be switched into.

Each fault is checked (``"name" in faults``) at the one place in the server where
that bug would live in a real implementation.
"""
from __future__ import annotations

from .fault import Fault
from .front_end import FRONT_END_FAULTS
from .number_faults import NUMBER_FAULTS
from .wire_faults import WIRE_FAULTS


_CATALOGUE = [
    # schema
    ("created-at-epoch", "schema", "createdAt is sent as epoch milliseconds (a number)", ("run.schema",)),
    ("timestamp-without-offset", "schema", "createdAt/startedAt/finishedAt are sent without the Z/offset", ("run.schema",)),
    ("run-id-not-uuid", "schema", "run ids are sent as run_<24 hex> instead of UUIDs", ("run.schema",)),
    ("status-uppercase", "schema", "run status is sent upper-case (ACTIVE)", ("run.schema",)),
    ("next-cursor-omitted", "schema", "the last page omits the nextCursor key instead of sending null", ("page.schema",)),
    ("data-null-when-empty", "schema", "an empty page sends \"data\": null", ("page.empty-runtime",)),
    # invariants
    ("started-before-created", "invariants", "startedAt is one minute before createdAt", ("run.lifecycle",)),
    ("active-with-finished-at", "invariants", "active runs carry a finishedAt", ("run.lifecycle",)),
    ("terminal-without-finished-at", "invariants", "stopped/failed runs have finishedAt null", ("run.lifecycle",)),
    ("finished-before-started", "invariants", "finishedAt is one hour earlier than startedAt (a time-zone bug)", ("run.lifecycle",)),
    # pagination
    ("duplicate-at-page-boundary", "pagination", "inclusive cursor comparison: each next page repeats the previous page's last run", ("cursor.walk",)),
    ("skip-at-page-boundary", "pagination", "each next page skips the first run it should return (off by one)", ("cursor.walk",)),
    ("cursor-loops", "pagination", "the cursor handed out on the third page points back to the start (a walk never ends)", ("cursor.walk",)),
    ("cursor-on-last-page", "pagination", "the last page still returns a nextCursor, which leads to an empty page", ("cursor.walk",)),
    ("tie-break-ascending", "pagination", "runs sharing a createdAt are ordered by id ascending", ("cursor.order",)),
    ("cursor-ignores-tie", "pagination", "the cursor keys on createdAt only, skipping runs that share the last run's createdAt", ("cursor.walk",)),
    ("order-ascending", "pagination", "pages are ordered oldest first", ("cursor.order",)),
    ("filter-first-page-only", "pagination", "the status filter is ignored when a cursor is given", ("cursor.keeps-query",)),
    ("limit-first-page-only", "pagination", "the limit is ignored (default used) when a cursor is given", ("cursor.keeps-query",)),
    ("cursor-not-validated", "pagination", "a malformed cursor is treated as 'start from the beginning' (200)", ("cursor.opaque",)),
    ("cursor-tamper-accepted", "pagination", "the cursor's HMAC tag is not checked (an altered cursor is accepted)", ("cursor.opaque",)),
    # limit
    ("limit-plus-one", "limit", "pages hold limit+1 runs", ("limit.bounds",)),
    ("default-limit-20", "limit", "the default page size is 20 instead of 50", ("limit.default",)),
    ("limit-clamped", "limit", "a limit above the maximum is clamped to the maximum instead of 400", ("limit.refusal",)),
    ("limit-zero-means-default", "limit", "limit=0 returns a default-size page instead of 400", ("limit.refusal",)),
    ("limit-float-truncated", "limit", "limit=1.5 is accepted as 1 instead of 400", ("limit.refusal",)),
    ("limit-repeated-last-wins", "limit", "two limit keys: the last one is used instead of 400", ("limit.refusal",)),
    ("limit-huge-500", "limit", "a limit beyond 64-bit integers crashes the handler (500 server.error)", ("server.no-5xx",)),
    # filters
    ("status-array-first-only", "filters", "only the first of repeated status values is applied", ("status.union",)),
    ("status-case-insensitive", "filters", "status=ACTIVE is accepted as active instead of 400", ("status.refusal",)),
    ("status-unknown-ignored", "filters", "an unknown status value is ignored (unfiltered result, 200)", ("status.refusal",)),
    ("status-empty-ignored", "filters", "status= is treated as no filter instead of 400", ("status.refusal",)),
    ("status-stopped-includes-failed", "filters", "filtering by stopped also returns failed runs", ("status.single",)),
    ("status-repeat-duplicates", "filters", "a repeated identical status value returns each run twice (UNION ALL bug)", ("status.union",)),
    # auth
    ("auth-any-scheme", "auth", "any scheme word is accepted (Token <key>, Basic <key>)", ("auth.bearer",)),
    ("auth-bearer-case-sensitive", "auth", "lower-case 'bearer' is rejected with 401", ("auth.scheme-case",)),
    ("auth-key-prefix", "auth", "a key with extra trailing characters is accepted (prefix match)", ("auth.bearer",)),
    ("auth-key-without-scheme", "auth", "the bare key (no scheme word) is accepted", ("auth.bearer",)),
    ("validate-before-auth", "auth", "query validation runs before authentication (no key + limit=0 gives 400)", ("auth.before-validation",)),
    ("tenant-leak", "auth", "another tenant's runtime is served (200, its runs)", ("tenant.isolation",)),
    ("other-tenant-403", "auth", "another tenant's runtime answers 403 auth.forbidden instead of 404", ("tenant.isolation",)),
    ("unknown-runtime-empty", "auth", "an unknown runtime answers 200 with an empty page instead of 404", ("runtime.unknown",)),
    # errors
    ("error-stack-trace", "errors", "400 bodies include a Python traceback with file paths in details.trace", ("errors.hygiene",)),
    ("error-plain-text", "errors", "404 answers text/plain 'Not Found'", ("errors.envelope",)),
    ("invalid-query-422", "errors", "invalid query values answer 422 instead of 400", ("errors.envelope",)),
    ("error-echoes-key", "errors", "401 bodies echo the presented Authorization header value", ("errors.hygiene",)),
    ("error-missing-code", "errors", "error bodies carry only {\"message\": ...} (no code, no envelope)", ("errors.envelope",)),
    # content-type
    ("content-type-text-html", "content-type", "200 pages are served with Content-Type: text/html", ("page.schema",)),
    # methods
    ("post-served-as-get", "methods", "POST is served like GET (200) instead of 405", ("http.methods",)),
    ("405-without-allow", "methods", "405 answers lack the Allow header", ("http.methods",)),
]

# Blind spots (issue 8): faults written for one class each, as Fault(...) with blind_spot and needs set.
_BLIND_SPOTS: list[Fault] = [
    # 1. inputs the suite never varied (the path and its spellings)
    Fault("tenant-check-raw-path", "auth",
          "the tenant check is route middleware that reads the runtime id from the raw path and lets through a path "
          "it finds no id in, while the router percent-decodes the id for the lookup: another tenant's runtime "
          "with an escaped character (%39 for 9) is served, its runs and all",
          rules=("tenant.isolation",), blind_spot=1),
    Fault("trailing-slash-legacy-route", "auth",
          "a legacy route for .../runs/ (trailing slash) kept for old clients was registered without the tenant "
          "middleware: another tenant's runtime is served there (authenticated, but any tenant's)",
          rules=("tenant.isolation", "runtime.spelling"), blind_spot=1),
    Fault("runtime-id-non-bmp-500", "path",
          "the runtimes table is MySQL utf8 (utf8mb3): a runtime id with a character beyond the BMP (an emoji) from a "
          "utf8mb4 connection raises 'Illegal mix of collations', answered 500",
          rules=("server.no-5xx", "runtime.spelling"), blind_spot=1),
    Fault("runtime-id-cache-key-500", "path",
          "the runtime lookup is cached in memcached under a key built from the path parameter, unvalidated: an id "
          "over 250 bytes or holding whitespace or a control character makes the client raise, answered 500",
          rules=("server.no-5xx",), blind_spot=1),
    # 2. strict grammar (limit and status spellings)
    Fault("limit-python-int", "limit",
          "limit is read with Python's int() (try/except ValueError) instead of checked as digits: '+5', ' 5', "
          "'5_0' and other scripts' digits ('５', '٥') are accepted",
          rules=("limit.grammar",), blind_spot=2),
    Fault("limit-javascript-number", "limit",
          "limit is read as JavaScript's Number() and checked with Number.isInteger: '5.0', '5e0', '0x5' and "
          "' 5 ' are accepted as 5",
          rules=("limit.grammar",), blind_spot=2),
    Fault("limit-go-base-prefix", "limit",
          "limit is read with Go's strconv.ParseInt(s, 0, 64) (base from the prefix): '010' is octal 8, '0x5' is 5, "
          "'1_0' is 10, '+5' is 5",
          rules=("limit.grammar",), blind_spot=2),
    Fault("limit-array-coerced", "limit",
          "the query parser (qs) reads limit[]=5 as the array ['5'], which Number() turns into 5: the bracketed "
          "key sets the page size",
          rules=("limit.grammar",), blind_spot=2),
    Fault("status-comma-split", "filters",
          "status values are split on commas (a framework's list parsing): status=active,failed filters on both "
          "instead of 400",
          rules=("status.grammar", "status.refusal"), blind_spot=2),
    Fault("status-whitespace-stripped", "filters",
          "status values are stripped of surrounding whitespace before the check: status=' active' is accepted",
          rules=("status.grammar", "status.refusal"), blind_spot=2),
    Fault("status-bracket-array", "filters",
          "Rails/PHP-style array keys: status[]=failed is read as the status filter instead of an unknown parameter",
          rules=("status.grammar",), blind_spot=2),
    # 3. invariants across the whole run (the ledger)
    Fault("filtered-listing-local-time", "invariants",
          "filtered listings come from a search index whose indexer ran with TZ=Europe/Paris and stored naive "
          "local times, sent with a Z: a run's createdAt, startedAt and finishedAt are an hour later in filtered "
          "listings than in unfiltered ones (each listing is consistent on its own)", ("run.immutable",),
          blind_spot=3),
    Fault("stale-status-cache", "invariants",
          "one app instance in four reads status and finishedAt from a cache it filled when it started and never "
          "invalidates: a run seen ended is later seen active again, finishedAt null", ("run.immutable",),
          blind_spot=3, needs=("churn",)),
    Fault("finished-at-from-updated-at", "invariants",
          "finishedAt is rendered from the row's updated_at, which the log archiver touches again when it archives "
          "the run's logs a moment after it ended: a run's finishedAt moves once set", ("run.immutable",),
          blind_spot=3, needs=("churn",)),
    Fault("page-cache-ignores-runtime", "invariants",
          "an app-level page cache (60 s) keyed by tenant and query string, not the path: a runtime answers another "
          "runtime's cached page for the same query, so a run is listed under two runtimes",
          ("run.one-runtime", "page.empty-runtime"), blind_spot=3),
    # 4. cursor scope
    Fault("cursor-runtime-from-cursor", "pagination",
          "the page lists the runtime the cursor was handed out for (the cursor carries it), not the path's: "
          "another runtime of the key given this cursor lists the first runtime's runs",
          rules=("cursor.scope",), blind_spot=4),
    Fault("cursor-skips-access-checks", "auth",
          "a request with a cursor skips the runtime visibility and cursor-runtime checks ('a cursor proves the "
          "client passed them on the first page'): another tenant's runtime with a cursor answers 200 with its runs",
          rules=("tenant.isolation", "cursor.scope"), blind_spot=4),
    Fault("cursor-page-drops-runtime-filter", "pagination",
          "the keyset query of cursor pages is built from the cursor's position alone, without runtime_id = ?: from "
          "page 2 on, runs of every runtime older than the position are listed",
          rules=("cursor.scope", "run.one-runtime"), blind_spot=4),
    # 5. boundaries
    Fault("more-when-page-full", "pagination",
          "nextCursor is decided by 'the page is full' instead of a look-ahead run: a last page exactly full hands "
          "out a cursor to an empty page",
          rules=("cursor.no-empty-page",), blind_spot=5),
    Fault("more-counts-cursor-row", "pagination",
          "cursor pages use an inclusive keyset that re-reads the cursor's own run and drop it after counting it: "
          "when the runs left exactly fill a page, it hands out a cursor to an empty page",
          rules=("cursor.no-empty-page",), blind_spot=5),
    Fault("filtered-more-from-unfiltered", "pagination",
          "a filtered page's look-ahead ignores the filter: its last page hands out a cursor to an empty page "
          "whenever older runs of other statuses exist",
          rules=("cursor.no-empty-page",), blind_spot=5),
    Fault("default-limit-on-cursor-pages", "limit",
          "without a limit, cursor pages use the paginator's own default (20), not the contract's (a second "
          "constant in the cursor code path)",
          rules=("limit.default",), blind_spot=5),
    Fault("default-limit-with-filter", "limit",
          "without a limit, a filtered request uses the filtered query's own default page size (25)",
          rules=("limit.default",), blind_spot=5),
    # 6. HTTP semantics (429 Retry-After, shared caches)
    Fault("rate-limit-without-retry-after", "http",
          "the gateway's rate limiter (25 requests per key and second, nginx limit_req-style) answers 429 without "
          "Retry-After; polite clients retry with backoff and no test sees the 429", ("http.retry-after",),
          blind_spot=6),
    Fault("cache-control-public", "http",
          "a response middleware meant for the public docs adds the CDN default `Cache-Control: public, max-age=60` "
          "to every 200: a shared cache may serve one key's runs to another", ("http.shared-cache",), blind_spot=6),
    Fault("error-answers-s-maxage", "http",
          "the edge caches 4xx answers for 5 minutes to absorb scanners (`Cache-Control: s-maxage=300`), answers to "
          "requests with Authorization included", ("http.shared-cache",), blind_spot=6),
    # 7. bugs only live data shows (needs=("churn",))
    Fault("offset-cursor", "pagination",
          "the cursor encodes an OFFSET into the list: runs that start at the head during a walk shift the pages, "
          "and the walk sees a run twice", ("cursor.walk",), blind_spot=7, needs=("churn",)),
    Fault("created-at-on-update", "invariants",
          "created_at was declared `ON UPDATE CURRENT_TIMESTAMP` (MySQL; meant for updated_at): the end of a run "
          "rewrites its createdAt to the end time", ("run.immutable", "run.lifecycle"), blind_spot=7,
          needs=("churn",)),
    Fault("started-at-reset-on-end", "invariants",
          "the end-of-run UPDATE is shared with the resume path and also sets started_at: a run's startedAt jumps to "
          "its finishedAt when it ends", ("run.immutable",), blind_spot=7, needs=("churn",)),
    # 8. rules that had no proving fault
    # 9. what the smoke profile missed
]

# Issue 16: realistic bugs nobody catalogued yet, by class (issue=16), each where it would live in a real service.
_ISSUE_16: list[Fault] = [
    # 1. credentials, every way presented, and everywhere they could surface
    Fault("auth-query-access-token", "auth",
          "the credential middleware is shared with the streaming endpoint, whose EventSource clients cannot send "
          "headers: without an Authorization header it takes the key from the query (access_token, as RFC 6750 "
          "§2.3 allows, or the older SDKs' api_key, apiKey, token, key), so a key in the URL authenticates",
          rules=("auth.bearer", "auth.channels"), issue=16),
    Fault("auth-cookie-key", "auth",
          "the web console's cookie middleware is mounted app-wide: without an Authorization header it scans the "
          "cookies for a value that looks like a key (bctrl_sk_..., the console renamed its cookie twice), so a "
          "key in any cookie authenticates",
          rules=("auth.bearer", "auth.channels"), issue=16),
    Fault("auth-basic-user-is-key", "auth",
          "the auth middleware was copied from a Stripe-compatible gateway that supports `curl -u KEY:`: Basic "
          "credentials are base64-decoded and the user name (or the password when the user is empty) is taken as "
          "the key, so Basic auth with the key authenticates",
          rules=("auth.bearer", "auth.channels"), issue=16),
    Fault("auth-any-of-repeated-headers", "auth",
          "support for key rotation: when the Authorization header is repeated, the middleware tries each value "
          "and the first valid one wins, so two Authorization headers (a wrong one and the key) authenticate "
          "instead of being refused",
          rules=("auth.bearer", "auth.channels"), issue=16),
    Fault("auth-key-like-prefix", "auth",
          "the key lookup reuses the admin console's key search, `WHERE api_key LIKE ? || '%'`: any prefix of a "
          "key authenticates as its tenant (and LIKE reads `_` as any character and ignores ASCII case)",
          rules=("auth.bearer", "auth.channels"), issue=16),
    Fault("auth-key-nocase-collation", "auth",
          "the api_key column was created with the database's default case-insensitive collation (MySQL's "
          "utf8mb4_general_ci): the key in other case (all upper-case, say) authenticates",
          rules=("auth.bearer", "auth.channels"), issue=16),
    Fault("auth-key-percent-decoded", "auth",
          "the Authorization value goes through the same helper that decodes query values (urllib's unquote) "
          "before the lookup: the key percent-encoded (bctrl%5Fsk%5F...) authenticates",
          rules=("auth.bearer", "auth.channels"), issue=16),
    Fault("auth-key-whitespace-removed", "auth",
          "a support ticket about keys pasted from e-mails with line breaks led to stripping every whitespace "
          "character from the presented key: the key with spaces inside it authenticates",
          rules=("auth.bearer", "auth.channels"), issue=16),
    Fault("auth-key-environment-ignored", "auth",
          "keys are indexed by their random part (the hex after the last underscore), the bctrl_sk_test_ prefix "
          "being taken for decoration the dashboard adds: whatever prefix is sent is dropped before the lookup, so "
          "the key with its start changed (bctrl_sk_live_<hex>, xbctrl_sk_test_<hex>) or cut (<hex>) authenticates",
          rules=("auth.bearer", "auth.channels"), issue=16),
    Fault("session-cookie-echoes-key", "auth",
          "the web console's session middleware, mounted app-wide, 'remembers' the key every authenticated "
          "request used: each 200 page carries Set-Cookie: bctrl_session=<the key>",
          rules=("errors.hygiene", "auth.never-echoed"), issue=16),
    Fault("validation-error-dumps-headers", "errors",
          "the validation error handler attaches the request to 400 bodies for support tickets "
          "(details.request: method, path, query and every header): the Authorization header, key and all, is "
          "in the body of every refused query",
          rules=("errors.hygiene",), issue=16),
    # 2. every method HTTP gives a GET resource, and conditional requests
    Fault("head-health-check-200", "methods",
          "a load-balancer rule at the edge (`if ($request_method = HEAD) { return 200; }`) answers HEAD itself so "
          "that health checks never reach the app: every HEAD is 200, without a key, for any runtime or query",
          rules=("http.methods", "auth.bearer", "http.head"), issue=16),
    Fault("head-skips-validation", "methods",
          "the framework's HEAD adapter turns HEAD into an internal GET of the path, dropping the query string: a "
          "HEAD with an invalid limit or status is 200 where the GET is 400 (and its headers are the default "
          "page's)",
          rules=("http.methods", "http.head"), issue=16),
    Fault("head-500", "methods",
          "HEAD takes a shortcut that skips rendering the page and returns no body (None), and the response-size "
          "metric middleware calls len() on it: every authenticated HEAD of a page is a 500",
          rules=("http.methods", "server.no-5xx", "http.head"), issue=16),
    Fault("trace-echoes-request", "methods",
          "TRACE is left on at the front end (Apache's TraceEnable defaults to on): TRACE on the runs path is "
          "answered 200 message/http with the request echoed, Authorization header and key included",
          rules=("http.methods", "errors.hygiene"), issue=16),
    Fault("options-serves-listing", "methods",
          "the route was registered for GET, HEAD and OPTIONS so that CORS preflights reach it, and the handler "
          "never looks at the method: OPTIONS with a key is answered 200 with the runs",
          rules=("http.methods",), issue=16),
    Fault("options-preflight-500", "methods",
          "the CORS middleware takes every OPTIONS for a preflight and reads Access-Control-Request-Method without "
          "a default: a plain OPTIONS (no preflight headers) raises, answered 500",
          rules=("http.methods", "server.no-5xx"), issue=16),
    Fault("etag-304-before-auth", "http",
          "a conditional-GET middleware remembers the ETag last served for each URL and answers a matching "
          "If-None-Match with 304 itself, and it was mounted before authentication: a request without a key (or "
          "with a wrong one) that sends a page's ETag gets 304 (ETags switched on)",
          rules=("auth.bearer", "http.conditional"), issue=16),
    Fault("etag-304-any-tenant", "http",
          "the same ETag-by-URL middleware, mounted after authentication but before the runtime check: another "
          "tenant's key sending a page's ETag for this runtime gets 304 instead of 404, confirming the runtime and "
          "its page (ETags switched on)",
          rules=("tenant.isolation", "http.conditional", "tenant.other-key"), issue=16),
    Fault("etag-runtime-version", "http",
          "the ETag is the runtime's version (bumped on every write to its runs), not the page's: every page and "
          "query of the runtime shares it, so the ETag of one page gets a 304 for another limit, filter or cursor "
          "(ETags switched on)",
          rules=("http.methods", "http.conditional"), issue=16),
    Fault("etag-from-page-ids", "http",
          "a cheap ETag from the page's run ids and its cursor, not its content: when a run on the page ends, the "
          "page changes but its ETag does not, and If-None-Match gets a 304 for a stale page (ETags switched on)",
          rules=("http.methods", "http.conditional"), issue=16, needs=("churn",)),
    Fault("last-modified-newest-created", "http",
          "Last-Modified is MAX(created_at) of the page's runs, and If-Modified-Since is compared with it: when a "
          "run on the page ends, createdAt does not move and the changed page is answered 304 (ETags and "
          "Last-Modified switched on)",
          rules=("http.methods", "http.conditional"), issue=16, needs=("churn",)),
    # 3. every rule on every page (cursor pages too)
    Fault("cursor-page-limit-unchecked", "limit",
          "cursor pages take a second code path (the continuation handler) that reads limit with Python's int() "
          "and puts it straight into LIMIT: with a cursor, limit=0, 500, -1 or '+5' is served instead of refused "
          "(SQLite reads a negative LIMIT as no limit)",
          rules=("limit.refusal", "limit.grammar", "query.every-page"), issue=16),
    Fault("cursor-carries-query", "pagination",
          "the cursor carries the first page's limit and filter (a page token that holds the request), and cursor "
          "pages take them from it without reading what was sent: with a cursor an invalid limit or status is "
          "never refused, and another valid limit or filter is ignored",
          rules=("limit.refusal", "status.refusal", "cursor.keeps-query", "query.every-page"), issue=16),
    Fault("cursor-page-repeated-params", "limit",
          "the continuation handler reads its single-valued parameters with a first-value getter "
          "(request.args.get): with a cursor, a repeated limit (limit=5&limit=6) is served with the first value "
          "instead of refused",
          rules=("limit.refusal", "query.every-page"), issue=16),
    Fault("cursor-page-drops-unknown-status", "filters",
          "cursor pages pass the status values through the enum (dropping what is not in it) instead of "
          "validating them: with a cursor, status=zzz or a misspelt value beside a valid one is silently dropped, "
          "200",
          rules=("status.refusal", "query.every-page"), issue=16),
    Fault("cursor-page-status-normalised", "filters",
          "cursor pages compare the sent filter with the one stored for the walk after normalising it the way the "
          "stored one was (split on commas, stripped, lower-cased): with a cursor, status=ACTIVE, ' active' or "
          "active,failed is accepted",
          rules=("status.grammar", "status.refusal", "query.every-page"), issue=16),
    Fault("validated-query-memo-by-cursor", "pagination",
          "validated queries are memoised by cursor (polling clients re-request the same cursor): a cursor sent "
          "again brings back the query it first came with, so an invalid limit or status sent with it later is "
          "never checked, and a changed one never applied",
          rules=("limit.refusal", "status.refusal", "cursor.keeps-query", "query.every-page"), issue=16),
    # 4. every size
    Fault("status-compound-select-500", "filters",
          "the status filter is built as a compound SELECT with one term per value sent (not per distinct value): "
          "more than 500 status values exceed SQLite's SQLITE_MAX_COMPOUND_SELECT ('too many terms in compound "
          "SELECT'), answered 500",
          rules=("server.no-5xx", "server.sizes"), issue=16),
    Fault("query-max-fields-500", "limit",
          "the query parser was hardened with parse_qs(max_num_fields=100), whose ValueError ('Max number of "
          "fields exceeded') reaches the generic error handler instead of becoming a 400: a query with more than "
          "100 parameters (a hundred status values, say) is a 500",
          rules=("server.no-5xx", "server.sizes"), issue=16),
    Fault("cursor-buffer-overflow-500", "pagination",
          "cursor parts are base64-decoded into pooled 512-byte buffers before the length check, and a part that "
          "does not fit raises a ValueError the cursor code does not turn into a refusal: a cursor longer than "
          "about 700 characters (any long base64-looking string) is a 500 instead of a 400",
          rules=("server.no-5xx", "server.sizes"), issue=16),
    Fault("cursor-regex-backtracking-500", "pagination",
          "the cursor's shape is checked first with ^(?:[A-Za-z0-9_-]+)*\\.(?:[A-Za-z0-9_-]+)*$ on a backtracking "
          "engine with PCRE's default limit of 1,000,000 steps: a cursor with a run of 20 or more word characters "
          "not followed by the rest of the shape (a long cursor without a dot, or with two) exhausts the limit in "
          "about half a second, and the engine's error is answered 500",
          rules=("server.no-5xx",), issue=16),
    Fault("audit-log-varchar-500", "errors",
          "the audit middleware writes every request target into audit_log.target VARCHAR(2048) inside the "
          "request's transaction, with MySQL's strict mode on: a target over 2048 characters (a long query "
          "string, cursor or runtime id) is 'Data too long for column', answered 500",
          rules=("server.no-5xx", "server.sizes"), issue=16),
    Fault("auth-bcrypt-72-500", "auth",
          "keys are stored as bcrypt hashes and every presented Bearer key is checked with bcrypt.checkpw (against "
          "a dummy hash when none matches, for constant time), which refuses more than 72 bytes with a "
          "ValueError: a presented key over 72 bytes is a 500 instead of a 401",
          rules=("server.no-5xx", "auth.channels"), issue=16),
    # 5. overlap: requests in flight at the same time (the threaded server; a few ms windows, DB round trips)
    Fault("current-tenant-global", "auth",
          "the auth middleware stores the authenticated tenant on a request context that is one object for the "
          "whole app (it was meant to be a threading.local()), and the runtime visibility check reads it back "
          "after the runtimes query's round trip: when another key's request lands in between, a key is checked "
          "as the other tenant (another tenant's runtime served, or its own refused)",
          rules=("tenant.isolation", "tenant.overlap"), issue=16),
    Fault("current-runtime-global", "pagination",
          "the router's path parameters are kept on the app-wide request context; the checks use the path, but "
          "the listing reads the runtime from the context after the key's last-used write-back (a round trip): "
          "two overlapping requests for different runtimes may both list the later one's runs",
          rules=("run.one-runtime", "tenant.isolation", "cursor.scope", "tenant.overlap"), issue=16),
    Fault("parsed-query-shared", "limit",
          "the validation middleware leaves the parsed query (limit, status filter, cursor) on the app-wide "
          "request context and the page is built from it after the runtime's settings are loaded (a round trip): "
          "overlapping requests get each other's limit and filter (a page longer than its limit, runs of a "
          "status not asked for)",
          rules=("limit.bounds", "status.single", "tenant.overlap"), issue=16),
    Fault("shared-db-cursor", "invariants",
          "the database helper keeps one cursor on the connection object all request threads share (a "
          "threading.local() lost in a refactor): a request executes its query, waits for the network round trip, "
          "then fetches whatever the cursor holds by then, another request's rows (another runtime's, another "
          "limit's) or nothing",
          rules=("run.one-runtime", "limit.bounds", "status.single", "tenant.isolation", "tenant.overlap"), issue=16),
    Fault("last-page-memo-cursor", "pagination",
          "the page is memoised on the app instance for the Link-header middleware, which also asks for a total "
          "count (a round trip), and nextCursor is made from the memo afterwards: under overlap a page's "
          "nextCursor points into another request's page (another runtime's position), so the walk skips or "
          "repeats runs",
          rules=("cursor.walk", "cursor.scope", "tenant.overlap"), issue=16),
    # 6. time between pages
    Fault("scroll-expired-restarts", "pagination",
          "later pages are read from a server-side scroll context the first page opened, with a keep-alive "
          "written `scroll=1s` (meant: 1m) and renewed by each page; a cursor whose scroll is gone is not "
          "refused but silently starts a new scroll from the top: a cursor redeemed more than a second after its "
          "page gets the first page again, and the walk repeats runs",
          rules=("cursor.walk", "cursor.time"), issue=16),
    Fault("scroll-expired-ends-walk", "pagination",
          "the same one-second scroll context, but a cursor whose scroll is gone gets the scroll API's 'no more "
          "hits': an empty page with a null nextCursor, so a cursor redeemed more than a second after its page "
          "ends the walk early (the runs after it never listed)",
          rules=("cursor.walk", "cursor.no-empty-page", "cursor.time"), issue=16),
    Fault("cursor-ttl-seconds", "pagination",
          "cursors carry the time they were handed out and expire after CURSOR_TTL = 2 (minutes, says the "
          "comment), passed to timedelta(seconds=...): a cursor redeemed more than two seconds after its page is "
          "refused 400 as expired, and a client that paused cannot go on",
          rules=("cursor.walk", "cursor.time"), issue=16),
    Fault("cursor-as-of-hides-ended", "pagination",
          "cursors carry when the walk began, and later pages are pinned to it with `finished_at IS NULL OR "
          "finished_at <= :as_of` (meant as 'the runs as they were then'): a run that ends between two pages "
          "vanishes from the rest of the walk, which skips it",
          rules=("cursor.walk", "cursor.time"), issue=16, needs=("churn",)),
    Fault("page-cache-keyed-by-page-number", "pagination",
          "cursor pages are cached for 30 s under the query without its cursor and the page number the cursor "
          "carries (the cursor changes on every request, the page number does not): once runs have started, a "
          "later walk's page 2 is an earlier walk's page 2, and the runs that moved onto it are skipped",
          rules=("cursor.walk",), issue=16, needs=("churn",)),
]

FAULTS: dict[str, Fault] = {
    **{name: Fault(name, area, desc, rules) for name, area, desc, rules in _CATALOGUE},
    **{fault.name: fault for fault in _BLIND_SPOTS},
    **{fault.name: fault for fault in _ISSUE_16},
    **{fault.name: fault for fault in WIRE_FAULTS},
    **{fault.name: fault for fault in NUMBER_FAULTS},
    **{fault.name: fault for fault in FRONT_END_FAULTS},
}


def check_fault_names(names) -> frozenset[str]:
    """Return the names as a frozenset; raise ValueError naming any unknown one."""
    names = frozenset(names)
    unknown = sorted(names - FAULTS.keys())
    if unknown:
        raise ValueError(f"unknown fault(s): {', '.join(unknown)}")
    return names
