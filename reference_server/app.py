"""HTTP semantics of the endpoint: routing, method, auth, validation, pages and error bodies.

`RunsApp.handle(method, target, headers)` turns one request into a `Response`; it knows nothing
about sockets (the transport lives in handler.py).
"""
from __future__ import annotations

import json
import re
import secrets
import sys
import traceback
from dataclasses import dataclass, field, replace
from datetime import timedelta
from http import HTTPStatus
from urllib.parse import parse_qs, unquote, urlsplit

from . import cursor
from .cursor import CursorError, Position
from .store import STATUSES, Run, RunStore, epoch_ms, fmt_time, parse_time
from .variants import Variants

_ROUTE = re.compile(r"/v2/runtimes/([^/]+)/runs")
_DIGITS = re.compile(r"[0-9]+")
_DECIMAL = re.compile(r"[0-9]+\.[0-9]+")
_AUTH = re.compile(r"([^ ]+) +(.*)", re.DOTALL)
INT64_MAX = 2**63 - 1

REASON_CLASS = {400: "invalid_input", 401: "unauthorized", 403: "capability_denied", 404: "not_found",
                405: "invalid_input", 422: "invalid_input", 429: "rate_limited", 500: "server", 503: "upstream"}


@dataclass
class Response:
    status: int
    headers: list[tuple[str, str]] = field(default_factory=list)
    body: bytes = b""


class ApiError(Exception):
    def __init__(self, status: int, code: str, message: str, details: dict | None = None,
                 headers: list[tuple[str, str]] | None = None):
        super().__init__(message)
        self.status, self.code, self.message = status, code, message
        self.details, self.headers = details, headers or []


@dataclass(frozen=True)
class Query:
    limit: int
    statuses: tuple[str, ...]
    position: Position | None


def new_request_id() -> str:
    return f"req_{secrets.token_hex(8)}"


def _json(payload) -> bytes:
    return json.dumps(payload, separators=(",", ":")).encode()


def _short(text: str, size: int = 64) -> str:
    return text if len(text) <= size else text[:size] + "..."


