"""Faults below the JSON: answers whose framing the connection breaks, and requests it drops (issue 23, the wire).
Each is a bug a real deployment has (a proxy's buffer, a streaming serializer, a hand-written response writer, a
crashing worker), caught only by reading the bytes and how the answer ended, never by its JSON alone. The catalogue
entries and the code that does the damage are kept together here; handler.py asks `as_written` how to write an answer
and `dropped` whether to answer at all.
"""
from __future__ import annotations

import json
from dataclasses import replace
from urllib.parse import parse_qs, urlsplit

from .checks import LIMIT_BOUNDS, WALK_END, WALK_KEEPS, WIRE
from .fault import Fault
from .messages import Response
from .probes import framed, handed_cursor, one_connection
from .wire import Wire

PROXY_BUFFER = 16 * 1024  # the bytes of an answer's body the faulty proxy passes on before it gives up
STREAMED = 8 * 1024  # bodies above this size the faulty streaming serializer sends chunked

FAULTS = [
    Fault("large-answer-cut-at-proxy-buffer", "wire",
          "a proxy between the app and the client has a 16 KiB response buffer and, on an upstream that writes "
          "faster than the client reads, drops the connection once it is full: an answer over 16 KiB (a page of 100 "
          "runs) arrives with its full Content-Length but only 16 KiB of body, then the connection closes",
          rules=("http.framing",), issue=23, blind_spot=1, check=LIMIT_BOUNDS,
          observe=framed([("limit", "100")])),
    Fault("last-page-chunk-missing", "wire",
          "the page serializer streams the last page of a walk (nextCursor null) with chunked transfer coding and "
          "the response is closed before the terminating zero-length chunk is written: the last page's body ends "
          "with its connection, not with its framing",
          rules=("http.framing", "cursor.walk"), issue=23, blind_spot=1, check=WALK_END,
          observe=framed([("limit", "100"), ("status", "active")])),
    Fault("head-sends-body", "wire",
          "the hand-rolled response writer in front of the framework writes every answer's body, a HEAD's included, "
          "after the headers the GET would get: the body's bytes stay on the kept-alive connection and become the "
          "start of the next answer there (a client library reads garbage, drops the connection and retries)",
          rules=("http.framing", "http.head"), issue=23, blind_spot=1, check=WIRE,
          observe=one_connection(("HEAD", [("limit", "5")]), ("GET", [("limit", "1")]))),
    Fault("error-body-trailing-newline", "wire",
          "the error handler writes its JSON and then a newline (print-style), after setting Content-Length from the "
          "JSON alone: every refusal leaves one byte on its kept-alive connection, read as the start of the next "
          "answer there",
          rules=("http.framing",), issue=23, blind_spot=1, check=WIRE,
          observe=one_connection(("GET", [("limit", "0")]), ("GET", [("limit", "1")]))),
    Fault("chunk-size-in-decimal", "wire",
          f"the streaming serializer sends pages over {STREAMED // 1024} KiB chunked, writing each chunk's size with "
          "%d instead of %x, and closes the connection after the last chunk: a client reads a larger chunk than was "
          "sent and the answer ends with its connection instead",
          rules=("http.framing",), issue=23, blind_spot=1, check=WIRE,
          observe=one_connection(("GET", [("limit", "100")]))),
    Fault("reset-on-cursor-with-filter", "wire",
          "the app's worker crashes (a native JSON encoder's fast path for filtered continuation pages) on every "
          "request with both a cursor and a status filter: the connection ends with no answer, every time, while "
          "every other request is served",
          rules=("server.no-5xx", "cursor.keeps-query"), issue=23, blind_spot=2, check=WALK_KEEPS,
          observe=framed(handed_cursor("active"))),
]


def dropped(target: str, faults: frozenset[str]) -> bool:
    """Whether the faulty worker dies on this request target, leaving its connection without an answer."""
    if "reset-on-cursor-with-filter" not in faults:
        return False
    query = parse_qs(urlsplit(target).query)
    return bool(query.get("cursor")) and bool(query.get("status"))


def as_written(wire: Wire, response: Response, method: str | None, faults: frozenset[str]) -> tuple[Wire, bool]:
    """The answer as the faulty server writes it, and whether its framing is left unfinished (the connection then
    closes without the rest). Pieces are written as they are unless `wire.chunked` (then each is one chunk)."""
    body = response.body or b""
    if "head-sends-body" in faults and method == "HEAD" and not wire.chunked and body:
        return replace(wire, pieces=[body]), False
    if "error-body-trailing-newline" in faults and response.status >= 400 and wire.pieces and not wire.chunked:
        return replace(wire, pieces=[*wire.pieces, b"\n"]), False
    size = sum(len(piece) for piece in wire.pieces)
    if "chunk-size-in-decimal" in faults and not wire.chunked and size > STREAMED:
        whole = b"".join(wire.pieces)
        pieces = [whole[start:start + STREAMED // 2] for start in range(0, size, STREAMED // 2)]
        framed_in_decimal = [b"%d\r\n%s\r\n" % (len(piece), piece) for piece in pieces] + [b"0\r\n\r\n"]
        headers = [(name, value) for name, value in wire.headers if name.lower() != "content-length"]
        return replace(wire, headers=headers + [("Transfer-Encoding", "chunked")], pieces=framed_in_decimal), True
    return cut_short(wire, response, faults)


def cut_short(wire: Wire, response: Response, faults: frozenset[str]) -> tuple[Wire, bool]:
    """The answer cut short by the faulty proxy or serializer, and whether its framing is left unfinished."""
    body_size = sum(len(piece) for piece in wire.pieces)
    if "large-answer-cut-at-proxy-buffer" in faults and not wire.chunked and body_size > PROXY_BUFFER:
        return replace(wire, pieces=[b"".join(wire.pieces)[:PROXY_BUFFER]]), True
    if "last-page-chunk-missing" in faults and wire.pieces and _last_page(response):
        headers = [(name, value) for name, value in wire.headers if name.lower() != "content-length"]
        return replace(wire, headers=headers + [("Transfer-Encoding", "chunked")], chunked=True), True
    return wire, False


def _last_page(response: Response) -> bool:
    """A 200 page with runs and no nextCursor."""
    if response.status != 200:
        return False
    try:
        page = json.loads(response.body)
    except ValueError:
        return False
    return isinstance(page, dict) and bool(page.get("data")) and page.get("nextCursor") is None
