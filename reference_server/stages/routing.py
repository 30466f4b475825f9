"""Routing: the middleware every request passes (the audit log), the router (which paths and methods reach the
listing), and what the framework's router answers itself for the rest."""
from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

from ..checks import OPTIONS, OTHER_METHODS, OTHER_SPELLINGS, SIZES
from ..fault import Fault
from ..messages import ApiError, Request, Response, json_bytes, media
from ..probes import every_character_escaped, page, path
from ..variants import Variants

FAULTS = [
    Fault("post-served-as-get", "methods",
          "POST is served like GET (200) instead of 405",
          rules=("http.methods",), check=OTHER_METHODS,
          observe=page(method="POST")),
    Fault("405-without-allow", "methods",
          "405 answers lack the Allow header",
          rules=("http.methods",), check=OTHER_METHODS,
          observe=page(method="DELETE")),
    Fault("tenant-check-raw-path", "auth",
          "the tenant check is route middleware that reads the runtime id from the raw path and lets through a path "
          "it finds no id in, while the router percent-decodes the id for the lookup: another tenant's runtime with "
          "an escaped character (%39 for 9) is served, its runs and all",
          rules=("tenant.isolation",), blind_spot=1, check=OTHER_SPELLINGS,
          observe=path(lambda info: f"/v2/runtimes/{every_character_escaped(info.other_runtime_id)}/runs")),
    Fault("trailing-slash-legacy-route", "auth",
          "a legacy route for .../runs/ (trailing slash) kept for old clients was registered without the tenant "
          "middleware: another tenant's runtime is served there (authenticated, but any tenant's)",
          rules=("tenant.isolation", "runtime.spelling"), blind_spot=1, check=OTHER_SPELLINGS,
          observe=path(lambda info: f"/v2/runtimes/{info.other_runtime_id}/runs/")),
    Fault("options-serves-listing", "methods",
          "the route was registered for GET, HEAD and OPTIONS so that CORS preflights reach it, and the handler "
          "never looks at the method: OPTIONS with a key is answered 200 with the runs",
          rules=("http.methods",), issue=16, check=OPTIONS,
          observe=page(method="OPTIONS")),
    Fault("options-preflight-500", "methods",
          "the CORS middleware takes every OPTIONS for a preflight and reads Access-Control-Request-Method without a "
          "default: a plain OPTIONS (no preflight headers) raises, answered 500",
          rules=("http.methods", "server.no-5xx"), issue=16, check=OPTIONS,
          observe=page(method="OPTIONS")),
    Fault("audit-log-varchar-500", "errors",
          "the audit middleware writes every request target into audit_log.target VARCHAR(2048) inside the request's "
          "transaction, with MySQL's strict mode on: a target over 2048 characters (a long query string, cursor or "
          "runtime id) is 'Data too long for column', answered 500",
          rules=("server.no-5xx", "server.sizes"), issue=16, check=SIZES,
          observe=page([("limit", "5"), ("note", "x" * 3000)])),
]

_ROUTE = re.compile(r"/v2/runtimes/([^/]+)/runs")
_LEGACY_ROUTE = re.compile(r"/v2/runtimes/([^/]+)/runs/")  # fault trailing-slash-legacy-route
# Express's router at its defaults (caseSensitive: false, strict: false): any case, an optional trailing slash.
_EXPRESS_ROUTE = re.compile(r"/v2/runtimes/([^/]+)/runs/?", re.IGNORECASE)
_CANONICAL_ID = re.compile(r"[0-9a-f-]{36}")  # what fault tenant-check-raw-path's middleware looks for
AUDIT_TARGET_COLUMN = 2048  # fault audit-log-varchar-500: audit_log.target VARCHAR(2048)


class DataTooLong(Exception):
    """MySQL error 1406 in strict mode (fault audit-log-varchar-500)."""


@dataclass(frozen=True)
class Routed:
    """A request the router hands to the listing: the runtime id (decoded) and whether the tenant check runs."""
    request: Request
    runtime_id: str
    check_tenant: bool


class Router:
    """The app's middleware and router, in front of the listing."""

    def __init__(self, faults: frozenset[str], variants: Variants):
        self.faults, self.variants = faults, variants

    def route(self, method: str, target: str, headers, request_id: str) -> Routed | Response:
        """The request for the listing (Routed), or the answer the middleware or router gives it themselves."""
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
        return Routed(Request(method, path, query, headers, request_id), runtime_id, check_tenant)

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
            return Response(404, [("Content-Type", media(self.variants, "application/json")), *headers],
                            json_bytes(body))
        html_type = ("Content-Type", "text/html; charset=utf-8")
        if routed and method == "OPTIONS":  # Express answers OPTIONS itself with the route's methods
            return Response(200, [("Allow", "GET,HEAD"), html_type, *headers], b"GET,HEAD")
        # Express's finalhandler: the pathname (as sent), HTML-escaped, in its HTML error page.
        message = _escape_html(f"Cannot {method} {_encode_url(path)}").replace("\n", "<br>").replace("  ", " &nbsp;")
        body = ('<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n<title>Error</title>\n'
                f"</head>\n<body>\n<pre>{message}</pre>\n</body>\n</html>\n")
        return Response(404, [("Content-Security-Policy", "default-src 'none'"),
                              ("X-Content-Type-Options", "nosniff"), html_type, *headers], body.encode())


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
