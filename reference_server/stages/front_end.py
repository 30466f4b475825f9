"""The front end in front of the app (proxy, load balancer, gateway): what a correct one answers itself
(`front_end_answer`, Variants.front_end), and the faults of the front end and the upstreams behind it. Some fail one
kind of request every time while every other request is served (issue 23: honest blame; the front end is part of the
API): a client's retries cannot get past them, and a run that took them for the target being down would blame
itself. Others answer a request the app should have answered (HEAD health checks, TRACE) or refuse it (the rate
limiter). `FrontEnd` asks them in turn before the request reaches the app.
"""
from __future__ import annotations

import re
import time
from urllib.parse import parse_qsl, urlsplit

from ..checks import HEAD, HTTP_RULES, OTHER_KEY, OTHER_METHODS, OWN_SPELLINGS, SIZES, UNION
from ..edge import FixedWindowLimiter
from ..fault import Fault
from ..messages import ApiError, Response
from ..probes import BURST, main_then, page, path
from ..variants import NODE_HEAD_LIMIT, Variants

CACHE_SECONDS = 10.0  # how long the faulty front-end cache keeps a page (proxy_cache_valid 200 10s)

FAULTS = [
    Fault("rate-limit-without-retry-after", "http",
          "the gateway's rate limiter (25 requests per key and second, nginx limit_req-style) answers 429 without "
          "Retry-After; polite clients retry with backoff and no test sees the 429",
          rules=("http.retry-after",), blind_spot=6, check=HTTP_RULES,
          observe=BURST),
    Fault("head-health-check-200", "methods",
          "a load-balancer rule at the edge (`if ($request_method = HEAD) { return 200; }`) answers HEAD itself so "
          "that health checks never reach the app: every HEAD is 200, without a key, for any runtime or query",
          rules=("http.methods", "auth.bearer", "http.head"), issue=16, check=HEAD,
          observe=page(auth="none", method="HEAD")),
    Fault("trace-echoes-request", "methods",
          "TRACE is left on at the front end (Apache's TraceEnable defaults to on): TRACE on the runs path is "
          "answered 200 message/http with the request echoed, Authorization header and key included",
          rules=("http.methods", "errors.hygiene"), issue=16, check=OTHER_METHODS,
          observe=page(method="TRACE")),
    Fault("dot-dot-path-502", "auth",
          "nginx passes a path with a `..` segment (escaped or not) to the app, whose router answers it with a "
          "redirect to the normalised path and a Link header repeating the raw path; the headers outgrow nginx's "
          "proxy_buffer_size, and nginx answers its own HTML 502 Bad Gateway, every time, to every such path",
          rules=("server.no-5xx", "runtime.spelling"), issue=23, blind_spot=7, check=OWN_SPELLINGS,
          observe=path(lambda info: f"/v2/runtimes/conformance/%2E%2E/{info.runtime_id}/runs")),
    Fault("multi-status-filter-503", "filters",
          "a filter on two or more statuses is routed to the reporting replica, whose connection pool a stuck batch "
          "job holds: every such request waits out the upstream and gets the front end's 503, with no Retry-After, "
          "while every other request is served",
          rules=("server.no-5xx", "status.union"), issue=23, blind_spot=6, check=UNION,
          observe=page([("status", "active"), ("status", "failed")])),
    Fault("oversize-reset-becomes-503", "sizes",
          "Envoy in front of a Node app: Node resets a request whose head is over 16 KiB (its refusal), and Envoy "
          "turns the reset into its own 503 \"upstream connect error or disconnect/reset before headers\": a refusal "
          "for size arrives as a server error",
          rules=("server.no-5xx", "server.sizes"), issue=23, blind_spot=2, check=SIZES,
          observe=page([("cursor", "A" * 17_000)])),
    Fault("waf-400-on-repeated-key", "filters",
          "the web application firewall's HTTP parameter pollution rule refuses any query with a repeated key with "
          "its own HTML 400 page: the filter on several statuses (status=a&status=b), which the contract serves, "
          "never reaches the app",
          rules=("status.union",), issue=23, blind_spot=7, check=UNION,
          observe=page([("status", "stopped"), ("status", "failed")])),
    Fault("front-end-cache-ignores-authorization", "auth",
          f"the front end caches 200 answers for {CACHE_SECONDS:.0f} s keyed by the request target alone "
          "(proxy_cache_key $request_uri, the API's Cache-Control ignored): a request for a URL someone fetched "
          "gets their page, whatever key it carries, or none",
          rules=("tenant.other-key", "tenant.isolation"), issue=23, blind_spot=7, check=OTHER_KEY,
          observe=main_then("main", auth="none")),
]
_ENVOY_RESET = b"upstream connect error or disconnect/reset before headers. reset reason: connection termination"
_WAF_400 = (b"<html><head><title>400 Bad Request</title></head><body><h1>Bad Request</h1><p>Request rejected: HTTP "
            b"parameter pollution.</p></body></html>")