class RunsApp:
    def __init__(self, store: RunStore, faults: frozenset[str], variants: Variants, secret: bytes):
        self.store, self.faults, self.variants = store, faults, variants
        self.error_envelope, self.max_limit, self.secret = variants.error_envelope, variants.max_limit, secret
        self.keys = store.tenant_keys()  # api key -> tenant id

    # ---- entry point ------------------------------------------------------
    def handle(self, method: str, target: str, headers) -> Response:
        request_id = new_request_id()
        try:
            return self._route(method, target, headers, request_id)
        except ApiError as err:
            return self.error_response(err, request_id)
        except Exception as exc:  # never leak details to the client
            print(f"reference_server: 500 on {method} {_short(target)}: {type(exc).__name__}: {_short(str(exc))}",
                  file=sys.stderr)
            return self.error_response(ApiError(500, "server.error", "Internal server error"), request_id)

    def _route(self, method, target, headers, request_id) -> Response:
        path, query = _split_target(target)
        match = _ROUTE.fullmatch(path)
        runtime_id = unquote(match.group(1)) if match else ""
        if not runtime_id:
            raise ApiError(404, "route.not_found", "No route matches this path")
        if method not in ("GET", "HEAD") and not (method == "POST" and "post-served-as-get" in self.faults):
            allow = [] if "405-without-allow" in self.faults else [("Allow", "GET, HEAD")]
            raise ApiError(405, "method.not_allowed", "Method not allowed; use GET", {"allowed": ["GET", "HEAD"]},
                           allow)
        return self._list_runs(runtime_id, query, headers.get("Authorization"), request_id)

    def _list_runs(self, runtime_id, query, authorization, request_id) -> Response:
        params = self._parse_query(query) if "validate-before-auth" in self.faults else None
        tenant = self._authenticate(authorization)
        self._check_runtime(runtime_id, tenant)
        params = params or self._parse_query(query)
        body = self._page(runtime_id, params)
        content_type = "text/html; charset=utf-8" if "content-type-text-html" in self.faults else "application/json"
        return Response(200, [("Content-Type", content_type), ("x-request-id", request_id)], _json(body))

    # ---- auth -------------------------------------------------------------
    def _authenticate(self, header: str | None) -> str:
        if header is None or not header.strip():
            raise self._auth_error("auth.required", "Authentication required: send Authorization: Bearer <key>",
                                   header)
        match = _AUTH.fullmatch(header)
        scheme, key = (match.group(1), match.group(2)) if match else (None, header)
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
        if "auth-key-prefix" in self.faults:
            return next((t for k, t in self.keys.items() if key.startswith(k)), None)
        return self.keys.get(key)

    def _auth_error(self, code: str, message: str, header: str | None) -> ApiError:
        if "error-echoes-key" in self.faults:
            message = f"{message} (got Authorization: {header})"
        return ApiError(401, code, message, headers=[("WWW-Authenticate", "Bearer")])

    def _check_runtime(self, runtime_id: str, tenant: str) -> None:
        owner = self.store.runtime_tenant(runtime_id)
        if owner == tenant:
            return
        if owner is None and "unknown-runtime-empty" in self.faults:
            return
        if owner is not None and "tenant-leak" in self.faults:
            return
        if owner is not None and "other-tenant-403" in self.faults:
            raise ApiError(403, "auth.forbidden", "Not allowed to access this runtime")
        raise ApiError(404, "runtime.not_found", "Runtime not found")

    # ---- query validation -------------------------------------------------
    def _parse_query(self, query: str) -> Query:
        values = parse_qs(query, keep_blank_values=True)
        limit = self._parse_limit(values.get("limit", []))
        statuses = self._parse_status(values.get("status", []))
        position = self._parse_cursor(values.get("cursor", []))
        if position is not None and "filter-first-page-only" in self.faults:
            statuses = ()
        if position is not None and "limit-first-page-only" in self.faults:
            limit = self._default_limit()
        return Query(limit, statuses, position)

    def _invalid(self, code: str, message: str, details: dict) -> ApiError:
        status = 422 if "invalid-query-422" in self.faults else self.variants.invalid_query_status
        return ApiError(status, code, message, details)

    def _default_limit(self) -> int:
        return 20 if "default-limit-20" in self.faults else self.variants.default_limit

    def _parse_limit(self, values: list[str]) -> int:
        if not values:
            return self._default_limit()
        if len(values) > 1 and "limit-repeated-last-wins" not in self.faults:
            raise self._invalid("request.invalid", "limit must be given at most once", {"parameter": "limit"})
        raw = values[-1]
        if "limit-float-truncated" in self.faults and _DECIMAL.fullmatch(raw):
            raw = raw.split(".")[0]
        problem = f"limit must be an integer from 1 to {self.max_limit}"
        if not _DIGITS.fullmatch(raw):
            raise self._invalid("request.invalid", problem, {"parameter": "limit"})
        digits = raw.lstrip("0") or "0"
        if len(digits) > 19 and "limit-huge-500" in self.faults:
            raise OverflowError("Python int too large to convert to SQLite INTEGER")
        value = int(digits) if len(digits) <= 19 else INT64_MAX + 1
        if value == 0 and "limit-zero-means-default" in self.faults:
            return self._default_limit()
        if value > self.max_limit and ("limit-clamped" in self.faults or self.variants.above_max == "clamp"):
            return self.max_limit
        if not 1 <= value <= self.max_limit:
            raise self._invalid("request.invalid", problem, {"parameter": "limit", "maximum": self.max_limit})
        return value

    def _parse_status(self, values: list[str]) -> tuple[str, ...]:
        if "status-array-first-only" in self.faults:
            values = values[:1]
        if "status-case-insensitive" in self.faults:
            values = [v.lower() for v in values]
        if "status-empty-ignored" in self.faults:
            values = [v for v in values if v != ""]
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
            return cursor.decode(values[0], self.secret, verify="cursor-tamper-accepted" not in self.faults)
        except CursorError:
            if "cursor-not-validated" in self.faults:
                return None
            raise self._invalid("pagination.cursor_invalid", "cursor is invalid or expired", {"parameter": "cursor"})

    # ---- the page ---------------------------------------------------------
    def _page(self, runtime_id: str, params: Query) -> dict:
        size = params.limit + 1 if "limit-plus-one" in self.faults else params.limit
        rows = self.store.page(runtime_id, params.statuses, params.position, size + 1)
        more, rows = len(rows) > size, rows[:size]
        body = {"data": [self._run_json(run) for run in rows],
                "nextCursor": self._next_cursor(rows, more, params.position)}
        if not rows and "data-null-when-empty" in self.faults:
            body["data"] = None
        if body["nextCursor"] is None and "next-cursor-omitted" in self.faults:
            del body["nextCursor"]
        return body

    def _next_cursor(self, rows: list[Run], more: bool, position: Position | None) -> str | None:
        if not rows or not (more or "cursor-on-last-page" in self.faults):
            return None
        last = Position(rows[-1].created_at, rows[-1].id)
        if "cursor-loops" in self.faults:
            page = (position.page or 2) if position else 1  # number of the page being served
            last = replace(cursor.START, page=1) if page == 3 else replace(last, page=page + 1)
        return cursor.encode(last, self.secret)

    def _run_json(self, run: Run) -> dict:
        f, created, started, finished = self.faults, run.created_at, run.started_at, run.finished_at
        terminal = run.status != "active"
        if "started-before-created" in f:
            started = fmt_time(parse_time(created) - timedelta(minutes=1))
        if "active-with-finished-at" in f and not terminal:
            finished = fmt_time(parse_time(started) + timedelta(minutes=1))
        if "terminal-without-finished-at" in f and terminal:
            finished = None
        if "finished-before-started" in f and finished is not None:
            finished = fmt_time(parse_time(started) - timedelta(hours=1))
        out = {"id": run.id, "createdAt": created, "startedAt": started, "status": run.status, "finishedAt": finished}
        if "run-id-not-uuid" in f:
            out["id"] = "run_" + run.id.replace("-", "")[:24]
        if "status-uppercase" in f:
            out["status"] = run.status.upper()
        if "timestamp-without-offset" in f:
            for key in ("createdAt", "startedAt", "finishedAt"):
                out[key] = out[key] and out[key].rstrip("Z")
        if "created-at-epoch" in f:
            out["createdAt"] = epoch_ms(created)
        return out

    # ---- errors -----------------------------------------------------------
    def error_response(self, err: ApiError, request_id: str) -> Response:
        headers = [*err.headers, ("x-request-id", request_id)]
        if err.status == 404 and "error-plain-text" in self.faults:
            return Response(404, [("Content-Type", "text/plain; charset=utf-8"), *headers], b"Not Found")
        return Response(err.status, [("Content-Type", "application/json"), *headers],
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
        if details:
            inner["details"] = details
        return body


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
