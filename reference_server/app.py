"""HTTP semantics of the endpoint: routing, method, auth, validation, pages and error bodies.

`RunsApp.handle(method, target, headers)` turns one request into a `Response`; it knows nothing
about sockets (the transport lives in handler.py).
"""
from __future__ import annotations

import base64
import binascii
import json
import math
import re
import secrets
import sys
import time
import traceback
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta, timezone
from http import HTTPStatus
from urllib.parse import parse_qs, unquote, urlsplit

from . import cursor, validators
from .cursor import CursorError, Position
from .edge import SCROLL_KEEP_ALIVE_SECONDS, BoundedMemo, FixedWindowLimiter, Instances, PageCache, Scrolls
from .front_end import failing_upstream, front_end_answer
from .number_faults import NUMBER_FAULTS, machine_read
from .numbers import ajv_integer, go_parse_int_base_0, javascript_number_is_integer, parse_int_10, python_int
from .store import DB_ROUND_TRIP, STATUSES, Run, RunStore, epoch_ms, fmt_time, parse_time, render_time
from .variants import Variants

_ROUTE = re.compile(r"/v2/runtimes/([^/]+)/runs")
_LEGACY_ROUTE = re.compile(r"/v2/runtimes/([^/]+)/runs/")  # fault trailing-slash-legacy-route
# Express's router at its defaults (caseSensitive: false, strict: false): any case, an optional trailing slash.
_EXPRESS_ROUTE = re.compile(r"/v2/runtimes/([^/]+)/runs/?", re.IGNORECASE)
_UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
_TIME_ZONE_SUFFIX = re.compile(r"(?:[Zz]|[+-][0-9]{2}:[0-9]{2})$")
_CANONICAL_ID = re.compile(r"[0-9a-f-]{36}")  # what fault tenant-check-raw-path's middleware looks for
_BRACKET_KEY = re.compile(r"(\w+)\[\d*\]")  # status[], status[0], limit[]
# Rails/PHP/qs-style array keys read as the parameter they name: status[]=a is the list ["a"] (fault
# status-bracket-array); limit[]=5 is the qs array ["5"], which JavaScript's Number() reads as 5 (limit-array-coerced).
_BRACKET_FAULTS = {"status": "status-bracket-array", "limit": "limit-array-coerced"}
_DIGITS = re.compile(r"[0-9]+")
_DECIMAL = re.compile(r"[0-9]+\.[0-9]+")
_AUTH = re.compile(r"([^ ]+) +(.*)", re.DOTALL)
INT64_MAX = 2**63 - 1
MAX_QUERY_FIELDS = 100  # fault query-max-fields-500: parse_qs(max_num_fields=...)
CURSOR_BUFFER_BYTES = 512  # fault cursor-buffer-overflow-500: the pooled decode buffers
AUDIT_TARGET_COLUMN = 2048  # fault audit-log-varchar-500: audit_log.target VARCHAR(2048)
BCRYPT_MAX_BYTES = 72  # fault auth-bcrypt-72-500
CURSOR_TTL = 2  # minutes (fault cursor-ttl-seconds: used as timedelta(seconds=CURSOR_TTL))
NUMBERED_PAGE_CACHE_SECONDS = 30.0  # fault page-cache-keyed-by-page-number
CURSOR_PAGE_DEFAULT_LIMIT = 20  # only the "default-limit-on-cursor-pages" fault: the paginator's own constant
FILTERED_DEFAULT_LIMIT = 25  # only the "default-limit-with-filter" fault: the filtered query's own constant

REASON_CLASS = {400: "invalid_input", 401: "unauthorized", 403: "capability_denied", 404: "not_found",
                405: "invalid_input", 422: "invalid_input", 429: "rate_limited", 500: "server", 503: "upstream"}


@dataclass
class Response:
    status: int
    headers: list[tuple[str, str]] = field(default_factory=list)
    body: bytes = b""


class SharedContext:
    """The "request context" the overlap faults keep on the app object: one for all request threads."""

    tenant: str | None = None
    runtime_id: str | None = None
    params: Query | None = None
    last_page: list | None = None


class DataTooLong(Exception):
    """MySQL error 1406 in strict mode (fault audit-log-varchar-500)."""


class ApiError(Exception):
    def __init__(self, status: int, code: str, message: str, details: dict | None = None,
                 headers: list[tuple[str, str]] | None = None):
        super().__init__(message)
        self.status, self.code, self.message = status, code, message
        self.details, self.headers = details, headers or []


@dataclass(frozen=True)
class Request:
    """One request as the handler sees it: the method, the target split into path and raw query, the headers
    (http.server's message or asgi.Headers: `get`, `get_all`, `items`) and the request id given to it."""
    method: str
    path: str
    query: str
    headers: object
    request_id: str

    @property
    def target(self) -> str:
        return f"{self.path}?{self.query}" if self.query else self.path


