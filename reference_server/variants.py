"""Legitimate variants: choices a real API may make differently from the default contract, none of them a bug.

The faults (faults.py) are bugs: no contract may allow them, or the default contract forbids them. A variant is a
choice that bctrl's conventions leave open, so a contract (an overlay) may state either way; the reference server
can be switched into each so that discovery (`python -m conformance.discover`) and the suite under the overlay
discovery writes can be proven on them. A few faults equal a variant's non-default value (`default-limit-20`,
`limit-clamped`, `invalid-query-422`, `tie-break-ascending`, `auth-bearer-case-sensitive`): they stay faults,
because the DEFAULT contract forbids them, and share the server code with the variant.

Personalities (the fields from `header_case` on): the habits of other HTTP stacks, each a legal representation of
the same contract (a header name's case, a charset parameter, gzip, chunked framing, how a timestamp is written,
how a framework reads a number, what its router answers, what a cursor looks like, a lagging read replica, a
retention job, a far-away API). The project runs the whole suite against each, so that the suite raises no false
alarm against a correct server built on another stack. `PERSONALITIES` bundles them as real stacks have them. A
few faults read the limit with the same parsers as `limit_parser` (`limit-javascript-number`): there the default
contract's grammar (plain digits) is what is broken; as a personality, the contract is the framework's.
"""
from __future__ import annotations

from dataclasses import dataclass, fields

ABOVE_MAX = ("refuse", "clamp")
INVALID_QUERY_STATUSES = (400, 422)
ENVELOPES = ("nested", "flat")
TIE_BREAKS = ("descending", "ascending")
SCHEME_CASES = ("insensitive", "sensitive")
# Personalities.
HEADER_CASES = ("as-written", "lower", "canonical")
COMPRESSIONS = ("none", "gzip")
FRAMINGS = ("length", "chunked")
TIMESTAMPS = ("milliseconds", "nanoseconds", "lower-case", "offset", "nanoseconds-offset")
LIMIT_PARSERS = ("strict", "javascript-number", "parse-int")
UNROUTED = ("bctrl", "router-404", "router-404-html")
RUNTIME_ID_SHAPES = ("any", "uuid")
CURSOR_BINDINGS = ("position", "filter")
CURSOR_STYLES = ("signed", "page-number")
ERROR_MEDIA_TYPES = ("application/json", "application/problem+json")
REQUEST_IDS = ("body-and-header", "header")
VALIDATORS = ("none", "etag", "etag-and-last-modified")
FRONT_ENDS = ("none", "nginx")
NODE_HEAD_LIMIT = 16 * 1024  # Node's http.maxHeaderSize default: the request line and headers together