_DOT_DOT = re.compile(r"/(\.\.|%2e%2e|\.%2e|%2e\.)(/|$)", re.IGNORECASE)
_NGINX_502 = (b"<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1>"
              b"</center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n")


def failing_upstream(method: str, target: str, headers,
                     faults: frozenset[str]) -> tuple[int, list[tuple[str, str]], bytes] | None:
    """The front end's own failure or refusal for this request under the faults (status, headers, body); None: none."""
    parts = urlsplit(target)
    path, query = parts.path, parts.query
    if "oversize-reset-becomes-503" in faults and head_size(method, target, headers) > NODE_HEAD_LIMIT:
        return 503, [("Content-Type", "text/plain")], _ENVOY_RESET
    keys = [key for key, _ in parse_qsl(query, keep_blank_values=True)]
    if "waf-400-on-repeated-key" in faults and len(keys) != len(set(keys)):
        return 400, [("Content-Type", "text/html")], _WAF_400
    if "dot-dot-path-502" in faults and _DOT_DOT.search(path):
        return 502, [("Content-Type", "text/html")], _NGINX_502
    if "multi-status-filter-503" in faults and sum(key == "status" for key, _ in parse_qsl(query)) >= 2:
        return 503, [("Content-Type", "text/html")], b"<html><body><h1>503 Service Unavailable</h1></body></html>"
    return None


# -- a correct front end's own answers (Variants.front_end): not faults, what nginx at its defaults does -------------
NGINX_LARGE_CLIENT_HEADER_BUFFER = 8 * 1024  # large_client_header_buffers 4 8k: a longer request line is refused
_NGINX_PAGES = {400: "400 Bad Request", 405: "405 Not Allowed", 414: "414 Request-URI Too Large"}


def front_end_answer(front_end: str, method: str, target: str, headers) -> tuple[int, list[tuple[str, str]], bytes] | None:
    """What the front end answers itself, before the app sees the request; None to pass it on."""
    if front_end != "nginx":
        return None
    lines = headers.get_all("Authorization") if hasattr(headers, "get_all") else None
    status = (414 if len(f"{method} {target} HTTP/1.1") > NGINX_LARGE_CLIENT_HEADER_BUFFER
              else 400 if lines is not None and len(lines) > 1
              else 405 if method == "TRACE" else None)
    if status is None:
        return None
    page = _NGINX_PAGES[status]
    body = (f"<html>\r\n<head><title>{page}</title></head>\r\n<body>\r\n<center><h1>{page}</h1></center>\r\n"
            "<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n").encode()
    return status, [("Content-Type", "text/html")], body


class FrontEnd:
    """What the front end answers (or refuses) itself, before the app sees the request."""

    def __init__(self, faults: frozenset[str], variants: Variants):
        self.faults, self.variants = faults, variants
        self.limiter = FixedWindowLimiter()
        self.cache: dict[str, tuple[float, Response]] = {}  # target -> (when kept, the answer)

    def keep(self, method: str, target: str, response: Response) -> None:
        """The answer passing back through the front end: kept by its cache (fault
        front-end-cache-ignores-authorization) when it is a 200 to a GET."""
        if "front-end-cache-ignores-authorization" in self.faults and method == "GET" and response.status == 200:
            self.cache[target] = (time.monotonic(), response)

    def admit(self, headers) -> None:
        """The gateway's rate limiter (fault rate-limit-without-retry-after): ApiError 429 past its rate."""
        if "rate-limit-without-retry-after" in self.faults and not self.limiter.allow(
                headers.get("Authorization") or ""):
            raise ApiError(429, "rate_limited", "Rate limit exceeded")  # the gateway's 429: no Retry-After

    def answer(self, method: str, target: str, headers, request_id: str) -> Response | None:
        """What the front end answers itself, under the variant and faults; None to pass the request on. The clean
        server has no such rules."""
        failure = (front_end_answer(self.variants.front_end, method, target, headers)
                   or failing_upstream(method, target, headers, self.faults))
        if failure is not None:
            status, failure_headers, body = failure
            return Response(status, [*failure_headers, ("x-request-id", request_id)], body)
        cached = self.cache.get(target) if method == "GET" else None
        if cached is not None and time.monotonic() - cached[0] < CACHE_SECONDS:
            return cached[1]  # (fault front-end-cache-ignores-authorization: the target is the whole key)
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


def head_size(method: str, target: str, headers) -> int:
    """The bytes of a request's head: its request line and its header lines."""
    return len(f"{method} {target} HTTP/1.1\r\n") + sum(len(f"{name}: {value}\r\n") for name, value in headers.items())