@dataclass(frozen=True)
class Query:
    limit: int
    statuses: tuple[str, ...]
    position: Position | None
    as_of: float | None = None  # the wall-clock time a lagging read replica answers as of (read_lag)
    scroll: str | None = None  # the server-side scroll this walk continues (scroll-expired-* faults)
    scroll_gone: bool = False  # the scroll expired and the walk is taken to be over (scroll-expired-ends-walk)


def new_request_id() -> str:
    return f"req_{secrets.token_hex(8)}"


def _json(payload) -> bytes:
    return json.dumps(payload, separators=(",", ":")).encode()


def _short(text: str, size: int = 64) -> str:
    return text if len(text) <= size else text[:size] + "..."


def _filter_key(statuses: tuple[str, ...]) -> tuple[str, ...]:
    """A status filter as a set (repeats and order do not change it), for binding a cursor to it."""
    return tuple(sorted(set(statuses)))


class RunsApp:
    def __init__(self, store: RunStore, faults: frozenset[str], variants: Variants, secret: bytes):
        self.store, self.faults, self.variants = store, faults, variants
        self.error_envelope, self.max_limit, self.secret = variants.error_envelope, variants.max_limit, secret
        self.keys = store.tenant_keys()  # api key -> tenant id
        self.limiter, self.page_cache, self.instances = FixedWindowLimiter(), PageCache(), Instances()
        # The faults that live in validators switch them on when the variant is off.
        self.validators = variants.validators if variants.validators != "none" else (
            "etag-and-last-modified" if "last-modified-newest-created" in faults
            else "etag" if _ETAG_FAULTS & faults else "none")
        # Request-scoped state kept where every request thread shares it (meant to be a threading.local()): only
        # the overlap faults (current-tenant-global, current-runtime-global, parsed-query-shared,
        # last-page-memo-cursor) use it.
        self.context = SharedContext()
        self.scrolls = Scrolls(SCROLL_KEEP_ALIVE_SECONDS)  # faults scroll-expired-*
        self.numbered_pages = PageCache(ttl=NUMBERED_PAGE_CACHE_SECONDS)  # fault page-cache-keyed-by-page-number
        self.query_memo = BoundedMemo()  # fault validated-query-memo-by-cursor: cursor -> validated query
        self.bytes_served = 0  # fault head-500: the response-size metric
        self.url_etags: dict[str, str] = {}  # faults etag-304-before-auth, etag-304-any-tenant: ETag by URL
        self.representations = validators.RepresentationLog()
        # Filled when the instance starts and never invalidated: only read under the stale-status-cache fault.
        self.status_cache = {run.id: (run.status, run.finished_at) for runtime in (store.seed_info.runtime_id,)
                             for run in store.all_runs(runtime)}

    # ---- entry point ------------------------------------------------------
    def handle(self, method: str, target: str, headers) -> Response:
        request_id = new_request_id()
        try:
            if "rate-limit-without-retry-after" in self.faults and not self.limiter.allow(
                    headers.get("Authorization") or ""):
                raise ApiError(429, "rate_limited", "Rate limit exceeded")  # the gateway's 429: no Retry-After
            return self._edge(method, target, headers, request_id) or self._route(method, target, headers, request_id)
        except ApiError as err:
            return self.error_response(err, request_id)
        except Exception as exc:  # never leak details to the client
            print(f"reference_server: 500 on {method} {_short(target)}: {type(exc).__name__}: {_short(str(exc))}",
                  file=sys.stderr)
            return self.error_response(ApiError(500, "server.error", "Internal server error"), request_id)

    def _edge(self, method: str, target: str, headers, request_id: str) -> Response | None:
        """What the front end (proxy, load balancer) in front of the app answers itself, under faults; None to pass
        the request on. The clean server has no such rules."""
        failure = (front_end_answer(self.variants.front_end, method, target, headers)
                   or failing_upstream(target, self.faults))
        if failure is not None:
            status, failure_headers, body = failure
            return Response(status, [*failure_headers, ("x-request-id", request_id)], body)
        if method == "HEAD" and "head-health-check-200" in self.faults:
            # `if ($request_method = HEAD) { return 200; }`: added so the load balancer's HEAD health checks never
            # reach the app, it answers every HEAD, whatever the path, key or query.
            return Response(200, [("Content-Type", "text/plain"), ("x-request-id", request_id)], b"")
        if method == "TRACE" and "trace-echoes-request" in self.faults:
            # The front end's TRACE is on (Apache's TraceEnable defaults to on): the request comes back as the body.
            echo = f"TRACE {target} HTTP/1.1\r\n" + "".join(f"{name}: {value}\r\n" for name, value in headers.items())
            return Response(200, [("Content-Type", "message/http"), ("x-request-id", request_id)],
                            echo.encode("latin-1", "replace"))
        return None

    def _route(self, method, target, headers, request_id) -> Response:
        if "audit-log-varchar-500" in self.faults and len(target) > AUDIT_TARGET_COLUMN:
            # The audit middleware writes each request target into audit_log.target VARCHAR(2048), in the request's
            # transaction, with MySQL's strict mode on: a longer one is an error, not a truncation.
            raise DataTooLong(f"(1406, \"Data too long for column 'target' at row 1\") [{len(target)} characters]")
        path, query = _split_target(target)
        unrouted = self.variants.unrouted
        if method == "OPTIONS" and "options-preflight-500" in self.faults:
            return self._cors_preflight(headers, request_id)
        match = (_EXPRESS_ROUTE if unrouted == "router-404-html" else _ROUTE).fullmatch(path)
        legacy = "trailing-slash-legacy-route" in self.faults and not match and _LEGACY_ROUTE.fullmatch(path)
        match = match or legacy
        segment = match.group(1) if match else ""
        runtime_id = unquote(segment)
        # Fault options-serves-listing: the route was registered for GET, HEAD and OPTIONS (so that CORS preflights
        # reach it), and the handler never looks at the method.
        served = method in ("GET", "HEAD") or (method == "POST" and "post-served-as-get" in self.faults) \
            or (method == "OPTIONS" and "options-serves-listing" in self.faults)
        if unrouted != "bctrl" and not (runtime_id and served):
            return self._router_answer(method, target, path, bool(runtime_id), request_id)
        if not runtime_id:
            raise ApiError(404, "route.not_found", "No route matches this path")
        if not served:
            allow = [] if "405-without-allow" in self.faults else [("Allow", "GET, HEAD")]
            raise ApiError(405, "method.not_allowed", "Method not allowed; use GET", {"allowed": ["GET", "HEAD"]},
                           allow)
        # The tenant check is route middleware. Fault trailing-slash-legacy-route: the old route was registered
        # without it. Fault tenant-check-raw-path: it reads the runtime id from the raw path, and lets through a
        # path it finds no id in (an escaped one), while the router decodes the id for the lookup.
        check_tenant = not legacy and not ("tenant-check-raw-path" in self.faults
                                           and not _CANONICAL_ID.fullmatch(segment))
        return self._list_runs(Request(method, path, query, headers, request_id), runtime_id, check_tenant)

    def _cors_preflight(self, headers, request_id: str) -> Response:
        """The CORS middleware's preflight answer (fault options-preflight-500): it assumes every OPTIONS is a
        preflight and reads Access-Control-Request-Method without a default, so a plain OPTIONS raises."""
        requested = headers.get("Access-Control-Request-Method").upper()
        allowed = "GET, HEAD" if requested in ("GET", "HEAD") else "GET"
        return Response(204, [("Access-Control-Allow-Origin", headers.get("Origin") or "*"),
                              ("Access-Control-Allow-Methods", allowed),
                              ("Access-Control-Allow-Headers", "Authorization"), ("Access-Control-Max-Age", "600"),
                              ("x-request-id", request_id)])

    def _router_answer(self, method: str, target: str, path: str, routed: bool, request_id: str) -> Response:
        """What the framework's router answers for a method or a path no handler is registered for (unrouted)."""
        headers = [("x-request-id", request_id)]
        if self.variants.unrouted == "router-404":  # Fastify (find-my-way): req.url is the target as sent
            body = {"message": f"Route {method}:{target} not found", "error": "Not Found", "statusCode": 404}
            return Response(404, [("Content-Type", self._media("application/json")), *headers], _json(body))
        html_type = ("Content-Type", "text/html; charset=utf-8")
        if routed and method == "OPTIONS":  # Express answers OPTIONS itself with the route's methods
            return Response(200, [("Allow", "GET,HEAD"), html_type, *headers], b"GET,HEAD")
        # Express's finalhandler: the pathname (as sent), HTML-escaped, in its HTML error page.
        message = _escape_html(f"Cannot {method} {_encode_url(path)}").replace("\n", "<br>").replace("  ", " &nbsp;")
        body = ('<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n<title>Error</title>\n'
                f"</head>\n<body>\n<pre>{message}</pre>\n</body>\n</html>\n")
        return Response(404, [("Content-Security-Policy", "default-src 'none'"),
                              ("X-Content-Type-Options", "nosniff"), html_type, *headers], body.encode())

    def _media(self, media_type: str) -> str:
        """A JSON media type as sent: with `; charset=utf-8` under the charset personality."""
        return f"{media_type}; charset=utf-8" if self.variants.charset else media_type

    def _list_runs(self, request: Request, runtime_id: str, check_tenant: bool = True) -> Response:
        query, request_id = request.query, request.request_id
        if request.method == "HEAD" and "head-skips-validation" in self.faults:
            # HEAD becomes an internal GET of the path for its headers (the framework's HEAD adapter), which drops
            # the query string: the query is never validated, and the headers are the default page's.
            query = ""
        if "etag-304-before-auth" in self.faults:  # the conditional-GET middleware sits before authentication
            early = self._url_etag_304(request)
            if early:
                return early
        if "current-runtime-global" in self.faults:
            self.context.runtime_id = runtime_id  # the router's path parameters, on the shared context
        params = self._parse_query(query) if "validate-before-auth" in self.faults else None
        credentials = self._credentials(request)
        tenant = self._authenticate_any(credentials)
        if "current-runtime-global" in self.faults:
            time.sleep(DB_ROUND_TRIP)  # the key's last-used timestamp is written back (a round trip)
        if "current-tenant-global" in self.faults:
            self.context.tenant = tenant  # the auth middleware's "current tenant", on the shared context
        if "etag-304-any-tenant" in self.faults:  # ... or between authentication and the runtime check
            early = self._url_etag_304(request)
            if early:
                return early
        if self.variants.runtime_id_shape == "uuid" and not _UUID.fullmatch(runtime_id):
            raise ApiError(400, "request.invalid", "runtimeId must be a UUID", {"parameter": "runtimeId"})
        # The fault: "a cursor proves the client passed the access checks on the first page".
        trusted = "cursor-skips-access-checks" in self.faults and "cursor" in parse_qs(query, keep_blank_values=True)
        if check_tenant and not trusted:
            self._check_runtime(runtime_id, tenant)
        elif not trusted and self.store.runtime_tenant(runtime_id) is None:
            raise ApiError(404, "runtime.not_found", "Runtime not found")
        try:
            params = params or self._parse_query(query)
        except ApiError as err:
            if "validation-error-dumps-headers" in self.faults and 400 <= err.status < 500:
                # The validation error handler attaches the request for support tickets: headers and all.
                err.details = {**(err.details or {}), "request": {
                    "method": request.method, "path": request.path, "query": query,
                    "headers": {name: value for name, value in request.headers.items()}}}
            raise
        if "parsed-query-shared" in self.faults:
            self.context.params = params  # the validation middleware leaves the parsed query on the context
            time.sleep(DB_ROUND_TRIP)  # the runtime's settings are loaded (a round trip)
            params = self.context.params  # and the page is built from the context's query
        if self.variants.read_lag:  # one snapshot time for the whole request
            params = replace(params, as_of=time.time() - self.variants.read_lag)
        if "current-runtime-global" in self.faults:
            runtime_id = self.context.runtime_id  # the checks used the path; the listing reads the context
        if {"scroll-expired-restarts", "scroll-expired-ends-walk"} & self.faults:
            params = self._scroll(params)
        if not trusted:
            runtime_id = self._cursor_runtime(runtime_id, params.position)
        cache_key = (tenant, query)  # the fault's cache forgets the path, and with it the runtime
        cached = self.page_cache.get(cache_key) if "page-cache-ignores-runtime" in self.faults else None
        numbered = None
        if "page-cache-keyed-by-page-number" in self.faults and params.position is not None:
            # Cursor pages are cached for 30 s under their page number (the cursor changes on every request, the
            # page number does not): the key is the query without its cursor, and the number the cursor carries.
            numbered = (tenant, runtime_id, _without_cursor(query), params.position.page)
            cached = self.numbered_pages.get(numbered)
        if request.method == "HEAD" and "head-500" in self.faults:
            payload = None  # the HEAD shortcut skips rendering the page: there is no body to send
        else:
            payload = cached or _json(self._page(runtime_id, params))
        if "page-cache-ignores-runtime" in self.faults and cached is None:
            self.page_cache.put(cache_key, payload)
        if numbered and cached is None:
            self.numbered_pages.put(numbered, payload)
        content_type = ("text/html; charset=utf-8" if "content-type-text-html" in self.faults
                        else self._media("application/json"))
        headers = [("Content-Type", content_type), ("x-request-id", request_id)]
        if "cache-control-public" in self.faults:
            headers.append(("Cache-Control", "public, max-age=60"))
        if "session-cookie-echoes-key" in self.faults:
            # The console's session middleware, mounted app-wide, remembers the key the request authenticated with.
            key = _bearer_key(credentials[0]) if credentials else ""
            headers.append(("Set-Cookie", f"bctrl_session={key}; Path=/; Secure; HttpOnly; SameSite=Lax"))
        if "head-500" in self.faults:
            # The response-size metric middleware measures the body the handler returned: None for the HEAD shortcut.
            self.bytes_served += len(payload)
        if self.validators != "none":
            return self._conditional(request, tenant, runtime_id, payload, headers)
        return Response(200, headers, payload)

    def _scroll(self, params: Query) -> Query:
        """Faults scroll-expired-*: later pages are read from a server-side scroll context the first page opened
        (`scroll=1s`, meant as 1m); each page renews it. A cursor whose scroll is gone is not refused: the walk
        silently starts again from the top (restarts) or is taken to be over (ends-walk)."""
        position = params.position
        if position is None:
            return replace(params, scroll=self.scrolls.open())
        if position.scroll and self.scrolls.renew(position.scroll):
            return replace(params, scroll=position.scroll)
        if "scroll-expired-restarts" in self.faults:
            return replace(params, position=None, scroll=self.scrolls.open())
        return replace(params, scroll_gone=True)  # the scroll API's "no more hits"

    def _url_etag_304(self, request: Request) -> Response | None:
        """The conditional-GET middleware of faults etag-304-before-auth and etag-304-any-tenant: it remembers the
        ETag last served for each URL and answers a matching If-None-Match itself, before the checks behind it."""
        etag = self.url_etags.get(request.target)
        if etag and validators.none_match(request.headers.get("If-None-Match"), etag):
            return Response(304, [("ETag", etag), ("x-request-id", request.request_id)])
        return None

    # ---- validators and conditional requests (the validators variant) ---------------------------------------
    def _conditional(self, request: Request, tenant: str, runtime_id: str, payload: bytes, headers: list) -> Response:
        """The page with its validators, or 304 when the client holds it (validators.py)."""
        etag = validators.strong_etag(tenant, request.target, payload)
        if "etag-runtime-version" in self.faults:
            # The ETag is the runtime's version (bumped on every write to its runs), shared by all its pages.
            etag = f'"{self.store.runtime_version(runtime_id)}"'
        if "etag-from-page-ids" in self.faults:
            # A cheap ETag: the page's run ids and its cursor, not its content (no need to render it twice).
            page = json.loads(payload)
            etag = validators.strong_etag(tenant, request.target, _json(
                [[run["id"] for run in page.get("data") or []], page.get("nextCursor")]))
        if {"etag-304-before-auth", "etag-304-any-tenant"} & self.faults:
            self.url_etags[request.target] = etag
        now = time.time()
        tags = [("ETag", etag)]
        if self.validators == "etag-and-last-modified":
            first_seen = self.representations.first_seen((tenant, request.target), etag, now)
            last_modified = validators.last_modified_second(first_seen, now)
            if "last-modified-newest-created" in self.faults:
                # Last-Modified is MAX(created_at) of the page's runs, and If-Modified-Since is compared with it.
                newest = max((run["createdAt"] for run in json.loads(payload).get("data") or []), default=None)
                first_seen = last_modified = math.floor(parse_time(newest).timestamp()) if newest else last_modified
            tags.append(("Last-Modified", validators.http_date(last_modified)))
        if not any(name == "Cache-Control" for name, _ in headers):
            tags.append(("Cache-Control", validators.CACHE_CONTROL))
        if_none_match = request.headers.get("If-None-Match")
        if if_none_match is not None:
            unchanged = validators.none_match(if_none_match, etag)
        elif self.validators == "etag-and-last-modified":
            since = validators.parse_http_date(request.headers.get("If-Modified-Since"))
            unchanged = since is not None and since <= now and first_seen <= since
        else:
            unchanged = False
        if unchanged:
            return Response(304, [*tags, ("x-request-id", request.request_id)])
        return Response(200, [*headers, *tags], payload)

    # ---- auth -------------------------------------------------------------
    def _credentials(self, request: Request) -> list[str]:
        """The Authorization field values the request presents (none, one, or several; several are refused by
        `_authenticate_any`), as the credential middleware reads them."""
        values = list(request.headers.get_all("Authorization") or [])
        if not values and "auth-query-access-token" in self.faults:
            # The credential helper shared with the streaming endpoint (EventSource cannot send headers): a key in
            # the query (RFC 6750 §2.3's access_token, and the names older SDKs used).
            params = parse_qs(request.query, keep_blank_values=True)
            token = next((params[name][0] for name in _QUERY_KEY_NAMES if params.get(name)), None)
            values = [f"Bearer {token}"] if token else []
        if not values and "auth-cookie-key" in self.faults:
            # The web console's cookie middleware: any cookie holding something that looks like a key (the console
            # renamed its cookie twice, so every cookie is scanned).
            token = next((value for _, value in _cookies(request.headers.get_all("Cookie") or [])
                          if value.startswith(_KEY_PREFIX)), None)
            values = [f"Bearer {token}"] if token else []
        return values

    def _authenticate_any(self, values: list[str]) -> str:
        """The tenant of the one Authorization value. A field that may appear once: sent twice, it is no
        credential (RFC 9110 §5.3), and refused like an invalid one."""
        if len(values) > 1:
            if "auth-any-of-repeated-headers" in self.faults:
                # Meant for key rotation (a client sending the old and the new key): the first valid one wins.
                for value in values:
                    try:
                        return self._authenticate(value)
                    except ApiError:
                        pass
            raise self._auth_error("auth.invalid", "Send one Authorization header", ", ".join(values))
        return self._authenticate(values[0] if values else None)

    def _authenticate(self, header: str | None) -> str:
        if header is None or not header.strip():
            raise self._auth_error("auth.required", "Authentication required: send Authorization: Bearer <key>",
                                   header)
        match = _AUTH.fullmatch(header)
        scheme, key = (match.group(1), match.group(2)) if match else (None, header)
        if scheme is not None and scheme.lower() == "basic" and "auth-basic-user-is-key" in self.faults:
            # Stripe-style `curl -u KEY:`: the key as the Basic user name (or password, `-u :KEY`).
            user, password = _basic_credentials(key)
            scheme, key = "Bearer", user or password
        if "auth-key-percent-decoded" in self.faults:
            key = unquote(key)  # the header value goes through the helper that decodes query values
        if "auth-key-whitespace-removed" in self.faults:
            key = "".join(key.split())  # for keys pasted from e-mails and PDFs with line breaks
        if scheme is None:
            scheme_ok = "auth-key-without-scheme" in self.faults
        elif "auth-any-scheme" in self.faults:
            scheme_ok = True
        elif "auth-bearer-case-sensitive" in self.faults or self.variants.scheme_case == "sensitive":
            scheme_ok = scheme == "Bearer"
        else:
            scheme_ok = scheme.lower() == "bearer"
        tenant = self._tenant_for_key(key) if scheme_ok else None
        if tenant is None:
            raise self._auth_error("auth.invalid", "Invalid API key", header)
        return tenant

    def _tenant_for_key(self, key: str) -> str | None:
        if "auth-bcrypt-72-500" in self.faults and len(key.encode("utf-8")) > BCRYPT_MAX_BYTES:
            # Keys are stored as bcrypt hashes and every presented key is checked with bcrypt.checkpw (against a
            # dummy hash when no key matches its prefix, for constant time), which refuses more than 72 bytes.
            raise ValueError("password cannot be longer than 72 bytes, truncate manually if necessary "
                             "(e.g. my_password[:72])")
        if "auth-key-prefix" in self.faults:
            return next((t for k, t in self.keys.items() if key.startswith(k)), None)
        if "auth-key-environment-ignored" in self.faults:
            # Keys are indexed by their random part (after the last underscore); the bctrl_sk_test_ prefix is taken
            # for decoration the dashboard adds, and whatever prefix was sent is dropped before the lookup.
            secret = key.rpartition("_")[2]
            return next((t for k, t in self.keys.items() if secret and k.rpartition("_")[2] == secret), None)
        if {"auth-key-like-prefix", "auth-key-nocase-collation"} & self.faults:
            return self.store.tenant_for_key(key)  # the key looked up in the database, not the startup map
        return self.keys.get(key)

    def _auth_error(self, code: str, message: str, header: str | None) -> ApiError:
        if "error-echoes-key" in self.faults:
            message = f"{message} (got Authorization: {header})"
        return ApiError(401, code, message, headers=[("WWW-Authenticate", "Bearer")])

    def _check_runtime(self, runtime_id: str, tenant: str) -> None:
        owner = self.store.runtime_tenant(runtime_id)
        if "current-tenant-global" in self.faults:
            time.sleep(DB_ROUND_TRIP)  # the runtimes query's round trip
            tenant = self.context.tenant  # the visibility check reads the "current tenant" from the context
        if owner == tenant:
            return
        if owner is None and "unknown-runtime-empty" in self.faults:
            return
        if owner is not None and "tenant-leak" in self.faults:
            return
        if owner is not None and "other-tenant-403" in self.faults:
            raise ApiError(403, "auth.forbidden", "Not allowed to access this runtime")
        raise ApiError(404, "runtime.not_found", "Runtime not found")

    def _cursor_runtime(self, runtime_id: str, position: Position | None) -> str:
        """The runtime a page lists: the path's, for which a cursor must have been handed out (else 400)."""
        if position is None or self.variants.cursor_style == "page-number":  # a position on any runtime of the key
            return runtime_id
        if position.runtime and "cursor-runtime-from-cursor" in self.faults:
            return position.runtime
        if position.runtime != runtime_id:
            raise self._invalid("pagination.cursor_invalid", "cursor is invalid or expired", {"parameter": "cursor"})
        return runtime_id

    # ---- query validation -------------------------------------------------
    def _parse_query(self, query: str) -> Query:
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
            position = self._parse_cursor(values["cursor"])
            if position is not None and position.query is not None:
                return Query(position.query[0], position.query[1], position)
        if continued and "cursor-page-limit-unchecked" in self.faults:
            limit = self._continuation_limit(values.get("limit", []))
        else:
            limit = self._parse_limit(values.get("limit", []))
        statuses = self._parse_status(values.get("status", []), continued)
        position = self._parse_cursor(values.get("cursor", []))
        if position is not None and self.variants.cursor_binding == "filter" \
                and position.statuses != _filter_key(statuses):
            raise self._invalid("pagination.cursor_invalid", "cursor was issued for another status filter",
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
            raise self._invalid("request.invalid", f"limit must be an integer from 1 to {self.max_limit}",
                                {"parameter": "limit"}) from None

    def _invalid(self, code: str, message: str, details: dict) -> ApiError:
        status = 422 if "invalid-query-422" in self.faults else self.variants.invalid_query_status
        return ApiError(status, code, message, details)

    def _default_limit(self, statuses: tuple[str, ...] = (), position: Position | None = None) -> int:
        if position is not None and "default-limit-on-cursor-pages" in self.faults:
            return CURSOR_PAGE_DEFAULT_LIMIT
        if statuses and "default-limit-with-filter" in self.faults:
            return FILTERED_DEFAULT_LIMIT
        return 20 if "default-limit-20" in self.faults else self.variants.default_limit

    def _parse_limit(self, values: list[str]) -> int | None:
        """The limit sent, or None when none was (the default depends on the rest of the query)."""
        if not values:
            return None
        if len(values) > 1 and "limit-repeated-last-wins" not in self.faults:
            raise self._invalid("request.invalid", "limit must be given at most once", {"parameter": "limit"})
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
                raise self._invalid("request.invalid", problem, {"parameter": "limit"}) from None
        if not _DIGITS.fullmatch(raw):
            raise self._invalid("request.invalid", problem, {"parameter": "limit"})
        digits = raw.lstrip("0") or "0"
        if len(digits) > 19 and "limit-huge-500" in self.faults:
            raise OverflowError("Python int too large to convert to SQLite INTEGER")
        value = int(digits) if len(digits) <= 19 else INT64_MAX + 1
        if NUMBER_FAULTS_ON & self.faults:
            value = machine_read(int(digits), self.faults)
        if value == 0 and "limit-zero-means-default" in self.faults:
            return self._default_limit()
        if value > self.max_limit and ("limit-clamped" in self.faults or self.variants.above_max == "clamp"):
            return self.max_limit
        if not 1 <= value <= self.max_limit:
            raise self._invalid("request.invalid", problem, {"parameter": "limit", "maximum": self.max_limit})
        return value

    def _parse_status(self, values: list[str], continued: bool = False) -> tuple[str, ...]:
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
            raise self._invalid("status.invalid", f"status must be one of {', '.join(STATUSES)}",
                                {"parameter": "status", "allowed": list(STATUSES), "received": _short(bad[0])})
        return tuple(values)

    def _parse_cursor(self, values: list[str]) -> Position | None:
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
            return position
        except CursorError:
            if "cursor-not-validated" in self.faults:
                return None
            raise self._invalid("pagination.cursor_invalid", "cursor is invalid or expired", {"parameter": "cursor"})

    # ---- the page ---------------------------------------------------------
    def _page(self, runtime_id: str, params: Query) -> dict:
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
        body = {"data": [self._run_json(self._stale(run) if stale else run, local) for run in rows],
                "nextCursor": self._next_cursor(cursor_rows, more, params, runtime_id)}
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
        ended_by = None
        if position is not None and position.minted is not None and "cursor-as-of-hides-ended" in self.faults:
            # Later pages are pinned to when the walk began with `finished_at IS NULL OR finished_at <= :as_of`:
            # meant as "the runs as they were then", it drops the runs that ended since.
            ended_by = fmt_time(datetime.fromtimestamp(position.minted, timezone.utc))
        rows = self.store.page(runtime_id, statuses, position, size + 1, as_of=params.as_of, ended_by=ended_by)
        more, rows = len(rows) > size, rows[:size]
        if statuses and rows and "filtered-more-from-unfiltered" in self.faults:
            # The look-ahead asks whether any run follows the page's last one, forgetting the filter.
            more = bool(self.store.page(runtime_id, (), Position(rows[-1].created_at, rows[-1].id), 1,
                                        as_of=params.as_of))
        return rows, more

    def _next_cursor(self, rows: list[Run], more: bool, params: Query, runtime_id: str) -> str | None:
        if not rows or not (more or "cursor-on-last-page" in self.faults):
            return None
        position = params.position
        bound = _filter_key(params.statuses) if self.variants.cursor_binding == "filter" else None
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

    def _stale(self, run: Run) -> Run:
        """The run as the instance with a stale status cache renders it: status and finishedAt from its cache."""
        status, finished = self.status_cache.get(run.id, (run.status, run.finished_at))
        return replace(run, status=status, finished_at=finished)

    def _run_json(self, run: Run, local: bool = False) -> dict:
        f, created, started, finished = self.faults, run.created_at, run.started_at, run.finished_at
        if local:  # the indexer stored naive Europe/Paris wall-clock times (UTC+1 in winter); they are sent with a Z
            created, started, finished = (t and fmt_time(parse_time(t) + timedelta(hours=1))
                                          for t in (created, started, finished))
        terminal = run.status != "active"
        if "started-before-created" in f:
            started = fmt_time(parse_time(created) - timedelta(minutes=1))
        if "active-with-finished-at" in f and not terminal:
            finished = fmt_time(parse_time(started) + timedelta(minutes=1))
        if "terminal-without-finished-at" in f and terminal:
            finished = None
        if "finished-before-started" in f and finished is not None:
            finished = fmt_time(parse_time(started) - timedelta(hours=1))
        style = self.variants.timestamps
        out = {"id": run.id, "createdAt": render_time(created, style), "startedAt": render_time(started, style),
               "status": run.status, "finishedAt": finished and render_time(finished, style)}
        if "run-id-not-uuid" in f:
            out["id"] = "run_" + run.id.replace("-", "")[:24]
        if "status-uppercase" in f:
            out["status"] = run.status.upper()
        if "timestamp-without-offset" in f:
            for key in ("createdAt", "startedAt", "finishedAt"):
                out[key] = out[key] and _TIME_ZONE_SUFFIX.sub("", out[key])
        if "created-at-epoch" in f:
            out["createdAt"] = epoch_ms(created)
        return out

    # ---- errors -----------------------------------------------------------
    def error_response(self, err: ApiError, request_id: str) -> Response:
        headers = [*err.headers, ("x-request-id", request_id)]
        if "error-answers-s-maxage" in self.faults and 400 <= err.status < 500:
            headers.append(("Cache-Control", "s-maxage=300"))
        if err.status == 404 and "error-plain-text" in self.faults:
            return Response(404, [("Content-Type", "text/plain; charset=utf-8"), *headers], b"Not Found")
        return Response(err.status, [("Content-Type", self._media(self.variants.error_media_type)), *headers],
                        _json(self._error_body(err, request_id)))

    def _error_body(self, err: ApiError, request_id: str) -> dict:
        if "error-missing-code" in self.faults:
            return {"message": err.message}
        details = err.details
        if err.status == 400 and "error-stack-trace" in self.faults:
            details = {**(details or {}), "trace": "".join(traceback.format_exception(err))
                       or "".join(traceback.format_stack())}
        reason = REASON_CLASS.get(err.status, "server" if err.status >= 500 else "invalid_input")
        if self.error_envelope == "flat":
            body = {"error": err.message, "code": err.code, "requestId": request_id, "reasonClass": reason}
            inner = body
        else:
            inner = {"code": err.code, "message": err.message, "requestId": request_id, "reasonClass": reason}
            body = {"error": inner}
        if self.variants.request_id == "header":  # the x-request-id header alone carries it
            del inner["requestId"]
        if details:
            inner["details"] = details
        return body


# The limit read with a lenient number parser instead of checked as plain digits (faults limit-python-int,
# limit-javascript-number, limit-go-base-prefix): the value is then bounds-checked as usual.
_LENIENT_LIMIT_PARSERS = {"limit-python-int": python_int, "limit-javascript-number": javascript_number_is_integer,
                          "limit-go-base-prefix": go_parse_int_base_0}
NUMBER_FAULTS_ON = frozenset(fault.name for fault in NUMBER_FAULTS)  # the limit read into a fixed-width integer
# The limit_parser personality: a framework's reading, then the bounds as usual (numbers.py).
_PERSONALITY_LIMIT_PARSERS = {"javascript-number": ajv_integer, "parse-int": parse_int_10}


_ETAG_FAULTS = {"etag-304-before-auth", "etag-304-any-tenant", "etag-runtime-version", "etag-from-page-ids"}
_QUERY_KEY_NAMES = ("access_token", "api_key", "apiKey", "token", "key")  # fault auth-query-access-token
_KEY_PREFIX = "bctrl_sk_"  # what the console's cookie middleware takes for a key (fault auth-cookie-key)


def _without_cursor(query: str) -> str:
    """A raw query string without its cursor parameters (fault page-cache-keyed-by-page-number's cache key)."""
    return "&".join(part for part in query.split("&") if part.partition("=")[0] != "cursor")


def _cookies(fields: list[str]) -> list[tuple[str, str]]:
    """The name=value pairs of Cookie header fields (RFC 6265 §4.2), values unquoted."""
    pairs = []
    for field_value in fields:
        for item in field_value.split(";"):
            name, sep, value = item.strip().partition("=")
            if sep:
                pairs.append((name.strip(), value.strip().strip('"')))
    return pairs


def _basic_credentials(token: str) -> tuple[str, str]:
    """user and password of Basic credentials (base64 of user:password); empty strings when it does not decode."""
    try:
        user, _, password = base64.b64decode(token.strip(), validate=True).decode("utf-8").partition(":")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return "", ""
    return user, password


def _bearer_key(header: str) -> str:
    match = _AUTH.fullmatch(header)
    return match.group(2) if match else header


def _escape_html(text: str) -> str:
    """The npm package escape-html (finalhandler's)."""
    return text.translate({ord("&"): "&amp;", ord("<"): "&lt;", ord(">"): "&gt;", ord('"'): "&quot;",
                           ord("'"): "&#39;"})


def _encode_url(path: str) -> str:
    """The npm package encodeurl (Express's finalhandler): bytes outside the URL characters percent-encoded,
    escapes already there kept. `path` holds the request's bytes as latin-1 characters, as both stacks give it."""
    return re.sub(r"%(?![0-9A-Fa-f]{2})|[^\x21\x23\x24\x26-\x3B\x3D\x3F-\x5F\x61-\x7A\x7C\x7E%]+",
                  lambda m: "".join(f"%{b:02X}" for b in m.group().encode("latin-1", "replace")), path)


def _split_target(target: str) -> tuple[str, str]:
    """Path and raw query string of a request target (origin-form or absolute-form)."""
    if not target.startswith("/"):
        parts = urlsplit(target)
        return parts.path, parts.query
    path, _, query = target.partition("?")
    return path, query.partition("#")[0]


def status_phrase(code: int) -> str:
    try:
        return HTTPStatus(code).phrase
    except ValueError:
        return "Error"