@dataclass(frozen=True)
class Variants:
    """The server's choices; the defaults are the default contract's (contract.overlay.yaml)."""

    default_limit: int = 50  # page size without a limit
    max_limit: int = 100  # the largest limit served
    above_max: str = "refuse"  # a limit above max_limit: refused (invalid query) or clamped to max_limit
    invalid_query_status: int = 400  # the status of a bad limit, status or cursor
    error_envelope: str = "nested"  # {"error": {"code", "message", "requestId"}} or flat {"error", "code", ...}
    tie_break: str = "descending"  # order of runs sharing a createdAt: by id descending or ascending
    scheme_case: str = "insensitive"  # the Authorization scheme word: any case (RFC 9110), or exactly `Bearer`
    # Validators on pages (RFC 9110 §8.8) and the conditional GETs they allow (§13): none; a strong ETag of each
    # page (of its body, per key and query), If-None-Match answered 304 when it matches; that and a Last-Modified
    # (when the page was first served as it is now), If-Modified-Since answered 304 when the page has not changed
    # since. Always after authentication, the runtime check and validation, like the page itself.
    validators: str = "none"
    # ---- personalities: other stacks' habits, each legal --------------------------------------------------------
    # Response header names on the wire: as the server writes them (http.server: `Content-Type`, `x-request-id`),
    # all lower-case (Node, HTTP/2, h11/uvicorn), or canonical (Go's net/http: `X-Request-Id`).
    header_case: str = "as-written"
    charset: bool = False  # JSON answers say `application/json; charset=utf-8` (Fastify, Express)
    # gzip: bodies gzip-encoded when Accept-Encoding allows it (Content-Encoding: gzip, Vary: Accept-Encoding).
    compression: str = "none"
    framing: str = "length"  # Content-Length, or Transfer-Encoding: chunked with the body in a few chunks
    # How the instants are written: 2026-03-01T10:15:00.123Z; .123000000Z; 2026-03-01t10:15:00.123z;
    # 2026-03-01T11:15:00.123+01:00; 2026-03-01T11:15:00.123000000+01:00 (Go, time.Local in Paris, 9 digits).
    timestamps: str = "milliseconds"
    # How limit is read: plain ASCII digits; Ajv's coercion at Fastify's defaults (JavaScript Number(), then an
    # integer); JavaScript parseInt(text, 10) as hand-written Express handlers do (leading digits, rest ignored).
    limit_parser: str = "strict"
    # Other methods and unmatched paths: bctrl's 405 (with Allow) and 404 envelopes; a router's 404 with its own
    # JSON body (Fastify); Express's router (case-insensitive, optional trailing slash, OPTIONS answered with
    # Allow) and its HTML 404 (`<pre>Cannot DELETE /v2/...</pre>`).
    unrouted: str = "bctrl"
    runtime_id_shape: str = "any"  # uuid: a runtime id that is not a UUID is refused 400 before the lookup
    cursor_binding: str = "position"  # filter: a cursor is bound to the status filter it was handed out with
    # signed: base64url JSON position + HMAC tag, with the runtime; page-number: base64 {"page": N}, N a serial
    # growing with (createdAt, id), unsigned, no runtime (keyset pagination in disguise).
    cursor_style: str = "signed"
    error_media_type: str = "application/json"  # or application/problem+json (RFC 9457), same envelope body
    request_id: str = "body-and-header"  # header: error bodies carry no requestId; x-request-id stays
    read_lag: float = 0.0  # seconds a read replica lags behind the data (live data only: --churn)
    retention: bool = False  # a retention job deletes the main runtime's oldest run every 2 s (under --churn)
    latency_ms: int = 0  # every answer waits this long before it is written (a far-away API)
    # A request head (request line and header lines) over this many bytes: answered `431` with no body and the
    # connection reset, as Node's http parser does above its 16 KiB default; 0: http.server's own limits.
    head_limit: int = 0
    # A front end at its defaults in front of the app: nginx answers itself, with its own HTML, a request with two
    # Authorization lines (400), TRACE (405, no Allow) and a request line over 8 KiB (414); none: no front end.
    front_end: str = "none"

    def __post_init__(self) -> None:
        if self.max_limit < 1:
            raise ValueError(f"max_limit must be at least 1, got {self.max_limit}")
        if not 1 <= self.default_limit <= self.max_limit:
            raise ValueError(f"default_limit must be within 1..max_limit ({self.max_limit}), got {self.default_limit}")
        for name, allowed in (("above_max", ABOVE_MAX), ("invalid_query_status", INVALID_QUERY_STATUSES),
                              ("error_envelope", ENVELOPES), ("tie_break", TIE_BREAKS),
                              ("scheme_case", SCHEME_CASES), ("header_case", HEADER_CASES),
                              ("compression", COMPRESSIONS), ("framing", FRAMINGS), ("timestamps", TIMESTAMPS),
                              ("limit_parser", LIMIT_PARSERS), ("unrouted", UNROUTED),
                              ("runtime_id_shape", RUNTIME_ID_SHAPES), ("cursor_binding", CURSOR_BINDINGS),
                              ("cursor_style", CURSOR_STYLES), ("error_media_type", ERROR_MEDIA_TYPES),
                              ("request_id", REQUEST_IDS), ("validators", VALIDATORS), ("front_end", FRONT_ENDS)):
            if getattr(self, name) not in allowed:
                raise ValueError(f"{name} must be one of {allowed}, got {getattr(self, name)!r}")
        for name in ("charset", "retention"):
            if not isinstance(getattr(self, name), bool):
                raise ValueError(f"{name} must be True or False, got {getattr(self, name)!r}")
        if isinstance(self.read_lag, bool) or not isinstance(self.read_lag, (int, float)) \
                or not 0.0 <= self.read_lag <= 3600.0:
            raise ValueError(f"read_lag must be a number of seconds within 0..3600, got {self.read_lag!r}")
        if type(self.latency_ms) is not int or not 0 <= self.latency_ms <= 60_000:
            raise ValueError(f"latency_ms must be an integer within 0..60000, got {self.latency_ms!r}")
        if type(self.head_limit) is not int or not 0 <= self.head_limit <= 1 << 20:
            raise ValueError(f"head_limit must be a number of bytes within 0..1048576, got {self.head_limit!r}")

    def changed(self) -> dict[str, object]:
        """The choices that differ from the default contract's, by field name."""
        default = Variants()
        return {f.name: getattr(self, f.name) for f in fields(self)
                if getattr(self, f.name) != getattr(default, f.name)}

    def describe(self) -> str:
        return ", ".join(f"{name.replace('_', '-')}={value}" for name, value in self.changed().items()) or "none"


# Real stacks' habits bundled: each preset is a correct server (nothing in it is a bug), written the way that stack
# writes it at its defaults.
PERSONALITIES: dict[str, Variants] = {
    # Fastify 5 with Ajv at its defaults (coerceTypes): lower-case header names (Node), `application/json;
    # charset=utf-8`, limit coerced with Number(), find-my-way's own 404 for other methods and paths, and a
    # page-number-looking cursor (base64 {"page": N}) that is a keyset position.
    "fastify": Variants(header_case="lower", charset=True, limit_parser="javascript-number", unrouted="router-404",
                        cursor_style="page-number"),
    # Express with a hand-written handler: parseInt(req.query.limit, 10), Express's router and finalhandler's HTML
    # 404, capitalised header names, res.json's `charset=utf-8`, cursors bound to the filter they were made for,
    # and Node's http parser: above 16 KiB of request head, a bare 431 and a reset connection.
    "express-parseint": Variants(limit_parser="parse-int", unrouted="router-404-html", header_case="as-written",
                                 charset=True, cursor_binding="filter", head_limit=NODE_HEAD_LIMIT),
    # Go with chi: net/http's canonical header names, time.Time written with nine fractional digits in the
    # server's zone (Europe/Paris), runtime ids parsed as UUIDs, RFC 9457 problem+json errors, request id in the
    # X-Request-Id header only.
    "go-chi": Variants(header_case="canonical", timestamps="nanoseconds-offset", runtime_id_shape="uuid",
                       error_media_type="application/problem+json", request_id="header"),
}
