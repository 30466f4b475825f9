"""The endpoint's request handling, stage by stage: the front end, routing, auth, the query, the page, its headers,
and errors (stages/). `RunsApp.handle(method, target, headers)` turns one request into a `Response`; it knows
nothing about sockets (the transport lives in handler.py).

RunsApp only orders the stages; each stage holds the faults that live in it. The faults kept here live in the
order itself (what is checked before what, and what request threads share between the steps).
"""
from __future__ import annotations

import re
import sys
import time
from dataclasses import replace
from urllib.parse import parse_qs

from .checks import AUTH_FIRST, FOREIGN_TENANT, HEAD, OVERLAP
from .fault import Fault
from .messages import Answered, ApiError, Request, Response, SharedContext, new_request_id, short
from .probes import L3, foreign_cursor, overlapping, page
from .stages.auth import Auth
from .stages.cursors import Cursors
from .stages.errors import Errors
from .stages.front_end import FrontEnd
from .stages.headers import PageHeaders
from .stages.paging import Pages
from .stages.query import QueryReader
from .stages.query_string import QueryString
from .stages.routing import Router
from .store import DB_ROUND_TRIP, RunStore
from .variants import Variants

FAULTS = [
    Fault("validate-before-auth", "auth",
          "query validation runs before authentication (no key + limit=0 gives 400)",
          rules=("auth.before-validation",), check=AUTH_FIRST,
          observe=page([("limit", "0")], auth="none")),
    Fault("cursor-skips-access-checks", "auth",
          "a request with a cursor skips the runtime visibility and cursor-runtime checks ('a cursor proves the "
          "client passed them on the first page'): another tenant's runtime with a cursor answers 200 with its runs",
          rules=("tenant.isolation", "cursor.scope"), blind_spot=4, check=FOREIGN_TENANT,
          observe=foreign_cursor("other")),
    Fault("head-skips-validation", "methods",
          "the framework's HEAD adapter turns HEAD into an internal GET of the path, dropping the query string: a "
          "HEAD with an invalid limit or status is 200 where the GET is 400 (and its headers are the default page's)",
          rules=("http.methods", "http.head"), issue=16, check=HEAD,
          observe=page([("limit", "0")], method="HEAD")),
    Fault("current-runtime-global", "pagination",
          "the router's path parameters are kept on the app-wide request context; the checks use the path, but the "
          "listing reads the runtime from the context after the key's last-used write-back (a round trip): two "
          "overlapping requests for different runtimes may both list the later one's runs",
          rules=("run.one-runtime", "tenant.isolation", "cursor.scope", "tenant.overlap"), issue=16, check=OVERLAP,
          observe=overlapping(*[("main", "main", L3), ("main", "second", L3)] * 4)),
    Fault("parsed-query-shared", "limit",
          "the validation middleware leaves the parsed query (limit, status filter, cursor) on the app-wide request "
          "context and the page is built from it after the runtime's settings are loaded (a round trip): overlapping "
          "requests get each other's limit and filter (a page longer than its limit, runs of a status not asked for)",
          rules=("limit.bounds", "status.single", "tenant.overlap"), issue=16, check=OVERLAP,
          observe=overlapping(*[("main", "main", [("limit", "1"), ("status", "failed")]),
                                ("main", "main", [("limit", "9"), ("status", "active")])] * 4)),
]

_UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")


class RunsApp:
    def __init__(self, store: RunStore, faults: frozenset[str], variants: Variants, secret: bytes):
        self.store, self.faults, self.variants = store, faults, variants
        # Request-scoped state kept where every request thread shares it (meant to be a threading.local()): only
        # the overlap faults (current-tenant-global, current-runtime-global, parsed-query-shared,
        # last-page-memo-cursor) use it.
        self.context = SharedContext()
        self.errors = Errors(faults, variants)
        self.front_end = FrontEnd(faults, variants)
        self.router = Router(faults, variants)
        self.auth = Auth(faults, variants, store, self.context)
        self.cursors = Cursors(faults, variants, store, secret, self.errors)
        self.query_string = QueryString(faults, self.errors)
        self.query = QueryReader(faults, variants, self.cursors, self.errors)
        self.pages = Pages(faults, variants, store, self.context, self.cursors)
        self.headers = PageHeaders(faults, variants, store)

    # ---- entry point ------------------------------------------------------
    def handle(self, method: str, target: str, headers) -> Response:
        response = self._handle(method, target, headers)
        self.front_end.keep(method, target, response)  # the answer passes back through the front end
        return response

    def _handle(self, method: str, target: str, headers) -> Response:
        request_id = new_request_id()
        try:
            self.front_end.admit(headers)
            answer = (self.front_end.answer(method, target, headers, request_id)
                      or self.router.route(method, target, headers, request_id))
            if isinstance(answer, Response):
                return answer
            return self._list_runs(answer.request, answer.runtime_id, answer.check_tenant)
        except Answered as answered:
            return answered.response
        except ApiError as err:
            return self.error_response(err, request_id)
        except Exception as exc:  # never leak details to the client
            print(f"reference_server: 500 on {method} {short(target)}: {type(exc).__name__}: {short(str(exc))}",
                  file=sys.stderr)
            return self.error_response(ApiError(500, "server.error", "Internal server error"), request_id)

    def error_response(self, err: ApiError, request_id: str) -> Response:
        """The answer to an error (the transport's injected trouble too)."""
        return self.errors.response(err, request_id)

    def _list_runs(self, request: Request, runtime_id: str, check_tenant: bool = True) -> Response:
        """The listing, step by step: authentication, the runtime check, the query, the page and its headers."""
        query = self.query_string.decoded(request.query)
        if request.method == "HEAD" and "head-skips-validation" in self.faults:
            # HEAD becomes an internal GET of the path for its headers (the framework's HEAD adapter), which drops
            # the query string: the query is never validated, and the headers are the default page's.
            query = ""
        early = self.headers.url_etag_304(request, behind_auth=False)  # a conditional-GET middleware before auth
        if early:
            return early
        if "current-runtime-global" in self.faults:
            self.context.runtime_id = runtime_id  # the router's path parameters, on the shared context
        params = self.query.read(query) if "validate-before-auth" in self.faults else None
        credentials = self.auth.credentials(request)
        tenant = self.auth.authenticate_any(credentials)
        if "current-runtime-global" in self.faults:
            time.sleep(DB_ROUND_TRIP)  # the key's last-used timestamp is written back (a round trip)
        self.auth.remember_tenant(tenant)
        early = self.headers.url_etag_304(request, behind_auth=True)  # ... or between auth and the runtime check
        if early:
            return early
        if self.variants.runtime_id_shape == "uuid" and not _UUID.fullmatch(runtime_id):
            raise ApiError(400, "request.invalid", "runtimeId must be a UUID", {"parameter": "runtimeId"})
        # The fault: "a cursor proves the client passed the access checks on the first page".
        trusted = "cursor-skips-access-checks" in self.faults and "cursor" in parse_qs(query, keep_blank_values=True)
        if check_tenant and not trusted:
            self.auth.check_runtime(runtime_id, tenant)
        elif not trusted and self.store.runtime_tenant(runtime_id) is None:
            raise ApiError(404, "runtime.not_found", "Runtime not found")
        try:
            self.query_string.check_binding(query)
            params = params or self.query.read(query)
        except ApiError as err:
            self.errors.attach_request(err, request, query)
            raise
        if "parsed-query-shared" in self.faults:
            self.context.params = params  # the validation middleware leaves the parsed query on the context
            time.sleep(DB_ROUND_TRIP)  # the runtime's settings are loaded (a round trip)
            params = self.context.params  # and the page is built from the context's query
        if self.variants.read_lag:  # one snapshot time for the whole request
            params = replace(params, as_of=time.time() - self.variants.read_lag)
        if "current-runtime-global" in self.faults:
            runtime_id = self.context.runtime_id  # the checks used the path; the listing reads the context
        params = self.cursors.scroll(params)
        if not trusted:
            runtime_id = self.cursors.runtime(runtime_id, params.position)
        payload = self.pages.payload(tenant, runtime_id, query, params,
                                     rendered=not self.headers.skips_rendering(request.method))
        self.query_string.bind(query, payload)
        return self.headers.answer(request, tenant, runtime_id, credentials, payload)
